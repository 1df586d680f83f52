"""HTTP details that more than one area needs (kernel: imports nothing from smguard).

Alert delivery and the account-watch connectors both talk to servers that ask them to slow down;
:func:`retry_after` reads what such a server asked for, one way for both.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["retry_after"]


def retry_after(
    value: str | None, *, now: datetime | None = None, maximum: float | None = None
) -> float | None:
    """Seconds to wait, as a ``Retry-After`` header asks (RFC 9110, section 10.2.3).

    The header holds either a number of seconds (``120``; a fraction is accepted) or an
    HTTP-date (``Wed, 21 Oct 2026 07:28:00 GMT``), read against ``now`` (default: the current
    time). The answer is clamped to ``[0, maximum]`` (a date in the past means "now"). ``None``
    when there is no header or it cannot be read — the caller then backs off on its own.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000" or an obsolete zone: HTTP-dates are in GMT
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    seconds = max(0.0, seconds)
    return seconds if maximum is None else min(seconds, maximum)
