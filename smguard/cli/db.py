"""``smguard db``: the database's schema.

``smguard db upgrade`` applies the migrations (they also run on first use, so this is for
deployments that want it as an explicit step); ``smguard db current`` says which revision the
database is at and exits 1 when it is behind.
"""

from __future__ import annotations

import click

from smguard.cli.common import RecordsGroup, say
from smguard.cli.main import State


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


@click.group(cls=RecordsGroup)
def db() -> None:
    """The database: apply migrations, see the schema revision.

    \b
    Where it is: SMGUARD_DATABASE_URL, else [storage] url in smguard.toml, else SQLite in
    your user data folder. Migrations also run by themselves on first use.
    """


@db.command()
@click.pass_obj
def upgrade(state: State) -> None:
    """Apply every migration the database does not have yet."""
    from smguard.records.db import Database

    database = Database.from_config(state.config.storage, migrate=False)
    try:
        database.upgrade()
        rev = database.current_revision()
    finally:
        database.dispose()
    click.echo(say(_T["upgraded"], state, url=database.safe_url, rev=rev))


@db.command()
@click.pass_obj
def current(state: State) -> None:
    """Say which schema revision the database is at (exit 1 when it needs an upgrade)."""
    from smguard.records.db import Database

    database = Database.from_config(state.config.storage, migrate=False)
    try:
        rev = database.current_revision()
    finally:
        database.dispose()
    head = _head_revision()
    url = database.safe_url
    if rev is None:
        click.echo(say(_T["empty"], state, url=url))
        raise SystemExit(1)
    if rev != head:
        click.echo(say(_T["behind"], state, url=url, rev=rev, head=head))
        raise SystemExit(1)
    click.echo(say(_T["current"], state, url=url, rev=rev))
