"""Departures: what a leaving admin could still reach, revoking it, and undoing a departure.

**Departure is sticky.** ``status = "departed"`` in ``smguard.toml`` departs the admin at the next
sync; an admin departed with ``smguard admins depart`` stays departed even while the file still
lists them as active — only ``smguard admins reactivate`` (audited) brings them back. A departed
admin is refused everything (approvals, vault codes, enrolment) whatever roles the database holds,
and ``smguard audit 2fa`` reports roles the file still gives them as critical.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smguard.config.security import GLOBAL
from smguard.records.tables import (
    SecAccount,
    SecAdmin,
    SecAdminTotp,
    SecBackupCode,
    SecRole,
    SecVaultSeed,
)
from smguard.security.backup_codes import unused_backup_codes
from smguard.security.clock import aware
from smguard.security.errors import InventoryError
from smguard.security.inventory import admin_row, config_roles, roles_of

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["Departure", "depart", "depart_in", "reach", "reactivate"]


@dataclass(frozen=True)
class Departure:
    """Everything a departing admin could still reach, and what smguard revoked."""

    admin: str
    #: (account, role) pairs they held; ``*`` is every account.
    roles: Sequence[tuple[str, str]] = ()
    #: Accounts whose platform login codes they could get from the vault.
    vault_accounts: Sequence[str] = ()
    #: Vault seeds they added themselves: they have seen the seed, so rotate it on the platform.
    seeds_seen: Sequence[str] = ()
    #: (account, "email" | "phone") where the platform's recovery contact is theirs.
    recovery: Sequence[tuple[str, str]] = ()
    #: Roles smguard.toml still gives them (they come back at the next sync, inert but reported).
    config_roles: Sequence[tuple[str, str]] = ()
    had_totp: bool = False
    backup_codes_left: int = 0
    #: The admin had departed before: this run revoked whatever had come back.
    again: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "admin": self.admin,
            "roles": [list(r) for r in self.roles],
            "vault_accounts": list(self.vault_accounts),
            "seeds_seen": list(self.seeds_seen),
            "recovery": [list(r) for r in self.recovery],
            "config_roles": [list(r) for r in self.config_roles],
            "had_totp": self.had_totp,
            "backup_codes_left": self.backup_codes_left,
            "again": self.again,
        }


def reach(session: Session, admin: SecAdmin, vault_roles: Iterable[str]) -> Departure:
    """What ``admin`` can reach now (used by ``depart`` before revoking, and by the audit)."""
    roles = [(r.account, r.role) for r in roles_of(session, admin)]
    vault_roles = set(vault_roles)
    seeded = list(
        session.execute(
            select(SecAccount.name, SecVaultSeed.added_by).join(
                SecVaultSeed, SecVaultSeed.account_id == SecAccount.id
            )
        )
    )
    everywhere = any(a == GLOBAL and r in vault_roles for a, r in roles)
    mine = {a for a, r in roles if r in vault_roles}
    vault_accounts = sorted(name for name, _ in seeded if everywhere or name in mine)
    seeds_seen = sorted(name for name, by in seeded if by == admin.name)
    recovery: list[tuple[str, str]] = []
    for acc in session.execute(select(SecAccount).order_by(SecAccount.name)).scalars():
        if admin.email and acc.recovery_email and acc.recovery_email == admin.email:
            recovery.append((acc.name, "email"))
        if admin.phone and acc.recovery_phone and acc.recovery_phone == admin.phone:
            recovery.append((acc.name, "phone"))
    totp = session.get(SecAdminTotp, admin.id)
    return Departure(
        admin=admin.name,
        roles=roles,
        vault_accounts=vault_accounts,
        seeds_seen=seeds_seen,
        recovery=recovery,
        had_totp=bool(totp and (totp.seed_ciphertext or totp.pending_ciphertext)),
        backup_codes_left=unused_backup_codes(session, admin.id).get(admin.id, 0),
    )


def depart_in(
    session: Session, admin: SecAdmin, now: datetime, vault_roles: Iterable[str]
) -> Departure:
    """Mark ``admin`` departed inside ``session`` and revoke their roles, TOTP and backup codes;
    returns what they could reach before."""
    report = reach(session, admin, vault_roles)
    admin.status = "departed"
    admin.departed_at = now
    session.execute(delete(SecRole).where(SecRole.admin_id == admin.id))
    session.execute(delete(SecBackupCode).where(SecBackupCode.admin_id == admin.id))
    session.execute(delete(SecAdminTotp).where(SecAdminTotp.admin_id == admin.id))
    session.flush()
    return report


def depart(store: Store, name: str, *, actor: str, now: datetime | None = None) -> Departure:
    """Mark ``name`` departed and revoke smguard-side access, in one transaction.

    Running it again for someone already departed revokes whatever came back (``again``).

    Revoked: every role, the personal TOTP enrolment and the backup codes. Not revocable from
    here, so listed in the report for a person to act on: the platform recovery contacts that
    are theirs, and the vault seeds they have seen.
    """
    now = aware(now)
    with store.session() as s:
        admin = admin_row(s, name, lock=True)
        again = admin.status == "departed"
        departed_at = admin.departed_at
        report = depart_in(s, admin, now, store.config.security.vault_roles)
        if again:  # revoke whatever came back; the departure keeps its date
            admin.departed_at = departed_at
        from_file = sorted(
            (account, role) for who, account, role in config_roles(store.config) if who == name
        )
        report = replace(report, config_roles=from_file, again=again)
        store.audit(
            s, "admin.departed", actor=actor, subject=f"admin:{name}", details=report.to_dict()
        )
    return report


def reactivate(store: Store, name: str, *, actor: str) -> None:
    """Undo a departure (roles and 2FA must be set up again)."""
    with store.session() as s:
        admin = admin_row(s, name, lock=True)
        if admin.status == "active":
            raise InventoryError(f"{name} is already active", f"{name} sudah aktif")
        admin.status = "active"
        admin.departed_at = None
        store.audit(s, "admin.reactivated", actor=actor, subject=f"admin:{name}")
