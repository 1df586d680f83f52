"""Alert delivery against a real HTTP receiver on 127.0.0.1: retries, crashes, two workers.

The receiver records every request it gets (and which key it carried); it can fail the first N
requests, stall, or always fail. Time is moved forward with ``deliver_due(now=...)`` instead of
sleeping through backoff delays.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from smguard.alerting import deliver_due, verify_signature
from smguard.config import Config
from smguard.records.audit import verify_chain
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import AuditEvent, Incident, OutboxAlert, utcnow
from tests.support.alerts import (
    SECRET,
    Receiver,
    alerts_config,
    audit_count,
    drain,
    make_store,
    plugin_manager,
    queue,
    statuses,
)

# -- retries -----------------------------------------------------------------------------------


def test_flaky_receiver_gets_every_alert_exactly_once_and_signed(
    db: Database, receiver: Callable[..., Receiver], soc_env: Callable[[Receiver], None]
) -> None:
    r = receiver(fail_first=3)
    soc_env(r)
    store = make_store(db, alerts_config())
    keys = queue(store, 6)
    assert len(set(keys)) == 6

    drain(store, utcnow())

    assert r.accepted_keys() == Counter(dict.fromkeys(keys, 1))
    assert len(r.requests) == 6 + 3
    for got in r.accepted():
        assert verify_signature(SECRET, got.headers["x-smguard-signature"], got.body)
        assert not verify_signature("another-secret", got.headers["x-smguard-signature"], got.body)
        assert json.loads(got.body)["idempotency_key"] == got.key
    assert statuses(db) == Counter({"sent": 6})
    assert (audit_count(db, "alert.failed"), audit_count(db, "alert.sent")) == (3, 6)
    assert verify_chain(db).ok


def test_backoff_grows_and_ends_in_dead(
    db: Database, receiver: Callable[..., Receiver], soc_env: Callable[[Receiver], None]
) -> None:
    r = receiver(always_fail=True, fail_status=503)
    soc_env(r)
    store = make_store(db, alerts_config(max_attempts=6, backoff_base_s=2, backoff_max_s=1000))
    queue(store, 1)
    now = utcnow()
    delays: list[float] = []
    for attempt in range(1, 6):
        report = deliver_due(store, worker_id="t", now=now)
        assert [o.status for o in report.outcomes] == ["failed"]
        outcome = report.outcomes[0]
        assert "HTTP 503" in str(outcome.error)
        assert outcome.next_attempt_at is not None
        delay = (outcome.next_attempt_at - now).total_seconds()
        ceiling = 2 * 2 ** (attempt - 1)
        assert ceiling / 2 <= delay <= ceiling, (attempt, delay)
        delays.append(delay)
        # Not due a moment before its time…
        early = outcome.next_attempt_at - timedelta(milliseconds=1)
        assert deliver_due(store, worker_id="t", now=early).claimed == 0
        now = outcome.next_attempt_at
    assert delays == sorted(delays) and delays[-1] > 4 * delays[0]
    report = deliver_due(store, worker_id="t", now=now)
    assert [o.status for o in report.outcomes] == ["dead"]
    assert statuses(db) == Counter({"dead": 1})
    assert len(r.requests) == 6
    assert isinstance(report.outcomes[0].incident_opened, int)  # alert_delivery_failure
    assert deliver_due(store, worker_id="t", now=now + timedelta(days=30)).claimed == 0


def test_retry_after_is_respected(
    db: Database, receiver: Callable[..., Receiver], soc_env: Callable[[Receiver], None]
) -> None:
    r = receiver(answer=lambda n: (429, {"Retry-After": "25"}, b"slow down"))
    soc_env(r)
    store = make_store(db, alerts_config(backoff_base_s=1))
    queue(store, 1)
    now = utcnow()
    outcome = deliver_due(store, worker_id="t", now=now).outcomes[0]
    assert outcome.status == "failed" and outcome.next_attempt_at is not None
    assert (outcome.next_attempt_at - now).total_seconds() >= 25


def test_a_receiver_that_stalls_times_out(
    db: Database, receiver: Callable[..., Receiver], soc_env: Callable[[Receiver], None]
) -> None:
    r = receiver(stall_s=3)
    soc_env(r)
    store = make_store(db, alerts_config(timeout_s=0.3, lease_s=2))
    queue(store, 1)
    started = time.monotonic()
    report = deliver_due(store, worker_id="t")
    assert time.monotonic() - started < 2.5
    assert report.outcomes[0].status == "failed"
    assert "did not answer in time (read timeout)" in str(report.outcomes[0].error)


def test_an_endless_answer_does_not_hold_the_worker(
    db: Database, receiver: Callable[..., Receiver], soc_env: Callable[[Receiver], None]
) -> None:
    r = receiver(always_fail=True, drip_s=0.02)
    soc_env(r)
    store = make_store(db, alerts_config(timeout_s=0.3, lease_s=2))
    queue(store, 1)
    started = time.monotonic()
    outcome = deliver_due(store, worker_id="t").outcomes[0]
    assert time.monotonic() - started < 2  # within 2 × timeout_s, plus the bookkeeping
    assert outcome.status == "failed"
    assert f"{r.url} answered HTTP 500: xxx" in str(outcome.error)


def test_a_closed_port_is_a_failed_attempt(
    db: Database, receiver: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    r = receiver()
    url = r.url
    r.close()
    monkeypatch.setenv("TEST_SOC_URL", url + "/gone")
    monkeypatch.setenv("TEST_SOC_SECRET", SECRET)
    store = make_store(db, alerts_config())
    queue(store, 1)
    outcome = deliver_due(store, worker_id="t").outcomes[0]
    assert outcome.status == "failed"
    assert str(outcome.error).startswith(f"cannot reach {url}")
    assert "/gone" not in str(outcome.error)


def test_missing_secret_variable_is_named(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_SOC_URL", raising=False)
    store = make_store(db, alerts_config())
    queue(store, 1)
    outcome = deliver_due(store, worker_id="t").outcomes[0]
    assert outcome.status == "failed"
    assert "environment variable TEST_SOC_URL (alerts.sinks.soc.url_env) is not set" in str(
        outcome.error
    )


# -- dead letters ------------------------------------------------------------------------------


def _failure_incidents(db: Database) -> list[Incident]:
    with db.session() as s:
        query = select(Incident).where(Incident.kind == "alert_delivery_failure")
        return list(s.scalars(query.order_by(Incident.id)))


def test_dead_alert_opens_an_incident_that_avoids_the_failed_sink(
    db: Database,
    receiver: Callable[..., Receiver],
    soc_env: Callable[[Receiver], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = receiver(always_fail=True)
    desk = receiver()
    soc_env(broken)
    monkeypatch.setenv("TEST_DESK_URL", desk.url + "/slack")
    sinks = {**alerts_config()["sinks"], "desk": {"type": "slack", "url_env": "TEST_DESK_URL"}}
    store = make_store(db, alerts_config(max_attempts=2, sinks=sinks))
    queue(store, 1)

    drain(store, utcnow())

    failures = _failure_incidents(db)
    assert len(failures) == 1
    with db.session() as s:
        dead = s.scalars(select(OutboxAlert).where(OutboxAlert.status == "dead")).one()
    assert dead.sink == "soc" and dead.attempts == 2
    assert failures[0].dedupe_key == "alert-dead:soc"
    assert failures[0].severity == "high"
    with db.session() as s:
        about_failure = list(
            s.scalars(select(OutboxAlert).where(OutboxAlert.incident_id == failures[0].id))
        )
    # It went to the desk only: never back to the sink that is failing.
    assert [row.sink for row in about_failure] == ["desk"]
    assert about_failure[0].status == "sent"
    assert audit_count(db, "alert.dead") == 1
    texts = [json.loads(req.body)["text"] for req in desk.accepted()]
    assert any("Alerts could not be delivered" in t for t in texts)


def test_dead_alerts_about_dead_alerts_stop(
    db: Database,
    receiver: Callable[..., Receiver],
    soc_env: Callable[[Receiver], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = receiver(always_fail=True)
    soc_env(broken)
    monkeypatch.setenv("TEST_DESK_URL", broken.url + "/slack")
    sinks = {**alerts_config()["sinks"], "desk": {"type": "slack", "url_env": "TEST_DESK_URL"}}
    store = make_store(db, alerts_config(max_attempts=2, sinks=sinks))
    queue(store, 1)

    drain(store, utcnow())

    # One failure incident per dead sink, each alerting the other sink; when those alerts die
    # too, nothing more is opened.
    assert sorted(i.dedupe_key for i in _failure_incidents(db)) == [
        "alert-dead:desk",
        "alert-dead:soc",
    ]
    assert statuses(db) == Counter({"dead": 4})


# -- processes: killed mid-way, two at once ----------------------------------------------------

CLI = "from smguard.cli.main import main; main()"


def _cli_env(config: Path, db_url: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    env.update(
        SMGUARD_CONFIG=str(config),
        SMGUARD_DATABASE_URL=db_url,
        SMGUARD_LOAD_PLUGINS="webhooks",
        **extra,
    )
    return env


def _write_config(path: Path, **settings: Any) -> Path:
    lines = ["[alerts]", "allow_private_targets = true"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
    lines += [
        "[alerts.sinks.soc]",
        'type = "json"',
        'url_env = "TEST_SOC_URL"',
        'secret_env = "TEST_SOC_SECRET"',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _start_worker(env: dict[str, str], name: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", CLI, "alerts", "deliver", "--interval", "0.1", "--worker", name],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()  # "Delivering alerts as worker …": it is up
    assert "Delivering alerts as worker" in line, line + proc.stderr.read()
    return proc


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    return proc.returncode, out, err


def test_killed_worker_loses_no_alert(
    db_url: str, tmp_path: Path, receiver: Callable[..., Receiver]
) -> None:
    r = receiver(stall_s=0.2)
    extra = {"TEST_SOC_URL": r.url + "/soc", "TEST_SOC_SECRET": SECRET}
    config = _write_config(
        tmp_path / "smguard.toml",
        timeout_s=0.5,
        lease_s=2,
        batch_size=3,
        concurrency=1,
        backoff_base_s=0.5,
        backoff_max_s=1,
    )
    env = _cli_env(config, db_url, extra)
    db = Database(db_url)
    store = Store(Config.load(config, env={}), db, pm=plugin_manager())
    keys = queue(store, 8)

    first = _start_worker(env, "doomed")
    _wait_for(lambda: len(r.requests) >= 2, 20, "the first worker to start sending")
    first.send_signal(signal.SIGKILL)  # mid-batch: its claim stays on the rows it held
    first.wait(timeout=10)
    assert statuses(db)["sent"] < 8

    second = _start_worker(env, "survivor")
    try:
        _wait_for(lambda: statuses(db) == Counter({"sent": 8}), 30, "every alert to be sent")
    finally:
        code, _, err = _stop(second)
    assert code == 0, err
    assert "Stopping" in err
    # At least once: every key arrived; a repeat is only possible for the row in flight.
    got = r.accepted_keys()
    assert set(got) == set(keys)
    assert sum(got.values()) - len(keys) <= 3
    assert verify_chain(db).ok
    db.dispose()


def test_two_workers_never_send_an_alert_twice(
    db_url: str, tmp_path: Path, receiver: Callable[..., Receiver]
) -> None:
    r = receiver(stall_s=0.01)
    extra = {"TEST_SOC_URL": r.url + "/soc", "TEST_SOC_SECRET": SECRET}
    config = _write_config(tmp_path / "smguard.toml", batch_size=4, concurrency=2)
    env = _cli_env(config, db_url, extra)
    db = Database(db_url)
    store = Store(Config.load(config, env={}), db, pm=plugin_manager())

    workers = [_start_worker(env, "w-one"), _start_worker(env, "w-two")]
    try:
        keys = queue(store, 80)
        _wait_for(lambda: statuses(db) == Counter({"sent": 80}), 60, "every alert to be sent")
    finally:
        results = [_stop(w) for w in workers]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]

    got = r.accepted_keys()
    assert len(r.requests) == 80
    assert got == Counter(dict.fromkeys(keys, 1))
    with db.session() as s:
        senders = Counter(
            e.details["worker"]
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "alert.sent"))
        )
    assert sum(senders.values()) == 80
    assert set(senders) == {"w-one", "w-two"}, senders  # both really worked at once
    assert verify_chain(db).ok
    db.dispose()


def test_a_pass_claims_at_most_its_limit(
    db: Database, receiver: Callable[..., Receiver], soc_env: Callable[[Receiver], None]
) -> None:
    r = receiver()
    soc_env(r)
    store = make_store(db, alerts_config(batch_size=4))
    queue(store, 10)
    assert deliver_due(store, worker_id="t", limit=3).claimed == 3
    assert deliver_due(store, worker_id="t").claimed == 4
    assert len(r.requests) == 7
    assert statuses(db) == Counter({"sent": 7, "pending": 3})
