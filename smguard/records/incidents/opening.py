"""Opening incidents, with dedupe and sightings.

An incident carries a ``dedupe_key`` that names its cause (``blocked_post:acct:<fp>``,
``login:acct:<ip>``). Opening an incident whose key belongs to an open or acknowledged incident
adds a *sighting* to that one instead (and raises its severity if the new sighting is worse); a
key whose incident is resolved starts a new incident. The database enforces it — a partial unique
index over unresolved incidents (migration 0002) — so two processes seeing the same cause at the
same moment end with one incident and two sightings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from smguard.errors import InputError, SmguardError
from smguard.records import tables as m
from smguard.records.incidents.model import OPEN, RESOLVED, Incident
from smguard.records.incidents.rows import (
    announce,
    as_json,
    lock_for_write,
    require_actor,
    severity_label,
    snapshot,
    write_note,
)
from smguard.records.upsert import insert_for
from smguard.types import Severity, localized

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["open_incident", "open_incident_in"]

_KIND_RE = re.compile(r"[a-z][a-z0-9_]{1,49}")
_MAX_KEY = 300


def _find_open(session: Session, dedupe_key: str) -> m.Incident | None:
    return session.execute(
        select(m.Incident)
        .where(m.Incident.dedupe_key == dedupe_key, m.Incident.status != RESOLVED)
        .with_for_update()
    ).scalar_one_or_none()


def _insert_if_absent(session: Session, values: dict[str, Any]) -> int | None:
    """Insert unless an unresolved incident holds the key; a concurrent opener's uncommitted
    row makes this wait for it (PostgreSQL) and then do nothing."""
    # A literal predicate, as in the partial unique index: with a bound parameter, PostgreSQL's
    # generic plan (used after a few executions of a prepared statement) can no longer prove
    # that the index applies, and the insert fails.
    where = text(f"status <> '{RESOLVED}'")
    stmt = (
        insert_for(session, m.Incident)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"], index_where=where)
    )
    new_id = session.execute(stmt.returning(m.Incident.id)).scalar_one_or_none()
    return None if new_id is None else int(new_id)


_OPENED = {"en": "Incident opened: {title}", "id": "Insiden dibuka: {title}"}
_SIGHTING = {"en": "Seen again ({n} sightings)", "id": "Terlihat lagi ({n} kali)"}
_ESCALATED = {
    "en": "Seen again ({n} sightings); severity raised from {old} to {new}",
    "id": "Terlihat lagi ({n} kali); tingkat keparahan naik dari {old} ke {new}",
}


def _sighting(
    store: Store,
    session: Session,
    row: m.Incident,
    severity: str,
    evidence: dict[str, Any],
    actor: str,
    lang: str,
) -> None:
    now = m.utcnow()
    row.sightings += 1
    row.last_seen_at = now
    old = row.severity
    escalated = Severity.parse(severity) > Severity.parse(old)
    if escalated:
        row.severity = severity
    text_ = (
        localized(_ESCALATED, lang).format(n=row.sightings, old=old, new=severity)
        if escalated
        else localized(_SIGHTING, lang).format(n=row.sightings)
    )
    data: dict[str, Any] = {"severity": severity, "evidence": evidence}
    if escalated:
        data["escalated_from"] = old
    write_note(session, row, actor, "sighting", text_, data)
    session.flush()
    store.audit(
        session,
        "incident.sighting",
        actor=actor,
        subject=f"incident:{row.id}",
        details={
            "sightings": row.sightings,
            "severity": row.severity,
            "escalated_from": old if escalated else None,
            "dedupe_key": row.dedupe_key,
        },
    )
    # A suffix per level, so that each escalation is its own event (and alert, not deduped away).
    announce(
        store,
        session,
        row,
        f"incident.escalated:{row.severity}" if escalated else "incident.sighting",
    )


def open_incident_in(
    store: Store,
    session: Session,
    *,
    kind: str,
    severity: str | Severity,
    title: str,
    dedupe_key: str,
    evidence: Mapping[str, Any],
    actor: str,
    account: str | None = None,
    category: str | None = None,
) -> tuple[m.Incident, bool]:
    """:func:`open_incident` inside an open transaction; returns the stored row."""
    if not isinstance(kind, str) or not _KIND_RE.fullmatch(kind):
        raise InputError(f"incident kind {kind!r} must be lower_snake_case, e.g. blocked_post")
    level = severity_label(severity)
    actor = require_actor(actor)
    if not dedupe_key or len(dedupe_key) > _MAX_KEY:
        raise InputError(f"an incident needs a dedupe key of 1 to {_MAX_KEY} characters")
    title = (title or "").strip() or kind
    clean = as_json(evidence, "incident evidence")
    lang = store.config.guard.ui_language
    dialect = session.get_bind().dialect.name
    if dialect != "sqlite":
        # PostgreSQL: look first, so that a repeat sighting does not use up an incident number.
        existing = _find_open(session, dedupe_key)
        if existing is not None:
            _sighting(store, session, existing, level, clean, actor, lang)
            return existing, False
    else:
        # SQLite: the insert below comes first and takes the write lock; numbers have no gaps.
        lock_for_write(session)
    for _attempt in range(3):
        now = m.utcnow()
        new_id = _insert_if_absent(
            session,
            {
                "kind": kind,
                "severity": level,
                "status": OPEN,
                "title": title,
                "account": account,
                "category": category,
                "dedupe_key": dedupe_key,
                "evidence": clean,
                "sightings": 1,
                "created_at": now,
                "last_seen_at": now,
            },
        )
        if new_id is not None:
            row = session.get(m.Incident, new_id)
            assert row is not None
            write_note(
                session,
                row,
                actor,
                "opened",
                localized(_OPENED, lang).format(title=title),
                {"severity": level},
            )
            session.flush()
            store.audit(
                session,
                "incident.opened",
                actor=actor,
                subject=f"incident:{row.id}",
                details={
                    "kind": kind,
                    "severity": level,
                    "title": title,
                    "account": account,
                    "category": category,
                    "dedupe_key": dedupe_key,
                },
            )
            announce(store, session, row, "incident.opened")
            return row, True
        existing = _find_open(session, dedupe_key)
        if existing is not None:
            _sighting(store, session, existing, level, clean, actor, lang)
            return existing, False
        # The holder of the key was resolved in between: try to open a new one again.
    raise SmguardError(f"could not open or find the incident for {dedupe_key!r}; try again")


def open_incident(
    store: Store,
    *,
    kind: str,
    severity: str | Severity,
    title: str,
    dedupe_key: str,
    evidence: Mapping[str, Any],
    actor: str,
    account: str | None = None,
    category: str | None = None,
) -> tuple[Incident, bool]:
    """Open an incident, or add a sighting to the unresolved one with the same ``dedupe_key``.

    Returns the incident and whether it was newly created.
    """
    with store.session() as session:
        row, created = open_incident_in(
            store,
            session,
            kind=kind,
            severity=severity,
            title=title,
            dedupe_key=dedupe_key,
            evidence=evidence,
            actor=actor,
            account=account,
            category=category,
        )
        return snapshot(session, row), created
