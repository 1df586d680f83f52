"""Alert-delivery helpers: a real HTTP receiver on 127.0.0.1, stores with alert settings,
incidents with queued alerts. Fixtures are in ``tests/alerting/conftest.py``."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pluggy
from smguard.plugins import webhooks
from sqlalchemy import func, select

from smguard import hookspecs
from smguard.alerting import deliver_due, enqueue_incident_alerts
from smguard.config import Config
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import AuditEvent, Incident, OutboxAlert, utcnow

SECRET = "test-hmac-key-0123456789"


# -- the receiver ------------------------------------------------------------------------------


@dataclass
class Received:
    n: int
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def key(self) -> str | None:
        return self.headers.get("idempotency-key")


class Receiver:
    """A webhook endpoint on 127.0.0.1 that fails the first ``fail_first`` requests.

    ``stall_s`` delays every answer; ``always_fail`` answers ``fail_status`` forever.
    ``answer`` overrides everything: it gets the request number and returns (status, headers).
    """

    def __init__(
        self,
        *,
        fail_first: int = 0,
        fail_status: int = 500,
        always_fail: bool = False,
        stall_s: float = 0.0,
        drip_s: float = 0.0,
        answer: Callable[[int], tuple[int, dict[str, str], bytes]] | None = None,
    ) -> None:
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.always_fail = always_fail
        self.stall_s = stall_s
        self.drip_s = drip_s
        self.answer = answer
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                super().setup()
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    n = len(receiver.requests) + 1
                    status, headers, reply = receiver._decide(n)
                    receiver.requests.append(
                        Received(
                            n,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            status,
                        )
                    )
                if receiver.stall_s:
                    time.sleep(receiver.stall_s)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if receiver.drip_s:  # an endless body, one byte at a time
                        self.send_header("Content-Length", str(10**9))
                        self.end_headers()
                        while True:
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(receiver.drip_s)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:  # the sender gave up (timeout) or was killed
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _decide(self, n: int) -> tuple[int, dict[str, str], bytes]:
        if self.answer is not None:
            return self.answer(n)
        if self.always_fail or n <= self.fail_first:
            return self.fail_status, {}, b"temporarily broken"
        return 200, {}, b"ok"

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def accepted_keys(self) -> Counter[str | None]:
        return Counter(r.key for r in self.accepted())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- stores, incidents, alerts -----------------------------------------------------------------


def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("smguard")
    pm.add_hookspecs(hookspecs)
    pm.register(webhooks, name="webhooks")
    return pm


def alerts_config(**overrides: Any) -> dict[str, Any]:
    """Fast settings for tests: local targets allowed, sub-second timeouts, one JSON sink."""
    table: dict[str, Any] = {
        "allow_private_targets": True,
        "timeout_s": 0.5,
        "lease_s": 2,
        "backoff_base_s": 1,
        "backoff_max_s": 30,
        "max_attempts": 4,
        "sinks": {
            "soc": {"type": "json", "url_env": "TEST_SOC_URL", "secret_env": "TEST_SOC_SECRET"}
        },
    }
    table.update(overrides)
    return table


def make_store(db: Database, alerts: dict[str, Any], guard: dict[str, Any] | None = None) -> Store:
    config = Config.from_dict({"alerts": alerts, "guard": guard or {}})
    return Store(config, db, pm=plugin_manager())


def add_incident(
    session: Any,
    n: int,
    *,
    kind: str = "unauthorized_post",
    severity: str = "high",
    account: str | None = "kemenkes_ri",
    category: str | None = "sexual",
    title: str | None = None,
) -> Incident:
    now = utcnow()
    incident = Incident(
        kind=kind,
        severity=severity,
        status="open",
        title=title or f"Post #{n} was published without approval",
        account=account,
        category=category,
        dedupe_key=f"test:{kind}:{n}:{now.timestamp()}",
        evidence={"post_id": f"p{n}"},
        sightings=1,
        created_at=now,
        last_seen_at=now,
    )
    session.add(incident)
    session.flush()
    return incident


def queue(store: Store, count: int, **kw: Any) -> list[str]:
    """Open ``count`` incidents and queue their alerts; return the idempotency keys."""
    keys: list[str] = []
    with store.session() as session:
        for n in range(count):
            incident = add_incident(session, n, **kw)
            keys += [
                row.idempotency_key
                for row in enqueue_incident_alerts(store, session, incident, "incident.opened")
            ]
    return keys


def statuses(db: Database) -> Counter[str]:
    with db.session() as s:
        return Counter(s.scalars(select(OutboxAlert.status)))


def audit_count(db: Database, action: str) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).where(AuditEvent.action == action)) or 0)


def drain(store: Store, start: datetime, passes: int = 20) -> datetime:
    """Deliver until nothing is pending, jumping the clock past every backoff."""
    now = start
    for _ in range(passes):
        deliver_due(store, worker_id="t", now=now)
        if statuses(store.db)["pending"] == 0:
            return now
        now += timedelta(seconds=60)
    raise AssertionError(f"still pending after {passes} passes: {statuses(store.db)}")
