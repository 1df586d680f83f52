"""Whether the follower's message is a complaint, and what in it says so; the complaint and
courtesy phrase sets, built once per options and slang table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smguard.guard.lexicon import PhraseMatcher
from smguard.guard.normalize import NormalizedText

from .settings import ToneOptions
from .shouting import EXCLAIM, PUNCT_RUN_RE, QUESTION, analyse_caps
from .words import (
    ANGRY_EMOJI,
    COMPLAINT_EN_STRONG,
    COMPLAINT_EN_WEAK,
    COMPLAINT_ID_STRONG,
    COMPLAINT_ID_WEAK,
    COURTESY,
    COURTESY_WEAK,
    SAD_EMOJI,
    STRONG,
    WEAK,
    phrase_words,
    split_phrases,
)

__all__ = [
    "CAPITALS",
    "CAPITALS_SHOWN",
    "COMPLAINT_CACHE",
    "PhraseSet",
    "complaint_markers",
    "phrase_sets",
]

COMPLAINT_CACHE = "tone:complaint"
#: The complaint marker for a follower's message written in capitals.
CAPITALS = "\x00capitals"
CAPITALS_SHOWN = {"en": "written in capitals", "id": "ditulis dengan huruf kapital"}


class PhraseSet:
    """Phrases (word sequences) each carrying a weight, matched with the shared
    :class:`~smguard.guard.lexicon.PhraseMatcher`: forms (leetspeak, slang), stretched letters
    (``maaaaf``) and Indonesian suffixes (``kecewanya``) all count."""

    def __init__(self, phrases: Iterable[tuple[str, int]], slang: Mapping[str, str]) -> None:
        self._matcher: PhraseMatcher[tuple[str, int]] = PhraseMatcher(slang)
        for phrase, weight in phrases:
            words = phrase_words(phrase)
            if words:
                self._matcher.add(words, (" ".join(words), weight))

    def find(
        self, norm: NormalizedText, first_only: bool = False
    ) -> list[tuple[int, int, str, int]]:
        """Every match as ``(first word, last word, phrase, weight)``; with ``first_only``,
        stop at the first one."""
        return [(i, j, key, w) for i, j, (key, w) in self._matcher.find(norm, first_only)]


def complaint_markers(norm: NormalizedText, phrases: PhraseSet, options: ToneOptions) -> list[str]:
    """What in the follower's message says "complaint", strongest first, or ``[]`` when it is
    not a complaint (less than two points: one strong marker or two weak ones)."""
    text = norm.original
    spans = norm.spans
    matches = phrases.find(norm)
    found: list[tuple[int, str]] = []  # (weight, marker)
    seen: set[str] = set()
    for i, j, key, weight in sorted(matches, key=lambda m: m[0]):
        # "belum sampai" says more than the "belum" inside it: keep the longest match at a place.
        inside = any(o[0] <= i and j <= o[1] and o[1] - o[0] > j - i for o in matches)
        if not inside and key not in seen:
            seen.add(key)
            # Quote the follower's own words ("gak bisa"), not the canonical form.
            found.append((weight, text[spans[i][0] : spans[j][1]]))
    runs = [m.group() for m in PUNCT_RUN_RE.finditer(text)]
    angry = [r for r in runs if not QUESTION.isdisjoint(r) and not EXCLAIM.isdisjoint(r)]
    if angry:
        found.append((STRONG, angry[0]))
    elif runs:
        found.append((WEAK, runs[0]))
    if analyse_caps(text, options.acronyms).shouting(options):
        found.append((STRONG, CAPITALS))
    emoji = next((e for e in ANGRY_EMOJI if e in text), None)
    if emoji is not None:
        found.append((STRONG, emoji))
    else:
        emoji = next((e for e in SAD_EMOJI if e in text), None)
        if emoji is not None:
            found.append((WEAK, emoji))
    if sum(weight for weight, _ in found) < STRONG:
        return []
    found.sort(key=lambda f: -f[0])  # stable: strongest first, then in reading order
    return [marker for _, marker in found]


_phrase_cache: dict[
    tuple[int, int], tuple[ToneOptions, Mapping[str, str], PhraseSet, PhraseSet]
] = {}


def phrase_sets(options: ToneOptions, slang: Mapping[str, str]) -> tuple[PhraseSet, PhraseSet]:
    """The complaint and courtesy phrase sets for these options and this slang table."""
    key = (id(options), id(slang))
    hit = _phrase_cache.get(key)
    if hit is not None and hit[0] is options and hit[1] is slang:
        return hit[2], hit[3]
    complaint = [
        (p, STRONG) for p in split_phrases(COMPLAINT_ID_STRONG) + split_phrases(COMPLAINT_EN_STRONG)
    ]
    complaint += [
        (p, WEAK) for p in split_phrases(COMPLAINT_ID_WEAK) + split_phrases(COMPLAINT_EN_WEAK)
    ]
    complaint += [(p, STRONG) for p in options.complaint_words]
    courtesy = [(p, STRONG) for p in [*split_phrases(COURTESY), *options.courtesy_words]]
    courtesy += [(p, WEAK) for p in split_phrases(COURTESY_WEAK)]
    sets = PhraseSet(complaint, slang), PhraseSet(courtesy, slang)
    if len(_phrase_cache) > 32:
        _phrase_cache.clear()
    _phrase_cache[key] = (options, slang, *sets)
    return sets
