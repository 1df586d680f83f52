"""Before and after on real tweets, interleaved: this checkout against another, round by round.

On a shared machine the speed of a core drifts by a third within minutes, so two figures taken
minutes apart (what ``bench_rules.py --compare`` does) can show a change that is not there. Here
every round measures both checkouts, each in a fresh process, alternating which goes first, and
the ratio is taken of the medians over the rounds. Nothing is timed in a test; see README.md.

Measured per checkout and round, CPU time of the process (one core):

- ``in process``: ``Guard.check_many`` on the real tweets after a warm-up (language detected;
  the toxicity engine left out, as in ``bench_rules.py``; the middle of three passes),
- ``in process, default config``: the same with the configuration a fresh install has (the
  toxicity engine on; it is skipped for every post when no model is installed),
- ``check --file``: ``smguard check --file tweets.jsonl --format json`` as a fresh process,
  start-up included, without the toxicity engine (as ``bench_rules.py``) and with the default
  configuration,
- ``cold start``: ``smguard check "terima kasih kak"`` as a fresh process, without the toxicity
  engine (as ``bench_coldstart.py``).

``--instructions N`` counts instead of timing: the instructions each checkout executes to check N
posts in process (valgrind's cachegrind, the difference between a run that checks them and one
that only warms up). A count does not move with the machine's load, so it tells a change of a
few per cent that times on a shared machine cannot.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rules import real_posts

#: Run inside each checkout's own interpreter: build a guard, warm it on the first ``warm``
#: posts, then check the next ``n`` (all the rest when ``n`` is -1) ``passes`` times, and print
#: the middle figure of posts per second of CPU time. ``--instructions`` runs it once with
#: ``n`` = 0 and once with ``n`` posts: the difference of the two counts is the posts' own.
_CHILD = """
import json, sys, time
from smguard.config import Config
from smguard.guard.engine import Guard
path, warm, n, passes, default = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5] == "default"
posts = [json.loads(line) for line in open(path, encoding="utf-8")]
guard = Guard(Config.from_dict({} if default else {"plugins": {"disable": ["toxicity"]}}))
guard.check_many(posts[:warm])
rest = posts[warm:] if n < 0 else posts[warm : warm + n]
runs = []
for _ in range(passes if rest else 0):
    t0 = time.process_time()
    guard.check_many(rest)
    runs.append(len(rest) / (time.process_time() - t0))
if runs:
    print(sorted(runs)[len(runs) // 2])
"""
_REFS_RE = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(checkout: Path, tweets: Path, warm: int, n: int, mode: str) -> float:
    """Instructions per post of ``check_many`` (valgrind's cachegrind, no cache simulation):
    the same count on a busy machine as on an idle one, unlike any time."""
    python = str(checkout / ".venv" / "bin" / "python")
    env = _env() | {"PYTHONHASHSEED": "0"}  # the same set and dict layouts in every run
    # Once without counting, so that what a first run writes (bytecode of the modules the posts
    # reach, the rule packs' parse cache) is not counted in one run and not the other.
    subprocess.run(
        [python, "-c", _CHILD, str(tweets), str(warm), str(n), "1", mode],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    counts = []
    for posts in (0, n):
        cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
        cmd += [python, "-c", _CHILD, str(tweets), str(warm), str(posts), "1", mode]
        done = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True)
        found = _REFS_RE.search(done.stderr)
        if done.returncode != 0 or found is None:
            sys.exit(f"valgrind failed in {checkout}:\n{done.stderr[-2000:]}")
        counts.append(int(found.group(1).replace(",", "")))
    return (counts[1] - counts[0]) / n


def _env(toxicity: bool = True) -> dict[str, str]:
    """No ``SMGUARD_*`` setting of this shell; bytecode cached as an installed smguard has it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not toxicity:
        env["SMGUARD_DISABLE_PLUGINS"] = "toxicity"
    return env


def _cpu_of(cmd: list[str], cwd: Path, toxicity: bool = True) -> float:
    """CPU seconds (user + system) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, env=_env(toxicity), stdout=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(checkout: Path, tweets: Path, warm: int, cold_runs: int) -> dict[str, float]:
    """One round's figures for one checkout."""
    python = str(checkout / ".venv" / "bin" / "python")
    smguard = str(checkout / ".venv" / "bin" / "smguard")
    out: dict[str, float] = {}
    for label, mode in (("in process", "bench"), ("in process, default config", "default")):
        done = subprocess.run(
            [python, "-c", _CHILD, str(tweets), str(warm), "-1", "3", mode],
            cwd=checkout,
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        out[label] = float(done.stdout.strip().splitlines()[-1])
    n = sum(1 for _ in tweets.open(encoding="utf-8"))
    check_file = [smguard, "check", "--file", str(tweets), "--format", "json"]
    out["check --file"] = n / _cpu_of(check_file, checkout, toxicity=False)
    out["check --file, default config"] = n / _cpu_of(check_file, checkout)
    one = [smguard, "check", "terima kasih kak"]
    cold = [_cpu_of(one, checkout, toxicity=False) * 1000 for _ in range(cold_runs)]
    out["cold start, ms"] = statistics.median(cold)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", help="the other checkout (with its own .venv): 'before'")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--posts", type=int, default=10_000, help="real tweets checked")
    parser.add_argument("--warm", type=int, default=3_000, help="of them, checked first to warm")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold starts per round")
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument(
        "--real",
        default=os.environ.get("SMGUARD_EVAL_DATA", "../shared/eval/data"),
        help="folder of the labelled development sets (real tweets)",
    )
    parser.add_argument(
        "--instructions",
        type=int,
        metavar="N",
        help="instead of timing, count the instructions of checking N posts (needs valgrind)",
    )
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    other = Path(args.other).resolve()
    for checkout in (here, other):
        if not (checkout / ".venv" / "bin" / "smguard").exists():
            sys.exit(f"{checkout} has no .venv with smguard installed")
    posts = real_posts(Path(args.real), args.posts + args.warm, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tweets = Path(tmp) / "tweets.jsonl"
        with tweets.open("w", encoding="utf-8") as fh:
            for p in posts:
                fh.write(json.dumps({"id": p["id"], "text": p["text"]}, ensure_ascii=False) + "\n")
        if args.instructions:
            count_instructions(here, other, tweets, args.warm, args.instructions)
            return
        rounds: dict[str, list[dict[str, float]]] = {"before": [], "now": []}
        started = time.monotonic()
        for r in range(args.rounds):
            order = [("before", other), ("now", here)]
            if r % 2:
                order.reverse()
            for side, checkout in order:
                rounds[side].append(measure(checkout, tweets, args.warm, args.cold_runs))
            print(f"round {r + 1}/{args.rounds} done ({time.monotonic() - started:.0f} s)")
    report(rounds, other)


def count_instructions(here: Path, other: Path, tweets: Path, warm: int, n: int) -> None:
    if shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind (apt-get install valgrind)")
    print(f"before: {other}\nnow:    {here}")
    print(f"instructions per post, {n:,} real tweets after {warm:,} to warm (valgrind cachegrind)")
    print(f"{'figure':<34}{'before':>12}{'now':>12}{'ratio':>8}")
    for label, mode in (("in process", "bench"), ("in process, default config", "default")):
        old = instructions(other, tweets, warm, n, mode)
        new = instructions(here, tweets, warm, n, mode)
        print(f"{label:<34}{old:>12,.0f}{new:>12,.0f}{new / old:>7.3f}x")


def report(rounds: dict[str, list[dict[str, float]]], other: Path) -> None:
    print(f"\nbefore: {other}\nnow:    {Path(__file__).resolve().parent.parent}")
    print(f"medians of {len(rounds['now'])} interleaved rounds, CPU time")
    print(f"{'figure':<34}{'before':>10}{'now':>10}{'ratio':>8}   per round (now/before)")
    for key in rounds["now"][0]:
        old = [r[key] for r in rounds["before"]]
        new = [r[key] for r in rounds["now"]]
        ratio = statistics.median(new) / statistics.median(old)
        per = " ".join(f"{n / o:.2f}" for o, n in zip(old, new, strict=True))
        unit = "" if key.endswith("ms") else " posts/s"
        print(
            f"{key + unit:<34}{statistics.median(old):>10,.0f}{statistics.median(new):>10,.0f}"
            f"{ratio:>7.2f}x   {per}"
        )


if __name__ == "__main__":
    main()
