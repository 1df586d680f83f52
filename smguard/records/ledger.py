"""The publish ledger: what really went out, and the publishing tool's side of it.

A ledger entry is a post that was approved and published, with its fingerprint
(:func:`smguard.guard.fingerprint.fingerprint`), account, platform and approver.
:func:`record_publication` writes one; :func:`is_in_ledger` answers "did we publish this?" — the
account watch compares every live post against the ledger, and a post with no entry is an
unauthorised post. Publishing a post whose recorded check was blocked is recorded all the same
(the ledger must say what went out) and opens an ``unsafe_post_published`` incident.

The tool that actually posts (a scheduler, a CMS, a bot) follows this flow::

    from smguard.records import ledger
    from smguard.records.checks import record_check

    check_id = record_check(store, post, verdict, author="ayu")   # smguard check --record
    decision = ledger.may_publish(store, check_id)
    if not decision.ok:                       # held: wait for `smguard approve CHECK_ID …`
        ...
    # … post it on the platform …
    ledger.record_published(store, check_id=check_id, published_by="scheduler",
                            platform_post_id="1789…", url="https://…")

Approval is :func:`smguard.security.approvals.approve` (the two-person rule with TOTP); it writes
the ledger entry that :func:`record_published` then completes with the platform's id and link.
Without an approval needed, :func:`record_published` writes a new entry. Publishing a check that
needed an approval it never got is still recorded and opens an ``unapproved_publication``
incident, so nobody can skip the second person quietly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.errors import InputError
from smguard.guard.fingerprint import fingerprint as fingerprint_of
from smguard.records.approvals import approval_of, needs_approval
from smguard.records.incidents import open_incident_in
from smguard.records.tables import CheckRecord, LedgerEntry, utcnow
from smguard.types import Severity

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "PublishDecision",
    "add_publication",
    "is_in_ledger",
    "ledger_entries",
    "may_publish",
    "record_publication",
    "record_published",
]


# -- writing and reading the ledger ------------------------------------------------------------


def _fingerprint_arg(text: str | None, fp: str | None, links: Mapping[str, str] | None) -> str:
    if (text is None) == (fp is None):
        raise InputError("give either the post's text or its fingerprint")
    if fp is not None:
        if not re.fullmatch(r"[0-9a-f]{64}", fp):
            raise InputError("a fingerprint is 64 hexadecimal characters (SHA-256)")
        return fp
    assert text is not None
    return fingerprint_of(text, links)


def add_publication(
    store: Store,
    session: Session,
    *,
    account: str,
    approved_by: str,
    text: str | None = None,
    fingerprint: str | None = None,
    platform: str | None = None,
    check_id: str | None = None,
    platform_post_id: str | None = None,
    url: str | None = None,
    published_at: datetime | None = None,
    approved_at: datetime | None = None,
    links: Mapping[str, str] | None = None,
    actor: str | None = None,
) -> LedgerEntry:
    """:func:`record_publication` inside an open transaction (used by clarifications)."""
    if not account or not account.strip():
        raise InputError("a ledger entry needs the account the post went out on")
    if not approved_by or not approved_by.strip():
        raise InputError("a ledger entry needs the name of whoever approved the post")
    fp = _fingerprint_arg(text, fingerprint, links)
    for name, when in (("published_at", published_at), ("approved_at", approved_at)):
        if when is not None and when.tzinfo is None:
            raise InputError(f"{name} needs a time zone, e.g. 2026-06-01T07:00:00+07:00")
    check: CheckRecord | None = None
    if check_id is not None:
        check = session.get(CheckRecord, check_id)
        if check is None:
            raise InputError(f"no recorded check {check_id}")
    entry = LedgerEntry(
        account=account.strip(),
        platform=platform,
        fingerprint=fp,
        check_id=check_id,
        approved_by=approved_by.strip(),
        approved_at=approved_at,
        published_at=published_at or utcnow(),
        platform_post_id=platform_post_id,
        url=url,
    )
    session.add(entry)
    session.flush()
    store.audit(
        session,
        "post.published",
        actor=actor or approved_by.strip(),
        subject=f"ledger:{entry.id}",
        details={
            "account": entry.account,
            "platform": platform,
            "fingerprint": fp,
            "check_id": check_id,
            "check_decision": check.decision if check else None,
            "platform_post_id": platform_post_id,
            "url": url,
            "approved_by": entry.approved_by,
            "published_at": entry.published_at.astimezone(UTC).isoformat(),
        },
    )
    if check is not None and check.decision == "block":
        _published_anyway(store, session, entry, check)
    return entry


def _published_anyway(
    store: Store, session: Session, entry: LedgerEntry, check: CheckRecord
) -> None:
    """A post the guard blocked went out all the same: that is an incident of its own."""
    worst = max(
        check.findings, key=lambda f: Severity.parse(f.get("severity", "high")), default=None
    )
    lang = store.config.guard.ui_language
    title = {
        "en": f"A post the guard blocked was published on {entry.account}",
        "id": f"Unggahan yang diblokir guard tetap terbit di {entry.account}",
    }[lang]
    open_incident_in(
        store,
        session,
        kind="unsafe_post_published",
        severity="high",
        title=title,
        account=entry.account,
        category=worst.get("category") if worst else None,
        dedupe_key=f"unsafe_post_published:{entry.account}:{entry.fingerprint}",
        evidence={
            "ledger_id": entry.id,
            "check_id": check.id,
            "fingerprint": entry.fingerprint,
            "platform": entry.platform,
            "platform_post_id": entry.platform_post_id,
            "url": entry.url,
            "approved_by": entry.approved_by,
            "rules": [f.get("rule") for f in check.findings],
        },
        actor=entry.approved_by or "smguard",
    )


def record_publication(
    store: Store,
    *,
    account: str,
    approved_by: str,
    text: str | None = None,
    fingerprint: str | None = None,
    platform: str | None = None,
    check_id: str | None = None,
    platform_post_id: str | None = None,
    url: str | None = None,
    published_at: datetime | None = None,
    approved_at: datetime | None = None,
    links: Mapping[str, str] | None = None,
) -> int:
    """Write a ledger entry for a published post (give its ``text`` or ``fingerprint``).

    Appends ``post.published`` to the audit log. Publishing a post whose recorded check was
    blocked opens an ``unsafe_post_published`` incident. Returns the ledger entry's id.
    """
    with store.session() as session:
        entry = add_publication(
            store,
            session,
            account=account,
            approved_by=approved_by,
            text=text,
            fingerprint=fingerprint,
            platform=platform,
            check_id=check_id,
            platform_post_id=platform_post_id,
            url=url,
            published_at=published_at,
            approved_at=approved_at,
            links=links,
        )
        return entry.id


def ledger_entries(
    store: Store, account: str, text: str, links: Mapping[str, str] | None = None
) -> Sequence[LedgerEntry]:
    """Ledger entries of ``account`` whose fingerprint matches ``text`` (oldest first)."""
    fp = fingerprint_of(text, links)
    with store.session() as session:
        rows = session.execute(
            select(LedgerEntry)
            .where(LedgerEntry.account == account, LedgerEntry.fingerprint == fp)
            .order_by(LedgerEntry.id)
        ).scalars()
        return list(rows)


def is_in_ledger(
    store: Store, account: str, text: str, links: Mapping[str, str] | None = None
) -> bool:
    """Whether a post with this text was recorded as published on ``account``."""
    return bool(ledger_entries(store, account, text, links))


# -- the publishing tool's side ----------------------------------------------------------------


@dataclass(frozen=True)
class PublishDecision:
    """Whether a checked post may go out now, and why (with the approver when approved)."""

    ok: bool
    #: "allowed", "approved", "needs_approval" or "blocked".
    reason: str
    approved_by: str | None = None


def _check(store: Store, check_id: str) -> CheckRecord:
    with store.session() as s:
        check = s.get(CheckRecord, check_id)
    if check is None:
        raise InputError(f"no recorded check {check_id}")
    return check


def may_publish(store: Store, check_id: str) -> PublishDecision:
    """Whether the post of a recorded check may go out now."""
    check = _check(store, check_id)
    if check.decision == "block":
        return PublishDecision(False, "blocked")
    with store.session() as s:
        entry = approval_of(s, check_id)
    if entry is not None:
        return PublishDecision(True, "approved", entry.approved_by)
    if needs_approval(store.config, check):
        return PublishDecision(False, "needs_approval")
    return PublishDecision(True, "allowed")


def record_published(
    store: Store,
    *,
    published_by: str,
    check_id: str | None = None,
    account: str | None = None,
    text: str | None = None,
    fingerprint: str | None = None,
    platform: str | None = None,
    platform_post_id: str | None = None,
    url: str | None = None,
    published_at: datetime | None = None,
    links: Mapping[str, str] | None = None,
) -> int:
    """Record what was finally published; returns the ledger entry's id.

    With ``check_id`` the account, platform and fingerprint come from the check (``text``, when
    given, must match it — a post edited after its check was not what was checked).
    """
    when = published_at or datetime.now(UTC)
    if when.tzinfo is None:
        raise InputError("published_at needs a time zone, e.g. 2026-06-01T07:00:00+07:00")
    if check_id is None:
        if not account:
            raise InputError("record_published needs a check_id or an account")
        with store.session() as s:
            entry = add_publication(
                store,
                s,
                account=account,
                approved_by=published_by,
                text=text,
                fingerprint=fingerprint,
                platform=platform,
                platform_post_id=platform_post_id,
                url=url,
                published_at=when,
                links=links,
                actor=published_by,
            )
            return entry.id

    with store.session() as s:
        check = s.get(CheckRecord, check_id, with_for_update=True)
        if check is None:
            raise InputError(f"no recorded check {check_id}")
        if text is not None and fingerprint_of(text, links) != check.fingerprint:
            raise InputError(
                f"the published text is not the text of check {check_id}: check the new text "
                "first (smguard check --record)"
            )
        if fingerprint is not None and fingerprint != check.fingerprint:
            raise InputError(f"the fingerprint is not that of check {check_id}")
        target = account or check.account
        if not target:
            raise InputError(f"check {check_id} names no account: pass account=")
        approved = approval_of(s, check_id)
        if approved is not None and approved.platform_post_id is None and not approved.url:
            approved.platform_post_id = platform_post_id
            approved.url = url
            approved.published_at = when
            if platform:
                approved.platform = platform
            store.audit(
                s,
                "post.publication_confirmed",
                actor=published_by,
                subject=f"ledger:{approved.id}",
                details={
                    "check_id": check_id,
                    "platform_post_id": platform_post_id,
                    "url": url,
                    "published_at": when.astimezone(UTC).isoformat(),
                },
            )
            return approved.id
        unapproved = approved is None and needs_approval(store.config, check)
        entry = add_publication(
            store,
            s,
            account=target,
            approved_by=approved.approved_by or published_by if approved else "smguard",
            fingerprint=check.fingerprint,
            platform=platform or check.platform,
            check_id=check_id,
            platform_post_id=platform_post_id,
            url=url,
            published_at=when,
            actor=published_by,
        )
        if unapproved:
            lang = store.config.guard.ui_language
            title = {
                "en": f"A post that needed approval was published without it on {target}",
                "id": f"Unggahan yang perlu persetujuan terbit tanpa persetujuan di {target}",
            }
            open_incident_in(
                store,
                s,
                kind="unapproved_publication",
                severity="high",
                title=title.get(lang, title["en"]),
                account=target,
                category=None,
                dedupe_key=f"unapproved_publication:{target}:{check.fingerprint}",
                evidence={
                    "check_id": check_id,
                    "ledger_id": entry.id,
                    "decision": check.decision,
                    "author": check.author,
                    "published_by": published_by,
                    "platform_post_id": platform_post_id,
                    "url": url,
                },
                actor=published_by,
            )
        return entry.id
