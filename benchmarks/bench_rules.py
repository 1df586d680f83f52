"""Rules-only throughput and latency of the guard: generated en/id posts and real tweets, in
process and end to end (``smguard check --file``), and the cold start of a one-post check.

    python benchmarks/bench_rules.py                  # 10,000 posts, 5 runs, pinned to CPU 0
    python benchmarks/bench_rules.py --runs 3 --posts 2000 --profile
    python benchmarks/bench_rules.py --compare ../before   # the same figures for another
                                                           # checkout (its own .venv), same run

Real tweets come from the labelled development sets (``--real``, default ``../shared/eval/data``
or ``$SMGUARD_EVAL_DATA``): 10,000 drawn with a fixed seed, half Indonesian, half English. Only
their texts are read and nothing of them is printed; without the folder that part is skipped.

Posts are ~280 characters, built (seeded) from fragments a social-media desk writes: announcements,
promos with links, prices and dates, replies with slang, hashtags and emoji, plus a small share of
bad content (judi online, insults, porn bait, leaked numbers) so that rules fire as they would in
production. The toxicity engine is disabled: this measures the rules.

Each run checks a freshly generated set of posts (same seed sequence every time the script runs),
so per-text caches cannot make later runs look faster than production. Figures are medians over
the runs:

* throughput: ``guard.check_many`` over all posts (in batches of ``--batch``), posts per second
  of wall-clock time and per second of this process's CPU time (the second is what one core
  gives when the machine is shared and the process is sometimes descheduled);
* per-post latency: ``guard.check`` on each post of a ``--sample``, timed from outside, p50/p99,
  in wall-clock and in thread CPU time;
* where the time goes: the sum of ``verdict.engines[name].elapsed_ms`` per engine, and the rest
  (input parsing, language detection, ``prepare_post``, policy) as "outside engines".

Both with language detection (no ``language`` field) and with the language given.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from smguard import __version__
from smguard.config import Config
from smguard.guard.engine import Guard

POST_CHARS = 280

EN_CLEAN = [
    "Free measles-rubella vaccination for children at every community health centre this month.",
    "Bring your child's health book and arrive before 11:00.",
    "Our customer service team is available every day from 08:00 to 20:00 WIB.",
    "Thank you for your patience while we upgrade the mobile app tonight.",
    "The new branch in Surabaya opens on Monday, 3 August, with free coffee for early visitors.",
    "We're sorry to hear about the delay, please DM us your order number so we can check.",
    "Tickets for the batik festival are on sale now, starting from Rp75.000.",
    "Heavy rain is expected in Jakarta this afternoon; plan your trip and stay safe.",
    "Read the full statement from the minister on our website.",
    "Congratulations to the 120 students who received scholarships this year!",
    "Water supply in parts of South Jakarta will be interrupted from 22:00 to 04:00.",
    "Our flash sale ends at midnight, don't miss 50% off selected items.",
    "Join the free webinar on digital marketing for small businesses next Thursday.",
    "Please keep your PIN and OTP to yourself; we will never ask for them.",
]
ID_CLEAN = [
    "Ayo lengkapi imunisasi anak di posyandu terdekat setiap Sabtu pukul 08.00–12.00 WIB.",
    "Terima kasih sudah menghubungi kami, Kak. Boleh DM nomor pesanannya?",
    "Mohon maaf atas ketidaknyamanannya, tim kami sedang melakukan pemeliharaan sistem.",
    "Pendaftaran beasiswa dibuka sampai 30 Juni, syarat lengkap ada di laman resmi kami.",
    "Selamat Hari Lahir Pancasila, mari jaga persatuan dalam keberagaman.",
    "Nikmati cashback 20% hingga Rp50.000 untuk pembayaran QRIS sampai akhir bulan.",
    "Gempa M5,6 guncang selatan Jawa Barat, BMKG: tidak berpotensi tsunami.",
    "Warga diimbau tetap tenang dan mengikuti arahan petugas di lapangan.",
    "Pesanan Kakak sudah kami kirim hari ini, estimasi tiba 2–3 hari kerja ya.",
    "Layanan pengaduan buka setiap hari kerja pukul 08.00 sampai 16.00 WIB.",
    "Jangan lupa lapor SPT Tahunan sebelum 31 Maret melalui DJP Online.",
    "Kantor kami tutup sementara pada hari libur nasional dan buka kembali hari Senin.",
    "Vaksinasi rabies gratis untuk anjing dan kucing peliharaan di puskeswan kota.",
    "Waspada penipuan, kami tidak pernah meminta kode OTP atau PIN melalui telepon.",
]
EN_SLANG = ["lol", "tbh this is so good", "omg!!", "can't wait 🔥", "thx guys 🙏", "see u there"]
ID_SLANG = [
    "mantul bgt kak", "makasih ya gan 🙏", "gaskeun!", "sabar ya kak, lagi rame bgt",
    "btw yg kemarin udah beres kok", "wkwkwk siap min", "otw kak 😆", "gpp kak, santuy aja",
]  # fmt: skip
LINKS = [
    "https://www.kemkes.go.id/article/view/imunisasi",
    "https://www.bankmandiri.co.id/promo",
    "https://www.antaranews.com/berita/4123456",
    "https://tokobatik.co.id/koleksi/batik-tulis",
    "bit.ly/kelas-umkm-2026",
    "https://s.id/beasiswa2026",
    "www.bi.go.id",
]
HASHTAGS = ["#AyoImunisasi", "#HariLahirPancasila", "#PromoJuni", "#InfoGempa", "#UMKMNaikKelas"]
NUMBERS = [
    "Rp150.000", "10.30 WIB", "1–30 June 2026", "14000", "50%", "3 x 24", "No. 5", "2.500",
]  # fmt: skip
BAD_ID = [
    "SLOT GACOR HARI INI MAXWIN, deposit 10rb bonus new member 100%, link alternatif bit.ly/gcr88",
    "dasar goblok lu, baca dulu baru nanya!",
    "a n j i n g lu, gak usah komplain di sini",
    "nonton bokep viral full durasi di https://tinyurl.com/viral-hd",
    "Transfer dulu biaya admin Rp500.000 ke rekening panitia undian, konfirmasi WA 0857-1234-5678",
    "Data pemohon NIK 3174015506900003 mohon diverifikasi",
    "SUDAH KAMI BILANG, BACA PENGUMUMANNYA!!!",
]
BAD_EN = [
    "Refund sent to card 4539 1488 0343 6467, exp 09/27",
    "Verify your account now at https://klikbca-verifikasi.com/login",
    "Are you stupid or what? Shut up, idiot.",
    "Best online slots, claim your 200% welcome bonus at https://luckyspin-casino.bet",
    "Hot girls near you, watch free porn videos: https://bit.ly/hot-xxx-cam",
]
BAD_SHARE = 0.05


def _fill(rng: random.Random, parts: list[str], sources: list[list[str]]) -> str:
    text = " ".join(parts)
    while len(text) < POST_CHARS - 20:
        text += " " + rng.choice(rng.choice(sources))
    if len(text) > POST_CHARS:
        text = text[:POST_CHARS].rsplit(" ", 1)[0]
    return text


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` posts of ~280 characters: 55% Indonesian, 45% English, 5% with bad content."""
    rng = random.Random(seed)
    posts: list[dict[str, Any]] = []
    for i in range(n):
        lang = "id" if rng.random() < 0.55 else "en"
        clean, slang, bad = (
            (ID_CLEAN, ID_SLANG, BAD_ID) if lang == "id" else (EN_CLEAN, EN_SLANG, BAD_EN)
        )
        # Weighted: mostly plain sentences, then slang, links, numbers and hashtags.
        sources = [clean, clean, clean, slang, LINKS, NUMBERS, HASHTAGS]
        parts = [rng.choice(clean)]
        if rng.random() < BAD_SHARE:
            parts.insert(rng.randrange(2), rng.choice(bad))
        post: dict[str, Any] = {"id": f"p{i}", "text": _fill(rng, parts, sources), "lang": lang}
        if rng.random() < 0.3:
            post["kind"] = "reply"
            post["in_reply_to"] = {"text": rng.choice(slang) + " " + rng.choice(clean)}
        posts.append(post)
    return posts


def as_input(posts: list[dict[str, Any]], with_language: bool) -> list[dict[str, Any]]:
    out = []
    for p in posts:
        q = {k: v for k, v in p.items() if k != "lang"}
        if with_language:
            q["language"] = p["lang"]
        out.append(q)
    return out


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def one_run(guard: Guard, posts: list[dict[str, Any]], sample: int, batch: int) -> dict[str, Any]:
    t0, c0 = time.perf_counter(), time.process_time()
    verdicts = guard.check_many(posts, batch_size=batch)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    errors = [v.error for v in verdicts if v.error]
    if errors:
        raise SystemExit(f"generated posts were rejected: {errors[0]}")
    engines: dict[str, float] = {}
    for v in verdicts:
        for name, st in v.engines.items():
            engines[name] = engines.get(name, 0.0) + st.elapsed_ms
    decisions = {d: sum(v.decision == d for v in verdicts) for d in ("allow", "review", "block")}
    wall_lat, cpu_lat = [], []
    for post in posts[:sample]:
        s, c = time.perf_counter_ns(), time.thread_time_ns()
        guard.check(post)
        cpu_lat.append((time.thread_time_ns() - c) / 1e6)
        wall_lat.append((time.perf_counter_ns() - s) / 1e6)
    return {
        "posts_per_s": len(posts) / wall,
        "posts_per_cpu_s": len(posts) / cpu,
        "wall_ms": wall * 1000,
        "p50_ms": percentile(wall_lat, 50),
        "p99_ms": percentile(wall_lat, 99),
        "cpu_p50_ms": percentile(cpu_lat, 50),
        "cpu_p99_ms": percentile(cpu_lat, 99),
        "engines_ms": engines,
        "decisions": decisions,
    }


def real_posts(folder: Path, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` real tweets, half Indonesian and half English, with their language."""
    out: list[dict[str, Any]] = []
    for name in ("id_multilabel.jsonl", "davidson.jsonl"):
        with open(folder / name, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh]
        rng = random.Random(seed)
        rng.shuffle(rows)
        out.extend(
            {"id": str(r["id"]), "text": r["text"], "lang": r["language"]} for r in rows[: n // 2]
        )
    random.Random(seed).shuffle(out)
    return out


def summarise(label: str, runs: list[dict[str, Any]], n: int) -> dict[str, Any]:
    med = statistics.median
    rates = [r["posts_per_s"] for r in runs]
    cpu_rates = [r["posts_per_cpu_s"] for r in runs]
    wall = med(r["wall_ms"] for r in runs)
    names = sorted({name for r in runs for name in r["engines_ms"]})
    per_engine = {name: med(r["engines_ms"].get(name, 0.0) for r in runs) for name in names}
    per_engine["(outside engines)"] = wall - sum(per_engine.values())
    return {
        "label": label,
        "posts_per_s": med(rates),
        "posts_per_cpu_s": med(cpu_rates),
        "min": min(rates),
        "max": max(rates),
        "runs": len(runs),
        "p50_ms": med(r["p50_ms"] for r in runs),
        "p99_ms": med(r["p99_ms"] for r in runs),
        "cpu_p50_ms": med(r["cpu_p50_ms"] for r in runs),
        "cpu_p99_ms": med(r["cpu_p99_ms"] for r in runs),
        "decisions": runs[-1]["decisions"],
        "engines_us": {k: v * 1000 / n for k, v in per_engine.items()},
        "wall_ms": wall,
    }


def show(s: dict[str, Any]) -> None:
    print(f"\n== {s['label']}")
    print(
        f"throughput  {s['posts_per_s']:,.0f} posts/s wall, {s['posts_per_cpu_s']:,.0f} posts/s of "
        f"CPU time (median of {s['runs']} runs; wall min {s['min']:,.0f}, max {s['max']:,.0f})"
    )
    print(
        f"latency     p50 {s['p50_ms']:.3f} ms   p99 {s['p99_ms']:.3f} ms wall;   "
        f"p50 {s['cpu_p50_ms']:.3f} ms   p99 {s['cpu_p99_ms']:.3f} ms CPU   "
        "(guard.check, one post at a time)"
    )
    d = s["decisions"]
    print(f"decisions   allow {d['allow']}  review {d['review']}  block {d['block']} (last run)")
    print(f"{'where the time goes':<22}{'µs/post':>10}")
    for name, us in sorted(s["engines_us"].items(), key=lambda kv: -kv[1]):
        print(f"  {name:<20}{us:>10.1f}")


def smguard_script() -> str:
    """The ``smguard`` console script of this interpreter's environment."""
    return str(Path(sys.executable).with_name("smguard"))


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    env["SMGUARD_DISABLE_PLUGINS"] = "toxicity"
    return env


def _child(cmd: list[str], ok: tuple[int, ...], stdin: Any = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process, pinned like this one."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as empty:  # no ./smguard.toml to pick up
        proc = subprocess.run(
            cmd, env=child_env(), cwd=empty, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            check=False, stdin=stdin,
        )  # fmt: skip
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({proc.returncode}): {proc.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def end_to_end(posts: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    """``smguard check --file posts.jsonl --format json`` as a fresh process, posts per second."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for p in posts:
            fh.write(json.dumps({"id": p["id"], "text": p["text"]}, ensure_ascii=False) + "\n")
        path = fh.name
    try:
        cmd = [smguard_script(), "check", "--file", path, "--format", "json"]
        timings = [_child(cmd, (0, 1, 2)) for _ in range(runs)]
    finally:
        os.unlink(path)
    med = statistics.median
    return {
        "posts": len(posts),
        "posts_per_s": len(posts) / med(w for w, _ in timings),
        "posts_per_cpu_s": len(posts) / med(c for _, c in timings),
        "runs": runs,
    }


def cold_start(runs: int) -> dict[str, Any]:
    """``smguard check "terima kasih kak"`` as a fresh process (after one warm-up run)."""
    cmd = [smguard_script(), "check", "terima kasih kak"]
    _child(cmd, (0,))
    timings = [_child(cmd, (0,)) for _ in range(runs)]
    floor = [_child([sys.executable, "-c", "pass"], (0,)) for _ in range(runs)]
    med = statistics.median
    return {
        "wall_ms": med(w for w, _ in timings) * 1000,
        "cpu_ms": med(c for _, c in timings) * 1000,
        "python_ms": med(w for w, _ in floor) * 1000,
        "runs": runs,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, smguard {__version__}"
    )


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of this script, as a mapping (printed, or sent as JSON with ``--json``)."""
    pinned = "no"
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
        pinned = "CPU 0"
    # Defaults, not ./smguard.toml, so that figures compare across machines and checkouts.
    config = Config.from_dict({"plugins": {"disable": ["toxicity"]}})
    t0 = time.perf_counter()
    guard = Guard(config)
    start_ms = (time.perf_counter() - t0) * 1000
    out: dict[str, Any] = {
        "machine": f"{machine()}; pinned: {pinned}",
        "guard": f"{len(guard.rules)} rules, built in {start_ms:.0f} ms",
        "rules": len(guard.rules),
        "sections": [],
    }
    warm = generate(500, args.seed - 1)
    guard.check_many(as_input(warm, False))
    guard.check_many(as_input(warm, True))

    for label, with_language in (("language detected", False), ("language given", True)):
        runs = []
        for r in range(args.runs):
            posts = as_input(generate(args.posts, args.seed + r), with_language)
            runs.append(one_run(guard, posts, args.sample, args.batch))
        out["sections"].append(summarise(f"generated posts, {label}", runs, args.posts))

    real = Path(args.real)
    if (real / "davidson.jsonl").exists():
        tweets = real_posts(real, args.posts, args.seed)
        guard.check_many(as_input(real_posts(real, 1000, args.seed - 1), False))
        for label, with_language in (("language detected", False), ("language given", True)):
            posts = as_input(tweets, with_language)
            # The same tweets every run (there are only so many): warm word caches after the
            # first, as in production where the same words keep coming back.
            runs = [one_run(guard, posts, args.sample, args.batch) for _ in range(args.runs)]
            out["sections"].append(summarise(f"real tweets, {label}", runs, len(posts)))
        if not args.no_subprocess:
            out["end_to_end"] = end_to_end(tweets, args.runs)
    else:
        out["real_skipped"] = f"no real tweets: {real} has no davidson.jsonl (see --real)"
    if not args.no_subprocess:
        out["cold_start"] = cold_start(args.cold_runs)
    return out


def report(now: dict[str, Any], before: dict[str, Any] | None) -> None:
    print(f"machine     {now['machine']}")
    print(f"guard       {now['guard']}")
    for section in now["sections"]:
        show(section)
    if "real_skipped" in now:
        print(f"\n{now['real_skipped']}")
    if "end_to_end" in now:
        e = now["end_to_end"]
        print(
            f"\n== smguard check --file, {e['posts']:,} real tweets, --format json, fresh process\n"
            f"throughput  {e['posts_per_s']:,.0f} posts/s wall, {e['posts_per_cpu_s']:,.0f} "
            f"posts/s of CPU time (median of {e['runs']} runs, start-up included)"
        )
    if "cold_start" in now:
        c = now["cold_start"]
        print(
            f'\n== cold start: smguard check "terima kasih kak" (median of {c["runs"]})\n'
            f"{c['wall_ms']:.0f} ms wall, {c['cpu_ms']:.0f} ms CPU (python -c pass: "
            f"{c['python_ms']:.0f} ms)"
        )
    if before is None:
        return
    print(f"\n== before (--compare) vs now, same run; before: {before['guard']}")
    print(f"{'figure':<52}{'before':>10}{'now':>10}{'ratio':>8}")

    def row(name: str, old: float, new: float, unit: str = "") -> None:
        ratio = new / old if old else float("nan")
        print(f"{name:<52}{old:>10,.0f}{new:>10,.0f}{ratio:>7.2f}x {unit}")

    old_sections = {s["label"]: s for s in before["sections"]}
    for s in now["sections"]:
        if s["label"] in old_sections:
            o = old_sections[s["label"]]
            row(f"{s['label']}, posts/s CPU", o["posts_per_cpu_s"], s["posts_per_cpu_s"])
            row(f"{s['label']}, posts/s wall", o["posts_per_s"], s["posts_per_s"])
    if "end_to_end" in now and "end_to_end" in before:
        o, n = before["end_to_end"], now["end_to_end"]
        row("check --file, posts/s CPU", o["posts_per_cpu_s"], n["posts_per_cpu_s"])
        row("check --file, posts/s wall", o["posts_per_s"], n["posts_per_s"])
    if "cold_start" in now and "cold_start" in before:
        o, n = before["cold_start"], now["cold_start"]
        row("cold start, ms wall (lower is better)", o["wall_ms"], n["wall_ms"])
        row("cold start, ms CPU (lower is better)", o["cpu_ms"], n["cpu_ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=15)
    parser.add_argument("--sample", type=int, default=2_000, help="posts timed one by one")
    parser.add_argument("--batch", type=int, default=64, help="check_many batch size")
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--no-pin", action="store_true", help="do not pin to CPU 0")
    parser.add_argument(
        "--real",
        default=os.environ.get("SMGUARD_EVAL_DATA", "../shared/eval/data"),
        help="folder of the labelled development sets (real tweets)",
    )
    parser.add_argument("--no-subprocess", action="store_true", help="skip end to end, cold start")
    parser.add_argument("--compare", help="another checkout with its own .venv: measured too")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", action="store_true", help="profile one run (language given) with cProfile"
    )
    args = parser.parse_args()

    if args.profile:
        if not args.no_pin and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {0})
        guard = Guard(Config.from_dict({"plugins": {"disable": ["toxicity"]}}))
        guard.check_many(as_input(generate(500, args.seed - 1), True))
        posts = as_input(generate(args.posts, args.seed), True)
        profiler = cProfile.Profile()
        profiler.enable()
        guard.check_many(posts, batch_size=args.batch)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        print("\n== cProfile, language given, by own time")
        stats.sort_stats("tottime").print_stats(25)
        print("\n== cProfile, language given, by cumulative time")
        stats.sort_stats("cumulative").print_stats(25)
        return

    before = None
    if args.compare:
        other = Path(args.compare).resolve()
        python = other / ".venv" / "bin" / "python"
        cmd = [str(python), str(Path(__file__).resolve()), "--json"]
        cmd += [a for a in sys.argv[1:] if not a.startswith("--compare") and a != args.compare]
        cmd += ["--real", str(Path(args.real).resolve())]
        done = subprocess.run(cmd, cwd=other, capture_output=True, text=True, check=True)
        before = json.loads(done.stdout)
    now = measure(args)
    if args.json:
        print(json.dumps(now))
        return
    report(now, before)


if __name__ == "__main__":
    main()
