"""Incidents: lifecycle, refused transitions, dedupe (also under concurrency), alerts, audit."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from smguard.config import Config
from smguard.errors import InputError
from smguard.records import incidents as inc
from smguard.records.audit import verify_chain
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import AuditEvent, Incident, OutboxAlert


def make_store(db: Any, **config: Any) -> Store:
    return Store(Config.from_dict(config), db)


def open_one(store: Store, key: str = "unauthorized_post:kemkes:abc", **kw: Any) -> Any:
    args: dict[str, Any] = {
        "kind": "unauthorized_post",
        "severity": "high",
        "title": "Post published without approval",
        "account": "kemkes",
        "category": "spam",
        "dedupe_key": key,
        "evidence": {"post_id": "111", "text": "slot gacor"},
        "actor": "watch",
    }
    args.update(kw)
    return inc.open_incident(store, **args)


def actions(db: Any) -> list[str]:
    with db.session() as s:
        return list(s.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())


def test_lifecycle_records_who_when_and_a_timeline(db: Any) -> None:
    store = make_store(db)
    opened, created = open_one(store)
    assert created and opened.status == "open" and opened.sightings == 1
    assert opened.evidence == {"post_id": "111", "text": "slot gacor"}
    acked = inc.acknowledge(store, opened.id, actor="budi", note="On it, resetting the password")
    assert (acked.status, acked.acknowledged_by) == ("acknowledged", "budi")
    assert acked.acknowledged_at is not None and acked.acknowledged_at.tzinfo is not None
    inc.add_note(store, opened.id, "Password reset, sessions revoked", actor="budi")
    done = inc.resolve(store, opened.id, actor="ani", reason="Account secured; post removed")
    assert (done.status, done.resolved_by, done.resolution) == (
        "resolved", "ani", "Account secured; post removed",
    )  # fmt: skip
    assert [(n.kind, n.actor) for n in done.notes] == [
        ("opened", "watch"), ("acknowledged", "budi"), ("note", "budi"), ("resolved", "ani"),
    ]  # fmt: skip
    assert done.notes[1].text == "On it, resetting the password"
    assert inc.get(store, opened.id) == done
    assert actions(db) == [
        "incident.opened", "incident.acknowledged", "incident.noted", "incident.resolved",
    ]  # fmt: skip
    assert verify_chain(db).ok


def test_invalid_transitions_are_refused_with_the_reason(db: Any) -> None:
    store = make_store(db)
    incident, _ = open_one(store)
    inc.acknowledge(store, incident.id, actor="budi")
    with pytest.raises(inc.InvalidTransition, match=r"already acknowledged by budi \(20"):
        inc.acknowledge(store, incident.id, actor="ani")
    inc.resolve(store, incident.id, actor="ani", reason="fixed")
    with pytest.raises(inc.InvalidTransition, match=r"already resolved.*cannot be resolved again"):
        inc.resolve(store, incident.id, actor="ani", reason="again")
    with pytest.raises(inc.InvalidTransition) as info:
        inc.acknowledge(store, incident.id, actor="budi")
    assert "sudah selesai (oleh ani" in info.value.text("id")
    # A post-mortem note is still welcome on a resolved incident.
    assert inc.add_note(store, incident.id, "Root cause: reused password", actor="ani").notes
    # Refusals change nothing and write nothing.
    assert inc.get(store, incident.id).resolution == "fixed"
    assert actions(db).count("incident.resolved") == 1


def test_resolving_straight_from_open_is_allowed(db: Any) -> None:
    store = make_store(db)
    incident, _ = open_one(store)
    assert inc.resolve(store, incident.id, actor="ani", reason="false alarm").status == "resolved"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, i: inc.acknowledge(s, i, actor=" "), "say who is doing this"),
        (lambda s, i: inc.resolve(s, i, actor="ani", reason=""), "say why"),
        (lambda s, i: inc.add_note(s, i, "  ", actor="ani"), "needs some text"),
    ],
)
def test_missing_names_and_reasons_are_refused(db: Any, call: Any, message: str) -> None:
    store = make_store(db)
    incident, _ = open_one(store)
    with pytest.raises(InputError, match=message):
        call(store, incident.id)


def test_unknown_incident_and_bad_arguments(db: Any) -> None:
    store = make_store(db)
    with pytest.raises(inc.IncidentNotFound, match="no incident #42"):
        inc.get(store, 42)
    with pytest.raises(inc.IncidentNotFound):
        inc.resolve(store, 42, actor="ani", reason="x")
    with pytest.raises(InputError, match="not a severity"):
        open_one(store, severity="urgent")
    with pytest.raises(InputError, match="lower_snake_case"):
        open_one(store, kind="Bad Kind")
    with pytest.raises(InputError, match="dedupe key"):
        open_one(store, key="")


def test_the_same_cause_twice_is_one_incident_with_two_sightings(db: Any) -> None:
    store = make_store(db)
    first, created_first = open_one(store, evidence={"post_id": "1"})
    second, created_second = open_one(store, evidence={"post_id": "2"})
    assert (created_first, created_second) == (True, False)
    assert second.id == first.id and second.sightings == 2
    assert second.last_seen_at >= first.last_seen_at
    assert [n.kind for n in second.notes] == ["opened", "sighting"]
    assert second.notes[1].data["evidence"] == {"post_id": "2"}
    assert second.evidence == {"post_id": "1"}  # the first evidence stays
    other, created_other = open_one(store, key="unauthorized_post:kemkes:other")
    assert created_other and other.id != first.id
    assert actions(db) == ["incident.opened", "incident.sighting", "incident.opened"]


def test_acknowledged_incidents_take_sightings_resolved_ones_do_not(db: Any) -> None:
    store = make_store(db)
    first, _ = open_one(store)
    inc.acknowledge(store, first.id, actor="budi")
    again, created = open_one(store)
    assert not created and again.id == first.id and again.status == "acknowledged"
    inc.resolve(store, first.id, actor="budi", reason="done")
    fresh, created = open_one(store)
    assert created and fresh.id != first.id and fresh.sightings == 1
    assert inc.get(store, first.id).sightings == 2


def test_a_worse_sighting_raises_the_severity(db: Any) -> None:
    store = make_store(db)
    open_one(store, severity="medium")
    worse, _ = open_one(store, severity="critical")
    assert worse.severity == "critical"
    assert "from medium to critical" in worse.notes[-1].text
    milder, _ = open_one(store, severity="low")
    assert milder.severity == "critical" and milder.sightings == 3


def test_alerts_are_queued_on_opening_and_escalation(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smguard.alerting

    calls: list[tuple[int, str, bool]] = []

    def fake(store: Store, session: Any, incident: Incident, event: str) -> list[Any]:
        # Called inside the transaction: the row is there, in this very session.
        calls.append((incident.id, event, incident in session))
        return []

    monkeypatch.setattr(smguard.alerting, "enqueue_incident_alerts", fake)
    store = make_store(db)
    first, _ = open_one(store, severity="medium")
    open_one(store, severity="medium")  # a plain sighting: no new alert
    open_one(store, severity="high")
    open_one(store, severity="critical")
    assert calls == [
        (first.id, "incident.opened", True),
        (first.id, "incident.escalated:high", True),
        (first.id, "incident.escalated:critical", True),
    ]


def test_an_alert_that_cannot_be_queued_leaves_no_incident(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smguard.alerting
    from smguard.errors import ConfigError

    def broken(*args: Any) -> None:
        raise ConfigError("alerts.sinks.soc.url_env: TEST_URL is not set")

    monkeypatch.setattr(smguard.alerting, "enqueue_incident_alerts", broken)
    store = make_store(db)
    with pytest.raises(ConfigError):
        open_one(store)
    assert inc.list_incidents(store) == [] and actions(db) == []


def test_opening_writes_the_outbox_in_the_same_transaction(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pluggy
    from smguard.plugins import webhooks

    from smguard import hookspecs

    monkeypatch.setenv("REC_TEST_URL", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("REC_TEST_SECRET", "s3cret")
    pm = pluggy.PluginManager("smguard")
    pm.add_hookspecs(hookspecs)
    pm.register(webhooks, name="webhooks")
    config = Config.from_dict({"alerts": {
        "allow_private_targets": True,
        "sinks": {"soc": {"type": "json", "url_env": "REC_TEST_URL",
                          "secret_env": "REC_TEST_SECRET"}},
    }})  # fmt: skip
    store = Store(config, db, pm=pm)
    incident, _ = open_one(store)
    with db.session() as s:
        rows = list(s.execute(select(OutboxAlert)).scalars())
    assert [(r.incident_id, r.sink) for r in rows] == [(incident.id, "soc")]


def test_list_filters(db: Any) -> None:
    store = make_store(db)
    a, _ = open_one(store, key="a", severity="low", account="bank")
    b, _ = open_one(store, key="b", severity="high", account="kemkes", kind="suspicious_login")
    c, _ = open_one(store, key="c", severity="critical", account="kemkes")
    inc.resolve(store, c.id, actor="ani", reason="ok")

    def ids(**kw: Any) -> list[int]:
        return [i.id for i in inc.list_incidents(store, **kw)]

    assert ids() == [c.id, b.id, a.id]
    assert ids(status="open") == [b.id, a.id]
    assert ids(status=["resolved", "acknowledged"]) == [c.id]
    assert ids(severity="high") == [c.id, b.id]
    assert ids(account="bank") == [a.id]
    assert ids(kind="suspicious_login") == [b.id]
    assert ids(since=datetime.now(UTC) - timedelta(hours=1)) == [c.id, b.id, a.id]
    assert ids(since=datetime.now(UTC) + timedelta(hours=1)) == []
    with pytest.raises(InputError, match="unknown status"):
        ids(status="closed")


# -- concurrency -------------------------------------------------------------------------------


def _pg_only(db: Any) -> None:
    if db.dialect != "postgresql":
        pytest.skip("the row-lock race is PostgreSQL's; SQLite writers are serialised")


def test_two_transactions_opening_one_cause_make_one_incident(db: Any, db_url: str) -> None:
    """Transaction A opens the incident and has not committed when B opens the same key.
    B must wait for A, then add a sighting to A's incident (not create a second one)."""
    _pg_only(db)
    store_a = make_store(db)
    app = f"smg-race-{uuid.uuid4().hex[:8]}"
    db_b = Database(db_url, connect_args={"connect_timeout": 10, "application_name": app})
    store_b = make_store(db_b)
    result: dict[str, Any] = {}

    def opener_b() -> None:
        try:
            result["b"] = open_one(store_b, evidence={"by": "b"})
        except BaseException as exc:  # reported below
            result["error"] = exc

    with store_a.session() as session:
        row, created = inc.open_incident_in(
            store_a, session, kind="unauthorized_post", severity="high", title="t",
            dedupe_key="unauthorized_post:kemkes:abc", evidence={"by": "a"}, actor="watch-a",
        )  # fmt: skip
        assert created
        thread = threading.Thread(target=opener_b)
        thread.start()
        # Wait until B is really blocked on A's uncommitted row, then commit A.
        deadline = time.monotonic() + 10
        with db.engine.connect() as conn:
            while time.monotonic() < deadline:
                waiting = conn.execute(
                    text(
                        "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = :a"
                    ),
                    {"a": app},
                ).scalar()
                if waiting == "Lock":
                    break
                time.sleep(0.02)
            else:
                pytest.fail("B never waited for A: the dedupe is not enforced by the database")
    thread.join(10)
    db_b.dispose()
    assert "error" not in result, result.get("error")
    b_incident, b_created = result["b"]
    assert not b_created and b_incident.id == row.id and b_incident.sightings == 2
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(Incident)).scalar() == 1
    assert verify_chain(db).ok


def test_many_openers_at_once_end_with_one_incident(db: Any, db_url: str) -> None:
    n = 6
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []
    databases = [Database(db_url) for _ in range(n)]

    def opener(database: Database, i: int) -> None:
        try:
            store = make_store(database)
            barrier.wait(5)
            results.append(open_one(store, evidence={"n": i}))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener, args=(d, i)) for i, d in enumerate(databases)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for d in databases:
        d.dispose()
    assert not errors, errors
    assert sum(1 for _, created in results if created) == 1
    assert len({incident.id for incident, _ in results}) == 1
    (only,) = inc.list_incidents(make_store(db))
    assert only.sightings == n
    assert verify_chain(db).ok


# -- migration ---------------------------------------------------------------------------------


def test_migration_0002_upgrades_a_database_that_has_incidents(db_url: str) -> None:
    old = Database(db_url, migrate=False)
    old.upgrade("0001")
    now = datetime.now(UTC).isoformat()
    with old.engine.begin() as conn:
        for n, (key, status) in enumerate([("k", "resolved"), ("k", "resolved"), ("k", "open")]):
            conn.execute(
                text("INSERT INTO incidents (kind, severity, status, title, dedupe_key, evidence, "
                     "sightings, created_at, last_seen_at) VALUES ('account_change', 'high', "
                     ":status, :title, :key, '{}', 1, :now, :now)"),
                {"status": status, "title": f"old {n}", "key": key, "now": now},
            )  # fmt: skip
    old.dispose()
    db = Database(db_url)
    assert db.current_revision() not in (None, "0001")
    store = make_store(db)
    again, created = open_one(store, key="k", kind="account_change")
    assert not created and again.id == 3 and again.sightings == 2
    db.dispose()


def test_many_incidents_on_one_connection(db: Any) -> None:
    # PostgreSQL switches a statement prepared often enough to a generic plan; the dedupe insert
    # must still find its partial unique index then (it once failed from the ~10th incident on).
    store = make_store(db)
    for n in range(25):
        open_one(store, key=f"blocked_post:acct:{n}")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 25
