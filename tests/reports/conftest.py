"""Fixtures of the report tests: a store on SQLite or PostgreSQL with a known history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from smguard.config import Config
from smguard.records.db import Database
from smguard.records.store import Store
from tests.support.alerts import plugin_manager


@pytest.fixture
def store(db: Database) -> Iterator[Store]:
    yield make_store(db)


def make_store(db: Database, **tables: Any) -> Store:
    config = {
        "accounts": {"kem": {"platform": "mastodon", "quiet_hours": "00:00-05:00"}},
        **tables,
    }
    return Store(Config.from_dict(config), db, pm=plugin_manager())


from tests.alerting.conftest import receiver, soc_env  # noqa: E402,F401  (shared fixtures)
