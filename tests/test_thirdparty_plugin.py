"""A third-party plugin, installed as a distribution, extends smguard with no change to the core.

``examples/plugin-example`` is a real distribution, ``smguard-brandwords``. These tests make it
"installed" the way pip would, as far as Python can tell: its module next to a
``smguard_brandwords-0.1.dist-info`` folder (METADATA and ``entry_points.txt``) on ``sys.path``,
so smguard finds it through the ordinary ``importlib.metadata`` entry-point machinery. Nothing is
written to the virtual environment.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import smguard.cli.main as cli_main
from smguard.config import Config
from smguard.errors import ConfigError, PluginError
from smguard.guard.engine import Guard
from smguard.guard.ruletest import run_examples

PLUGIN_SRC = Path(__file__).resolve().parent.parent / "examples" / "plugin-example"
MODULE = "smguard_brandwords"
RULE_IDS = {"SMG-BRAND-001", "SMG-BRAND-101"}
BAD = "Sneak peek: Pr0yek MERPATI launches next month, cheaper than BatikPlus!"
GOOD = "Koleksi batik tulis terbaru dari perajin Pekalongan sudah tersedia."


def _install(site: Path, dist: str, version: str, entry_points: str) -> None:
    """Write the ``.dist-info`` that pip would write for distribution ``dist``."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def _forget(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    for name in modules:
        monkeypatch.delitem(sys.modules, name, raising=False)
    importlib.invalidate_caches()  # also clears importlib.metadata's cached path listings


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site-packages-like folder holding smguard-brandwords 0.1, first on ``sys.path``."""
    shutil.copytree(PLUGIN_SRC / MODULE, tmp_path / MODULE)
    _install(tmp_path, "smguard-brandwords", "0.1", f"[smguard]\nbrandwords = {MODULE}\n")
    _forget(monkeypatch, MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # for the subprocess tests
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    _forget(monkeypatch, MODULE)


def _ids(guard: Guard) -> set[str]:
    return {rule.id for rule in guard.all_rules}


def test_entry_point_adds_a_code_rule_and_a_rule_pack(site: Path) -> None:
    guard = Guard()
    assert guard.pm.get_plugin("brandwords") is not None
    assert _ids(guard) >= RULE_IDS
    assert any(p.parent.name == MODULE and p.name == "packs" for p in guard.pack_paths)
    assert guard.rule("SMG-BRAND-001").engine == "brandwords"  # type: ignore[union-attr]
    assert guard.rule("SMG-BRAND-101").source.startswith(str(site))  # type: ignore[union-attr]


def test_plugin_rules_fire_like_built_in_ones(site: Path) -> None:
    guard = Guard()
    bad = guard.check(BAD)
    fired = {f.rule: f for f in bad.findings if f.rule in RULE_IDS}
    assert set(fired) == RULE_IDS
    assert fired["SMG-BRAND-001"].evidence == "Pr0yek MERPATI"  # leetspeak and case survive
    assert fired["SMG-BRAND-101"].evidence == "BatikPlus"
    assert bad.decision == "block"  # SMG-BRAND-001 is high
    assert not [f for f in guard.check(GOOD).findings if f.rule in RULE_IDS]


def test_plugin_rules_pass_their_own_examples(site: Path) -> None:
    guard = Guard()
    for rule_id in sorted(RULE_IDS):
        rule = guard.rule(rule_id)
        assert rule is not None and rule.examples
        failed = [r.describe() for r in run_examples(guard, rule) if not r.passed]
        assert failed == []


def test_plugin_reads_its_options_from_the_config(site: Path) -> None:
    config = Config.from_dict({"plugins": {"brandwords": {"code_names": ["Proyek Kenari"]}}})
    guard = Guard(config)
    assert [f.rule for f in guard.check("Proyek Kenari siap meluncur").findings] == [
        "SMG-BRAND-001"
    ]
    assert not guard.check("Proyek Merpati siap meluncur").findings


def test_a_typo_in_the_plugins_table_stops_smguard_at_start(site: Path) -> None:
    config = Config.from_dict({"plugins": {"brandwords": {"code_name": ["Proyek Kenari"]}}})
    with pytest.raises(ConfigError, match=r"plugins\.brandwords\.code_name: unknown setting"):
        Guard(config)
    with pytest.raises(ConfigError, match=r"plugins\.brandwords\.code_names: must be a list"):
        Guard(Config.from_dict({"plugins": {"brandwords": {"code_names": "Proyek Kenari"}}}))


def _plugins_json() -> list[dict[str, object]]:
    cli_main._add_commands()
    result = CliRunner().invoke(cli_main.cli, ["plugins", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_smguard_plugins_attributes_rules_and_packs_to_the_plugin(site: Path) -> None:
    rows = {row["name"]: row for row in _plugins_json()}
    row = rows["brandwords"]
    assert row["builtin"] is False
    assert row["module"] == MODULE
    assert row["rules"] == ["SMG-BRAND-001"]
    assert row["packs"] == [str(site / MODULE / "packs")]
    assert {"register_rules", "register_rule_packs"} <= set(row["hooks"])  # type: ignore[arg-type]
    # Nothing the plugin registered is attributed to a built-in plugin.
    for name, other in rows.items():
        if name != "brandwords":
            assert "SMG-BRAND-001" not in other.get("rules", [])  # type: ignore[operator]


def test_smguard_plugins_shows_the_distribution_version(site: Path) -> None:
    rows = {row["name"]: row for row in _plugins_json()}
    assert rows["brandwords"]["version"] == "0.1"


def test_disable_env_removes_the_plugin(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMGUARD_DISABLE_PLUGINS", "brandwords")
    guard = Guard.from_config()
    assert guard.pm.get_plugin("brandwords") is None
    assert not _ids(guard) & RULE_IDS
    assert not [f for f in guard.check(BAD).findings if f.rule in RULE_IDS]
    assert "brandwords" not in {row["name"] for row in _plugins_json()}


def test_disable_in_config_removes_the_plugin(site: Path) -> None:
    (site / "smguard.toml").write_text('[plugins]\ndisable = ["brandwords"]\n', encoding="utf-8")
    guard = Guard.from_config()
    assert not _ids(guard) & RULE_IDS


def test_load_plugins_env_selects_third_party_plugins_by_name(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "packs,policy,brandwords")
    assert _ids(Guard()) & RULE_IDS == RULE_IDS
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "packs,policy")
    assert not _ids(Guard()) & RULE_IDS


def _smguard(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``smguard`` entry point in a fresh interpreter (PYTHONPATH from the fixture)."""
    code = "import sys; from smguard.cli.main import main; sys.argv[0] = 'smguard'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=False,
    )


def test_installed_plugin_works_from_the_command_line(site: Path) -> None:
    proc = _smguard("check", "--format", "json", BAD)
    assert proc.returncode == 2, proc.stderr
    verdict = json.loads(proc.stdout)
    assert {f["rule"] for f in verdict["findings"]} >= RULE_IDS


@pytest.fixture
def broken_site(site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Add smguard-broken 1.0, whose module fails on import (a missing dependency)."""
    (site / "smguard_broken.py").write_text(
        "import smguard_dependency_that_is_not_installed  # noqa: F401\n", encoding="utf-8"
    )
    _install(site, "smguard-broken", "1.0", "[smguard]\nbroken = smguard_broken\n")
    _forget(monkeypatch, "smguard_broken")
    return site


def test_broken_plugin_fails_with_one_error_naming_it(broken_site: Path) -> None:
    with pytest.raises(PluginError) as err:
        Guard()
    message = str(err.value)
    assert "'broken'" in message and "smguard-broken" in message
    assert "smguard_dependency_that_is_not_installed" in message  # says what went wrong


def test_broken_plugin_on_the_command_line(broken_site: Path) -> None:
    proc = _smguard("check", "terima kasih kak")
    assert proc.returncode == 3
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("Error: plugin 'broken' (smguard-broken) failed to load")
    assert "Traceback" not in proc.stderr


def test_broken_plugin_can_be_disabled(broken_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMGUARD_DISABLE_PLUGINS", "broken")
    assert _ids(Guard.from_config()) >= RULE_IDS
