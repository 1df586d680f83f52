"""The calendar as iCalendar (RFC 5545): all-day events a team's calendar app can import.

Each day is one ``VEVENT`` with a stable ``UID`` (importing a newer export updates the events
instead of doubling them), its name as ``SUMMARY``, and in ``DESCRIPTION`` whether a greeting
is expected, the draft and what not to post. Lines are folded at 75 octets, text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from smguard.planning.days import Day
from smguard.types import localized

__all__ = ["to_ics"]

_KIND = {
    "holiday": {"en": "Public holiday", "id": "Hari libur nasional"},
    "observance": {"en": "National day", "id": "Hari nasional"},
    "restraint": {"en": "Day of restraint", "id": "Hari menahan diri"},
    "organisation": {"en": "Our day", "id": "Hari organisasi"},
    "leave": {"en": "Collective leave", "id": "Cuti bersama"},
}
_LABELS = {
    "greeting": {"en": "Greeting expected", "id": "Ucapan diharapkan"},
    "no_greeting": {"en": "No greeting post", "id": "Tanpa unggahan ucapan"},
    "draft": {"en": "Draft", "id": "Draf"},
    "avoid": {"en": "Do not post", "id": "Jangan unggah"},
}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Split a content line into lines of at most 75 octets (continuations start with a space)."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (75 if not out else 74):
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def to_ics(days: Iterable[Day], lang: str = "en", *, now: datetime | None = None) -> str:
    """An iCalendar file of ``days`` in ``lang`` (CRLF line ends, as the format asks)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//smguard//calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _escape("smguard — " + ("kalender" if lang == "id" else "calendar")),
    ]
    for day in days:
        kind = localized(_KIND.get(day.kind, {"en": day.kind}), lang)
        parts = [kind + (f" ({', '.join(sorted(day.regions))})" if day.regions else "")]
        parts.append(localized(_LABELS["greeting" if day.greeting else "no_greeting"], lang))
        if day.draft:
            parts.append(f"{localized(_LABELS['draft'], lang)}: {localized(day.draft, lang)}")
        if day.avoid:
            parts.append(f"{localized(_LABELS['avoid'], lang)}: {localized(day.avoid, lang)}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{day.key}-{day.date:%Y%m%d}@smguard",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day.date + timedelta(days=1):%Y%m%d}",
            "SUMMARY:" + _escape(localized(day.name, lang)),
            "DESCRIPTION:" + _escape("\n".join(parts)),
            "CATEGORIES:" + _escape(kind),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
