"""``smguard plan check``: each kind of problem, the exit codes, JSON, unreadable rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from smguard.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *args: str, config: str = "") -> tuple[int, str]:
    (tmp_path / "smguard.toml").write_text(config, encoding="utf-8")
    env = {
        "SMGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        "SMGUARD_CONFIG": str(tmp_path / "smguard.toml"),
    }
    result = CliRunner().invoke(cli, ["--color", "never", *args], env=env)
    return result.exit_code, result.output


def test_the_example_plan_shows_every_kind_of_problem(tmp_path: Path) -> None:
    code, out = run(
        tmp_path, "plan", "check", str(ROOT / "examples" / "plan.csv"), "--format", "json"
    )
    assert code == 1
    found = json.loads(out)
    codes = {(p["code"], p["line"]) for p in found["problems"]}
    assert ("SMG-PLAN-004", 3) in codes  # 30 minutes after line 2
    assert ("SMG-PLAN-001", 4) in codes  # a promotion on 30 September
    assert ("SMG-TIME-001", 6) in codes  # 02:00, quiet hours (through the guard)
    assert ("SMG-LINK-001", 7) in codes  # a shortened link (the guard)
    assert ("SMG-PLAN-005", 7) in codes  # 10:00, away from prime time
    greeting = [p for p in found["problems"] if p["code"] == "SMG-PLAN-002"]
    assert [p["date"] for p in greeting] == ["2027-10-01"]  # Hari Kesaktian Pancasila
    assert greeting[0]["suggestion"].startswith("Draft: ")
    gap = next(p for p in found["problems"] if p["code"] == "SMG-PLAN-003")
    assert "from 2027-10-04 to 2027-10-07 (4 days)" in gap["message"]
    levels = {p["code"]: p["level"] for p in found["problems"]}
    assert levels["SMG-TIME-001"] == "review" and levels["SMG-PLAN-005"] == "note"


def test_one_line_per_problem_in_indonesian(tmp_path: Path) -> None:
    code, out = run(tmp_path, "--lang", "id", "plan", "check", str(ROOT / "examples" / "plan.csv"))
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith(str(ROOT / "examples"))]
    assert len(lines) == 8
    assert any("SMG-PLAN-001" in line and "hari menahan diri" in line for line in lines)
    assert out.rstrip().endswith("6 unggahan terencana, 8 masalah.")


def test_a_blocked_post_exits_2_and_a_clean_plan_0(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "posts:\n"
        "  - {when: '2027-10-04 07:00', account: kem, text: 'Selamat pagi, Sobat!'}\n"
        "  - {when: '2027-10-05 12:00', account: kem,\n"
        "     text: 'Slot gacor maxwin hari ini! Deposit 10rb di situs resmi bit.ly/gacor88'}\n",
        encoding="utf-8",
    )
    code, out = run(tmp_path, "plan", "check", str(plan))
    assert code == 2 and "BLOCK" in out
    plan.write_text(
        "- {when: '2027-10-04 07:00', account: kem, text: 'Selamat pagi, Sobat!'}\n"
        "- {when: '2027-10-05 12:00', account: kem, text: 'Jangan lupa lapor SPT, ya.'}\n",
        encoding="utf-8",
    )
    code, out = run(tmp_path, "plan", "check", str(plan))
    assert code == 0, out
    assert "2 planned posts: nothing to fix." in out


def test_bali_accounts_must_not_post_on_nyepi(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "when,account,text\n"
        "2027-03-08 09:00,kem_bali,Selamat Hari Raya Nyepi bagi yang merayakan.\n"
        "2027-03-08 09:00,kem,Selamat Hari Raya Nyepi bagi yang merayakan.\n",
        encoding="utf-8",
    )
    config = '[calendar]\naccount_regions = { kem_bali = ["bali"] }\n[plan]\nprime_time = false\n'
    code, out = run(tmp_path, "plan", "check", str(plan), "--format", "json", config=config)
    problems = json.loads(out)["problems"]
    assert [(p["code"], p["account"]) for p in problems] == [("SMG-PLAN-001", "kem_bali")]
    assert code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("when,account,text\nsoon,kem,Halo\n", "'when' 'soon' is not a time"),
        ("when,account,text\n2027-10-04 07:00,,Halo\n", "'account' is empty"),
    ],
)
def test_an_unreadable_row_is_one_line_and_exit_3(
    tmp_path: Path, content: str, message: str
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(content + "2027-10-04 08:00,kem,Selamat pagi\n", encoding="utf-8")
    code, out = run(tmp_path, "plan", "check", str(plan))
    assert code == 3
    assert f"plan.csv:2: ERROR SMG-PLAN-000: {message}" in out


def test_a_file_that_is_not_a_plan_is_one_error_line(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("date,message\n2027-10-04,Halo\n", encoding="utf-8")
    code, out = run(tmp_path, "plan", "check", str(plan))
    assert code == 3
    assert "missing: when, account, text" in out and "Traceback" not in out


def test_a_yaml_alias_bomb_in_a_plan_is_one_clear_error(tmp_path: Path) -> None:
    """Hardening (issue 12): plain yaml.safe_load expands nested aliases to billions of values."""
    from smguard.errors import InputError
    from smguard.planning.planfile import read_plan

    levels = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    for n in range(1, 10):
        levels.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    path = tmp_path / "plan.yaml"
    path.write_text(
        "bomb:\n" + "\n".join("  " + line for line in levels) + "\nposts: []\n", encoding="utf-8"
    )
    said = r"not valid YAML at line 1, column 1: its aliases \(\*name\) expand"
    with pytest.raises(InputError, match=said) as err:
        read_plan(path, lambda account: None)
    assert len(str(err.value)) < 400
