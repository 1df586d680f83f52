"""Phrase matching on normalised words, shared by rule packs and code rules.

A :class:`PhraseMatcher` holds phrases (sequences of words, each carrying a payload) and finds
them in a :class:`~smguard.guard.normalize.NormalizedText`. A word of a post matches a phrase word
through any of its forms (itself, its leetspeak reading, its slang spelling-out), through its
stretched letters squeezed (``anjiiiing``, ``maaaaf``) and — for phrases that allow it — with an
Indonesian suffix removed (``bangsatnya``, ``kecewanya``).

What a word can match is worked out once per distinct word and remembered, so a post costs about
one set operation plus one dictionary look-up per word that starts a phrase. What is remembered
per word is a tuple of tuples of strings: the garbage collector stops tracking such tuples, so a
memo of many thousand words does not make every full collection (a pause in whichever post
happens to trigger it) walk through them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from smguard.guard.normalize import NormalizedText, squeeze, word_forms

__all__ = ["ID_SUFFIXES", "PhraseMatcher"]

T = TypeVar("T")

#: Indonesian suffixes that may be removed from a word: -nya, -lah, -kah, -pun, -mu, -ku.
ID_SUFFIXES = ("nya", "lah", "kah", "pun", "mu", "ku")
_DOUBLE_RE = re.compile(r"(.)\1")
_TRIPLE_RE = re.compile(r"(.)\1\1")
# Every entry of a memo is visited by each full garbage collection (a pause in whichever
# post triggers it, ~0.3 ms per 1,000 entries on a slow CPU): enough for a day's vocabulary.
_MAX_WORDS = 50_000


#: What one word of a post can stand for: ``(plain, squeezed, stems, every)``, where ``plain`` is
#: the word's forms, ``squeezed`` those forms with stretched letters squeezed (when stretched
#: far enough to count), ``stems`` those forms with an Indonesian suffix removed, and ``every``
#: all of them, what a phrase's next word is first tested against. Plain tuples (see above).
_Candidates = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class _Phrase(Generic[T]):
    rest: tuple[frozenset[str], ...]
    payload: T
    stem: bool


@dataclass(frozen=True)
class _Starting(Generic[T]):
    """The phrases a word can start: one-word ones (done) and longer ones (to follow up)."""

    singles: tuple[T, ...]
    longer: tuple[_Phrase[T], ...]
    #: Every form the second word of a longer phrase may take (squeezed too): a next word
    #: none of whose forms is here continues none of them, which one set operation tells.
    seconds: frozenset[str]


_NOTHING: _Starting[object] = _Starting((), (), frozenset())


class PhraseMatcher(Generic[T]):
    """Phrases looked up by their first word; ``find`` returns ``(first, last, payload)``."""

    def __init__(
        self,
        slang: Mapping[str, str],
        *,
        forms: dict[str, tuple[str, ...]] | None = None,
        candidates: dict[str, _Candidates] | None = None,
    ) -> None:
        """``forms`` and ``candidates`` may be shared by matchers of the same ``slang``: what a
        word can stand for does not depend on the phrases."""
        self.slang = slang
        self._exact: dict[str, list[_Phrase[T]]] = {}
        self._squeezed: dict[str, list[_Phrase[T]]] = {}
        self._forms: dict[str, tuple[str, ...]] = {} if forms is None else forms
        self._cands: dict[str, _Candidates] = {} if candidates is None else candidates
        self._starts: dict[str, _Starting[T]] = {}
        #: The words seen so far that start at least one phrase.
        self._hot: set[str] = set()
        #: No word whose every form, squeezed, is longer than this starts a phrase (the
        #: longest first word, with an Indonesian suffix).
        self._longest = 0

    def add(self, words: Sequence[str], payload: T, *, stem: bool = True) -> None:
        """Add a phrase of normalised words; ``stem`` lets its words drop Indonesian suffixes."""
        if not words:
            raise ValueError("a phrase needs at least one word")
        variants = tuple(frozenset({w, self.slang.get(w, w)}) for w in words)
        phrase = _Phrase(variants[1:], payload, stem)
        for first in variants[0]:
            self._exact.setdefault(first, []).append(phrase)
            self._squeezed.setdefault(squeeze(first), []).append(phrase)
            self._longest = max(self._longest, len(first) + max(map(len, ID_SUFFIXES)))
        self._starts.clear()
        self._hot.clear()

    def candidates(self, word: str) -> _Candidates:
        found = self._cands.get(word)
        if found is not None:
            return found
        forms = self._forms
        plain = forms.get(word) or word_forms(word, self.slang, forms)
        # Dictionaries as ordered sets: the same word always gives the same tuples.
        squeezed: dict[str, None] | None = None
        stems: dict[str, None] | None = None
        for form in plain:
            if _DOUBLE_RE.search(form):
                sq = squeeze(form)
                # "anjiing" → "anjing"; but "good" is not "god": short words need a real stretch.
                if len(sq) >= 4 or _TRIPLE_RE.search(form):
                    squeezed = squeezed or {}
                    squeezed[sq] = None
            if len(form) > 6 and form.endswith(ID_SUFFIXES):
                stems = stems or {}
                stems.update((form[: -len(s)], None) for s in ID_SUFFIXES if form.endswith(s))
        if squeezed or stems:
            extra = (*(squeezed or ()), *(stems or ()))
            every = tuple(dict.fromkeys((*plain, *extra)))
            found = (plain, tuple(squeezed or ()), tuple(stems or ()), every)
        else:
            found = (plain, (), (), plain)  # most words: nothing but their forms
        if len(self._cands) >= _MAX_WORDS:
            self._cands.clear()
        self._cands[word] = found
        return found

    def _phrases_starting(self, word: str) -> _Starting[T]:
        started = self._starts.get(word)
        if started is not None:
            return started
        if len(word) > self._longest:
            # A long word (a piece of a random token, most often): its forms are read, but
            # not the rest of what it can stand for, when each is too long to start a phrase.
            forms = self._forms
            plain = forms.get(word) or word_forms(word, self.slang, forms)
            longest = self._longest
            if all(len(f) > longest and len(squeeze(f)) > longest for f in plain):
                return self._remember(word, _NOTHING)  # type: ignore[arg-type]
        plain, squeezed, stems, _ = self.candidates(word)
        exact = self._exact
        if (
            exact.keys().isdisjoint(plain)
            and (not squeezed or self._squeezed.keys().isdisjoint(squeezed))
            and (not stems or exact.keys().isdisjoint(stems))
        ):
            # Most words start no phrase: say so without building anything.
            return self._remember(word, _NOTHING)  # type: ignore[arg-type]
        out: dict[int, _Phrase[T]] = {}
        for form in plain:
            for p in self._exact.get(form, ()):
                out.setdefault(id(p), p)
        for form in squeezed:
            for p in self._squeezed.get(form, ()):
                out.setdefault(id(p), p)
        for form in stems:
            for p in self._exact.get(form, ()):
                if p.stem:
                    out.setdefault(id(p), p)
        phrases = tuple(out.values())
        longer = tuple(p for p in phrases if p.rest)
        seconds = {a for p in longer for a in p.rest[0]}
        seconds.update([squeeze(a) for a in seconds])
        result: _Starting[T] = (
            _Starting(tuple(p.payload for p in phrases if not p.rest), longer, frozenset(seconds))
            if phrases
            else _NOTHING  # type: ignore[assignment]
        )
        return self._remember(word, result)

    def _remember(self, word: str, result: _Starting[T]) -> _Starting[T]:
        # No clearing here: a memo emptied half-way through a post would forget the words of
        # that post already looked up (see find, which makes room before it looks up).
        self._starts[word] = result
        if result is not _NOTHING:
            self._hot.add(word)
        return result

    def _continues(self, word: str, alternatives: frozenset[str], stem: bool) -> bool:
        plain, squeezed, stems, _ = self.candidates(word)
        if not alternatives.isdisjoint(plain):
            return True
        if squeezed and any(squeeze(a) in squeezed for a in alternatives):
            return True
        return stem and not alternatives.isdisjoint(stems)

    def find(self, norm: NormalizedText, first_only: bool = False) -> list[tuple[int, int, T]]:
        """Every phrase occurrence as ``(first word, last word, payload)``, in reading order."""
        words = norm.words
        distinct = set(words)
        joined = norm.joined
        if joined:
            # "what a m o r o n" joins to "amoron": also try it without the article.
            distinct.update(
                words[k][1:] for k in joined if words[k][0] in "ai" and len(words[k]) >= 5
            )
        starts = self._starts
        new = distinct.difference(starts)
        if new:
            if len(starts) + len(new) > _MAX_WORDS:
                # Make room before this post's words are looked up, with new objects: a post
                # being matched in another thread keeps the two it read, which agree.
                self._starts = starts = {}
                self._hot = set()
                new = distinct  # every word of this post, not only those new to the old memo
            for word in new:
                self._phrases_starting(word)
        hot = self._hot
        if distinct.isdisjoint(hot):
            return []
        found: list[tuple[int, int, T]] = []
        n = len(words)
        for i, word in enumerate(words):
            if word not in hot:
                if i not in joined or word[1:] not in hot or word[0] not in "ai":
                    continue
                word = word[1:]
            starting = starts.get(word) or self._phrases_starting(word)
            for payload in starting.singles:
                found.append((i, i, payload))
                if first_only:
                    return found
            if not starting.longer or i + 1 >= n:
                continue
            if starting.seconds.isdisjoint(self.candidates(words[i + 1])[3]):
                continue
            for phrase in starting.longer:
                j = i
                for alternatives in phrase.rest:
                    j += 1
                    if j >= n or not self._continues(words[j], alternatives, phrase.stem):
                        break
                else:
                    found.append((i, j, phrase.payload))
                    if first_only:
                        return found
        return found

    def extend(self, phrases: Iterable[tuple[Sequence[str], T]], *, stem: bool = True) -> None:
        for words, payload in phrases:
            self.add(words, payload, stem=stem)
