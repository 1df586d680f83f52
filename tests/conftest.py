"""Shared fixtures: a clean environment and guards built from chosen plugins and packs."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pluggy
import pytest

from smguard import hookspecs
from smguard.config import Config
from smguard.guard.engine import Guard


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own smguard settings."""
    for name in list(os.environ):
        if name.startswith("SMGUARD_"):
            monkeypatch.delenv(name)


def plugin_manager(plugins: Iterable[Any] = ()) -> pluggy.PluginManager:
    """A plugin manager holding only ``plugins`` plus the default policy."""
    from smguard.plugins import policy

    pm = pluggy.PluginManager("smguard")
    pm.add_hookspecs(hookspecs)
    for n, plugin in enumerate(plugins):
        pm.register(plugin, name=f"test-plugin-{n}")
    pm.register(policy, name="policy")
    return pm


def make_guard(
    plugins: Iterable[Any] = (),
    packs: Iterable[Path] = (),
    config: dict[str, Any] | None = None,
) -> Guard:
    cfg = Config.from_dict(config or {})
    if packs:
        from dataclasses import replace

        cfg = replace(cfg, rule_paths=tuple(packs))
    return Guard(cfg, plugin_manager(plugins))


def write_pack(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- databases ---------------------------------------------------------------------------------

PG_URL = os.environ.get("SMGUARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is a test dependency
        return f"psycopg is not installed: {exc}"
    try:
        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3
        ):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh, empty database URL: SQLite in tmp_path, or a new schema in PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'smguard.records.db'}"
        return
    reason = _pg_available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {reason}")
        pytest.skip(f"PostgreSQL not reachable: {reason}")
    import uuid

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    dsn = "host=127.0.0.1 port=5432 user=postgres dbname=test"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def db(db_url: str) -> Any:
    from smguard.records.db import Database

    database = Database(db_url)
    yield database
    database.dispose()
