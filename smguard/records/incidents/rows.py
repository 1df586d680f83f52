"""Reading and writing incident rows: the steps every change to an incident shares.

Who is acting, the write lock, loading and snapshotting a row, a timeline note, and telling the
plugins (the ``incident_changed`` hook) inside the change's own transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from smguard.errors import InputError
from smguard.records import tables as m
from smguard.records.errors import IncidentNotFound, RecordInputError
from smguard.records.incidents.model import Incident
from smguard.types import Severity

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "announce",
    "as_json",
    "load",
    "lock_for_write",
    "require_actor",
    "severity_label",
    "snapshot",
    "write_note",
]


def require_actor(actor: str | None) -> str:
    """The acting person's or tool's name, trimmed; refused when empty."""
    if actor is None or not actor.strip():
        raise RecordInputError(
            "say who is doing this (a person's or tool's name, e.g. --as budi)",
            "sebutkan siapa yang melakukan ini (nama orang atau alat, misalnya --as budi)",
        )
    return actor.strip()[:200]


def severity_label(value: str | Severity) -> str:
    """``"high"`` for ``"high"``, ``3`` or ``Severity.HIGH``; refused for anything else."""
    try:
        return Severity.parse(value).label
    except ValueError as exc:
        raise InputError(f"incident severity: {exc}") from None


def as_json(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    """``value`` as it will be stored (JSON types only; anything else as its string)."""
    if not isinstance(value, Mapping):
        raise InputError(f"{what} must be a mapping (JSON object)")
    clean: dict[str, Any] = json.loads(json.dumps(dict(value), default=str))
    return clean


def lock_for_write(session: Session) -> None:
    """SQLite: take the write lock before reading, so that two writers queue up (busy timeout)
    instead of one failing on a stale read snapshot. PostgreSQL locks rows instead."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE incidents SET id = id WHERE 1 = 0"))


def write_note(
    session: Session,
    row: m.Incident,
    actor: str,
    kind: str,
    text_: str,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Add an entry to the incident's timeline."""
    session.add(
        m.IncidentNote(
            incident_id=row.id,
            at=m.utcnow(),
            actor=actor,
            kind=kind,
            text=text_,
            data=as_json(data or {}, "note data"),
        )
    )


def announce(store: Store, session: Session, row: m.Incident, event: str) -> None:
    """Tell the plugins (``incident_changed``) in the change's transaction; an exception from one
    of them rolls the change back (that is how alerts are never lost: the webhooks plugin queues
    them here)."""
    store.pm.hook.incident_changed(store=store, session=session, incident=row, event=event)


def load(session: Session, incident_id: int, *, lock: bool = False) -> m.Incident:
    """The stored incident (locked for update when ``lock``); refused when there is none."""
    query = select(m.Incident).where(m.Incident.id == incident_id)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise IncidentNotFound(incident_id)
    return row


def snapshot(session: Session, row: m.Incident) -> Incident:
    """The incident as callers see it, with its whole timeline as written so far."""
    session.flush()
    session.refresh(row, ["notes"])
    return Incident.from_row(row)
