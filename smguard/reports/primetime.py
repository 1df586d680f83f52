"""Engagement by hour of the week, and the hours when an account's posts do best.

The samples are the account's own posts (not replies, not boosts or retweets of others) with the
platform's counts (:mod:`smguard.watch.engagement`). A post's engagement is its likes + reposts +
replies; since a few posts get most of the attention, hours are compared on the logarithm
(``log(1 + engagement)``), i.e. on the *typical* post, not the one that went viral.

An hour of the day is recommended when, over the learning window:

* the account has at least ``prime_time_min_posts`` posts with counts, and the hour itself at
  least ``prime_time_min_per_hour`` of them — else the answer is "not enough data";
* its typical post does at least 10 % better than the account's typical post (the *lift*), and
  the difference is larger than chance would give (one-sided z ≥ 1.64 on the log scale, about
  95 %) — else the answer is "no hour stands out".

At most three hours are recommended, best first, each with its evidence: the median engagement
of its posts, the lift and the number of posts.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

__all__ = [
    "WEEKDAYS",
    "EngagementGrid",
    "HourStat",
    "PrimeTime",
    "Sample",
    "engagement_grid",
    "prime_time",
]

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
}
MIN_LIFT = 1.10
MIN_Z = 1.64
MAX_SLOTS = 3

Status = Literal["recommended", "not_enough_data", "no_clear_difference"]


@dataclass(frozen=True)
class Sample:
    """One post: when it went out and the interactions the platform counted."""

    published_at: datetime
    engagement: int


@dataclass(frozen=True)
class HourStat:
    """One hour of the day (local): its posts, their median engagement and its lift."""

    hour: int
    posts: int
    median: float
    lift: float
    z: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "hour": self.hour,
            "slot": f"{self.hour:02d}:00",
            "posts": self.posts,
            "median_engagement": round(self.median, 1),
            "lift": round(self.lift, 2),
            "z": round(self.z, 2),
        }


@dataclass(frozen=True)
class PrimeTime:
    """The recommendation for one account, with the evidence behind it."""

    account: str
    timezone: str
    status: Status
    posts: int
    window_days: int
    min_posts: int
    typical: float = 0.0
    slots: tuple[HourStat, ...] = ()
    hours: tuple[HourStat, ...] = ()
    configured: tuple[str, ...] = ()

    @property
    def recommended(self) -> tuple[str, ...]:
        """``("19:00", "12:00")``: the recommended slots, best first (empty unless recommended)."""
        return tuple(f"{s.hour:02d}:00" for s in self.slots)

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "timezone": self.timezone,
            "status": self.status,
            "sample_size": self.posts,
            "window_days": self.window_days,
            "min_posts": self.min_posts,
            "typical_engagement": round(self.typical, 1),
            "recommended": [s.to_dict() for s in self.slots],
            "hours": [h.to_dict() for h in self.hours],
            "configured_prime_time": list(self.configured),
        }


def _score(value: float) -> float:
    return math.log1p(max(0.0, value))


def prime_time(
    account: str,
    samples: Sequence[Sample],
    timezone: str,
    *,
    window_days: int,
    min_posts: int,
    min_per_hour: int,
    configured: Iterable[str] = (),
) -> PrimeTime:
    """The hours of the day when ``account``'s posts do best, or why that cannot be said."""
    tz = ZoneInfo(timezone)
    base = PrimeTime(
        account, timezone, "not_enough_data", len(samples), window_days, min_posts,
        configured=tuple(configured),
    )  # fmt: skip
    if len(samples) < max(min_posts, 2):
        return base
    logs = [_score(s.engagement) for s in samples]
    mean_all = statistics.fmean(logs)
    spread = statistics.stdev(logs)
    by_hour: dict[int, list[Sample]] = {}
    for sample in samples:
        by_hour.setdefault(sample.published_at.astimezone(tz).hour, []).append(sample)
    hours: list[HourStat] = []
    for hour, group in sorted(by_hour.items()):
        if len(group) < min_per_hour:
            continue
        mean_h = statistics.fmean(_score(s.engagement) for s in group)
        z = (mean_h - mean_all) / (spread / math.sqrt(len(group))) if spread > 0 else 0.0
        median = statistics.median(s.engagement for s in group)
        hours.append(HourStat(hour, len(group), median, math.exp(mean_h - mean_all), z))
    typical = math.expm1(mean_all)
    found = PrimeTime(
        account, timezone, "not_enough_data", len(samples), window_days, min_posts,
        typical=typical, hours=tuple(hours), configured=tuple(configured),
    )  # fmt: skip
    if len(hours) < 2:
        return found  # the posts are spread over too few hours to compare them
    best = sorted((h for h in hours if h.lift >= MIN_LIFT and h.z >= MIN_Z), key=lambda h: -h.lift)[
        :MAX_SLOTS
    ]
    status: Status = "recommended" if best else "no_clear_difference"
    return PrimeTime(
        account, timezone, status, len(samples), window_days, min_posts,
        typical=typical, slots=tuple(best), hours=tuple(hours), configured=tuple(configured),
    )  # fmt: skip


@dataclass(frozen=True)
class EngagementGrid:
    """Posts and their mean engagement by hour of the week (local): 7 rows × 24 columns."""

    account: str
    timezone: str
    posts: tuple[tuple[int, ...], ...] = field(default_factory=tuple)
    mean: tuple[tuple[float | None, ...], ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return sum(sum(row) for row in self.posts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "timezone": self.timezone,
            "posts": [list(r) for r in self.posts],
            "mean_engagement": [[None if v is None else round(v, 1) for v in r] for r in self.mean],
        }


def engagement_grid(account: str, samples: Iterable[Sample], timezone: str) -> EngagementGrid:
    """Count the posts and average their engagement in each local (weekday, hour)."""
    tz = ZoneInfo(timezone)
    counts = [[0] * 24 for _ in range(7)]
    sums = [[0] * 24 for _ in range(7)]
    for sample in samples:
        local = sample.published_at.astimezone(tz)
        counts[local.weekday()][local.hour] += 1
        sums[local.weekday()][local.hour] += sample.engagement
    mean = tuple(
        tuple(sums[d][h] / counts[d][h] if counts[d][h] else None for h in range(24))
        for d in range(7)
    )
    return EngagementGrid(account, timezone, tuple(tuple(r) for r in counts), mean)
