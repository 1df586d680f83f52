"""Cold start of ``smguard check "terima kasih kak"``: what a scheduler pays per call.

    python benchmarks/bench_coldstart.py            # 15 runs, then the top import offenders
    python benchmarks/bench_coldstart.py --runs 30 --top 25

Each run is a fresh process of the installed ``smguard`` command, without the toxicity engine
(``SMGUARD_DISABLE_PLUGINS=toxicity``), from a scratch folder so that no ``smguard.toml`` applies.
One unmeasured run first warms the operating system's file cache, as on a machine that calls
smguard all day. ``python -c pass`` is measured the same way: the floor no Python CLI gets below.
Each run reports wall-clock time and the child's CPU time (user + system); on a busy machine the
CPU time is the steadier figure, on an idle one the two agree.

Then ``python -X importtime`` on the same command lists the modules that cost the most to import,
by cumulative time (a package and everything it imports) and by their own time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXT = "terima kasih kak"
TARGET_S = 0.5


def smguard_command() -> list[str]:
    """The ``smguard`` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("smguard")
    if script.exists():
        return [str(script)]
    found = shutil.which("smguard")
    if found:
        return [found]
    raise SystemExit("the smguard command is not installed in this environment (pip install -e .)")


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    env["SMGUARD_DISABLE_PLUGINS"] = "toxicity"
    if "SMGUARD_LOAD_PLUGINS" in os.environ:  # honoured, so partial checkouts can be measured
        env["SMGUARD_LOAD_PLUGINS"] = os.environ["SMGUARD_LOAD_PLUGINS"]
    return env


def timed(
    cmd: list[str], env: dict[str, str], cwd: str, ok: tuple[int, ...]
) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def measure(
    cmd: list[str], env: dict[str, str], cwd: str, runs: int, ok: tuple[int, ...]
) -> list[tuple[float, float]]:
    timed(cmd, env, cwd, ok)  # warm the file cache
    return [timed(cmd, env, cwd, ok) for _ in range(runs)]


def report(label: str, samples: list[tuple[float, float]]) -> tuple[float, float]:
    wall = [w for w, _ in samples]
    cpu = [c for _, c in samples]
    med, med_cpu = statistics.median(wall), statistics.median(cpu)
    print(
        f"{label:<30} wall median {med * 1000:7.1f} ms (min {min(wall) * 1000:.1f}, "
        f"max {max(wall) * 1000:.1f});  CPU median {med_cpu * 1000:7.1f} ms  ({len(wall)} runs)"
    )
    return med, med_cpu


_PHASES = """
import json, sys, time
t0 = time.perf_counter()
from smguard.cli.main import _add_commands, _plugin_commands
from smguard.config import Config
from smguard.guard.engine import Guard
t1 = time.perf_counter()
_add_commands(); _plugin_commands()
t2 = time.perf_counter()
guard = Guard(Config.load())
t3 = time.perf_counter()
guard.check(sys.argv[1])
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "plugin manager and CLI commands": t2 - t1,
                  "Guard(): plugins, packs, index": t3 - t2, "first check": t4 - t3,
                  "rules": len(guard.rules)}))
"""


def phases(env: dict[str, str], cwd: str, runs: int) -> None:
    """Where a cold process spends its time, measured inside fresh processes (medians)."""
    import json

    samples: list[dict[str, float]] = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-c", _PHASES, TEXT],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"phase measurement failed: {proc.stderr.strip()}")
        samples.append(json.loads(proc.stdout))
    rules = int(samples[0].pop("rules"))
    for s in samples[1:]:
        s.pop("rules")
    print(f"\nphases inside the process (median of {runs}; {rules} rules loaded)")
    for key in samples[0]:
        print(f"  {statistics.median(s[key] for s in samples) * 1000:8.1f} ms  {key}")


def import_offenders(env: dict[str, str], cwd: str, top: int) -> None:
    code = (
        "import sys; from smguard.cli.main import main; "
        f"sys.argv = ['smguard', 'check', {TEXT!r}]; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    rows: list[tuple[int, int, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|", 2)
        rows.append((int(self_us), int(cumulative_us), name.rstrip()))
    total = sum(r[0] for r in rows)
    print(f"\nimports: {len(rows)} modules, {total / 1000:.1f} ms in all (python -X importtime)")
    print(f"\ntop {top} by cumulative time (the module and what it imports)")
    for self_us, cum_us, name in sorted(rows, key=lambda r: -r[1])[:top]:
        print(f"  {cum_us / 1000:8.1f} ms  {self_us / 1000:7.1f} ms self  {name}")
    print(f"\ntop {top} by own time")
    for self_us, _cum_us, name in sorted(rows, key=lambda r: -r[0])[:top]:
        print(f"  {self_us / 1000:8.1f} ms  {name.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--top", type=int, default=15, help="import offenders to list")
    args = parser.parse_args()

    env = environment()
    cmd = [*smguard_command(), "check", TEXT]
    with tempfile.TemporaryDirectory() as cwd:
        print(f"command: {' '.join(cmd)}   (SMGUARD_DISABLE_PLUGINS=toxicity)")
        pass_cmd = [sys.executable, "-c", "pass"]
        floor, floor_cpu = report("python -c pass", measure(pass_cmd, env, cwd, args.runs, (0,)))
        med, med_cpu = report(
            "smguard check (cold process)", measure(cmd, env, cwd, args.runs, (0, 1, 2))
        )
        for what, value, base in (("wall-clock", med, floor), ("CPU", med_cpu, floor_cpu)):
            verdict = "meets" if value < TARGET_S else "MISSES"
            print(
                f"{what}: {verdict} the target of {TARGET_S * 1000:.0f} ms "
                f"({(value - base) * 1000:.0f} ms above the interpreter's own start)"
            )
        phases(env, cwd, args.runs)
        import_offenders(env, cwd, args.top)


if __name__ == "__main__":
    main()
