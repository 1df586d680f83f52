"""Timing: posts scheduled inside an account's quiet hours, in the account's own time zone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smguard.cli.main import _add_commands, cli
from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.engine import Guard
from smguard.guard.ruletest import run_examples
from smguard.types import Finding, Severity

TEXT = "Jangan lupa, besok batas akhir pelaporan SPT Tahunan."
ACCOUNTS: dict[str, Any] = {
    # A newsroom whose audience sleeps 22:00-05:00 WITA (Makassar); the window wraps midnight.
    "makassar": {
        "timezone": "Asia/Makassar",
        "quiet_hours": "22:00-05:00",
        "prime_time": ["06:30", "12:00", "20:00"],
    },
    "papua": {"timezone": "Asia/Jayapura"},
    "pontianak": {"timezone": "Asia/Pontianak"},
    "amsterdam": {"timezone": "Europe/Amsterdam"},
    "singapore": {"timezone": "Asia/Singapore"},
    "no-prime": {"prime_time": []},
    "early-prime": {"prime_time": ["04:00", "09:00"]},
    "no-quiet": {"quiet_hours": "00:00-00:00"},
}


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Guard:
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "packs,policy,tone,timing")
    return Guard(Config.from_dict({"accounts": ACCOUNTS}))


def timing(
    guard: Guard, when: str | None, account: str | None = None, **fields: Any
) -> Finding | None:
    post: dict[str, Any] = {"text": TEXT, **fields}
    if when is not None:
        post["scheduled_at"] = when
    if account is not None:
        post["account"] = account
    verdict = guard.check(post)
    assert verdict.error is None, verdict.error
    found = [f for f in verdict.findings if f.category == "timing"]
    assert len(found) <= 1
    return found[0] if found else None


def test_inside_default_quiet_hours(guard: Guard) -> None:
    finding = timing(guard, "2026-06-01T02:30:00+07:00")
    assert finding is not None
    assert finding.rule == "SMG-TIME-001"
    assert finding.severity == Severity.LOW
    assert finding.message["en"] == (
        "Scheduled for 02:30 WIB (Asia/Jakarta), inside the account's quiet hours 00:00–05:00."
    )
    assert finding.message["id"] == (
        "Dijadwalkan pukul 02.30 WIB (Asia/Jakarta), di dalam jam tenang akun 00.00–05.00."
    )
    assert finding.suggestion is not None
    assert finding.suggestion["en"].startswith("Consider 07:00 WIB instead")
    assert "07:00, 12:00, 19:00" in finding.suggestion["en"]
    assert finding.suggestion["id"].startswith("Pertimbangkan pukul 07.00 WIB")
    assert finding.evidence == "2026-06-01T02:30+07:00"


def test_low_severity_allows_by_default_and_policy_can_hold_it(
    guard: Guard, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = {"text": TEXT, "scheduled_at": "2026-06-01T02:30:00+07:00"}
    assert guard.check(post).decision == "allow"
    strict = Guard(Config.from_dict({"policy": {"categories": {"timing": {"review_at": "low"}}}}))
    assert strict.check(post).decision == "review"


@pytest.mark.parametrize(
    ("when", "fires"),
    [
        ("2026-06-01T00:00:00+07:00", True),  # quiet hours start at 00:00 ...
        ("2026-06-01T04:59:00+07:00", True),
        ("2026-06-01T05:00:00+07:00", False),  # ... and end at 05:00
        ("2026-06-01T07:00:00+07:00", False),
        ("2026-06-01T23:59:00+07:00", False),
        ("2026-05-31T19:30:00Z", True),  # 02:30 WIB on 1 June, given in UTC
        ("2026-06-01T06:30:00+09:00", True),  # 04:30 WIB, given in WIT's offset
        ("2026-06-01T08:30:00+09:00", False),  # 06:30 WIB
    ],
)
def test_the_account_zone_decides_not_the_offset_given(
    guard: Guard, when: str, fires: bool
) -> None:
    assert (timing(guard, when) is not None) is fires


@pytest.mark.parametrize(
    ("when", "local", "suggested"),
    [
        ("2026-06-01T23:10:00+08:00", "23:10", "Consider 06:30 WITA the next day instead"),
        ("2026-06-01T22:00:00+08:00", "22:00", "Consider 06:30 WITA the next day instead"),
        ("2026-06-02T03:00:00+08:00", "03:00", "Consider 06:30 WITA instead"),
        ("2026-06-01T02:30:00+07:00", "03:30", "Consider 06:30 WITA instead"),  # from WIB
    ],
)
def test_wrapping_quiet_hours_in_wita(guard: Guard, when: str, local: str, suggested: str) -> None:
    finding = timing(guard, when, "makassar")
    assert finding is not None
    assert finding.message["en"] == (
        f"Scheduled for {local} WITA (Asia/Makassar), inside the account's quiet hours 22:00–05:00."
    )
    assert finding.suggestion is not None and finding.suggestion["en"].startswith(suggested)
    assert "06:30, 12:00, 20:00" in finding.suggestion["en"]


@pytest.mark.parametrize(
    "when",
    [
        "2026-06-01T21:59:00+08:00",
        "2026-06-01T05:00:00+08:00",
        "2026-06-01T04:30:00+07:00",  # 05:30 WITA: fine in Makassar, though 04:30 WIB is quiet
    ],
)
def test_outside_wrapping_quiet_hours(guard: Guard, when: str) -> None:
    assert timing(guard, when, "makassar") is None
    assert timing(guard, "2026-06-01T04:30:00+07:00") is not None  # the same instant in WIB


@pytest.mark.parametrize(
    ("account", "label", "zone", "when"),
    [
        ("papua", "WIT", "Asia/Jayapura", "2026-06-01T01:15:00+09:00"),
        ("pontianak", "WIB", "Asia/Pontianak", "2026-06-01T01:15:00+07:00"),
        ("singapore", "UTC+08:00", "Asia/Singapore", "2026-06-01T01:15:00+08:00"),
    ],
)
def test_zone_names(guard: Guard, account: str, label: str, zone: str, when: str) -> None:
    finding = timing(guard, when, account)
    assert finding is not None
    assert f"01:15 {label} ({zone})" in finding.message["en"]


@pytest.mark.parametrize("date", ["2026-01-15", "2026-04-01", "2026-07-15", "2026-10-28"])
def test_indonesian_zones_have_no_daylight_saving(guard: Guard, date: str) -> None:
    finding = timing(guard, f"{date}T19:30:00Z")  # 02:30 WIB the next day, all year round
    assert finding is not None and "02:30 WIB" in finding.message["en"]
    assert timing(guard, f"{date}T22:00:00Z") is None  # 05:00 WIB all year round


def test_daylight_saving_zone_uses_local_wall_time(guard: Guard) -> None:
    # 03:30 UTC is 05:30 CEST in summer (outside) but 04:30 CET in winter (inside).
    assert timing(guard, "2026-07-01T03:30:00Z", "amsterdam") is None
    winter = timing(guard, "2026-01-15T03:30:00Z", "amsterdam")
    assert winter is not None
    assert "04:30 CET (Europe/Amsterdam)" in winter.message["en"]


def test_prime_time_slots_inside_quiet_hours_are_not_suggested(guard: Guard) -> None:
    finding = timing(guard, "2026-06-01T02:00:00+07:00", "early-prime")
    assert finding is not None and finding.suggestion is not None
    assert finding.suggestion["en"].startswith("Consider 09:00 WIB instead")


def test_without_prime_time_the_end_of_quiet_hours_is_suggested(guard: Guard) -> None:
    finding = timing(guard, "2026-06-01T02:00:00+07:00", "no-prime")
    assert finding is not None and finding.suggestion is not None
    assert finding.suggestion["en"] == "Consider 05:00 WIB instead, after the quiet hours."


def test_equal_start_and_end_switch_quiet_hours_off(guard: Guard) -> None:
    assert timing(guard, "2026-06-01T02:00:00+07:00", "no-quiet") is None


@pytest.mark.parametrize("kind", ["reply", "comment", "dm"])
def test_answers_to_people_are_not_timed(guard: Guard, kind: str) -> None:
    assert timing(guard, "2026-06-01T02:30:00+07:00", kind=kind) is None


def test_unscheduled_posts_are_not_timed(guard: Guard) -> None:
    assert timing(guard, None) is None


def test_timed_kinds_are_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "packs,policy,timing")
    guard = Guard(Config.from_dict({"plugins": {"timing": {"kinds": ["post", "comment"]}}}))
    assert timing(guard, "2026-06-01T02:30:00+07:00", kind="comment") is not None
    assert timing(guard, "2026-06-01T02:30:00+07:00", kind="reply") is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kinds": ["tweet"]}, "plugins.timing.kinds: must be a list of post, reply"),
        ({"kinds": []}, "plugins.timing.kinds: must be a list of post, reply"),
        ({"quiet": "00:00-05:00"}, "plugins.timing.quiet: unknown setting (known: kinds)"),
    ],
)
def test_bad_timing_options(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, Any], message: str
) -> None:
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "packs,policy,timing")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Guard(Config.from_dict({"plugins": {"timing": options}}))


def test_timing_rule_examples_hold(guard: Guard) -> None:
    rule = guard.rule("SMG-TIME-001")
    assert rule is not None and rule.bad_examples and rule.good_examples
    assert {"en", "id"} <= set(rule.message) and {"en", "id"} <= set(rule.why)
    assert [r.describe() for r in run_examples(guard, rule) if not r.passed] == []


# -- a time without a zone is refused, clearly -----------------------------------------------------

NAIVE = "2026-06-01T02:30:00"
NEEDS_ZONE = "'scheduled_at' needs a time zone, e.g. 2026-06-01T07:00:00+07:00"


def test_naive_time_is_an_input_error_in_the_api(guard: Guard) -> None:
    verdict = guard.check({"text": TEXT, "scheduled_at": NAIVE})
    assert verdict.error == NEEDS_ZONE
    assert verdict.decision == "review"


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    _add_commands()
    monkeypatch.chdir(tmp_path)  # no stray smguard.toml
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "packs,policy,tone,timing")

    def invoke(*args: str, input: str | None = None) -> Any:
        return CliRunner().invoke(cli, list(args), input=input)

    return invoke


def test_naive_time_on_the_command_line(run_cli: Any) -> None:
    result = run_cli("check", "--scheduled-at", NAIVE, TEXT)
    assert result.exit_code == 3
    assert result.stderr.strip() == f"Error: {NEEDS_ZONE}"
    assert "Traceback" not in result.output


def test_naive_time_in_a_json_batch_fails_only_its_line(run_cli: Any, tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    lines = [
        {"id": "ok", "text": TEXT, "scheduled_at": "2026-06-01T02:30:00+07:00"},
        {"id": "naive", "text": TEXT, "scheduled_at": NAIVE},
    ]
    posts.write_text("\n".join(json.dumps(p) for p in lines) + "\n", encoding="utf-8")
    result = run_cli("check", "--file", str(posts), "--format", "json")
    assert result.exit_code == 3
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["id"] == "ok" and first["decision"] == "allow"
    assert [f["rule"] for f in first["findings"]] == ["SMG-TIME-001"]
    assert first["findings"][0]["message"].startswith("Scheduled for 02:30 WIB (Asia/Jakarta)")
    assert second["id"] == "naive"
    assert second["error"] == f"posts.jsonl line 2: {NEEDS_ZONE}"


def test_cli_flags_a_quiet_hours_slot(run_cli: Any) -> None:
    result = run_cli("--lang", "id", "check", "--scheduled-at", "2026-06-01T02:30:00+07:00", TEXT)
    assert result.exit_code == 0  # low: shown, not held
    assert "SMG-TIME-001" in result.output
    assert "Dijadwalkan pukul 02.30 WIB (Asia/Jakarta)" in result.output
