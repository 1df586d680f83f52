"""Hate and SARA by structure: a group word next to an attack word, unless the post condemns,
reports or quotes it; the vocabulary is data an organisation extends.

Every test goes through the real guard with the built-in packs and plugin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smguard.plugins.hate import rules as hate_rules
from smguard.plugins.hate.morphology import Prefixed, roots
from smguard.plugins.hate.vocabulary import CUE_KINDS, Target, Vocabulary

from smguard.config import Config
from smguard.errors import ConfigError, RulePackError
from smguard.guard.engine import Guard
from smguard.types import Finding, Severity

PLUGINS = "packs,policy,hate"
RULES = {
    "religion": "SMG-XX-SARA-101",
    "race": "SMG-XX-SARA-102",
    "gender": "SMG-XX-SARA-103",
    "physical": "SMG-XX-SARA-104",
    "group": "SMG-XX-SARA-105",
}


@pytest.fixture(autouse=True)
def load_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", PLUGINS)


def make(hate: dict[str, Any] | None = None) -> Guard:
    return Guard(Config.from_dict({"plugins": {"hate": hate}} if hate else {}))


@pytest.fixture(scope="module")
def guard() -> Guard:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SMGUARD_LOAD_PLUGINS", PLUGINS)
        return make()


def structure(guard: Guard, text: str, language: str | None = None) -> list[Finding]:
    post: dict[str, Any] = {"text": text}
    if language:
        post["language"] = language
    verdict = guard.check(post)
    assert verdict.error is None, verdict.error
    return [f for f in verdict.findings if f.rule.startswith("SMG-XX-SARA-1")]


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("dibasmi", "basmi"),
        ("membasmi", "basmi"),
        ("membunuh", "bunuh"),
        ("menumpas", "tumpas"),
        ("menyingkirkan", "singkir"),
        ("pembantaian", "bantai"),
        ("usirlah", "usir"),
        ("dimusnahkan", "musnah"),
        ("mengusir", "usir"),
        ("ngusir", "usir"),
    ],
)
def test_indonesian_affixes_reach_the_root(word: str, root: str) -> None:
    assert root in roots(word)


def test_the_issue_cases_in_both_languages(guard: Guard) -> None:
    cases = [
        ("Umat Kristen itu hama, pantas diusir dari negeri ini", "id", "exclude"),
        ("Orang kafir layak dimusnahkan semuanya", "id", "violence"),
        ("Muslims are pests and deserve to be thrown out", "en", "dehumanise"),
        ("The unbelievers deserve to be wiped out", "en", "violence"),
    ]
    for text, language, _ in cases:
        found = structure(guard, text, language)
        assert [f.rule for f in found] == [RULES["religion"]], text
        assert found[0].category == "hate"
        assert found[0].severity >= Severity.HIGH
    # The violent one is critical and says what it found.
    (violent,) = structure(guard, "The unbelievers deserve to be wiped out", "en")
    assert violent.severity == Severity.CRITICAL
    assert "violence" in violent.message["en"] and "wiped" in violent.message["en"]
    assert violent.evidence == "unbelievers deserve to be wiped"


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Orang Cina itu tikus semua", "race"),
        ("Immigrants are vermin", "race"),
        ("Perempuan itu bodoh semua", "gender"),
        ("Kaum LGBT itu penyakit, bakar saja", "gender"),
        ("Orang cacat itu sampah masyarakat", "physical"),
        ("Ganyang PKI sampai habis", "group"),
    ],
)
def test_each_finding_names_its_sub_target(guard: Guard, text: str, target: str) -> None:
    assert {f.rule for f in structure(guard, text)} == {RULES[target]}


@pytest.mark.parametrize(
    "text",
    [
        # condemnation
        "Kami mengecam siapa pun yang menyebut umat Kristen hama.",
        "We condemn anyone who calls Muslims pests.",
        "Stop ujaran kebencian: kaum LGBT bukan penyakit.",
        # news report
        "Polisi menangkap pria yang menyerukan usir Ahmadiyah dari desa.",
        "Man arrested after calling immigrants vermin at a rally.",
        # quotation with a reporting verb
        'Dia berkata "orang Cina tikus semua" dan langsung dikritik warganet.',
        # negation right before the attack word
        "Umat Hindu tidak bodoh dan tidak malas.",
        "Refugees are not vermin.",
        # place names are not groups without a person word
        "Petani Jawa Tengah diminta basmi hama wereng.",
        "Kebun binatang di Cina punya monyet langka.",
        # religious teaching
        "Kajian tafsir ayat tentang orang kafir malam ini di masjid.",
    ],
)
def test_condemnation_reports_quotes_and_literal_uses_pass(guard: Guard, text: str) -> None:
    assert structure(guard, text) == []


def test_place_names_count_after_a_person_word(guard: Guard) -> None:
    assert structure(guard, "Jawa Timur basmi hama tikus") == []
    assert [f.rule for f in structure(guard, "Orang Jawa itu hama")] == [RULES["race"]]


def test_evasive_spellings_still_match(guard: Guard) -> None:
    assert structure(guard, "Mu5lims are p3sts")
    assert structure(guard, "kaaafir harus dibasmiii")


@pytest.mark.parametrize(
    "text",
    [
        "Mu5lims are p3sts",
        "kaaafir harus dibasmiii",
        "kekafiran itu hama, basmi saja",
        "Orang Jawa itu hama",
        "Jawa Timur basmi hama tikus",
        "dasar b4tak tolol semua",
        "all the j e w s must go back",
        "Selamat pagi, terima kasih kak",
        "Umat beragama jangan diusir",
        # a person word or a phrase's first word is no group alone; with the rest it is
        "orang itu hama, basmi saja",
        "orang asing itu hama, usir",
        "seorang asing harus diusir",
        "kaum itu sampah",
        "kaum adam itu sampah semua",
        "kaum pelangi harus dibasmi",
        "org jawa itu hama",
    ],
)
def test_the_pre_check_for_a_group_word_changes_no_finding(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = structure(make(), text)
    monkeypatch.setattr(hate_rules._Lookup, "may_have_group", lambda self, ctx: True)
    assert structure(make(), text) == fast


def _vocabulary_words() -> list[str]:
    vocab = next(r for r in make().rules if isinstance(r, hate_rules.StructureRule)).vocab
    words: set[str] = set(vocab.persons) | vocab.negations | vocab.counter_words
    for target in vocab.targets.values():
        words |= target.terms | target.places
        words.update(" ".join(p) for p in target.phrases)
    for cue in vocab.cues.values():
        words |= cue.words
        words.update(" ".join(p) for p in cue.phrases)
    affixed = [f"{w}nya" for w in sorted(words)[::7]] + [f"di{w}" for w in sorted(words)[::11]]
    return sorted(words) + affixed + ["itu", "semua", "harus", "the", "are"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_vocabulary_words()), min_size=1, max_size=6))
def test_the_pre_check_never_hides_a_group(guard: Guard, words: list[str]) -> None:
    """Whatever the analysis finds with the pre-check forced to yes, it finds without it."""
    text = " ".join(words)
    fast = structure(guard, text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hate_rules._Lookup, "may_have_group", lambda self, ctx: True)
        assert structure(guard, text) == fast, text


def test_window_decides_how_far_the_attack_word_may_stand() -> None:
    text = "Umat Kristen di kota kami yang ramai dan padat itu hama"
    assert structure(make(), text) == []  # seven words apart, default window 4
    assert structure(make({"window": 8}), text)


def test_an_organisation_adds_and_removes_words(tmp_path: Path) -> None:
    extra = tmp_path / "hate-local.yaml"
    extra.write_text(
        "targets:\n"
        "  race:\n"
        "    places: [wakanda]\n"
        "cues:\n"
        "  dehumanise:\n"
        "    words: [kutu]\n"
        "remove: [tikus]\n",
        encoding="utf-8",
    )
    guard = make({"vocabulary": [str(extra)]})
    assert [f.rule for f in structure(guard, "Orang Wakanda itu kutu")] == [RULES["race"]]
    assert structure(guard, "Orang Cina itu tikus") == []  # removed for this organisation
    assert structure(make(), "Orang Wakanda itu kutu") == []  # the built-ins know neither


def test_a_bad_vocabulary_file_says_which_and_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("targets:\n  aliens:\n    terms: [x]\n", encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        make({"vocabulary": [str(bad)]})
    assert str(bad) in str(info.value) and "aliens" in str(info.value)
    missing = tmp_path / "missing.yaml"
    with pytest.raises(RulePackError, match="cannot read"):
        make({"vocabulary": [str(missing)]})


def test_settings_are_checked_at_load() -> None:
    with pytest.raises(ConfigError, match="window"):
        make({"window": 0})
    with pytest.raises(ConfigError, match="wndow"):
        make({"wndow": 3})


def test_the_documented_local_file_loads_and_works(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "hate-rule.md").read_text("utf-8")
    local = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "hate-local.yaml"
    path.write_text(local, encoding="utf-8")
    guard = make({"vocabulary": [str(path)], "window": 4})
    assert [f.rule for f in structure(guard, "Orang Sampit itu lintah darat")] == [RULES["race"]]
    assert structure(guard, "Bule itu teroris semua") == []
    assert structure(make(), "Bule itu teroris semua")


_ROOTS = ["kafir", "cina", "yahudi", "tumpas", "pukul", "sunda", "kristen", "aseng", "usir"]
_word_parts = st.tuples(
    st.sampled_from(["", "me", "mem", "men", "meng", "meny", "pe", "pem", "pen", "peng", "peny",
                     "di", "ter", "ber", "ke", "se", "ng", "nge", "x"]),
    st.sampled_from(_ROOTS),
    st.sampled_from(["", "kan", "an", "i", "x"]),
    st.sampled_from(["", "nya", "lah", "kah", "pun", "mu", "ku"]),
    st.integers(0, 2),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_word_parts, st.text(alphabet="aiknmptsu", max_size=12))
def test_prefixed_forms_never_miss_a_root(
    parts: tuple[str, str, str, str, int], noise: str
) -> None:
    """The cheap test before the root readings may say yes wrongly, never no wrongly; and no
    word longer than its bound passes (callers skip those without calling it)."""
    prefix, root, suffix, clitic, drop = parts
    word = prefix + root[drop:] + suffix + clitic
    groups = frozenset(_ROOTS[:5])
    maybe = Prefixed(groups)
    for candidate in (word, noise + word, word + noise, noise):
        if not groups.isdisjoint(roots(candidate)):
            assert maybe(candidate), candidate
        if maybe(candidate):
            assert len(candidate) <= maybe.longest, candidate


def test_a_stretched_group_word_is_found_however_long(guard: Guard) -> None:
    """Words longer than any vocabulary word are skipped, but only after squeezing: a group
    word stretched to fifty letters is still that word."""
    stretched = "k" + "a" * 50 + "fir harus dibasmiii"
    assert structure(guard, stretched)
    assert structure(guard, "kaaafir harus dibasmiii")
    assert not structure(guard, "k" + "a" * 50 + "fixr harus dibasmiii")


def test_words_that_reach_no_vocabulary_word_are_not_taken_apart(
    monkeypatch: pytest.MonkeyPatch, load_plugins: None
) -> None:
    """A post with a group word is analysed word by word; the words that cannot reach any
    vocabulary word (most of them) are told so without computing their readings: a long
    hostile post of made-up words took 20 ms more without it."""
    calls: list[str] = []
    real = hate_rules.roots

    def counted(word: str) -> frozenset[str]:
        calls.append(word)
        return real(word)

    monkeypatch.setattr(hate_rules, "roots", counted)
    guard = make()
    made_up = " ".join(f"qxz{n}vw" for n in range(200))
    verdict = guard.check({"text": f"umat yahudi harus dibasmi {made_up}", "language": "id"})
    assert any(f.rule.startswith("SMG-XX-SARA-") for f in verdict.findings)
    assert not any(c.startswith("qxz") for c in calls), calls[:5]


def _pairs_every_one(
    groups: list[tuple[int, int, str]], cues: list[tuple[int, int, str, str]], vocab: Any
) -> list[hate_rules.Hit]:
    """The pairing rule read pair by pair: each group with the first cue of the strongest kind
    within the window that neither overlaps it nor is one of its own words."""
    out = []
    for g_first, g_last, name in groups:
        best = None
        for c in cues:
            c_first, c_last, kind, word = c
            if (g_first <= c_last and c_first <= g_last) or word in vocab.targets[name].terms:
                continue
            gap = c_first - g_last if c_first > g_last else g_first - c_last
            if gap > vocab.window + 1:
                continue
            if best is None or CUE_KINDS.index(kind) < CUE_KINDS.index(best[2]):
                best = c
        if best is not None:
            out.append(
                hate_rules.Hit(name, min(g_first, best[0]), max(g_last, best[1]), best[2], best[3])
            )
    return out


_spans_at = st.tuples(st.integers(0, 60), st.integers(0, 2))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_spans_at, st.sampled_from(["religion", "race"])), max_size=12),
    st.lists(
        st.tuples(_spans_at, st.sampled_from(CUE_KINDS), st.sampled_from(["hama", "kafir", "x"])),
        max_size=30,
    ),
    st.integers(0, 6),
)
def test_groups_are_paired_with_the_cues_near_them_as_pair_by_pair(
    raw_groups: list[tuple[tuple[int, int], str]],
    raw_cues: list[tuple[tuple[int, int], str, str]],
    window: int,
) -> None:
    """Only the cues that start near a group are read (issue 12: a long post of group and cue
    words took 50 ms pairing every one with every other); the hits are those of every pair."""
    vocab = Vocabulary(window=window)
    vocab.targets["religion"] = Target("religion", terms={"kafir"})
    vocab.targets["race"] = Target("race", terms={"cina"})
    groups = [(first, first + extra, name) for (first, extra), name in raw_groups]
    cues = [(first, first + extra, kind, word) for (first, extra), kind, word in raw_cues]
    expected = _pairs_every_one(groups, cues, vocab)
    assert list(hate_rules._pairs(groups, cues, vocab)) == expected
