"""The publishing side, for the tool that actually posts (a scheduler, a CMS, a bot).

The flow::

    from smguard.records.checks import record_check
    from smguard.records import publish

    check_id = record_check(store, post, verdict, author="ayu")   # smguard check --record
    decision = publish.may_publish(store, check_id)
    if not decision.ok:                       # held: wait for `smguard approve CHECK_ID …`
        ...
    # … post it on the platform …
    publish.record_published(store, check_id=check_id, published_by="scheduler",
                             platform_post_id="1789…", url="https://…")

:func:`approve` is :func:`smguard.security.approvals.approve` (the two-person rule with TOTP).
:func:`record_published` completes the approval's ledger entry with the platform's id and link,
or writes a new ledger entry when no approval was needed. Publishing a check that needed an
approval it never got is still recorded — the ledger must say what went out — and opens an
``unapproved_publication`` incident, so nobody can skip the second person quietly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from smguard.errors import InputError
from smguard.records.tables import CheckRecord
from smguard.security.approvals import Approval, approval_of, approve, needs_approval

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["Approval", "PublishDecision", "approve", "may_publish", "record_published"]


@dataclass(frozen=True)
class PublishDecision:
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
    from smguard.records.checks import add_publication
    from smguard.records.checks import fingerprint as fingerprint_of
    from smguard.records.incidents import open_incident_in

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
