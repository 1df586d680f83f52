"""YAML detectors: the shipped ones' examples run as tests; the format fails loudly; the CLI."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from smguard.plugins.detectors import builtin_yaml

from smguard.cli.main import cli
from smguard.config import Config
from smguard.errors import ConfigError, PluginError
from smguard.watch.detectors import Detector
from smguard.watch.detectorset import load_detectors
from smguard.watch.yamldetector import YamlDetector, load_file, load_paths
from smguard.watch.yamlexamples import Example, run_example
from smguard.watch.yamlmatch import DetectorFileError, device_family, ip_range

SHIPPED = builtin_yaml()
EXAMPLES = [(d, e) for d in SHIPPED for e in d.examples]


def test_the_shipped_yaml_detectors_are_loaded() -> None:
    ids = {d.id for d in SHIPPED}
    assert {"SMG-DET-010", "SMG-DET-011", "SMG-DET-012", "SMG-DET-020", "SMG-DET-030"} <= ids
    assert len(ids) == len(SHIPPED)


@pytest.mark.parametrize(
    ("detector", "example"), EXAMPLES, ids=[f"{d.id}-{e.title}" for d, e in EXAMPLES]
)
def test_shipped_example(detector: YamlDetector, example: Example) -> None:
    result = run_example(detector, example)
    assert result.passed, result.describe()


@pytest.mark.parametrize("detector", SHIPPED, ids=[d.id for d in SHIPPED])
def test_every_yaml_detector_documents_itself(detector: YamlDetector) -> None:
    assert any(e.fires for e in detector.examples), f"{detector.id} has no example that fires"
    if detector.kind_of_logic != "match" or len(detector.spec_summary["kinds"]) > 1:
        assert any(not e.fires for e in detector.examples), f"{detector.id}: no quiet example"
    assert detector.falsepositives, f"{detector.id} lists no false positives"
    assert detector.description["en"] and detector.description["id"]
    assert detector.description["en"] != detector.description["id"]


def test_an_example_with_the_wrong_expectation_fails() -> None:
    detector = next(d for d in SHIPPED if d.id == "SMG-DET-011")
    example = next(e for e in detector.examples if e.fires)
    flipped = Example(example.title, example.event, example.history, fires=False)
    result = run_example(detector, flipped)
    assert not result.passed
    assert "should stay quiet but fired" in result.describe()


def test_derived_fields() -> None:
    assert ip_range("203.0.113.77") == "203.0.113.0/24"
    assert ip_range("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert ip_range("not an ip") is None
    chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.0.0 Safari/537.36"
    updated = chrome.replace("124.0.0.0", "126.0.6478.61")
    assert device_family(chrome) == device_family(updated)
    assert device_family(chrome) != device_family(chrome.replace("Windows NT", "Macintosh"))


# -- the format fails loudly -------------------------------------------------------------------

GOOD: dict[str, Any] = {
    "id": "ORG-DET-001",
    "name": "Logins from the office range only",
    "level": "high",
    "incident": "suspicious_login",
    "description": {"en": "A login outside our range.", "id": "Login di luar rentang kami."},
    "message": {"en": "Login on {account} from {ip}", "id": "Login di {account} dari {ip}"},
    "falsepositives": ["admins working from home"],
    "match": {"kind": "login", "not": {"ip|cidr": ["203.0.113.0/24"]}},
    "examples": [
        {"event": {"kind": "login", "ip": "198.51.100.1"}, "fires": True},
        {"event": {"kind": "login", "ip": "203.0.113.9"}, "fires": False},
    ],
}


def _write(tmp_path: Path, spec: dict[str, Any]) -> Path:
    import yaml

    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump({"detectors": [spec]}, allow_unicode=True), encoding="utf-8")
    return path


def test_an_organisations_own_detector_loads_through_detectors_paths(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    [detector] = load_file(path)
    assert [run_example(detector, e).passed for e in detector.examples] == [True, True]
    found = load_detectors(Config.from_dict({"detectors": {"paths": [str(path)]}}))
    assert found.get("org-det-001") is not None


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"id": "det 1"}, "'id' must look like SMG-DET-020"),
        ({"level": "urgent"}, "level: 'urgent' is not a severity"),
        ({"status": "beta"}, "status 'beta' is not one of"),
        ({"incident": "Bad Kind"}, "'incident' must be an incident kind"),
        ({"message": {"en": "only English"}}, "'message' has no 'id' text"),
        ({"match": {"ip": "1"}}, "'match' needs at least 'kind'"),
        ({"match": {"kind": "tweet"}}, "match.kind: 'tweet' is not an event kind"),
        ({"match": {"kind": "login", "ipaddress": "x"}}, "unknown field 'ipaddress'"),
        ({"match": {"kind": "login", "ip|near": "x"}}, "unknown modifier |near"),
        ({"match": {"kind": "login", "ip|re": "(a"}}, "is not valid RE2 syntax"),
        ({"match": {"kind": "login", "ip|re": "(?=a)"}}, "is not valid RE2 syntax"),
        ({"match": {"kind": "login", "ip|cidr": "300.1.1.0/24"}}, "ip|cidr:"),
        ({"correlation": {"count": 1, "within": "10m"}}, "correlation.count: must be a whole"),
        ({"correlation": {"count": 5, "within": "later"}}, "'later' is not a duration"),
        ({"first_seen": {"field": "colour"}}, "first_seen: unknown field 'colour'"),
        ({"examples": [{"event": {"kind": "login", "at": "yesterday"}}]}, "is not a time"),
        ({"examples": [{"event": {"kind": "login", "colour": 1}}]}, "unknown key(s) colour"),
        ({"colour": "red"}, "unknown key(s) colour"),
        ({"severity": "high"}, "'level' and 'severity' are the same setting; keep 'severity'"),
    ],
)
def test_a_malformed_detector_names_its_file_id_and_problem(
    tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    path = _write(tmp_path, {**GOOD, **change})
    with pytest.raises(DetectorFileError) as caught:
        load_file(path)
    message = str(caught.value)
    assert str(path) in message and problem in message and "\n" not in message
    assert isinstance(caught.value, ConfigError)


# -- the rule packs' words, and the old ones for one more release -----------------------------

RENAMED = {"level": "severity", "description": "why", "falsepositives": "false_positives"}
#: GOOD in the words of the rule packs (``severity``, ``why``, ``false_positives``).
CURRENT: dict[str, Any] = {RENAMED.get(k, k): v for k, v in GOOD.items()}


def test_the_rule_packs_words_load_quietly_and_the_old_ones_with_one_warning_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        [current] = load_file(_write(tmp_path, CURRENT))
        assert caplog.records == []
        path = _write(tmp_path, GOOD)
        [old] = load_file(path)
    assert current.level.label == "high"
    assert current.description["en"] == "A login outside our range."
    assert current.falsepositives == ("admins working from home",)
    assert [run_example(current, e).passed for e in current.examples] == [True, True]
    for name in ("id", "level", "description", "message", "falsepositives", "kinds", "examples"):
        assert getattr(old, name) == getattr(current, name), name
    [warning] = caplog.records
    message = warning.getMessage()
    assert "\n" not in message
    assert message.startswith(f"{path}: ORG-DET-001: ")
    assert message.endswith("(deprecated: the old names are read until the next release)")
    for was, new in RENAMED.items():
        assert f"'{new}' instead of '{was}'" in message


def test_a_bad_severity_is_named_as_the_file_writes_it(tmp_path: Path) -> None:
    path = _write(tmp_path, {**CURRENT, "severity": "urgent"})
    with pytest.raises(DetectorFileError, match=r"ORG-DET-001: severity: 'urgent' is not a"):
        load_file(path)


def test_the_shipped_detectors_use_the_rule_packs_words(caplog: pytest.LogCaptureFixture) -> None:
    folder = Path(__file__).resolve().parents[2] / "rules" / "detectors"
    with caplog.at_level(logging.WARNING):
        loaded = load_paths([folder])
    assert caplog.records == [] and len(loaded) == len(SHIPPED)
    for file in folder.glob("*.yaml"):
        for spec in yaml.safe_load(file.read_text(encoding="utf-8"))["detectors"]:
            assert {"severity", "why", "false_positives"} <= set(spec), spec["id"]


def test_smguard_warns_about_the_old_words_on_one_line_of_stderr(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    result = subprocess.run(
        [sys.executable, "-c", "from smguard.cli.main import main; main()",
         "detectors", "test", str(path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   ORG-DET-001  2/2" in result.stdout
    assert result.stderr.splitlines() == [
        f"{path}: ORG-DET-001: write 'severity' instead of 'level', 'why' instead of "
        "'description', 'false_positives' instead of 'falsepositives' (deprecated: the old names "
        "are read until the next release)"
    ]


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("detectors:\n  - id: X\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(DetectorFileError, match=r"broken.yaml: not valid YAML at line \d"):
        load_file(path)


def test_a_detector_id_registered_twice_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {**GOOD, "id": "SMG-DET-020"})
    with pytest.raises(PluginError, match="detector id SMG-DET-020 is registered twice"):
        load_detectors(Config.from_dict({"detectors": {"paths": [str(path)]}}))


def test_register_detectors_refuses_what_is_not_a_detector() -> None:
    from smguard import hookimpl
    from smguard.manager import get_plugin_manager

    class Plugin:
        @hookimpl
        def register_detectors(self, register: Any) -> None:
            register("not a detector")

    pm = get_plugin_manager()
    pm.register(Plugin(), name="odd")
    with pytest.raises(PluginError, match=r"which is not a smguard\.watch\.detectors\.Detector"):
        load_detectors(Config(), pm)


def test_every_builtin_detector_has_both_languages() -> None:
    found = load_detectors(Config())
    assert len(found.all) >= 19 and found.enabled == found.all
    for d in found.all:
        assert isinstance(d, Detector)
        for texts in (d.description, d.message):
            assert texts.get("en") and texts.get("id"), d.id


# -- the CLI -----------------------------------------------------------------------------------


def test_detectors_list_and_show() -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["detectors", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = {r["id"]: r for r in json.loads(listed.output)}
    assert rows["SMG-DET-001"]["incident"] == "unauthorized_post"
    assert rows["SMG-DET-020"]["options"] == {"count": 10, "within": "10m"}
    assert rows["SMG-DET-015"]["options"] == {"window": "10m", "after": "2m"}
    shown = runner.invoke(cli, ["detectors", "show", "smg-det-012"])
    assert shown.exit_code == 0
    for part in ("Login from a new country", "[detectors.SMG-DET-012]", 'within = "180d"',
                 "Known false positives", "VPNs", 'disable = ["SMG-DET-012"]'):  # fmt: skip
        assert part in shown.output, part
    in_id = runner.invoke(cli, ["--lang", "id", "detectors", "show", "SMG-DET-030"])
    assert "Verifikasi dua langkah dimatikan" in in_id.output


def test_detectors_show_unknown_is_one_line_exit_3() -> None:
    result = CliRunner().invoke(cli, ["detectors", "show", "SMG-DET-404"])
    assert result.exit_code == 3
    assert result.output.strip().splitlines() == [
        "Error: no detector 'SMG-DET-404'; `smguard detectors list` shows them all"
    ]


def test_detectors_list_with_a_bad_setting_is_exit_3(tmp_path: Path) -> None:
    config = tmp_path / "smguard.toml"
    config.write_text('[detectors]\ndisable = ["SMG-DET-404"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "detectors", "list"])
    assert result.exit_code == 3
    assert "detectors.disable: unknown detector id SMG-DET-404" in result.output


def test_detectors_test_runs_examples(tmp_path: Path) -> None:
    runner = CliRunner()
    shipped = runner.invoke(cli, ["detectors", "test"])
    assert shipped.exit_code == 0, shipped.output
    assert ", 0 failed" in shipped.output
    wrong = {**GOOD, "examples": [{"event": {"kind": "login", "ip": "203.0.113.9"}}]}
    failing = runner.invoke(cli, ["detectors", "test", str(_write(tmp_path, wrong))])
    assert failing.exit_code == 1
    assert (
        "FAIL ORG-DET-001  0/1" in failing.output
        and "should fire but stayed quiet" in failing.output
    )


def test_detectors_show_and_test_as_json(tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["detectors", "show", "smg-det-012", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    detector = json.loads(shown.stdout)
    assert detector["id"] == "SMG-DET-012" and detector["enabled"] is True
    assert detector["name"] == "Login from a new country"
    assert (
        "has not logged in from" in detector["description"] and "{country}" in detector["message"]
    )
    assert detector["options"]["within"] == "180d"
    assert any("VPN" in fp for fp in detector["false_positives"])
    assert detector["logic"]["first_seen"]["within"] == "180d"
    assert {e["fires"] for e in detector["examples"]} == {True, False}

    wrong = {**GOOD, "examples": [{"event": {"kind": "login", "ip": "203.0.113.9"}}]}
    failing = runner.invoke(
        cli, ["detectors", "test", str(_write(tmp_path, wrong)), "--format", "json"]
    )
    assert failing.exit_code == 1
    report = json.loads(failing.stdout)
    assert report["ok"] is False and report["examples"] == 1 and report["failed"] == 1
    (row,) = report["detectors"]
    assert row["id"] == "ORG-DET-001" and row["passed"] == 0
    assert "should fire but stayed quiet" in row["failures"][0]
    shipped = json.loads(runner.invoke(cli, ["detectors", "test", "--format", "json"]).stdout)
    assert shipped["ok"] is True and shipped["failed"] == 0 and shipped["examples"] > 0


def test_plugins_lists_the_detectors() -> None:
    result = CliRunner().invoke(cli, ["plugins", "list", "--format", "json"])
    assert result.exit_code == 0
    row = next(r for r in json.loads(result.output) if r["name"] == "detectors")
    assert "SMG-DET-001" in row["detectors"] and row["builtin"] is True


# -- the docs ----------------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "detectors.md"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_docs_describe_every_detector_with_its_level() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for d in load_detectors(Config()).all:
        row = next((line for line in doc.splitlines() if line.startswith(f"| {d.id} |")), None)
        assert row is not None, f"docs/detectors.md has no table row for {d.id}"
        assert f"| {d.name} |" in row and d.level.label in row and d.incident in row, row
        assert d.id in doc.split("## The detectors", 1)[1].split("## Tuning", 1)[0]


def test_the_docs_quote_the_containment_checklist() -> None:
    from smguard.watch.detectors import fill
    from smguard.watch.evidence import CONTAINMENT

    doc = _flat(DOC.read_text(encoding="utf-8"))
    for steps in CONTAINMENT.values():
        for n, step in enumerate(steps, 1):
            assert f"{n}. {_flat(fill(step, {'account': 'ACCOUNT'}))}" in doc, step


def _alias_bomb(top: str) -> str:
    levels = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    for n in range(1, 10):
        levels.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    return "bomb:\n" + "\n".join("  " + line for line in levels) + f"\n{top}\n"


def test_a_yaml_alias_bomb_in_a_detector_file_is_refused_before_it_expands(
    tmp_path: Path,
) -> None:
    """Hardening (issue 12): plain yaml.safe_load expands nested aliases to billions of values."""
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb("detectors: []"), encoding="utf-8")
    with pytest.raises(DetectorFileError, match=r"bomb\.yaml: not valid YAML at line 1"):
        load_file(path)
