"""Normalisation: evasions are undone, spans map back to the original text."""

from __future__ import annotations

import pytest

from smguard.guard.normalize import deleet, normalize, squeeze


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
