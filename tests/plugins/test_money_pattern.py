"""The scam rule's amount and number patterns find what they found before they were made
linear or cheaper (issue 12)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from smguard.plugins.spam.scam_signals import _DIGIT_RUN, MONEY_RE

#: The pattern before the fix: the same amounts, in time quadratic in a run of dotted digits.
BEFORE = re.compile(
    r"[£$€¥₹]\s?\d|rp\.?\s?\d|\d(?:[.,]\d+)*\s?(?:rb|ribu|jt|juta|k|m|gbp|usd|idr|pounds?|"
    r"dollars?)\b"
)

_PIECES = st.sampled_from(
    ["0", "1", "5", "9", "00", ".", ",", " ", "rb", "ribu", "jt", "k", "m", "gbp", "pounds",
     "dollar", "rp", "$", "£", "x", "a", "-", "menang ", "juta"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=24).map("".join))
def test_the_linear_pattern_finds_an_amount_exactly_where_the_old_one_did(text: str) -> None:
    assert bool(MONEY_RE.search(text)) == bool(BEFORE.search(text)), text


def test_amounts_as_people_write_them() -> None:
    amounts = [
        "hadiah 100rb",
        "Rp5.000.000",
        "rp 50rb",
        "5jt",
        "2 juta",
        "500k",
        "$500",
        "£1000",
        "1.500k",
        "2.5m",
        "harga,50rb",
        "dapat 1,5jt",
        "win 1000 pounds",
    ]
    for text in amounts:
        assert MONEY_RE.search(text.lower()), text
    for text in ("no 12345", "3.000.000 rupiah", "tahun 2019", "0812-3456-7890"):
        assert not MONEY_RE.search(text.lower()), text


#: Digit runs before: every run, one digit and longer (a long random token holds thousands).
RUNS_BEFORE = re.compile(r"\d[\d.\-() ]*\d|\d")

_RUN_PIECES = st.sampled_from(
    ["0", "1", "12", "123", ".", "-", "(", ")", " ", "  ", "a", "x9", "+62"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_RUN_PIECES, max_size=30).map("".join))
def test_digit_runs_of_four_or_more_are_those_found_before(text: str) -> None:
    """Only runs of four characters or more can be a number to call or a short code; they are
    found whole, where they were, and no piece of a shorter run is found instead."""
    before = [m.span() for m in RUNS_BEFORE.finditer(text) if m.end() - m.start() >= 4]
    assert [m.span() for m in _DIGIT_RUN.finditer(text)] == before
