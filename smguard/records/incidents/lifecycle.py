"""Working an incident to its end: acknowledge, add notes, resolve.

Lifecycle::

    open ──ack──▶ acknowledged ──resolve──▶ resolved
      └───────────────resolve────────────────┘

Each step records who and when, appends a note to the incident's timeline and an audit event in
the same transaction. Anything else — acknowledging twice, resolving a resolved incident — is
refused with a message that says what the incident's state is.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from smguard.records import tables as m
from smguard.records.errors import InvalidTransition, RecordInputError
from smguard.records.incidents.model import ACKNOWLEDGED, RESOLVED, Incident
from smguard.records.incidents.rows import (
    announce,
    load,
    lock_for_write,
    require_actor,
    snapshot,
    write_note,
)
from smguard.types import localized

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["acknowledge", "add_note", "resolve"]


def _when(store: Store, row: m.Incident, at: datetime | None) -> str:
    """A time as the people on the account read it (its time zone)."""
    if at is None:
        return "?"
    return at.astimezone(store.config.account(row.account).tz).strftime("%Y-%m-%d %H:%M %Z")


def _refuse_if_resolved(store: Store, row: m.Incident, doing_en: str, doing_id: str) -> None:
    if row.status == RESOLVED:
        when = _when(store, row, row.resolved_at)
        raise InvalidTransition(
            f"incident #{row.id} is already resolved (by {row.resolved_by}, {when}); "
            f"it cannot be {doing_en}",
            f"insiden #{row.id} sudah selesai (oleh {row.resolved_by}, {when}); "
            f"tidak bisa {doing_id}",
        )


def acknowledge(store: Store, incident_id: int, *, actor: str, note: str | None = None) -> Incident:
    """Someone has seen the incident and is on it (``open`` → ``acknowledged``)."""
    actor = require_actor(actor)
    with store.session() as session:
        lock_for_write(session)
        row = load(session, incident_id, lock=True)
        _refuse_if_resolved(store, row, "acknowledged", "ditandai sedang ditangani")
        if row.status == ACKNOWLEDGED:
            when = _when(store, row, row.acknowledged_at)
            raise InvalidTransition(
                f"incident #{row.id} was already acknowledged by {row.acknowledged_by} ({when})",
                f"insiden #{row.id} sudah ditangani oleh {row.acknowledged_by} ({when})",
            )
        row.status = ACKNOWLEDGED
        row.acknowledged_by = actor
        row.acknowledged_at = m.utcnow()
        lang = store.config.guard.ui_language
        default = {"en": "Acknowledged", "id": "Ditangani"}
        write_note(
            session, row, actor, "acknowledged", (note or "").strip() or localized(default, lang)
        )
        session.flush()
        store.audit(
            session,
            "incident.acknowledged",
            actor=actor,
            subject=f"incident:{row.id}",
            details={"note": note},
        )
        announce(store, session, row, "incident.acknowledged")
        return snapshot(session, row)


def add_note(store: Store, incident_id: int, text_: str, *, actor: str) -> Incident:
    """Add a note to the timeline (any status: a resolved incident still takes a post-mortem)."""
    actor = require_actor(actor)
    if not text_ or not text_.strip():
        raise RecordInputError("a note needs some text", "catatan perlu berisi teks")
    with store.session() as session:
        lock_for_write(session)
        row = load(session, incident_id, lock=True)
        write_note(session, row, actor, "note", text_.strip())
        session.flush()
        store.audit(
            session,
            "incident.noted",
            actor=actor,
            subject=f"incident:{row.id}",
            details={"text": text_.strip()},
        )
        announce(store, session, row, "incident.noted")
        return snapshot(session, row)


def resolve(store: Store, incident_id: int, *, actor: str, reason: str) -> Incident:
    """Close the incident with the reason (what was found and done)."""
    actor = require_actor(actor)
    if not reason or not reason.strip():
        raise RecordInputError(
            "say why the incident is resolved (--reason)",
            "sebutkan alasan insiden diselesaikan (--reason)",
        )
    with store.session() as session:
        lock_for_write(session)
        row = load(session, incident_id, lock=True)
        _refuse_if_resolved(store, row, "resolved again", "diselesaikan lagi")
        previous = row.status
        row.status = RESOLVED
        row.resolved_by = actor
        row.resolved_at = m.utcnow()
        row.resolution = reason.strip()
        write_note(session, row, actor, "resolved", reason.strip(), {"from": previous})
        session.flush()
        store.audit(
            session,
            "incident.resolved",
            actor=actor,
            subject=f"incident:{row.id}",
            details={"reason": reason.strip(), "from": previous},
        )
        announce(store, session, row, "incident.resolved")
        return snapshot(session, row)
