"""The report's digest: the few figures leadership reads first, sent through the alert sinks.

``smguard report --send`` (a cron job on Monday morning) posts it to the team's Slack, Discord or
Telegram, or as signed JSON (``event: "report"``, the whole report under ``report``). Sending
the same report again carries the same idempotency key, so receivers can drop the repeat.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from smguard.alerting import AlertMessage, send_digest
from smguard.reports.model import Report
from smguard.reports.sentences import durations_line, prime_time_lines, title
from smguard.reports.words import Words
from smguard.types import LANGUAGES

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["digest_key", "digest_message", "send_report"]


def digest_message(report: Report, lang: str) -> AlertMessage:
    """The digest in ``lang``: a headline, a summary line and up to ten facts."""
    w = Words(lang)
    p, c, i = report.publishing, report.checks, report.incidents
    d = c.by_decision
    headline = title(report, lang)
    if report.demo:
        headline = f"[DEMO] {headline}"
    summary = (
        f"{p.through_smguard} {w('via_smguard')}, {p.unapproved_live} {w('unapproved')}; "
        f"{i.opened} {w('incidents').lower()} {w('opened')}, {i.resolved} {w('resolved')}"
    )
    facts: list[tuple[str, str]] = [
        (w("checked"), f"{c.total}: {d.get('allow', 0)} {w('allow')}, "
                       f"{d.get('review', 0)} {w('review')}, {d.get('block', 0)} {w('block')}"),
        (w("unapproved_live"), str(p.unapproved_live)),
        (w("hold_to_approval"), durations_line(c.hold_to_approval, lang)),
        (w("tta"), durations_line(i.time_to_acknowledge, lang)),
        (w("ttr"), durations_line(i.time_to_resolve, lang)),
        (w("clarifications"), str(len(report.clarifications))),
        (w("hygiene"), w("hygiene_line", **{k: report.hygiene.counts.get(k, 0)
                                           for k in ("critical", "warning", "info")})),
        (w("quiet_hours"), str(report.quiet_hours_count)),
    ]  # fmt: skip
    if c.top_rules:
        facts.append((w("top_rules"), ", ".join(f"{r} ({n})" for r, n in c.top_rules[:3])))
    for prime in report.prime_time[: 10 - len(facts)]:
        facts.append((f"{w('prime_time')} {prime.account}", prime_time_lines(prime, lang)[0]))
    return AlertMessage(
        language=lang,
        severity="info",
        headline=headline,
        summary=summary,
        facts=tuple(facts),
        next_step=w("full_report", kind=report.period.kind, key=report.period.key),
        command=None,
        labels={"what": w("summary"), "next": w("next")},
    )


def digest_key(report: Report) -> str:
    """The same for the same period and accounts, whenever the report is sent."""
    scope = hashlib.sha256(report.scope.encode()).hexdigest()[:16]
    return f"smg-report-{report.period.key}-{scope}"


def send_report(
    store: Store, report: Report, *, sinks: Sequence[str] = (), actor: str
) -> dict[str, str | None]:
    """Send the digest of ``report``; return each sink's error (None: delivered)."""
    account = report.accounts[0] if len(report.accounts) == 1 else None
    return send_digest(
        store,
        {lang: digest_message(report, lang) for lang in LANGUAGES},
        key=digest_key(report),
        report=report.to_dict(),
        account=account,
        sinks=sinks,
        actor=actor,
    )
