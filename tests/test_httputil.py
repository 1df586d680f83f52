"""One Retry-After parser for alert delivery and the connectors: seconds or an HTTP-date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smguard.httputil import retry_after

NOW = datetime(2026, 6, 1, 7, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-3", 0.0),  # never a negative wait
        ("Mon, 01 Jun 2026 07:01:30 GMT", 90.0),
        ("Mon, 01 Jun 2026 07:01:30 -0000", 90.0),  # no zone: GMT, as HTTP-dates are
        ("Mon, 01 Jun 2026 06:00:00 GMT", 0.0),  # already past: now
    ],
)
def test_seconds_and_http_dates(header: str, seconds: float) -> None:
    assert retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize("header", [None, "", "soon", "inf", "nan", "Mon, 99 Foo 2026"])
def test_what_cannot_be_read_is_none(header: str | None) -> None:
    assert retry_after(header, now=NOW) is None


def test_clamped_to_the_maximum() -> None:
    assert retry_after("86400", maximum=3600) == 3600
    assert retry_after("Tue, 02 Jun 2026 07:00:00 GMT", now=NOW, maximum=60) == 60
    assert retry_after("30", maximum=3600) == 30


def test_dates_are_read_against_the_current_time_by_default() -> None:
    in_a_minute = datetime.now(UTC).timestamp() + 60
    header = datetime.fromtimestamp(in_a_minute, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    wait = retry_after(header)
    assert wait is not None and 55 <= wait <= 60
