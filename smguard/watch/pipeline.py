"""The detection pipeline: from stored events to incidents.

``smguard ingest`` and ``smguard watch`` store :class:`~smguard.types.ActivityEvent` s and hand
the *new* ones to :func:`run_detectors`, which runs :func:`process_events` and marks them
processed. :func:`process_events` runs every enabled detector over each event (oldest first)::

    events ──▶ detectors ──▶ detections of one event, merged ──▶ open_incident (or a sighting)
                 │                                                   └─▶ alerts (same transaction)
                 └─ history ("seen before?"), the publish ledger, the guard, the vault

* Everything one event sets off becomes **one incident**: an unapproved post that is also porn is
  one critical ``unauthorized_post`` incident carrying both facts, not two incidents. The kind is
  the most serious one among the detections (:data:`INCIDENT_ORDER`), the severity the highest.
* The **dedupe key** names the cause ("unauthorised posts on this account", "logins from this
  new IP range"): while that incident is unresolved, the same cause again is a sighting.
* A table of detections (``detections``: detector × event) makes a re-run add nothing: an event
  a detector already reported is not reported again.
* A detector that crashes opens an ``engine_failure`` incident; the others go on.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select, update

from smguard.records.tables import DetectionRecord, utcnow
from smguard.records.upsert import insert_for
from smguard.types import ActivityEvent, localized
from smguard.watch.context import (
    DetectContext,
    History,
    HistoryFetch,
    event_order,
    once_per_store,
)
from smguard.watch.detectors import Detection, Detector, fill
from smguard.watch.detectorset import DetectorSet, load_detectors
from smguard.watch.events import left_behind, mark_processed, recent_events
from smguard.watch.evidence import CLARIFY_KINDS, incident_evidence, with_clarification

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smguard.guard.engine import Guard
    from smguard.records.store import Store

__all__ = [
    "ACTOR",
    "INCIDENT_ORDER",
    "DetectionResult",
    "detectors_for",
    "process_events",
    "process_left_behind",
    "run_detectors",
]

log = logging.getLogger("smguard.watch.pipeline")

#: Who opens the incidents (the audit log's actor).
ACTOR = "watch"
#: When one event sets off several detectors, the incident takes the first kind in this order.
INCIDENT_ORDER: tuple[str, ...] = (
    "unauthorized_post",
    "unsafe_post_published",
    "account_change",
    "suspicious_login",
    "activity_burst",
)
#: Events whose incidents are written in one transaction.
_CHUNK = 100


@dataclass(frozen=True)
class DetectionResult:
    """What :func:`process_events` did for one event: the incident opened or sighted."""

    incident_id: int
    created: bool
    kind: str
    severity: str
    #: The detector whose detection leads the incident, then every detector that fired.
    detector: str
    detectors: tuple[str, ...]
    event_id: str
    account: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "created": self.created,
            "kind": self.kind,
            "severity": self.severity,
            "detector": self.detector,
            "detectors": list(self.detectors),
            "event_id": self.event_id,
            "account": self.account,
        }


_SETS: weakref.WeakKeyDictionary[Store, DetectorSet] = weakref.WeakKeyDictionary()


def detectors_for(store: Store) -> DetectorSet:
    """The store's detectors, loaded once per store (process)."""
    return once_per_store(_SETS, store, lambda: load_detectors(store.config, store.pm))


def process_events(
    store: Store,
    events: Sequence[ActivityEvent],
    *,
    now: datetime | None = None,
    history: HistoryFetch | None = None,
    guard: Guard | None = None,
) -> list[DetectionResult]:
    """Run every enabled detector over ``events`` (new, already stored), oldest first; open an
    incident or add a sighting for each event that sets one off. Returns what was done.

    :param history: where earlier events come from (default: :func:`smguard.watch.events.
        recent_events` on ``store``).
    :param guard: the guard for live posts (default: one per store, built on first use).
    """
    if not events:
        return []
    detectors = detectors_for(store)
    settings = detectors.settings
    todo = sorted(
        (e for e in events if settings.since is None or e.at >= settings.since), key=event_order
    )
    if not todo or not detectors.enabled:
        return []
    hist = History(history or _store_fetch(store))
    _prefetch(hist, todo, detectors.enabled)
    ctx = DetectContext(store.config, hist, store=store, now=now, guard=guard)
    ctx.until_hint = todo[-1].at + timedelta(days=1)
    ctx.since = settings.since
    if detectors.needs_guard:
        ctx.check_posts(todo)
    done = _already_detected(store, [e.id for e in todo])
    results: list[DetectionResult] = []
    pending: list[tuple[ActivityEvent, list[Detection]]] = []
    for event in todo:
        found: list[Detection] = []
        for detector in detectors.enabled:
            if event.kind not in detector.kinds or (detector.id, event.id) in done:
                continue
            try:
                found.extend(detector.detect(event, ctx))
            except Exception as exc:  # one broken detector must not blind the others
                log.exception("detector %s failed on event %s", detector.id, event.id)
                results.append(_detector_failed(store, detector, event, exc))
        if found:
            pending.append((event, found))
    # Incidents, their alerts and the detection records of up to _CHUNK events commit together.
    for start in range(0, len(pending), _CHUNK):
        with store.session() as session:
            for event, found in pending[start : start + _CHUNK]:
                result = _record(store, session, ctx, event, found)
                if result is not None:
                    results.append(result)
    return results


def _prefetch(
    hist: History, events: Sequence[ActivityEvent], detectors: Sequence[Detector]
) -> None:
    """One history query per (account, kind) for the whole batch."""
    lookback: dict[str, timedelta] = {}
    for d in detectors:
        for kind in d.history_kinds:
            lookback[kind] = max(lookback.get(kind, timedelta(0)), d.lookback)
    spans: dict[str, tuple[datetime, datetime]] = {}
    for e in events:
        lo, hi = spans.get(e.account, (e.at, e.at))
        spans[e.account] = (min(lo, e.at), max(hi, e.at))
    for account, (lo, hi) in spans.items():
        for kind, back in lookback.items():
            hist.load(account, kind, lo - back, hi + timedelta(seconds=1))


def _already_detected(store: Store, event_ids: Sequence[str]) -> set[tuple[str, str]]:
    done: set[tuple[str, str]] = set()
    with store.session() as session:
        for start in range(0, len(event_ids), 500):
            chunk = list(event_ids[start : start + 500])
            rows = session.execute(
                select(DetectionRecord.detector, DetectionRecord.event_id).where(
                    DetectionRecord.event_id.in_(chunk)
                )
            ).all()
            done.update((d, e) for d, e in rows)
    return done


def _rank(kind: str) -> int:
    return INCIDENT_ORDER.index(kind) if kind in INCIDENT_ORDER else len(INCIDENT_ORDER)


def _record(
    store: Store,
    session: Session,
    ctx: DetectContext,
    event: ActivityEvent,
    found: Sequence[Detection],
) -> DetectionResult | None:
    """Merge one event's detections into one incident; record them so a re-run skips them."""
    from smguard.records.incidents import open_incident_in

    lead = min(found, key=lambda d: (_rank(d.incident), -int(d.severity), d.detector))
    severity = max(d.severity for d in found)
    lang = store.config.guard.ui_language
    evidence = incident_evidence(lead, found, event, ctx)
    title = localized(lead.message, lang)
    inserted = _claim(session, found, event)
    if not inserted:
        return None  # another watcher reported this event meanwhile
    row, created = open_incident_in(
        store,
        session,
        kind=lead.incident,
        severity=severity.label,
        title=title,
        dedupe_key=lead.dedupe_key,
        evidence=evidence,
        actor=ACTOR,
        account=event.account,
        category=lead.category,
    )
    if created and lead.incident in CLARIFY_KINDS:
        # The incident's number is known only now: add the clarification commands.
        row.evidence = with_clarification(row.evidence, row.id)
    _link(session, inserted, row.id)
    return _result(row, created, event, lead.detector, [d.detector for d in found])


def _claim(session: Session, found: Sequence[Detection], event: ActivityEvent) -> list[int]:
    """Insert a detection row per detector; the ones another watcher holds already are
    skipped (the unique (detector, event) index decides)."""
    now = utcnow()
    rows = [
        {
            "detector": detector,
            "event_id": event.id,
            "account": event.account,
            "event_at": event.at,
            "created_at": now,
        }
        for detector in sorted({d.detector for d in found})
    ]
    stmt = insert_for(session, DetectionRecord).values(rows).on_conflict_do_nothing()
    return [int(i) for i in session.execute(stmt.returning(DetectionRecord.id)).scalars()]


def _link(session: Session, ids: Sequence[int], incident_id: int) -> None:
    session.execute(
        update(DetectionRecord).where(DetectionRecord.id.in_(ids)).values(incident_id=incident_id)
    )


_FAILED = {
    "en": "Detector {detector} failed on an event of {account}: {error}",
    "id": "Detektor {detector} gagal memeriksa aktivitas {account}: {error}",
}


def _detector_failed(
    store: Store, detector: Detector, event: ActivityEvent, exc: Exception
) -> DetectionResult:
    """A crashed detector is an ``engine_failure`` incident: the watch is partly blind."""
    from smguard.records.incidents import open_incident

    error = f"{type(exc).__name__}: {exc}"[:300]
    values = {"detector": detector.id, "account": event.account, "error": error}
    incident, created = open_incident(
        store,
        kind="engine_failure",
        severity="medium",
        title=fill(localized(_FAILED, store.config.guard.ui_language), values),
        dedupe_key=f"engine_failure:detector:{detector.id}",
        evidence={
            "detector": detector.id,
            "event_id": event.id,
            "account": event.account,
            "error": error,
            "summary": {lang: fill(t, values) for lang, t in _FAILED.items()},
        },
        actor=ACTOR,
        account=event.account,
        category="integrity",
    )
    return _result(incident, created, event, detector.id, [detector.id])


class _Opened(Protocol):
    """An incident as opened or sighted: its table row, or the incident as records return it."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def severity(self) -> str: ...


def _result(
    incident: _Opened, created: bool, event: ActivityEvent, lead: str, detectors: Iterable[str]
) -> DetectionResult:
    return DetectionResult(
        incident_id=incident.id,
        created=created,
        kind=incident.kind,
        severity=incident.severity,
        detector=lead,
        detectors=tuple(sorted(set(detectors))),
        event_id=event.id,
        account=event.account,
    )


def _store_fetch(store: Store) -> HistoryFetch:
    def fetch(
        account: str, kinds: Sequence[str], since: datetime, until: datetime
    ) -> Sequence[ActivityEvent]:
        return recent_events(store, account, kinds=list(kinds), since=since, until=until)

    return fetch


# -- running over stored events -----------------------------------------------------------------


def _detector() -> Callable[..., list[Any]]:
    """What :func:`run_detectors` runs: :func:`process_events` (tests stand in for it)."""
    return process_events


def run_detectors(
    store: Store, events: Sequence[ActivityEvent], *, now: datetime | None = None
) -> list[Any]:
    """Run the detectors over stored, new ``events`` and mark them processed."""
    if not events:
        return []
    results = _detector()(store, events, now=now)
    mark_processed(store, [e.id for e in events])
    return results


def process_left_behind(store: Store, account: str) -> list[Any]:
    """Run the detectors over the events of ``account`` that a crashed run left behind."""
    return run_detectors(store, left_behind(store, account))
