"""Storage on SQLite and PostgreSQL: migrations, the schema, connection errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from smguard.config.core import StorageTable
from smguard.errors import StorageError
from smguard.records.db import Database, database_url
from smguard.records.tables import Base


def head_revision() -> str:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from smguard.records.db import MIGRATIONS

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def test_migrations_from_empty_create_every_table(db_url: str) -> None:
    db = Database(db_url)
    tables = set(db.tables())
    assert set(Base.metadata.tables) <= tables
    assert db.current_revision() == head_revision()
    Database(db_url).upgrade()  # idempotent, a second process finds nothing to do
    db.dispose()


def test_models_match_the_migrations(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = Database(db_url)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.dispose()


def test_downgrade_to_empty_and_up_again(db_url: str) -> None:
    db = Database(db_url)
    db.downgrade("base")
    assert set(db.tables()) <= {"alembic_version"}
    db.upgrade()
    assert set(Base.metadata.tables) <= set(db.tables())
    db.dispose()


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'smguard.records.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    db.dispose()


def test_url_resolution(tmp_path: Path) -> None:
    storage = StorageTable(url="sqlite:///x.db")
    assert database_url(storage, env={}) == "sqlite:///x.db"
    env = {"SMGUARD_DATABASE_URL": "postgresql+psycopg://u@h/d"}
    assert database_url(storage, env=env) == env["SMGUARD_DATABASE_URL"]
    assert database_url(StorageTable(), env={}).endswith("smguard.records.db")


def test_unreachable_database_is_one_clear_line() -> None:
    url = "postgresql+psycopg://smg:secret-pw@127.0.0.1:1/nowhere"
    with pytest.raises(StorageError) as info:
        Database(url)
    message = str(info.value)
    assert "cannot upgrade the schema of the database" in message
    assert "127.0.0.1:1/nowhere" in message
    assert "secret-pw" not in message
    assert "\n" not in message


def test_not_a_url() -> None:
    with pytest.raises(StorageError, match="not a database URL"):
        Database("not a url at all")


def test_each_revision_upgrades_from_the_one_before_and_keeps_the_data(db_url: str) -> None:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from smguard.records.audit import append_event, verify_chain
    from smguard.records.db import MIGRATIONS

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions[0] == "0001" and len(revisions) >= 2
    db = Database(db_url, migrate=False)
    db.upgrade("0001")
    with db.session() as s:  # data written by the oldest schema
        append_event(s, "check.recorded", actor="ci", details={"n": 1})
    for revision in revisions[1:]:
        db.upgrade(revision)
        assert db.current_revision() == revision
        with db.session() as s:
            append_event(s, "db.upgraded", actor="ci", details={"to": revision})
    result = verify_chain(db)
    assert result.ok and result.checked == len(revisions)
    db.dispose()


def test_a_database_error_never_shows_the_statement_or_its_parameters(db: Database) -> None:
    """Regression (issue 12): an ingest error printed the SQL with other events' data."""
    with pytest.raises(StorageError) as caught, db.session() as session:
        session.execute(
            text("INSERT INTO no_such_table (a) VALUES (:a)"), {"a": "OTHER-EVENTS-DATA"}
        )
    message = str(caught.value)
    assert "OTHER-EVENTS-DATA" not in message and "[SQL" not in message, message
    assert "INSERT" not in message and "no_such_table" in message, message
