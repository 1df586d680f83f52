"""``smguard plan check PLAN``: a content plan, checked before the week starts.

Exit codes as ``smguard check``: 0 nothing to review, 1 something to review, 2 a post the guard
blocks, 3 the plan (or a row of it) cannot be read. Notes (a post away from prime time) do not
change the exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from smguard.cli.common import open_store
from smguard.cli.main import State
from smguard.cli.output import echo_json
from smguard.cli.style import tone

_T = {
    "ok": {"en": "{posts} planned posts: nothing to fix.",
           "id": "{posts} unggahan terencana: tidak ada yang perlu diperbaiki."},
    "summary": {"en": "{posts} planned posts, {n} problem(s).",
                "id": "{posts} unggahan terencana, {n} masalah."},
}  # fmt: skip


@click.group()
def plan() -> None:
    """Check a content plan before the week starts."""


@plan.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output: one line per problem for people, json for tools.",
)
@click.pass_obj
def check(state: State, path: Path, fmt: str) -> None:
    """Check PLAN (CSV or YAML: when, account, text, media, author): one line per problem.

    \b
    Every post through the guard (quiet hours included), then: days of restraint, national
    days with no greeting planned, gaps, posts too close together, posts away from prime time.
    Exit codes: 0 fine, 1 something to review, 2 something blocked, 3 unreadable plan.
    """
    from smguard.planning.plancheck import check_plan
    from smguard.planning.planfile import read_plan

    store = open_store(state)
    posts, errors = read_plan(path, lambda account: store.config.account(account).tz)
    result = check_plan(store, state.guard(), posts, errors, lang=state.lang)
    if fmt == "json":
        echo_json({"file": str(path), **result.to_dict()})
        sys.exit(result.exit_code)
    lang = state.lang
    for p in result.problems:
        where = f"{path}:{p.line}" if p.line is not None else str(path)
        when = f"{p.when:%Y-%m-%d %H:%M}" if p.when else (p.day.isoformat() if p.day else "")
        head = " ".join(x for x in (where + ":", p.level.upper(), p.code, when, p.account) if x)
        click.echo(tone(f"{head}: {p.message}", p.level))
        if p.suggestion:
            click.echo(f"    → {p.suggestion}")
    key = "summary" if result.problems else "ok"
    click.echo(_T[key][lang if lang in _T[key] else "en"].format(
        posts=result.posts, n=len(result.problems)))  # fmt: skip
    sys.exit(result.exit_code)
