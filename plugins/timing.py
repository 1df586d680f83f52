"""Timing: a post scheduled inside the account's quiet hours (``SMG-TIME-001``).

A post that goes out at 02:30 local time reaches few people, and the first replies to it sit
unanswered for hours; worse, a post nobody on the team would have published at that hour looks
exactly like what a hijacked account posts. The rule compares ``scheduled_at`` with the account's
quiet hours in the account's own time zone (``[accounts.NAME] timezone``, ``quiet_hours``) and
suggests the next of the account's ``prime_time`` slots.

Only kind ``post`` is timed: replies, comments and direct messages answer a person, and answering
a follower at 2 am is good service, not bad timing. ``[plugins.timing] kinds`` changes that.
A post without ``scheduled_at`` (published now) is not timed either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Annotated, Any

from msgspec import Meta

from smguard import hookimpl
from smguard.config import AccountSettings, Config
from smguard.config.accounts import in_window
from smguard.config.schema import NAMES, Table, invalid, str_list
from smguard.guard.rule import CheckContext, Example, Rule
from smguard.types import POST_KINDS, Finding, Post, Severity

__all__ = [
    "QuietHoursRule",
    "TimingSettings",
    "in_window",
    "next_slot",
    "register_rules",
    "register_settings",
    "zone_label",
]

#: Indonesia's own names for its three zones (Asia/Pontianak is WIB too).
ZONE_NAMES: Mapping[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}
PLUGIN = "timing"


def zone_label(when: datetime, zone: str) -> str:
    """``WIB``/``WITA``/``WIT`` for Indonesian zones, else the zone's abbreviation (``CEST``)."""
    if zone in ZONE_NAMES:
        return ZONE_NAMES[zone]
    name = when.tzname() or ""
    if not name or name[0] in "+-":  # zones without an abbreviation report "+08"
        offset = when.strftime("%z")
        return f"UTC{offset[:3]}:{offset[3:]}" if offset else zone
    return name


def next_slot(local: datetime, account: AccountSettings) -> datetime | None:
    """The first prime-time slot after ``local`` (same zone) that is not itself in quiet hours.

    Falls back to the end of the quiet hours when no prime-time slot qualifies.
    """
    start, end = account.quiet_hours
    slots = sorted(time.fromisoformat(s) for s in account.prime_time)
    slots = [s for s in slots if not in_window(s, start, end)] or [end]
    for days in (0, 1):
        day = (local + timedelta(days=days)).date()
        for slot in slots:
            candidate = datetime.combine(day, slot, tzinfo=local.tzinfo)
            if candidate > local:
                return candidate
    return None  # pragma: no cover - a slot tomorrow always comes after today


def _hhmm(at: time | datetime, sep: str = ":") -> str:
    return f"{at.hour:02d}{sep}{at.minute:02d}"


@dataclass(eq=False)
class QuietHoursRule(Rule):
    """SMG-TIME-001: scheduled inside the account's quiet hours."""

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        when = post.scheduled_at
        if when is None:
            return ()
        account = ctx.account
        start, end = account.quiet_hours
        local = when.astimezone(account.tz)
        if not in_window(local.time(), start, end):
            return ()
        zone = account.timezone
        label = zone_label(local, zone)
        window_en = f"{_hhmm(start)}–{_hhmm(end)}"
        window_id = f"{_hhmm(start, '.')}–{_hhmm(end, '.')}"
        message = {
            "en": f"Scheduled for {_hhmm(local)} {label} ({zone}), inside the account's quiet "
            f"hours {window_en}.",
            "id": f"Dijadwalkan pukul {_hhmm(local, '.')} {label} ({zone}), di dalam jam tenang "
            f"akun {window_id}.",
        }
        slots_en = ", ".join(account.prime_time)
        slots_id = ", ".join(s.replace(":", ".") for s in account.prime_time)
        better = next_slot(local, account)
        if better is None:  # pragma: no cover - see next_slot
            suggestion = dict(self.suggestion or {})
        else:
            later_en = " the next day" if better.date() != local.date() else ""
            later_id = " keesokan harinya" if better.date() != local.date() else ""
            if account.prime_time:
                tail_en = f" (the account's prime time: {slots_en})"
                tail_id = f" (jam ramai akun: {slots_id})"
            else:
                tail_en = ", after the quiet hours"
                tail_id = ", setelah jam tenang"
            at = zone_label(better, zone)  # may differ from ``label`` across a DST change
            suggestion = {
                "en": f"Consider {_hhmm(better)} {at}{later_en} instead{tail_en}.",
                "id": f"Pertimbangkan pukul {_hhmm(better, '.')} {at}{later_id}{tail_id}.",
            }
        return [
            self.finding(
                message=message,
                suggestion=suggestion,
                evidence=local.isoformat(timespec="minutes"),
            )
        ]


class TimingSettings(Table, frozen=True):
    """``[plugins.timing]``: which kinds of post are timed."""

    kinds: Annotated[
        NAMES, Meta(description='Kinds of post checked against quiet hours (default: ["post"]).')
    ] = ("post",)

    def __post_init__(self) -> None:
        kinds = str_list(self.kinds)
        if not kinds or any(k not in POST_KINDS for k in kinds):
            invalid("kinds", f"must be a list of {', '.join(POST_KINDS)}")


def make_rule(kinds: frozenset[str] = frozenset({"post"})) -> QuietHoursRule:
    def post(when: str, kind: str = "post") -> dict[str, Any]:
        return {"text": "Jangan lupa lapor SPT Tahunan sebelum 31 Maret.", "kind": kind,
                "scheduled_at": when}  # fmt: skip

    return QuietHoursRule(
        id="SMG-TIME-001",
        name="quiet-hours",
        category="timing",
        severity=Severity.LOW,
        engine="timing",
        kinds=kinds,
        source=__name__,
        message={
            "en": "The post is scheduled inside the account's quiet hours.",
            "id": "Unggahan dijadwalkan di dalam jam tenang akun.",
        },
        why={
            "en": "Few followers see a post published in the middle of the night, replies to it "
            "wait hours for an answer, and a post at an hour nobody on the team works looks "
            "like what a hijacked account publishes. Quiet hours are local to the account's "
            "audience (WIB, WITA, WIT), so set each account's time zone. Replies, comments and "
            "direct messages are not timed: answering a follower at 2 am is good service.",
            "id": "Unggahan tengah malam dilihat sedikit pengikut, balasan atasnya menunggu "
            "berjam-jam, dan unggahan pada jam ketika tidak ada anggota tim yang bekerja mirip "
            "unggahan akun yang dibajak. Jam tenang mengikuti zona waktu audiens akun (WIB, "
            "WITA, WIT), jadi atur zona waktu tiap akun. Balasan, komentar, dan pesan langsung "
            "tidak diperiksa: menjawab pengikut pukul 2 pagi adalah layanan yang baik.",
        },
        suggestion={
            "en": "Schedule it for one of the account's prime-time slots.",
            "id": "Jadwalkan pada salah satu jam ramai akun.",
        },
        examples=(
            Example(post("2026-03-31T02:00:00+07:00"), bad=True),
            Example(post("2026-03-30T19:30:00Z"), bad=True),  # 02:30 WIB
            Example(post("2026-03-31T07:00:00+07:00"), bad=False),
            Example(post("2026-03-31T05:00:00+07:00"), bad=False),  # quiet hours end at 05:00
            Example(post("2026-03-31T02:00:00+07:00", kind="reply"), bad=False),
            Example({"text": "Jangan lupa lapor SPT Tahunan sebelum 31 Maret."}, bad=False),
        ),
    )


@hookimpl
def register_settings(register: Callable[[str, type[Table]], None]) -> None:
    register(PLUGIN, TimingSettings)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    settings = config.plugin_settings(PLUGIN, TimingSettings)
    register(make_rule(frozenset(str_list(settings.kinds))))
