"""TOTP codes (RFC 6238, with pyotp): the code of a time step, and finding the step of a typed
code within the clock-drift window.

Both kinds of TOTP in smguard use it: the admins' own second factor
(:mod:`smguard.security.second_factor`) and the shared accounts' platform codes
(:mod:`smguard.security.vault`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

import pyotp

from smguard.security.clock import aware

__all__ = ["DIGITS", "DRIFT_STEPS", "STEP_SECONDS", "code_at", "current_step", "match_step"]

STEP_SECONDS = 30
DIGITS = 6
#: Steps either side of the current one that are still accepted (clock drift).
DRIFT_STEPS = 1


def current_step(now: datetime, period: int = STEP_SECONDS) -> int:
    return int(aware(now).timestamp()) // period


def code_at(seed: bytes, step: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The code of time step ``step`` (``digest``: sha1, sha256 or sha512)."""
    b32 = base64.b32encode(seed).decode("ascii")
    return pyotp.TOTP(b32, digits=digits, digest=getattr(hashlib, digest)).generate_otp(step)


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
        expected = code_at(seed, step, digits=digits, digest=digest)
        if hmac.compare_digest(expected.encode(), code.encode()):
            if last_step is not None and step <= last_step:
                replayed = True
            elif accepted is None:
                accepted = step
    return accepted, replayed and accepted is None
