"""``smguard report``: the weekly or monthly report, for a person, a tool or leadership.

Exit codes: 0 done; 1 ``--send`` could not deliver the digest to at least one sink (the report
itself was made); 3 bad input or configuration.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from smguard.cli.common import actor_option, open_store, resolve_actor
from smguard.cli.main import State
from smguard.cli.output import echo_json

_SENT = {"en": "Digest sent to {sink}.", "id": "Ringkasan terkirim ke {sink}."}
_FAILED = {"en": "Digest NOT sent to {sink}: {error}", "id": "Ringkasan GAGAL ke {sink}: {error}"}
_NO_SINKS = {
    "en": "No alert sink receives reports: add one to [alerts.sinks] (see docs/alerts.md).",
    "id": "Tidak ada kanal peringatan untuk laporan: tambahkan di [alerts.sinks] "
    "(lihat docs/alerts.md).",
}
_WROTE = {"en": "Wrote {path}", "id": "Ditulis ke {path}"}


@click.command()
@click.option(
    "--period",
    type=click.Choice(["week", "month"]),
    default="week",
    show_default=True,
    help="A week (Monday to Sunday) or a calendar month.",
)
@click.option(
    "--of",
    "of",
    metavar="WHEN",
    help="A date in the period (2026-06-03), a week (2026-W23) or a month (2026-06); "
    "default: the last whole one.",
)
@click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="NAME",
    help="Only this account (repeatable; default: all).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, html: a page with charts that needs no network.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option("--send", is_flag=True, help="Also send a digest through the alert sinks.")
@click.option(
    "--sink", "sinks", multiple=True, metavar="NAME", help="Send only to this sink (repeatable)."
)
@actor_option()
@click.pass_obj
def report(
    state: State,
    period: str,
    of: str | None,
    accounts: tuple[str, ...],
    fmt: str,
    output: Path | None,
    send: bool,
    sinks: tuple[str, ...],
    actor: str | None,
) -> None:
    """The weekly or monthly report: what went out, what was held and why, what went wrong.

    \b
    smguard report                              last week, every account, in the terminal
    smguard report --period month --of 2026-05 --format html -o mei.html
    smguard report --account kemcontoh_x --send  cron on Monday: the digest to the team channel

    Prime time is learnt from the platforms' own engagement counts (see docs/reports.md).
    """
    from smguard.records.tables import utcnow
    from smguard.reports import build_report, parse_period, record_report, render_text

    store = open_store(state)
    zone = store.config.reports.timezone or store.config.guard.timezone
    chosen = parse_period(period, of, utcnow(), zone)
    made = build_report(store, chosen, accounts)
    who = resolve_actor(actor)
    record_report(store, made, actor=who)
    if fmt == "json":
        text = None
        if output is None:
            echo_json(made.to_dict())
        else:
            import json

            text = json.dumps(made.to_dict(), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        from smguard.reports.page import render_html

        text = render_html(made, state.lang)
        if output is None:
            click.echo(text, nl=False)
            text = None
    else:
        text = render_text(made, state.lang)
        if output is None:
            click.echo(text)
            text = None
    if text is not None and output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(_WROTE[state.lang].format(path=output), err=fmt == "json")
    if not send:
        return
    from smguard.reports.digest import send_report

    outcome = send_report(store, made, sinks=sinks, actor=who)
    if not outcome:
        click.echo(_NO_SINKS[state.lang], err=True)
        sys.exit(1)
    for sink, error in outcome.items():
        if error is None:
            click.echo(_SENT[state.lang].format(sink=sink), err=True)
        else:
            click.echo(_FAILED[state.lang].format(sink=sink, error=error), err=True)
    if any(error is not None for error in outcome.values()):
        sys.exit(1)
