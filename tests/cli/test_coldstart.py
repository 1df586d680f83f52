"""A one-post ``smguard check`` loads what checking needs and nothing else.

What a cold start must not pay for: the database (SQLAlchemy), HTTP (httpx), TOTP (pyotp),
language detection (lingua) for a post whose words decide nothing, the other commands, the
entry-point machinery when no third-party plugin is installed, and YAML once the pack cache
holds the parsed files. The modules a process loaded are read from ``sys.modules`` at exit.
"""

from __future__ import annotations

import json
from pathlib import Path

from smguard.cli.main import State
from tests.support.child import run_smguard

NOT_FOR_A_CHECK = (
    "sqlalchemy",
    "httpx",
    "pyotp",
    "lingua",
    "importlib.metadata",
    "yaml",
    "tomllib",  # no smguard.toml in the scratch folder
    "smguard.records",
    "smguard.alerting",
    "smguard.watch",
    "smguard.server",
    "smguard.toxicity",
    "smguard.planning",
    "smguard.reports",
)
CLI_MODULES_OF_CHECK = {
    "smguard.cli",
    "smguard.cli.main",
    "smguard.cli.style",
    "smguard.cli.check",
    "smguard.cli.output",
    "smguard.cli.render",
}


def _check_modules(tmp_path: Path, cache: Path, text: str) -> tuple[int, str, list[str]]:
    proc, modules = run_smguard(
        tmp_path,
        ["check", text],
        "json.dumps(sorted(sys.modules))",
        env={"SMGUARD_PACK_CACHE": str(cache)},
    )
    return proc.returncode, proc.stdout + proc.stderr, json.loads(modules)


def _unwanted(modules: list[str]) -> list[str]:
    return [
        m
        for m in modules
        if any(m == p or m.startswith(p + ".") for p in NOT_FOR_A_CHECK)
        or (m.startswith("smguard.cli") and m not in CLI_MODULES_OF_CHECK)
    ]


def test_a_plain_check_loads_no_database_http_yaml_or_other_command(tmp_path: Path) -> None:
    cache = tmp_path / "packs"
    # First run: an empty pack cache, so the packs are parsed as YAML (and the cache filled).
    code, output, first = _check_modules(tmp_path, cache, "terima kasih kak")
    assert code == 0, output
    assert "yaml" in first  # the test sees what a process loaded
    assert any(cache.iterdir())

    code, output, modules = _check_modules(tmp_path, cache, "terima kasih kak")
    assert code == 0, output
    assert "may go out" in output
    assert _unwanted(modules) == []


def test_a_blocked_post_gives_the_same_verdict_from_a_warm_cache(tmp_path: Path) -> None:
    cache = tmp_path / "packs"
    post = "Slot gacor hari ini, deposit 10rb langsung maxwin! Daftar di bit.ly/gacor88"
    cold = _check_modules(tmp_path, cache, post)
    warm = _check_modules(tmp_path, cache, post)
    assert cold[0] == warm[0] != 0
    strip = [line.split("(")[0] for line in cold[1].splitlines()]
    assert strip == [line.split("(")[0] for line in warm[1].splitlines()]


def test_the_guard_of_a_command_uses_the_plugin_manager_that_checked_the_config(
    tmp_path: Path,
) -> None:
    (tmp_path / "smguard.toml").write_text('[plugins]\ndisable = ["toxicity"]\n')
    state = State(tmp_path / "smguard.toml", None)
    pm = state._pm if state.config is not None else None
    guard = state.guard()
    assert pm is not None and guard.pm is pm
    assert state.guard((tmp_path,)).pm is pm
