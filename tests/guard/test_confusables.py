"""smguard.guard.confusables: one table of look-alike letters, from Unicode's confusables data,
for text normalisation and link skeletons alike."""

from __future__ import annotations

import json
import unicodedata
from importlib import metadata
from pathlib import Path

import pytest
from smguard.plugins.links.lookalike import skeleton, skeleton_ascii

from smguard.guard import _confusables_data
from smguard.guard.confusables import EXTRA, LOOKALIKES, imitates_latin
from smguard.guard.confusables_build import COMMAND, build_table, render_module
from smguard.guard.normalize import fold, normalize

SMALL_CAPITALS = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ"


def test_the_generated_table_is_up_to_date() -> None:
    pytest.importorskip("confusable_homoglyphs", reason="a test dependency: it ships the data")
    if unicodedata.unidata_version != _confusables_data.UNICODE_VERSION:
        pytest.skip("generated with another Unicode version of Python")
    from confusable_homoglyphs import categories, utils

    pairs = json.loads(Path(utils.path("confusables.json")).read_text(encoding="utf-8"))
    tables = build_table(pairs, categories.alias, categories.category)
    expected = render_module(tables, metadata.version("confusable-homoglyphs"))
    actual = Path(_confusables_data.__file__).read_text(encoding="utf-8")
    assert actual == expected, f"out of date with confusable-homoglyphs; regenerate: {COMMAND}"


def test_unicode_data_wins_and_extra_only_adds() -> None:
    own = {c for chars in _confusables_data.LOOKALIKES.values() for c in chars}
    other_case = {c for chars in _confusables_data.OTHER_CASE.values() for c in chars}
    assert len(own) > 200 and not own & other_case
    assert not set(EXTRA) & own
    # smguard's additions add what the data leaves out; only Greek μ (micro-like, its capital
    # M-like) is read by the small letter's look
    assert set(EXTRA) & other_case == {"μ"}
    assert LOOKALIKES["а"] == "a" and LOOKALIKES["ο"] == "o" and LOOKALIKES["օ"] == "o"
    assert LOOKALIKES["в"] == "b" and LOOKALIKES["μ"] == "u"


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        (SMALL_CAPITALS, "abcdefghijklmnopqrstuvwyz"),
        ("bаnk", "bank"),  # Cyrillic а
        ("раура1", "paypa1"),  # all Cyrillic but the digit
        ("ѕеrvісе", "service"),  # Cyrillic ѕ е і с
        ("κεмκεѕ", "kemkes"),  # Greek κ ε, Cyrillic м ѕ
        ("αρρlε", "apple"),  # Greek α ρ ε
        ("ꓑꓲꓠꓰ", "plne"),  # Lisu, capitals that look Latin
        ("ｂａｎｋ", "bank"),  # fullwidth: NFKD's part
        ("𝐛𝐚𝐧𝐤", "bank"),  # mathematical bold: NFKD's part
        ("łódź", "lodz"),
    ],
)
def test_look_alikes_fold_in_normalisation_and_domain_skeletons(text: str, latin: str) -> None:
    assert fold(text) == latin
    assert normalize(text).text == latin
    assert skeleton_ascii(text) == latin
    assert skeleton(text) == skeleton(latin)


def test_both_users_read_every_letter_of_the_table_the_same() -> None:
    for char, latin in LOOKALIKES.items():
        assert fold(char) == latin, char
        assert skeleton_ascii(char) == latin, char


def test_small_capitals_are_words_for_the_lexicon() -> None:
    (token,) = normalize("ʙᴀʙɪ").tokens
    assert token.forms[0] == "babi"


def test_genuine_text_of_other_scripts_is_left_alone() -> None:
    # Arabic alif looks like "l" and Myanmar wa like "o", but their text is not disguised Latin.
    for text in ("الله", "ဝ", "中文", "©"):
        assert fold(text) == text


def test_what_counts_as_imitating_latin() -> None:
    assert imitates_latin("а") and imitates_latin("ᴀ") and imitates_latin("ɑ")
    # letters of European and African alphabets fold, but are not disguises
    assert not imitates_latin("ø") and not imitates_latin("ł") and not imitates_latin("ı")
    assert not imitates_latin("a") and not imitates_latin("д")
