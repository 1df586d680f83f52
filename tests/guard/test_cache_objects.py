"""The guard's memos must not make garbage collection pauses grow, nor do work twice.

A full collection walks every object the collector tracks. The guard remembers what it worked
out per word (lexicon candidates, the hate vocabulary look-up); when each remembered word held
a few sets and objects, a long-running guard tracked hundreds of thousands of them, and the post
that happened to trigger a full collection paid for walking them all (up to 700 ms in the fuzz
campaign). These tests count objects and calls, not time.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import string
from collections.abc import Iterator

import pytest
from smguard.plugins.spam import scam_signals

from smguard.config import Config
from smguard.guard import lexicon, memo, urls
from smguard.guard.engine import Guard
from smguard.guard.lexicon import PhraseMatcher
from smguard.guard.normalize import normalize
from smguard.guard.packs.index import LexiconIndex


def _new_words(rng: random.Random, count: int) -> Iterator[str]:
    """Made-up words, some with stretched letters or an Indonesian suffix (more forms)."""
    for n in range(count):
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
        if n % 5 == 1:
            word = word[0] * 3 + word  # stretched: a squeezed form too
        elif n % 5 == 2:
            word += "nya"  # a suffixed form: a stem too
        yield word


def _tracked() -> int:
    gc.collect()
    return len(gc.get_objects())


def test_remembering_new_words_adds_no_tracked_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMGUARD_DISABLE_PLUGINS", "toxicity")
    guard = Guard(Config.from_dict({}))
    rng = random.Random(7)

    def posts(count: int) -> list[dict[str, str]]:
        # "cina" is a group word: the hate rules then look up every word of the post too.
        return [
            {"text": "cina " + " ".join(_new_words(rng, 20)), "kind": kind, "language": "id"}
            for kind in ("post", "reply")
            for _ in range(count)
        ]

    # Warm-up: every matcher built, and the bounded caches (hate roots) filled to their size.
    guard.check_many(posts(60))
    before = _tracked()
    guard.check_many(posts(100))  # 4,000 words never seen before
    grown = _tracked() - before
    # One or more objects per remembered word would be thousands.
    assert grown < 400, f"{grown} more objects tracked by the garbage collector"


def test_remembered_candidates_are_not_tracked() -> None:
    matcher: PhraseMatcher[str] = PhraseMatcher({"anjeng": "anjing"})
    matcher.add(["anjing"], "insult")
    text = "anjeng anjiiiing kecewanya " + " ".join(_new_words(random.Random(1), 200))
    assert [payload for _, _, payload in matcher.find(normalize(text))] == ["insult", "insult"]
    # (A word too long to start a phrase is not looked up that far by find: ask for all.)
    remembered = [matcher.candidates(w) for w in normalize(text).words]
    # A tuple is untracked once the collector has seen that everything in it is untracked: the
    # inner tuples in one pass, the outer one by the next at the latest.
    gc.collect()
    gc.collect()
    assert remembered == [matcher.candidates(w) for w in normalize(text).words]
    assert remembered and not any(gc.is_tracked(c) for c in remembered)
    plain, squeezed, stems, every = matcher.candidates("anjiiiingnya")
    assert "anjingnya" in squeezed and "anjiiiing" in stems
    assert set(every) == set(plain) | set(squeezed) | set(stems)


def test_matchers_of_one_index_share_what_words_stand_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = lexicon.word_forms

    def counted(word: str, *args: object) -> tuple[str, ...]:
        calls.append(word)
        return real(word, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(lexicon, "word_forms", counted)
    index = LexiconIndex([], {})
    text = normalize(" ".join(_new_words(random.Random(2), 50)))
    for languages, kind in [({"en"}, "post"), ({"id"}, "post"), ({"en", "id"}, "reply")]:
        index.matcher(frozenset(languages), kind).find(text)
    assert len(calls) == len(set(text.words))


class _Counted(int):
    """An offset that counts the comparisons made with it."""

    seen = 0

    def _count(self, other: object, op: str) -> bool:
        _Counted.seen += 1
        return bool(getattr(int(self), op)(other))

    def __lt__(self, other: object) -> bool:
        return self._count(other, "__lt__")

    def __le__(self, other: object) -> bool:
        return self._count(other, "__le__")

    def __gt__(self, other: object) -> bool:
        return self._count(other, "__gt__")

    def __ge__(self, other: object) -> bool:
        return self._count(other, "__ge__")


def test_numbers_are_told_from_links_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each digit run was compared with every link: a post of both was quadratic."""
    real = scam_signals.extract_urls

    def counted_urls(text: str) -> list[object]:
        return [
            dataclasses.replace(u, start=_Counted(u.start), end=_Counted(u.end)) for u in real(text)
        ]

    monkeypatch.setattr(scam_signals, "extract_urls", counted_urls)
    n = 300
    links = " ".join(f"https://x{k}.example/p/1234567890" for k in range(n))
    numbers = " ".join(f"call {k:03d}1234567" for k in range(n))
    _Counted.seen = 0
    found = scam_signals._numbers(f"{links} {numbers}", f"{links} {numbers}".lower(), ())
    assert found == {"number"}  # the runs after the links count; those inside links do not
    # About seven per link here; comparing every run with every link made ~270,000.
    assert _Counted.seen <= 10 * n, f"{_Counted.seen} comparisons for {n} links"
    assert scam_signals._numbers(links, links.lower(), ()) == set()


def test_unusual_characters_keep_their_offsets() -> None:
    """Characters that vanish (combining marks), grow (ß) or change (bold letters)."""
    original = "Stra\u00dfe e\u0301\u0301 \U0001d41b\U0001d41a\U0001d41b\U0001d422 \u200bok"
    norm = normalize(original)
    assert norm.text == "strasse e babi ok"
    assert norm.offsets is not None and len(norm.offsets) == len(norm.text)
    for (start, end), word in zip(norm.spans, norm.words, strict=True):
        assert normalize(original[start:end]).text == word


def test_a_full_word_memo_never_loses_the_words_of_the_post_being_matched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression: when the memo filled up half-way through a post, the words of that post
    looked up before it was emptied were forgotten, and their phrases not found (a reply's
    "ya" stopped counting as courtesy after ~80,000 posts)."""
    monkeypatch.setattr(lexicon, "_MAX_WORDS", 8)
    phrases = [(("ya",), "ya"), (("terima", "kasih"), "thanks"), (("mohon", "maaf"), "sorry")]

    def matcher() -> lexicon.PhraseMatcher[str]:
        m: lexicon.PhraseMatcher[str] = lexicon.PhraseMatcher({})
        for words, payload in phrases:
            m.add(words, payload)
        return m

    warm = matcher()
    rng = random.Random(5)
    pool = [f"kata{n}" for n in range(30)] + ["ya", "terima", "kasih", "mohon", "maaf"]
    for _ in range(300):
        text = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        norm = normalize(text)
        assert warm.find(norm) == matcher().find(norm), text


def _alive(type_name: str) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o).__name__ == type_name)


def test_per_post_memos_keep_a_few_posts_not_a_thousand(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the memo of each post's links kept 1,024 posts; hostile posts of a few
    thousand links each made it hold millions of objects, and a full collection then took
    1.5 s in whichever post triggered it (found by the fuzz campaign)."""
    monkeypatch.setenv("SMGUARD_DISABLE_PLUGINS", "toxicity")
    guard = Guard(Config.from_dict({}))
    links = 150
    guard.check_many(["warm up https://a.example/x"])
    before = _alive("UrlMatch")
    guard.check_many(
        [" ".join(f"https://p{n}.example/{k}" for k in range(links)) for n in range(60)]
    )
    kept = _alive("UrlMatch") - before
    assert kept <= memo.PER_POST_TEXTS * links, f"{kept} links of earlier posts still held"


def test_per_post_memo_still_spares_the_second_rule_the_work() -> None:
    text = "promo https://bit.ly/abc 0812-3456-7890 user@example.com"
    urls.extract_urls(text)
    hits = urls._extract.cache_info().hits
    urls.extract_urls(text)
    assert urls._extract.cache_info().hits == hits + 1


def test_a_warmed_up_guard_builds_nothing_more_for_any_kind_or_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What :func:`memo.settle` sets aside must be what the guard keeps: after ``warm_up`` no
    post, of any kind or language, makes the guard build another lexicon."""
    monkeypatch.setenv("SMGUARD_DISABLE_PLUGINS", "toxicity")
    guard = Guard(Config.from_dict({}))
    guard.warm_up()
    built = len(guard._index._matchers)
    phrases = _alive("_Phrase")
    guard.check_many(
        [
            {"text": text, "kind": kind, **({"language": lang} if lang else {})}
            for kind in ("post", "reply", "comment", "dm")
            for lang in ("en", "id", None)
            for text in ("Thank you so much, we will fix it", "Makasih kak, nanti kami bantu ya")
        ]
    )
    assert len(guard._index._matchers) == built
    assert _alive("_Phrase") == phrases
