"""Small helpers the built-in connectors share: times, Meta's mis-encoded text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["epoch", "fix_mojibake", "iso_time", "obj", "text_or_none"]


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 time (``Z`` allowed; no zone means UTC), else ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def epoch(value: Any) -> datetime | None:
    """Seconds since 1970 (int, float or digit string; milliseconds are recognised)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int | float) or value <= 0:
        return None
    if value > 10**11:  # milliseconds
        value = value / 1000
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def fix_mojibake(text: str) -> str:
    """Meta's JSON exports write UTF-8 bytes as Latin-1 escapes (``GerÃ¤t`` for ``Gerät``)."""
    if not text or text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def text_or_none(value: Any, limit: int = 2000) -> str | None:
    """A non-empty string (trimmed and cut to ``limit``), else ``None``."""
    if value is None:
        return None
    text = (value if isinstance(value, str) else str(value)).strip()
    return text[:limit] or None


def obj(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}
