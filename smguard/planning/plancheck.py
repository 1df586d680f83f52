"""``smguard plan check``: a content plan, checked before the week starts.

Every planned post goes through the guard (its findings, with ``scheduled_at`` set, include the
account's quiet hours). Then the plan as a whole is checked against the calendar and the
account's habits:

==============  ========  =================================================================
code            level     problem
==============  ========  =================================================================
SMG-PLAN-001    review    a post on a day of restraint (30 September, Nyepi in Bali, …)
SMG-PLAN-002    review    a national day that expects a greeting, and none is planned
SMG-PLAN-003    review    several days in a row with nothing planned on an account
SMG-PLAN-004    review    two posts of one account too close together
SMG-PLAN-005    note      a post away from the account's prime time
SMG-PLAN-000    error     a row of the plan that cannot be read
==============  ========  =================================================================

Exit codes as ``smguard check``: 0 nothing to review, 1 something to review, 2 a post the guard
blocks, 3 the plan (or a row of it) cannot be read. Notes do not change the exit code.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from smguard.planning.days import Day, calendar_rules, days_between
from smguard.planning.planfile import PlanError, PlannedPost
from smguard.types import Post, localized

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["LEVELS", "PlanProblem", "PlanResult", "check_plan"]

LEVELS = ("block", "review", "note", "error")
_EXIT = {"error": 3, "block": 2, "review": 1}
_GENERIC = frozenset({"hari", "raya", "nasional", "national", "day", "the", "of", "and", "dari",
                      "kedua", "second", "tahun", "baru", "new", "year"})  # fmt: skip
_GREETING_WORDS = ("selamat", "dirgahayu", "happy", "merry", "mubarak")

_T = {
    "restraint": {
        "en": "{name} is a day of restraint: {avoid}",
        "id": "{name} adalah hari menahan diri: {avoid}",
    },
    "greeting": {
        "en": "{name} on {date}: a greeting is expected and none is planned on {account}",
        "id": "{name} pada {date}: ucapan diharapkan, tetapi belum ada yang direncanakan di "
        "{account}",
    },
    "greeting_fix": {"en": "Draft: {draft}", "id": "Draf: {draft}"},
    "gap": {
        "en": "nothing planned on {account} from {first} to {last} ({days} days)",
        "id": "tidak ada rencana di {account} dari {first} sampai {last} ({days} hari)",
    },
    "close": {
        "en": "{minutes} min after the post of line {other}; keep at least {spacing} min between "
        "posts of one account",
        "id": "{minutes} menit setelah unggahan baris {other}; beri jarak minimal {spacing} menit "
        "antarunggahan satu akun",
    },
    "prime": {
        "en": "{time} is away from the account's prime time ({slots}, {source})",
        "id": "{time} jauh dari jam ramai akun ({slots}, {source})",
    },
    "learnt": {"en": "learnt from its engagement", "id": "dari data interaksinya"},
    "configured": {"en": "as configured", "id": "sesuai pengaturan"},
}


@dataclass(frozen=True)
class PlanProblem:
    level: str
    code: str
    message: str
    line: int | None = None
    account: str | None = None
    when: datetime | None = None
    day: date | None = None
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "level": self.level,
            "code": self.code,
            "account": self.account,
            "when": self.when.isoformat() if self.when else None,
            "date": self.day.isoformat() if self.day else None,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class PlanResult:
    posts: int
    problems: tuple[PlanProblem, ...]

    @property
    def exit_code(self) -> int:
        return max((_EXIT.get(p.level, 0) for p in self.problems), default=0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "exit_code": self.exit_code,
            "problems": [p.to_dict() for p in self.problems],
        }


def _say(key: str, lang: str, **values: Any) -> str:
    return localized(_T[key], lang).format(**values)


def _mentions(text: str, day: Day) -> bool:
    flat = re.sub(r"[^a-z0-9]+", "", text.lower())
    words = {
        w for name in day.name.values() for w in re.findall(r"[a-z0-9]+", name.lower())
        if len(w) >= 4 and w not in _GENERIC
    }  # fmt: skip
    return any(w in flat for w in words) or any(w in flat for w in _GREETING_WORDS)


def _minutes_apart(a: time, b: time) -> int:
    diff = abs((a.hour * 60 + a.minute) - (b.hour * 60 + b.minute))
    return min(diff, 1440 - diff)


def check_plan(
    store: Store,
    guard: Any,
    posts: Sequence[PlannedPost],
    errors: Sequence[PlanError] = (),
    *,
    lang: str = "en",
    now: datetime | None = None,
) -> PlanResult:
    """Every problem of the plan, in the order of its lines (plan-wide ones by date after)."""
    from smguard.records.tables import utcnow
    from smguard.reports.gather import learnt_prime_time

    config = store.config
    problems = [PlanProblem("error", "SMG-PLAN-000", e.message, line=e.line) for e in errors]
    ordered = sorted(posts, key=lambda p: (p.when, p.line))
    verdicts = guard.check_many([
        Post(text=p.text, id=str(p.line), kind=p.kind, account=p.account,
             language=p.language, scheduled_at=p.when, media=p.media)
        for p in ordered
    ])  # fmt: skip
    settings = config.plan
    if ordered:
        first = min(p.when.astimezone(config.account(p.account).tz).date() for p in ordered)
        last = max(p.when.astimezone(config.account(p.account).tz).date() for p in ordered)
        calendar = days_between(first, last, calendar_rules(config.calendar.files),
                                collective_leave=False)  # fmt: skip
    else:
        first = last = date.today()
        calendar = []
    prime: dict[str, tuple[tuple[str, ...], str]] = {}
    by_account: dict[str, list[PlannedPost]] = {}
    for post, verdict in zip(ordered, verdicts, strict=True):
        acct = config.account(post.account)
        local = post.when.astimezone(acct.tz)
        level = {"block": "block", "review": "review"}.get(verdict.decision, "note")
        for f in verdict.findings:
            # A plan is checked for its timing above all: quiet hours need a look here.
            shown = "review" if level == "note" and f.category == "timing" else level
            problems.append(PlanProblem(
                shown, f.rule, localized(f.message, lang), line=post.line, account=post.account,
                when=local, suggestion=localized(f.suggestion, lang) or None,
            ))  # fmt: skip
        regions = config.calendar.regions_of(post.account)
        for day in calendar:
            if day.restraint and day.date == local.date() and day.applies_to(regions):
                problems.append(PlanProblem(
                    "review", "SMG-PLAN-001",
                    _say("restraint", lang, name=localized(day.name, lang),
                         avoid=localized(day.avoid, lang)),
                    line=post.line, account=post.account, when=local,
                ))  # fmt: skip
        if settings.prime_time and post.kind == "post":
            if post.account not in prime:
                learnt = learnt_prime_time(store, post.account, now or utcnow())
                if learnt.status == "recommended":
                    prime[post.account] = (learnt.recommended, _say("learnt", lang))
                else:
                    prime[post.account] = (acct.prime_time, _say("configured", lang))
            slots, source = prime[post.account]
            window = settings.prime_time_window_minutes
            if slots and all(
                _minutes_apart(local.time(), time.fromisoformat(s)) > window for s in slots
            ):
                problems.append(PlanProblem(
                    "note", "SMG-PLAN-005",
                    _say("prime", lang, time=f"{local:%H:%M}", slots=", ".join(slots),
                         source=source),
                    line=post.line, account=post.account, when=local,
                ))  # fmt: skip
        by_account.setdefault(post.account, []).append(post)

    for account, planned in by_account.items():
        acct = config.account(account)
        regions = config.calendar.regions_of(account)
        local_posts = [(p, p.when.astimezone(acct.tz)) for p in planned]
        for (a, at_a), (b, at_b) in itertools.pairwise(local_posts):
            minutes = int((at_b - at_a).total_seconds() // 60)
            if minutes < settings.min_spacing_minutes:
                problems.append(PlanProblem(
                    "review", "SMG-PLAN-004",
                    _say("close", lang, minutes=minutes, other=a.line,
                         spacing=settings.min_spacing_minutes),
                    line=b.line, account=account, when=at_b,
                ))  # fmt: skip
            gap = (at_b.date() - at_a.date()).days - 1
            if gap >= settings.gap_days:
                problems.append(PlanProblem(
                    "review", "SMG-PLAN-003",
                    _say("gap", lang, account=account,
                         first=(at_a.date() + timedelta(days=1)).isoformat(),
                         last=(at_b.date() - timedelta(days=1)).isoformat(), days=gap),
                    account=account, day=at_a.date() + timedelta(days=1),
                ))  # fmt: skip
        for day in calendar:
            if not day.greeting or not day.applies_to(regions):
                continue
            that_day = [p for p, at in local_posts if at.date() == day.date]
            if any(_mentions(p.text, day) for p in that_day):
                continue
            problems.append(PlanProblem(
                "review", "SMG-PLAN-002",
                _say("greeting", lang, name=localized(day.name, lang), date=day.date.isoformat(),
                     account=account),
                account=account, day=day.date,
                suggestion=_say("greeting_fix", lang, draft=localized(day.draft, lang)),
            ))  # fmt: skip
    problems.sort(key=lambda p: (
        p.line is None, p.line or 0, (p.day or (p.when.date() if p.when else first)),
        p.account or "", p.code,
    ))  # fmt: skip
    return PlanResult(len(posts), tuple(problems))
