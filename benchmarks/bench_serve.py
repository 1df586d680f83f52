"""``smguard serve`` under local load: batches on 2 workers, and single posts at a fixed rate.

    python benchmarks/bench_serve.py                  # 3 runs of each, medians
    python benchmarks/bench_serve.py --runs 1 --seconds 5 --rate 200 --workers 2

Starts ``smguard serve --workers N`` as a child process on 127.0.0.1 (SQLite in a temporary
folder, the toxicity engine left out as in the other benchmarks, rate limit off), makes a token,
then drives it from this process with a bounded asynchronous client (keep-alive HTTP/1.1 on
asyncio streams, a few lines: httpx would cost the client more CPU than the server):

* **Batches**: ``POST /v1/check`` with 100 posts a request, ``--concurrency`` requests in flight
  (default 4: two per worker), for ``--seconds``; posts per second of wall-clock time.
* **Single posts at a fixed rate**: one post a request, sent on a fixed schedule of ``--rate``
  requests a second (open loop) with at most ``--max-in-flight`` outstanding, for ``--seconds``.
  Latency is measured from the *scheduled* send time, so a server that falls behind shows it in
  p99 (no coordinated omission); the achieved rate and any errors are printed too.

The posts come from ``bench_rules.generate`` (Indonesian and English, 5% bad content). The
client runs on the same machine and takes CPU from the server: figures are for this machine's
cores shared by both, not for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rules import as_input, generate, machine, percentile


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    folder: Path, workers: int, record: bool
) -> tuple[subprocess.Popen[bytes], str, str]:
    config = folder / "smguard.toml"
    config.write_text(
        "[server]\nrate_per_second = 0\nmax_batch = 1000\n"
        + ("[storage]\nstore_text = false\n" if record else ""),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "SMGUARD_CONFIG": str(config),
        "SMGUARD_DATABASE_URL": f"sqlite:///{folder / 'smguard.db'}",
        "SMGUARD_DISABLE_PLUGINS": "toxicity",
    }
    smguard = str(Path(sys.executable).with_name("smguard"))
    token = subprocess.run(
        [
            smguard,
            "tokens",
            "create",
            "bench",
            "--scope",
            "check",
            "--scope",
            "record",
            "--as",
            "bench",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [smguard, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return server, base, token
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not become ready in 60 s")


class Connection:
    """One keep-alive HTTP/1.1 connection, written by hand: httpx costs the client several
    times the server's CPU per request, and client and server share this machine's cores."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        )
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            f"POST {path} HTTP/1.1\r\n{self.head}Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


async def batches(
    base: str,
    token: str,
    posts: list[dict[str, Any]],
    seconds: float,
    concurrency: int,
    record: bool,
) -> dict[str, float]:
    host, port = _address(base)
    url = "/v1/check?record=1" if record else "/v1/check"
    bodies = [
        json.dumps({"posts": posts[i : i + 100], "author": "bench"}).encode()
        for i in range(0, len(posts) - 100, 100)
    ]
    done_posts = 0
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        nonlocal done_posts, errors
        connection = Connection(host, port, token)
        i = n
        while time.perf_counter() < stop:
            if await connection.post(url, bodies[i % len(bodies)]) == 200:
                done_posts += 100
            else:
                errors += 1
            i += concurrency
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"posts_per_s": done_posts / elapsed, "errors": errors, "posts": done_posts}


async def fixed_rate(
    base: str, token: str, posts: list[dict[str, Any]], seconds: float, rate: float, in_flight: int
) -> dict[str, float]:
    host, port = _address(base)
    bodies = [json.dumps(p).encode() for p in posts]
    total = int(seconds * rate)
    latencies: list[float] = []
    service: list[float] = []
    errors = 0
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(in_flight):
        idle.put_nowait(Connection(host, port, token))
    t0 = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        nonlocal errors
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        connection = await idle.get()  # at most in_flight requests outstanding
        sent = time.perf_counter()
        status = await connection.post("/v1/check", bodies[i % len(bodies)])
        end = time.perf_counter()
        idle.put_nowait(connection)
        if status != 200:
            errors += 1
        latencies.append((end - scheduled) * 1000)
        service.append((end - sent) * 1000)

    await asyncio.gather(*(one(i) for i in range(total)))
    elapsed = time.perf_counter() - t0
    while not idle.empty():
        idle.get_nowait().close()
    return {
        "achieved_per_s": total / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "service_p50_ms": percentile(service, 50),
        "service_p99_ms": percentile(service, 99),
        "errors": errors,
        "requests": total,
    }


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server and its worker processes."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    total = 0.0
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measured(pid: int, run: Any) -> dict[str, float]:
    """``run()``'s figures plus the server's CPU milliseconds per request."""
    before = server_cpu(pid)
    figures: dict[str, float] = asyncio.run(run())
    figures["server_cpu_s"] = server_cpu(pid) - before
    return figures


def audited_uses(db: Path) -> tuple[int, int]:
    """(``token.used`` events, requests they count) in the server's audit log."""
    from sqlalchemy import select

    from smguard.records.db import Database
    from smguard.records.tables import AuditEvent

    database = Database(f"sqlite:///{db}", migrate=False)
    with database.session() as s:
        rows = s.execute(select(AuditEvent.details).where(AuditEvent.action == "token.used"))
        counts = [int(d["requests"]) for (d,) in rows]
    database.dispose()
    return len(counts), sum(counts)


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="batch requests in flight")
    parser.add_argument("--rate", type=float, default=200.0, help="single posts per second")
    parser.add_argument("--max-in-flight", dest="in_flight", type=int, default=64)
    parser.add_argument("--record", action="store_true", help="?record=1 on the batches")
    args = parser.parse_args()

    print(machine())
    print(f"load: {os.getloadavg()[0]:.2f} (1-minute average before the runs)")
    posts = as_input(generate(5000, seed=7), with_language=False)
    with tempfile.TemporaryDirectory() as tmp:
        server, base, token = start_server(Path(tmp), args.workers, args.record)
        try:
            # Warm-up: every worker's language detector and caches.
            warm = asyncio.run(batches(base, token, posts, 2.0, args.concurrency, False))
            batch_runs = [
                measured(
                    server.pid,
                    lambda: batches(
                        base, token, posts, args.seconds, args.concurrency, args.record
                    ),
                )
                for _ in range(args.runs)
            ]
            rate_runs = [
                measured(
                    server.pid,
                    lambda: fixed_rate(base, token, posts, args.seconds, args.rate, args.in_flight),
                )
                for _ in range(args.runs)
            ]
        finally:
            server.terminate()  # SIGTERM: the workers write their last token counts
            server.wait(timeout=30)
        sent = sum(r["posts"] / 100 + r["errors"] for r in [warm, *batch_runs])
        sent += sum(r["requests"] for r in rate_runs)
        audited = audited_uses(Path(tmp) / "smguard.db")
    what = "check + record" if args.record else "check"
    each = ", ".join(f"{r['posts_per_s']:,.0f}" for r in batch_runs)
    print(
        f"\nbatches of 100 ({what}), {args.workers} workers, {args.concurrency} in flight: "
        f"{median(batch_runs, 'posts_per_s'):,.0f} posts/s (runs: {each}; "
        f"errors {sum(r['errors'] for r in batch_runs):.0f})"
    )
    per_post = statistics.median(r["server_cpu_s"] * 1000 / max(1, r["posts"]) for r in batch_runs)
    per_request = statistics.median(
        r["server_cpu_s"] * 1000 / max(1, r["requests"]) for r in rate_runs
    )
    print(
        f"server CPU: {per_post:.2f} ms a post in batches of 100; {per_request:.2f} ms a "
        f"single-post request (one free core serves about {1000 / per_request:.0f} single posts/s)"
    )
    print(
        f"single posts at {args.rate:.0f}/s, {args.workers} workers: "
        f"p50 {median(rate_runs, 'p50_ms'):.1f} ms, p99 {median(rate_runs, 'p99_ms'):.1f} ms "
        f"from the scheduled send (service time p50 {median(rate_runs, 'service_p50_ms'):.1f} ms, "
        f"p99 {median(rate_runs, 'service_p99_ms'):.1f} ms); achieved "
        f"{median(rate_runs, 'achieved_per_s'):.0f}/s; errors "
        f"{sum(r['errors'] for r in rate_runs):.0f}"
    )

    print(
        f"token use in the audit log: {audited[1]:,} requests counted in {audited[0]} token.used "
        f"events, for {sent:,.0f} requests sent"
    )


if __name__ == "__main__":
    main()
