"""Fixtures of the server tests: a store with the inventory, the app, tokens of every scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from smguard.records.db import Database
from smguard.records.store import Store
from tests.support.security import KEY, MIXED_CONFIG, T0, make_store

pytest.importorskip("starlette", reason="the server extra")

SERVER_CONFIG: dict[str, Any] = {
    **MIXED_CONFIG,
    "clarify": {"organisation": "Kementerian Contoh", "contact": "DM @KemenkeuRI"},
    "server": {
        "max_body_bytes": 4096,
        "max_batch": 5,
        "rate_burst": 1000,
        "usage_window_seconds": 1,
    },
}


@pytest.fixture
def store(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    from smguard.security.sync import sync_inventory

    monkeypatch.setenv("SMGUARD_SECRET_KEY", KEY)
    st = make_store(db, SERVER_CONFIG)
    sync_inventory(st, now=T0)
    yield st


@pytest.fixture
def app(store: Store) -> Any:
    from smguard.server.app import create_app

    return create_app(store=store)


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from starlette.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def tokens(store: Store) -> dict[str, str]:
    """A token for each scope, named after it."""
    from smguard.server.tokens import create_token

    return {
        scope: create_token(store, scope, [scope], actor="test").token
        for scope in ("check", "record", "review", "admin")
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
