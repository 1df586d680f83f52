"""Which recorded checks need a second person, and whether one approved them.

A recorded check (``smguard check --record``) needs approval when the account's approval policy
says so (``[approvals]``, or ``[accounts.NAME.approvals]``; see
:class:`~smguard.config.security.ApprovalPolicy`). An approval is the ledger entry that names the
check and an approval time. Granting one takes an approver's second factor, so it lives with
account security: :func:`smguard.security.approvals.approve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.records.tables import CheckRecord, LedgerEntry

__all__ = ["Approval", "approval_of", "needs_approval"]


@dataclass(frozen=True)
class Approval:
    """A granted approval: which check, on which account, by whom, how and when."""

    check_id: str
    account: str
    approver: str
    ledger_id: int
    method: str
    approved_at: datetime


def needs_approval(config: Any, check: CheckRecord) -> bool:
    """Whether ``check`` needs a second person's approval under ``config``'s policy."""
    policy = config.account(check.account).approvals
    return bool(policy.requires(check.decision, check.findings or []))


def approval_of(session: Session, check_id: str) -> LedgerEntry | None:
    """The ledger entry that approved ``check_id``, if any."""
    return (
        session.execute(
            select(LedgerEntry)
            .where(LedgerEntry.check_id == check_id, LedgerEntry.approved_at.is_not(None))
            .order_by(LedgerEntry.id)
        )
        .scalars()
        .first()
    )
