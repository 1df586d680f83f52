"""benchmarks/bench_coldstart.py: its phase script follows the steps of ``smguard check``."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_coldstart.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("smguard_bench_coldstart", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_phase_script_runs_the_check_steps_of_the_cli(bench: ModuleType, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    env["SMGUARD_DISABLE_PLUGINS"] = "toxicity"
    done = subprocess.run(
        [sys.executable, "-c", bench._PHASES, "terima kasih kak"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["decision"] == "allow"
    assert out["rules"] > 50
    phases = [k for k in out if k not in ("rules", "decision", "modules")]
    assert len(phases) == 5
    assert all(out[k] >= 0 for k in phases)


def test_children_cache_bytecode_unless_told_to_keep_the_shell_settings(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("SMGUARD_CONFIG", "elsewhere.toml")
    cached = bench.environment("/tmp/pyc")
    assert "PYTHONDONTWRITEBYTECODE" not in cached
    assert cached["PYTHONPYCACHEPREFIX"] == "/tmp/pyc"
    assert "SMGUARD_CONFIG" not in cached
    assert cached["SMGUARD_DISABLE_PLUGINS"] == "toxicity"
    as_is = bench.environment(None)
    assert as_is["PYTHONDONTWRITEBYTECODE"] == "1"
