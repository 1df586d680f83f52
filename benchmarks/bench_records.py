"""How fast smguard writes its records and delivers alerts, on SQLite and on PostgreSQL.

    python benchmarks/bench_records.py                      # both databases, 3 runs each
    python benchmarks/bench_records.py --db sqlite --runs 5
    python benchmarks/bench_records.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Three figures per database, medians over ``--runs`` runs (each on a fresh, empty database: a new
SQLite file, or a new PostgreSQL schema dropped afterwards):

* **incidents + outbox rows written per second**: ``smguard.records.incidents.open_incident`` for
  ``--incidents`` distinct incidents, one transaction each — the incident, its timeline note, its
  audit event and one outbox row per routed sink (two sinks here, queued by the ``webhooks``
  plugin's ``incident_changed`` hook), as production writes them;
* **alerts delivered per second**: ``deliver_due`` draining ``--alerts`` queued alerts (signed
  generic JSON) to a receiver on 127.0.0.1, run in its own process so that it does not share the
  benchmark's GIL; claims, HTTP, and the sent/audit records are all included;
* **audit verify**: ``verify_chain`` (what ``smguard audit verify`` runs) over ``--events``
  events, generated with ``smguard.records.audit.append_event`` in batches of 1,000 per transaction.

Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pluggy
from smguard.plugins import webhooks

from smguard import __version__, hookspecs
from smguard.alerting import deliver_due, enqueue_incident_alerts
from smguard.config import Config
from smguard.records.audit import append_event, verify_chain
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import Incident, utcnow

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

RECEIVER = r"""
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body leave in two writes; without this, Nagle + delayed ACK add ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def machine() -> str:
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


@contextmanager
def fresh_database(kind: str, pg_url: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{pg_url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def database(url: str) -> Database:
    return Database(url)


def make_store(url: str, port: int = 9) -> Store:
    os.environ["BENCH_SOC_URL"] = f"http://127.0.0.1:{port}/soc"
    os.environ["BENCH_DESK_URL"] = f"http://127.0.0.1:{port}/desk"
    os.environ["BENCH_SECRET"] = "bench-secret"
    config = Config.from_dict({"alerts": {
        "allow_private_targets": True,
        "batch_size": 50,
        "concurrency": 8,
        "sinks": {
            "soc": {"type": "json", "url_env": "BENCH_SOC_URL", "secret_env": "BENCH_SECRET"},
            "desk": {"type": "json", "url_env": "BENCH_DESK_URL", "secret_env": "BENCH_SECRET"},
        },
    }})  # fmt: skip
    pm = pluggy.PluginManager("smguard")
    pm.add_hookspecs(hookspecs)
    pm.register(webhooks, name="webhooks")
    return Store(config, database(url), pm=pm)


def _open_incident() -> Callable[..., Any]:
    try:
        from smguard.records.incidents import open_incident
    except ImportError:  # before the incidents module existed: the same writes, by hand

        def open_incident(store: Store, **kw: Any) -> Any:
            with store.session() as session:
                now = utcnow()
                row = Incident(status="open", sightings=1, created_at=now, last_seen_at=now,
                               **{k: v for k, v in kw.items() if k != "actor"})  # fmt: skip
                session.add(row)
                session.flush()
                store.audit(session, "incident.opened", actor=kw["actor"],
                            subject=f"incident:{row.id}")  # fmt: skip
                enqueue_incident_alerts(store, session, row, "incident.opened")
            return row, True

    return open_incident


def bench_writes(url: str, count: int) -> tuple[float, float]:
    """(incidents per second, outbox rows per second)."""
    store = make_store(url)
    open_incident = _open_incident()
    started = time.perf_counter()
    for n in range(count):
        open_incident(
            store,
            kind="unauthorized_post",
            severity="high",
            title=f"Post {n} was published without approval",
            dedupe_key=f"bench:{n}",
            evidence={"post_id": f"p{n}", "fingerprint": f"{n:064x}"},
            actor="bench",
            account="kemenkes_ri",
            category="sexual",
        )
    elapsed = time.perf_counter() - started
    store.db.dispose()
    return count / elapsed, 2 * count / elapsed


def bench_delivery(url: str, count: int, port: int) -> float:
    """Alerts delivered per second (``count`` rounded up to whole incidents × 2 sinks)."""
    store = make_store(url, port)
    incidents = (count + 1) // 2
    with store.session() as session:
        for n in range(incidents):
            now = utcnow()
            row = Incident(kind="unauthorized_post", severity="high", status="open",
                           title=f"Post {n}", account="kemenkes_ri", category="sexual",
                           dedupe_key=f"bench:{n}", evidence={}, sightings=1, created_at=now,
                           last_seen_at=now)  # fmt: skip
            session.add(row)
            session.flush()
            enqueue_incident_alerts(store, session, row, "incident.opened")
    from smguard.alerting import settings_for

    sent = 0
    with settings_for(store).http() as http:
        started = time.perf_counter()
        while True:
            report = deliver_due(store, worker_id="bench", http=http)
            if not report.claimed:
                break
            sent += report.count("sent")
        elapsed = time.perf_counter() - started
    store.db.dispose()
    if sent != 2 * incidents:
        raise SystemExit(f"only {sent} of {2 * incidents} alerts were delivered")
    return sent / elapsed


def fill_audit(url: str, events: int, batch: int = 1000) -> float:
    db = database(url)
    started = time.perf_counter()
    for first in range(0, events, batch):
        with db.session() as session:
            for n in range(first, min(first + batch, events)):
                append_event(session, "check.recorded", actor="bench", subject=f"check:{n}",
                             details={"decision": "allow", "n": n})  # fmt: skip
    elapsed = time.perf_counter() - started
    db.dispose()
    return events / elapsed


def bench_verify(url: str) -> tuple[float, int]:
    db = database(url)
    started = time.perf_counter()
    result = verify_chain(db)
    elapsed = time.perf_counter() - started
    db.dispose()
    if not result.ok:
        raise SystemExit(f"audit chain does not verify: {result.problem}")
    return elapsed, result.checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]

    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE,
                                text=True)  # fmt: skip
    assert receiver.stdout is not None
    port = int(receiver.stdout.readline())
    print(f"smguard {__version__} · {machine()} · runs={args.runs}")
    try:
        for kind in kinds:
            writes, rows, delivered = [], [], []
            for _ in range(args.runs):
                with fresh_database(kind, args.pg_url) as url:
                    incidents_s, rows_s = bench_writes(url, args.incidents)
                    writes.append(incidents_s)
                    rows.append(rows_s)
                with fresh_database(kind, args.pg_url) as url:
                    delivered.append(bench_delivery(url, args.alerts, port))
            with fresh_database(kind, args.pg_url) as url:
                fill_rate = fill_audit(url, args.events)
                verifies = [bench_verify(url) for _ in range(args.runs)]
            med = statistics.median
            print(f"\n[{kind}]")
            print(
                f"  incidents written      {med(writes):8.0f} /s  "
                f"(+ outbox rows {med(rows):.0f} /s; {args.incidents} incidents, "
                "one transaction each, 2 sinks)"
            )
            print(
                f"  alerts delivered       {med(delivered):8.0f} /s  "
                f"({args.alerts} signed JSON alerts to 127.0.0.1, batch 50, 8 in flight)"
            )
            print(f"  audit verify           {med(v[0] for v in verifies):8.2f} s   "
                  f"({verifies[0][1]} events; written at {fill_rate:.0f} events/s)")  # fmt: skip
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


if __name__ == "__main__":
    main()
