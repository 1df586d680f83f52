"""The generic JSONL activity feed: its schema, and one clear error per bad feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from smguard.plugins.connectors.jsonl import JsonlConnector, parse_line

from smguard.errors import InputError
from smguard.types import ActivityEvent
from smguard.watch.connectors import ExportError, ExportSource

EXPORTS = Path(__file__).parents[1] / "data" / "exports"


def read(path: Path, account: str | None = None) -> list[ActivityEvent]:
    with ExportSource.open(path) as source:
        assert JsonlConnector().recognises(source)
        return JsonlConnector().read(source, account, None)


def test_feed_lines_become_events() -> None:
    login, post, admin = read(EXPORTS / "feed.jsonl")
    assert login.id == "feed:kem_cms:evt-1"
    assert login.at == datetime(2026, 6, 1, 7, 0, tzinfo=timezone(timedelta(hours=7)))
    assert (login.kind, login.ip, login.device, login.actor, login.platform) == (
        "login", "203.0.113.9", "Chrome on Windows", "ayu", "cms",
    )  # fmt: skip
    assert post.links == ("https://kemcontoh.example/layanan",)
    assert post.text is not None and post.text.startswith("Selamat pagi!")
    assert admin.kind == "admin_added" and admin.raw == {"admin": "tamu"}
    assert admin.at == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    # No id on the line: a hash of the line, the same every time.
    assert admin.id.startswith("feed:kem_cms:h:")
    assert read(EXPORTS / "feed.jsonl")[2].id == admin.id


def test_one_bad_line_stops_the_feed_and_names_the_line() -> None:
    with pytest.raises(ExportError) as info:
        read(EXPORTS / "feed_bad.jsonl")
    assert str(info.value).endswith(
        "feed_bad.jsonl: line 2: 'at' needs a time zone, e.g. 2026-06-01T07:05:00+07:00 or "
        "2026-06-01T07:05:00Z (and 1 more bad line); nothing was ingested"
    )


def test_account_comes_from_the_line_or_the_option(tmp_path: Path) -> None:
    feed = tmp_path / "f.jsonl"
    feed.write_text('{"id": 7, "kind": "logout", "at": "2026-06-01T00:00:00Z"}\n', "utf-8")
    (event,) = read(feed, account="kem_x")
    assert (event.id, event.account, event.platform) == ("feed:kem_x:7", "kem_x", "other")
    with pytest.raises(ExportError, match=r"line 1: no 'account' on the line and no --account"):
        read(feed)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "not valid JSON at column 1: expecting value"),
        ("[1, 2]", "must be a JSON object"),
        (
            '{"kind": "login", "at": "2026-06-01T00:00:00Z", "acount": "x"}',
            "unknown field(s) acount",
        ),
        (
            '{"kind": "hacked", "at": "2026-06-01T00:00:00Z"}',
            "'kind' must be one of post_published",
        ),
        ('{"kind": "login"}', "'at' is required"),
        ('{"kind": "login", "at": "yesterday"}', "'at' is not an ISO 8601 time"),
        ('{"kind": "login", "at": "2026-06-01T00:00:00Z", "links": "x"}', "'links' must be a list"),
        ('{"kind": "login", "at": "2026-06-01T00:00:00Z", "latitude": 91}', "'latitude' must be"),
        ('{"kind": "login", "at": "2026-06-01T00:00:00Z", "ip": 5}', "'ip' must be a string"),
        ('{"kind": "login", "at": "2026-06-01T00:00:00Z", "raw": []}', "'raw' must be an object"),
    ],
)
def test_line_problems_are_explained(line: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        parse_line(line, account="kem_x", platform=None, source="jsonl:test")
    assert problem in str(info.value)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        # a field name of thousands of characters (found by the Hypothesis test of this reader)
        (json.dumps({"kind": "login", "9" * 5000: 1}), "unknown field(s) '99999"),
        # many unknown fields: five are named, the rest counted
        (json.dumps({f"extra{i}": 1 for i in range(40)}), "extra12, and 35 more"),
        # a time without a zone, padded with spaces: it parses, but the padding is not echoed
        (json.dumps({"kind": "login", "at": " " * 5000 + "2026-06-01T07:05:00"}),
         "'at' needs a time zone, e.g. 2026-06-01T07:05:00+07:00"),
    ],
)  # fmt: skip
def test_a_long_line_gets_a_short_message(line: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        parse_line(line, account="kem_x", platform=None, source="jsonl:test")
    assert problem in str(info.value)
    assert len(str(info.value)) < 500
