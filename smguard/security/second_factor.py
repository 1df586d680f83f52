"""Checking an admin's second factor, and the gate that approvals and the vault go through.

* :func:`check_code` accepts the TOTP code of the current 30-second step and of one step either
  side (clock drift), compares in constant time (``hmac.compare_digest``, every candidate
  compared), and remembers the last accepted step: a code of that step or an earlier one is
  refused as a replay. A backup code is used up. ``[security] lockout_after`` failures in a row
  (wrong, replayed, malformed — backup codes included) lock the admin out for
  ``lockout_minutes``; while locked, nothing is checked at all.
* :func:`prove` is the usual gate: the admin exists, is active and holds the role, and only then
  is their code checked, so a request that could never succeed does not use one up.
* :func:`committed` runs such work in one transaction and raises a refusal after the commit, so
  that the failure count, the lockout and the audit event survive it.

Every function takes ``now`` (an aware time) so that tests and callers control the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from smguard.records.tables import SecAdmin, SecAdminTotp, SecBackupCode
from smguard.security import crypto
from smguard.security.backup_codes import (
    looks_like_backup_code,
    normalise_code,
    verify_backup_hash,
)
from smguard.security.clock import aware
from smguard.security.errors import InventoryError, Refused
from smguard.security.inventory import admin_row, has_role
from smguard.security.totp import DIGITS, match_step

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["CodeCheck", "check_code", "committed", "prove", "verify"]

T = TypeVar("T")


def committed(store: Store, work: Callable[[Session], T | Refused]) -> T:
    """Run ``work`` in one transaction; a :class:`Refused` it *returns* is raised after commit.

    That is how a refusal keeps what it recorded (a failure count, a lockout, an audit event)
    instead of being rolled back with the rest.
    """
    with store.session() as session:
        outcome = work(session)
    if isinstance(outcome, Refused):
        raise outcome
    return outcome


@dataclass(frozen=True)
class CodeCheck:
    """A successful second factor: which method, and the step it used (TOTP)."""

    admin: str
    method: str  # "totp" or "backup"
    step: int | None = None


def _when(at: datetime) -> str:
    return at.strftime("%H:%M UTC")


def _not_enrolled(name: str) -> Refused:
    return Refused(
        f"{name} has not set up two-factor authentication yet (run `smguard 2fa enroll {name}`)",
        f"{name} belum mengaktifkan verifikasi dua langkah (jalankan `smguard 2fa enroll {name}`)",
    )


def _looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def _claim_step(session: Session, totp: SecAdminTotp, step: int) -> bool:
    """Use up ``step`` with one conditional UPDATE; False when another check got there first.

    The row lock of the SELECT is a no-op on SQLite, so the step is consumed by a statement
    that only changes the row while its stored step is older: on SQLite the UPDATE takes the
    database's write lock and sees the other writer's commit; on PostgreSQL it waits for the
    row and re-reads it. Either way exactly one of two racing checks changes a row.
    """
    claimed = session.execute(
        update(SecAdminTotp)
        .where(
            SecAdminTotp.admin_id == totp.admin_id,
            or_(SecAdminTotp.last_step.is_(None), SecAdminTotp.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(claimed) != 1:
        return False
    set_committed_value(totp, "last_step", step)
    return True


def _claim_backup(session: Session, backup: SecBackupCode, now: datetime) -> bool:
    """Mark a backup code used only if it still is unused (one atomic UPDATE)."""
    claimed = session.execute(
        update(SecBackupCode)
        .where(SecBackupCode.id == backup.id, SecBackupCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(claimed) != 1:
        return False
    set_committed_value(backup, "used_at", now)
    return True


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))


def check_code(
    store: Store,
    session: Session,
    admin: SecAdmin,
    code: str,
    *,
    now: datetime,
    purpose: str,
    pending: bool = False,
) -> CodeCheck | Refused:
    """Check ``admin``'s code inside ``session``; count failures, lock out, audit failures.

    Returns the :class:`CodeCheck` or the :class:`Refused` to raise *after* the commit (see
    :func:`committed`). ``pending`` checks the not-yet-activated seed (activation).
    """
    now = aware(now)
    settings = store.config.security
    if admin.status != "active":
        return Refused(f"{admin.name} has departed", f"{admin.name} sudah keluar")
    totp = session.execute(
        select(SecAdminTotp).where(SecAdminTotp.admin_id == admin.id).with_for_update()
    ).scalar_one_or_none()
    token = None if totp is None else (totp.pending_ciphertext if pending else totp.seed_ciphertext)
    if totp is None or token is None:
        if pending:
            return Refused(
                f"{admin.name} has no enrolment waiting for its first code "
                f"(run `smguard 2fa enroll {admin.name}`)",
                f"{admin.name} tidak punya pendaftaran yang menunggu kode pertama "
                f"(jalankan `smguard 2fa enroll {admin.name}`)",
            )
        return _not_enrolled(admin.name)
    if totp.locked_until is not None and totp.locked_until > now:
        store.audit(
            session,
            "2fa.locked_attempt",
            actor=admin.name,
            subject=f"admin:{admin.name}",
            details={"purpose": purpose, "locked_until": totp.locked_until.isoformat()},
        )
        return Refused(
            f"{admin.name} is locked out after too many wrong codes; try again after "
            f"{_when(totp.locked_until)}",
            f"{admin.name} dikunci karena terlalu banyak kode salah; coba lagi setelah "
            f"{_when(totp.locked_until)}",
        )

    given = normalise_code(code)
    result: CodeCheck | None = None
    reason = "wrong"
    if _looks_like_totp(given):
        column = "pending_ciphertext" if pending else "seed_ciphertext"
        seed = crypto.unseal(crypto.load_keyring(settings), SecAdminTotp, column, admin.id, token)
        step, replayed = match_step(seed, given, now, totp.last_step)
        if step is not None and _claim_step(session, totp, step):
            result = CodeCheck(admin.name, "totp", step)
        elif replayed or step is not None:
            reason = "replay"
    elif looks_like_backup_code(given) and not pending:
        unused = session.execute(
            select(SecBackupCode)
            .where(SecBackupCode.admin_id == admin.id, SecBackupCode.used_at.is_(None))
            .with_for_update()
        ).scalars()
        for backup in unused:
            if verify_backup_hash(given, backup.code_hash):
                if _claim_backup(session, backup, now):
                    result = CodeCheck(admin.name, "backup")
                else:
                    reason = "replay"
                break
    else:
        reason = "malformed"

    if result is not None:
        totp.failures = 0
        admin.last_active_at = now
        if result.method == "backup":
            store.audit(
                session,
                "2fa.backup_code_used",
                actor=admin.name,
                subject=f"admin:{admin.name}",
                details={"purpose": purpose},
            )
        return result

    totp.failures = (totp.failures or 0) + 1
    store.audit(
        session,
        "2fa.failed",
        actor=admin.name,
        subject=f"admin:{admin.name}",
        details={"purpose": purpose, "reason": reason, "failures": totp.failures},
    )
    if totp.failures >= settings.lockout_after:
        totp.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        totp.failures = 0
        store.audit(
            session,
            "2fa.locked",
            actor=admin.name,
            subject=f"admin:{admin.name}",
            details={"until": totp.locked_until.isoformat(), "purpose": purpose},
        )
        return Refused(
            f"wrong code; {admin.name} is now locked out until {_when(totp.locked_until)}",
            f"kode salah; {admin.name} sekarang dikunci sampai {_when(totp.locked_until)}",
        )
    if reason == "replay":
        return Refused(
            "this code was already used; wait for the next code in your app",
            "kode ini sudah dipakai; tunggu kode berikutnya di aplikasi Anda",
        )
    return Refused(
        f"wrong code for {admin.name} (check the phone's clock, or use a backup code)",
        f"kode salah untuk {admin.name} (periksa jam di ponsel, atau pakai kode cadangan)",
    )


def verify(
    store: Store, name: str, code: str, *, now: datetime | None = None, purpose: str = "2fa.verify"
) -> CodeCheck:
    """Check a code (and use it up); raises :class:`Refused` when it is not accepted."""
    now = aware(now)

    def work(s: Session) -> CodeCheck | Refused:
        admin = admin_row(s, name, lock=True)
        result = check_code(store, s, admin, code, now=now, purpose=purpose)
        if not isinstance(result, Refused) and purpose == "2fa.verify":
            store.audit(
                s,
                "2fa.verified",
                actor=name,
                subject=f"admin:{name}",
                details={"method": result.method},
            )
        return result

    return committed(store, work)


def prove(
    store: Store,
    session: Session,
    name: str,
    code: str,
    *,
    now: datetime,
    purpose: str,
    account: str | None,
    roles: tuple[str, ...],
) -> tuple[SecAdmin | None, CodeCheck | Refused]:
    """The usual gate: ``name`` exists, is active, holds one of ``roles`` on ``account`` (or
    globally), and passes their own second factor. The role is checked first, so an admin
    without the role does not use up a code."""
    try:
        admin = admin_row(session, name, lock=True)
    except InventoryError as exc:
        return None, Refused(exc.texts["en"], exc.texts["id"])
    if admin.status != "active":
        return admin, Refused(f"{name} has departed", f"{name} sudah keluar")
    if not has_role(session, admin, account, roles):
        where = f"on {account}" if account else "on every account"
        where_id = f"di {account}" if account else "di semua akun"
        wanted = " or ".join(roles)
        return admin, Refused(
            f"{name} does not hold the {wanted} role {where}",
            f"{name} tidak memegang peran {wanted} {where_id}",
        )
    return admin, check_code(store, session, admin, code, now=now, purpose=purpose)
