"""``smguard ingest``: read a whole export, store its new events at once, run the detectors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smguard.errors import InputError
from smguard.types import ActivityEvent
from smguard.watch.connectors import ExportConnector, ExportError, ExportSource, export_connectors
from smguard.watch.events import insert_new_events
from smguard.watch.pipeline import process_left_behind, run_detectors

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["IngestReport", "ingest"]


@dataclass
class IngestReport:
    path: str
    format: str
    #: Events in the export (after dropping repeats within it).
    total: int
    new: list[ActivityEvent]
    detections: list[Any] = field(default_factory=list)
    #: What the connector read past, ``(english, indonesian)`` (a field missing, say).
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def known(self) -> int:
        return self.total - len(self.new)


def _pick_connector(
    available: Mapping[str, ExportConnector], source: ExportSource, fmt: str, platform: str | None
) -> ExportConnector:
    if fmt != "auto":
        if fmt not in available:
            raise InputError(
                f"--from {fmt}: unknown export format (one of auto, {', '.join(available)})"
            )
        return available[fmt]
    matches = [c for c in available.values() if c.recognises(source)]
    if len(matches) > 1 and platform:
        same = [c for c in matches if c.platform == platform]
        matches = same or matches
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ExportError(
            f"{source.path}: not an export smguard knows (an X archive with data/tweets.js, an "
            "Instagram or Facebook 'Download your information' JSON export, or a .jsonl feed); "
            "name the format with --from"
        )
    names = ", ".join(c.name for c in matches)
    raise ExportError(f"{source.path}: could be more than one format ({names}); use --from")


def ingest(
    store: Store,
    path: str | Path,
    *,
    account: str | None,
    fmt: str = "auto",
    actor: str,
    now: datetime | None = None,
) -> IngestReport:
    """Read a whole export, then store its events in one transaction and run the detectors.

    A damaged export raises :class:`ExportError` before anything is stored.
    """
    platform = store.config.account(account).platform if account else None
    with ExportSource.open(path) as source:
        connector = _pick_connector(export_connectors(store.pm), source, fmt, platform)
        events = connector.read(source, account, platform)
        warnings = list(source.warnings)
    total = len({e.id for e in events})
    with store.session() as session:
        new = insert_new_events(session, events)
        store.audit(
            session,
            "activity.ingested",
            actor=actor,
            subject=f"account:{account}" if account else None,
            details={
                "file": Path(path).name,
                "format": connector.name,
                "events": total,
                "new": len(new),
                "kinds": dict(Counter(e.kind for e in new)),
            },
        )
    detections: list[Any] = []
    for name in sorted({e.account for e in new}):
        detections += process_left_behind(store, name)
    detections += run_detectors(store, new, now=now)
    return IngestReport(str(path), connector.name, total, new, detections, warnings)
