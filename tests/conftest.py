"""Fixtures every test shares: a clean environment and a fresh database on SQLite or PostgreSQL.

PostgreSQL is found at ``SMGUARD_TEST_PG_URL`` (default: the ``test`` database on 127.0.0.1:5432,
user ``postgres``); each test gets a schema of its own there, dropped afterwards. In CI
(``CI`` set) a PostgreSQL that does not answer fails the run instead of skipping its tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def _pack_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the parsed-pack cache of the whole run, not the user's own cache."""
    return tmp_path_factory.mktemp("pack-cache")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, _pack_cache: Path) -> None:
    """Tests never see the developer's own smguard settings, nor write to their cache."""
    for name in list(os.environ):
        if name.startswith("SMGUARD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SMGUARD_PACK_CACHE", str(_pack_cache))


# -- databases ---------------------------------------------------------------------------------

#: The one setting that says where the PostgreSQL test database is (a SQLAlchemy URL).
PG_URL = os.environ.get("SMGUARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_dsn() -> str:
    """``PG_URL`` as the libpq connection string psycopg takes."""
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    parts = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password,
        "dbname": url.database or "test",
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is a test dependency
        return f"psycopg is not installed: {exc}"
    try:
        with psycopg.connect(pg_dsn(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh, empty database URL: SQLite in tmp_path, or a new schema in PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'smguard.db'}"
        return
    reason = _pg_available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {reason}")
        pytest.skip(f"PostgreSQL not reachable: {reason}")
    import uuid

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(pg_dsn(), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def db(db_url: str) -> Any:
    from smguard.records.db import Database

    database = Database(db_url)
    yield database
    database.dispose()
