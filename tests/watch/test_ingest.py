"""`smguard ingest`: exports in, each event stored once, all or nothing — SQLite and PostgreSQL."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from smguard.cli.main import _add_commands, cli
from smguard.records.db import Database
from smguard.records.tables import ActivityEventRow, AuditEvent
from smguard.types import ActivityEvent
from smguard.watch import pipeline

EXPORTS = Path(__file__).parents[1] / "data" / "exports"


@dataclass
class Detection:
    incident_id: int
    created: bool
    kind: str
    severity: str
    detector: str


@dataclass
class FakeDetectors:
    """Stands in for the detection pipeline: records the events it gets, reports one incident."""

    calls: list[list[str]] = field(default_factory=list)

    def __call__(self, store: Any, events: Sequence[ActivityEvent], **kw: Any) -> list[Any]:
        self.calls.append([e.id for e in events])
        return [Detection(7, True, "unauthorized_post", "critical", "SMG-DET-001")]


@dataclass
class Run:
    db_url: str
    detectors: FakeDetectors

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["ingest", *args])

    def rows(self) -> list[tuple[str, str]]:
        database = Database(self.db_url)
        try:
            with database.session() as session:
                query = select(ActivityEventRow.account, ActivityEventRow.kind)
                return [tuple(r) for r in session.execute(query.order_by(ActivityEventRow.id))]  # type: ignore[misc]
        finally:
            database.dispose()

    def audit(self) -> list[tuple[str, dict[str, Any]]]:
        database = Database(self.db_url)
        try:
            with database.session() as session:
                query = select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.seq)
                return [(a, d) for a, d in session.execute(query)]
        finally:
            database.dispose()


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> Run:
    _add_commands()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "connectors,policy")
    monkeypatch.setenv("SMGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SMGUARD_ACTOR", "ani")
    (tmp_path / "smguard.toml").write_text(
        '[accounts.kem_x]\nplatform = "x"\n\n[accounts.kem_ig]\nplatform = "instagram"\n',
        encoding="utf-8",
    )
    fake = FakeDetectors()
    monkeypatch.setattr(pipeline, "_detector", lambda: fake)
    return Run(db_url, fake)


def zipped(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, file.relative_to(folder).as_posix())
    return target


def test_x_archive_folder_then_zip(run: Run, tmp_path: Path) -> None:
    first = run(str(EXPORTS / "x_archive"), "--account", "kem_x")
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0] == "Read 9 events from x_archive (x): 9 new, 0 already known."
    assert lines[1] == (
        "  new: 3 post_published, 2 login, 1 other, 1 app_authorised, 1 recovery_change, "
        "1 profile_change"
    )
    assert lines[2] == "  → incident #7 opened: critical unauthorized_post (SMG-DET-001)"
    assert len(run.detectors.calls) == 1 and len(run.detectors.calls[0]) == 9
    assert len(run.rows()) == 9

    again = run(str(zipped(EXPORTS / "x_archive", tmp_path / "twitter.zip")), "--account", "kem_x")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [
        "Read 9 events from twitter.zip (x): 0 new, 9 already known."
    ]
    assert len(run.detectors.calls) == 1  # the detectors see only new events
    assert len(run.rows()) == 9
    actions = [(a, d["format"], d["events"], d["new"]) for a, d in run.audit()]
    assert actions == [("activity.ingested", "x", 9, 9), ("activity.ingested", "x", 9, 0)]


def test_old_tweet_js(run: Run) -> None:
    result = run(str(EXPORTS / "x_old"), "--account", "kem_x")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Read 1 event from x_old (x): 1 new, 0 already known.")


def test_instagram_english_then_german_export_adds_nothing(run: Run) -> None:
    english = run(str(EXPORTS / "instagram_en"), "--account", "kem_ig")
    assert english.exit_code == 0, english.output
    assert "(instagram): 4 new, 0 already known." in english.output
    german = run(str(EXPORTS / "instagram_de"), "--account", "kem_ig")
    assert german.exit_code == 0, german.output
    assert "(instagram): 0 new, 4 already known." in german.output
    assert run.rows() == [("kem_ig", k) for k in ("login", "login", "logout", "password_change")]


def test_facebook_and_a_forced_format(run: Run) -> None:
    result = run(str(EXPORTS / "facebook_v2"), "--account", "kem_fb", "--from", "facebook")
    assert result.exit_code == 0, result.output
    assert "Read 5 events from facebook_v2 (facebook): 5 new" in result.output


def test_ingest_as_json_carries_the_report(run: Run) -> None:
    result = run(str(EXPORTS / "x_archive"), "--account", "kem_x", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["format"], report["total"], report["new"], report["known"]) == ("x", 9, 9, 0)
    assert report["path"].endswith("x_archive")
    assert report["new_kinds"] == {
        "post_published": 3, "login": 2, "other": 1, "app_authorised": 1, "recovery_change": 1,
        "profile_change": 1,
    }  # fmt: skip
    assert report["detections"] == [
        {"incident_id": 7, "opened": True, "severity": "critical", "kind": "unauthorized_post",
         "detector": "SMG-DET-001"},
    ]  # fmt: skip


def test_the_old_format_option_still_names_the_export(run: Run) -> None:
    result = run(str(EXPORTS / "facebook_v2"), "--account", "kem_fb", "--format", "facebook")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Read 5 events from facebook_v2 (facebook): 5 new")
    (notice,) = result.stderr.splitlines()
    assert "`cli ingest --format facebook` is deprecated" in notice
    assert "use `cli ingest --from facebook`" in notice
    both = run(str(EXPORTS / "facebook_v2"), "--from", "x", "--format", "facebook")
    assert both.exit_code == 3 and "give only --from" in both.stderr


def test_jsonl_feed_names_its_own_accounts(run: Run) -> None:
    result = run(str(EXPORTS / "feed.jsonl"))
    assert result.exit_code == 0, result.output
    assert "Read 3 events from feed.jsonl (jsonl): 3 new" in result.output
    assert {account for account, _ in run.rows()} == {"kem_cms"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [str(EXPORTS / "x_truncated"), "--account", "kem_x"],
            "x_truncated/data/tweets.js: not valid JSON at line 12, column 164: the file ends "
            "too early (truncated?)",
        ),
        (
            [str(EXPORTS / "feed_bad.jsonl")],
            "feed_bad.jsonl: line 2: 'at' needs a time zone, e.g. 2026-06-01T07:05:00+07:00 or "
            "2026-06-01T07:05:00Z (and 1 more bad line); nothing was ingested",
        ),
        ([str(EXPORTS / "x_archive")], "an X archive needs --account"),
        ([str(EXPORTS / "nowhere"), "--account", "kem_x"], "nowhere: no such file or folder"),
        (
            [str(EXPORTS / "instagram_en"), "--account", "kem_x", "--from", "tiktok"],
            "--from tiktok: unknown export format (one of auto, x, instagram, facebook, jsonl)",
        ),
        (
            [str(EXPORTS / "instagram_en"), "--account", "kem_x", "--from", "x"],
            "no X archive data files (data/tweets.js, …) found",
        ),
        ([str(EXPORTS), "--account", "kem_other"], "could be more than one format"),
        ([str(EXPORTS / "x_archive"), "--account", "kem x"], "'kem x' is not an account name"),
    ],
)
def test_a_bad_export_is_one_line_and_stores_nothing(
    run: Run, args: list[str], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 3, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ") and message in line, line
    assert run.rows() == []
    assert run.audit() == []
    assert run.detectors.calls == []


def test_unknown_files_are_not_guessed(run: Run, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    result = run(str(tmp_path / "notes.txt"), "--account", "kem_x")
    assert result.exit_code == 3
    assert "not an export smguard knows" in result.output and "--from" in result.output


def test_the_jsonl_feed_in_the_docs_ingests(run: Run, tmp_path: Path) -> None:
    """The example line in docs/watch.md is a valid feed line."""
    doc = (Path(__file__).parents[2] / "docs" / "watch.md").read_text(encoding="utf-8")
    block = doc.split("```jsonl\n", 1)[1].split("```", 1)[0]
    feed = tmp_path / "doc.jsonl"
    feed.write_text(block, encoding="utf-8")
    result = run(str(feed))
    assert result.exit_code == 0, result.output
    assert len(run.rows()) == len([x for x in block.splitlines() if x.strip()])
    assert all(json.loads(x) for x in block.splitlines() if x.strip())
    with Database(run.db_url).session() as session:
        assert session.scalar(select(func.count()).select_from(ActivityEventRow)) > 0


def test_an_account_js_without_created_at_is_a_warning(run: Run) -> None:
    result = run(str(EXPORTS / "x_archive_2024"), "--account", "kem_x")
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr and "account.js has no createdAt" in result.stderr
    assert "Read 5 events from x_archive_2024 (x): 5 new" in result.stdout
    as_json = run(str(EXPORTS / "x_archive_2024"), "--account", "kem_x", "--format", "json")
    (warning,) = json.loads(as_json.stdout)["warnings"]
    assert "createdAt" in warning


# -- hostile inputs (issue 12) -----------------------------------------------------------------


def test_a_zip_bomb_is_refused_within_the_limits(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a 2 MB zip drove ingest to gigabytes; members are now read within limits."""
    import resource

    from smguard.watch.connectors import ExportSource

    # A real bomb: ~200 MiB of zeros deflates to ~200 KiB; smguard must stop at its limit.
    bomb = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("data/tweets.js", "w", force_zip64=True) as member,
    ):
        block = b"\0" * (1 << 20)
        for _ in range(200):
            member.write(block)
    assert bomb.stat().st_size < 1 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run(str(bomb), "--account", "kem_x", "--from", "x")
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert result.exit_code == 3, result.output
    (line,) = result.output.strip().splitlines()
    assert "bomb.zip:data/tweets.js: larger than 32 MiB unpacked" in line, line
    assert grown_mib < 200, grown_mib
    assert run.rows() == []
    # The total limit: many members each under the per-member limit.
    monkeypatch.setattr(ExportSource, "max_member_bytes", 1 << 20)
    monkeypatch.setattr(ExportSource, "max_total_bytes", 3 << 20)
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n in range(5):
            body = b"window.YTD.tweets.part%d = [" % n + b" " * 900_000 + b"]"
            zf.writestr(f"data/tweets-part{n}.js", body)
    result = run(str(many), "--account", "kem_x", "--from", "x")
    assert result.exit_code == 3
    assert "unpacks to more than 3 MiB in all" in result.output, result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"[" * 50_000 + b"]" * 50_000, "nested deeper than 64 levels"),
        (b'{"id": ' + b"7" * 5_000 + b', "kind": "login"}', "integer of thousands of digits"),
        (b'{"id": "x\\ud800", "kind": "login"}', "lone surrogate"),
        (b'{"kind": "login", "kind": "post_published"}', "duplicate key 'kind'"),
        (b'{"kind": "login", "at": "0001-01-01T00:00:00+00:00", "account": "a"}', "year 1;"),
        (b'{"kind": "login", "at": "9999-12-31T23:59:59-05:00", "account": "a"}', "year 9999"),
    ],
)
def test_a_hostile_jsonl_line_is_one_clear_error(
    run: Run, tmp_path: Path, line: bytes, message: str
) -> None:
    good = (EXPORTS / "feed.jsonl").read_bytes()
    feed = tmp_path / "hostile.jsonl"
    feed.write_bytes(good + line + b"\n")
    result = run(str(feed))
    assert result.exit_code == 3, result.output
    (shown,) = result.output.strip().splitlines()
    assert message in shown and "line 5" in shown, shown
    assert "SQL" not in shown and "parameters" not in shown and len(shown) < 500
    assert run.rows() == []


@pytest.mark.parametrize(
    ("created", "message"),
    [("Mon Jan 01 00:00:00 +0000 0001", "year 1;"), ("Fri Dec 31 23:59:59 -0500 9999", "9999")],
)
def test_an_x_archive_with_an_out_of_range_date_is_an_input_error(
    run: Run, tmp_path: Path, created: str, message: str
) -> None:
    """Regression: the database's overflow error printed the SQL with other events' data."""
    import shutil

    folder = tmp_path / "x"
    shutil.copytree(EXPORTS / "x_archive", folder)
    tweets = folder / "data" / "tweets.js"
    text = tweets.read_text(encoding="utf-8")
    first = text.index('"created_at" : "') + len('"created_at" : "')
    end = text.index('"', first)
    tweets.write_text(text[:first] + created + text[end:], encoding="utf-8")
    result = run(str(folder), "--account", "kem_x")
    assert result.exit_code == 3, result.output
    assert message in result.output and "SQL" not in result.output, result.output
    assert run.rows() == []


def test_damage_after_good_records_stores_nothing(run: Run, tmp_path: Path) -> None:
    """Records are streamed to the connector before the end of a file is read: the export is
    still refused whole when its end is damaged."""
    import shutil

    shutil.copytree(EXPORTS / "x_archive", tmp_path / "x")
    tweets = tmp_path / "x" / "data" / "tweets.js"
    text = tweets.read_text("utf-8").rstrip()
    assert text.endswith("]")
    tweets.write_text(text[:-1] + ', {"tweet": {"id_str": "9", "id_str": "9"}} ]', "utf-8")
    result = run(str(tmp_path / "x"), "--account", "kem_x")
    assert result.exit_code == 3, result.output
    (line,) = result.output.strip().splitlines()
    assert "tweets.js: refused: duplicate key 'id_str'" in line, line
    assert run.rows() == []
