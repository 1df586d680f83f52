"""Approving a held check: the two-person rule, proven with the approver's own TOTP.

Whether a recorded check needs approval, and whether it has one, is the records' business
(:mod:`smguard.records.approvals`). :func:`approve` lets one admin approve a check, and only when
all of these hold:

* the check exists, names its account, was not blocked, and is not approved yet;
* the approver is not the check's author (a check without an author is refused unless
  ``allow_unknown_author = true``);
* the approver is active and holds the ``approver`` role on the account (or on every account);
* the approver passes their own TOTP (or a backup code) — used up by this approval.

An approval writes the publish-ledger entry (``post.published``) and a ``check.approved`` audit
event in the same transaction; a refusal writes ``check.approval_refused``.

:func:`reject` turns a held check down, with a reason, under the same conditions (an approver
other than the author, with their own code); a rejected check can no longer be approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from smguard.records.approvals import Approval, approval_of, needs_approval
from smguard.records.errors import RecordInputError
from smguard.records.ledger import add_publication
from smguard.records.tables import CheckRecord, CheckRejection
from smguard.security.clock import aware
from smguard.security.errors import InventoryError, Refused
from smguard.security.second_factor import committed, prove

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["Rejection", "approve", "reject"]


def _load_check(session: Session, check_id: str) -> CheckRecord:
    # Locked: two approvers (or an approver and a rejecter) of one check, in two processes on
    # one PostgreSQL, take turns, so exactly one of them wins.
    check = session.get(CheckRecord, check_id, with_for_update=True)
    if check is None:
        raise InventoryError(
            f"no recorded check {check_id} (checks are recorded with `smguard check --record`)",
            f"tidak ada pemeriksaan tercatat {check_id} (dicatat dengan `smguard check --record`)",
        )
    return check


def approve(
    store: Store,
    check_id: str,
    *,
    approver: str,
    code: str,
    now: datetime | None = None,
) -> Approval:
    """Approve a held check (see the module doc); raises :class:`Refused` with the reason."""
    now = aware(now)
    check_id = check_id.strip()

    def refuse(s: Session, reason: str, en: str, id_: str) -> Refused:
        store.audit(
            s,
            "check.approval_refused",
            actor=approver,
            subject=f"check:{check_id}",
            details={"reason": reason, "message": en},
        )
        return Refused(en, id_)

    def work(s: Session) -> Approval | Refused:
        check = _load_check(s, check_id)
        account = check.account
        if not account:
            return refuse(
                s,
                "no_account",
                f"check {check_id} does not name its account, so it cannot be approved for one",
                f"pemeriksaan {check_id} tidak menyebut akunnya, jadi tidak dapat disetujui",
            )
        if check.decision == "block":
            return refuse(
                s,
                "blocked",
                f"check {check_id} was blocked: rewrite the post and check it again",
                f"pemeriksaan {check_id} diblokir: tulis ulang unggahan lalu periksa lagi",
            )
        rejected = s.get(CheckRejection, check_id)
        if rejected is not None:
            return refuse(
                s,
                "rejected",
                f"check {check_id} was rejected by {rejected.rejected_by}: {rejected.reason}",
                f"pemeriksaan {check_id} ditolak oleh {rejected.rejected_by}: {rejected.reason}",
            )
        previous = approval_of(s, check_id)
        if previous is not None:
            return refuse(
                s,
                "already_approved",
                f"check {check_id} was already approved by {previous.approved_by}",
                f"pemeriksaan {check_id} sudah disetujui oleh {previous.approved_by}",
            )
        author = (check.author or "").strip()
        if not author and not store.config.account(account).approvals.allow_unknown_author:
            return refuse(
                s,
                "unknown_author",
                f"check {check_id} has no recorded author, so the two-person rule cannot be "
                "shown; record checks with their author",
                f"pemeriksaan {check_id} tidak mencatat penulisnya, jadi aturan dua orang tidak "
                "dapat dibuktikan; catat pemeriksaan beserta penulisnya",
            )
        if author and author.casefold() == approver.strip().casefold():
            return refuse(
                s,
                "own_post",
                f"{approver} wrote this post and cannot approve it: another approver must",
                f"{approver} menulis unggahan ini dan tidak dapat menyetujuinya: perlu approver "
                "lain",
            )
        _admin, proof = prove(
            store,
            s,
            approver,
            code,
            now=now,
            purpose=f"approve:{check_id}",
            account=account,
            roles=("approver",),
        )
        if isinstance(proof, Refused):
            return refuse(s, "second_factor_or_role", proof.texts["en"], proof.texts["id"])
        entry = add_publication(
            store,
            s,
            account=account,
            approved_by=approver,
            fingerprint=check.fingerprint,
            platform=check.platform,
            check_id=check.id,
            approved_at=now,
            actor=approver,
        )
        store.audit(
            s,
            "check.approved",
            actor=approver,
            subject=f"check:{check_id}",
            details={
                "account": account,
                "author": check.author,
                "decision": check.decision,
                "ledger_id": entry.id,
                "method": proof.method,
                "needed": needs_approval(store.config, check),
            },
        )
        return Approval(check_id, account, approver, entry.id, proof.method, now)

    return committed(store, work)


@dataclass(frozen=True)
class Rejection:
    """A held check turned down: by whom, why and when."""

    check_id: str
    rejected_by: str
    reason: str
    rejected_at: datetime


def reject(
    store: Store,
    check_id: str,
    *,
    approver: str,
    code: str,
    reason: str,
    now: datetime | None = None,
) -> Rejection:
    """Reject a held check, with a reason; raises :class:`Refused` with the reason it may not."""
    now = aware(now)
    check_id = check_id.strip()
    reason = (reason or "").strip()
    if not reason:
        raise RecordInputError(
            "say why the post is rejected (a reason is required)",
            "sebutkan alasan unggahan ditolak (alasan wajib diisi)",
        )

    def refuse(s: Session, why: str, en: str, id_: str) -> Refused:
        store.audit(
            s,
            "check.rejection_refused",
            actor=approver,
            subject=f"check:{check_id}",
            details={"reason": why, "message": en},
        )
        return Refused(en, id_)

    def work(s: Session) -> Rejection | Refused:
        check = _load_check(s, check_id)
        if approval_of(s, check_id) is not None:
            return refuse(
                s,
                "already_approved",
                f"check {check_id} was already approved",
                f"pemeriksaan {check_id} sudah disetujui",
            )
        if s.get(CheckRejection, check_id) is not None:
            return refuse(
                s,
                "already_rejected",
                f"check {check_id} was already rejected",
                f"pemeriksaan {check_id} sudah ditolak",
            )
        author = (check.author or "").strip()
        if author and author.casefold() == approver.strip().casefold():
            return refuse(
                s,
                "own_post",
                f"{approver} wrote this post and cannot review it: another approver must",
                f"{approver} menulis unggahan ini dan tidak dapat meninjaunya: perlu approver lain",
            )
        _admin, proof = prove(
            store,
            s,
            approver,
            code,
            now=now,
            purpose=f"reject:{check_id}",
            account=check.account,
            roles=("approver",),
        )
        if isinstance(proof, Refused):
            return refuse(s, "second_factor_or_role", proof.texts["en"], proof.texts["id"])
        s.add(
            CheckRejection(check_id=check_id, rejected_by=approver, reason=reason, rejected_at=now)
        )
        store.audit(
            s,
            "check.rejected",
            actor=approver,
            subject=f"check:{check_id}",
            details={"account": check.account, "author": check.author, "reason": reason},
        )
        return Rejection(check_id, approver, reason, now)

    return committed(store, work)
