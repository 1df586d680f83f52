"""A long ``smguard check --file`` warms the guard up and sets its start-up objects aside from
the garbage collector (:func:`smguard.guard.memo.settle`); a short one, or the CLI called inside
another program (a test, a host application), leaves the collector alone."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from smguard.cli import check as check_cli
from smguard.cli.main import cli
from tests.support.child import run_smguard


def _posts(path: Path, count: int) -> Path:
    lines = (
        json.dumps({"id": f"p{n}", "text": f"Terima kasih kak, pesanan {n} sudah kami kirim"})
        for n in range(count)
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _frozen_after_check(tmp_path: Path, posts: Path, rc: int = 0) -> tuple[int, list[str]]:
    proc, frozen = run_smguard(
        tmp_path, ["check", "--file", str(posts), "--format", "json"], "gc.get_freeze_count()"
    )
    assert proc.returncode == rc, proc.stderr
    decisions = [json.loads(line)["decision"] for line in proc.stdout.splitlines()]
    return int(frozen), decisions


def test_a_long_batch_settles_and_a_short_one_does_not(tmp_path: Path) -> None:
    many = check_cli._SETTLE_AFTER
    frozen, decisions = _frozen_after_check(tmp_path, _posts(tmp_path / "many.jsonl", many))
    assert frozen > 10_000  # the packs and lexicons, set aside
    assert decisions == ["allow"] * many
    frozen, decisions = _frozen_after_check(tmp_path, _posts(tmp_path / "few.jsonl", 3))
    assert frozen == 0
    assert decisions == ["allow"] * 3


def test_a_long_batch_with_hostile_kinds_settles_and_answers_every_line(tmp_path: Path) -> None:
    """Which kinds to warm up is read from the batch: a kind that is a list or an object is an
    error verdict for its line, never a crash of the warm-up."""
    path = _posts(tmp_path / "many.jsonl", check_cli._SETTLE_AFTER)
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"text": "halo", "kind": ["post"]}\n{"text": "halo", "kind": {"a": 1}}\n')
        fh.write('{"text": "halo kak", "kind": "reply"}\n')
    frozen, decisions = _frozen_after_check(tmp_path, path, rc=3)  # 3: lines in error
    assert frozen > 10_000
    assert decisions == ["allow"] * check_cli._SETTLE_AFTER + ["review", "review", "allow"]


def test_the_cli_run_in_process_leaves_the_collector_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMGUARD_DISABLE_PLUGINS", "toxicity")
    monkeypatch.setattr(check_cli, "_SETTLE_AFTER", 2)
    frozen = gc.get_freeze_count()
    posts = _posts(tmp_path / "posts.jsonl", 5)
    result = CliRunner().invoke(cli, ["check", "--file", str(posts), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() == frozen
