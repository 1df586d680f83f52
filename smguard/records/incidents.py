"""Incidents: something went wrong on an account, and the team works it to the end.

Lifecycle::

    open ──ack──▶ acknowledged ──resolve──▶ resolved
      └───────────────resolve────────────────┘

Each step records who and when, appends a note to the incident's timeline (``opened``,
``sighting``, ``note``, ``acknowledged``, ``resolved``, ``clarification``) and an audit event
(``incident.opened`` / ``.sighting`` / ``.noted`` / ``.acknowledged`` / ``.resolved``) in the same
transaction. Anything else — acknowledging twice, resolving a resolved incident — is refused with
a message that says what the incident's state is.

**Dedupe.** An incident carries a ``dedupe_key`` that names its cause (``blocked_post:acct:<fp>``,
``login:acct:<ip>``). Opening an incident whose key belongs to an open or acknowledged incident
adds a *sighting* to that one instead (and raises its severity if the new sighting is worse); a
key whose incident is resolved starts a new incident. The database enforces it — a partial unique
index over unresolved incidents (migration 0002) — so two processes seeing the same cause at the
same moment end with one incident and two sightings.

**Alerts.** Opening an incident, and a sighting that raises its severity, queue alerts through
:func:`smguard.alerting.enqueue_incident_alerts` in the same transaction (the outbox).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from smguard.errors import InputError, SmguardError
from smguard.records import tables as m
from smguard.records.upsert import insert_for
from smguard.types import Severity, localized

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "KINDS",
    "STATUSES",
    "Incident",
    "IncidentNotFound",
    "InvalidTransition",
    "Note",
    "RecordError",
    "RecordInputError",
    "acknowledge",
    "add_note",
    "get",
    "kind_description",
    "list_incidents",
    "lock_for_write",
    "open_incident",
    "open_incident_in",
    "require_actor",
    "resolve",
]

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
STATUSES: tuple[str, ...] = (OPEN, ACKNOWLEDGED, RESOLVED)

#: Built-in incident kinds: default severity and what each means, for people.
KINDS: dict[str, tuple[str, dict[str, str]]] = {
    "blocked_post": ("medium", {
        "en": "the guard stopped a post before it went out",
        "id": "guard menahan unggahan sebelum terbit",
    }),
    "unsafe_post_published": ("high", {
        "en": "a post that breaks the rules was published",
        "id": "unggahan yang melanggar aturan telah terbit",
    }),
    "unauthorized_post": ("critical", {
        "en": "a post appeared that nobody approved (possible account takeover)",
        "id": "muncul unggahan yang tidak pernah disetujui (kemungkinan akun diambil alih)",
    }),
    "suspicious_login": ("high", {
        "en": "a login from an unusual device, place or time",
        "id": "login dari perangkat, lokasi, atau waktu yang tidak biasa",
    }),
    "account_change": ("high", {
        "en": "the account's profile, recovery settings, apps or admins changed",
        "id": "profil, pengaturan pemulihan, aplikasi, atau admin akun berubah",
    }),
    "twofa_hygiene": ("medium", {
        "en": "two-factor authentication is missing or weak",
        "id": "verifikasi dua langkah belum aktif atau lemah",
    }),
    "engine_failure": ("medium", {
        "en": "a check engine failed, so posts were not fully checked",
        "id": "mesin pemeriksa gagal, jadi unggahan tidak diperiksa penuh",
    }),
    "alert_delivery_failure": ("high", {
        "en": "alerts could not be delivered",
        "id": "peringatan tidak dapat dikirim",
    }),
    "activity_burst": ("medium", {
        "en": "an unusual burst of posts, follows or logins in a short time",
        "id": "lonjakan unggahan, follow, atau login yang tidak biasa dalam waktu singkat",
    }),
    "unapproved_publication": ("high", {
        "en": "a post that needed approval was published without it",
        "id": "unggahan yang wajib disetujui terbit tanpa persetujuan",
    }),
}  # fmt: skip

_KIND_RE = re.compile(r"[a-z][a-z0-9_]{1,49}")
_MAX_KEY = 300


def kind_description(kind: str, lang: str = "en") -> str:
    """What an incident kind means, for people (empty for a kind a plugin made up)."""
    return localized(KINDS[kind][1], lang) if kind in KINDS else ""


# -- errors ------------------------------------------------------------------------------------


class RecordError(SmguardError):
    """A refused change to a record, with its message in English and Indonesian."""

    def __init__(self, en: str, id: str) -> None:
        self.texts = {"en": en, "id": id}
        super().__init__(en)

    def text(self, lang: str) -> str:
        return localized(self.texts, lang)


class RecordInputError(RecordError, InputError):
    """Something a person must supply is missing (a name, a reason, a note's text)."""


class IncidentNotFound(RecordError):
    def __init__(self, incident_id: int) -> None:
        self.incident_id = incident_id
        super().__init__(
            f"no incident #{incident_id} (see `smguard incidents list`)",
            f"insiden #{incident_id} tidak ada (lihat `smguard incidents list`)",
        )


class InvalidTransition(RecordError):
    """The incident's status does not allow this step."""


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """One entry of an incident's timeline."""

    id: int
    at: datetime
    actor: str
    kind: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "kind": self.kind,
            "text": self.text,
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class Incident:
    """An incident as callers see it (a snapshot; the stored row is ``smguard.records.tables``')."""

    id: int
    kind: str
    severity: str
    status: str
    title: str
    account: str | None
    category: str | None
    dedupe_key: str
    evidence: Mapping[str, Any]
    sightings: int
    created_at: datetime
    last_seen_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    notes: tuple[Note, ...] = ()

    @classmethod
    def from_row(cls, row: m.Incident) -> Incident:
        return cls(
            id=row.id,
            kind=row.kind,
            severity=row.severity,
            status=row.status,
            title=row.title,
            account=row.account,
            category=row.category,
            dedupe_key=row.dedupe_key,
            evidence=dict(row.evidence or {}),
            sightings=row.sightings,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            acknowledged_by=row.acknowledged_by,
            acknowledged_at=row.acknowledged_at,
            resolved_by=row.resolved_by,
            resolved_at=row.resolved_at,
            resolution=row.resolution,
            notes=tuple(
                Note(n.id, n.at, n.actor, n.kind, n.text, dict(n.data or {})) for n in row.notes
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times in ISO 8601 (UTC), the timeline as ``notes``."""

        def iso(when: datetime | None) -> str | None:
            return when.isoformat() if when else None

        return {
            "id": self.id,
            "kind": self.kind,
            "severity": self.severity,
            "status": self.status,
            "title": self.title,
            "account": self.account,
            "category": self.category,
            "dedupe_key": self.dedupe_key,
            "sightings": self.sightings,
            "created_at": iso(self.created_at),
            "last_seen_at": iso(self.last_seen_at),
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": iso(self.acknowledged_at),
            "resolved_by": self.resolved_by,
            "resolved_at": iso(self.resolved_at),
            "resolution": self.resolution,
            "evidence": dict(self.evidence),
            "notes": [n.to_dict() for n in self.notes],
        }


# -- helpers -----------------------------------------------------------------------------------


def require_actor(actor: str | None) -> str:
    """The acting person's or tool's name, trimmed; refused when empty."""
    if actor is None or not actor.strip():
        raise RecordInputError(
            "say who is doing this (a person's or tool's name, e.g. --as budi)",
            "sebutkan siapa yang melakukan ini (nama orang atau alat, misalnya --as budi)",
        )
    return actor.strip()[:200]


def _severity(value: str | Severity) -> str:
    try:
        return Severity.parse(value).label
    except ValueError as exc:
        raise InputError(f"incident severity: {exc}") from None


def _json(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(f"{what} must be a mapping (JSON object)")
    clean: dict[str, Any] = json.loads(json.dumps(dict(value), default=str))
    return clean


def lock_for_write(session: Session) -> None:
    """SQLite: take the write lock before reading, so that two writers queue up (busy timeout)
    instead of one failing on a stale read snapshot. PostgreSQL locks rows instead."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE incidents SET id = id WHERE 1 = 0"))


def _note(
    session: Session,
    row: m.Incident,
    actor: str,
    kind: str,
    text_: str,
    data: Mapping[str, Any] | None = None,
) -> None:
    session.add(
        m.IncidentNote(
            incident_id=row.id,
            at=m.utcnow(),
            actor=actor,
            kind=kind,
            text=text_,
            data=_json(data or {}, "note data"),
        )
    )


def _alert(store: Store, session: Session, row: m.Incident, event: str) -> None:
    from smguard.alerting import enqueue_incident_alerts

    enqueue_incident_alerts(store, session, row, event)


def _load(session: Session, incident_id: int, *, lock: bool = False) -> m.Incident:
    query = select(m.Incident).where(m.Incident.id == incident_id)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise IncidentNotFound(incident_id)
    return row


def _snapshot(session: Session, row: m.Incident) -> Incident:
    session.flush()
    session.refresh(row, ["notes"])
    return Incident.from_row(row)


# -- opening and sightings ---------------------------------------------------------------------


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
    _note(session, row, actor, "sighting", text_, data)
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
    if escalated:
        # A suffix per level, so that each escalation is its own alert (not deduped away).
        _alert(store, session, row, f"incident.escalated:{row.severity}")


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
    level = _severity(severity)
    actor = require_actor(actor)
    if not dedupe_key or len(dedupe_key) > _MAX_KEY:
        raise InputError(f"an incident needs a dedupe key of 1 to {_MAX_KEY} characters")
    title = (title or "").strip() or kind
    clean = _json(evidence, "incident evidence")
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
            _note(
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
            _alert(store, session, row, "incident.opened")
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
        return _snapshot(session, row), created


# -- working an incident -----------------------------------------------------------------------


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
        row = _load(session, incident_id, lock=True)
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
        _note(session, row, actor, "acknowledged", (note or "").strip() or localized(default, lang))
        session.flush()
        store.audit(
            session,
            "incident.acknowledged",
            actor=actor,
            subject=f"incident:{row.id}",
            details={"note": note},
        )
        return _snapshot(session, row)


def add_note(store: Store, incident_id: int, text_: str, *, actor: str) -> Incident:
    """Add a note to the timeline (any status: a resolved incident still takes a post-mortem)."""
    actor = require_actor(actor)
    if not text_ or not text_.strip():
        raise RecordInputError("a note needs some text", "catatan perlu berisi teks")
    with store.session() as session:
        lock_for_write(session)
        row = _load(session, incident_id, lock=True)
        _note(session, row, actor, "note", text_.strip())
        session.flush()
        store.audit(
            session,
            "incident.noted",
            actor=actor,
            subject=f"incident:{row.id}",
            details={"text": text_.strip()},
        )
        return _snapshot(session, row)


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
        row = _load(session, incident_id, lock=True)
        _refuse_if_resolved(store, row, "resolved again", "diselesaikan lagi")
        previous = row.status
        row.status = RESOLVED
        row.resolved_by = actor
        row.resolved_at = m.utcnow()
        row.resolution = reason.strip()
        _note(session, row, actor, "resolved", reason.strip(), {"from": previous})
        session.flush()
        store.audit(
            session,
            "incident.resolved",
            actor=actor,
            subject=f"incident:{row.id}",
            details={"reason": reason.strip(), "from": previous},
        )
        return _snapshot(session, row)


def get(store: Store, incident_id: int) -> Incident:
    """One incident with its whole timeline."""
    with store.session() as session:
        row = session.execute(
            select(m.Incident)
            .where(m.Incident.id == incident_id)
            .options(selectinload(m.Incident.notes))
        ).scalar_one_or_none()
        if row is None:
            raise IncidentNotFound(incident_id)
        return Incident.from_row(row)


def list_incidents(
    store: Store,
    *,
    status: str | Iterable[str] | None = None,
    severity: str | Severity | None = None,
    account: str | None = None,
    since: datetime | None = None,
    kind: str | Iterable[str] | None = None,
    category: str | None = None,
    limit: int | None = None,
) -> list[Incident]:
    """Incidents, newest first. ``severity`` means *at least* that severity; ``since`` compares
    with the last sighting, so an old incident seen again today is listed."""
    query = select(m.Incident).options(selectinload(m.Incident.notes))
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        unknown = sorted(set(wanted) - set(STATUSES))
        if unknown:
            raise InputError(f"unknown status {unknown[0]!r} (one of {', '.join(STATUSES)})")
        query = query.where(m.Incident.status.in_(wanted))
    if severity is not None:
        floor = Severity.parse(_severity(severity))
        query = query.where(m.Incident.severity.in_([s.label for s in Severity if s >= floor]))
    if account is not None:
        query = query.where(m.Incident.account == account)
    if since is not None:
        if since.tzinfo is None:
            raise InputError("'since' needs a time zone")
        query = query.where(m.Incident.last_seen_at >= since)
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        query = query.where(m.Incident.kind.in_(kinds))
    if category is not None:
        query = query.where(m.Incident.category == category)
    query = query.order_by(m.Incident.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with store.session() as session:
        return [Incident.from_row(row) for row in session.execute(query).scalars()]
