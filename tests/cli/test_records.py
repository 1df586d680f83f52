"""The records commands end to end, as an admin or a cron job would run them:
`check --record`, `incidents`, `clarify`, `audit`, `db` — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from smguard.cli.main import _add_commands, cli
from tests.support.guards import write_pack

PACK = """
languages: ['*']
rules:
  - id: SMG-XX-T-001
    name: insult
    category: harassment
    severity: high
    message: {en: "Insult", id: "Hinaan"}
    why: {en: "It offends"}
    suggestion: {en: "Remove the insult", id: "Hapus hinaan"}
    match: {terms: [goblok, idiot]}
"""
CONFIG = """
[rules]
paths = ["packs"]

[clarify]
organisation = "Kementerian Contoh"
contact = "DM resmi @KemContoh"

[clarify.accounts.kem_x]
handle = "@KemContoh"
"""
DEAD = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"


def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str):  # type: ignore[no-untyped-def]
    """Run the CLI in a folder with a smguard.toml, against the database at ``db_url``."""
    _add_commands()
    write_pack(tmp_path / "packs", "p.yaml", PACK)
    (tmp_path / "smguard.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "policy")
    monkeypatch.setenv("SMGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SMGUARD_ACTOR", "ani")

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input)

    return invoke


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str):  # type: ignore[no-untyped-def]
    return runner(tmp_path, monkeypatch, db_url)


def blocked_incident(run) -> int:  # type: ignore[no-untyped-def]
    result = run("check", "--record", "--author", "budi", "--account", "kem_x", "--format",
                 "json", "Dasar goblok")  # fmt: skip
    assert result.exit_code == 2, result.output
    out = json.loads(result.output)
    assert out["decision"] == "block" and len(out["check_id"]) == 36
    return int(out["incident_id"])


def test_check_record_and_the_incident_it_opens(run) -> None:  # type: ignore[no-untyped-def]
    number = blocked_incident(run)
    again = run("check", "--record", "--account", "kem_x", "Dasar goblok")
    assert again.exit_code == 2
    assert (
        "Recorded as check" in again.output and f"seen again in incident #{number}" in again.output
    )
    allowed = run("check", "--record", "--format", "json", "Terima kasih")
    assert allowed.exit_code == 0 and "incident_id" not in json.loads(allowed.output)
    assert "check_id" not in json.loads(run("check", "--format", "json", "Halo").output)

    listed = run("incidents", "list")
    assert listed.exit_code == 0
    assert f"{number}  open" in listed.output and "blocked_post" in listed.output
    assert "(seen 2×)" in listed.output
    rows = json.loads(run("incidents", "list", "--format", "json").output)
    assert [(r["id"], r["sightings"], r["account"]) for r in rows] == [(number, 2, "kem_x")]

    shown = run("incidents", "show", str(number))
    assert shown.exit_code == 0
    for part in ("Incident #", "Severity:", "high", "the guard stopped a post", "Evidence",
                 "check_id:", "SMG-XX-T-001", "Timeline", "opened", "sighting",
                 "smguard incidents ack"):  # fmt: skip
        assert part in shown.output, part
    assert "goblok" not in shown.output  # the check log keeps no text by default
    assert (
        json.loads(run("incidents", "show", str(number), "--format", "json").output)["id"] == number
    )


def test_working_an_incident(run) -> None:  # type: ignore[no-untyped-def]
    number = str(blocked_incident(run))
    acked = run("incidents", "ack", number)
    assert acked.exit_code == 0 and f"Incident #{number} acknowledged by ani" in acked.output
    twice = run("incidents", "ack", number, "--as", "budi")
    assert twice.exit_code == 3
    assert f"Error: incident #{number} was already acknowledged by ani" in twice.output
    assert "Traceback" not in twice.output
    in_id = run("--lang", "id", "incidents", "ack", number)
    assert in_id.exit_code == 3 and "sudah ditangani oleh ani" in in_id.output
    assert run("incidents", "note", number, "Author reminded", "--as", "budi").exit_code == 0
    assert run("incidents", "resolve", number).exit_code == 3  # --reason is required
    done = run("incidents", "resolve", number, "--reason", "Never published", "--as", "dewi")
    assert done.exit_code == 0 and "resolved by dewi" in done.output
    assert run("incidents", "resolve", number, "--reason", "again").exit_code == 3
    assert run("incidents", "show", "999").exit_code == 3

    listed = run("incidents", "list")
    assert (
        "No incidents match." in listed.output
        and "1 resolved incident(s) not shown" in listed.output
    )
    assert number in run("incidents", "list", "--all").output
    shown = run("incidents", "show", number).output
    for part in ("acknowledged", "Author reminded", "budi", "Never published", "dewi"):
        assert part in shown, part


def test_list_filters(run) -> None:  # type: ignore[no-untyped-def]
    number = blocked_incident(run)

    def ids(*args: str) -> list[int]:
        result = run("incidents", "list", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return [r["id"] for r in json.loads(result.output)]

    assert ids("--severity", "high") == [number]
    assert ids("--severity", "critical") == []
    assert ids("--account", "kem_x") == [number] and ids("--account", "other") == []
    assert ids("--kind", "blocked_post") == [number] and ids("--kind", "suspicious_login") == []
    assert ids("--since", "24h") == [number] and ids("--since", "2999-01-01") == []
    assert ids("--status", "acknowledged") == []
    bad = run("incidents", "list", "--since", "last week")
    assert bad.exit_code == 3 and "--since: 'last week' is not a time" in bad.output


def test_export_json_and_csv(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    number = blocked_incident(run)
    run("incidents", "note", str(number), 'Zeile mit, Komma und "Anführung"')
    as_json = run("incidents", "export", "--format", "json")
    assert as_json.exit_code == 0
    (exported,) = json.loads(as_json.output)
    assert exported["id"] == number and [n["kind"] for n in exported["notes"]] == ["opened", "note"]

    target = tmp_path / "out.csv"
    as_csv = run("incidents", "export", "--format", "csv", "--output", str(target))
    assert as_csv.exit_code == 0 and "1 incident(s) written to" in as_csv.output
    (row,) = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert row["id"] == str(number) and row["status"] == "open" and row["account"] == "kem_x"
    assert json.loads(row["evidence"])["findings"][0]["rule"] == "SMG-XX-T-001"
    assert (
        run("incidents", "export", "--format", "csv", "--status", "resolved").output.count("\n")
        == 1
    )  # the header only


def test_clarification_from_draft_to_publication(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    number = str(blocked_incident(run))
    drafted_id = run("clarify", "draft", number, "--lang", "id")
    assert drafted_id.exit_code == 0, drafted_id.output
    assert "[KLARIFIKASI]" in drafted_id.output and "@KemContoh" in drafted_id.output
    assert "OK — passes the guard" in drafted_id.output
    drafted = run("clarify", "draft", number, "--lang", "en")
    assert "[CLARIFICATION]" in drafted.output and "Clarification #2" in drafted.output

    bad = tmp_path / "bad.txt"
    bad.write_text(
        "Only an idiot would click that link. Ask DM resmi @KemContoh.", encoding="utf-8"
    )
    edited = run("clarify", "edit", "2", "--file", str(bad), "--as", "budi")
    assert edited.exit_code == 0 and "version 2 saved" in edited.output
    assert "BLOCKED" in edited.output and "SMG-XX-T-001" in edited.output
    refused = run("clarify", "approve", "2", "--as", "dewi")
    assert refused.exit_code == 3
    assert "cannot be approved: the guard blocked version 2" in refused.output
    assert "SMG-XX-T-001 [harassment] Insult" in refused.output
    assert run("clarify", "approve", "2").exit_code == 3  # --as is required
    assert run("clarify", "approve", "2", "--as", " ").exit_code == 3

    good = tmp_path / "good.txt"
    good.write_text("We removed the post. Please ignore it. Ask DM resmi @KemContoh.",
                    encoding="utf-8")  # fmt: skip
    assert "OK — passes the guard" in run("clarify", "edit", "2", "--file", str(good)).output
    approved = run("clarify", "approve", "2", "--as", "dewi")
    assert approved.exit_code == 0 and "approved by dewi" in approved.output
    when = "2026-06-01T10:00:00+07:00"
    ref = "https://x.com/KemContoh/status/9"
    published = run("clarify", "publish", "2", "--platform", "x", "--at", when, "--ref", ref)
    assert published.exit_code == 0, published.output
    assert "2026-06-01 10:00 WIB" in published.output and "ledger" in published.output

    listed = run("clarify", "list")
    assert "published" in listed.output and "https://x.com/KemContoh/status/9" in listed.output
    shown = run("clarify", "show", "2")
    for part in ("Version 1", "Version 2", "Version 3", "BLOCKED", "Only an idiot",
                 "We removed the post", "dewi"):  # fmt: skip
        assert part in shown.output, part
    versions = json.loads(run("clarify", "show", "2", "--format", "json").output)["versions"]
    assert [v["decision"] for v in versions] == ["allow", "block", "allow"]
    again = run("clarify", "publish", "2", "--platform", "x", "--ref", "1")
    assert again.exit_code == 3 and "is published" in again.output


def test_clarification_edited_in_the_editor(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import click

    number = str(blocked_incident(run))
    run("clarify", "draft", number, "--lang", "en")
    seen: list[str] = []

    def fake_edit(text: str, **_: object) -> str:
        seen.append(text)
        return text.replace("[CLARIFICATION]", "[UPDATE]")

    monkeypatch.setattr(click, "edit", fake_edit)
    result = run("clarify", "edit", "1")
    assert result.exit_code == 0 and "version 2 saved" in result.output
    assert seen[0].startswith("[CLARIFICATION]")
    monkeypatch.setattr(click, "edit", lambda text, **_: None)  # closed without saving
    assert "No changes" in run("clarify", "edit", "1").output


def test_audit_verify_and_log(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    number = str(blocked_incident(run))
    run("incidents", "ack", number)
    ok = run("audit", "verify")
    assert ok.exit_code == 0 and ok.output.strip() == "Audit log intact: 3 events"
    assert run("--lang", "id", "audit", "verify").output.strip() == "Log audit utuh: 3 peristiwa"

    lines = run("audit", "log", "--format", "json").output.splitlines()
    assert [json.loads(x)["action"] for x in lines] == [
        "check.recorded", "incident.opened", "incident.acknowledged",
    ]  # fmt: skip
    family = run("audit", "log", "--action", "incident", "--format", "json").output.splitlines()
    assert len(family) == 2
    readable = run("audit", "log", "--since", "1h", "--limit", "1").output
    assert "incident.acknowledged" in readable and "check.recorded" not in readable

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
    engine.dispose()
    broken = run("audit", "verify")
    assert broken.exit_code == 2
    assert (
        "event #2 (incident.opened" in broken.output
        and "changed after it was written" in broken.output
    )
    in_id = run("--lang", "id", "audit", "verify")
    assert in_id.exit_code == 2 and "peristiwa #2 (incident.opened" in in_id.output


def test_db_commands(run) -> None:  # type: ignore[no-untyped-def]
    upgraded = run("db", "upgrade")
    assert upgraded.exit_code == 0 and "is up to date (revision" in upgraded.output
    current = run("db", "status")
    assert current.exit_code == 0 and "(latest)" in current.output


def test_acts_print_the_record_as_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    number = blocked_incident(run)
    acked = run("incidents", "ack", str(number), "--as", "budi", "--format", "json")
    assert acked.exit_code == 0, acked.output
    incident = json.loads(acked.stdout)
    assert (incident["id"], incident["status"], incident["acknowledged_by"]) == (
        number, "acknowledged", "budi",
    )  # fmt: skip
    noted = json.loads(run("incidents", "note", str(number), "Called the author", "--format",
                           "json").stdout)  # fmt: skip
    assert noted["notes"][-1]["text"] == "Called the author"

    drafted = run("clarify", "draft", str(number), "--lang", "en", "--format", "json")
    assert drafted.exit_code == 0, drafted.output
    draft = json.loads(drafted.stdout)
    assert draft["incident_id"] == number and draft["status"] == "draft"
    assert draft["versions"][0]["decision"] == "allow"
    assert draft["versions"][0]["text"].startswith("[CLARIFICATION]")
    good = tmp_path / "good.txt"
    good.write_text("We removed the post. Ask DM resmi @KemContoh.", encoding="utf-8")
    edited = json.loads(run("clarify", "edit", str(draft["id"]), "--file", str(good), "--format",
                            "json").stdout)  # fmt: skip
    assert edited["saved"] is True and edited["approval_withdrawn"] is False
    assert [v["version"] for v in edited["versions"]] == [1, 2]
    approved = json.loads(run("clarify", "approve", str(draft["id"]), "--as", "dewi", "--format",
                              "json").stdout)  # fmt: skip
    assert approved["status"] == "approved" and approved["approved_by"] == "dewi"
    published = run("clarify", "publish", str(draft["id"]), "--platform", "x", "--ref", "9",
                    "--format", "json")  # fmt: skip
    assert published.exit_code == 0, published.output
    out = json.loads(published.stdout)
    assert out["status"] == "published" and out["published_ref"] == "9"
    assert out["account"] == "kem_x"  # the ledger the text names

    resolved = run("incidents", "resolve", str(number), "--reason", "Done", "--format", "json")
    assert json.loads(resolved.stdout)["status"] == "resolved"
    refused = run("incidents", "resolve", str(number), "--reason", "again", "--format", "json")
    assert refused.exit_code == 3 and refused.stdout == ""
    assert refused.stderr.startswith("Error: ")


def test_audit_verify_as_json(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    blocked_incident(run)
    ok = run("audit", "verify", "--format", "json")
    assert ok.exit_code == 0
    assert json.loads(ok.stdout) == {"ok": True, "checked": 2, "problem": None, "seq": None}
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
    engine.dispose()
    broken = run("audit", "verify", "--format", "json")
    assert broken.exit_code == 2
    report = json.loads(broken.stdout)
    assert report["ok"] is False and report["checked"] == 1 and report["seq"] == 2
    assert "event #2 (incident.opened" in report["problem"]


def test_db_status_as_json_and_its_old_name(run) -> None:  # type: ignore[no-untyped-def]
    upgraded = json.loads(run("db", "upgrade", "--format", "json").stdout)
    assert upgraded["up_to_date"] is True and upgraded["revision"]
    status = run("db", "status", "--format", "json")
    assert status.exit_code == 0
    assert json.loads(status.stdout) == {
        "url": upgraded["url"], "revision": upgraded["revision"], "head": upgraded["revision"],
        "up_to_date": True,
    }  # fmt: skip
    old = run("db", "current")
    assert old.exit_code == 0 and "(latest)" in old.stdout
    assert "`cli db current` is deprecated" in old.stderr and "use `cli db status`" in old.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("incidents", "list"),
        ("incidents", "ack", "1"),
        ("clarify", "list"),
        ("audit", "verify"),
        ("audit", "log"),
        ("db", "status"),
        ("db", "upgrade"),
        ("check", "--record", "Halo"),
    ],
)
def test_a_dead_database_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    result = runner(tmp_path, monkeypatch, DEAD)(*args)
    assert result.exit_code == 3, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot ")
    assert "127.0.0.1:1/nowhere" in lines[0] and "Traceback" not in result.output


def test_audit_checkpoints_catch_a_rewritten_chain(  # type: ignore[no-untyped-def]
    run, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smguard.records.db import Database
    from tests.records.test_audit import _rewrite_whole_chain

    monkeypatch.setenv("SMGUARD_AUDIT_KEY", "a2V5LWtleS1rZXkta2V5LWtleS1rZXktMzItYnl0ZXM=")
    blocked_incident(run)
    kept = tmp_path / "outside" / "checkpoints.jsonl"
    kept.parent.mkdir()
    written = run("audit", "checkpoint", "--file", str(kept))
    assert written.exit_code == 0 and "Checkpoint of event #2 appended" in written.output
    assert json.loads(kept.read_text())["mac"]
    assert run("audit", "verify", "--checkpoints", str(kept)).exit_code == 0
    database = Database(db_url)
    _rewrite_whole_chain(database, 1, "forged")
    database.dispose()
    assert run("audit", "verify").exit_code == 0  # the chain alone cannot tell
    caught = run("audit", "verify", "--checkpoints", str(kept))
    assert caught.exit_code == 2 and "the chain was rewritten" in caught.output
    in_id = run("--lang", "id", "audit", "verify", "--checkpoints", str(kept))
    assert in_id.exit_code == 2 and "rantai ditulis ulang" in in_id.output
    # The attacker replaces the checkpoint file too: without the key its lines are not signed.
    monkeypatch.delenv("SMGUARD_AUDIT_KEY")
    kept.write_text(run("audit", "checkpoint").output)
    monkeypatch.setenv("SMGUARD_AUDIT_KEY", "a2V5LWtleS1rZXkta2V5LWtleS1rZXktMzItYnl0ZXM=")
    forged = run("audit", "verify", "--checkpoints", str(kept))
    assert forged.exit_code == 2 and "checkpoint file was altered" in forged.output
    assert run("audit", "verify", "--checkpoints", str(tmp_path / "none")).exit_code == 3
