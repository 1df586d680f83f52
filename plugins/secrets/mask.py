"""Masking secrets in evidence, so a key is not copied into logs, alerts or reports."""

from __future__ import annotations

__all__ = ["mask_code", "mask_password", "mask_secret"]


def mask_secret(value: str) -> str:
    """``"ghp_abcdef..."`` → ``"ghp_***"``: the first four characters only (they name the
    kind of key, not the key)."""
    return value[:4] + "***"


def mask_password(value: str) -> str:
    """``"Rahasia123"`` → ``"Ra***"``: a password is short, so only two characters show."""
    return value[:2] + "***"


def mask_code(value: str) -> str:
    """``"482913"`` → ``"******"``: nothing of a PIN or one-time code is shown."""
    return "*" * len(value)
