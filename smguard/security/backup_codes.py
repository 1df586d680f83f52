"""Backup codes: single-use codes for when an admin's phone is not at hand.

They are random (about 50 bits, from an alphabet without look-alikes), shown once, and stored
only as salted scrypt hashes. :func:`issue_backup_codes` replaces an admin's set;
:func:`unused_backup_codes` counts what is left.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from smguard.records.tables import SecAdmin, SecBackupCode

__all__ = [
    "hash_backup_code",
    "issue_backup_codes",
    "looks_like_backup_code",
    "new_backup_codes",
    "normalise_code",
    "unused_backup_codes",
    "verify_backup_hash",
]

_BACKUP_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i
_BACKUP_LEN = 10
# scrypt cost: 4 MiB and ~10 ms per try. Backup codes are random (~50 bits), not chosen by
# people, so the hash only has to make a stolen database useless: 2**50 tries at 10 ms each is
# some 350,000 CPU-years. (Passwords would need far more; these are not passwords.)
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**12, 8, 1


def normalise_code(code: str) -> str:
    """A typed code (TOTP or backup) as smguard compares it: no spaces or dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


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


def looks_like_backup_code(code: str) -> bool:
    """Whether a normalised code has the shape of a backup code."""
    return len(code) == _BACKUP_LEN and all(c in _BACKUP_ALPHABET for c in code)


def issue_backup_codes(session: Session, admin: SecAdmin, count: int, now: datetime) -> list[str]:
    """Replace ``admin``'s backup codes with ``count`` new ones; returns them (show them once)."""
    session.execute(delete(SecBackupCode).where(SecBackupCode.admin_id == admin.id))
    codes = new_backup_codes(count)
    for code in codes:
        session.add(
            SecBackupCode(admin_id=admin.id, code_hash=hash_backup_code(code), created_at=now)
        )
    return codes


def unused_backup_codes(session: Session, admin_id: int | None = None) -> dict[int, int]:
    """Admin id → backup codes not used yet (of one admin, or of all); none left: no entry."""
    query = (
        select(SecBackupCode.admin_id, func.count(SecBackupCode.id))
        .where(SecBackupCode.used_at.is_(None))
        .group_by(SecBackupCode.admin_id)
    )
    if admin_id is not None:
        query = query.where(SecBackupCode.admin_id == admin_id)
    return {who: int(n) for who, n in session.execute(query)}
