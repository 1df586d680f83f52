"""Cold start of ``smguard check "terima kasih kak"``: what a scheduler pays per call.

    python benchmarks/bench_coldstart.py            # 15 runs, then the top import offenders
    python benchmarks/bench_coldstart.py --runs 30 --top 25
    python benchmarks/bench_coldstart.py --compare ../before   # another checkout (its own
                                                               # .venv), runs interleaved

Each run is a fresh process of the installed ``smguard`` command, without the toxicity engine
(``SMGUARD_DISABLE_PLUGINS=toxicity``), from a scratch folder so that no ``smguard.toml`` applies.
One unmeasured run first warms the operating system's file cache and writes the bytecode of every
module to a scratch folder (``PYTHONPYCACHEPREFIX``), as on a machine that calls smguard all
day: pip compiles an installed package's bytecode, so no module is compiled from source at start.
``--env-as-is`` measures instead with this shell's settings: with ``PYTHONDONTWRITEBYTECODE=1``
and an editable install, every module of smguard is compiled from source on every run.
``python -c pass`` is measured the same way: the floor no Python CLI gets below.
Each run reports wall-clock time and the child's CPU time (user + system); on a busy machine the
CPU time is the steadier figure, on an idle one the two agree.

With ``--compare DIR`` the ``smguard`` of ``DIR/.venv`` is timed too, one run of each in turn, so
that both medians see the same load; their exit codes must agree run for run.

Then the steps of that command are timed one by one inside fresh processes (phases), and
``python -X importtime`` on the same command lists the modules that cost the most to import,
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
from typing import NamedTuple

TEXT = "terima kasih kak"
TARGET_S = 0.25


class Sample(NamedTuple):
    wall: float
    cpu: float
    returncode: int


def smguard_command(python: Path) -> list[str]:
    """The ``smguard`` console script next to ``python`` (a virtual environment's)."""
    script = python.with_name("smguard")
    if script.exists():
        return [str(script)]
    found = shutil.which("smguard") if python == Path(sys.executable) else None
    if found:
        return [found]
    raise SystemExit(f"no smguard command next to {python} (pip install -e . in that checkout)")


def environment(pycache: str | None) -> dict[str, str]:
    """The children's environment; with ``pycache``, their bytecode is cached in that folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    env["SMGUARD_DISABLE_PLUGINS"] = "toxicity"
    if "SMGUARD_LOAD_PLUGINS" in os.environ:  # honoured, so partial checkouts can be measured
        env["SMGUARD_LOAD_PLUGINS"] = os.environ["SMGUARD_LOAD_PLUGINS"]
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def timed(cmd: list[str], env: dict[str, str], cwd: str, ok: tuple[int, ...]) -> Sample:
    """Wall-clock and CPU (user + system) seconds of one run of ``cmd``, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(elapsed, cpu, proc.returncode)


def measure(
    cmds: list[list[str]], env: dict[str, str], cwd: str, runs: int, ok: tuple[int, ...]
) -> list[list[Sample]]:
    """``runs`` timed runs of each command, taking turns; one unmeasured run of each first."""
    for cmd in cmds:
        timed(cmd, env, cwd, ok)  # warm the file cache
    samples: list[list[Sample]] = [[] for _ in cmds]
    for _ in range(runs):
        for cmd, out in zip(cmds, samples, strict=True):
            out.append(timed(cmd, env, cwd, ok))
    return samples


def report(label: str, samples: list[Sample]) -> tuple[float, float]:
    wall = [s.wall for s in samples]
    cpu = [s.cpu for s in samples]
    med, med_cpu = statistics.median(wall), statistics.median(cpu)
    print(
        f"{label:<30} wall median {med * 1000:7.1f} ms (min {min(wall) * 1000:.1f}, "
        f"max {max(wall) * 1000:.1f});  CPU median {med_cpu * 1000:7.1f} ms  ({len(wall)} runs)"
    )
    return med, med_cpu


# The steps of `smguard check TEXT` (smguard/cli/main.py and cli/check.py), one by one, in a
# fresh process. tests/benchmarks/test_bench_coldstart.py runs it, so it cannot fall behind the
# CLI's layout again unnoticed.
_PHASES = """
import json, sys, time
t0 = time.perf_counter()
import click
from smguard.cli.main import State, cli
t1 = time.perf_counter()
ctx = click.Context(cli)
command = cli.get_command(ctx, "check")
state = State(None, None)
state.config
t2 = time.perf_counter()
guard = state.guard()
t3 = time.perf_counter()
verdict = guard.check(sys.argv[1])
t4 = time.perf_counter()
from smguard.cli.render import render_verdict
render_verdict(verdict, sys.argv[1], state.lang, None)
t5 = time.perf_counter()
print(json.dumps({"imports (click, smguard.cli.main)": t1 - t0,
                  "check command, configuration, plugin manager": t2 - t1,
                  "Guard(): plugins' rules, rule packs, index": t3 - t2,
                  "first check": t4 - t3, "verdict text": t5 - t4,
                  "rules": len(guard.rules), "decision": verdict.decision,
                  "modules": len(sys.modules)}))
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
    first = dict(samples[0])
    for s in samples:
        for key in ("rules", "decision", "modules"):
            s.pop(key)
    print(
        f"\nphases inside the process (median of {runs}; {first['rules']} rules loaded, "
        f"decision {first['decision']}, {first['modules']} modules in sys.modules)"
    )
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
    parser.add_argument(
        "--compare", metavar="DIR", help="another checkout with its own .venv: timed in turn"
    )
    parser.add_argument(
        "--env-as-is",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE / PYTHONPYCACHEPREFIX of this shell (by default the "
        "runs cache their bytecode in a scratch folder, as an installed smguard has it)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as pycache:
        run(args, environment(None if args.env_as_is else pycache))


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    cmd = [*smguard_command(Path(sys.executable)), "check", TEXT]
    cmds = [cmd]
    labels = ["smguard check (cold process)"]
    if args.compare:
        other = Path(args.compare).resolve() / ".venv" / "bin" / "python"
        cmds.insert(0, [*smguard_command(other), "check", TEXT])
        labels = ["before: smguard check (--compare)", "now: smguard check"]
    with tempfile.TemporaryDirectory() as cwd:
        for c in cmds:
            print(f"command: {' '.join(c)}   (SMGUARD_DISABLE_PLUGINS=toxicity)")
        pass_cmd = [sys.executable, "-c", "pass"]
        [floor_samples] = measure([pass_cmd], env, cwd, args.runs, (0,))
        floor, floor_cpu = report("python -c pass", floor_samples)
        results = measure(cmds, env, cwd, args.runs, (0, 1, 2))
        medians = [report(label, got) for label, got in zip(labels, results, strict=True)]
        if args.compare:
            codes = [[s.returncode for s in got] for got in results]
            if codes[0] != codes[1]:
                raise SystemExit(f"the two checkouts disagree: exit codes {codes[0]} vs {codes[1]}")
            (old_wall, old_cpu), (new_wall, new_cpu) = medians
            print(
                f"now / before: wall-clock {new_wall / old_wall:.2f}x, CPU {new_cpu / old_cpu:.2f}x"
                f" (same exit code, {codes[1][0]}, in every run)"
            )
        med, med_cpu = medians[-1]
        for what, value, base in (("wall-clock", med, floor), ("CPU", med_cpu, floor_cpu)):
            verdict = "meets" if value <= TARGET_S else "MISSES"
            print(
                f"{what}: {verdict} the target of {TARGET_S * 1000:.0f} ms "
                f"({(value - base) * 1000:.0f} ms above the interpreter's own start)"
            )
        phases(env, cwd, args.runs)
        import_offenders(env, cwd, args.top)


if __name__ == "__main__":
    main()
