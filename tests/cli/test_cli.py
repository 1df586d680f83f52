"""`smguard check` and friends, driven like a user or a calling tool would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smguard.cli.main import _add_commands, cli
from tests.support.guards import write_pack

PACK = """
languages: ['*']
rules:
  - id: SMG-XX-T-001
    name: kata-terlarang
    category: profanity
    severity: high
    message: {en: "Forbidden word", id: "Kata terlarang"}
    why: {en: "It offends", id: "Menyinggung"}
    suggestion: {en: "Remove the word", id: "Hapus kata itu"}
    match: {terms: [terlarang]}
    examples: {bad: [terlarang], good: [boleh]}
  - id: SMG-XX-T-002
    name: kata-ragu
    category: spam
    severity: medium
    message: {en: "Doubtful word"}
    why: {en: "Hmm"}
    match: {terms: [ragu]}
"""


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the CLI with only the test pack, from a folder holding a smguard.toml."""
    _add_commands()
    write_pack(tmp_path / "packs", "p.yaml", PACK)
    (tmp_path / "smguard.toml").write_text('[rules]\npaths = ["packs"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "policy")

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input)

    return invoke


def test_exit_codes_follow_the_decision(run) -> None:  # type: ignore[no-untyped-def]
    assert run("check", "semua boleh").exit_code == 0
    assert run("check", "saya ragu").exit_code == 1
    assert run("check", "ini terlarang").exit_code == 2


def test_human_output_explains_each_finding(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--lang", "id", "check", "Kata ini terlarang ya")
    assert result.exit_code == 2
    out = result.output
    assert "BLOCKED" in out and "jangan diterbitkan" in out
    assert "SMG-XX-T-001" in out and "Kata terlarang" in out
    assert "Saran: Hapus kata itu" in out
    # the caret line sits under the offending word
    lines = out.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip().startswith("^"))
    assert lines[caret].index("^") == lines[caret - 1].index("terlarang")
    assert lines[caret].count("^") == len("terlarang")


def test_json_output_for_a_batch_keeps_order_and_ids(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        "\n".join(
            json.dumps(p)
            for p in [
                {"id": "a", "text": "semua boleh"},
                {
                    "id": "b",
                    "text": "ini terlarang",
                    "kind": "reply",
                    "in_reply_to": {"text": "halo"},
                },
                {"id": "c", "text": "saya ragu", "language": "id"},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = run("check", "--file", str(posts), "--format", "json")
    assert result.exit_code == 2
    verdicts = [json.loads(line) for line in result.output.splitlines()]
    assert [(v["id"], v["decision"]) for v in verdicts] == [
        ("a", "allow"), ("b", "block"), ("c", "review"),
    ]  # fmt: skip
    finding = verdicts[1]["findings"][0]
    assert finding["rule"] == "SMG-XX-T-001"
    assert finding["span"] == [4, 13]
    assert finding["suggestion"] == "Remove the word"
    assert verdicts[2]["languages"] == ["id"]


def test_malformed_lines_get_error_verdicts_and_the_rest_run(run) -> None:  # type: ignore[no-untyped-def]
    data = b"\n".join(
        [
            b'{"id": "1", "text": "semua boleh"}',
            b'{"id": "2", "text": ',
            b'{"id": "3", "text": "caf\xe9"}',
            b'["not", "an", "object"]',
            b'{"id": "5", "txt": "typo"}',
            b"",
            b'{"id": "7", "text": "ini terlarang"}',
        ]
    )
    result = run("check", "--file", "-", "--format", "json", input=data)
    assert result.exit_code == 3
    verdicts = [json.loads(line) for line in result.output.splitlines()]
    assert len(verdicts) == 6
    assert verdicts[0]["decision"] == "allow"
    assert "stdin line 2: not valid JSON" in verdicts[1]["error"]
    assert "stdin line 3: not valid UTF-8" in verdicts[2]["error"]
    assert "stdin line 4: expected a JSON object" in verdicts[3]["error"]
    assert verdicts[4]["error"] == "stdin line 5: unknown field(s): txt"
    assert verdicts[4]["id"] == "5"
    assert verdicts[5]["decision"] == "block"
    assert all(v["decision"] == "review" for v in verdicts[1:5])


def test_stdin_text_and_stdin_jsonl(run) -> None:  # type: ignore[no-untyped-def]
    assert run("check", "-", input="ini terlarang\n").exit_code == 2
    result = run("check", "-", "--format", "json", input='{"id": "x", "text": "boleh"}\n')
    assert result.exit_code == 0
    assert json.loads(result.output)["id"] == "x"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("check", "   "), None, "the text is empty"),
        (("check",), None, "nothing to check"),
        (("check", "-"), b"caf\xe9", "standard input is not valid UTF-8"),
        (("check", "--scheduled-at", "tomorrow", "hi"), None, "'scheduled_at' is not an ISO"),
        (("check", "--file", "missing.jsonl"), None, "cannot read missing.jsonl"),
        (("rules", "show", "SMG-NOPE"), None, "no rule 'SMG-NOPE'"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_3(run, args, stdin, message) -> None:  # type: ignore[no-untyped-def]
    result = run(*args, input=stdin)
    assert result.exit_code == 3, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_broken_config_is_one_line_and_exit_3(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "smguard.toml").write_text("[policy]\nblock_at = 'hgh'\n", encoding="utf-8")
    result = run("check", "hello")
    assert result.exit_code == 3
    assert "smguard.toml: policy.block_at: 'hgh' is not a severity" in result.output
    assert "Traceback" not in result.output


def test_broken_user_pack_is_one_line_and_exit_3(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_pack(tmp_path / "packs", "p.yaml", PACK.replace("category: spam", "category: spm"))
    result = run("check", "hello")
    assert result.exit_code == 3
    assert "p.yaml, rule SMG-XX-T-002: 'category' must be one of" in result.output


def test_rules_list_and_show(run) -> None:  # type: ignore[no-untyped-def]
    listed = run("rules", "list")
    assert listed.exit_code == 0
    assert "SMG-XX-T-001" in listed.output and "kata-terlarang" in listed.output
    rows = json.loads(run("rules", "list", "--format", "json", "--category", "spam").output)
    assert [r["id"] for r in rows] == ["SMG-XX-T-002"]
    shown = run("--lang", "id", "rules", "show", "smg-xx-t-001")
    assert shown.exit_code == 0
    for part in ("SMG-XX-T-001: kata-terlarang", "Kata terlarang", "Menyinggung", "✗ terlarang",
                 "✓ boleh", "Hapus kata itu"):  # fmt: skip
        assert part in shown.output


def test_plugins_lists_what_each_registered(run) -> None:  # type: ignore[no-untyped-def]
    result = run("plugins", "list", "--format", "json")
    assert result.exit_code == 0
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert rows["policy"]["builtin"] is True
    assert "decide" in rows["policy"]["hooks"]


def test_batch_text_output_ends_with_a_summary(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    posts = tmp_path / "posts.jsonl"
    lines = ['{"text": "semua boleh"}', '{"text": "ini terlarang"}', '{"text": "saya ragu"}', "{"]
    posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("check", "--file", str(posts))
    assert result.exit_code == 3
    last = result.output.strip().splitlines()[-1]
    assert last == "4 checked: 1 may go out, 1 need review, 1 blocked, 1 not checked"


def test_a_text_argument_that_is_not_utf8_is_one_line_and_exit_3(run) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "caf\udce9")  # how Python passes an invalid byte from argv
    assert result.exit_code == 3
    assert "the text is not valid UTF-8" in result.output
    assert "Traceback" not in result.output


def test_rules_show_as_json_carries_what_the_text_shows(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--lang", "id", "rules", "show", "smg-xx-t-001", "--format", "json")
    assert result.exit_code == 0, result.output
    rule = json.loads(result.stdout)
    assert (rule["id"], rule["name"], rule["severity"]) == (
        "SMG-XX-T-001",
        "kata-terlarang",
        "high",
    )
    assert rule["message"] == "Kata terlarang" and rule["why"] == "Menyinggung"
    assert rule["suggestion"] == "Hapus kata itu" and rule["enabled"] is True
    assert [e["text"] for e in rule["examples"]["bad"]] == ["terlarang"]
    assert [e["text"] for e in rule["examples"]["good"]] == ["boleh"]
    assert rule["source"].endswith("p.yaml")


def test_rules_test_as_json_keeps_the_exit_code(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = run("rules", "test", "packs", "--format", "json")
    assert good.exit_code == 0, good.output
    report = json.loads(good.stdout)
    assert report["ok"] is True and report["failed"] == 0 and report["examples"] == 2
    assert {r["id"]: r["examples"] for r in report["rules"]} == {
        "SMG-XX-T-001": 2, "SMG-XX-T-002": 0,
    }  # fmt: skip
    other = PACK.replace("SMG-XX-T-", "SMG-XX-U-").replace("good: [boleh]", "good: [terlarang]")
    write_pack(tmp_path / "other", "o.yaml", other)
    bad = run("rules", "test", "other", "--format", "json")
    assert bad.exit_code == 1
    failing = json.loads(bad.stdout)
    assert failing["ok"] is False and failing["failed"] == 1
    row = next(r for r in failing["rules"] if r["id"] == "SMG-XX-U-001")
    assert row["passed"] == 1 and "should not fire but fired" in row["failures"][0]
    text = run("rules", "test", "other")
    assert text.exit_code == 1 and "FAIL SMG-XX-U-001  1/2" in text.output


def test_hostile_json_lines_are_error_verdicts_and_the_rest_run(run) -> None:  # type: ignore[no-untyped-def]
    """Regression (issue 12): each of these lines ended the batch with a traceback (exit 1)."""
    hostile = [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"id": "n", "text": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
        b'{"id": ' + b"9" * 5_000 + b', "text": "semua boleh"}',
        b'{"id": "s", "text": "caf\\ud800"}',
        b'{"\\udc00": 1, "text": "semua boleh"}',
        b'{"id": "d", "text": "semua boleh", "text": "ini terlarang"}',
        b'{"id": "f", "text": "x", "links": [1e999999]}',
        b'{"id": "y", "text": "semua boleh", "scheduled_at": "0001-01-01T00:00:00+00:00"}',
        b'{"id": "z", "text": "semua boleh", "scheduled_at": "9999-12-31T23:59:59-05:00"}',
    ]
    data = b"\n".join([*hostile, b'{"id": "ok", "text": "ini terlarang"}'])
    result = run("check", "--file", "-", "--format", "json", input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 3
    verdicts = [json.loads(line) for line in result.output.splitlines()]
    assert len(verdicts) == len(hostile) + 1
    assert all(v["decision"] == "review" and v["error"] for v in verdicts[:-1])
    assert "nested deeper" in verdicts[0]["error"]
    assert "integer of thousands of digits" in verdicts[2]["error"]
    assert "surrogate" in verdicts[3]["error"] and "surrogate" in verdicts[4]["error"]
    assert "duplicate key 'text'" in verdicts[5]["error"]
    assert "year 1;" in verdicts[7]["error"] and "year 9999" in verdicts[8]["error"]
    assert max(len(line) for line in result.output.splitlines()) < 2_000
    assert verdicts[-1]["id"] == "ok" and verdicts[-1]["decision"] == "block"
