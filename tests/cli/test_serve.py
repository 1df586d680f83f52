"""`smguard tokens` end to end: create (shown once), list (never the secret), revoke."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smguard.cli.main import _add_commands, cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    _add_commands()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMGUARD_DATABASE_URL", f"sqlite:///{tmp_path / 'smguard.db'}")
    monkeypatch.setenv("SMGUARD_ACTOR", "ani")

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    return invoke


def test_tokens_are_created_listed_and_revoked(run) -> None:  # type: ignore[no-untyped-def]
    made = run("tokens", "create", "scheduler", "--scope", "check", "--scope", "record")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("smg_") and len(token) > 40
    listed = run("tokens", "list", "--format", "json")
    rows = json.loads(listed.output)
    assert [(r["name"], r["scopes"], r["created_by"]) for r in rows] == [
        ("scheduler", ["check", "record"], "ani")
    ]
    assert token.split("_")[2] not in listed.output  # the secret is never shown again
    revoked = run("tokens", "revoke", "scheduler")
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    assert json.loads(run("tokens", "list", "--format", "json").output) == []
    everything = json.loads(run("tokens", "list", "--all", "--format", "json").output)
    assert everything[0]["revoked_at"] is not None
    log = run("audit", "log", "--format", "json")
    actions = [json.loads(line)["action"] for line in log.output.splitlines()]
    assert "token.created" in actions and "token.revoked" in actions


def test_token_mistakes_are_usage_errors(run) -> None:  # type: ignore[no-untyped-def]
    assert run("tokens", "create", "cms").exit_code == 3  # no scope
    assert run("tokens", "create", "cms", "--scope", "root").exit_code == 3
    missing = run("tokens", "revoke", "nobody")
    assert missing.exit_code == 3 and "no token" in missing.output
