"""The steps of a clarification, each an audit event (``clarification.drafted`` / ``.edited`` /
``.approved`` / ``.published``)::

    draft ──edit*──▶ approve (a named admin) ──▶ publish (platform, URL or post id, time)

Every version is run through the guard and its verdict is kept; approval is refused while the
latest version's decision is not ``allow``; publishing writes a ledger entry for the post, so
that the account watch recognises it as ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from smguard.errors import InputError
from smguard.records import tables as m
from smguard.records.checks import verdict_record
from smguard.records.clarify.listing import get_clarification
from smguard.records.clarify.model import (
    APPROVED,
    DRAFT,
    PUBLISHED,
    Clarification,
    load,
    snapshot,
)
from smguard.records.clarify.templates import render_draft
from smguard.records.errors import ClarificationError
from smguard.records.incidents import get as get_incident
from smguard.records.incidents import lock_for_write, require_actor
from smguard.records.ledger import add_publication
from smguard.types import Post, localized

if TYPE_CHECKING:
    from smguard.guard.engine import Guard
    from smguard.records.store import Store

__all__ = ["approve", "draft", "edit", "publish"]


def _check(store: Store, guard: Guard | None, text: str, lang: str, account: str | None) -> Any:
    """Run a version through the guard (outside any transaction: models can be slow)."""
    if guard is None:
        from smguard.guard.engine import Guard

        guard = Guard(store.config, store.pm)
    return guard.check(Post(text=text, kind="post", language=lang, account=account))


def _add_version(
    session: Session, row: m.Clarification, text: str, author: str, verdict: Any
) -> m.ClarificationVersion:
    number = max((v.version for v in row.versions), default=0) + 1
    version = m.ClarificationVersion(
        version=number,
        text=text,
        author=author,
        created_at=m.utcnow(),
        decision=verdict.decision,
        verdict=verdict_record(verdict),
    )
    row.versions.append(version)
    return version


def _incident_note(
    session: Session, incident_id: int, actor: str, text: str, data: Mapping[str, Any]
) -> None:
    session.add(
        m.IncidentNote(
            incident_id=incident_id,
            at=m.utcnow(),
            actor=actor,
            kind="clarification",
            text=text,
            data=dict(data),
        )
    )


def draft(
    store: Store,
    incident_id: int,
    *,
    actor: str,
    lang: str | None = None,
    guard: Guard | None = None,
) -> Clarification:
    """Start a clarification for an incident from its template; version 1 is checked at once."""
    actor = require_actor(actor)
    settings_lang = store.config.guard.ui_language
    incident = get_incident(store, incident_id)
    language = lang or store.config.account(incident.account).language or settings_lang
    text = render_draft(store.config, incident, language)
    verdict = _check(store, guard, text, language, incident.account)
    with store.session() as session:
        lock_for_write(session)
        row = m.Clarification(
            incident_id=incident_id,
            language=language,
            status=DRAFT,
            created_at=m.utcnow(),
            created_by=actor,
        )
        session.add(row)
        version = _add_version(session, row, text, actor, verdict)
        session.flush()
        _incident_note(
            session,
            incident_id,
            actor,
            localized(
                {
                    "en": f"Clarification #{row.id} drafted ({language})",
                    "id": f"Draf klarifikasi #{row.id} dibuat ({language})",
                },
                settings_lang,
            ),
            {"clarification_id": row.id},
        )
        session.flush()
        store.audit(
            session,
            "clarification.drafted",
            actor=actor,
            subject=f"clarification:{row.id}",
            details={
                "incident_id": incident_id,
                "language": language,
                "version": version.version,
                "decision": version.decision,
                "template": f"{language}/{incident.kind}",
            },
        )
        return snapshot(session, row)


def edit(
    store: Store,
    clarification_id: int,
    text: str,
    *,
    actor: str,
    guard: Guard | None = None,
) -> Clarification:
    """Store a new version (checked by the guard); an approval of an earlier one is withdrawn."""
    actor = require_actor(actor)
    text = text.strip()
    if not text:
        raise ClarificationError("the new text is empty", "teks barunya kosong")
    current = get_clarification(store, clarification_id)
    with store.session() as session:
        incident = session.get(m.Incident, current.incident_id)
        account = incident.account if incident else None
    verdict = _check(store, guard, text, current.language, account)
    with store.session() as session:
        lock_for_write(session)
        row = load(session, clarification_id)
        if row.status == PUBLISHED:
            raise ClarificationError(
                f"clarification #{row.id} is already published and cannot change; "
                f"draft a new one with `smguard clarify draft {row.incident_id}`",
                f"klarifikasi #{row.id} sudah terbit dan tidak bisa diubah; buat draf baru "
                f"dengan `smguard clarify draft {row.incident_id}`",
            )
        if row.versions and row.versions[-1].text == text:
            raise ClarificationError(
                f"the text is the same as version {row.versions[-1].version}; nothing to save",
                f"teksnya sama dengan versi {row.versions[-1].version}; tidak ada yang disimpan",
            )
        withdrawn = row.approved_by if row.status == APPROVED else None
        version = _add_version(session, row, text, actor, verdict)
        row.status = DRAFT
        row.approved_by = None
        row.approved_at = None
        session.flush()
        store.audit(
            session,
            "clarification.edited",
            actor=actor,
            subject=f"clarification:{row.id}",
            details={
                "incident_id": row.incident_id,
                "version": version.version,
                "decision": version.decision,
                "approval_withdrawn_from": withdrawn,
            },
        )
        return snapshot(session, row)


def _findings_line(verdict: Mapping[str, Any], lang: str) -> str:
    parts = []
    for f in verdict.get("findings", []):
        message = localized(f.get("message") or {}, lang)
        parts.append(f"{f.get('rule')} [{f.get('category')}] {message}".strip())
    return "; ".join(parts)


def approve(store: Store, clarification_id: int, *, actor: str) -> Clarification:
    """A named admin approves the latest version; refused unless the guard allowed it."""
    actor = require_actor(actor)
    with store.session() as session:
        lock_for_write(session)
        row = load(session, clarification_id)
        if row.status != DRAFT:
            state = {
                APPROVED: ("already approved by", "sudah disetujui oleh"),
                PUBLISHED: ("already published; approved by", "sudah terbit; disetujui oleh"),
            }
            en, id_ = state[row.status]
            raise ClarificationError(
                f"clarification #{row.id} is {en} {row.approved_by}",
                f"klarifikasi #{row.id} {id_} {row.approved_by}",
            )
        latest = row.versions[-1]
        if latest.decision != "allow":
            decision = {"block": ("blocked", "diblokir"), "review": ("held for review", "ditahan")}
            en, id_ = decision.get(latest.decision, (latest.decision, latest.decision))
            raise ClarificationError(
                f"clarification #{row.id} cannot be approved: the guard {en} version "
                f"{latest.version} ({_findings_line(latest.verdict, 'en')}); fix it with "
                f"`smguard clarify edit {row.id}`",
                f"klarifikasi #{row.id} tidak bisa disetujui: versi {latest.version} {id_} oleh "
                f"guard ({_findings_line(latest.verdict, 'id')}); perbaiki dengan "
                f"`smguard clarify edit {row.id}`",
            )
        row.status = APPROVED
        row.approved_by = actor
        row.approved_at = m.utcnow()
        session.flush()
        store.audit(
            session,
            "clarification.approved",
            actor=actor,
            subject=f"clarification:{row.id}",
            details={"incident_id": row.incident_id, "version": latest.version},
        )
        return snapshot(session, row)


def publish(
    store: Store,
    clarification_id: int,
    *,
    platform: str,
    ref: str,
    actor: str,
    at: datetime | None = None,
    account: str | None = None,
) -> Clarification:
    """Record that the approved clarification went out (``ref``: its URL or post id) and add it
    to the publish ledger of the incident's account (or ``account``)."""
    actor = require_actor(actor)
    platform, ref = (platform or "").strip(), (ref or "").strip()
    if not platform or not ref:
        raise ClarificationError(
            "say where it was published: --platform and --ref (URL or post id)",
            "sebutkan di mana klarifikasi terbit: --platform dan --ref (URL atau id unggahan)",
        )
    if at is not None and at.tzinfo is None:
        raise InputError("the publication time needs a time zone, e.g. 2026-06-01T07:00:00+07:00")
    with store.session() as session:
        lock_for_write(session)
        row = load(session, clarification_id)
        if row.status != APPROVED:
            raise ClarificationError(
                f"clarification #{row.id} is {row.status}; only an approved clarification can "
                f"be published (`smguard clarify approve {row.id} --as NAME`)",
                f"klarifikasi #{row.id} berstatus {row.status}; hanya klarifikasi yang disetujui "
                f"yang bisa diterbitkan (`smguard clarify approve {row.id} --as NAMA`)",
            )
        incident = session.get(m.Incident, row.incident_id)
        target = account or (incident.account if incident else None)
        if not target:
            raise ClarificationError(
                f"incident #{row.incident_id} names no account: say which with --account",
                f"insiden #{row.incident_id} tidak menyebut akun: sebutkan dengan --account",
            )
        when = at or m.utcnow()
        is_url = ref.lower().startswith(("http://", "https://"))
        latest = row.versions[-1]
        entry = add_publication(
            store,
            session,
            account=target,
            approved_by=row.approved_by or actor,
            approved_at=row.approved_at,
            text=latest.text,
            platform=platform,
            platform_post_id=None if is_url else ref,
            url=ref if is_url else None,
            published_at=when,
            actor=actor,
        )
        row.status = PUBLISHED
        row.published_platform = platform
        row.published_ref = ref
        row.published_at = when
        _incident_note(
            session,
            row.incident_id,
            actor,
            localized(
                {
                    "en": f"Clarification #{row.id} published on {platform}: {ref}",
                    "id": f"Klarifikasi #{row.id} terbit di {platform}: {ref}",
                },
                store.config.guard.ui_language,
            ),
            {"clarification_id": row.id, "ledger_id": entry.id},
        )
        session.flush()
        store.audit(
            session,
            "clarification.published",
            actor=actor,
            subject=f"clarification:{row.id}",
            details={
                "incident_id": row.incident_id,
                "version": latest.version,
                "platform": platform,
                "ref": ref,
                "account": target,
                "published_at": when.isoformat(),
                "ledger_id": entry.id,
            },
        )
        return snapshot(session, row)
