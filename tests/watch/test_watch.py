"""The watch: activity storage, cursors and leases, and `smguard watch` against a real local
Mastodon server — on SQLite and PostgreSQL. Retry pauses are recorded, never slept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select, update

from smguard.cli.main import _add_commands, cli
from smguard.config import Config
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import ActivityEventRow, AuditEvent, Incident, WatchCursor
from smguard.types import ActivityEvent
from smguard.watch import pipeline
from smguard.watch.connectors import polling_connectors
from smguard.watch.cursors import LeaseLost, claim_cursor, get_cursor, release_cursor, set_cursor
from smguard.watch.events import recent_events, store_events
from smguard.watch.poll import PollReport, poll_account
from tests.support.mastodon_server import MastodonServer, mastodon_html

CLI = "from smguard.cli.main import main; main()"
T0 = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


def ev(n: int, kind: str = "login", account: str = "kem", **fields: Any) -> ActivityEvent:
    return ActivityEvent(
        id=f"test:{account}:{n}",
        account=account,
        platform="mastodon",
        kind=kind,
        at=T0 + timedelta(minutes=n),
        source="test",
        **fields,
    )


@dataclass
class FakeDetectors:
    """Stands in for the detection pipeline: records which events it was handed."""

    calls: list[list[str]] = field(default_factory=list)

    def __call__(self, store: Store, events: Sequence[ActivityEvent], **kw: Any) -> list[Any]:
        self.calls.append([e.id for e in events])
        return []


@pytest.fixture
def detectors(monkeypatch: pytest.MonkeyPatch) -> FakeDetectors:
    fake = FakeDetectors()
    monkeypatch.setattr(pipeline, "_detector", lambda: fake)
    return fake


def make_store(db_url: str, config: dict[str, Any] | None = None) -> Store:
    return Store(Config.from_dict(config or {}), Database(db_url))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = make_store(db_url)
    yield s
    s.db.dispose()


# -- storage -----------------------------------------------------------------------------------


def test_store_events_keeps_each_event_once(store: Store) -> None:
    first = [ev(1, ip="203.0.113.1"), ev(2, kind="post_published", text="<p>Halo</p>")]
    assert store_events(store, first) == first
    again = store_events(store, [ev(2, kind="post_published", text="<p>Halo</p>"), ev(3), ev(3)])
    assert [e.id for e in again] == ["test:kem:3"]
    stored = recent_events(store, "kem")
    assert [e.id for e in stored] == ["test:kem:3", "test:kem:2", "test:kem:1"]  # newest first
    assert stored[2] == first[0] and stored[1] == first[1]  # every field comes back


def test_recent_events_filters(store: Store) -> None:
    store_events(store, [ev(n, kind="login" if n % 2 else "logout") for n in range(10)])
    store_events(store, [ev(1, account="other")])
    logins = recent_events(store, "kem", kinds=["login"])
    assert [e.id for e in logins] == [f"test:kem:{n}" for n in (9, 7, 5, 3, 1)]
    window = recent_events(store, "kem", since=T0 + timedelta(minutes=3),
                           until=T0 + timedelta(minutes=6))  # fmt: skip
    assert [e.id for e in window] == ["test:kem:5", "test:kem:4", "test:kem:3"]
    assert [e.id for e in recent_events(store, "kem", limit=2)] == ["test:kem:9", "test:kem:8"]
    assert [e.account for e in recent_events(store, "other")] == ["other"]


def test_racing_writers_store_each_event_once(db_url: str) -> None:
    events = [ev(n) for n in range(300)]
    stores = [make_store(db_url) for _ in range(4)]
    got: list[list[ActivityEvent]] = [[] for _ in stores]
    barrier = threading.Barrier(len(stores))

    def write(i: int) -> None:
        barrier.wait()
        got[i] = store_events(stores[i], events)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [e.id for batch in got for e in batch]
    assert sorted(ids) == sorted(e.id for e in events)  # every event new to exactly one writer
    with stores[0].session() as session:
        assert session.scalar(select(func.count()).select_from(ActivityEventRow)) == 300
    for s in stores:
        s.db.dispose()


def test_cursor_round_trip(store: Store) -> None:
    assert get_cursor(store, "kem", "mastodon") is None
    set_cursor(store, "kem", "mastodon", {"last_id": "5"})
    set_cursor(store, "kem", "mastodon", {"last_id": "9"})
    assert get_cursor(store, "kem", "mastodon") == {"last_id": "9"}
    assert get_cursor(store, "kem", "other-connector") is None


def test_a_lease_keeps_two_watchers_apart(db_url: str) -> None:
    a, b = make_store(db_url), make_store(db_url)
    held = claim_cursor(a, "kem", "mastodon", "watcher-a", lease_s=60)
    assert held is not None and held.cursor is None
    assert claim_cursor(b, "kem", "mastodon", "watcher-b", lease_s=60) is None
    assert claim_cursor(a, "kem", "mastodon", "watcher-a", lease_s=60) is not None  # its own
    set_cursor(a, "kem", "mastodon", {"last_id": "7"}, owner="watcher-a", lease_s=60)
    release_cursor(a, "kem", "mastodon", "watcher-a")
    taken = claim_cursor(b, "kem", "mastodon", "watcher-b", lease_s=60)
    assert taken is not None and taken.cursor == {"last_id": "7"}
    # A watcher that stalls past its lease loses the account, and cannot save over the new one.
    later = datetime.now(UTC) + timedelta(seconds=120)
    assert claim_cursor(a, "kem", "mastodon", "watcher-a", lease_s=60, now=later) is not None
    with pytest.raises(LeaseLost, match=r"kem: another watcher took this account over"):
        set_cursor(b, "kem", "mastodon", {"last_id": "8"}, owner="watcher-b", lease_s=60)
    assert get_cursor(b, "kem", "mastodon") == {"last_id": "7"}
    a.db.dispose()
    b.db.dispose()


def test_racing_watchers_get_the_account_once(db_url: str) -> None:
    stores = [make_store(db_url) for _ in range(4)]
    claim_cursor(stores[0], "kem", "mastodon", "setup", lease_s=1)  # the row exists
    release_cursor(stores[0], "kem", "mastodon", "setup")
    barrier = threading.Barrier(len(stores))
    won: list[str] = []

    def race(i: int) -> None:
        barrier.wait()
        if claim_cursor(stores[i], "kem", "mastodon", f"w{i}", lease_s=60) is not None:
            won.append(f"w{i}")

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    for s in stores:
        s.db.dispose()


# -- polling one account -----------------------------------------------------------------------


def masto_config(server: MastodonServer, **watch: Any) -> dict[str, Any]:
    return {
        "accounts": {
            "kem_masto": {
                "platform": "mastodon",
                "handle": "@kemcontoh",
                "mastodon_url": server.url,
            }
        },
        "watch": {"retries": 1, "failures_before_incident": 2, **watch},
    }


def poll(store: Store, owner: str = "w1") -> PollReport:
    (connector,) = polling_connectors(store.pm).values()
    with httpx.Client(timeout=5) as client:
        return poll_account(
            store, connector, "kem_masto", owner=owner, http=client, sleep=lambda s: False
        )


@pytest.fixture
def masto_store(
    db_url: str,
    mastodon_server: MastodonServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Store]:
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "connectors")
    s = make_store(db_url, masto_config(mastodon_server))
    yield s
    s.db.dispose()


def audit_actions(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_poll_stores_new_statuses_once_and_hands_them_to_the_detectors(
    masto_store: Store,
    mastodon_server: MastodonServer,
    detectors: FakeDetectors,
) -> None:
    made = [mastodon_server.add_status(mastodon_html(f"Info {n}"))["id"] for n in range(3)]
    report = poll(masto_store)
    assert report.status == "ok" and [e.raw["id"] for e in report.new] == made
    assert detectors.calls == [[f"mastodon:kem_masto:status:{i}" for i in made]]
    assert get_cursor(masto_store, "kem_masto", "mastodon") == {
        "server": mastodon_server.url,
        "account_id": mastodon_server.account_id,
        "handle": "@kemcontoh",
        "last_id": made[-1],
    }
    assert poll(masto_store).new == []
    assert detectors.calls[1:] == []  # nothing new, nothing to detect
    assert audit_actions(masto_store) == ["activity.polled"]
    with masto_store.session() as session:
        row = session.get(WatchCursor, ("kem_masto", "mastodon"))
        assert row is not None and row.lease_owner is None and row.failures == 0
        unprocessed = session.scalar(
            select(func.count()).where(ActivityEventRow.processed_at.is_(None))
        )
        assert unprocessed == 0


def test_failures_are_counted_audited_and_become_an_incident(
    masto_store: Store,
    mastodon_server: MastodonServer,
) -> None:
    mastodon_server.fail_next(500, times=4)
    first = poll(masto_store)
    assert (first.status, first.failures, first.incident_id) == ("failed", 1, None)
    assert first.error is not None and first.error.endswith(
        "has a server error (500 Internal Server Error), 2 tries"
    )
    second = poll(masto_store)
    assert (second.status, second.failures) == ("failed", 2)
    assert second.incident_id is not None
    with masto_store.session() as session:
        incident = session.get(Incident, second.incident_id)
        assert incident is not None
        assert (incident.kind, incident.severity, incident.account) == (
            "engine_failure", "high", "kem_masto",
        )  # fmt: skip
        assert incident.dedupe_key == "watch_failure:kem_masto:mastodon"
    mastodon_server.add_status("<p>back</p>")
    back = poll(masto_store)
    assert (back.status, back.recovered_after, len(back.new)) == ("ok", 2, 1)
    # One audit event when the failures start (the same error again is not repeated).
    actions = audit_actions(masto_store)
    assert actions.count("watch.failed") == 1 and actions[-2:] == [
        "activity.polled",
        "watch.recovered",
    ]


def test_another_watcher_holding_the_account_is_skipped(masto_store: Store) -> None:
    assert claim_cursor(masto_store, "kem_masto", "mastodon", "other", lease_s=60) is not None
    assert poll(masto_store).status == "busy"


def test_events_left_behind_by_a_crash_are_detected_later(
    masto_store: Store,
    detectors: FakeDetectors,
) -> None:
    store_events(masto_store, [ev(1, account="kem_masto"), ev(2, account="kem_masto")])
    poll(masto_store)
    assert detectors.calls == []  # too fresh: maybe another process is still working on them
    with masto_store.session() as session:
        session.execute(
            update(ActivityEventRow).values(ingested_at=datetime.now(UTC) - timedelta(hours=1))
        )
    poll(masto_store)
    assert detectors.calls == [["test:kem_masto:1", "test:kem_masto:2"]]
    poll(masto_store)
    assert len(detectors.calls) == 1


# -- the command -------------------------------------------------------------------------------


@dataclass
class Cli:
    folder: Path
    env: dict[str, str]
    sleeps: list[float]

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    def subprocess(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", CLI, *args],
            env=self.env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def count(self, db_url: str) -> int:
        database = Database(db_url)
        try:
            with database.session() as session:
                return int(session.scalar(select(func.count()).select_from(ActivityEventRow)) or 0)
        finally:
            database.dispose()


def write_config(folder: Path, accounts: dict[str, str], retries: int = 1) -> None:
    text = "".join(
        f'[accounts.{name}]\nplatform = "mastodon"\nhandle = "@kemcontoh"\n'
        f'mastodon_url = "{url}"\n\n'
        for name, url in accounts.items()
    )
    (folder / "smguard.toml").write_text(
        text + f"[watch]\nretries = {retries}\nfailures_before_incident = 2\n", encoding="utf-8"
    )


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> Cli:
    _add_commands()
    monkeypatch.chdir(tmp_path)
    env = {
        "SMGUARD_LOAD_PLUGINS": "connectors,policy",
        "SMGUARD_DATABASE_URL": db_url,
        "SMGUARD_ACTOR": "ani",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    sleeps: list[float] = []

    def sleeper(stop: threading.Event) -> Callable[[float], bool]:
        def pause(seconds: float) -> bool:
            sleeps.append(seconds)
            return stop.is_set()

        return pause

    monkeypatch.setattr("smguard.cli.watch._sleeper", sleeper)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    return Cli(tmp_path, {**clean, **env, "PYTHONUNBUFFERED": "1"}, sleeps)


def test_watch_once_twice_with_a_restart_in_between(
    run: Cli,
    db_url: str,
    mastodon_server: MastodonServer,
) -> None:
    write_config(run.folder, {"kem_masto": mastodon_server.url}, retries=3)
    first_ids = [mastodon_server.add_status(mastodon_html(f"Info {n}"))["id"] for n in range(3)]
    mastodon_server.fail_next(429, retry_after="1")
    mastodon_server.fail_next(500)

    first = run("watch", "--once")
    assert first.exit_code == 0, first.output
    assert "kem_masto (mastodon): 3 new: 3 post_published" in first.output
    assert run.sleeps == [1.0, 2.0]  # Retry-After: 1, then backoff for the second retry
    assert run.count(db_url) == 3

    # A new process (nothing shared but the database) polls from the saved cursor.
    new_ids = [mastodon_server.add_status(mastodon_html(f"Baru {n}"))["id"] for n in range(2)]
    before = len(mastodon_server.status_requests())
    second = run.subprocess("watch", "--once")
    assert second.returncode == 0, second.stderr
    assert "kem_masto (mastodon): 2 new: 2 post_published" in second.stdout
    asked = mastodon_server.status_requests()[before]
    assert asked == {"since_id": first_ids[-1], "limit": "40"}
    assert run.count(db_url) == 5
    listed = run("incidents", "list", "--format", "json")
    assert json.loads(listed.output) == []  # no detectors loaded in this test

    third = run("watch", "--once", "--account", "kem_masto")
    assert third.exit_code == 0 and "kem_masto (mastodon): nothing new" in third.output
    assert run.count(db_url) == 5
    assert new_ids[-1] == get_cursor(make_store(db_url), "kem_masto", "mastodon")["last_id"]  # type: ignore[index]


def test_watch_once_as_json_lines(run: Cli, mastodon_server: MastodonServer) -> None:
    with MastodonServer() as dead:
        dead_url = dead.url
    write_config(run.folder, {"kem_dead": dead_url, "kem_masto": mastodon_server.url})
    mastodon_server.add_status("<p>hello</p>")
    result = run("watch", "--once", "--format", "json")
    assert result.exit_code == 1  # as with text: an account failed
    lines = {line["account"]: line for line in map(json.loads, result.stdout.splitlines())}
    assert set(lines) == {"kem_dead", "kem_masto"}
    assert lines["kem_masto"]["type"] == "poll" and lines["kem_masto"]["status"] == "ok"
    assert lines["kem_masto"]["new"] == 1
    assert lines["kem_masto"]["new_kinds"] == {"post_published": 1}
    failed = lines["kem_dead"]
    assert failed["status"] == "failed" and failed["failures"] == 1
    assert "cannot reach 127.0.0.1:" in failed["error"]
    again = run("watch", "--once", "--format", "json")
    (line,) = [x for x in map(json.loads, again.stdout.splitlines()) if x["account"] == "kem_dead"]
    assert line["failures"] == 2 and line["incident_id"] == 1


def test_one_failing_account_does_not_stop_the_others(
    run: Cli,
    mastodon_server: MastodonServer,
) -> None:
    with MastodonServer() as dead:
        dead_url = dead.url
    write_config(run.folder, {"kem_dead": dead_url, "kem_masto": mastodon_server.url})
    mastodon_server.add_status("<p>hello</p>")
    result = run("watch", "--once")
    assert result.exit_code == 1
    assert "kem_dead (mastodon): FAILED (1 in a row): cannot reach 127.0.0.1:" in result.output
    assert "kem_masto (mastodon): 1 new: 1 post_published" in result.output
    again = run("watch", "--once")
    assert again.exit_code == 1
    assert "FAILED (2 in a row)" in again.output
    assert "→ incident #1: smguard cannot watch this account" in again.output
    shown = run("incidents", "show", "1")
    assert "engine_failure" in shown.output and "kem_dead" in shown.output


def test_watch_stops_cleanly_on_sigterm(
    run: Cli,
    db_url: str,
    mastodon_server: MastodonServer,
) -> None:
    write_config(run.folder, {"kem_masto": mastodon_server.url})
    mastodon_server.add_status("<p>hello</p>")
    proc = subprocess.Popen(
        [sys.executable, "-c", CLI, "watch", "--interval", "0.2"],
        env=run.env,
        cwd=run.folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "kem_masto (mastodon): 1 new" in line
    deadline = time.monotonic() + 10
    while len(mastodon_server.status_requests()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)  # a second cycle has run
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Watching 1 account(s)" in err and "Stopping after the current account" in err
    assert "Traceback" not in err
    assert run.count(db_url) == 1
    with Database(db_url).session() as session:
        row = session.get(WatchCursor, ("kem_masto", "mastodon"))
        assert row is not None and row.lease_owner is None  # the lease was given back


def test_nothing_to_watch_is_one_clear_line(run: Cli) -> None:
    (run.folder / "smguard.toml").write_text(
        '[accounts.kem_x]\nplatform = "x"\n\n[accounts.kem_m]\nplatform = "mastodon"\n', "utf-8"
    )
    result = run("watch", "--once")
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        "kem_m: a Mastodon account without accounts.kem_m.mastodon_url is not watched",
        "Error: Nothing to watch: no account has a polling connector configured (set "
        "accounts.NAME.mastodon_url and handle in smguard.toml; see docs/watch.md).",
    ]
    other = run("watch", "--once", "--account", "kem_x")
    assert other.exit_code == 3
    assert "--account kem_x: not an account smguard can poll" in other.output


def test_bad_watch_settings_name_the_key(run: Cli) -> None:
    (run.folder / "smguard.toml").write_text("[watch]\ninterval_s = 0\n", "utf-8")
    result = run("watch", "--once")
    assert result.exit_code == 3
    assert "watch.interval_s: must be a number from 1 to 86400" in result.output
