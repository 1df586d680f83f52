"""``smguard calendar``: the days that matter, their greetings, and an .ics for the team."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import click

from smguard.cli.main import Problem, State
from smguard.cli.output import echo_json
from smguard.cli.style import tone

_KIND = {
    "holiday": {"en": "holiday", "id": "libur"},
    "observance": {"en": "national day", "id": "hari nasional"},
    "restraint": {"en": "RESTRAINT", "id": "MENAHAN DIRI"},
    "organisation": {"en": "ours", "id": "organisasi"},
    "leave": {"en": "leave", "id": "cuti bersama"},
}
_T = {
    "greeting": {"en": "greeting expected", "id": "ucapan diharapkan"},
    "no_greeting": {"en": "no greeting", "id": "tanpa ucapan"},
    "draft": {"en": "draft", "id": "draf"},
    "avoid": {"en": "do not", "id": "jangan"},
    "guard": {"en": "the guard says {decision} about this draft: {rules}",
              "id": "guard: {decision} untuk draf ini: {rules}"},
    "estimated": {"en": "date estimated", "id": "tanggal perkiraan"},
    "none": {"en": "No days in this range.", "id": "Tidak ada hari penting di rentang ini."},
    "wrote": {"en": "Wrote {n} days to {path}", "id": "{n} hari ditulis ke {path}"},
}  # fmt: skip


def _span(value: str) -> int:
    text = value.strip().lower()
    units = {"d": 1, "w": 7}
    if len(text) >= 2 and text[-1] in units and text[:-1].isdigit():
        return int(text[:-1]) * units[text[-1]]
    if text.isdigit():
        return int(text)
    raise click.BadParameter(f"{value!r} is not a number of days like 14d or 2w")


@click.command()
@click.option("--upcoming", metavar="DAYS", help="The next days from today: 14d, 2w, 30.")
@click.option("--year", type=int, help="A whole year (default: the next 30 days).")
@click.option("--from", "start", metavar="DATE", help="First day (2026-06-01); with --upcoming.")
@click.option("--account", metavar="NAME", help="Only the days that concern this account.")
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the days as an iCalendar file for the team's calendar app.")  # fmt: skip
@click.option("--no-check", is_flag=True, help="Do not run the drafts through the guard.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output: text for people, json for tools.",
)
@click.pass_obj
def calendar(
    state: State,
    upcoming: str | None,
    year: int | None,
    start: str | None,
    account: str | None,
    ics: Path | None,
    no_check: bool,
    fmt: str,
) -> None:
    """The days that matter: holidays, national days, days of restraint; greetings; .ics.

    \b
    smguard calendar --upcoming 14d            the next two weeks, with draft greetings
    smguard calendar --year 2027 --ics 2027.ics for the team's calendar app
    smguard calendar --account kemcontoh_bali  with Bali's days (regions in [calendar])

    Public holidays come from the holidays package; national days, days of restraint and your
    own days are data (docs/calendar.md). Each draft greeting is checked by the guard.
    """
    from smguard.planning.days import calendar_rules, days_between
    from smguard.types import localized

    config = state.config
    zone = config.account(account).tz
    if year is not None:
        if upcoming or start:
            raise Problem("--year cannot be combined with --upcoming or --from")
        first, last = date(year, 1, 1), date(year, 12, 31)
    else:
        try:
            first = date.fromisoformat(start) if start else datetime.now(zone).date()
        except ValueError:
            raise Problem(f"--from: {start!r} is not a date like 2026-06-01") from None
        last = first + timedelta(days=_span(upcoming or "30d") - 1)
    days = days_between(first, last, calendar_rules(config.calendar.files),
                        collective_leave=config.calendar.collective_leave)  # fmt: skip
    if account is not None:
        regions = config.calendar.regions_of(account)
        days = [d for d in days if d.applies_to(regions)]
    lang = state.lang
    checked: dict[tuple[str, str], dict[str, object]] = {}
    if not no_check:
        guard = state.guard()
        for day in days:
            for draft_lang, text in day.draft.items():
                verdict = guard.check({"text": text, "language": draft_lang, "account": account})
                checked[(day.key + day.date.isoformat(), draft_lang)] = {
                    "decision": verdict.decision,
                    "rules": [f.rule for f in verdict.findings],
                }
    if ics is not None:
        from smguard.planning.ics import to_ics

        ics.write_bytes(to_ics(days, lang).encode("utf-8"))
        click.echo(localized(_T["wrote"], lang).format(n=len(days), path=ics), err=fmt == "json")
    if fmt == "json":
        out = []
        for day in days:
            item = day.to_dict(lang)
            if checked:
                item["draft_check"] = {
                    k: checked[(day.key + day.date.isoformat(), k)] for k in day.draft
                }
            out.append(item)
        echo_json({"from": first.isoformat(), "to": last.isoformat(), "days": out})
        return
    if ics is not None:
        return
    if not days:
        click.echo(localized(_T["none"], lang))
        return
    for day in days:
        kind = localized(_KIND.get(day.kind, {"en": day.kind}), lang)
        where = f" [{', '.join(sorted(day.regions))}]" if day.regions else ""
        est = f" ({localized(_T['estimated'], lang)})" if day.estimated else ""
        greet = localized(_T["greeting" if day.greeting else "no_greeting"], lang)
        line = f"{day.date:%a %Y-%m-%d}  {localized(day.name, lang)}{est}{where} — {kind}, {greet}"
        click.echo(tone(line, "review", bold=True) if day.restraint else line)
        if day.draft:
            click.echo(f"    {localized(_T['draft'], lang)}: {localized(day.draft, lang)}")
            result = checked.get((day.key + day.date.isoformat(), lang if lang in day.draft
                                  else "en"))  # fmt: skip
            if result and result["decision"] != "allow":
                rules = ", ".join(str(r) for r in result["rules"])  # type: ignore[attr-defined]
                note = localized(_T["guard"], lang).format(decision=result["decision"], rules=rules)
                click.echo("    " + tone(note, str(result["decision"])))
        if day.avoid:
            click.echo(f"    {localized(_T['avoid'], lang)}: {localized(day.avoid, lang)}")
