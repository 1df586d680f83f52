"""Signatures of generic JSON alerts: HMAC-SHA256 over ``timestamp + "." + body``.

The header reads ``X-Smguard-Signature: t=1714550000,v1=5f1c…`` (hex digest). A receiver
recomputes the digest with the shared secret, compares in constant time, and refuses a timestamp
further than ``tolerance_s`` from its own clock (a replayed old request fails). Several ``v1=``
entries may appear; any one matching is enough (room for rotating secrets).
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["SIGNATURE_HEADER", "sign", "signature_header", "verify_signature"]

SIGNATURE_HEADER = "X-Smguard-Signature"


def _bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(secret: str | bytes, timestamp: int, body: str | bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}." + body`` under ``secret``."""
    message = str(int(timestamp)).encode("ascii") + b"." + _bytes(body)
    return hmac.new(_bytes(secret), message, hashlib.sha256).hexdigest()


def signature_header(secret: str | bytes, body: str | bytes, timestamp: int | None = None) -> str:
    """The value of the ``X-Smguard-Signature`` header for ``body`` (now, unless told)."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={ts},v1={sign(secret, ts, body)}"


def verify_signature(
    secret: str | bytes,
    header: str | None,
    body: str | bytes,
    tolerance_s: float = 300,
    *,
    now: float | None = None,
) -> bool:
    """True when ``header`` is a valid, fresh signature of ``body`` (the raw request bytes).

    :param secret: the shared secret (the value of the sink's ``secret_env`` variable).
    :param header: the ``X-Smguard-Signature`` header as received.
    :param body: the request body exactly as received, before any JSON parsing.
    :param tolerance_s: how far the signed timestamp may be from ``now`` (replay window).
    :param now: the receiver's clock in Unix seconds (default: ``time.time()``).
    """
    if not header:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value.strip().lower())
    if timestamp is None or not candidates:
        return False
    clock = time.time() if now is None else now
    if abs(clock - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body)
    # Compare every candidate, so the time taken does not depend on which one matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate)
    return matched
