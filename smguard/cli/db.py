"""``smguard db``: the database's schema.

``smguard db upgrade`` applies the migrations (they also run on first use, so this is for
deployments that want it as an explicit step); ``smguard db status`` says which revision the
database is at and exits 1 when it is behind (its old name, ``db current``, works for one more
release).
"""

from __future__ import annotations

import click

from smguard.cli.common import RecordsGroup, say
from smguard.cli.main import State
from smguard.cli.output import echo_json, format_option


def _head_revision() -> str | None:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from smguard.records.db import MIGRATIONS

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head: str | None = ScriptDirectory.from_config(cfg).get_current_head()
    return head


_T = {
    "upgraded": {
        "en": "Database {url} is up to date (revision {rev}).",
        "id": "Basis data {url} sudah terbaru (revisi {rev}).",
    },
    "current": {
        "en": "Database {url}: revision {rev} (latest).",
        "id": "Basis data {url}: revisi {rev} (terbaru).",
    },
    "behind": {
        "en": "Database {url}: revision {rev}, the latest is {head}: run `smguard db upgrade`.",
        "id": "Basis data {url}: revisi {rev}, yang terbaru {head}: jalankan `smguard db upgrade`.",
    },
    "empty": {
        "en": "Database {url} has no smguard tables yet: run `smguard db upgrade` "
        "(or any smguard command that uses it).",
        "id": "Basis data {url} belum berisi tabel smguard: jalankan `smguard db upgrade` "
        "(atau perintah smguard apa pun yang memakainya).",
    },
}


@click.group(cls=RecordsGroup, renamed={"current": "status"})
def db() -> None:
    """The database: apply migrations, see the schema revision.

    \b
    Where it is: SMGUARD_DATABASE_URL, else [storage] url in smguard.toml, else SQLite in
    your user data folder. Migrations also run by themselves on first use.
    """


@db.command()
@format_option()
@click.pass_obj
def upgrade(state: State, fmt: str) -> None:
    """Apply every migration the database does not have yet."""
    from smguard.records.db import Database

    database = Database.from_config(state.config.storage, migrate=False)
    try:
        database.upgrade()
        rev = database.current_revision()
    finally:
        database.dispose()
    if fmt == "json":
        echo_json({"url": database.safe_url, "revision": rev, "up_to_date": True})
        return
    click.echo(say(_T["upgraded"], state, url=database.safe_url, rev=rev))


@db.command()
@format_option()
@click.pass_obj
def status(state: State, fmt: str) -> None:
    """Say which schema revision the database is at (exit 1 when it needs an upgrade)."""
    from smguard.records.db import Database

    database = Database.from_config(state.config.storage, migrate=False)
    try:
        rev = database.current_revision()
    finally:
        database.dispose()
    head = _head_revision()
    url = database.safe_url
    if fmt == "json":
        echo_json({"url": url, "revision": rev, "head": head, "up_to_date": rev == head})
        raise SystemExit(0 if rev == head else 1)
    if rev is None:
        click.echo(say(_T["empty"], state, url=url))
        raise SystemExit(1)
    if rev != head:
        click.echo(say(_T["behind"], state, url=url, rev=rev, head=head))
        raise SystemExit(1)
    click.echo(say(_T["current"], state, url=url, rev=rev))
