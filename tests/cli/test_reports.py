"""``smguard demo``, ``report`` and ``calendar`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from smguard.cli.main import cli


def invoke(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {"SMGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    result = CliRunner().invoke(cli, ["--color", "never", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_demo_then_the_weekly_report(tmp_path: Path) -> None:
    code, out, _ = invoke(tmp_path, "demo")
    assert code == 0 and out.startswith("DEMO DATA written to sqlite:///")
    code, out, _ = invoke(tmp_path, "demo")
    assert code == 3  # never mixed into a database that holds records
    code, out, _ = invoke(tmp_path, "report")
    assert code == 0
    assert out.startswith("Weekly report — all accounts — week ")
    assert "*** DEMO DATA" in out and "demo_kemcontoh: Post at 19:00" in out
    code, out, _ = invoke(
        tmp_path, "report", "--period", "month", "--account", "demo_kemcontoh", "--format", "json"
    )
    data = json.loads(out)
    assert data["demo"] is True and data["accounts"] == ["demo_kemcontoh"]
    assert data["period"]["kind"] == "month" and data["prime_time"][0]["status"] == "recommended"
    code, out, _ = invoke(
        tmp_path, "--lang", "id", "report", "--format", "html", "-o", str(tmp_path / "laporan.html")
    )
    assert code == 0 and out.startswith("Ditulis ke")
    page = (tmp_path / "laporan.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="id">' in page
    assert "Laporan mingguan" in page and "http://" not in page.split("<script>")[0]
    code, out, _ = invoke(tmp_path, "audit", "log", "--action", "report")
    assert code == 0 and out.count("report.made") == 3


def test_report_send_without_sinks_says_so(tmp_path: Path) -> None:
    invoke(tmp_path, "demo")
    code, _, err = invoke(tmp_path, "report", "--send")
    assert code == 1 and "No alert sink receives reports" in err


def test_report_of_a_bad_period_is_one_error_line(tmp_path: Path) -> None:
    code, _, err = invoke(tmp_path, "report", "--of", "last tuesday")
    assert code == 3 and err.startswith("Error: --of: 'last tuesday' is not a date")


def test_calendar_upcoming_and_ics(tmp_path: Path) -> None:
    code, out, _ = invoke(tmp_path, "calendar", "--from", "2026-08-10", "--upcoming", "14d")
    assert code == 0
    assert "Mon 2026-08-17  Independence Day — holiday, greeting expected" in out
    assert "draft: Happy 81st Independence Day, Indonesia!" in out
    code, out, _ = invoke(
        tmp_path, "--lang", "id", "calendar", "--year", "2026", "--format", "json"
    )
    days = json.loads(out)["days"]
    g30s = next(d for d in days if d["key"] == "g30s")
    assert g30s["kind"] == "restraint" and g30s["name"] == "Hari Peringatan Peristiwa G30S"
    assert all(d["draft_check"][lang]["decision"] == "allow" for d in days for lang in d["draft"])
    code, out, _ = invoke(
        tmp_path, "calendar", "--year", "2027", "--ics", str(tmp_path / "2027.ics"), "--no-check"
    )
    assert code == 0 and out.startswith("Wrote 4")
    assert (tmp_path / "2027.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
