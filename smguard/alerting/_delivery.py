"""Delivering the outbox: claim due alerts, send them, record each outcome.

:func:`deliver_due` claims due rows with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, one
atomic ``UPDATE`` on SQLite), sends them outside any transaction, then records each outcome —
sent, failed (retry later with exponential backoff and jitter, or when the receiver's
``Retry-After`` says) or dead — with an audit event. A dead alert opens an
``alert_delivery_failure`` incident.

A worker that dies after sending but before recording leaves the row claimed; when the lease
runs out another worker sends it again. Delivery is therefore *at least once*: receivers dedupe
on the idempotency key, which is the same on every attempt. :func:`send_test_alert` sends to one
sink at once, past the queue.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from smguard.alerting._messages import Alert, AlertMessage
from smguard.alerting._outbox import ACTOR, DEAD, FAILURE_KIND, PENDING, SENT
from smguard.alerting._settings import AlertSettings, Sink, settings_for
from smguard.alerting._transport import AlertHttp, DeliveryError, scrub
from smguard.errors import SmguardError
from smguard.records.incidents import open_incident
from smguard.records.tables import OutboxAlert, utcnow

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "DeliveryOutcome",
    "DeliveryReport",
    "backoff_delay",
    "deliver_due",
    "send_digest",
    "send_test_alert",
]

log = logging.getLogger("smguard.alerting")

_random = random.Random()


def backoff_delay(
    attempts: int, base_s: float, max_s: float, rng: random.Random = _random
) -> float:
    """Seconds to wait after the ``attempts``-th failure: exponential, capped, "equal jitter".

    The delay lies in ``[d/2, d]`` with ``d = min(max_s, base_s * 2**(attempts-1))``, so
    retries of many alerts spread out, yet each wait is at least as long as the one before.
    """
    ceiling = min(max_s, base_s * 2.0 ** max(0, attempts - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class DeliveryOutcome:
    alert_id: int
    sink: str
    incident_id: int | None
    event: str
    status: str  # sent | failed | dead | lost (claim taken over by another worker)
    attempts: int
    error: str | None = None
    next_attempt_at: datetime | None = None
    incident_opened: int | None = None


@dataclass
class DeliveryReport:
    outcomes: list[DeliveryOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def claimed(self) -> int:
        return len(self.outcomes)


def _claim(
    store: Store, worker_id: str, limit: int, now: datetime, lease_s: float
) -> list[OutboxAlert]:
    """Take up to ``limit`` due rows for ``worker_id`` and commit the claim at once."""
    free = or_(OutboxAlert.locked_until.is_(None), OutboxAlert.locked_until < now)
    due = (
        select(OutboxAlert.id)
        .where(OutboxAlert.status == PENDING, OutboxAlert.next_attempt_at <= now, free)
        .order_by(OutboxAlert.next_attempt_at, OutboxAlert.id)
        .limit(limit)
    )
    lease = {"locked_until": now + timedelta(seconds=lease_s), "locked_by": worker_id}
    with store.session() as session:
        if store.db.dialect == "postgresql":
            # Lock the chosen rows first; concurrent workers skip them instead of queueing
            # behind them. (Not as a subquery of the UPDATE: PostgreSQL may run that subquery
            # more than once, and its LIMIT then no longer holds.)
            ids = list(session.scalars(due.with_for_update(skip_locked=True)))
            if not ids:
                return []
            target: ColumnElement[bool] = OutboxAlert.id.in_(ids)
        else:
            # SQLite has one writer at a time: this single UPDATE is the whole claim, and its
            # WHERE is checked again under the write lock.
            pending = OutboxAlert.status == PENDING
            target = and_(OutboxAlert.id.in_(due.scalar_subquery()), pending, free)
        claim = (
            update(OutboxAlert)
            .where(target)
            .values(**lease)
            .returning(OutboxAlert)
            .execution_options(synchronize_session=False)
        )
        rows = list(session.scalars(claim))
    rows.sort(key=lambda r: (r.next_attempt_at, r.id))
    return rows


def _alert_of(settings: AlertSettings, row: OutboxAlert) -> Alert:
    incident = row.payload.get("incident") if isinstance(row.payload, dict) else None
    incident = incident if isinstance(incident, dict) else {}
    return Alert(
        key=row.idempotency_key,
        sink=row.sink,
        event=row.event,
        incident=incident,
        created_at=row.created_at,
        outbox_id=row.id,
        test=bool(row.payload.get("test")) if isinstance(row.payload, dict) else False,
        timezone=settings.timezone_of(incident.get("account")),
    )


def _send(settings: AlertSettings, row: OutboxAlert, http: AlertHttp) -> DeliveryError | None:
    sink: Sink | None = settings.sinks.get(row.sink)
    if sink is None:
        return DeliveryError(f"sink {row.sink} is no longer in [alerts.sinks]")
    try:
        sink.type.send(sink, _alert_of(settings, row), http)
    except DeliveryError as exc:
        return DeliveryError(
            scrub(str(exc), settings.secrets()), status=exc.status, retry_after=exc.retry_after
        )
    except Exception as exc:  # a plugin's sink must not stop the others
        # No traceback in the log: a crashing plugin's exception may quote its secrets.
        message = scrub(f"sink {sink.name} ({sink.type.name}) crashed: {exc!r}", settings.secrets())
        log.error("%s", message)
        return DeliveryError(message)
    return None


def _record(
    store: Store,
    session: Session,
    settings: AlertSettings,
    row: OutboxAlert,
    error: DeliveryError | None,
    worker_id: str,
    now: datetime,
) -> DeliveryOutcome:
    """Write one outcome (and its audit event) into ``session``."""
    attempts = row.attempts + 1
    mine = and_(
        OutboxAlert.id == row.id, OutboxAlert.locked_by == worker_id, OutboxAlert.status == PENDING
    )
    base = {
        "alert_id": row.id,
        "sink": row.sink,
        "incident_id": row.incident_id,
        "event": row.event,
        "key": row.idempotency_key,
        "attempt": attempts,
        "worker": worker_id,
    }
    next_at: datetime | None = None
    if error is None:
        status, action = SENT, "alert.sent"
        values: dict[str, Any] = {"status": SENT, "sent_at": now, "last_error": None}
        details = base
    elif attempts >= settings.max_attempts:
        status, action = DEAD, "alert.dead"
        values = {"status": DEAD, "last_error": str(error)}
        details = {**base, "error": str(error), "status_code": error.status}
    else:
        status, action = "failed", "alert.failed"
        delay = backoff_delay(attempts, settings.backoff_base_s, settings.backoff_max_s)
        if error.retry_after is not None:
            delay = max(delay, min(error.retry_after, settings.backoff_max_s))
        next_at = now + timedelta(seconds=delay)
        values = {"next_attempt_at": next_at, "last_error": str(error)}
        details = {
            **base,
            "error": str(error),
            "status_code": error.status,
            "next_attempt_at": next_at.isoformat(),
        }
    result = session.execute(
        update(OutboxAlert)
        .where(mine)
        .values(attempts=attempts, locked_until=None, locked_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 1) != 1:
        # Our lease ran out and another worker took the row over; it records the outcome.
        log.warning("alert #%s: claim lost to another worker before recording", row.id)
        status = "lost"
    else:
        store.audit(session, action, actor=ACTOR, subject=f"alert:{row.id}", details=details)
    return DeliveryOutcome(
        row.id,
        row.sink,
        row.incident_id,
        row.event,
        status,
        attempts,
        str(error) if error else None,
        next_at,
    )


def _raise_failure_incident(
    store: Store, row: OutboxAlert, error: str, attempts: int
) -> int | None:
    """A dead alert opens (or adds a sighting to) an ``alert_delivery_failure`` incident."""
    payload = row.payload if isinstance(row.payload, dict) else {}
    incident = payload.get("incident") if isinstance(payload.get("incident"), dict) else {}
    if payload.get("test") or (incident or {}).get("kind") == FAILURE_KIND:
        # An alert about failing alerts that itself dies stops here: no chain of incidents.
        return None
    try:
        opened, _created = open_incident(
            store,
            kind=FAILURE_KIND,
            severity="high",
            title=f"Alerts to {row.sink} could not be delivered after {attempts} attempts",
            dedupe_key=f"alert-dead:{row.sink}",
            evidence={
                "sink": row.sink,
                "alert_id": row.id,
                "incident_id": row.incident_id,
                "event": row.event,
                "attempts": attempts,
                "error": error,
            },
            actor=ACTOR,
        )
    except SmguardError:
        log.exception("could not open an alert_delivery_failure incident for alert #%s", row.id)
        return None
    return opened.id


def deliver_due(
    store: Store,
    *,
    worker_id: str | None = None,
    limit: int | None = None,
    now: datetime | None = None,
    http: AlertHttp | None = None,
) -> DeliveryReport:
    """Claim due alerts, send them, record each outcome; one pass.

    :param worker_id: names this worker in claims and audit events (default: random).
    :param limit: at most this many alerts (default ``[alerts] batch_size``).
    :param now: the time to act at (tests move it forward instead of sleeping).
    :param http: a client to reuse across passes (default: one for this pass).
    """
    settings = settings_for(store)
    worker = worker_id or f"worker-{uuid.uuid4().hex[:8]}"
    at = now or utcnow()
    rows = _claim(store, worker, limit or settings.batch_size, at, settings.lease_s)
    report = DeliveryReport()
    if not rows:
        return report
    client = http or settings.http()
    try:
        if settings.concurrency > 1 and len(rows) > 1:
            with ThreadPoolExecutor(min(settings.concurrency, len(rows))) as pool:
                errors = list(pool.map(lambda r: _send(settings, r, client), rows))
        else:
            errors = [_send(settings, row, client) for row in rows]
    finally:
        if http is None:
            client.close()
    # One transaction for the whole pass. Should it fail, the rows stay claimed and are sent
    # again when the lease ends: at least once, as always.
    done_at = now or utcnow()
    with store.session() as session:
        outcomes = [
            _record(store, session, settings, row, error, worker, done_at)
            for row, error in zip(rows, errors, strict=True)
        ]
    for row, outcome in zip(rows, outcomes, strict=True):
        if outcome.status == DEAD:
            opened = _raise_failure_incident(store, row, str(outcome.error), outcome.attempts)
            outcome = replace(outcome, incident_opened=opened)
        report.outcomes.append(outcome)
    return report


def send_test_alert(
    store: Store, sink_name: str, *, actor: str, http: AlertHttp | None = None
) -> Alert:
    """Send a test alert to one sink now (not through the queue); raise if it fails."""
    settings = settings_for(store)
    sink = settings.sink(sink_name)
    now = utcnow()
    alert = Alert(
        key=f"smg-test-{uuid.uuid4().hex}",
        sink=sink.name,
        event="test",
        incident={
            "id": None,
            "kind": "test",
            "severity": "info",
            "status": "open",
            "title": "smguard can reach this channel",
            "account": None,
            "category": None,
            "sightings": 1,
            "created_at": now.isoformat(),
            "last_seen_at": now.isoformat(),
            "evidence": {},
        },
        created_at=now,
        test=True,
        timezone=settings.timezone,
    )
    client = http or settings.http()
    try:
        sink.type.send(sink, alert, client)
        error: DeliveryError | None = None
    except DeliveryError as exc:
        error = DeliveryError(scrub(str(exc), settings.secrets()), status=exc.status)
    finally:
        if http is None:
            client.close()
    details = {"sink": sink.name, "type": sink.type.name, "key": alert.key, "test": True}
    with store.session() as session:
        if error is None:
            store.audit(
                session, "alert.sent", actor=actor, subject=f"sink:{sink.name}", details=details
            )
        else:
            store.audit(
                session,
                "alert.failed",
                actor=actor,
                subject=f"sink:{sink.name}",
                details={**details, "error": str(error)},
            )
    if error is not None:
        raise error
    return alert


def send_digest(
    store: Store,
    messages: Mapping[str, AlertMessage],
    *,
    key: str,
    report: Mapping[str, Any],
    account: str | None = None,
    sinks: Sequence[str] = (),
    actor: str,
    http: AlertHttp | None = None,
) -> dict[str, str | None]:
    """Send a digest (a report's summary) to ``sinks`` now; return each sink's error or None.

    Without ``sinks``, the routes pick them as for an ``info`` incident of kind ``report`` on
    ``account`` with event ``report`` (no routes: every sink). ``key`` is the idempotency key,
    the same when the same report is sent again, so a receiver can drop the repeat. Each
    outcome is in the audit log; one sink failing does not stop the others.
    """
    settings = settings_for(store)
    names = list(sinks) or settings.route(
        {"kind": "report", "severity": "info", "account": account}, "report"
    )
    chosen = [settings.sink(name) for name in names]
    now = utcnow()
    client = http or settings.http()
    outcome: dict[str, str | None] = {}
    try:
        for sink in chosen:
            alert = Alert(
                key=key, sink=sink.name, event="report", incident={}, created_at=now,
                timezone=settings.timezone_of(account), messages=messages, report=report,
            )  # fmt: skip
            try:
                sink.type.send(sink, alert, client)
                outcome[sink.name] = None
            except DeliveryError as exc:
                outcome[sink.name] = scrub(str(exc), settings.secrets())
    finally:
        if http is None:
            client.close()
    with store.session() as session:
        for name, error in outcome.items():
            details: dict[str, Any] = {"sink": name, "key": key, "digest": True}
            if error is not None:
                details["error"] = error
            store.audit(
                session, "alert.failed" if error else "alert.sent", actor=actor,
                subject=f"sink:{name}", details=details,
            )  # fmt: skip
    return outcome
