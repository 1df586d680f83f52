"""``smguard serve`` under local load: batches on 2 workers, and single posts at a fixed rate.

    python benchmarks/bench_serve.py                  # 3 runs of each, medians
    python benchmarks/bench_serve.py --runs 1 --seconds 5 --rate 200 --workers 2

Starts ``smguard serve --workers N`` as a child process on 127.0.0.1 (SQLite in a temporary
folder, the toxicity engine left out as in the other benchmarks, rate limit off), makes a token,
then drives it with a bounded asynchronous httpx client from this process:

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


async def batches(
    base: str,
    token: str,
    posts: list[dict[str, Any]],
    seconds: float,
    concurrency: int,
    record: bool,
) -> dict[str, float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    done_posts = 0
    errors = 0
    url = "/v1/check?record=1" if record else "/v1/check"
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60
    ) as client:
        stop = time.perf_counter() + seconds

        async def worker(n: int) -> None:
            nonlocal done_posts, errors
            i = n
            while time.perf_counter() < stop:
                start = (i * 100) % (len(posts) - 100)
                answer = await client.post(
                    url, json={"posts": posts[start : start + 100], "author": "bench"}
                )
                if answer.status_code == 200:
                    done_posts += 100
                else:
                    errors += 1
                i += concurrency

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"posts_per_s": done_posts / elapsed, "errors": errors}


async def fixed_rate(
    base: str, token: str, posts: list[dict[str, Any]], seconds: float, rate: float, in_flight: int
) -> dict[str, float]:
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    headers = {"Authorization": f"Bearer {token}"}
    total = int(seconds * rate)
    latencies: list[float] = []
    service: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(in_flight)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60
    ) as client:
        t0 = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            nonlocal errors
            scheduled = t0 + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            async with gate:
                sent = time.perf_counter()
                answer = await client.post("/v1/check", json=posts[i % len(posts)])
                end = time.perf_counter()
            if answer.status_code != 200:
                errors += 1
            latencies.append((end - scheduled) * 1000)
            service.append((end - sent) * 1000)

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - t0
    return {
        "achieved_per_s": total / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "service_p50_ms": percentile(service, 50),
        "service_p99_ms": percentile(service, 99),
        "errors": errors,
    }


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="batch requests in flight")
    parser.add_argument("--rate", type=float, default=200.0, help="single posts per second")
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--record", action="store_true", help="?record=1 on the batches")
    args = parser.parse_args()

    print(machine())
    print(f"load: {os.getloadavg()[0]:.2f} (1-minute average before the runs)")
    posts = as_input(generate(5000, seed=7), with_language=False)
    with tempfile.TemporaryDirectory() as tmp:
        server, base, token = start_server(Path(tmp), args.workers, args.record)
        try:
            # Warm-up: every worker's language detector and caches.
            asyncio.run(batches(base, token, posts, 2.0, args.concurrency, False))
            batch_runs = [
                asyncio.run(
                    batches(base, token, posts, args.seconds, args.concurrency, args.record)
                )
                for _ in range(args.runs)
            ]
            rate_runs = [
                asyncio.run(
                    fixed_rate(base, token, posts, args.seconds, args.rate, args.max_in_flight)
                )
                for _ in range(args.runs)
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
    what = "check + record" if args.record else "check"
    each = ", ".join(f"{r['posts_per_s']:,.0f}" for r in batch_runs)
    print(
        f"\nbatches of 100 ({what}), {args.workers} workers, {args.concurrency} in flight: "
        f"{median(batch_runs, 'posts_per_s'):,.0f} posts/s (runs: {each}; "
        f"errors {sum(r['errors'] for r in batch_runs):.0f})"
    )
    print(
        f"single posts at {args.rate:.0f}/s, {args.workers} workers: "
        f"p50 {median(rate_runs, 'p50_ms'):.1f} ms, p99 {median(rate_runs, 'p99_ms'):.1f} ms "
        f"from the scheduled send (service time p50 {median(rate_runs, 'service_p50_ms'):.1f} ms, "
        f"p99 {median(rate_runs, 'service_p99_ms'):.1f} ms); achieved "
        f"{median(rate_runs, 'achieved_per_s'):.0f}/s; errors "
        f"{sum(r['errors'] for r in rate_runs):.0f}"
    )


if __name__ == "__main__":
    main()
