"""Masking personal data in evidence: smguard must not copy it into logs, alerts or reports."""

from __future__ import annotations

__all__ = ["mask_digits", "mask_email"]


def mask_digits(number: str) -> str:
    """``"0812-3456-7890"`` → ``"0812****7890"``; at least half of a short number is hidden."""
    digits = "".join(c for c in number if c.isdigit())
    n = len(digits)
    if n <= 4:
        return "*" * n
    back = min(4, max(0, n - 8))
    return digits[:4] + "*" * (n - 4 - back) + (digits[-back:] if back else "")


def mask_email(address: str) -> str:
    """``"budi.santoso@gmail.com"`` → ``"b***@gmail.com"``."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
