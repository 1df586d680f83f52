"""How long things took: the summary of a list of durations that a report shows."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Durations", "format_duration"]


def _quantile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile by linear interpolation between the nearest ranks."""
    pos = (len(ordered) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass(frozen=True)
class Durations:
    """Count, median, 90th percentile and longest of some durations, in seconds."""

    count: int = 0
    median_s: float | None = None
    p90_s: float | None = None
    max_s: float | None = None

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Durations:
        ordered = sorted(max(0.0, s) for s in seconds)
        if not ordered:
            return cls()
        return cls(len(ordered), _quantile(ordered, 0.5), _quantile(ordered, 0.9), ordered[-1])

    def to_dict(self) -> dict[str, Any]:
        def rounded(v: float | None) -> float | None:
            return None if v is None else round(v, 1)

        return {
            "count": self.count,
            "median_s": rounded(self.median_s),
            "p90_s": rounded(self.p90_s),
            "max_s": rounded(self.max_s),
        }


_UNITS = {"en": ("d", "h", "min", "s"), "id": ("hr", "j", "mnt", "dtk")}


def format_duration(seconds: float | None, lang: str = "en") -> str:
    """``2 h 5 min``, ``40 s``, ``3 d 4 h`` (``3 hr 4 j`` in Indonesian); ``—`` for none."""
    if seconds is None:
        return "—"
    d, h, m, s = _UNITS.get(lang, _UNITS["en"])
    total = round(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} {d} {hours} {h}" if hours else f"{days} {d}"
    if hours:
        return f"{hours} {h} {minutes} {m}" if minutes else f"{hours} {h}"
    if minutes:
        return f"{minutes} {m}"
    return f"{secs} {s}"
