"""Alerts: signatures, configuration, routing, the four formats, target rules, secrets, CLI."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from smguard.alerting import (
    SETTING_NAMES,
    Alert,
    AlertHttp,
    DeliveryError,
    DiscordSink,
    JsonSink,
    SlackSink,
    TargetRefused,
    TelegramSink,
    WebhookRequest,
    deliver_due,
    enqueue_incident_alerts,
    idempotency_key,
    is_public_address,
    parse_alert_settings,
    settings_for,
    sign,
    signature_header,
    sink_types,
    verify_signature,
)
from smguard.errors import ConfigError
from smguard.records.db import Database
from smguard.records.tables import AuditEvent, OutboxAlert, utcnow
from tests.support.alerts import (
    SECRET,
    Receiver,
    add_incident,
    alerts_config,
    make_store,
    plugin_manager,
    queue,
    statuses,
)

TYPES = sink_types(plugin_manager())


# -- signatures --------------------------------------------------------------------------------


def test_signature_verifies_and_tampering_does_not() -> None:
    body = b'{"idempotency_key":"smg-1-abc","incident":{"id":1}}'
    header = signature_header(SECRET, body)
    assert verify_signature(SECRET, header, body)
    assert verify_signature(SECRET.encode(), header, body.decode())
    assert not verify_signature(SECRET, header, body.replace(b"1}", b"2}"))
    assert not verify_signature("wrong", header, body)
    for broken in (None, "", "v1=abc", "t=abc,v1=00", f"t={int(time.time())}", "garbage"):
        assert not verify_signature(SECRET, broken, body)


def test_signature_refuses_old_or_future_timestamps() -> None:
    body = b"{}"
    now = 1_714_550_000
    header = signature_header(SECRET, body, timestamp=now)
    assert verify_signature(SECRET, header, body, now=now + 299)
    assert not verify_signature(SECRET, header, body, now=now + 301)
    assert not verify_signature(SECRET, header, body, now=now - 301)
    assert verify_signature(SECRET, header, body, tolerance_s=3600, now=now + 3000)


def test_any_of_several_signatures_may_match() -> None:
    body = b"{}"
    now = int(time.time())
    header = f"t={now},v1={'0' * 64},v1={sign(SECRET, now, body)}"
    assert verify_signature(SECRET, header, body)


def test_signature_is_plain_hmac_sha256_as_documented() -> None:
    body = '{"a":"é"}'.encode()
    ts = 1_714_550_000
    expected = hmac.new(SECRET.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, ts, body) == expected
    assert signature_header(SECRET, body, timestamp=ts) == f"t={ts},v1={expected}"


DOC = Path(__file__).resolve().parents[2] / "docs" / "alerts.md"


def _doc_block(heading: str) -> str:
    section = DOC.read_text(encoding="utf-8").split(heading, 1)[1]
    return section.split("```", 2)[1].split("\n", 1)[1]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_openssl_one_liner_in_the_docs_computes_the_signature(tmp_path: Path) -> None:
    body = b'{"idempotency_key":"smg-7-x","text":"Kak, mohon maaf"}'
    (tmp_path / "body.json").write_bytes(body)
    ts = 1_714_550_000
    one_liner = _doc_block("### With openssl")
    env = {"TS": str(ts), "SECRET": SECRET, "PATH": os.environ.get("PATH", "")}
    out = subprocess.run(["sh", "-c", one_liner], cwd=tmp_path, env=env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert out.stdout.strip() == sign(SECRET, ts, body)


def test_the_plain_python_verifier_in_the_docs_works() -> None:
    namespace: dict[str, Any] = {}
    exec(_doc_block("### In plain Python (no smguard)"), namespace)
    body = b'{"a": 1}'
    header = signature_header(SECRET, body)
    assert namespace["verify"](SECRET.encode(), header, body)
    assert not namespace["verify"](SECRET.encode(), header, body + b" ")
    assert not namespace["verify"](b"other", header, body)


def test_the_docs_cover_every_setting_and_format() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for name in (
        *(SETTING_NAMES - {"sinks", "routes"}),
        "url_env",
        "secret_env",
        "chat_id",
        "api_url",
    ):
        assert f"`{name}`" in doc, f"docs/alerts.md does not mention `{name}`"
    for heading in ("### Slack", "### Discord", "### Telegram", "### Generic JSON"):
        assert heading in doc


# -- configuration -----------------------------------------------------------------------------


def _settings(alerts: dict[str, Any]) -> Any:
    return parse_alert_settings(alerts, TYPES, source="smguard.toml")


@pytest.mark.parametrize(
    ("alerts", "message"),
    [
        ({"max_attempts": 0}, "alerts.max_attempts: must be a whole number from 1 to 100"),
        ({"allow_private_targets": "yes"}, "alerts.allow_private_targets: must be true or false"),
        ({"retries": 3}, "alerts.retries: unknown setting"),
        ({"timeout_s": 10, "lease_s": 20}, "alerts.lease_s: must be at least 4 × alerts.timeout_s"),
        ({"backoff_base_s": 60, "backoff_max_s": 10}, "alerts.backoff_max_s: must not be less"),
        ({"sinks": {"x": {"type": "teams"}}}, "alerts.sinks.x.type: must be one of discord, json"),
        ({"sinks": {"x": {"type": "slack"}}}, "alerts.sinks.x.url_env: is required"),
        (
            {"sinks": {"x": {"type": "json", "url_env": "U"}}},
            "alerts.sinks.x.secret_env: is required",
        ),
        (
            {"sinks": {"x": {"type": "slack", "url_env": "U", "colour": "red"}}},
            "alerts.sinks.x.colour: unknown setting for a slack sink",
        ),
        (
            {"sinks": {"x": {"type": "slack", "url_env": "U", "language": "fr"}}},
            "alerts.sinks.x.language: 'fr' is not a language (one of en, id)",
        ),
        (
            {"sinks": {"x": {"type": "telegram", "token_env": "T", "chat_id": "my chat"}}},
            "alerts.sinks.x.chat_id: must be a chat number",
        ),
        ({"sinks": {"x y": {"type": "slack", "url_env": "U"}}}, "alerts.sinks.x y: a sink name"),
        ({"routes": [{"sinks": ["nowhere"]}]}, "alerts.routes[0].sinks: no sink named 'nowhere'"),
        (
            {
                "sinks": {"x": {"type": "slack", "url_env": "U"}},
                "routes": [{"sinks": ["x"], "min_severity": "urgent"}],
            },
            "alerts.routes[0].min_severity: 'urgent' is not a severity",
        ),
        (
            {
                "sinks": {"x": {"type": "slack", "url_env": "U"}},
                "routes": [{"sinks": ["x"], "severity": "high"}],
            },
            "alerts.routes[0].severity: unknown setting",
        ),
        ({"routes": [{"min_severity": "high"}]}, "alerts.routes[0].sinks: is required"),
    ],
)
def test_config_errors_name_the_key(alerts: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        _settings(alerts)
    assert str(info.value).startswith("smguard.toml: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "sink",
    [
        {"type": "slack", "url": "https://hooks.slack.com/services/T0/B0/XOXSECRET"},
        {"type": "slack", "url_env": "https://hooks.slack.com/services/T0/B0/XOXSECRET"},
        {"type": "telegram", "token": "123:XOXSECRET", "chat_id": "-100"},
        {"type": "json", "url_env": "U", "secret_env": "XOXSECRET is my key"},
    ],
)
def test_secrets_in_the_file_are_refused_without_echoing_them(sink: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as info:
        _settings({"sinks": {"desk": sink}})
    message = str(info.value)
    assert "XOXSECRET" not in message
    assert "alerts.sinks.desk." in message
    assert "environment variable" in message


def test_defaults_and_language() -> None:
    settings = parse_alert_settings(
        {
            "sinks": {
                "a": {"type": "slack", "url_env": "U"},
                "b": {"type": "slack", "url_env": "U", "language": "en"},
            }
        },
        TYPES,
        ui_language="id",
    )
    assert (settings.max_attempts, settings.allow_private_targets) == (8, False)
    assert settings.sinks["a"].language == "id"
    assert settings.sinks["b"].language == "en"


# -- routing -----------------------------------------------------------------------------------

ROUTED = {
    "sinks": {
        "desk": {"type": "slack", "url_env": "U"},
        "soc": {"type": "json", "url_env": "U", "secret_env": "S"},
        "tg": {"type": "telegram", "token_env": "T", "chat_id": "-100123"},
    },
    "routes": [
        {"sinks": ["desk"], "min_severity": "high", "categories": ["sexual", "hate"]},
        {"sinks": ["soc", "desk"], "kinds": ["suspicious_login", "account_change"]},
        {"sinks": ["tg"], "accounts": ["kemenkes_ri"], "events": ["opened"]},
    ],
}


def _route(**incident: Any) -> list[str]:
    base = {"severity": "high", "category": None, "account": None, "kind": "blocked_post"}
    event = incident.pop("event", "incident.opened")
    return sorted(_settings(ROUTED).route({**base, **incident}, event))


def test_routes_add_up_and_filter_by_severity_category_account_kind_event() -> None:
    assert _route(category="sexual") == ["desk"]
    assert _route(category="sexual", severity="medium") == []
    assert _route(category="spam") == []
    assert _route(kind="suspicious_login", severity="low") == ["desk", "soc"]
    assert _route(account="kemenkes_ri", severity="info") == ["tg"]
    assert _route(account="kemenkes_ri", category="hate") == ["desk", "tg"]
    # Events match on their full name or their short one.
    assert _route(account="kemenkes_ri", event="incident.escalated:critical") == []
    assert _route(account="kemenkes_ri", event="opened") == ["tg"]


def test_without_routes_every_sink_gets_every_incident() -> None:
    settings = _settings({"sinks": ROUTED["sinks"]})
    assert sorted(settings.route({"severity": "info"}, "incident.opened")) == ["desk", "soc", "tg"]


def test_enqueue_writes_one_row_per_sink_with_stable_keys(db: Database) -> None:
    store = make_store(db, {"allow_private_targets": True, **ROUTED})
    with store.session() as s:
        incident = add_incident(s, 1, category="hate", account="kemenkes_ri")
        rows = enqueue_incident_alerts(store, s, incident, "incident.opened")
        again = enqueue_incident_alerts(store, s, incident, "incident.opened")
        escalated = enqueue_incident_alerts(store, s, incident, "incident.escalated:critical")
        expected = {
            sink: idempotency_key(incident.id, incident.created_at, "incident.opened", sink)
            for sink in ("desk", "tg")
        }
    assert {r.sink: r.idempotency_key for r in rows} == expected
    assert again == []  # the same (sink, incident, event) is queued once
    assert [r.sink for r in escalated] == ["desk"]
    assert escalated[0].idempotency_key not in expected.values()
    assert all(r.status == "pending" and r.attempts == 0 for r in rows)
    assert rows[0].payload["incident"]["title"] == incident.title


def test_alerts_roll_back_with_the_incident(db: Database) -> None:
    store = make_store(db, {"allow_private_targets": True, **ROUTED})
    with pytest.raises(RuntimeError), store.session() as s:
        incident = add_incident(s, 1, category="hate")
        assert enqueue_incident_alerts(store, s, incident, "incident.opened")
        raise RuntimeError("the incident's transaction fails")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxAlert)) == 0


def test_a_delivery_failure_incident_never_goes_to_the_failed_sink(db: Database) -> None:
    store = make_store(db, {"allow_private_targets": True, "sinks": ROUTED["sinks"]})
    with store.session() as s:
        incident = add_incident(s, 1, kind="alert_delivery_failure", category=None)
        incident.evidence = {"sink": "soc"}
        rows = enqueue_incident_alerts(store, s, incident, "incident.opened")
    assert sorted(r.sink for r in rows) == ["desk", "tg"]


def test_opening_an_incident_queues_its_alerts(db: Database) -> None:
    from smguard.records.incidents import open_incident

    store = make_store(db, {"allow_private_targets": True, **ROUTED})
    incident, created = open_incident(
        store,
        kind="unauthorized_post",
        severity="high",
        title="Slot gacor post",
        dedupe_key="post:abc",
        evidence={},
        actor="watch",
        account="kemenkes_ri",
        category="sexual",
    )
    assert created
    with db.session() as s:
        rows = list(s.scalars(select(OutboxAlert).where(OutboxAlert.incident_id == incident.id)))
    assert sorted(r.sink for r in rows) == ["desk", "tg"]


# -- formats -----------------------------------------------------------------------------------

HOSTILE = "<!channel> @everyone *klik* <http://evil.example|hadiah> & <b>menang</b>"


def _alert(**incident: Any) -> Alert:
    data = {
        "id": 7,
        "kind": "unauthorized_post",
        "severity": "critical",
        "status": "open",
        "title": HOSTILE,
        "account": "kemenkes_ri",
        "category": "sexual",
        "sightings": 1,
        "created_at": "2024-05-01T07:03:00+00:00",
        "last_seen_at": None,
        "evidence": {"post_id": "p1"},
    }
    data.update(incident)
    return Alert(
        key="smg-7-abc",
        sink="x",
        event="incident.opened",
        incident=data,
        created_at=utcnow(),
        timezone="Asia/Jakarta",
    )


def _sink(name: str, table: dict[str, Any], language: str = "en") -> Any:
    return _settings({"sinks": {name: {**table, "language": language}}}).sinks[name]


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_URL", "https://hooks.example.com/services/T0/B0/XOXSECRET")
    monkeypatch.setenv("BOT_TOKEN", "123456:XOXSECRET")
    monkeypatch.setenv("HMAC_KEY", SECRET)


@pytest.mark.usefixtures("secrets_env")
def test_slack_format_escapes_everything() -> None:
    sink = _sink("desk", {"type": "slack", "url_env": "HOOK_URL"})
    req = SlackSink().request(sink, _alert())
    body = json.loads(req.body)
    assert req.url.endswith("/XOXSECRET")
    assert body["text"].startswith("[CRITICAL] Post published without approval — kemenkes_ri")
    assert [b["type"] for b in body["blocks"]] == [
        "header",
        "section",
        "section",
        "section",
        "context",
    ]
    dumped = json.dumps(body)
    assert "<!channel>" not in dumped and "<http://evil" not in dumped
    assert "&lt;!channel&gt;" in body["blocks"][1]["text"]["text"]
    assert "1 May 2024, 14:03 WIB" in dumped
    assert "smguard incidents show 7" in body["blocks"][3]["text"]["text"]


@pytest.mark.usefixtures("secrets_env")
def test_discord_format_mentions_nobody() -> None:
    sink = _sink("d", {"type": "discord", "url_env": "HOOK_URL"})
    body = json.loads(DiscordSink().request(sink, _alert()).body)
    assert body["allowed_mentions"] == {"parse": []}
    embed = body["embeds"][0]
    assert embed["color"] == 0x8B0000
    assert embed["timestamp"] == "2024-05-01T07:03:00+00:00"
    assert "\\@everyone" in embed["description"] and "\\*klik\\*" in embed["description"]
    assert {f["name"] for f in embed["fields"]} >= {"Severity", "Account", "When", "Incident"}
    assert len(body["content"]) <= 2000


@pytest.mark.usefixtures("secrets_env")
def test_telegram_format_is_escaped_html_in_indonesian() -> None:
    sink = _sink(
        "tg",
        {
            "type": "telegram",
            "token_env": "BOT_TOKEN",
            "chat_id": "-100123",
            "api_url": "https://tg.example.com",
        },
        language="id",
    )
    req = TelegramSink().request(sink, _alert())
    assert req.url == "https://tg.example.com/bot123456:XOXSECRET/sendMessage"
    body = json.loads(req.body)
    assert (body["chat_id"], body["parse_mode"]) == ("-100123", "HTML")
    text = body["text"]
    assert "&lt;b&gt;menang&lt;/b&gt;" in text and "<b>menang</b>" not in text
    assert "<b>[KRITIS] Unggahan terbit tanpa persetujuan — kemenkes_ri</b>" in text
    assert "Langkah berikutnya" in text and "<code>smguard incidents show 7</code>" in text
    assert "1 Mei 2024, 14:03 WIB" in text


@pytest.mark.usefixtures("secrets_env")
def test_json_format_is_signed_with_an_idempotency_key() -> None:
    sink = _sink(
        "soc",
        {
            "type": "json",
            "url_env": "HOOK_URL",
            "secret_env": "HMAC_KEY",
            "include_evidence": False,
        },
    )
    req = JsonSink().request(sink, _alert())
    body = json.loads(req.body)
    assert req.headers["Idempotency-Key"] == body["idempotency_key"] == "smg-7-abc"
    assert verify_signature(SECRET, req.headers["X-Smguard-Signature"], req.body)
    assert body["type"] == "smguard.alert" and body["version"] == 1
    assert body["incident"]["title"] == HOSTILE  # raw: JSON needs no escaping
    assert "evidence" not in body["incident"]
    assert "smguard incidents show 7" in body["message"]["text"]
    assert SECRET not in req.body.decode()


def test_every_format_reaches_a_real_receiver(
    db: Database, receiver: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    r = receiver()
    monkeypatch.setenv("SLACK_URL", r.url + "/slack/T0/B0/X")
    monkeypatch.setenv("DISCORD_URL", r.url + "/discord/1/abc")
    monkeypatch.setenv("JSON_URL", r.url + "/json")
    monkeypatch.setenv("HMAC_KEY", SECRET)
    monkeypatch.setenv("BOT_TOKEN", "42:TOKEN")
    store = make_store(
        db,
        alerts_config(
            sinks={
                "slack": {"type": "slack", "url_env": "SLACK_URL"},
                "discord": {"type": "discord", "url_env": "DISCORD_URL"},
                "json": {"type": "json", "url_env": "JSON_URL", "secret_env": "HMAC_KEY"},
                "tg": {
                    "type": "telegram",
                    "token_env": "BOT_TOKEN",
                    "chat_id": -100,
                    "api_url": r.url,
                },
            }
        ),
    )
    queue(store, 1)
    report = deliver_due(store, worker_id="t")
    assert sorted(o.status for o in report.outcomes) == ["sent"] * 4
    paths = sorted(req.path for req in r.requests)
    assert paths == ["/bot42:TOKEN/sendMessage", "/discord/1/abc", "/json", "/slack/T0/B0/X"]
    for req in r.requests:
        assert req.headers["content-type"] == "application/json; charset=utf-8"
        assert req.headers["user-agent"].startswith("smguard/")
        json.loads(req.body)


# -- targets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("fd00::1", False),
        ("fe80::1%eth0", False),
        ("224.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),
        # Regression (issue 12): NAT64, IPv4-compatible, IETF protocol block, site-local.
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::a00:1", False),
        ("64:ff9b:1::c0a8:101", False),
        ("64:ff9b::808:808", True),
        ("::127.0.0.1", False),
        ("::10.0.0.1", False),
        ("192.0.0.8", False),
        ("192.0.0.170", False),
        ("fec0::1", False),
        ("not an ip", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def _post(http: AlertHttp, url: str) -> None:
    http.post(WebhookRequest(url=url, body=b"{}", secrets=[url]))


def test_private_targets_are_refused_before_connecting(
    receiver: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    r = receiver()
    port = r.server.server_address[1]
    with AlertHttp(allow_private=False, timeout_s=1) as http:
        for url in (f"https://127.0.0.1:{port}/x", f"https://localhost:{port}/x"):
            with pytest.raises(TargetRefused, match="loopback, private or link-local"):
                _post(http, url)
        with pytest.raises(TargetRefused, match="plain http is refused"):
            _post(http, f"http://127.0.0.1:{port}/x")

        # A name with one public and one private address is refused as a whole (nothing is
        # contacted: the check runs before any connection).
        real = socket.getaddrinfo

        def two_faced(host: str, *args: Any, **kw: Any) -> Any:
            if host == "hooks.example.com":
                return [
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
                ]
            return real(host, *args, **kw)

        monkeypatch.setattr(socket, "getaddrinfo", two_faced)
        with pytest.raises(TargetRefused, match=r"hooks\.example\.com resolves to"):
            _post(http, f"https://hooks.example.com:{port}/x")
    assert r.requests == []
    with AlertHttp(allow_private=True, timeout_s=1) as http:
        _post(http, f"http://127.0.0.1:{port}/x")
    assert len(r.requests) == 1


def test_refusal_is_a_failed_delivery_with_a_clear_reason(
    db: Database, receiver: Callable[..., Receiver], soc_env: Callable[[Receiver], None]
) -> None:
    r = receiver()
    soc_env(r)
    store = make_store(db, alerts_config(allow_private_targets=False))
    queue(store, 1)
    outcome = deliver_due(store, worker_id="t").outcomes[0]
    assert outcome.status == "failed"
    assert "allow_private_targets = true" in str(outcome.error)
    assert r.requests == []


def test_redirects_are_not_followed(receiver: Callable[..., Receiver]) -> None:
    inside = receiver()
    r = receiver(answer=lambda n: (302, {"Location": inside.url + "/admin"}, b""))
    with (
        AlertHttp(allow_private=True, timeout_s=1) as http,
        pytest.raises(DeliveryError, match=r"answered with a redirect \(HTTP 302\)"),
    ):
        _post(http, r.url + "/hook")
    assert len(r.requests) == 1 and inside.requests == []


# -- secrets -----------------------------------------------------------------------------------


def _everything_recorded(db: Database) -> str:
    with db.session() as s:
        audit = [(e.action, e.subject, e.details) for e in s.scalars(select(AuditEvent))]
        rows = [(o.last_error, o.payload) for o in s.scalars(select(OutboxAlert))]
    return json.dumps([audit, rows], default=str)


def test_webhook_urls_and_tokens_never_show(
    db: Database,
    receiver: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The receiver quotes the secret back, as some real services do in their error bodies.
    r = receiver(
        answer=lambda n: (
            404,
            {},
            b"no_service /services/T0/B0/XOXSECRET bot123456:XOXTOKEN Unauthorized",
        )
    )
    monkeypatch.setenv("SLACK_URL", r.url + "/services/T0/B0/XOXSECRET")
    monkeypatch.setenv("BOT_TOKEN", "123456:XOXTOKEN")
    store = make_store(
        db,
        alerts_config(
            max_attempts=2,
            sinks={
                "desk": {"type": "slack", "url_env": "SLACK_URL"},
                "tg": {
                    "type": "telegram",
                    "token_env": "BOT_TOKEN",
                    "chat_id": "-1",
                    "api_url": r.url,
                },
            },
        ),
    )
    queue(store, 1)
    caplog.set_level(logging.DEBUG)
    first = deliver_due(store, worker_id="t")
    deliver_due(store, worker_id="t", now=utcnow() + timedelta(hours=1))
    errors = " ".join(str(o.error) for o in first.outcomes)
    assert f"{r.url} answered HTTP 404" in errors
    recorded = _everything_recorded(db)
    assert "answered HTTP 404" in recorded
    for where in (errors, recorded, caplog.text):
        assert "XOXSECRET" not in where and "XOXTOKEN" not in where
    assert "HTTP Request: POST" in caplog.text  # httpx did log: scrubbed, not silenced


# -- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def cli_run(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    from smguard.cli.main import _add_commands, cli

    _add_commands()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "webhooks")

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    return invoke


def _cli_config(tmp_path: Path, r: Receiver, monkeypatch: pytest.MonkeyPatch, **extra: Any) -> None:
    table = alerts_config(max_attempts=1, **extra)
    monkeypatch.setenv("TEST_SOC_URL", r.url + "/hooks/XOXSECRET")
    monkeypatch.setenv("TEST_SOC_SECRET", SECRET)
    lines = ["[alerts]"] + [f"{k} = {json.dumps(v)}" for k, v in table.items() if k != "sinks"]
    lines += [
        "[alerts.sinks.soc]",
        'type = "json"',
        'url_env = "TEST_SOC_URL"',
        'secret_env = "TEST_SOC_SECRET"',
    ]
    (tmp_path / "smguard.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cli_store(db_url: str) -> Any:
    from smguard.config import Config
    from smguard.records.store import Store

    return Store(Config.load(), Database(db_url), pm=plugin_manager())


def test_cli_list_deliver_retry(
    cli_run: Callable[..., Result],
    db_url: str,
    tmp_path: Path,
    receiver: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = receiver(fail_first=1)
    _cli_config(tmp_path, r, monkeypatch)
    assert cli_run("alerts", "list").output.strip() == "No alerts."
    queue(_cli_store(db_url), 2)

    result = cli_run("alerts", "deliver", "--once")
    assert result.exit_code == 1  # one alert died (max_attempts = 1)
    assert "DEAD" in result.output and "sent" in result.output
    assert "alert_delivery_failure" not in result.output

    listed = cli_run("alerts", "list", "--status", "dead")
    assert listed.exit_code == 0
    assert "answered HTTP 500" in listed.output and "smguard alerts retry" in listed.output
    rows = json.loads(cli_run("alerts", "list", "--format", "json").output)
    dead = [row for row in rows if row["status"] == "dead" and row["sink"] == "soc"]
    assert len(dead) == 1 and dead[0]["attempts"] == 1
    for output in (listed.output, json.dumps(rows), result.output):
        assert "XOXSECRET" not in output

    retried = cli_run("alerts", "retry", str(dead[0]["id"]), "--as", "dewi")
    assert retried.exit_code == 0, retried.output
    assert f"#{dead[0]['id']}" in retried.output
    assert cli_run("alerts", "deliver", "--once").exit_code == 0
    keys = {row["idempotency_key"] for row in rows if row["sink"] == "soc"}
    assert set(r.accepted_keys()) >= keys
    with Database(db_url).session() as s:
        retries = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "alert.retried")))
    assert [e.actor for e in retries] == ["dewi"]


def test_cli_retry_errors(
    cli_run: Callable[..., Result],
    tmp_path: Path,
    receiver: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _cli_config(tmp_path, receiver(), monkeypatch)
    missing = cli_run("alerts", "retry", "999")
    assert missing.exit_code == 3
    assert missing.output.strip() == "Error: no alert #999 (see `smguard alerts list`)"
    assert cli_run("alerts", "retry").exit_code == 3  # a usage error
    assert cli_run("alerts", "retry", "--all-dead").output.strip() == "No dead alerts."
    assert cli_run("--lang", "id", "alerts", "list").output.strip() == "Tidak ada peringatan."


def test_cli_test_sink(
    cli_run: Callable[..., Result],
    db_url: str,
    tmp_path: Path,
    receiver: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = receiver(fail_first=1)
    _cli_config(tmp_path, r, monkeypatch)
    failed = cli_run("alerts", "test", "soc")
    assert failed.exit_code == 3
    assert failed.output.count("\n") == 1 and "answered HTTP 500" in failed.output
    assert "XOXSECRET" not in failed.output
    ok = cli_run("alerts", "test", "soc")
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip() == "Test alert delivered to soc (json)."
    body = json.loads(r.requests[-1].body)
    assert body["test"] is True and body["incident"]["kind"] == "test"
    assert verify_signature(
        SECRET, r.requests[-1].headers["x-smguard-signature"], r.requests[-1].body
    )
    unknown = cli_run("alerts", "test", "nowhere")
    assert unknown.exit_code == 3 and "no alert sink named 'nowhere'" in unknown.output
    with Database(db_url).session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert actions == ["alert.failed", "alert.sent"]
    assert statuses(Database(db_url)) == {}  # a test alert does not go through the queue


def test_cli_speaks_json(
    cli_run: Callable[..., Result],
    db_url: str,
    tmp_path: Path,
    receiver: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = receiver(fail_first=1)
    _cli_config(tmp_path, r, monkeypatch)
    queue(_cli_store(db_url), 2)
    delivered = cli_run("alerts", "deliver", "--once", "--format", "json")
    assert delivered.exit_code == 1  # one alert died, as in text
    lines = [json.loads(line) for line in delivered.stdout.splitlines()]
    soc = [line for line in lines if line["sink"] == "soc"]
    assert {line["type"] for line in lines} == {"alert"}
    assert sorted(line["status"] for line in soc) == ["dead", "sent"]
    dead = next(line for line in soc if line["status"] == "dead")
    assert dead["attempts"] == dead["max_attempts"] == 1 and "HTTP 500" in dead["error"]
    assert "XOXSECRET" not in delivered.stdout

    retried = cli_run("alerts", "retry", str(dead["alert_id"]), "--by", "dewi", "--format", "json")
    assert retried.exit_code == 0, retried.output
    assert json.loads(retried.stdout) == {"retried": [dead["alert_id"]]}
    assert "`cli alerts retry --by` is deprecated" in retried.stderr
    assert "use `cli alerts retry --as`" in retried.stderr
    with Database(db_url).session() as s:
        retries = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "alert.retried")))
    assert [e.actor for e in retries] == ["dewi"]

    tested = cli_run("alerts", "test", "soc", "--as", "dewi", "--format", "json")
    assert tested.exit_code == 0, tested.output
    assert json.loads(tested.stdout) == {"sink": "soc", "type": "json", "delivered": True}


def test_cli_bad_config_is_one_line(cli_run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "smguard.toml").write_text(
        '[alerts]\n[alerts.sinks.desk]\ntype = "slack"\nurl = "https://hooks.slack.com/s/XOX"\n',
        encoding="utf-8",
    )
    result = cli_run("alerts", "list")
    assert result.exit_code == 3
    assert result.output.startswith("Error: smguard.toml: alerts.sinks.desk.url: secrets are not")
    assert result.output.count("\n") == 1 and "XOX" not in result.output


def test_settings_are_cached_per_store(db: Database) -> None:
    store = make_store(db, alerts_config())
    assert settings_for(store) is settings_for(store)


@pytest.mark.usefixtures("secrets_env")
def test_discord_summary_lines_that_discord_reads_as_markdown_are_escaped() -> None:
    sink = _sink("d", {"type": "discord", "url_env": "HOOK_URL"})
    title = "# PROMO JUDI\n-# kecil\n- daftar sekarang\n1. klik tautan\nbiasa # bukan judul"
    body = json.loads(DiscordSink().request(sink, _alert(title=title)).body)
    text = body["embeds"][0]["description"] + "\n" + body["content"]
    lines = text.splitlines()
    assert not any(re.match(r"\s*(#|-|\+|\d+\.\s)", line) for line in lines), lines
    assert "\\# PROMO JUDI" in text and "\\-# kecil" in text and "1\\. klik" in text
    assert "biasa # bukan judul" in text  # a # inside a line is not markdown


@pytest.mark.parametrize(
    "url", ["https://0177.0.0.1/hooks/XOXSECRET", "https://[::1/XOXSECRET", "https://h:99999/x"]
)
def test_cli_test_sink_with_a_malformed_url_is_one_clear_error(
    cli_run: Callable[..., Result],
    db_url: str,
    tmp_path: Path,
    receiver: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
) -> None:
    """Regression (issue 12): a malformed webhook URL gave a traceback in `alerts test`."""
    _cli_config(tmp_path, receiver(), monkeypatch)
    monkeypatch.setenv("TEST_SOC_URL", url)
    result = cli_run("alerts", "test", "soc")
    assert result.exit_code == 3, result.output
    assert "not a valid URL" in result.output and "Traceback" not in result.output
    assert "XOXSECRET" not in result.output
