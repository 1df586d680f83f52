"""Literals every match of a pattern holds (smguard.guard.literals), which the secret rule uses to
skip the key formats a long token cannot hold (issue 12: a random token of 20,000 characters
cost 25 ms in one pattern of all formats)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smguard.plugins.secrets.formats import formats

from smguard.guard.literals import anchors


def test_literals_of_simple_patterns() -> None:
    assert anchors(r"ghp_[A-Za-z0-9]{36}") == {"ghp_"}
    assert anchors(r"\d{8,10}:[A-Za-z0-9_-]{35}") == {":"}
    # The longest literal of a sequence; a branch gives one literal per alternative.
    assert anchors(r"sk-[a-z]+\.eyJ") == {".eyJ"}
    assert anchors(r"(?:AKIA|ASIA)[A-Z0-9]{16}") in ({"AKIA", "ASIA"}, {"KIA", "SIA"})
    assert anchors(r"(?:foo|ba+r)x") in ({"foo", "b"}, {"foo", "r"}, {"x"})


@pytest.mark.parametrize(
    "pattern",
    [
        r"[a-z]+",
        r"a?b*",
        r"(?:abc)?",
        r"(?:abc|[0-9])",
        r"(?i)abc",
        r"(?i:abc)d?",
        r"\w{3}",
        "x{0}",
    ],
)
def test_no_literal_is_promised_where_a_match_may_lack_it(pattern: str) -> None:
    assert anchors(pattern) is None
    assert anchors(re.compile(pattern)) is None


def test_a_pattern_that_does_not_compile_has_no_literals() -> None:
    assert anchors("(unclosed") is None
    assert anchors(re.compile("abc", re.IGNORECASE)) is None


def test_every_known_key_format_names_literals_its_examples_hold() -> None:
    for fmt in formats():
        literals = anchors(fmt.pattern)
        assert literals, fmt.id  # every built-in format can be skipped by a cheap test
        for example in fmt.leak:
            for m in fmt.pattern.finditer(example):
                assert any(lit in m.group() for lit in literals), (fmt.id, example)


_PATTERNS = [
    *(fmt.pattern.pattern for fmt in formats()),
    r"(?:a|bc)d{2,}(?:ef)+",
    r"x(?:y|z)w",
    r"(?:ab|cd)(?:ef|gh)",
    r"[^a](?:abc)+d*",
    r"(?>ab)c",
]


@st.composite
def _pattern_and_match(draw: st.DrawFn) -> tuple[str, str]:
    pattern = draw(st.sampled_from(_PATTERNS))
    text = draw(st.from_regex(re.compile(pattern), fullmatch=False))
    return pattern, text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pattern_and_match())
def test_every_match_holds_one_of_the_literals(case: tuple[str, str]) -> None:
    pattern, text = case
    literals = anchors(pattern)
    for m in re.finditer(pattern, text):
        assert literals is None or any(lit in m.group() for lit in literals), (pattern, text)
