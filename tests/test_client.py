"""smguard.client against the real app served on 127.0.0.1: answers and errors."""

from __future__ import annotations

from typing import Any

import pytest

from smguard.records.store import Store

pytest.importorskip("starlette", reason="the server extra")


def test_the_client_checks_and_raises_the_apis_errors(store: Store) -> None:
    from smguard.client import ApiError, Client
    from smguard.server.app import create_app
    from smguard.server.tokens import create_token
    from tests.server.conftest import live_server

    token = create_token(store, "bot", ["check"], actor="test").token
    with live_server(create_app(store=store)) as base:
        with Client(base, token, lang="id") as smg:
            verdict = smg.check("dasar anjing kamu", kind="reply")
            assert (verdict["decision"], verdict["exit_code"]) == ("block", 2)
            with Client(base, token, lang="en") as english:
                in_english = english.check("dasar anjing kamu", kind="reply")
            # The messages follow the client's language.
            assert verdict["findings"][0]["message"] != in_english["findings"][0]["message"]
            batch = smg.check_many([{"text": "Selamat pagi!"}, {"text": "bit.ly/x"}])
            assert [r["decision"] for r in batch["results"]] == ["allow", "review"]
            assert any(r["id"] == "SMG-LINK-001" for r in smg.rules())
            with pytest.raises(ApiError) as refused:
                smg.incidents()
            assert (refused.value.status, refused.value.type) == (403, "forbidden")
            assert refused.value.exit_code == 3 and refused.value.message["id"]
            with pytest.raises(ApiError) as recording:
                smg.check("hai", record=True)
            assert recording.value.status == 403
        with Client(base, "smg_nope_nope") as bad, pytest.raises(ApiError) as unknown:
            bad.check("hai")
        assert unknown.value.status == 401


@pytest.fixture
def store(tmp_path: Any) -> Store:
    from smguard.config import Config
    from smguard.records.db import Database

    return Store(Config.from_dict({}), Database(f"sqlite:///{tmp_path / 'c.db'}"))
