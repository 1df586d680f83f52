"""The HTTP API: every endpoint, every scope, bad tokens, bad bodies, limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pyotp
import pytest

from smguard.records.store import Store
from smguard.security.admins import grant
from tests.server.conftest import bearer
from tests.support.security import T0, audit_actions, enrol

HELD = {"text": "Info lengkap: bit.ly/abc123", "account": "kemenkeu_ri", "author": "citra"}


def test_health_and_readiness_need_no_token(client: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] is True


def test_a_single_post_is_checked_like_the_cli(client: Any, tokens: dict[str, str]) -> None:
    ok = client.post(
        "/v1/check", json={"text": "Selamat pagi semua!"}, headers=bearer(tokens["check"])
    )
    assert ok.status_code == 200
    assert (ok.json()["decision"], ok.json()["exit_code"]) == ("allow", 0)
    held = client.post("/v1/check", json=HELD, headers=bearer(tokens["check"]))
    body = held.json()
    assert (body["decision"], body["exit_code"]) == ("review", 1)
    assert body["findings"][0]["rule"] == "SMG-LINK-001"
    assert "check_id" not in body  # not recorded without ?record=1


def test_a_batch_keeps_its_order_and_a_bad_item_is_an_error_verdict(
    client: Any, tokens: dict[str, str]
) -> None:
    posts = [{"text": "Selamat pagi!", "id": "a"}, "not an object", {"text": "dasar anjing kamu"}]
    answer = client.post("/v1/check", json={"posts": posts}, headers=bearer(tokens["check"]))
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["exit_code"] for r in results] == [0, 3, 2]
    assert results[0]["id"] == "a" and "expected a JSON object" in results[1]["error"]
    assert answer.json()["exit_code"] == 3


@pytest.mark.parametrize(
    ("body", "status", "type_"),
    [
        (b"{not json", 400, "bad_input"),
        (b"\xff\xfe", 400, "bad_input"),
        (b'{"nothing": 1}', 400, "bad_input"),
        (b'{"text": ""}', 400, "bad_input"),
        (b'{"posts": "x"}', 400, "bad_input"),
        (json.dumps({"posts": [{"text": "a"}] * 6}).encode(), 413, "too_many"),
        (json.dumps({"text": "a" * 5000}).encode(), 413, "too_large"),
    ],
)
def test_malformed_and_oversized_bodies_get_one_clear_json_error(
    client: Any, tokens: dict[str, str], body: bytes, status: int, type_: str
) -> None:
    answer = client.post("/v1/check", content=body, headers=bearer(tokens["check"]))
    assert answer.status_code == status
    error = answer.json()["error"]
    assert (error["type"], error["exit_code"]) == (type_, 3)
    assert error["message"]["en"] and error["message"]["id"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Basic abc", "Bearer nope", "Bearer smg_123_456", "Bearer smg_"],
)
def test_bad_tokens_are_refused(client: Any, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    answer = client.post("/v1/check", json={"text": "x"}, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "unauthorized"


def test_a_revoked_token_or_a_wrong_secret_is_refused(
    client: Any, store: Store, tokens: dict[str, str]
) -> None:
    from smguard.server.tokens import create_token, revoke_token

    made = create_token(store, "cms", ["check"], actor="test")
    wrong = made.token[:-3] + ("aaa" if not made.token.endswith("aaa") else "bbb")
    assert client.post("/v1/check", json={"text": "x"}, headers=bearer(wrong)).status_code == 401
    revoke_token(store, "cms", actor="test")
    client.app.state.service._tokens.clear()  # what token_cache_seconds does in time
    assert (
        client.post("/v1/check", json={"text": "x"}, headers=bearer(made.token)).status_code == 401
    )


#: (method, path, body) of every endpoint that needs a token, and the scopes that may call it.
ENDPOINTS: list[tuple[str, str, Any, set[str]]] = [
    ("POST", "/v1/check", {"text": "Selamat pagi!"}, {"check", "admin"}),
    ("POST", "/v1/check?record=1", {"text": "Selamat pagi!"}, {"admin"}),  # check AND record
    ("GET", "/v1/checks/none", None, {"record", "review", "admin"}),
    ("POST", "/v1/checks/none/approve", {"approver": "budi", "code": "1"}, {"review", "admin"}),
    (
        "POST",
        "/v1/checks/none/reject",
        {"approver": "budi", "code": "1", "reason": "x"},
        {"review", "admin"},
    ),
    ("GET", "/v1/rules", None, {"check", "admin"}),
    ("GET", "/v1/incidents", None, {"review", "admin"}),
    ("GET", "/v1/incidents/99", None, {"review", "admin"}),
    ("POST", "/v1/incidents/99/acknowledge", {}, {"review", "admin"}),
    ("POST", "/v1/incidents/99/resolve", {"reason": "x"}, {"review", "admin"}),
    ("POST", "/v1/incidents/99/notes", {"text": "x"}, {"review", "admin"}),
    ("GET", "/v1/clarifications", None, {"review", "admin"}),
    ("POST", "/v1/clarifications", {"incident": 99}, {"review", "admin"}),
    ("GET", "/v1/clarifications/99", None, {"review", "admin"}),
    ("POST", "/v1/clarifications/99/edit", {"text": "x"}, {"review", "admin"}),
    ("POST", "/v1/clarifications/99/approve", {}, {"review", "admin"}),
    ("POST", "/v1/clarifications/99/publish", {"platform": "x", "ref": "1"}, {"review", "admin"}),
    ("GET", "/metrics", None, {"admin"}),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS]
)
def test_each_scope_reaches_exactly_its_endpoints(
    client: Any, tokens: dict[str, str], method: str, path: str, body: Any, allowed: set[str]
) -> None:
    for scope, token in tokens.items():
        answer = client.request(method, path, json=body, headers=bearer(token))
        if scope in allowed:
            assert answer.status_code != 403 or answer.json()["error"]["type"] != "forbidden", scope
            assert answer.status_code != 401
        else:
            assert answer.status_code == 403, (scope, answer.text)
            assert answer.json()["error"]["type"] == "forbidden"


def test_recorded_held_post_is_approved_by_a_second_person_with_totp(
    client: Any, store: Store, tokens: dict[str, str]
) -> None:
    seeds = {name: enrol(store, name)[0] for name in ("budi", "citra")}
    grant(store, "citra", "approver", "kemenkeu_ri", actor="test", now=T0)
    both = bearer(tokens["admin"])
    recorded = client.post("/v1/check?record=1", json=HELD, headers=both).json()
    check_id = recorded["check_id"]
    state = client.get(f"/v1/checks/{check_id}", headers=bearer(tokens["record"])).json()
    assert (state["status"], state["author"], state["needs_approval"]) == ("held", "citra", True)
    # The author may not approve her own post, even with a valid code.
    own = client.post(
        f"/v1/checks/{check_id}/approve",
        json={"approver": "citra", "code": pyotp.TOTP(seeds["citra"]).now()},
        headers=bearer(tokens["review"]),
    )
    assert own.status_code == 403 and "wrote this post" in own.json()["error"]["message"]["en"]
    wrong = client.post(
        f"/v1/checks/{check_id}/approve",
        json={"approver": "budi", "code": "000000"},
        headers=bearer(tokens["review"]),
    )
    assert wrong.status_code == 403 and wrong.json()["error"]["type"] == "refused"
    ok = client.post(
        f"/v1/checks/{check_id}/approve",
        json={"approver": "budi", "code": pyotp.TOTP(seeds["budi"]).now()},
        headers=bearer(tokens["review"]),
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["approved_by"] == "budi"
    state = client.get(f"/v1/checks/{check_id}", headers=bearer(tokens["review"])).json()
    assert state["status"] == "approved" and state["approval"]["approved_by"] == "budi"
    actions = [(a, actor) for a, actor, _ in audit_actions(store)]
    assert ("check.approved", "budi") in actions and ("post.published", "budi") in actions


def test_a_rejected_check_cannot_be_approved(
    client: Any, store: Store, tokens: dict[str, str]
) -> None:
    seeds = {name: enrol(store, name)[0] for name in ("budi",)}
    check_id = client.post("/v1/check?record=1", json=HELD, headers=bearer(tokens["admin"])).json()[
        "check_id"
    ]
    no_reason = client.post(
        f"/v1/checks/{check_id}/reject",
        json={"approver": "budi", "code": "123456", "reason": " "},
        headers=bearer(tokens["review"]),
    )
    assert no_reason.status_code == 400
    totp = pyotp.TOTP(seeds["budi"])
    done = client.post(
        f"/v1/checks/{check_id}/reject",
        json={"approver": "budi", "code": totp.now(), "reason": "shortened link"},
        headers=bearer(tokens["review"]),
    )
    assert done.status_code == 200, done.text
    later = totp.at(datetime.now(UTC).timestamp() + 30)
    again = client.post(
        f"/v1/checks/{check_id}/approve",
        json={"approver": "budi", "code": later},
        headers=bearer(tokens["review"]),
    )
    assert again.status_code == 403 and "rejected" in again.json()["error"]["message"]["en"]
    state = client.get(f"/v1/checks/{check_id}", headers=bearer(tokens["review"])).json()
    assert state["status"] == "rejected" and state["rejection"]["reason"] == "shortened link"


def test_incidents_are_read_acknowledged_and_resolved(
    client: Any, store: Store, tokens: dict[str, str]
) -> None:
    blocked = client.post(
        "/v1/check?record=1",
        json={"text": "dasar anjing kamu", "account": "kemenkeu_ri"},
        headers=bearer(tokens["admin"]),
    ).json()
    number = blocked["incident_id"]
    review = bearer(tokens["review"])
    listed = client.get("/v1/incidents?status=open", headers=review).json()["incidents"]
    assert [i["id"] for i in listed] == [number]
    ack = client.post(
        f"/v1/incidents/{number}/acknowledge",
        json={"actor": "ayu", "note": "on it"},
        headers=review,
    )
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    note = client.post(
        f"/v1/incidents/{number}/notes",
        json={"actor": "ayu", "text": "author told"},
        headers=review,
    )
    assert note.status_code == 200
    assert (
        client.post(
            f"/v1/incidents/{number}/resolve", json={"actor": "ayu"}, headers=review
        ).status_code
        == 400
    )
    done = client.post(
        f"/v1/incidents/{number}/resolve",
        json={"actor": "ayu", "reason": "rewritten"},
        headers=review,
    )
    assert done.json()["status"] == "resolved"
    again = client.post(
        f"/v1/incidents/{number}/acknowledge", json={"actor": "ayu"}, headers=review
    )
    assert again.status_code == 409
    assert client.get("/v1/incidents/999", headers=review).status_code == 404
    timeline = client.get(f"/v1/incidents/{number}", headers=review).json()
    assert any("author told" in (n.get("text") or "") for n in timeline["notes"])


def test_clarifications_are_drafted_edited_approved_and_published(
    client: Any, tokens: dict[str, str]
) -> None:
    review = bearer(tokens["review"])
    number = client.post(
        "/v1/check?record=1",
        json={"text": "dasar anjing kamu", "account": "kemenkeu_ri"},
        headers=bearer(tokens["admin"]),
    ).json()["incident_id"]
    made = client.post(
        "/v1/clarifications",
        json={"incident": number, "actor": "ayu", "lang": "id"},
        headers=review,
    )
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    edited = client.post(
        f"/v1/clarifications/{cid}/edit",
        json={
            "actor": "ayu",
            "text": "Mohon maaf atas unggahan sebelumnya. Kami sudah menghapusnya.",
        },
        headers=review,
    )
    assert edited.status_code == 200, edited.text
    approved = client.post(
        f"/v1/clarifications/{cid}/approve", json={"actor": "budi"}, headers=review
    )
    assert approved.status_code == 200, approved.text
    published = client.post(
        f"/v1/clarifications/{cid}/publish",
        json={"actor": "budi", "platform": "x", "ref": "https://x.com/k/status/1"},
        headers=review,
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    listed = client.get("/v1/clarifications", headers=review).json()["clarifications"]
    assert [c["id"] for c in listed] == [cid]


def test_rules_are_listed(client: Any, tokens: dict[str, str]) -> None:
    rules = client.get("/v1/rules", headers=bearer(tokens["check"])).json()["rules"]
    assert any(r["id"] == "SMG-LINK-001" for r in rules)


def test_the_rate_limit_answers_429_with_retry_after(client: Any, tokens: dict[str, str]) -> None:
    limiter = client.app.state.service.limiter
    limiter.rate, limiter.burst = 1.0, 2.0
    codes = [
        client.post("/v1/check", json={"text": "hai"}, headers=bearer(tokens["check"])).status_code
        for _ in range(4)
    ]
    assert codes[:2] == [200, 200] and codes[2:] == [429, 429]
    last = client.post("/v1/check", json={"text": "hai"}, headers=bearer(tokens["check"]))
    assert last.headers["retry-after"] == "1" and last.json()["error"]["type"] == "rate_limited"


def test_every_use_of_a_token_is_in_the_audit_log(
    app: Any, store: Store, tokens: dict[str, str]
) -> None:
    from starlette.testclient import TestClient

    with TestClient(app) as client:
        for _ in range(7):
            client.post("/v1/check", json={"text": "hai"}, headers=bearer(tokens["check"]))
        client.post("/v1/check", content=b"{", headers=bearer(tokens["check"]))
        client.get("/v1/rules", headers=bearer(tokens["review"]))
    # The app stopped: everything counted is written.
    used = [d for a, _, d in audit_actions(store) if a == "token.used"]
    by_token: dict[str, int] = {}
    for d in used:
        by_token[d["id"]] = by_token.get(d["id"], 0) + d["requests"]
    ids = {scope: tok.split("_")[1] for scope, tok in tokens.items()}
    assert by_token[ids["check"]] == 8 and by_token[ids["review"]] == 1
    outcomes: dict[str, int] = {}
    for d in used:
        if d["id"] == ids["check"]:
            for k, v in d["outcomes"].items():
                outcomes[k] = outcomes.get(k, 0) + v
    assert outcomes == {"ok": 7, "400": 1}
    from smguard.records.audit import verify_chain

    assert verify_chain(store.db).ok


def test_metrics_count_requests_and_decisions(client: Any, tokens: dict[str, str]) -> None:
    client.post("/v1/check", json={"text": "dasar anjing kamu"}, headers=bearer(tokens["check"]))
    text = client.get("/metrics", headers=bearer(tokens["admin"])).text
    assert 'smguard_posts_checked_total{decision="block"' in text
    assert 'route="/v1/check",method="POST",status="200"' in text
