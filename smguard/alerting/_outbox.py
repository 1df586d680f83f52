"""The outbox: alerts queued in the incident's own transaction, and the queue's upkeep.

:func:`enqueue_incident_alerts` adds one row per (sink, incident, event) in the caller's
transaction, so an incident never exists without its alerts, nor an alert without its incident
(the built-in ``webhooks`` plugin calls it from the ``incident_changed`` hook). Every row carries
an idempotency key that is the same on every attempt, so receivers can dedupe: delivery
(:mod:`._delivery`) is at least once. :func:`list_alerts` and :func:`retry_alerts` are what
``smguard alerts list`` and ``retry`` do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.alerting._settings import settings_for
from smguard.errors import SmguardError
from smguard.records.tables import Incident, OutboxAlert, utcnow

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "ACTOR",
    "DEAD",
    "FAILURE_KIND",
    "PENDING",
    "SENT",
    "STATUSES",
    "enqueue_incident_alerts",
    "idempotency_key",
    "incident_snapshot",
    "list_alerts",
    "retry_alerts",
]

ACTOR = "alerts"
FAILURE_KIND = "alert_delivery_failure"
PENDING, SENT, DEAD = "pending", "sent", "dead"
STATUSES = (PENDING, SENT, DEAD)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def incident_snapshot(incident: Incident) -> dict[str, Any]:
    """The incident as alerts carry it (what the generic JSON sink sends as ``incident``)."""
    return {
        "id": incident.id,
        "kind": incident.kind,
        "severity": incident.severity,
        "status": incident.status,
        "title": incident.title,
        "account": incident.account,
        "category": incident.category,
        "sightings": incident.sightings,
        "created_at": _iso(incident.created_at),
        "last_seen_at": _iso(incident.last_seen_at),
        "evidence": incident.evidence,
    }


def idempotency_key(incident_id: int, created_at: datetime | None, event: str, sink: str) -> str:
    """Deterministic per (incident, event, sink); the incident's creation time keeps keys of two
    smguard databases (whose incident numbers overlap) apart at a shared receiver."""
    stamp = _iso(created_at) or ""
    digest = hashlib.sha256(f"{incident_id}\x1f{stamp}\x1f{event}\x1f{sink}".encode()).hexdigest()
    return f"smg-{incident_id}-{digest[:32]}"


def _failed_sinks(incident: Incident) -> set[str]:
    if incident.kind != FAILURE_KIND:
        return set()
    evidence = incident.evidence or {}
    sinks = evidence.get("sinks") or [evidence.get("sink")]
    return {str(s) for s in sinks if s}


def enqueue_incident_alerts(
    store: Store, session: Session, incident: Incident, event: str
) -> list[OutboxAlert]:
    """Queue the alerts for ``incident``'s ``event`` in ``session``'s transaction.

    :param event: what happened to the incident: ``incident.opened``,
        ``incident.escalated:critical``… A suffix after ``:`` makes a new alert for the same
        incident; routes match the full name or the short one (``opened``, ``escalated``).
    :return: the rows added (none for a (sink, incident, event) already queued).
    """
    if not event or len(event) > 50:
        raise SmguardError(f"alert event must be 1 to 50 characters, got {event!r}")
    settings = settings_for(store)
    if not settings.sinks:
        return []
    if incident.id is None:
        session.flush()
    snapshot = incident_snapshot(incident)
    # An alert about failing alerts never goes back to the sink that failed (no loops).
    skip = _failed_sinks(incident)
    names = [name for name in settings.route(snapshot, event) if name not in skip]
    if not names:
        return []
    keys = {name: idempotency_key(incident.id, incident.created_at, event, name) for name in names}
    existing = set(
        session.scalars(
            select(OutboxAlert.idempotency_key).where(
                OutboxAlert.idempotency_key.in_(list(keys.values()))
            )
        )
    )
    now = utcnow()
    rows = []
    for name, key in keys.items():
        if key in existing:
            continue
        row = OutboxAlert(
            idempotency_key=key,
            incident_id=incident.id,
            sink=name,
            event=event,
            payload={"incident": snapshot},
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(row)
        rows.append(row)
    return rows


def list_alerts(
    store: Store, *, status: str | None = None, limit: int = 100
) -> Sequence[OutboxAlert]:
    """Newest first, optionally only one status."""
    query = select(OutboxAlert).order_by(OutboxAlert.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxAlert.status == status)
    with store.session() as session:
        return list(session.scalars(query))


def retry_alerts(
    store: Store,
    *,
    ids: Sequence[int] = (),
    all_dead: bool = False,
    actor: str,
    now: datetime | None = None,
) -> list[int]:
    """Put dead (or waiting) alerts back in the queue, due now, with a fresh attempt count."""
    at = now or utcnow()
    with store.session() as session:
        query = select(OutboxAlert).with_for_update()
        if all_dead:
            query = query.where(OutboxAlert.status == DEAD)
        else:
            query = query.where(OutboxAlert.id.in_(list(ids)))
        rows = {row.id: row for row in session.scalars(query)}
        for wanted in ids:
            if wanted not in rows:
                raise SmguardError(f"no alert #{wanted} (see `smguard alerts list`)")
            if rows[wanted].status == SENT:
                raise SmguardError(f"alert #{wanted} was already sent; there is nothing to retry")
        done = []
        for row in sorted(rows.values(), key=lambda r: r.id):
            before = row.status
            row.status = PENDING
            row.attempts = 0
            row.next_attempt_at = at
            row.locked_until = None
            row.locked_by = None
            store.audit(
                session,
                "alert.retried",
                actor=actor,
                subject=f"alert:{row.id}",
                details={"alert_id": row.id, "sink": row.sink, "was": before},
            )
            done.append(row.id)
    return done
