"""benchmarks/bench_ab.py: its in-process script checks posts, and the report takes medians."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_ab.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        spec = importlib.util.spec_from_file_location("smguard_bench_ab", SCRIPT)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(SCRIPT.parent))
    return module


def _script(code: str, posts: Path, *args: str) -> str:
    """Run one of the script's child programs on ``posts``, as the script does; its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    done = subprocess.run(
        [sys.executable, "-c", code, str(posts), *args],
        env=env,
        cwd=posts.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("mode", ["bench", "default"])
def test_in_process_script_checks_the_posts(bench: ModuleType, tmp_path: Path, mode: str) -> None:
    posts = tmp_path / "posts.jsonl"
    texts = ["Terima kasih kak, pesanan sudah kami proses ya", "You idiot, get lost", "Halo!"]
    posts.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts * 4), "utf-8")
    assert float(_script(bench._CHILD, posts, "3", "-1", "3", mode)) > 0


@pytest.mark.parametrize("mode", ["bench", "default"])
def test_counted_script_checks_the_posts_after_the_warm_up(
    bench: ModuleType, tmp_path: Path, mode: str
) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps({"text": f"post {i}"}) + "\n" for i in range(6)), "utf-8")
    for n in ("0", "3"):
        _script(bench._CHILD, posts, "3", n, "1", mode)


def test_valgrind_count_is_read_from_its_summary(bench: ModuleType) -> None:
    summary = "==1== \n==1== I   refs:      5,303,201,017\n"
    found = bench._REFS_RE.search(summary)
    assert found is not None and found.group(1) == "5,303,201,017"


def test_report_compares_medians_of_the_rounds(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    before = [{"in process": v, "cold start, ms": 300.0} for v in (1000.0, 5000.0, 1100.0)]
    now = [{"in process": v, "cold start, ms": 150.0} for v in (2000.0, 2400.0, 2200.0)]
    bench.report({"before": before, "now": now}, Path("/elsewhere"))
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("in process posts/s"))
    assert "1,100" in row and "2,200" in row and "2.00x" in row  # medians, not means
    assert "2.00 0.48 2.00" in row  # each round's own ratio
    cold = next(line for line in out.splitlines() if line.startswith("cold start"))
    assert "0.50x" in cold
