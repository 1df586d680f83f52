"""The report in the terminal: short sections, the figures a person reads first."""

from __future__ import annotations

from smguard.reports.model import Report
from smguard.reports.sentences import (
    durations_line,
    hygiene_change_line,
    prime_time_lines,
    title,
    when_text,
)
from smguard.reports.words import Words

__all__ = ["render_text"]


def _section(lines: list[str], name: str) -> None:
    lines += ["", name, "-" * len(name)]


def render_text(report: Report, lang: str = "en") -> str:
    """The whole report as plain text (no colour; the command adds none)."""
    w = Words(lang)
    lines = [title(report, lang)]
    if report.demo:
        lines.append(f"*** {w('demo')} ***")
    lines.append(w("generated", when=when_text(report.generated_at, report.period.timezone, lang)))

    p = report.publishing
    _section(lines, w("publishing"))
    lines.append(
        f"{w('through_smguard')}: {p.through_smguard} "
        f"({p.approved_by_second_person} {w('second_person')})"
    )
    lines.append(f"{w('seen_live')}: {p.seen_live}")
    lines.append(f"{w('unapproved_live')}: {p.unapproved_live}")
    if p.by_app:
        apps = ", ".join(f"{app} {n}" for app, n in p.by_app.items())
        lines.append(f"{w('apps')}: {apps}")
    for account, row in p.by_account.items():
        lines.append(
            f"  {account}: {row['through_smguard']} {w('via_smguard')}, "
            f"{row['seen_live']} {w('live')}, {row['unapproved_live']} {w('unapproved')}"
        )

    c = report.checks
    _section(lines, w("checks"))
    d = c.by_decision
    lines.append(
        f"{w('checked')}: {c.total} — {d.get('allow', 0)} {w('allow')}, "
        f"{d.get('review', 0)} {w('review')}, {d.get('block', 0)} {w('block')}"
    )
    if c.by_category:
        lines.append(
            f"{w('by_category')}: " + ", ".join(f"{k} {n}" for k, n in c.by_category.items())
        )
    if c.top_rules:
        lines.append(f"{w('top_rules')}:")
        lines += [f"  {rule:<24} {n}" for rule, n in c.top_rules]
    if c.top_authors_held:
        lines.append(f"{w('top_authors')}:")
        lines += [
            f"  {a:<24} {r} {w('review')}, {b} {w('block')}" for a, r, b in c.top_authors_held
        ]
    lines.append(f"{w('hold_to_approval')}: {durations_line(c.hold_to_approval, lang)}")

    i = report.incidents
    _section(lines, w("incidents"))
    lines.append(
        f"{i.opened} {w('opened')}, {i.acknowledged} {w('acknowledged')}, "
        f"{i.resolved} {w('resolved')}, {i.open_at_end} {w('open_at_end')}"
    )
    if i.opened_by_severity:
        lines.append(
            f"{w('by_severity')}: " + ", ".join(f"{k} {n}" for k, n in i.opened_by_severity.items())
        )
    lines.append(f"{w('tta')}: {durations_line(i.time_to_acknowledge, lang)}")
    lines.append(f"{w('ttr')}: {durations_line(i.time_to_resolve, lang)}")
    lines.append(f"{w('clarifications')}: {len(report.clarifications)}")
    for cl in report.clarifications:
        lines.append(f"  #{cl.id} (incident #{cl.incident_id}, {cl.language}) {cl.ref or ''}")
    a = report.alerts
    lines.append(
        f"{w('alerts')}: "
        + w(
            "alerts_line",
            delivered=a.delivered,
            retried=a.delivered_after_retry,
            failed=a.failed,
            pending=a.pending,
        )
    )

    h = report.hygiene
    _section(lines, w("hygiene"))
    counts = {k: h.counts.get(k, 0) for k in ("critical", "warning", "info")}
    lines.append(w("hygiene_line", **counts))
    lines.append(hygiene_change_line(report, lang))
    for f in h.new:
        lines.append(f"  + {w('new')}: {f['code']} {f['message'].get(lang, f['message']['en'])}")
    for f in h.fixed:
        lines.append(f"  - {w('fixed')}: {f['code']} {f['message'].get(lang, f['message']['en'])}")

    _section(lines, w("prime_time"))
    for prime in report.prime_time:
        first, *evidence = prime_time_lines(prime, lang)
        lines.append(f"{prime.account}: {first}")
        lines += [f"  {e}" for e in evidence]
    lines.append(f"{w('quiet_hours')}: {report.quiet_hours_count}")
    for q in report.quiet_hours_posts[:10]:
        lines.append(f"  {q.account} {q.at:%Y-%m-%d %H:%M} {q.url or ''}")
    return "\n".join(lines)
