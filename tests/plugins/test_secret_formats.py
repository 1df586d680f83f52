"""The key and token formats as data (rules/secrets/token_formats.yaml): every format's "leak"
examples block as that format, its "ok" examples do not; placeholders and documentation keys
are a note; the assignment and password fixes of issue 11."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smguard.plugins.secrets.find import _format_matches
from smguard.plugins.secrets.formats import formats, formats_file, placeholder

from smguard.types import Severity
from tests.plugins.test_secrets import ASSIGNMENT, PASSWORD, TOKEN, check

FORMATS = formats()


def test_the_data_file_names_its_sources_and_every_format_has_examples() -> None:
    head = formats_file().read_text(encoding="utf-8")[:1500]
    assert re.search(r"gitleaks .*v8\.\d+", head) and re.search(r"detect-secrets .*v1\.\d", head)
    ids = [f.id for f in FORMATS]
    assert len(ids) == len(set(ids))
    for fmt in FORMATS:
        assert fmt.leak and fmt.ok and fmt.source, fmt.id
        assert fmt.name_en and fmt.name_id, fmt.id


@pytest.mark.parametrize(
    ("fmt_id", "text"), [(f.id, t) for f in FORMATS for t in f.leak], ids=lambda v: str(v)[:24]
)
def test_leak_examples_are_found_as_their_format_and_block(fmt_id: str, text: str) -> None:
    fmt = next(f for f in FORMATS if f.id == fmt_id)
    found = [f for f in check(TOKEN, text) if f.severity == Severity.CRITICAL]
    assert found, text
    assert any(fmt.name_en in f.message["en"] for f in found), [f.message for f in found]


@pytest.mark.parametrize(
    ("fmt_id", "text"), [(f.id, t) for f in FORMATS for t in f.ok], ids=lambda v: str(v)[:24]
)
def test_ok_examples_are_at_most_a_note(fmt_id: str, text: str) -> None:
    for rule in (TOKEN, ASSIGNMENT, PASSWORD):
        assert all(f.severity <= Severity.INFO for f in check(rule, text)), (rule, text)


def _levels(rule: str, text: str) -> list[Severity]:
    return [f.severity for f in check(rule, text)]


def test_placeholders_and_documentation_keys_are_a_note_in_a_tutorial() -> None:
    tutorial = (
        "Cara memasang bot: isi token seperti ini "
        "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx "
        "lalu AKIAIOSFODNN7EXAMPLE dan ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    )
    found = check(TOKEN, tutorial)
    assert [f.severity for f in found] == [Severity.INFO] * 3
    assert "placeholder" in found[0].message["en"] and "contoh" in found[0].message["id"]
    assert placeholder("ghp_" + "0" * 36, re.compile("gh[pousr]_"))
    assert not placeholder("ghp_R8zK2mQ7vX4nT9bL1wP6yD3sF0hJ5cG8aE2u", re.compile("gh[pousr]_"))


@pytest.mark.parametrize(
    "text",
    [
        "aws_secret_access_key = Qz7Wx5Ec3Rv1Tb9Yn2Mk4Lp6Hj8Gf0Ds3Aq5Zw7X",
        "export AWS_SECRET_ACCESS_KEY=Qz7Wx5Ec3Rv1Tb9Yn2Mk4Lp6Hj8Gf0Ds3Aq5Zw7X",
        '"private_key_id": "9f2c4e8a1b3d5f7091a2c3e4f5a6b7c8d9e0f1a2"',
    ],
)
def test_an_assignment_keyword_need_not_stand_right_before_the_equals(text: str) -> None:
    assert _levels(ASSIGNMENT, text) == [Severity.HIGH]


def test_the_aws_documentation_secret_is_a_note() -> None:
    text = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert _levels(ASSIGNMENT, text) == [Severity.INFO]


def test_a_password_value_ends_at_the_line() -> None:
    assert (
        check(PASSWORD, "Lupa password:\nhttps://kemcontoh.example/reset untuk mengatur ulang")
        == []
    )
    assert check(PASSWORD, "Password:\nKata sandi baru dikirim lewat surel.") == []
    assert check(PASSWORD, "password: ********") == []
    [leak] = check(PASSWORD, "Password: Rahasia123\nJangan disebar ya")
    assert leak.severity == Severity.HIGH


def test_allow_list_still_silences_a_format() -> None:
    value = "glpat-Zx8Kq2Mv7Tn4Rb9Lw1Pc"
    assert check(TOKEN, value)
    assert check(TOKEN, value, {"plugins": {"secrets": {"allow": [value]}}}) == []


def _one_pattern_of_all_formats() -> re.Pattern[str]:
    """How the formats were matched before: one alternation, the format listed first winning."""
    return re.compile("|".join(f"(?P<t{i}>{f.pattern.pattern})" for i, f in enumerate(formats())))


_KEY_PIECES = st.sampled_from(
    [*(leak for f in formats() for leak in f.leak),
     "AKIA", "SK", "ghp_", "eyJ", ".", ":", "-us1", "://", "@", "x", "0", "_", "-", "/", "+",
     "0123456789abcdef0123456789abcdef", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAx", "EAA", "sk-", "hf_"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_KEY_PIECES, min_size=1, max_size=8).map("".join))
def test_formats_searched_one_by_one_find_what_one_pattern_of_all_found(token: str) -> None:
    """Only the formats whose literals a token holds are searched, each on its own (issue 12);
    the keys found, their formats and their order are those of one pattern of all formats."""
    expected = [
        (formats()[int(str(m.lastgroup)[1:])].id, m.span())
        for m in _one_pattern_of_all_formats().finditer(token)
    ]
    assert [(fmt.id, m.span()) for fmt, m in _format_matches(token)] == expected
