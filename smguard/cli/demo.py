"""``smguard demo``: a made-up account's five weeks in an empty database, to try things on."""

from __future__ import annotations

import click

from smguard.cli.common import open_store
from smguard.cli.main import State
from smguard.cli.output import echo_json, format_option

_DONE = {
    "en": "DEMO DATA written to {url}: account {account}, {posts} posts, {checks} checks, "
    "{incidents} incidents, {first} to {last}.\nNow try: smguard report · smguard calendar "
    "--upcoming 14d · smguard plan check examples/plan.csv",
    "id": "DATA DEMO ditulis ke {url}: akun {account}, {posts} unggahan, {checks} pemeriksaan, "
    "{incidents} insiden, {first} sampai {last}.\nCoba: smguard report · smguard calendar "
    "--upcoming 14d · smguard plan check examples/plan.csv",
}


@click.command()
@format_option()
@click.pass_obj
def demo(state: State, fmt: str) -> None:
    """Fill an EMPTY database with demo data (account demo_kemcontoh) to try the reports on.

    \b
    export SMGUARD_DATABASE_URL=sqlite:///./smguard-demo.db
    smguard demo && smguard report

    Everything is marked as demo data: the account is demo_kemcontoh, the posts say [DEMO],
    and every report of the database says so at the top. A database that already holds
    records is refused.
    """
    from smguard.reports.demo import create_demo

    store = open_store(state)
    made = create_demo(store)
    values = {
        "url": store.db.safe_url,
        "account": made.account,
        "posts": made.posts,
        "checks": made.checks,
        "incidents": made.incidents,
        "first": made.first.date().isoformat(),
        "last": made.last.date().isoformat(),
    }
    if fmt == "json":
        echo_json({"demo": True, **values})
        return
    click.echo(_DONE[state.lang].format(**values))
