"""Admins' enrolment in personal TOTP: starting it, activating it, resets, backup code sets,
and who is enrolled.

* **Enrolment** makes a new 160-bit seed, stores it encrypted as *pending* and returns the
  ``otpauth://`` URI once (for the QR code). Nothing changes until the admin proves the app
  works with a first correct code (:func:`activate`); then the seed becomes active and a fresh
  set of single-use backup codes is issued (shown once, stored as salted scrypt hashes).
* **Re-enrolment / rotation** of an admin who already has 2FA needs proof first: a current code
  of that admin (new phone, routine rotation) or an owner's code (lost phone, ``reset_by``).
  The old seed and backup codes keep working until the new seed is activated.

Every function takes ``now`` (an aware time) so that tests and callers control the clock.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.records.tables import SecAdmin, SecAdminTotp, SecRole
from smguard.security import crypto
from smguard.security.backup_codes import issue_backup_codes, unused_backup_codes
from smguard.security.clock import aware
from smguard.security.errors import Refused
from smguard.security.inventory import admin_row
from smguard.security.second_factor import check_code, committed

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "Enrollment",
    "TotpStatus",
    "activate",
    "enroll",
    "regenerate_backup_codes",
    "status",
]

SEED_BYTES = 20  # 160 bits, as RFC 4226 recommends


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
            crypto.load_keyring(settings), SecAdminTotp, "pending_ciphertext", admin.id, seed
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
        ring = crypto.load_keyring(settings)
        seed = crypto.unseal(
            ring, SecAdminTotp, "pending_ciphertext", admin.id, totp.pending_ciphertext
        )
        rotation = totp.seed_ciphertext is not None
        totp.seed_ciphertext = crypto.seal(ring, SecAdminTotp, "seed_ciphertext", admin.id, seed)
        totp.pending_ciphertext = None
        totp.pending_at = None
        totp.activated_at = now
        codes = issue_backup_codes(s, admin, settings.backup_codes, now)
        store.audit(
            s,
            "2fa.activated",
            actor=name,
            subject=f"admin:{name}",
            details={"rotation": rotation, "backup_codes": len(codes)},
        )
        return codes

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
        codes = issue_backup_codes(s, admin, settings.backup_codes, now)
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
        left = unused_backup_codes(s)
        for admin in s.execute(select(SecAdmin).order_by(SecAdmin.name)).scalars():
            totp = s.get(SecAdminTotp, admin.id)
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
                    backup_codes_left=left.get(admin.id, 0),
                    locked_until=locked,
                    last_active_at=admin.last_active_at,
                )
            )
    return out
