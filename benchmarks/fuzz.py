"""A long fuzz campaign against smguard's inputs: posts, JSON lines, exports and rule packs.

    python benchmarks/fuzz.py                                  # 1,000,000 posts, 10,000 files
    python benchmarks/fuzz.py --posts 20000 --files 500        # a quick look (a few minutes)
    nice -n 19 python benchmarks/fuzz.py --workers 2 --out fuzz-out > fuzz.log 2>&1 &

Three campaigns, each spread over ``--workers`` processes (all CPUs by default):

* **posts**: generated posts (random Unicode, long runs of one symbol, base64- and URL-like runs,
  confusables, zero-width and combining characters, hostile field values) checked one at a time
  by a real :class:`~smguard.guard.engine.Guard` with the built-in packs and plugins, warmed up
  and settled as ``smguard check --file`` and ``smguard serve`` start it. A crash is
  an exception out of ``check_many`` (the contract says it never raises); an engine error is a
  rule that failed inside the guard (the verdict says so, the post goes to review). Time is
  reported *per 20,000 characters*: a post's time scaled down when it is longer than 20,000
  characters, never scaled up when it is shorter (goal: under 50 ms). A million measurements
  include moments when the process, not the post, was slow (a collection, the hypervisor
  taking the CPU away): the ten slowest posts are therefore checked again, five times each, each
  time as the first check of a fresh process, and the median of those is what a post costs.
  Both figures are printed.
* **files**: hostile exports and feeds (zip bombs of zeros, of valid JSON and of whitespace,
  many-member zips, deep nesting, integers of thousands of digits, lone surrogates, duplicate
  keys, out-of-range dates, truncated and random bytes) read by ``smguard ingest`` into a
  scratch SQLite database, and hostile JSON-lines files for ``smguard check --file``. Expected
  outcomes are "ingested" or one clear smguard error; anything else is a crash. The peak
  resident memory of a file worker is reported (goal: under 300 MB).
* **packs**: hostile rule packs (alias bombs, deep nesting, huge lists and strings, random
  damage to the built-in packs) loaded as ``[rules] paths`` would load them.

Every input runs under a limit of CPU time (``--limit-s``); one that exceeds it is a stall.
Times are CPU time of the checking process; still, run on a quiet machine (a busy one slows
every process's memory and caches).
Crashing and stalling inputs are written under ``--out`` so they can be replayed; the summary is
printed and written to ``--out/summary.json``. Exit status 0 when there was no crash or stall.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import multiprocessing
import os
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

PER_CHARS = 20_000
GOAL_MS = 50.0
#: How many of the slowest posts are measured again in fresh processes, and how often.
TOP = 10
RUNS = 5
GOAL_MB = 300.0

# -- generated posts ---------------------------------------------------------------------------

_WORDS = (
    "halo kak terima kasih promo gratis klik link info layanan selamat pagi hadiah menang "
    "transfer rekening judi slot gacor bokep anjing bangsat kafir cina hello thanks free win "
    "prize click here porn kill hate vote money bank password token"
).split()
_RUNS = "@$#./_-:=+*!?%&~^|\\'\"`<>()[]{}0a \t\n"
_POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    " \t\n.,;:!?'\"()[]{}<>@#$%^&*-_=+/\\|~`",
    "аеорсухіјԁԛѕАВЕКМНОРСТХ",  # Cyrillic confusables
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f\u180e",  # invisible
    "\u0300\u0301\u0302\u0303\u0308\u0327\u0336\u20d2",  # combining
    "😀😂🔥💯🍆🍑💦🎰🎲💰🔞🇮🇩👍🏽",
    "ａｂｃｄｅｆｇ０１２３４５６７８９＠＄",  # full width
    "𝐚𝐛𝐜𝒂𝒃𝒄𝓪𝓫𝓬𝔞𝔟𝔠🅰🅱🅲ⓐⓑⓒ",
    "\u202e\u202d\u2066\u2067\u2068\u2069",  # bidi controls
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "一二三四五六七八九十中国人大小",
    "\x00\x01\x07\x1b\x7f\x85\u2028\u2029",
]


def _text(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.30:
        return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 40)))
    if shape < 0.55:
        pool = "".join(rng.sample(_POOLS, rng.randint(1, 4)))
        return "".join(rng.choice(pool) for _ in range(rng.randint(1, 400)))
    if shape < 0.70:  # a long run of one or two symbols, the classic regex stall
        run = rng.choice(_RUNS) + (rng.choice(_RUNS) if rng.random() < 0.3 else "")
        return run * rng.randint(100, PER_CHARS // len(run))
    if shape < 0.78:  # base64-like blobs
        blob = base64.b64encode(rng.randbytes(rng.randint(10, 14_000))).decode()
        return rng.choice(["", "token ", "key="]) + blob
    if shape < 0.86:  # URL-, e-mail- and number-like runs
        unit = rng.choice(
            ["http://a.b/", "https://x.co/", "www.", "a@b.", "+62-812-", "bit.ly/", "0177.0.0.1/"]
        )
        return unit * rng.randint(1, 2_000)
    if shape < 0.94:  # a mix of everything, occasionally long
        parts: list[str] = []
        for _ in range(rng.randint(1, 60)):
            parts.append(_text(rng) if rng.random() < 0.05 else rng.choice(_WORDS))
            if rng.random() < 0.2:
                parts.append(
                    rng.choice(_POOLS[rng.randint(0, len(_POOLS) - 1)]) * rng.randint(1, 50)
                )
        return " ".join(parts)[: PER_CHARS * 2]
    # Long, ordinary-looking text up to 20,000 characters.
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(500, 3_500)))[:PER_CHARS]


def _post(rng: random.Random) -> Any:
    text = _text(rng)
    if rng.random() < 0.7:
        return text
    post: dict[Any, Any] = {"id": str(rng.getrandbits(40)), "text": text}
    hostile: list[Callable[[], None]] = [
        lambda: post.update(kind=rng.choice(["post", "reply", "dm", "tweet", 5, None])),
        lambda: post.update(language=rng.choice(["id", "en", "xx", "", 3])),
        lambda: post.update(
            scheduled_at=rng.choice(
                [
                    "2026-06-01T07:00:00+07:00",
                    "0001-01-01T00:00:00+00:00",
                    "9999-12-31T23:59:59-05:00",
                    "2026-13-01",
                    "",
                    "2026-06-01T07:00:00",
                    12,
                ]
            )
        ),
        lambda: post.update(in_reply_to=rng.choice([{"text": _text(rng)}, "hi", 3, {"x": 1}])),
        lambda: post.update(links=rng.choice([["https://a.b"], "x", [1], ["ftp://"] * 50])),
        lambda: post.update(
            id=rng.choice([10 ** rng.randint(1, 6000), -1, True, 2.5, [], "\ud800"])
        ),
        lambda: post.update({rng.choice([1, None, ("t",), "unknown"]): "x"}),
        lambda: post.update(text=rng.choice([text + "\ud800", "", "   ", 5, None])),
        lambda: post.update(account="a" * rng.randint(1, 10_000)),
    ]
    for change in rng.sample(hostile, rng.randint(0, 3)):
        change()
    return post


# -- hostile files -----------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes | Callable[[Any], None]], level: int = 9) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, body in members.items():
            if callable(body):
                with zf.open(name, "w", force_zip64=True) as member:
                    body(member)
            else:
                zf.writestr(name, body)
    return path


def _repeat(unit: bytes, total: int, head: bytes = b"", tail: bytes = b"") -> Callable[[Any], None]:
    def write(member: Any) -> None:
        member.write(head)
        block = unit * max(1, (1 << 20) // len(unit))
        written = 0
        while written < total:
            member.write(block)
            written += len(block)
        member.write(tail)

    return write


_YTD = b"window.YTD.tweets.part0 = "


def _tweet(rng: random.Random, **over: Any) -> dict[str, Any]:
    tweet = {
        "id_str": str(rng.getrandbits(60)),
        "created_at": "Tue Feb 20 09:30:00 +0000 2024",
        "full_text": _text(rng)[:500],
        "favorite_count": str(rng.randint(0, 100)),
        "retweet_count": "0",
    }
    tweet.update(over)
    return {"tweet": tweet}


def _hostile_json(rng: random.Random) -> bytes:
    """One JSON value meant to break a reader."""
    pick = rng.randrange(9)
    depth = rng.choice([100, 1_000, 100_000])
    if pick == 0:
        return b"[" * depth + b"]" * depth
    if pick == 1:
        return b'{"a":' * depth + b"1" + b"}" * depth
    if pick == 2:
        return b"9" * rng.choice([50, 5_000, 500_000])
    if pick == 3:
        return b'"\\ud800"'
    if pick == 4:
        return b'{"\\udc00": 1, "text": "x"}'
    if pick == 5:
        return b'{"text": "a", "text": "b", "id": "1"}'
    if pick == 6:
        return b'"' + b"\\u0000" * rng.randint(1, 100_000) + b'"'
    if pick == 7:
        return b"1e" + b"9" * rng.randint(1, 5_000)
    return rng.randbytes(rng.randint(1, 2_000))


_BOMBS = ("bomb-zeros", "bomb-json", "bomb-spaces", "many-members")


def _cached(kind: str, size: int, build: Callable[[Path], Path]) -> Path:
    """A bomb built once per worker and size, then reused (building one costs seconds)."""
    cache: dict[tuple[str, int], Path] = _STATE.setdefault("bombs", {})
    if (kind, size) not in cache:
        cache[(kind, size)] = build(Path(_STATE["scratch"]) / f"bomb-{len(cache)}.zip")
    return cache[(kind, size)]


def _hostile_file(rng: random.Random, folder: Path, n: int) -> tuple[str, Path]:
    """(kind, path) of one hostile export or feed."""
    return _new_hostile_file(rng, folder, n)


def _new_hostile_file(rng: random.Random, folder: Path, n: int) -> tuple[str, Path]:
    kind = rng.choice(
        ["bomb-zeros", "bomb-json", "bomb-spaces", "many-members", "x-hostile", "x-dates",
         "jsonl-hostile", "meta-hostile", "truncated-zip", "random-bytes", "check-jsonl",
         "x-hostile", "jsonl-hostile", "check-jsonl", "check-jsonl", "meta-hostile"]
    )  # fmt: skip
    path = folder / f"{n}-{kind}"
    if kind == "bomb-zeros":
        size = rng.choice([8, 64, 300]) << 20
        return kind, _cached(
            kind, size, lambda p: _zip(p, {"data/tweets.js": _repeat(b"\0", size)})
        )
    if kind == "bomb-json":
        size = rng.choice([8, 30, 60, 100]) << 20
        body = _repeat(b"0,", size, head=_YTD + b"[", tail=b"0]")
        return kind, _cached(kind, size, lambda p: _zip(p, {"data/tweets.js": body}))
    if kind == "bomb-spaces":
        size = rng.choice([8, 60, 200]) << 20
        body = _repeat(b" ", size, head=_YTD + b"[", tail=b"]")
        return kind, _cached(kind, size, lambda p: _zip(p, {"data/tweets.js": body}))
    if kind == "many-members":
        count = rng.choice([2, 8, 14])
        members: dict[str, bytes | Callable[[Any], None]] = {
            f"data/tweets-part{i}.js": _repeat(b" ", 40 << 20, head=_YTD + b"[", tail=b"]")
            for i in range(count)
        }
        return kind, _cached(kind, count, lambda p: _zip(p, members, level=1))
    if kind in ("x-hostile", "x-dates"):
        tweets = [_tweet(rng) for _ in range(rng.randint(1, 20))]
        text = json.dumps(tweets).encode()
        if kind == "x-dates":
            when = rng.choice(["Mon Jan 01 00:00:00 +0000 0001", "Fri Dec 31 23:59:59 -0500 9999"])
            text = json.dumps([*tweets, _tweet(rng, created_at=when)]).encode()
        else:
            cut = rng.randrange(len(text))
            text = (
                text[:cut] + _hostile_json(rng) + text[cut:]
                if rng.random() < 0.5
                else (text[:-1] + b"," + _hostile_json(rng) + b"]")
            )
        return kind, _zip(path.with_suffix(".zip"), {"data/tweets.js": _YTD + text})
    if kind == "meta-hostile":
        body = b'[{"timestamp": 1700000000, "data": [' + _hostile_json(rng) + b"]}]"
        name = rng.choice(["your_posts_1.json", "account_activity.json", "logins_and_logouts.json"])
        return kind, _zip(path.with_suffix(".zip"), {f"your_activity_across_facebook/{name}": body})
    if kind in ("jsonl-hostile", "check-jsonl"):
        good = b'{"id": "e1", "kind": "login", "at": "2026-06-01T07:00:00+07:00", "account": "a"}'
        if kind == "check-jsonl":
            good = b'{"id": "p1", "text": "halo kak, terima kasih"}'
        lines = [good] * rng.randint(0, 5) + [_hostile_json(rng)] + [good] * rng.randint(0, 5)
        target = path.with_suffix(".jsonl")
        target.write_bytes(b"\n".join(lines) + b"\n")
        return kind, target
    if kind == "truncated-zip":
        whole = _zip(folder / f"{n}-whole.zip", {"data/tweets.js": _YTD + b"[]" * 1000})
        data = whole.read_bytes()
        whole.unlink()
        target = path.with_suffix(".zip")
        target.write_bytes(data[: rng.randrange(1, len(data))])
        return kind, target
    target = path.with_suffix(rng.choice([".zip", ".jsonl", ".js"]))
    target.write_bytes(rng.randbytes(rng.randint(0, 100_000)))
    return kind, target


# -- hostile packs -----------------------------------------------------------------------------

_RULE = """  - id: SMG-XX-FZ-{n:03d}
    name: fuzz-{n}
    category: spam
    severity: low
    message: {{en: "m", id: "m"}}
    why: {{en: "w", id: "w"}}
    match: {match}
"""


def _hostile_pack(rng: random.Random, builtin: list[str]) -> str:
    pick = rng.randrange(8)
    if pick == 0:  # billion laughs
        width, depth = rng.randint(5, 12), rng.randint(5, 12)
        lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
        for i in range(1, depth):
            lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
        return "slang:\n" + "\n".join("  " + x for x in lines) + "\nrules: []\n"
    if pick == 1:  # an alias bomb inside a rule's terms
        lines = ["x0: &x0 [aa, bb, cc, dd, ee, ff, gg, hh]"]
        lines += [f"x{i}: &x{i} [*x{i - 1}, *x{i - 1}, *x{i - 1}, *x{i - 1}]" for i in range(1, 14)]
        return "\n".join(lines) + "\nrules:\n" + _RULE.format(n=1, match="{terms: *x13}")
    if pick == 2:
        depth = rng.choice([100, 10_000, 100_000])
        return "rules: " + "[" * depth + "]" * depth + "\n"
    if pick == 3:
        words = ", ".join("w" + str(i) for i in range(rng.randint(1_000, 100_000)))
        return "rules:\n" + _RULE.format(n=2, match="{terms: [" + words + "]}")
    if pick == 4:
        pattern = rng.choice(["(a+)+$", "(.*a){20}", "a{1000}{1000}", "\\", "(?<=x)y", "[" * 500])
        return "rules:\n" + _RULE.format(n=3, match="{regex: " + json.dumps(pattern) + "}")
    if pick == 5:
        return "rules:\n" + _RULE.format(n=4, match="{terms: ['" + "x" * 1_000_000 + "']}")
    text = rng.choice(builtin)
    for _ in range(rng.randint(1, 20)):  # random damage to a built-in pack
        at = rng.randrange(len(text))
        text = (
            text[:at]
            + rng.choice(["", "*", "&", ":", "- ", "\n", "'", "[", "{", "\t"])
            + text[at + rng.randint(0, 3) :]
        )
    return text


# -- workers -----------------------------------------------------------------------------------


class _Stall(Exception):
    pass


def _limited(limit_s: float, work: Callable[[], Any]) -> Any:
    """Run ``work`` with a limit on the CPU time it uses (not wall time: on a shared machine a
    niced worker may wait for the CPU much longer than it computes).

    A wall-clock alarm looks at the CPU time used and waits again for what is left: a CPU-time
    timer (``ITIMER_PROF``) would do it in one, but while one is armed Linux counts the
    process's CPU time in scheduler ticks (4 ms), which blurs every figure of the campaign.
    """
    start = time.process_time()

    def alarm(_signum: int, _frame: Any) -> None:
        used = time.process_time() - start
        if used >= limit_s:
            raise _Stall
        signal.setitimer(signal.ITIMER_REAL, max(limit_s - used, 0.01))

    signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        return work()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_STATE: dict[str, Any] = {}


def _save(out: Path, kind: str, seed: int, index: int, payload: Any, error: str) -> None:
    folder = out / kind
    folder.mkdir(parents=True, exist_ok=True)
    record = {"seed": seed, "index": index, "error": error, "payload": repr(payload)[:100_000]}
    (folder / f"{seed}-{index}.json").write_text(json.dumps(record), encoding="utf-8")


def _init_posts() -> None:
    os.environ.setdefault("SMGUARD_DISABLE_PLUGINS", "toxicity")
    from smguard.config import Config
    from smguard.guard.engine import Guard
    from smguard.guard.memo import settle

    guard = Guard(Config.from_dict({}))
    # As `smguard check --file` and `smguard serve` start: what the guard builds on first use
    # (lexicons, language detection) is built before timing and set aside from the collector.
    guard.warm_up()
    settle()
    gc.callbacks.append(_count_gc)
    _STATE["guard"] = guard


#: Seconds of CPU this process spent in garbage collection so far (see :func:`_count_gc`).
_GC_SECONDS = [0.0, 0.0]


def _count_gc(phase: str, _info: dict[str, Any]) -> None:
    if phase == "start":
        _GC_SECONDS[1] = time.process_time()
    else:
        _GC_SECONDS[0] += time.process_time() - _GC_SECONDS[1]


def _why_slow(
    seed: int, index: int, check: Callable[[], Any], t0: float, usage: Any, gc_before: float
) -> str:
    """Where a new slowest post's time went, and what checking it again costs: a post slow
    only once was slow for its process (a collection, the kernel), not for its text."""
    now = resource.getrusage(resource.RUSAGE_SELF)
    gc_ms = (_GC_SECONDS[0] - gc_before) * 1000
    kernel_ms = (now.ru_stime - usage.ru_stime) * 1000
    faults = now.ru_minflt - usage.ru_minflt + now.ru_majflt - usage.ru_majflt
    again = time.process_time()
    check()
    again_ms = (time.process_time() - again) * 1000
    return (
        f"chunk seed {seed}, post {index}: {gc_ms:.1f} ms collecting garbage, {kernel_ms:.1f} ms "
        f"in the kernel, {faults} page faults; checked again {again_ms:.1f} ms"
    )


def _posts_chunk(args: tuple[int, int, float, str]) -> dict[str, Any]:
    seed, count, limit_s, out = args
    guard = _STATE["guard"]
    rng = random.Random(seed)
    result: dict[str, Any] = {
        "posts": 0, "chars": 0, "crashes": 0, "stalls": 0, "engine_errors": 0,
        "error_verdicts": 0, "slowest": (0.0, 0, "", ""), "seconds": 0.0,
    }  # fmt: skip
    started = time.perf_counter()
    for index in range(count):
        post = _post(rng)
        text = post if isinstance(post, str) else post.get("text")
        length = len(text) if isinstance(text, str) else 0
        # CPU time, not wall time: a shared machine's other work must not make a post look slow.
        usage, gc_before = resource.getrusage(resource.RUSAGE_SELF), _GC_SECONDS[0]
        t0 = time.process_time()
        try:
            (verdict,) = _limited(limit_s, partial(guard.check_many, [post]))
        except _Stall:
            result["stalls"] += 1
            _save(Path(out), "post-stalls", seed, index, post, f"over {limit_s} s of CPU")
            continue
        except Exception as exc:  # counting crashes is the point
            result["crashes"] += 1
            _save(Path(out), "post-crashes", seed, index, post, traceback.format_exc())
            del exc
            continue
        ms = (time.process_time() - t0) * 1000
        per = ms * PER_CHARS / max(length, PER_CHARS)
        if per > GOAL_MS / 2:
            result["top"] = _top([*result.get("top", []), (per, seed, index, length)])
        if per > result["slowest"][0]:
            result["slowest"] = (
                per,
                length,
                repr(text[:80]) if isinstance(text, str) else "",
                _why_slow(seed, index, partial(guard.check_many, [post]), t0, usage, gc_before),
            )
        result["posts"] += 1
        result["chars"] += length
        result["error_verdicts"] += verdict.error is not None
        result["engine_errors"] += sum(1 for e in verdict.engines.values() if e.status == "error")
    result["seconds"] = time.perf_counter() - started
    return result


def _top(candidates: list[Any]) -> list[Any]:
    """The slowest posts seen (``(ms per 20,000 characters, seed, index, length)``), one entry
    per post, for :func:`_first_sight` to measure again."""
    best: dict[tuple[int, int], Any] = {}
    for entry in candidates:
        key = (entry[1], entry[2])
        if key not in best or entry[0] > best[key][0]:
            best[key] = entry
    return sorted(best.values(), reverse=True)[:TOP]


def _regenerate(seed: int, index: int) -> Any:
    rng = random.Random(seed)
    for _ in range(index):
        _post(rng)
    return _post(rng)


def _first_sight_once(args: tuple[int, int]) -> float:
    """CPU milliseconds of one check of the post, the first this fresh process makes."""
    post = _regenerate(*args)
    guard = _STATE["guard"]
    t0 = time.process_time()
    guard.check_many([post])
    return (time.process_time() - t0) * 1000


def _first_sight(top: list[Any], runs: int) -> list[dict[str, Any]]:
    """Check each of the slowest posts again, each time in a new process started and warmed up
    as the campaign's workers are, so that each check is that post's first: the median of
    ``runs`` is what the post costs, without the moments when the process itself was slow (a
    collection, the hypervisor, the kernel) that a single measurement of a million includes."""
    ctx = multiprocessing.get_context("fork")
    again: list[dict[str, Any]] = []
    with ctx.Pool(1, initializer=_init_posts, maxtasksperchild=1) as pool:
        for per, seed, index, length in top:
            times = pool.map(_first_sight_once, [(seed, index)] * runs, chunksize=1)
            median = statistics.median(times) * PER_CHARS / max(length, PER_CHARS)
            again.append(
                {"seed": seed, "index": index, "length": length, "first_seen": per,
                 "median": median, "runs_ms": times}
            )  # fmt: skip
    return again


# -- shapes: one symbol repeated, twice as long --------------------------------------------------

#: Units repeated to 20,000 and 40,000 characters, inside contexts that wake different rules.
_SHAPE_UNITS = [
    ")", "]", "}", ">", "(", "[", "{", "<", ".", ",", "!", "?", "'", '"', "*", ":", ";", "/", "-",
    "_", "=", "+", "@", "$", "#", "%", "&", "~", "`", "^", "|", "\\", "\n", "\t", " ", "0",
    "1.", "0.", "a.", "a-", "a_", "a/", "a@", "@a", "a:", "a ", "A", "Aa ", "aa", "ab", "AA ",
    "A!", "!!", "?!", ".a", "x.co/", "http://a.b/", "www.", "k@k.co ", "a@b.", "#a", "@a ",
    "+62", "08", "1 ", "1-", "a.b ", "Rp1.", "1rb ", "\u200b", "🔥", "a🔥", "é", "ﬁ",
]  # fmt: skip
_SHAPE_CONTEXTS = [
    "{}", "lihat http://a.bc/x{}", "hubungi cs@bank.co.id{}", "kafir harus {}", "password: {}",
    "{} 081234567890", "TOLONG BALAS {}",
]  # fmt: skip
#: A post twice as long costing more than this many times as much grows faster than its length.
_GROWTH = 3.0


def _init_shapes() -> None:
    os.environ.setdefault("SMGUARD_DISABLE_PLUGINS", "toxicity")
    from smguard.config import Config
    from smguard.guard.engine import Guard
    from smguard.guard.memo import settle

    # Posts longer than guard.max_chars are cut to it: the limit is raised to see growth.
    guard = Guard(Config.from_dict({"guard": {"max_chars": 100_000}}))
    guard.warm_up()
    settle()
    _STATE["guard"] = guard


def _shapes_chunk(args: tuple[str, float, str]) -> dict[str, Any]:
    """Each context with ``unit`` repeated to 20,000 and 40,000 characters, as a post, a reply
    to an angry follower and a direct message: CPU time of each (the median of three texts
    that differ in their first word, so that nothing remembered of one text serves the next),
    and how it grows."""
    unit, limit_s, out = args
    guard = _STATE["guard"]
    result: dict[str, Any] = {"files": 0, "crashes": 0, "stalls": 0, "shapes": []}
    serial = 0
    for context in _SHAPE_CONTEXTS:
        for kind in ("post", "reply", "dm"):
            times: list[float] = []
            for size in (PER_CHARS, 2 * PER_CHARS):
                runs = []
                for _ in range(3):
                    serial += 1
                    text = f"{serial} " + context.format(unit * (size // len(unit)))
                    post: dict[str, Any] = {"text": text, "kind": kind}
                    if kind == "reply":
                        post["in_reply_to"] = {"text": "KENAPA PESANAN SAYA BELUM SAMPAI??"}
                    t0 = time.process_time()
                    try:
                        _limited(limit_s, partial(guard.check_many, [post]))
                    except _Stall:
                        result["stalls"] += 1
                        _save(Path(out), "shape-stalls", 0, size, post, f"over {limit_s} s")
                        break
                    except Exception:  # counting crashes is the point
                        result["crashes"] += 1
                        _save(Path(out), "shape-crashes", 0, size, post, traceback.format_exc())
                        break
                    runs.append((time.process_time() - t0) * 1000)
                    result["files"] += 1
                if len(runs) < 3:
                    break
                times.append(statistics.median(runs))
            if len(times) == 2:
                result["shapes"].append((times[1] / max(times[0], 0.1), times[0], times[1],
                                         unit, context, kind))  # fmt: skip
    return result


def _init_files() -> None:
    os.environ.setdefault("SMGUARD_DISABLE_PLUGINS", "toxicity")
    from smguard.config import Config
    from smguard.manager import get_plugin_manager
    from smguard.records.db import Database
    from smguard.records.store import Store

    scratch = Path(tempfile.mkdtemp(prefix="smguard-fuzz-"))
    config = Config.from_dict({"accounts": {"kem_x": {"platform": "x"}, "a": {"platform": "cms"}}})
    _STATE["store"] = Store(
        config, Database(f"sqlite:///{scratch / 'fuzz.db'}"), get_plugin_manager()
    )
    _STATE["scratch"] = scratch
    _STATE["baseline_mb"] = _rss_mb()
    from smguard.guard.engine import Guard
    from smguard.guard.memo import settle

    guard = Guard(Config.from_dict({}))
    # As `smguard check --file` and `smguard serve` start: what the guard builds on first use
    # (lexicons, language detection) is built before timing and set aside from the collector.
    guard.warm_up()
    settle()
    gc.callbacks.append(_count_gc)
    _STATE["guard"] = guard
    builtin = sorted((Path(__file__).resolve().parents[1] / "rules").rglob("*.yaml"))
    _STATE["builtin"] = [p.read_text(encoding="utf-8") for p in builtin]


def _one_file(kind: str, path: Path) -> str:
    from smguard.errors import SmguardError

    if kind == "check-jsonl":
        from smguard.cli.check import _jsonl

        with path.open("rb") as fh:
            lines = list(_jsonl(fh, path.name))
        posts = [line for line in lines if isinstance(line, dict)]
        _STATE["guard"].check_many([{k: v for k, v in p.items() if k != "_line"} for p in posts])
        return "checked"
    from smguard.watch.ingest import ingest

    account = None if path.suffix == ".jsonl" else "kem_x"
    try:
        ingest(_STATE["store"], path, account=account, actor="fuzz")
    except SmguardError:
        return "refused"
    return "ingested"


def _one_pack(text: str) -> str:
    from smguard.errors import SmguardError
    from smguard.guard.packs import load_packs

    folder = Path(tempfile.mkdtemp(dir=_STATE["scratch"]))
    (folder / "p.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_packs([folder])
    except SmguardError as exc:
        if len(str(exc)) > 2_000:
            raise AssertionError(f"an error message of {len(str(exc))} characters") from None
        return "refused"
    finally:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()
    return "loaded"


def _files_chunk(args: tuple[int, int, float, str, str]) -> dict[str, Any]:
    seed, count, limit_s, out, what = args
    rng = random.Random(seed)
    result: dict[str, Any] = {
        "files": 0, "crashes": 0, "stalls": 0, "outcomes": {}, "slowest": (0.0, ""),
        "peak_mb": 0.0, "baseline_mb": _STATE["baseline_mb"], "seconds": 0.0,
    }  # fmt: skip
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(dir=_STATE["scratch"]))
    for index in range(count):
        payload: Any
        if what == "packs":
            kind = "pack"
            payload = _hostile_pack(rng, _STATE["builtin"])
            work: Callable[[], str] = partial(_one_pack, payload)
        else:
            kind, payload = _hostile_file(rng, folder, index)
            work = partial(_one_file, kind, payload)
        t0 = time.perf_counter()
        try:
            outcome = _limited(limit_s, work)
        except _Stall:
            result["stalls"] += 1
            saved = payload if what == "packs" else f"{kind} {payload}"
            _save(Path(out), f"{what}-stalls", seed, index, saved, f"over {limit_s} s of CPU")
            outcome = "stall"
        except Exception:  # counting crashes is the point
            result["crashes"] += 1
            saved = payload if what == "packs" else f"{kind} {payload}"
            _save(Path(out), f"{what}-crashes", seed, index, saved, traceback.format_exc())
            outcome = "crash"
        ms = (time.perf_counter() - t0) * 1000
        if ms > result["slowest"][0]:
            result["slowest"] = (ms, kind)
        key = f"{kind}: {outcome}"
        result["outcomes"][key] = result["outcomes"].get(key, 0) + 1
        result["files"] += 1
        if what != "packs" and kind not in _BOMBS:
            payload.unlink(missing_ok=True)
    result["peak_mb"] = _rss_mb()
    result["seconds"] = time.perf_counter() - started
    folder.rmdir()
    return result


# -- driver ------------------------------------------------------------------------------------


def _chunks(total: int, size: int, seed: int) -> Iterator[tuple[int, int]]:
    done, n = 0, 0
    while done < total:
        count = min(size, total - done)
        yield seed * 1_000_003 + n, count
        done += count
        n += 1


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if key == "slowest":
            into[key] = max(into.get(key, value), value)
        elif key == "top":
            into[key] = _top([*into.get(key, []), *value])
        elif key == "shapes":
            into[key] = [*into.get(key, []), *value]
        elif key in ("peak_mb", "baseline_mb"):
            into[key] = max(into.get(key, 0.0), value)
        elif key == "outcomes":
            bucket = into.setdefault(key, {})
            for name, count in value.items():
                bucket[name] = bucket.get(name, 0) + count
        elif isinstance(value, int | float):
            into[key] = into.get(key, 0) + value


def _campaign(
    name: str,
    init: Callable[[], None],
    work: Callable[[Any], dict[str, Any]],
    jobs: list[Any],
    workers: int,
    out: Path,
) -> dict[str, Any]:
    total: dict[str, Any] = {}
    started = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=init, maxtasksperchild=50) as pool:
        for done, part in enumerate(pool.imap_unordered(work, jobs), 1):
            _merge(total, part)
            # What is done so far survives an interrupted campaign.
            partial = {**total, "wall_s": time.perf_counter() - started, "chunks_done": done}
            (out / f"partial-{name}.json").write_text(json.dumps(partial), encoding="utf-8")
            if done % max(1, len(jobs) // 20) == 0 or done == len(jobs):
                count = total.get("posts", total.get("files", 0))
                print(
                    f"[{name}] {done}/{len(jobs)} chunks, {count:,} inputs, "
                    f"{total.get('crashes', 0)} crashes, {total.get('stalls', 0)} stalls, "
                    f"{time.perf_counter() - started:,.0f} s",
                    flush=True,
                )
    total["wall_s"] = time.perf_counter() - started
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000, help="generated posts to check")
    parser.add_argument("--files", type=int, default=10_000, help="hostile exports and feeds")
    parser.add_argument("--packs", type=int, default=None, help="hostile packs (default: --files)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--limit-s", type=float, default=30.0, help="time limit per input")
    parser.add_argument("--out", type=Path, default=Path("fuzz-out"))
    parser.add_argument(
        "--no-shapes", action="store_true", help="skip the runs of one symbol at two lengths"
    )
    opts = parser.parse_args(argv)
    opts.out.mkdir(parents=True, exist_ok=True)
    packs = opts.files if opts.packs is None else opts.packs
    out = str(opts.out)
    print(f"fuzz: {opts.posts:,} posts, {opts.files:,} files, {packs:,} packs, "
          f"{opts.workers} workers, seed {opts.seed}", flush=True)  # fmt: skip
    summary: dict[str, Any] = {"seed": opts.seed, "workers": opts.workers}
    if packs:
        jobs = [(s, c, opts.limit_s, out, "packs") for s, c in _chunks(packs, 50, opts.seed + 1)]
        summary["packs"] = _campaign(
            "packs", _init_files, _files_chunk, jobs, opts.workers, opts.out
        )
        _report({"packs": summary["packs"]})
    if opts.files:
        jobs = [
            (s, c, opts.limit_s, out, "files") for s, c in _chunks(opts.files, 20, opts.seed + 2)
        ]
        summary["files"] = _campaign(
            "files", _init_files, _files_chunk, jobs, opts.workers, opts.out
        )
        _report({"files": summary["files"]})
    if opts.posts:
        jobs = [(s, c, opts.limit_s, out) for s, c in _chunks(opts.posts, 500, opts.seed)]
        summary["posts"] = _campaign(
            "posts", _init_posts, _posts_chunk, jobs, opts.workers, opts.out
        )
        summary["posts"]["again"] = _first_sight(summary["posts"].get("top", []), RUNS)
    if opts.posts and not opts.no_shapes:
        jobs = [(unit, opts.limit_s, out) for unit in _SHAPE_UNITS]
        summary["shapes"] = _campaign(
            "shapes", _init_shapes, _shapes_chunk, jobs, opts.workers, opts.out
        )
    (opts.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    _report({k: summary[k] for k in ("posts", "shapes") if k in summary})
    bad = sum(part.get("crashes", 0) + part.get("stalls", 0) for part in summary.values()
              if isinstance(part, dict))  # fmt: skip
    return 1 if bad else 0


def _report(summary: dict[str, Any]) -> None:
    posts = summary.get("posts")
    if posts:
        per, length, sample, why = posts["slowest"]
        print(f"\nposts: {posts['posts']:,} checked ({posts['chars']:,} characters) in "
              f"{posts['wall_s']:,.0f} s; crashes {posts['crashes']} (goal 0), stalls "
              f"{posts['stalls']}; error verdicts {posts['error_verdicts']:,}; engine errors "
              f"{posts['engine_errors']:,}")  # fmt: skip
        verdict = "met" if per < GOAL_MS else "NOT met"
        print(f"  slowest per {PER_CHARS:,} characters: {per:,.1f} ms of CPU "
              f"(goal < {GOAL_MS:g} ms, {verdict}) on a post of {length:,} characters "
              f"starting {sample}")  # fmt: skip
        print(f"  ({why})")
        again = posts.get("again", [])
        if again:
            worst = max(again, key=lambda a: a["median"])
            verdict = "met" if worst["median"] < GOAL_MS else "NOT met"
            print(f"  the {len(again)} slowest posts, each checked again {RUNS} times, each "
                  f"time the first check of a fresh process (median per {PER_CHARS:,} "
                  "characters):")  # fmt: skip
            for a in sorted(again, key=lambda a: -a["median"]):
                runs = ", ".join(f"{ms:.1f}" for ms in a["runs_ms"])
                print(f"    chunk seed {a['seed']} post {a['index']} ({a['length']:,} characters):"
                      f" {a['first_seen']:.1f} ms in the campaign, {a['median']:.1f} ms median "
                      f"again ({runs} ms)")  # fmt: skip
            print(f"  slowest input per {PER_CHARS:,} characters, measured again: "
                  f"{worst['median']:.1f} ms (goal < {GOAL_MS:g} ms, {verdict})")  # fmt: skip
    shapes = summary.get("shapes")
    if shapes:
        found = sorted(shapes["shapes"], reverse=True)
        grows = [s for s in found if s[0] > _GROWTH and s[2] > 20]
        slowest = max(found, key=lambda s: s[1]) if found else None
        print(f"\nshapes: {len(found):,} runs of one symbol, each at {PER_CHARS:,} and "
              f"{2 * PER_CHARS:,} characters, as a post, a reply and a direct message, in "
              f"{shapes['wall_s']:,.0f} s; crashes {shapes['crashes']} (goal 0), stalls "
              f"{shapes['stalls']}; growing faster than their length (x{_GROWTH:g} for twice "
              f"the length, over 20 ms): {len(grows)} (goal 0)")  # fmt: skip
        for ratio, t20, t40, unit, context, kind in found[:5]:
            print(f"  x{ratio:.2f}: {t20:.1f} -> {t40:.1f} ms, {unit!r} in {context!r} ({kind})")
        if slowest is not None:
            verdict = "met" if slowest[1] < GOAL_MS else "NOT met"
            print(f"  slowest at {PER_CHARS:,} characters: {slowest[1]:.1f} ms of CPU (goal "
                  f"< {GOAL_MS:g} ms, {verdict}), {slowest[3]!r} in {slowest[4]!r} "
                  f"({slowest[5]})")  # fmt: skip
    for name in ("files", "packs"):
        part = summary.get(name)
        if not part:
            continue
        print(f"\n{name}: {part['files']:,} hostile inputs in {part['wall_s']:,.0f} s; crashes "
              f"{part['crashes']} (goal 0), stalls {part['stalls']}; slowest "
              f"{part['slowest'][0]:,.0f} ms ({part['slowest'][1]})")  # fmt: skip
        if name == "files":
            verdict = "met" if part["peak_mb"] < GOAL_MB else "NOT met"
            peak, base = part["peak_mb"], part["baseline_mb"]
            print(f"  peak memory of an ingest worker: {peak:,.0f} MB (goal < {GOAL_MB:g} MB, "
                  f"{verdict}; {base:,.0f} MB after start-up)")  # fmt: skip
        for outcome, count in sorted(part["outcomes"].items()):
            print(f"  {outcome}: {count:,}")


if __name__ == "__main__":
    sys.exit(main())
