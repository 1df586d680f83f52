"""Fixtures of the account-security tests: the secret key and a store with the inventory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smguard.records.db import Database
from smguard.records.store import Store
from tests.support.security import KEY, MIXED_CONFIG, T0, make_store


@pytest.fixture
def secret_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SMGUARD_SECRET_KEY", KEY)
    return KEY


@pytest.fixture
def store(db: Database, secret_key: str) -> Iterator[Store]:
    from smguard.security.sync import sync_inventory

    st = make_store(db, MIXED_CONFIG)
    sync_inventory(st, now=T0)
    yield st
