"""The days that matter: public holidays, national days, days of restraint, the organisation's own.

Public holidays and their dates come from the ``holidays`` package (Indonesia; moving holidays
such as Idul Fitri, Nyepi and Waisak included, and the government's collective leave days).
What a desk needs to know about a day — is a greeting expected, a draft greeting in Indonesian
and English, what not to post — is data: the built-in file ``rules/calendar/indonesia.yaml``
plus the organisation's own files (``[calendar] files``), in the same format. A malformed file
fails with its name, the entry and the problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from smguard.errors import ConfigError
from smguard.guard.packs.yaml_loader import load_bounded_yaml, yaml_problem
from smguard.types import localized

__all__ = [
    "DAY_KINDS",
    "Day",
    "DayRule",
    "builtin_calendar_file",
    "calendar_rules",
    "days_between",
    "load_rules",
]

DAY_KINDS: tuple[str, ...] = ("holiday", "observance", "restraint", "organisation", "leave")
_KEYS = frozenset({"key", "holiday", "date", "kind", "name", "greeting", "draft", "avoid",
                   "regions", "since"})  # fmt: skip
_DATE = re.compile(r"^(?:(?P<year>\d{4})-)?(?P<month>\d{2})-(?P<day>\d{2})$")
_ESTIMATED = re.compile(r"\s*\((estimated|perkiraan)\)$")


@dataclass(frozen=True)
class DayRule:
    """One entry of a calendar file: a holiday it describes, or a date of its own."""

    key: str
    kind: str
    source: str
    holiday: str | None = None
    month_day: tuple[int, int] | None = None
    year: int | None = None
    name: Mapping[str, str] = field(default_factory=dict)
    greeting: bool = False
    draft: Mapping[str, str] = field(default_factory=dict)
    avoid: Mapping[str, str] = field(default_factory=dict)
    regions: frozenset[str] = frozenset()
    since: int | None = None

    def dates(self, first: date, last: date) -> list[date]:
        """The days from ``first`` to ``last`` this (date) rule falls on."""
        assert self.month_day is not None
        month, day = self.month_day
        out = []
        for year in range(first.year, last.year + 1):
            if self.year is not None and year != self.year:
                continue
            try:
                when = date(year, month, day)
            except ValueError:  # 29 February in a common year
                continue
            if first <= when <= last:
                out.append(when)
        return out


@dataclass(frozen=True)
class Day:
    """One day on the calendar, as ``smguard calendar`` shows it and a plan is checked against."""

    date: date
    key: str
    kind: str
    name: Mapping[str, str]
    greeting: bool = False
    draft: Mapping[str, str] = field(default_factory=dict)
    avoid: Mapping[str, str] = field(default_factory=dict)
    regions: frozenset[str] = frozenset()
    estimated: bool = False
    source: str = "holidays"

    @property
    def restraint(self) -> bool:
        return self.kind == "restraint"

    def applies_to(self, regions: frozenset[str]) -> bool:
        """Whether the day concerns an account serving ``regions`` (national days always do)."""
        return not self.regions or bool(self.regions & regions)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "key": self.key,
            "kind": self.kind,
            "name": localized(self.name, lang),
            "names": dict(self.name),
            "greeting_expected": self.greeting,
            "draft": dict(self.draft),
            "avoid": dict(self.avoid),
            "regions": sorted(self.regions),
            "estimated": self.estimated,
            "source": self.source,
        }


def builtin_calendar_file() -> Path:
    """``indonesia.yaml`` in the ``smguard.rules`` package (the repository's rules/calendar)."""
    import importlib.util

    spec = importlib.util.find_spec("smguard.rules")
    if spec is None or spec.origin is None:  # pragma: no cover - shipped with smguard
        raise ConfigError("the built-in smguard.rules package is missing; reinstall smguard")
    return Path(spec.origin).resolve().parent / "calendar" / "indonesia.yaml"


def _texts(value: Any, where: str, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"en": value, "id": value}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"{where}: {key} must be a text or {{en: ..., id: ...}}")
    return dict(value)


def _rule(raw: Any, where: str, source: str, default_kind: str) -> DayRule:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: each day must be a mapping with at least key and date")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown field {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})"
        )
    key = raw.get("key")
    if not isinstance(key, str) or not key.strip():
        raise ConfigError(f"{where}: key is missing (a short stable name, e.g. hut-organisasi)")
    where = f"{where} ({key})"
    holiday, when = raw.get("holiday"), raw.get("date")
    if (holiday is None) == (when is None):
        raise ConfigError(f'{where}: give either date ("MM-DD" or "YYYY-MM-DD") or holiday')
    month_day = year = None
    if when is not None:
        match = _DATE.match(str(when).strip())
        if match is None:
            raise ConfigError(f'{where}: date {when!r} must look like "08-17" or "2026-08-17"')
        year = int(match["year"]) if match["year"] else None
        month_day = (int(match["month"]), int(match["day"]))
        try:
            date(year or 2024, *month_day)
        except ValueError:
            raise ConfigError(f"{where}: date {when!r} does not exist") from None
    elif not isinstance(holiday, str):
        raise ConfigError(
            f"{where}: holiday must be the holiday's English name in the holidays package"
        )
    kind = raw.get("kind", "holiday" if holiday else default_kind)
    if kind not in DAY_KINDS:
        raise ConfigError(f"{where}: kind {kind!r} is not one of {', '.join(DAY_KINDS)}")
    greeting = raw.get("greeting", False)
    if not isinstance(greeting, bool):
        raise ConfigError(f"{where}: greeting must be true or false")
    name = _texts(raw.get("name"), where, "name")
    if when is not None and not name:
        raise ConfigError(f"{where}: name is missing ({{en: ..., id: ...}})")
    draft = _texts(raw.get("draft"), where, "draft")
    if greeting and not draft:
        raise ConfigError(f"{where}: a day with greeting: true needs a draft {{en: ..., id: ...}}")
    regions = raw.get("regions") or []
    if isinstance(regions, str):
        regions = [regions]
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise ConfigError(f"{where}: regions must be a list of names, e.g. [bali]")
    since = raw.get("since")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool)):
        raise ConfigError(f"{where}: since must be a year (a whole number)")
    return DayRule(
        key=key.strip(), kind=kind, source=source, holiday=holiday, month_day=month_day, year=year,
        name=name, greeting=greeting, draft=draft, avoid=_texts(raw.get("avoid"), where, "avoid"),
        regions=frozenset(r.strip().lower() for r in regions), since=since,
    )  # fmt: skip


def load_rules(path: Path, *, default_kind: str = "organisation") -> list[DayRule]:
    """The entries of one calendar file; :class:`ConfigError` names the file and the entry."""
    try:
        data = load_bounded_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"calendar file {path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"calendar file {path}: not valid YAML{yaml_problem(exc)}") from None
    days = data.get("days") if isinstance(data, Mapping) else None
    if not isinstance(days, list):
        raise ConfigError(f"calendar file {path}: expected a list under 'days:'")
    rules = [_rule(raw, f"calendar file {path}: day {n}", str(path), default_kind)
             for n, raw in enumerate(days, 1)]  # fmt: skip
    seen: set[str] = set()
    for rule in rules:
        if rule.key in seen:
            raise ConfigError(f"calendar file {path}: key {rule.key!r} is used twice")
        seen.add(rule.key)
    return rules


def _ordinal(n: int) -> str:
    """``81st``, ``82nd``, ``83rd``, ``84th``, ``111th``: English ordinals for drafts."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _fill(texts: Mapping[str, str], when: date, since: int | None) -> dict[str, str]:
    nth = when.year - since if since is not None else None
    values = {"year": when.year, "nth": nth or "", "ordinal": _ordinal(nth) if nth else ""}
    return {lang: text.format(**values) for lang, text in texts.items()}


def _public_holidays(
    first: date, last: date, collective_leave: bool
) -> list[tuple[date, str, str, str]]:
    """(date, English name, Indonesian name, category) of each holiday from the package."""
    import holidays

    years = list(range(first.year, last.year + 1))
    categories = ("public", "government") if collective_leave else ("public",)
    out = []
    for category in categories:
        en = holidays.country_holidays("ID", years=years, language="en_US", categories=(category,))
        id_ = holidays.country_holidays("ID", years=years, language="id", categories=(category,))
        for when in sorted(en):
            if not first <= when <= last:
                continue
            for name_en, name_id in zip(en.get_list(when), id_.get_list(when), strict=False):
                out.append((when, name_en, name_id, category))
    return out


def days_between(
    first: date,
    last: date,
    rules: Sequence[DayRule],
    *,
    collective_leave: bool = True,
) -> list[Day]:
    """Every day of the calendar from ``first`` to ``last`` (inclusive), in date order."""
    by_holiday: dict[str, list[DayRule]] = {}
    for rule in rules:
        if rule.holiday is not None:
            by_holiday.setdefault(rule.holiday.lower(), []).append(rule)
    out: list[Day] = []
    for when, name_en, name_id, category in _public_holidays(first, last, collective_leave):
        estimated = bool(_ESTIMATED.search(name_en))
        plain = _ESTIMATED.sub("", name_en)
        names = {"en": name_en, "id": name_id}
        if category == "government":
            out.append(Day(when, f"cuti-bersama-{when.isoformat()}", "leave", names))
            continue
        matched = by_holiday.get(plain.lower(), [])
        if not matched:
            out.append(Day(when, re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-"), "holiday",
                           names, estimated=estimated))  # fmt: skip
        for rule in matched:
            out.append(Day(
                when, rule.key, rule.kind, rule.name or names, rule.greeting,
                _fill(rule.draft, when, rule.since), _fill(rule.avoid, when, rule.since),
                rule.regions, estimated, rule.source,
            ))  # fmt: skip
    for rule in rules:
        if rule.month_day is None:
            continue
        for when in rule.dates(first, last):
            out.append(Day(
                when, rule.key, rule.kind, rule.name, rule.greeting,
                _fill(rule.draft, when, rule.since), _fill(rule.avoid, when, rule.since),
                rule.regions, False, rule.source,
            ))  # fmt: skip
    order = {k: n for n, k in enumerate(DAY_KINDS)}
    out.sort(key=lambda d: (d.date, order.get(d.kind, 9), d.key))
    return out


def calendar_rules(files: Iterable[str | Path]) -> list[DayRule]:
    """The built-in calendar, then the organisation's files (a later key replaces an earlier)."""
    builtin = load_rules(builtin_calendar_file(), default_kind="observance")
    rules: dict[str, DayRule] = {r.key: r for r in builtin}
    for file in files:
        for rule in load_rules(Path(file)):
            rules[rule.key] = rule
    return list(rules.values())
