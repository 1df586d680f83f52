"""Fixtures of the server tests: a store with the inventory, the app, tokens of every scope."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
        "secure_cookies": False,  # the desk tests speak plain HTTP to 127.0.0.1
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


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
