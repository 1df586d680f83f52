"""Two workers on one PostgreSQL database approve the same check at once: exactly one wins."""

from __future__ import annotations

import threading
from typing import Any

import pyotp
import pytest
from sqlalchemy import func, select

from smguard.records.db import Database
from smguard.records.tables import LedgerEntry
from smguard.security.admins import grant
from tests.server.conftest import SERVER_CONFIG, bearer
from tests.support.security import T0, enrol, make_store


def test_two_workers_approving_one_check_only_one_wins(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("the race is between processes on one PostgreSQL")
    from starlette.testclient import TestClient

    from smguard.security.sync import sync_inventory
    from smguard.server.app import create_app
    from smguard.server.tokens import create_token
    from tests.support.security import KEY

    monkeypatch.setenv("SMGUARD_SECRET_KEY", KEY)
    # Two workers: two apps, each with its own engine and connections to the same database.
    stores = [make_store(Database(db_url), SERVER_CONFIG) for _ in range(2)]
    sync_inventory(stores[0], now=T0)
    seeds = {name: enrol(stores[0], name)[0] for name in ("ayu", "budi")}
    grant(stores[0], "ayu", "approver", "kemenkeu_ri", actor="test", now=T0)
    token = create_token(stores[0], "desk", ["admin"], actor="test").token
    apps = [create_app(store=s) for s in stores]
    results: list[Any] = [None, None]
    with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
        check_id = one.post(
            "/v1/check?record=1",
            json={
                "text": "Info lengkap: bit.ly/abc123",
                "account": "kemenkeu_ri",
                "author": "citra",
            },
            headers=bearer(token),
        ).json()["check_id"]
        start = threading.Barrier(2)

        def approve(n: int, client: Any, approver: str) -> None:
            start.wait()
            results[n] = client.post(
                f"/v1/checks/{check_id}/approve",
                json={"approver": approver, "code": pyotp.TOTP(seeds[approver]).now()},
                headers=bearer(token),
            )

        threads = [
            threading.Thread(target=approve, args=(0, one, "ayu")),
            threading.Thread(target=approve, args=(1, two, "budi")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 403], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 403)
    assert "already approved" in loser.json()["error"]["message"]["en"]
    with stores[0].session() as s:
        assert s.scalar(select(func.count()).where(LedgerEntry.check_id == check_id)) == 1
    for s in stores:
        s.db.dispose()
