"""Normalisation: evasions are undone, spans map back to the original text."""

from __future__ import annotations

import re
from itertools import groupby

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smguard.guard.normalize import _SPELLED_RE, _TOKEN_RE, _gap_kind, deleet, normalize, squeeze


def forms(text: str) -> list[tuple[str, ...]]:
    return [t.forms for t in normalize(text).tokens]


def original_words(text: str) -> list[str]:
    return [text[t.start : t.end] for t in normalize(text).tokens]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("ＢＡＢＩ", "babi"),  # fullwidth (NFKC)
        ("BaBi", "babi"),  # case
        ("ba\u200bbi", "babi"),  # zero-width space
        ("ba\u00adbi", "babi"),  # soft hyphen
        ("b\u0430bi", "babi"),  # Cyrillic a
        ("bàbí", "babi"),  # accents
        ("b4b1", "babi"),  # leetspeak
        ("b a b i", "babi"),  # spaced letters
        ("b.a.b.i", "babi"),  # dotted letters
        ("b-a-b-i", "babi"),  # dashed letters
    ],
)
def test_evasions_are_undone(text: str, word: str) -> None:
    (token,) = normalize(text).tokens
    assert word in token.forms
    assert (token.start, token.end) == (0, len(text))


def test_offsets_map_back_through_removed_and_expanded_characters() -> None:
    text = "Halo ｋａｋ, dasar a\u200bn\u200bj\u200bi\u200bn\u200bg!"
    norm = normalize(text)
    assert norm.text == "halo kak, dasar anjing!"
    assert original_words(text) == [
        "Halo",
        "ｋａｋ",
        "dasar",
        "a\u200bn\u200bj\u200bi\u200bn\u200bg",
    ]


def test_ligature_expands_and_maps_back() -> None:
    text = "ﬁne"
    norm = normalize(text)
    assert norm.text == "fine"
    assert norm.span(0, 4) == (0, 3)


def test_leet_only_inside_words_with_letters() -> None:
    assert deleet("4nj1ng") == ("anjing", "anjlng")
    assert deleet("2026") == ()
    assert deleet("hello") == ()
    # punctuation at word edges is not leetspeak
    assert [t.text for t in normalize("halo!!! apa?").tokens] == ["halo", "apa"]


def test_squeeze() -> None:
    assert squeeze("anjiiiing") == "anjing"
    assert squeeze("bangsaaat") == "bangsat"


def test_numbers_and_prices_are_plain_tokens() -> None:
    assert [t.text for t in normalize("Rp 50.000 jam 19.00").tokens] == [
        "rp", "50", "000", "jam", "19", "00",
    ]  # fmt: skip


def test_single_letters_in_normal_text_are_left_alone() -> None:
    # two single letters are not a spelled-out word
    assert [t.text for t in normalize("a b cd").tokens] == ["a", "b", "cd"]


def test_slang_forms() -> None:
    from smguard.guard.normalize import NormalizedText

    tokens = NormalizedText("gw bilang lo", {"gw": "gue", "lo": "lu"}).tokens
    assert [t.forms for t in tokens] == [("gw", "gue"), ("bilang",), ("lo", "lu")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("b.a.b.i g o b l o k", ["babi", "goblok"]),  # dots in one word, spaces in the next
        ("f-u-c-k y o u", ["fuck", "you"]),
        ("b🔥a💥b🔥i lu", ["babi", "lu"]),  # any emoji separates letters alike
        ("t o l o l  b a n g e t", ["tolol", "banget"]),  # one space inside, two between
        ("b . a . b . i", ["babi"]),
        ("a b.c.d x", ["a", "bcd", "x"]),  # a letter before a changed separator starts nothing
        ("S.H., M.H.", ["s", "h", "m", "h"]),  # two-letter abbreviations stay apart
        ("I ❤ U", ["i", "u"]),
    ],
)
def test_spelled_out_words_end_where_the_separator_changes(text: str, words: list[str]) -> None:
    assert normalize(text).words == words


def _spelled_out_reference(text: str) -> list[str]:
    """The rule, one word at a time: three or more one-letter words with gaps of one kind (a
    separator, or emoji) between them are one word; a change of kind starts a new one. (Only
    in a text where a quick test finds three letters so spelled, whole.)"""
    if not _SPELLED_RE.search(text):
        return _TOKEN_RE.findall(text)
    raw = [(m.group(), m.start(), m.end()) for m in re.finditer(_TOKEN_RE, text)]
    words: list[str] = []
    i = 0
    while i < len(raw):
        j = i
        if len(raw[i][0]) == 1 and i + 1 < len(raw) and len(raw[i + 1][0]) == 1:
            kind = _gap_kind(text[raw[i][2] : raw[i + 1][1]])
            while (
                kind is not None
                and j + 1 < len(raw)
                and len(raw[j + 1][0]) == 1
                and _gap_kind(text[raw[j][2] : raw[j + 1][1]]) == kind
            ):
                j += 1
        if j - i >= 2:
            words.append("".join(w for w, _, _ in raw[i : j + 1]))
            i = j + 1
        else:
            words.append(raw[i][0])
            i += 1
    return words


_SPELLING = st.sampled_from(
    ["a", "b", "1", "ab", " ", ".", "-", "_", "*", "/", " . ", "  ", "🔥", "💥", "x@", "$",
     "\u200b", "é", "ﬁ", "ß", "\n", "anjing", "b.a.b.i", "g o b l o k"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_SPELLING, max_size=40).map("".join))
def test_words_and_spans_follow_the_rule_one_word_at_a_time(text: str) -> None:
    """Runs of single letters are found in C and only they are read word by word (issue 12: a
    post of thousands of dotted digits took 30 ms); the words are those of the plain rule, and
    each word's span in the original text holds that word."""
    norm = normalize(text)
    assert norm.words == _spelled_out_reference(norm.text)
    assert len(norm.spans) == len(norm.words)
    for word, (start, end) in zip(norm.words, norm.spans, strict=True):
        assert normalize(text[start:end]).text.replace(" ", "").startswith(word[:1])
    for n in norm.joined:
        assert len(norm.words[n]) >= 3


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aab\n1 éé", max_size=16))
def test_squeeze_keeps_one_of_each_run(word: str) -> None:
    """Every run of one character becomes that character (a run of new lines stays)."""
    expected = "".join(k * (len(list(g)) if k == "\n" else 1) for k, g in groupby(word))
    assert squeeze(word) == expected
