"""End to end on the command line: enrol, vault, a held check approved, the 2FA audit.

Runs on SQLite and PostgreSQL (``SMGUARD_DATABASE_URL``), with ``SMGUARD_SECRET_KEY`` set and
the clock of account security held still, so the pyotp codes are exact.
"""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from click.testing import CliRunner, Result

from smguard.cli.main import _add_commands, cli
from smguard.security import clock as security_clock
from tests.support.security import KEY, PLATFORM_SEED, STEP, T0, seed_of

CONFIG = """
[organisation]
name = "Kementerian Contoh"
domains = ["kemenkeu.go.id"]

[security]
backup_codes = 4

[admins.ayu]
email = "ayu@kemenkeu.go.id"
roles = ["owner"]

[admins.budi]
email = "budi@kemenkeu.go.id"
phone = "+62 812 1111 2222"

[admins.citra]
roles = ["author@kemenkeu_ri", "approver@kemenkeu_ri"]

[accounts.kemenkeu_ri]
platform = "x"
handle = "@KemenkeuRI"
two_factor = "totp"
recovery_email = "socmed@kemenkeu.go.id"
approvers = ["budi"]

[accounts.djp_ig]
platform = "instagram"
two_factor = "sms"
recovery_email = "djp.socmed@gmail.com"
recovery_phone = "0812-1111-2222"
"""


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    _add_commands()
    config = tmp_path / "smguard.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SMGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SMGUARD_SECRET_KEY", KEY)
    monkeypatch.setenv("SMGUARD_CONFIG", str(config))
    monkeypatch.setenv("SMGUARD_DISABLE_PLUGINS", "toxicity")
    monkeypatch.setenv("SMGUARD_ACTOR", "security-officer")
    clock = Clock(T0)
    monkeypatch.setattr(security_clock, "utcnow", clock)
    return {"clock": clock, "tmp": tmp_path, "outputs": []}


def smg(env: dict[str, Any], *args: str, input: str | None = None, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    env["outputs"].append(result.output)
    assert result.exit_code == code, (args, result.exit_code, result.output)
    return result


def totp_now(env: dict[str, Any], seed: str, steps: int = 0) -> str:
    return pyotp.TOTP(seed).at(env["clock"].now + steps * STEP)


def enrol(env: dict[str, Any], name: str) -> str:
    out = smg(env, "2fa", "enroll", name, "--no-qr").output
    uri = next(line for line in out.splitlines() if line.startswith("otpauth://"))
    seed = seed_of(uri)
    done = smg(env, "2fa", "activate", name, totp_now(env, seed)).output
    assert "Two-factor authentication is active" in done and done.count(". ") >= 4
    env["clock"].now += STEP
    return seed


def test_enrol_vault_approve_and_audit_end_to_end(env: dict[str, Any]) -> None:
    listing = smg(env, "admins", "list").output
    assert "approver@kemenkeu_ri" in listing and "ayu" in listing

    # Enrolment: QR in the terminal and as a PNG (mode 0600); activation by the first code.
    png = env["tmp"] / "ayu.png"
    out = smg(env, "2fa", "enroll", "ayu", "--png", str(png)).output
    assert "▀" in out or "█" in out  # the terminal QR code
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stat.S_IMODE(png.stat().st_mode) == 0o600
    ayu = seed_of(next(line for line in out.splitlines() if line.startswith("otpauth://")))
    activated = smg(env, "2fa", "activate", "ayu", totp_now(env, ayu)).output
    backup_codes = [line.split(". ")[1] for line in activated.splitlines() if ". " in line[:6]]
    assert len(backup_codes) == 4
    env["clock"].now += STEP
    budi = enrol(env, "budi")
    citra = enrol(env, "citra")
    seeds = [ayu, budi, citra, PLATFORM_SEED]
    outputs_after_enrolment = len(env["outputs"])

    # The vault: the seed from standard input, never an argument.
    typed = smg(env, "vault", "add", "kemenkeu_ri", PLATFORM_SEED, "--as", "ayu", code=3)
    assert "never put a seed on the command line" in typed.output
    added = smg(
        env,
        "vault",
        "add",
        "kemenkeu_ri",
        "--as",
        "ayu",
        "--code",
        totp_now(env, ayu),
        input=PLATFORM_SEED + "\n",
    ).output
    assert "stored encrypted" in added
    issued = json.loads(
        smg(
            env,
            "vault",
            "code",
            "kemenkeu_ri",
            "--as",
            "citra",
            "--code",
            totp_now(env, citra),
            "--format",
            "json",
        ).output
    )
    assert issued["code"] == pyotp.TOTP(PLATFORM_SEED).at(env["clock"].now)
    refused = smg(
        env, "vault", "code", "kemenkeu_ri", "--as", "budi", "--code", totp_now(env, budi), code=3
    )
    assert "does not hold the owner or author role" in refused.output
    log = json.loads(
        smg(env, "vault", "log", "kemenkeu_ri", "--since", "1h", "--format", "json").output
    )
    assert [entry["admin"] for entry in log] == ["citra"]

    # A held check, recorded by its author, approved by someone else.
    checked = smg(
        env,
        "check",
        "--record",
        "--author",
        "citra",
        "--account",
        "kemenkeu_ri",
        "--format",
        "json",
        "Info lengkap: bit.ly/abc123",
        code=1,
    )
    verdict = json.loads(checked.output)
    assert verdict["decision"] == "review"
    check_id = verdict["check_id"]
    env["clock"].now += STEP
    own = smg(env, "approve", check_id, "--as", "citra", "--code", totp_now(env, citra), code=3)
    assert "wrote this post and cannot approve it" in own.output
    own_id = smg(
        env,
        "--lang",
        "id",
        "approve",
        check_id,
        "--as",
        "citra",
        "--code",
        totp_now(env, citra, 1),
        code=3,
    )
    assert "tidak dapat menyetujuinya" in own_id.output
    approved = json.loads(
        smg(
            env,
            "approve",
            check_id,
            "--as",
            "budi",
            "--code",
            totp_now(env, budi),
            "--format",
            "json",
        ).output
    )
    assert approved["approved_by"] == "budi" and approved["check_id"] == check_id
    replay = smg(env, "approve", check_id, "--as", "budi", "--code", totp_now(env, budi), code=3)
    assert "already approved by budi" in replay.output

    # A mixed inventory: an account without 2FA, a departed admin whose phone recovers djp_ig.
    smg(env, "accounts", "add", "legacy_fb", "--platform", "facebook", "--two-factor", "none")
    departed = smg(env, "admins", "remove", "budi").output
    assert "recovery phone of djp_ig" in departed and "approver @ kemenkeu_ri" in departed
    env["clock"].now += timedelta(days=1)
    report = json.loads(smg(env, "audit", "2fa", "--format", "json", code=2).output)
    found = {(f["code"], f["subject"]) for f in report["findings"]}
    assert {
        ("SMG-2FA-001", "account:legacy_fb"),
        ("SMG-2FA-002", "account:djp_ig"),
        ("SMG-2FA-007", "account:djp_ig"),
        ("SMG-2FA-020", "admin:budi"),  # smguard.toml still makes budi an approver
        ("SMG-2FA-022", "account:djp_ig"),
        ("SMG-2FA-024", "admin:budi"),
    } <= found
    assert ("SMG-2FA-004", "account:kemenkeu_ri") not in found  # the seed is in the vault
    assert report["exit_code"] == 2 and report["summary"]["critical"] == 3
    assert len(report["incidents"]) == 3
    finding = next(f for f in report["findings"] if f["code"] == "SMG-2FA-001")
    assert finding["severity"] == "critical" and finding["account"] == "legacy_fb"
    assert "2FA" in finding["remediation"]["en"] and "Aktifkan" in finding["remediation"]["id"]

    table = smg(env, "audit", "2fa", code=2).output
    assert "CRITICAL" in table and "SMG-2FA-001" in table and "fix:" in table
    assert "KRITIS" in smg(env, "--lang", "id", "audit", "2fa", code=2).output
    again = json.loads(smg(env, "audit", "2fa", "--format", "json", code=2).output)
    assert sorted(again["incidents"]) == sorted(report["incidents"])  # deduplicated

    # What people can read afterwards never holds a seed.
    for args in (
        ["2fa", "status"],
        ["admins", "show", "ayu", "--format", "json"],
        ["vault", "list", "--format", "json"],
        ["accounts", "list"],
        ["audit", "log", "--format", "json"],
        ["keys", "status"],
    ):
        smg(env, *args)
    keys = json.loads(smg(env, "keys", "status", "--format", "json").output)
    assert sum(keys["secrets_per_key"].values()) == 3  # ayu, citra, the vault (budi departed)
    for output in env["outputs"][outputs_after_enrolment:]:
        for seed in seeds:
            assert seed not in output and seed.lower() not in output


def test_keys_rotate_on_the_command_line(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ayu = enrol(env, "ayu")
    smg(
        env,
        "vault",
        "add",
        "djp_ig",
        "--as",
        "ayu",
        "--code",
        totp_now(env, ayu),
        input=PLATFORM_SEED + "\n",
    )
    new_key = smg(env, "keys", "generate").output.strip().splitlines()[-1]
    refused = smg(env, "keys", "rotate", code=3)
    assert "SMGUARD_OLD_SECRET_KEYS" in refused.output
    monkeypatch.setenv("SMGUARD_SECRET_KEY", new_key)
    monkeypatch.setenv("SMGUARD_OLD_SECRET_KEYS", KEY)
    assert "Re-encrypted 2 secret(s)" in smg(env, "keys", "rotate").output
    monkeypatch.delenv("SMGUARD_OLD_SECRET_KEYS")
    env["clock"].now += STEP
    issued = json.loads(
        smg(
            env,
            "vault",
            "code",
            "djp_ig",
            "--as",
            "ayu",
            "--code",
            totp_now(env, ayu),
            "--format",
            "json",
        ).output
    )
    assert issued["code"] == pyotp.TOTP(PLATFORM_SEED).at(env["clock"].now)


def test_problems_are_one_line_in_the_users_language(env: dict[str, Any]) -> None:
    out = smg(env, "--lang", "id", "2fa", "activate", "ayu", "123456", code=3).output
    assert out.strip().startswith("Error:") and "\n" not in out.strip()
    assert "tidak punya pendaftaran" in out
    out = smg(env, "vault", "code", "nope", "--as", "ayu", "--code", "123456", code=3).output
    assert "no seed for nope in the vault" in out
    out = smg(env, "accounts", "set", "djp_ig", "--two-factor", "totp", code=3).output
    assert "accounts.djp_ig.two_factor is set in smguard.toml" in out


def test_keys_rotate_with_a_key_file(env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = env["tmp"] / "keys" / "secret.key"
    monkeypatch.delenv("SMGUARD_SECRET_KEY")
    monkeypatch.setenv("SMGUARD_KEY_FILE", str(key_file))
    assert "smguard keys init" in smg(env, "2fa", "enroll", "ayu", code=3).output
    created = smg(env, "keys", "init", "--as", "ayu").output
    assert f"Created the key file {key_file}" in created and "Back it up" in created
    assert "already exists" in smg(env, "keys", "init", code=3).output
    ayu = enrol(env, "ayu")
    before = key_file.read_text()
    assert "Re-encrypted 1 secret(s)" in smg(env, "keys", "rotate", "--as", "ayu").output
    after = key_file.read_text()
    assert after != before and len([ln for ln in after.splitlines() if ln[:1] != "#"]) == 1
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    smg(env, "2fa", "verify", "ayu", totp_now(env, ayu))
    key_file.unlink()
    again = smg(env, "2fa", "verify", "ayu", totp_now(env, ayu, 1), code=3).output
    assert "restore that file from a backup" in again
    refused = smg(env, "keys", "init", code=3).output
    assert "refusing to create a new key" in refused and not key_file.exists()


def as_json(env: dict[str, Any], *args: str, input: str | None = None) -> Any:
    result = smg(env, *args, "--format", "json", input=input)
    return json.loads(result.stdout)


def test_security_commands_speak_json(env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    added = as_json(env, "admins", "add", "dewi", "--email", "dewi@kemenkeu.go.id")
    assert added["name"] == "dewi" and added["email"] == "dewi@kemenkeu.go.id"
    assert added["status"] == "active" and added["two_factor"] == "none"
    changed = as_json(env, "admins", "set", "dewi", "--phone", "+62 811 0000 1111")
    assert changed["phone"] == "+6281100001111"  # stored normalised
    granted = as_json(env, "admins", "grant", "dewi", "author", "--account", "kemenkeu_ri")
    assert granted == {"name": "dewi", "role": "author", "account": "kemenkeu_ri", "changed": True}
    assert (
        as_json(env, "admins", "grant", "dewi", "author", "--account", "kemenkeu_ri")["changed"]
        is False
    )
    revoked = as_json(env, "admins", "revoke", "dewi", "author", "--account", "kemenkeu_ri")
    assert revoked["changed"] is True

    account = as_json(env, "accounts", "add", "kemenkeu_tt", "--platform", "tiktok")
    assert account["name"] == "kemenkeu_tt" and account["platform"] == "tiktok"
    assert as_json(env, "accounts", "set", "kemenkeu_tt", "--handle", "@kemenkeu")["handle"] == (
        "@kemenkeu"
    )
    removed = as_json(env, "accounts", "remove", "kemenkeu_tt", "--yes")
    assert removed == {"name": "kemenkeu_tt", "removed": True}

    out = smg(env, "2fa", "enroll", "dewi", "--no-qr").output
    dewi = seed_of(next(line for line in out.splitlines() if line.startswith("otpauth://")))
    activated = as_json(env, "2fa", "activate", "dewi", totp_now(env, dewi))
    assert activated["admin"] == "dewi" and len(activated["backup_codes"]) == 4
    env["clock"].now += STEP
    assert as_json(env, "2fa", "verify", "dewi", totp_now(env, dewi))["method"] == "totp"
    env["clock"].now += STEP
    fresh = as_json(env, "2fa", "backup-codes", "dewi", "--code", totp_now(env, dewi))
    assert len(fresh["backup_codes"]) == 4 and set(fresh["backup_codes"]) != set(
        activated["backup_codes"]
    )

    ayu = enrol(env, "ayu")
    seed_file = env["tmp"] / "seed.txt"
    seed_file.write_text(PLATFORM_SEED, encoding="utf-8")
    stored = as_json(env, "vault", "add", "djp_ig", "--as", "ayu", "--code", totp_now(env, ayu),
                     "--file", str(seed_file))  # fmt: skip
    assert stored == {"account": "djp_ig", "added_by": "ayu", "replaced": False}
    env["clock"].now += STEP
    gone = as_json(env, "vault", "remove", "djp_ig", "--as", "ayu", "--code", totp_now(env, ayu))
    assert gone == {"account": "djp_ig", "removed": True, "removed_by": "ayu"}
    env["clock"].now += STEP
    old = smg(env, "vault", "add", "djp_ig", "--as", "ayu", "--code", totp_now(env, ayu),
              "--from-file", str(seed_file))  # fmt: skip
    assert "stored encrypted" in old.stdout
    assert "`cli vault add --from-file` is deprecated" in old.stderr and "--file`" in old.stderr

    left = as_json(env, "admins", "remove", "dewi")
    assert left["admin"] == "dewi" and left["had_totp"] is True and left["again"] is False
    again = smg(env, "admins", "depart", "dewi")
    assert "dewi had already departed" in again.stdout
    assert "`cli admins depart` is deprecated" in again.stderr
    assert "use `cli admins remove`" in again.stderr
    back = as_json(env, "admins", "reactivate", "dewi")
    assert back["name"] == "dewi" and back["status"] == "active"

    new_key = smg(env, "keys", "generate").stdout.strip()
    monkeypatch.setenv("SMGUARD_SECRET_KEY", new_key)
    monkeypatch.setenv("SMGUARD_OLD_SECRET_KEYS", KEY)
    rotated = as_json(env, "keys", "rotate")
    assert rotated["reencrypted"] == 2  # ayu's TOTP and the vault seed (dewi's went with her)
    assert rotated["source"] == "SMGUARD_SECRET_KEY"
    assert rotated["new_key"] not in rotated["old_keys"]
