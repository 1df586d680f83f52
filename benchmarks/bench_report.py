"""A monthly report over 100,000 posts, 1,000,000 checks and 10,000 incidents in PostgreSQL.

Fills a fresh schema of the PostgreSQL test database (``SMGUARD_TEST_PG_URL``, default the
``test`` database on 127.0.0.1) with one month of made-up history for 20 accounts, then times
:func:`build_report` for the month, and each rendering (text, JSON, HTML), several times.
The schema is dropped at the end. Loading takes a few minutes; the figures are the medians.

    python benchmarks/bench_report.py                  # 100k posts, 1M checks, 10k incidents
    python benchmarks/bench_report.py --scale 0.1      # a tenth of each, quicker
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg

from smguard.config import Config
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.reports import build_report, period_containing, render_text
from smguard.reports.page import render_html

PG = os.environ.get("SMGUARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
MONTH = period_containing("month", date(2026, 5, 1), "Asia/Jakarta")
RULES = [
    ("SMG-LINK-001", "link"),
    ("SMG-ID-SPAM-001", "spam"),
    ("SMG-ID-PROF-002", "profanity"),
    ("SMG-PII-001", "pii"),
    ("SMG-TONE-001", "tone"),
    ("SMG-TIME-001", "timing"),
]


def when(rng: random.Random) -> datetime:
    return MONTH.start.astimezone(UTC) + timedelta(seconds=rng.randrange(31 * 86400))


def load(conn: psycopg.Connection, posts: int, checks: int, incidents: int) -> None:
    rng = random.Random(1)
    accounts = [f"acct{n:02d}" for n in range(20)]
    with conn.cursor() as cur:
        with cur.copy(
            "COPY checks (id, created_at, account, platform, kind, author, fingerprint, "
            "decision, findings, languages, elapsed_ms) FROM STDIN"
        ) as copy:
            for _ in range(checks):
                roll = rng.random()
                decision = "block" if roll < 0.03 else "review" if roll < 0.15 else "allow"
                findings = []
                if decision != "allow" or rng.random() < 0.1:
                    for rule, category in rng.sample(RULES, rng.randint(1, 2)):
                        findings.append(
                            {
                                "rule": rule,
                                "category": category,
                                "severity": "high",
                                "message": {"en": "x", "id": "x"},
                                "engine": "rules",
                            }
                        )
                copy.write_row(
                    (
                        str(uuid.uuid4()),
                        when(rng),
                        rng.choice(accounts),
                        "x",
                        "post",
                        f"author{rng.randrange(40)}",
                        "0" * 64,
                        decision,
                        json.dumps(findings),
                        '["id"]',
                        2.0,
                    )
                )
        with cur.copy(
            "COPY activity_events (id, account, platform, kind, at, source, device, url, links, "
            "raw, ingested_at) FROM STDIN"
        ) as copy:
            rows = []
            for n in range(posts):
                at, account = when(rng), rng.choice(accounts)
                copy.write_row(
                    (
                        f"x:{account}:tweet:{n}",
                        account,
                        "x",
                        "post_published",
                        at,
                        "bench",
                        "Scheduler",
                        f"https://x.com/i/{n}",
                        "[]",
                        "{}",
                        at,
                    )
                )
                rows.append(
                    (
                        account,
                        "x",
                        str(n),
                        "post",
                        at,
                        rng.randrange(200),
                        rng.randrange(30),
                        None,
                        at,
                        f"x:{account}:tweet:{n}",
                    )
                )
        with cur.copy(
            "COPY post_engagement (account, platform, post_id, kind, published_at, likes, "
            "reposts, replies, counted_at, event_id) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        with cur.copy(
            "COPY ledger (account, platform, fingerprint, approved_by, approved_at, published_at) "
            "FROM STDIN"
        ) as copy:
            for n in range(posts):
                at = when(rng)
                copy.write_row(
                    (
                        rng.choice(accounts),
                        "x",
                        "0" * 64,
                        "boss" if n % 10 == 0 else None,
                        at - timedelta(minutes=30) if n % 10 == 0 else None,
                        at,
                    )
                )
        with cur.copy(
            "COPY incidents (kind, severity, status, title, account, dedupe_key, evidence, "
            "sightings, created_at, last_seen_at, acknowledged_at, resolved_at) FROM STDIN"
        ) as copy:
            for n in range(incidents):
                at = when(rng)
                acked = at + timedelta(minutes=rng.randrange(1, 120))
                resolved = acked + timedelta(hours=rng.randrange(1, 48)) if n % 3 else None
                copy.write_row(
                    (
                        "blocked_post",
                        rng.choice(["high", "medium", "critical"]),
                        "resolved" if resolved else "acknowledged",
                        f"incident {n}",
                        rng.choice(accounts),
                        f"k{n}",
                        "{}",
                        1,
                        at,
                        at,
                        acked,
                        resolved,
                    )
                )
    conn.commit()
    with conn.cursor() as cur:
        cur.execute("ANALYZE")
    conn.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    posts, checks, incidents = (int(n * args.scale) for n in (100_000, 1_000_000, 10_000))
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        db = Database(f"{PG}?options=-csearch_path%3D{schema}")
        started = time.perf_counter()
        with psycopg.connect(DSN + f" options=-csearch_path={schema}") as conn:
            load(conn, posts, checks, incidents)
        print(
            f"loaded {posts:,} posts, {checks:,} checks, {incidents:,} incidents "
            f"in {time.perf_counter() - started:.0f} s"
        )
        store = Store(Config(), db)
        timings: dict[str, list[float]] = {"build": [], "text": [], "json": [], "html": []}
        for _ in range(args.runs):
            t0 = time.perf_counter()
            report = build_report(store, MONTH)
            t1 = time.perf_counter()
            render_text(report)
            t2 = time.perf_counter()
            json.dumps(report.to_dict())
            t3 = time.perf_counter()
            page = render_html(report)
            t4 = time.perf_counter()
            for key, value in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                timings[key].append(value)
        print(
            f"report: {report.checks.total:,} checks, {report.publishing.seen_live:,} live "
            f"posts, {report.incidents.opened:,} incidents; HTML {len(page) / 1e6:.1f} MB"
        )
        for key, values in timings.items():
            print(
                f"{key:>6}: median {statistics.median(values):.2f} s "
                f"(min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs)"
            )
        total = [sum(v) for v in zip(*timings.values(), strict=True)]
        pairs = zip(timings["build"], timings["html"], strict=True)
        build_html = statistics.median(a + b for a, b in pairs)
        print(f" total: median {statistics.median(total):.2f} s (build + html: {build_html:.2f} s)")
        db.dispose()
    finally:
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
