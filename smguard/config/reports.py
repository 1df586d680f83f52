"""``[reports]``, ``[calendar]`` and ``[plan]``: the routine report, the days that matter, and
what a content plan is checked against.

Each table is a :class:`~smguard.config.schema.Table` and *is* the settings object the reports
and planning code read (``config.reports``, ``config.calendar``, ``config.plan``).
"""

from __future__ import annotations

from typing import Annotated, TypeAlias

import msgspec
from msgspec import Meta

from smguard.config.schema import Table, invalid, str_list, timezone

__all__ = ["CalendarSettings", "PlanSettings", "ReportSettings"]

_NAMES: TypeAlias = str | tuple[str, ...]


class ReportSettings(Table, frozen=True):
    """``[reports]``: the weekly and monthly report (``smguard report``, docs/reports.md)."""

    #: Time zone of the report's weeks and months (default: ``[guard] timezone``).
    timezone: str | None = None
    #: Days of posts before the period's end that the prime-time recommendation learns from.
    prime_time_days: Annotated[int, Meta(ge=7, le=730)] = 90
    #: Fewer of the account's own posts with engagement counts than this: "not enough data".
    prime_time_min_posts: Annotated[int, Meta(ge=5, le=10_000)] = 30
    #: An hour of the day needs at least this many posts to be recommended.
    prime_time_min_per_hour: Annotated[int, Meta(ge=2, le=1000)] = 4
    #: Rules and authors listed in the "top" tables.
    top: Annotated[int, Meta(ge=1, le=100)] = 10

    def __post_init__(self) -> None:
        if self.timezone is not None:
            timezone(self.timezone, "timezone")


class CalendarSettings(Table, frozen=True):
    """``[calendar]``: the organisation's own days, and the regions its accounts serve."""

    #: YAML files of the organisation's own days (anniversary, campaigns, a regional calendar,
    #: days of mourning), relative to smguard.toml; same format as the built-in calendar.
    files: _NAMES = ()
    #: Regions every account serves (e.g. "bali": Nyepi is then a day of restraint).
    regions: _NAMES = ()
    #: Regions of single accounts, added to ``regions``: { kemcontoh_bali = ["bali"] }.
    account_regions: dict[str, _NAMES] = msgspec.field(default_factory=dict)
    #: Include the government's collective leave days (cuti bersama) from the holidays package.
    collective_leave: bool = True

    def __post_init__(self) -> None:
        for region in (*str_list(self.regions), *(r for v in self.account_regions.values()
                                                  for r in str_list(v))):  # fmt: skip
            if not region.strip():
                invalid("regions", "a region name may not be empty")

    def regions_of(self, account: str | None) -> frozenset[str]:
        """The regions ``account`` serves, lower-cased (every account's, plus its own)."""
        own = str_list(self.account_regions.get(account or "", ()))
        return frozenset(r.strip().lower() for r in (*str_list(self.regions), *own))


class PlanSettings(Table, frozen=True):
    """``[plan]``: what ``smguard plan check`` calls a gap and posts too close together."""

    #: This many days or more with nothing planned on an account is a gap.
    gap_days: Annotated[int, Meta(ge=1, le=60)] = 3
    #: Two posts of one account closer than this many minutes are too close together.
    min_spacing_minutes: Annotated[int, Meta(ge=0, le=1440)] = 60
    #: Flag a post outside the account's prime time (learnt, else ``prime_time`` slots).
    prime_time: bool = True
    #: How far from a prime-time slot a post may be and still count as in prime time.
    prime_time_window_minutes: Annotated[int, Meta(ge=0, le=360)] = 90
