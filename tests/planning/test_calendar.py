"""The calendar over several years: moving holidays from the holidays package, national days,
days of restraint by region, the organisation's own days, drafts the guard allows, .ics."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smguard.errors import ConfigError
from smguard.planning.days import calendar_rules, days_between
from smguard.planning.ics import to_ics


def on(year: int) -> dict[str, list[date]]:
    found: dict[str, list[date]] = {}
    for day in days_between(date(year, 1, 1), date(year, 12, 31), calendar_rules([])):
        found.setdefault(day.key, []).append(day.date)
    return found


@pytest.mark.parametrize(
    ("year", "idul_fitri", "nyepi", "waisak"),
    [
        (2025, date(2025, 3, 31), date(2025, 3, 29), date(2025, 5, 12)),
        (2026, date(2026, 3, 21), date(2026, 3, 19), date(2026, 5, 31)),
        (2027, date(2027, 3, 10), date(2027, 3, 8), date(2027, 5, 20)),
    ],
)
def test_moving_holidays_come_from_the_holidays_package(
    year: int, idul_fitri: date, nyepi: date, waisak: date
) -> None:
    days = on(year)
    assert days["idul-fitri"] == [idul_fitri]
    assert days["nyepi"] == [nyepi] and days["nyepi-bali"] == [nyepi]
    assert days["waisak"] == [waisak]
    for key, (month, day) in {
        "hari-kartini": (4, 21),
        "hut-ri": (8, 17),
        "g30s": (9, 30),
        "sumpah-pemuda": (10, 28),
        "hari-pahlawan": (11, 10),
        "hari-lahir-pancasila": (6, 1),
    }.items():
        assert days[key] == [date(year, month, day)], key


def test_what_each_day_asks_of_the_desk() -> None:
    days = {
        d.key: d for d in days_between(date(2026, 1, 1), date(2026, 12, 31), calendar_rules([]))
    }
    hut = days["hut-ri"]
    assert hut.greeting and hut.draft["id"] == "Dirgahayu Republik Indonesia ke-81! Merdeka!"
    assert "Tahun Baru Saka 1948." in days["nyepi"].draft["id"]
    g30s = days["g30s"]
    assert g30s.restraint and not g30s.greeting and "promosi" in g30s.avoid["id"]
    bali = days["nyepi-bali"]
    assert bali.restraint and bali.applies_to(frozenset({"bali"}))
    assert not bali.applies_to(frozenset()) and days["nyepi"].applies_to(frozenset())
    assert days["jumat-agung"].greeting is False
    leave = [d for d in days.values() if d.kind == "leave"]
    assert leave and all(not d.greeting for d in leave)
    estimated = days_between(date(2027, 3, 1), date(2027, 3, 31), calendar_rules([]))
    assert any(d.key == "idul-fitri" and d.estimated for d in estimated)


def test_every_draft_greeting_passes_the_guard() -> None:
    from smguard.config import Config
    from smguard.guard.engine import Guard

    guard = Guard(Config())
    days = days_between(date(2026, 1, 1), date(2026, 12, 31), calendar_rules([]))
    drafts = [(d.key, lang, text) for d in days for lang, text in d.draft.items()]
    assert len(drafts) > 50
    verdicts = guard.check_many([{"text": t, "language": lang} for _, lang, t in drafts])
    blocked = [
        (k, lang, v.decision, [f.rule for f in v.findings])
        for (k, lang, _), v in zip(drafts, verdicts, strict=True)
        if v.decision != "allow"
    ]
    assert blocked == []


def test_an_organisation_adds_its_own_days(tmp_path: Path) -> None:
    own = tmp_path / "ours.yaml"
    own.write_text(
        "days:\n"
        "  - key: hut-kemcontoh\n    date: '03-14'\n    since: 1999\n"
        "    name: {en: Our anniversary, id: HUT Kementerian Contoh}\n    greeting: true\n"
        "    draft: {id: 'Selamat HUT ke-{nth} Kementerian Contoh!', en: 'Our {ordinal} year!'}\n"
        "  - key: berkabung\n    date: '2026-07-01'\n    kind: restraint\n"
        "    name: {en: Day of mourning, id: Hari berkabung}\n"
        "    avoid: {en: No promotions, id: Tanpa promosi}\n",
        encoding="utf-8",
    )
    days = {
        d.key: d for d in days_between(date(2026, 1, 1), date(2027, 12, 31), calendar_rules([own]))
    }
    assert days["hut-kemcontoh"].draft["id"] == "Selamat HUT ke-28 Kementerian Contoh!"
    assert days["hut-kemcontoh"].draft["en"] == "Our 28th year!"
    assert days["berkabung"].date == date(2026, 7, 1) and days["berkabung"].restraint
    twice = [
        d
        for d in days_between(date(2026, 1, 1), date(2027, 12, 31), calendar_rules([own]))
        if d.key == "berkabung"
    ]
    assert len(twice) == 1  # a dated day happens once


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("days:\n  - key: x\n    date: '13-40'\n    name: X\n", "date '13-40' does not exist"),
        ("days:\n  - key: x\n    name: {en: X}\n", "give either date"),
        (
            "days:\n  - key: x\n    date: '01-02'\n    name: X\n    greeting: true\n",
            "needs a draft",
        ),
        (
            "days:\n  - key: x\n    date: '01-02'\n    name: X\n    colour: red\n",
            "unknown field 'colour'",
        ),
        ("nothing: here\n", "expected a list under 'days:'"),
    ],
)
def test_a_malformed_calendar_file_names_the_file_and_the_day(
    tmp_path: Path, text: str, problem: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem) as info:
        calendar_rules([bad])
    assert str(bad) in str(info.value)


def test_ics_is_read_back_by_an_icalendar_parser() -> None:
    import icalendar

    days = days_between(date(2026, 8, 1), date(2026, 10, 31), calendar_rules([]))
    text = to_ics(days, "id")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = list(icalendar.Calendar.from_ical(text).walk("VEVENT"))
    assert len(events) == len(days)
    hut = next(e for e in events if str(e["UID"]) == "hut-ri-20260817@smguard")
    assert hut["DTSTART"].dt == date(2026, 8, 17) and hut["DTEND"].dt == date(2026, 8, 18)
    assert str(hut["SUMMARY"]) == "Hari Kemerdekaan Republik Indonesia"
    assert "Dirgahayu Republik Indonesia ke-81! Merdeka!" in str(hut["DESCRIPTION"])
