"""Sentences a report says about its figures, shared by the terminal, HTML and the digest."""

from __future__ import annotations

from datetime import datetime

from smguard.reports.model import Report
from smguard.reports.primetime import PrimeTime
from smguard.reports.stats import Durations, format_duration
from smguard.reports.words import word
from smguard.types import long_date

__all__ = [
    "durations_line",
    "hygiene_change_line",
    "prime_time_lines",
    "title",
    "when_text",
    "zone_name",
]

#: Indonesia's own names for its zones.
_ZONES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
          "Asia/Jayapura": "WIT"}  # fmt: skip


def zone_name(timezone: str) -> str:
    """``WIB`` for Asia/Jakarta, else the zone's own name."""
    return _ZONES.get(timezone, timezone)


def when_text(at: datetime, timezone: str, lang: str) -> str:
    from zoneinfo import ZoneInfo

    local = at.astimezone(ZoneInfo(timezone))
    return f"{long_date(local, lang)} {local:%H:%M} {zone_name(timezone)}"


def title(report: Report, lang: str) -> str:
    """``Weekly report — kemcontoh_x — week 23 of 2026 (1–7 June 2026)``."""
    kind = word("title_week" if report.period.kind == "week" else "title_month", lang)
    scope = ", ".join(report.accounts) if report.accounts else word("all_accounts", lang)
    return f"{kind} — {scope} — {report.period.label(lang)}"


def durations_line(d: Durations, lang: str) -> str:
    if not d.count:
        return word("none_yet", lang)
    return word(
        "durations",
        lang,
        median=format_duration(d.median_s, lang),
        p90=format_duration(d.p90_s, lang),
        max=format_duration(d.max_s, lang),
        n=d.count,
    )


def prime_time_lines(p: PrimeTime, lang: str) -> list[str]:
    """The recommendation, then one line of evidence per recommended hour."""
    configured = ", ".join(p.configured) or "—"
    values = {"n": p.posts, "days": p.window_days, "min": p.min_posts, "configured": configured}
    if p.status == "not_enough_data":
        return [word("not_enough_data", lang, **values)]
    if p.status == "no_clear_difference":
        return [word("no_clear_difference", lang, **values)]
    lines = [word("recommended", lang, slots=", ".join(p.recommended),
                  zone=zone_name(p.timezone))]  # fmt: skip
    for slot in p.slots:
        lines.append(
            word(
                "evidence",
                lang,
                slot=f"{slot.hour:02d}:00–{(slot.hour + 1) % 24:02d}:00",
                median=f"{slot.median:g}",
                lift=f"{slot.lift:.1f}",
                typical=f"{p.typical:.0f}",
                n=slot.posts,
            )
        )
    return lines


def hygiene_change_line(report: Report, lang: str) -> str:
    h = report.hygiene
    if h.previous_at is None:
        return word("hygiene_first", lang)
    when = when_text(h.previous_at, report.period.timezone, lang)
    return word("hygiene_since", lang, when=when, new=len(h.new), fixed=len(h.fixed))
