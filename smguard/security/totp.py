"""Personal TOTP for admins (RFC 6238 with pyotp): enrolment, verification, backup codes.

* **Enrolment** makes a new 160-bit seed, stores it encrypted as *pending* and returns the
  ``otpauth://`` URI once (for the QR code). Nothing changes until the admin proves the app
  works with a first correct code (:func:`activate`); then the seed becomes active and a fresh
  set of single-use backup codes is issued (shown once, stored as salted scrypt hashes).
* **Re-enrolment / rotation** of an admin who already has 2FA needs proof first: a current code
  of that admin (new phone, routine rotation) or an owner's code (lost phone, ``reset_by``).
  The old seed and backup codes keep working until the new seed is activated.
* **Verification** (:func:`check_code`) accepts the code of the current 30-second step and of
  one step either side (clock drift), compares in constant time (``hmac.compare_digest``, every
  candidate compared), and remembers the last accepted step: a code of that step or an earlier
  one is refused as a replay. ``[security] lockout_after`` failures in a row (wrong, replayed,
  malformed — backup codes included) lock the admin out for ``lockout_minutes``; while locked,
  nothing is checked at all.

Every function takes ``now`` (an aware time) so that tests and callers control the clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smguard.records.tables import SecAdmin, SecAdminTotp, SecBackupCode
from smguard.security import crypto
from smguard.security.errors import Refused
from smguard.security.inventory import admin_row, aware, has_role

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "STEP_SECONDS",
    "CodeCheck",
    "Enrollment",
    "activate",
    "check_code",
    "committed",
    "current_step",
    "enroll",
    "hash_backup_code",
    "match_step",
    "new_backup_codes",
    "regenerate_backup_codes",
    "status",
    "verify",
    "verify_backup_hash",
]

STEP_SECONDS = 30
DIGITS = 6
#: Steps either side of the current one that are still accepted (clock drift).
DRIFT_STEPS = 1
SEED_BYTES = 20  # 160 bits, as RFC 4226 recommends
_BACKUP_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i
_BACKUP_LEN = 10
# scrypt cost: 4 MiB and ~10 ms per try. Backup codes are random (~50 bits), not chosen by
# people, so the hash only has to make a stolen database useless: 2**50 tries at 10 ms each is
# some 350,000 CPU-years. (Passwords would need far more; these are not passwords.)
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**12, 8, 1

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


def current_step(now: datetime, period: int = STEP_SECONDS) -> int:
    return int(aware(now).timestamp()) // period


def _otp(seed: bytes, step: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    b32 = base64.b32encode(seed).decode("ascii")
    return pyotp.TOTP(b32, digits=digits, digest=getattr(hashlib, digest)).generate_otp(step)


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def match_step(
    seed: bytes,
    code: str,
    now: datetime,
    last_step: int | None,
    *,
    digits: int = DIGITS,
    period: int = STEP_SECONDS,
    digest: str = "sha1",
) -> tuple[int | None, bool]:
    """(accepted step, replayed): the step ``code`` belongs to within the drift window.

    Every candidate is computed and compared (constant time); a matching step that is not
    newer than ``last_step`` is reported as a replay, never accepted.
    """
    now_step = current_step(now, period)
    accepted: int | None = None
    replayed = False
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        expected = _otp(seed, step, digits, digest)
        if hmac.compare_digest(expected.encode(), code.encode()):
            if last_step is not None and step <= last_step:
                replayed = True
            elif accepted is None:
                accepted = step
    return accepted, replayed and accepted is None


# -- backup codes ------------------------------------------------------------------------------


def new_backup_codes(count: int) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(_BACKUP_LEN))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def hash_backup_code(code: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        normalise_code(code).encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_backup_hash(code: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            normalise_code(code).encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


def _looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def _looks_like_backup(code: str) -> bool:
    return len(code) == _BACKUP_LEN and all(c in _BACKUP_ALPHABET for c in code)


def _issue_backup_codes(session: Session, admin: SecAdmin, count: int, now: datetime) -> list[str]:
    session.execute(delete(SecBackupCode).where(SecBackupCode.admin_id == admin.id))
    codes = new_backup_codes(count)
    for code in codes:
        session.add(
            SecBackupCode(admin_id=admin.id, code_hash=hash_backup_code(code), created_at=now)
        )
    return codes


# -- verification ------------------------------------------------------------------------------


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
        seed = crypto.unseal(_ring(store), SecAdminTotp, column, admin.id, token)
        step, replayed = match_step(seed, given, now, totp.last_step)
        if step is not None:
            totp.last_step = step
            result = CodeCheck(admin.name, "totp", step)
        elif replayed:
            reason = "replay"
    elif _looks_like_backup(given) and not pending:
        unused = session.execute(
            select(SecBackupCode)
            .where(SecBackupCode.admin_id == admin.id, SecBackupCode.used_at.is_(None))
            .with_for_update()
        ).scalars()
        for backup in unused:
            if verify_backup_hash(given, backup.code_hash):
                backup.used_at = now
                result = CodeCheck(admin.name, "backup")
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


def _ring(store: Store) -> crypto.KeyRing:
    return crypto.load_keyring(store.config.security)


# -- enrolment ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrollment:
    """A pending enrolment. ``uri`` holds the seed: show it once, never log it."""

    admin: str
    uri: str = field(repr=False)
    rotation: bool = False


def enroll(
    store: Store,
    name: str,
    *,
    now: datetime | None = None,
    code: str | None = None,
    reset_by: str | None = None,
    reset_code: str | None = None,
    actor: str | None = None,
) -> Enrollment:
    """Start (re-)enrolment of admin ``name``; see the module doc for the proof it needs."""
    now = aware(now)
    settings = store.config.security

    def work(s: Session) -> Enrollment | Refused:
        admin = admin_row(s, name, lock=True)
        if admin.status != "active":
            return Refused(
                f"{name} has departed; departed admins cannot enrol",
                f"{name} sudah keluar; admin yang keluar tidak dapat mendaftar",
            )
        totp = s.get(SecAdminTotp, admin.id)
        rotation = bool(totp and totp.seed_ciphertext)
        how = "first"
        if rotation:
            if code is not None:
                proof = check_code(store, s, admin, code, now=now, purpose="2fa.rotate")
                if isinstance(proof, Refused):
                    return proof
                how = "rotation"
            elif reset_by is not None and reset_code is not None:
                refusal = _owner_proof(store, s, reset_by, reset_code, name, now)
                if refusal is not None:
                    return refusal
                how = f"reset by {reset_by}"
            else:
                return Refused(
                    f"{name} already has two-factor authentication: give a current code "
                    f"(--code) to rotate it, or have an owner reset it (--reset-by OWNER "
                    "--reset-code CODE) if the phone is lost",
                    f"{name} sudah memakai verifikasi dua langkah: berikan kode saat ini "
                    "(--code) untuk menggantinya, atau minta owner meresetnya (--reset-by "
                    "OWNER --reset-code KODE) jika ponsel hilang",
                )
        if totp is None:
            totp = SecAdminTotp(admin_id=admin.id, failures=0)
            s.add(totp)
        seed = secrets.token_bytes(SEED_BYTES)
        totp.pending_ciphertext = crypto.seal(
            _ring(store), SecAdminTotp, "pending_ciphertext", admin.id, seed
        )
        totp.pending_at = now
        uri = pyotp.TOTP(base64.b32encode(seed).decode("ascii")).provisioning_uri(
            name=name, issuer_name=settings.totp_issuer
        )
        store.audit(
            s,
            "2fa.enrolment_started",
            actor=actor or reset_by or name,
            subject=f"admin:{name}",
            details={"how": how},
        )
        return Enrollment(name, uri, rotation)

    return committed(store, work)


def _owner_proof(
    store: Store, s: Session, owner_name: str, code: str, target: str, now: datetime
) -> Refused | None:
    """An owner (of any account, or global) other than ``target`` proves it with their code."""
    from smguard.records.tables import SecRole

    if owner_name == target:
        return Refused(
            "a reset needs another person: an owner other than the admin being reset",
            "reset memerlukan orang lain: owner selain admin yang direset",
        )
    owner = admin_row(s, owner_name, lock=True)
    is_owner = (
        owner.status == "active"
        and s.execute(
            select(SecRole.role).where(SecRole.admin_id == owner.id, SecRole.role == "owner")
        ).first()
        is not None
    )
    if not is_owner:
        store.audit(
            s,
            "2fa.reset_refused",
            actor=owner_name,
            subject=f"admin:{target}",
            details={"reason": "not_owner"},
        )
        return Refused(
            f"{owner_name} is not an active owner and cannot reset {target}'s 2FA",
            f"{owner_name} bukan owner aktif dan tidak dapat mereset 2FA {target}",
        )
    proof = check_code(store, s, owner, code, now=now, purpose=f"2fa.reset:{target}")
    return proof if isinstance(proof, Refused) else None


def activate(store: Store, name: str, code: str, *, now: datetime | None = None) -> list[str]:
    """Confirm the pending seed with its first code; returns the new backup codes (show once)."""
    now = aware(now)
    settings = store.config.security

    def work(s: Session) -> list[str] | Refused:
        admin = admin_row(s, name, lock=True)
        proof = check_code(store, s, admin, code, now=now, purpose="2fa.activate", pending=True)
        if isinstance(proof, Refused):
            return proof
        totp = s.get(SecAdminTotp, admin.id)
        assert totp is not None and totp.pending_ciphertext is not None
        ring = _ring(store)
        seed = crypto.unseal(
            ring, SecAdminTotp, "pending_ciphertext", admin.id, totp.pending_ciphertext
        )
        rotation = totp.seed_ciphertext is not None
        totp.seed_ciphertext = crypto.seal(ring, SecAdminTotp, "seed_ciphertext", admin.id, seed)
        totp.pending_ciphertext = None
        totp.pending_at = None
        totp.activated_at = now
        codes = _issue_backup_codes(s, admin, settings.backup_codes, now)
        store.audit(
            s,
            "2fa.activated",
            actor=name,
            subject=f"admin:{name}",
            details={"rotation": rotation, "backup_codes": len(codes)},
        )
        return codes

    return committed(store, work)


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


def regenerate_backup_codes(
    store: Store, name: str, code: str, *, now: datetime | None = None
) -> list[str]:
    """A fresh set of backup codes (the old ones stop working); needs a current code."""
    now = aware(now)
    settings = store.config.security

    def work(s: Session) -> list[str] | Refused:
        admin = admin_row(s, name, lock=True)
        proof = check_code(store, s, admin, code, now=now, purpose="2fa.backup_codes")
        if isinstance(proof, Refused):
            return proof
        codes = _issue_backup_codes(s, admin, settings.backup_codes, now)
        store.audit(
            s,
            "2fa.backup_codes_regenerated",
            actor=name,
            subject=f"admin:{name}",
            details={"count": len(codes)},
        )
        return codes

    return committed(store, work)


@dataclass(frozen=True)
class TotpStatus:
    admin: str
    status: str  # admin status: active / departed
    enrolled: bool
    pending: bool
    activated_at: datetime | None
    backup_codes_left: int
    locked_until: datetime | None
    last_active_at: datetime | None


def status(store: Store, *, now: datetime | None = None) -> list[TotpStatus]:
    now = aware(now)
    out = []
    with store.session() as s:
        for admin in s.execute(select(SecAdmin).order_by(SecAdmin.name)).scalars():
            totp = s.get(SecAdminTotp, admin.id)
            left = len(
                s.execute(
                    select(SecBackupCode.id).where(
                        SecBackupCode.admin_id == admin.id, SecBackupCode.used_at.is_(None)
                    )
                ).all()
            )
            locked = (
                totp.locked_until
                if totp and totp.locked_until and totp.locked_until > now
                else None
            )
            out.append(
                TotpStatus(
                    admin=admin.name,
                    status=admin.status,
                    enrolled=bool(totp and totp.seed_ciphertext),
                    pending=bool(totp and totp.pending_ciphertext),
                    activated_at=totp.activated_at if totp else None,
                    backup_codes_left=left,
                    locked_until=locked,
                    last_active_at=admin.last_active_at,
                )
            )
    return out


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
    from smguard.security.errors import InventoryError

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
