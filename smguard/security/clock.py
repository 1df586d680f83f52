"""The clock of account security, in one place so that tests can hold it still.

Every function of :mod:`smguard.security` takes ``now`` (an aware time; ``None`` for the current
time) and passes it through :func:`aware`.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["aware", "utcnow"]


def utcnow() -> datetime:
    """The current time, in UTC (tests replace this function to hold the clock still)."""
    return datetime.now(UTC)


def aware(now: datetime | None) -> datetime:
    """``now`` as an aware UTC time (the current time when ``None``)."""
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("a naive datetime was given; pass an aware time (UTC)")
    return now.astimezone(UTC)
