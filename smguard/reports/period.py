"""Report periods: a week (Monday to Sunday) or a calendar month, in the report's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from smguard.errors import InputError
from smguard.types import long_date

__all__ = ["PERIOD_KINDS", "Period", "period_containing", "previous_period"]

PeriodKind = Literal["week", "month"]
PERIOD_KINDS: tuple[str, ...] = ("week", "month")

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
}  # fmt: skip


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in ``timezone``: a whole ISO week or a whole calendar month."""

    kind: PeriodKind
    start: datetime
    end: datetime
    timezone: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    @property
    def days(self) -> list[date]:
        day, out = self.start.date(), []
        while day <= self.last_day:
            out.append(day)
            day += timedelta(days=1)
        return out

    @property
    def key(self) -> str:
        """``2026-W23`` or ``2026-06``: what the period is called in files and JSON."""
        if self.kind == "week":
            year, week, _ = self.start.date().isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    def label(self, lang: str) -> str:
        """``week 23 of 2026 (1–7 June 2026)`` / ``June 2026``, in English or Indonesian."""
        if self.kind == "month":
            return f"{_MONTHS.get(lang, _MONTHS['en'])[self.start.month - 1]} {self.start.year}"
        first, last = self.start.date(), self.last_day
        span = f"{long_date(self.start, lang)} – {long_date(self.end - timedelta(days=1), lang)}"
        if first.month == last.month:
            span = f"{first.day}–{long_date(self.end - timedelta(days=1), lang)}"
        year, week, _ = first.isocalendar()
        if lang == "id":
            return f"minggu ke-{week} tahun {year} ({span})"
        return f"week {week} of {year} ({span})"

    def contains(self, when: datetime) -> bool:
        return self.start <= when < self.end

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.timezone,
        }


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def period_containing(kind: str, day: date, timezone: str) -> Period:
    """The week (Monday first) or month that contains ``day``."""
    tz = ZoneInfo(timezone)
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        return Period("week", _midnight(first, tz), _midnight(first + timedelta(days=7), tz),
                      timezone)  # fmt: skip
    if kind == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period("month", _midnight(first, tz), _midnight(following, tz), timezone)
    raise InputError(f"a report covers a week or a month, not {kind!r}")


def previous_period(kind: str, now: datetime, timezone: str) -> Period:
    """The last *whole* week or month before ``now``: what a Monday-morning cron reports on."""
    current = period_containing(kind, now.astimezone(ZoneInfo(timezone)).date(), timezone)
    return period_containing(kind, current.start.date() - timedelta(days=1), timezone)


def parse_period(kind: str, value: str | None, now: datetime, timezone: str) -> Period:
    """``--of``: a date inside the wanted period, ``2026-W23``, ``2026-06``, or the last one."""
    if not value:
        return previous_period(kind, now, timezone)
    text = value.strip()
    try:
        if "-W" in text.upper():
            year, week = text.upper().split("-W")
            return period_containing("week", date.fromisocalendar(int(year), int(week), 1),
                                     timezone)  # fmt: skip
        if len(text) == 7:
            return period_containing("month", date.fromisoformat(text + "-01"), timezone)
        return period_containing(kind, date.fromisoformat(text), timezone)
    except ValueError:
        raise InputError(
            f"--of: {value!r} is not a date (2026-06-03), a week (2026-W23) or a month (2026-06)"
        ) from None
