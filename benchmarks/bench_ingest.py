"""How fast smguard reads account activity: exports into the database, and one watch cycle.

    python benchmarks/bench_ingest.py                        # SQLite, 100,000 events, 50 accounts
    python benchmarks/bench_ingest.py --db postgresql        # a fresh schema in the test database
    python benchmarks/bench_ingest.py --events 20000 --detectors   # detectors on (see below)

Figures:

* **ingest, X archive**: ``smguard ingest`` (``smguard.watch.ingest.ingest``) of a generated
  archive folder — ``data/tweets.js`` + ``data/tweets-part1.js`` (90% of the events,
  ~140-character tweets, a third with an expanded ``t.co`` link) and ``data/ip-audit.js`` (10%,
  logins): events per second and the process's peak resident memory, each run in a process of its
  own (its peak is its own). "parse only" is the connector's ``read`` alone, without the database;
* **ingest, JSONL feed**: the same for a generated ``.jsonl`` feed of as many events (logins,
  posts, profile changes);
* **re-ingest**: the X archive again — every event already known, nothing stored;
* **watch --once over 50 accounts**: ``smguard watch --once --no-alerts`` as a process of its own
  against ``tests/support/mastodon_server.py`` on 127.0.0.1, 50 Mastodon accounts with 40 posts
  each: the first cycle (account lookup + 40 posts each), a cycle with nothing new, and a cycle with
  one new post per account. Wall-clock time of the whole command, start-up included (measured alone
  as ``smguard watch --help``).

Without ``--detectors`` the ingest runs load only the ``connectors`` plugin, so no detector is
registered and the figures are reading + storing; the watch cycles run with every built-in plugin
(the detectors and the guard's rule packs check each new post), as in production. With
``--detectors`` the ingest runs do too (every post is run through the guard: much slower).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
WORDS = (
    "layanan pajak kantor buka pukul info jadwal sobat terima kasih pengumuman resmi kegiatan "
    "hari ini besok warga program bantuan daftar online formulir syarat lengkap kunjungi situs "
    "the service office opens today schedule thanks announcement official visit apply form"
).split()


# -- generated exports -------------------------------------------------------------------------


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(14, 22)))


def make_x_archive(folder: Path, events: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    data = folder / "data"
    data.mkdir(parents=True)
    tweets = int(events * 0.9)
    records: list[dict[str, Any]] = []
    for n in range(tweets):
        tid = str(1_700_000_000_000_000_000 + n)
        when = T0 + timedelta(minutes=7 * n)
        text, urls = _text(rng), []
        if n % 3 == 0:
            short = f"https://t.co/{n:010d}"
            text += f" {short}"
            urls.append(
                {"url": short, "expanded_url": f"https://kemcontoh.example/p/{n}", "indices": []}
            )
        records.append({"tweet": {
            "retweeted": False, "source": "<a href=\"https://mobile.twitter.com\">Web</a>",
            "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": urls},
            "display_text_range": ["0", str(len(text))], "favorite_count": "0", "id_str": tid,
            "truncated": False, "retweet_count": "0", "id": tid,
            "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"), "favorited": False,
            "full_text": text, "lang": "in",
        }})  # fmt: skip
    half = len(records) // 2
    for name, part, chunk in (
        ("tweets.js", 0, records[:half]),
        ("tweets-part1.js", 1, records[half:]),
    ):
        body = json.dumps(chunk, indent=2)
        (data / name).write_text(f"window.YTD.tweets.part{part} = {body}", encoding="utf-8")
    stamp = "%Y-%m-%dT%H:%M:%S.000Z"
    logins = [
        {"ipAudit": {"accountId": "900000001",
                     "createdAt": (T0 + timedelta(minutes=11 * n)).strftime(stamp),
                     "loginIp": f"203.0.113.{n % 250 + 1}"}}
        for n in range(events - tweets)
    ]  # fmt: skip
    (data / "ip-audit.js").write_text(
        f"window.YTD.ip_audit.part0 = {json.dumps(logins, indent=2)}", encoding="utf-8"
    )
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [ { "account" : { "username" : "KemContoh", '
        '"accountId" : "900000001" } } ]',
        encoding="utf-8",
    )
    return folder


def make_jsonl(path: Path, events: int, seed: int = 2) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(events):
            when = (T0 + timedelta(minutes=3 * n)).isoformat()
            kind = ("login", "post_published", "login", "profile_change")[n % 4]
            line: dict[str, Any] = {
                "id": f"evt-{n}", "kind": kind, "at": when,
                "account": "kem_feed", "platform": "cms", "actor": "ayu",
            }  # fmt: skip
            if kind == "login":
                line |= {"ip": f"198.51.100.{n % 250 + 1}", "device": "Chrome on Windows"}
            elif kind == "post_published":
                line |= {"text": _text(rng), "url": f"https://cms.example/p/{n}"}
            else:
                line |= {"raw": {"field": "bio"}}
            out.write(json.dumps(line) + "\n")
    return path


# -- databases ---------------------------------------------------------------------------------


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database URL: a new SQLite file or a new PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _rss_mib() -> float:
    """This process's peak resident memory. On Linux ``VmHWM``: ``ru_maxrss`` would carry the
    parent's peak over ``fork``/``exec`` (the parent holds the generated exports)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- one measurement, in a process of its own ---------------------------------------------------


def child(case: str, path: str, db_url: str, account: str | None) -> dict[str, Any]:
    from smguard.config import Config
    from smguard.records.db import Database
    from smguard.records.store import Store
    from smguard.watch.connectors import ExportSource, export_connectors
    from smguard.watch.ingest import ingest

    config = Config.from_dict({"accounts": {"kem_x": {"platform": "x"}}})
    store = Store(config, Database(db_url))
    base = _rss_mib()
    start = time.perf_counter()
    if case == "parse":
        with ExportSource.open(path) as source:
            connector = next(
                c for c in export_connectors(store.pm).values() if c.recognises(source)
            )
            count = len(connector.read(source, account, None))
        new = 0
    else:
        report = ingest(store, path, account=account, actor="bench")
        count, new = report.total, len(report.new)
    elapsed = time.perf_counter() - start
    store.db.dispose()
    return {"events": count, "new": new, "seconds": elapsed, "rss_base_mib": base,
            "rss_peak_mib": _rss_mib()}  # fmt: skip


def run_child(
    case: str, path: Path, db_url: str, account: str | None, env: dict[str, str]
) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", case, "--path", str(path), "--db-url", db_url]
    if account:
        args += ["--account", account]
    done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{case} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def show(label: str, r: dict[str, Any]) -> None:
    rate = r["events"] / r["seconds"] if r["seconds"] else float("inf")
    print(
        f"  {label:<34} {r['events']:>7,} events  {r['seconds']:7.2f} s  {rate:>9,.0f} events/s  "
        f"peak RSS {r['rss_peak_mib']:6.0f} MiB (after imports {r['rss_base_mib']:4.0f} MiB)"
        + (f"  new {r['new']:,}" if r["new"] != r["events"] else "")
    )


# -- the watch cycle ---------------------------------------------------------------------------


def bench_watch(db_url: str, folder: Path, accounts: int, posts: int, env: dict[str, str]) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.mastodon_server import MastodonServer, mastodon_html

    rng = random.Random(3)
    with MastodonServer(username="acct0") as server:
        names = ["acct0"] + [f"acct{n}" for n in range(1, accounts)]
        for name in names[1:]:
            server.add_account(name)
        for name in names:
            for _ in range(posts):
                server.add_status(
                    mastodon_html(_text(rng) + " https://kemcontoh.example/x"), account=name
                )
        config = folder / "watch.toml"
        config.write_text(
            "".join(
                f'[accounts.{name}]\nplatform = "mastodon"\nhandle = "@{name}"\n'
                f'mastodon_url = "{server.url}"\n\n'
                for name in names
            )
            + f"[watch]\nbackfill = {posts}\n",
            encoding="utf-8",
        )
        env = {**env, "SMGUARD_CONFIG": str(config), "SMGUARD_DATABASE_URL": db_url}
        env.pop("SMGUARD_LOAD_PLUGINS", None)
        smguard = [sys.executable, "-c", "from smguard.cli.main import main; main()"]

        def timed(*args: str) -> tuple[float, str]:
            start = time.perf_counter()
            done = subprocess.run(
                [*smguard, *args], env=env, capture_output=True, text=True, cwd=folder
            )
            took = time.perf_counter() - start
            if done.returncode not in (0,):
                raise SystemExit(
                    f"smguard {' '.join(args)} failed ({done.returncode}):\n{done.stderr}"
                )
            return took, done.stdout

        startup, _ = timed("watch", "--help")
        first, out = timed("watch", "--once", "--no-alerts")
        stored = sum(int(line.split(": ")[1].split(" new")[0]) for line in out.splitlines()
                     if " new: " in line)  # fmt: skip
        requests = len(server.requests)
        idle, _ = timed("watch", "--once", "--no-alerts")
        idle_requests = len(server.requests) - requests
        for name in names:
            server.add_status(mastodon_html(_text(rng)), account=name)
        one, out = timed("watch", "--once", "--no-alerts")
        got = sum(1 for line in out.splitlines() if " 1 new: " in line)
    print(f"  start-up (smguard watch --help)    {startup:6.2f} s")
    print(
        f"  first cycle, {accounts} accounts × {posts} posts {first:6.2f} s  "
        f"({stored:,} events stored, {requests} requests)"
    )
    print(
        f"  cycle with nothing new             {idle:6.2f} s  "
        f"({idle_requests} requests: since_id + edit re-check per account)"
    )
    print(f"  cycle with 1 new post per account  {one:6.2f} s  ({got} accounts reported 1 new)")


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--posts", type=int, default=40, help="posts per watched account")
    parser.add_argument("--detectors", action="store_true", help="run the detectors on ingest")
    parser.add_argument("--skip-watch", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    parser.add_argument("--account", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.path, args.db_url, args.account)))
        return

    from smguard import __version__

    print(f"smguard {__version__} · Python {platform.python_version()} · {platform.machine()} · "
          f"{os.cpu_count()} CPUs · {args.db}")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    if not args.detectors:
        env["SMGUARD_LOAD_PLUGINS"] = "connectors"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = make_x_archive(folder / "x-archive", args.events)
        feed = make_jsonl(folder / "feed.jsonl", args.events)
        size = sum(f.stat().st_size for f in archive.rglob("*.js")) / 2**20
        detect = "on" if args.detectors else "off"
        print(f"ingest ({args.events:,} events; X archive {size:.0f} MiB, JSONL "
              f"{feed.stat().st_size / 2**20:.0f} MiB; detectors {detect})")  # fmt: skip
        with database(args.db, folder) as url:
            show("X archive, parse only", run_child("parse", archive, url, "kem_x", env))
            show("X archive, smguard ingest", run_child("ingest", archive, url, "kem_x", env))
            show("X archive again (all known)", run_child("ingest", archive, url, "kem_x", env))
            show("JSONL, parse only", run_child("parse", feed, url, None, env))
            show("JSONL, smguard ingest", run_child("ingest", feed, url, None, env))
        if not args.skip_watch:
            print(f"watch --once over {args.accounts} Mastodon accounts on 127.0.0.1 "
                  "(every built-in plugin: detectors and rule packs on)")  # fmt: skip
            with database(args.db, folder) as url:
                bench_watch(url, folder, args.accounts, args.posts, env)


if __name__ == "__main__":
    main()
