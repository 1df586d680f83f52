"""Literals every match of a pattern holds (smguard.guard.literals), which the secret rule uses to
skip the key formats a long token cannot hold (issue 12: a random token of 20,000 characters
cost 25 ms in one pattern of all formats)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smguard.plugins.secrets.formats import formats

from smguard.config import Config
from smguard.guard.engine import Guard
from smguard.guard.literals import anchors
from smguard.guard.packs.rule import re2_anchors
from smguard.guard.rule import CheckContext
from smguard.types import Post


def _built_in_guard() -> Guard:
    return Guard(Config.from_dict({"plugins": {"disable": ["toxicity"]}}))


def test_literals_of_simple_patterns() -> None:
    assert anchors(r"ghp_[A-Za-z0-9]{36}") == {"ghp_"}
    assert anchors(r"\d{8,10}:[A-Za-z0-9_-]{35}") == {":"}
    # The longest literal of a sequence; a branch gives one literal per alternative.
    assert anchors(r"sk-[a-z]+\.eyJ") == {".eyJ"}
    assert anchors(r"(?:AKIA|ASIA)[A-Z0-9]{16}") in ({"AKIA", "ASIA"}, {"KIA", "SIA"})
    assert anchors(r"(?:foo|ba+r)x") in ({"foo", "b"}, {"foo", "r"}, {"x"})


def test_a_small_class_of_plain_characters_is_a_set_of_literals() -> None:
    assert anchors(r"f[*#@%]ck") == {"*", "#", "@", "%"}  # rarer than the letters around it
    assert anchors(r"\bf(?:[*#]{1,3}|u[*#])k") == {"*", "#"}
    assert anchors(r"(?:bubarkan|lengserkan)(?:lah)?\b") == {"bubarkan", "lengserkan"}
    # A literal of letters beats a class of letters; a long run of letters beats one symbol.
    assert anchors(r"[abc]x") == {"x"}
    assert anchors(r"a[*#$]holes?") == {"hole"}


@pytest.mark.parametrize(
    "pattern",
    [
        r"[abcdefghij]",  # more characters than a useful test
        r"[a-c]x?",
        r"[^*#]",
        r"[\d*]",
        r"[[:alpha:]]x?",
    ],
)
def test_a_class_that_is_not_a_few_plain_characters_holds_no_literal(pattern: str) -> None:
    if pattern.startswith("[["):
        # Python reads a POSIX class as a set and a literal "]"; RE2 (the packs' engine) as a
        # class: the packs' reader refuses such patterns an anchor.
        assert re2_anchors(pattern) is None
    else:
        assert anchors(pattern) is None


def test_every_built_in_pack_regex_match_holds_its_literals() -> None:
    # The pack rules skip a regex when the post holds none of its literals: every match of the
    # examples, found by RE2 as the guard finds them, must hold one.
    guard = _built_in_guard()
    seen = 0
    for rule in guard.packs.rules:
        for pattern in rule.regexes:
            literals = re2_anchors(pattern.pattern)
            for example in rule.examples:
                post = Post.from_dict(example.post)
                ctx = CheckContext(post, None, guard.config, guard.config.account(None))
                ctx.slang = guard.packs.slang
                text = post.text if rule.regex_on == "original" else ctx.norm.text
                for m in pattern.finditer(text):
                    seen += 1
                    assert literals is None or any(lit in m.group() for lit in literals), (
                        rule.id,
                        example.text,
                    )
    assert seen >= 5


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
    *(p.pattern for r in _built_in_guard().packs.rules for p in r.regexes),
    r"f[*#@%]c?k",
    r"(?:[*#@%]{1,3}|u[*#])k",
    r"a[xyz]+b|[0-9][.,]",
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
