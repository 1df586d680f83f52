"""Text normalisation that survives evasion, with spans that still point into the original.

What a matcher sees, per post:

* ``NormalizedText.text``: the text after Unicode NFKD with accents dropped, case folding,
  zero-width and other invisible characters removed, and look-alike letters from other scripts
  (Cyrillic ``а``, Greek ``ο``, small capital ``ᴀ`` …: :mod:`smguard.guard.confusables`, Unicode's
  confusables data) mapped to Latin; fullwidth ``ａ`` is NFKD's. ``offsets[i]`` is the index in
  the original text of normalised character ``i``.
* ``NormalizedText.tokens``: words, each with the *forms* a lexicon looks up: the word itself,
  its leetspeak reading (``4nj1ng`` → ``anjing``), Indonesian slang spelled out
  (``gw`` → ``gue``, from the packs' slang tables), and words spelled with separated letters
  (``a n j i n g``, ``a.n.j.i.n.g``) joined into one token. Stretched letters
  (``anjiiiing``) are handled by the lexicon through :func:`squeeze`.

ASCII text — most posts — takes a fast path with identity offsets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cached_property, lru_cache
from itertools import accumulate, repeat
from typing import NamedTuple

from smguard.guard.confusables import LOOKALIKES

__all__ = [
    "NormalizedText",
    "Token",
    "deleet",
    "fold",
    "normalize",
    "squeeze",
    "word_forms",
]

# Characters that stand for letters in leetspeak, read only inside words that also have letters.
_LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l", "+": "t",
}  # fmt: skip
_LEET_TABLE = str.maketrans(_LEET)
_LEET_ALT = str.maketrans({**_LEET, "1": "l", "!": "l", "|": "i"})
_LEET_CHARS = frozenset(_LEET)
_LETTER_RE = re.compile(r"[^\W\d_]")

# Words: letters or digits, with leet symbols allowed inside a word. `@` and `$` may lead a word
# (`@njing`, `$hit`) or end it (`a$$`); `!`, `|` and `+` only between letters (`b!tch`).
# Linear time: every quantifier is possessive (giving characters back never helps a match here),
# and a word never starts right after an `@` or `$`, so a long run of them is read once, not
# once from every position (a 20,000-character `@@@…` took seconds before).
_TOKEN_RE = re.compile(r"(?<![@$])[@$]*+[^\W_]++(?:[@$!|+]++[^\W_]++)*+[@$]*+")
#: The same, split on: the gaps and the words in turn.
_TOKEN_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Cc"})
_SEPARATORS = frozenset(" .-_*/\\,·•~")
#: The longest gap between two letters of a spelled-out word (``b 🔥 a``, ``b . a``).
_MAX_GAP = 3
# A cheap test for three or more single letters in a row split by separators (``a n j``,
# ``b🔥a🔥b``): ASCII separators or any other non-word symbol (emoji), up to three in a gap.
_GAP = r"(?:[ .\-_*/\\,·•~]|[^\w\s\x00-\x7f]){1,3}"
_SPELLED_RE = re.compile(rf"\b[^\W_]{_GAP}[^\W_]{_GAP}[^\W_]\b")

_char_cache: dict[str, str] = {}
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


_NO_SLANG: Mapping[str, str] = {}


def _map_char(ch: str) -> str:
    cached = _char_cache.get(ch)
    if cached is not None:
        return cached
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(part) in _INVISIBLE_CATEGORIES and part not in "\n\t":
            continue
        for folded in part.casefold():
            out.append(LOOKALIKES.get(folded, folded))
    mapped = "".join(out)
    if ch in ("\u00a0", "\u2007", "\u202f", "\u3000"):
        mapped = " "
    _char_cache[ch] = mapped
    return mapped


def fold(text: str) -> str:
    """Normalise a text the way posts are normalised (for building lexicons)."""
    if text.isascii():
        return text.lower()
    return "".join(_map_char(c) for c in text)


#: A character the same character follows (all of a run but its last).
_REPEATED_RE = re.compile(r"(.)(?=\1)")


@lru_cache(maxsize=4096)
def squeeze(word: str) -> str:
    """Collapse runs of the same character: ``anjiiiing`` → ``anjing``."""
    # A run is squeezed by deleting every character the same character follows: one pass,
    # with neither a template nor a Python function per run, and a word without a run comes
    # back as the same object (callers test ``is``). Memoised: the lexicon and the hate rules
    # squeeze the same forms of a post (strings only, which the collector does not track).
    return _REPEATED_RE.sub("", word)


def deleet(word: str) -> tuple[str, ...]:
    """Leetspeak readings of a word that mixes letters with digits/symbols (else ``()``)."""
    # Set and regex tests run in C: most words hold no leet character at all.
    if _LEET_CHARS.isdisjoint(word) or _LETTER_RE.search(word) is None:
        return ()
    first = word.translate(_LEET_TABLE)
    alt = word.translate(_LEET_ALT)
    return (first,) if alt == first else (first, alt)


class Token(NamedTuple):
    """A word of the normalised text. ``start``/``end`` index the original text."""

    text: str
    start: int
    end: int
    forms: tuple[str, ...]
    #: True for a word joined from separated letters (``a n j i n g``).
    joined: bool = False


# Every entry of a memo is visited by each full garbage collection (a pause in whichever
# post triggers it, ~0.3 ms per 1,000 entries on a slow CPU): enough for a day's vocabulary.
_MAX_CACHE = 50_000


def word_forms(
    word: str, slang: Mapping[str, str], cache: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """The forms a lexicon looks up for ``word``; memoised, since posts reuse words a lot."""
    cached = cache.get(word)
    if cached is not None:
        return cached
    if len(cache) >= _MAX_CACHE:
        cache.clear()
    forms = [word]
    forms.extend(deleet(word))
    if "z" in word:
        # Alay spelling writes "s" as "z" ("bangzat", "kampretz", "cebongz"). The pack terms
        # this turns into other terms are spellings of one word ("kadrunz", "hoez").
        forms.extend(f.replace("z", "s") for f in list(forms) if "z" in f)
    if slang:
        for f in list(forms):
            canon = slang.get(f)
            if canon is not None and canon not in forms:
                forms.append(canon)
    result = tuple(dict.fromkeys(forms))
    cache[word] = result
    return result


#: Runs of characters whose mapping is not one character long (one byte per length: no
#: mapping of ``_map_char`` is longer than 18).
_NOT_ONE = re.compile(rb"[^\x01]+")


def _offsets(parts: list[str]) -> list[int]:
    """The original index of each character of ``"".join(parts)``, where ``parts[i]`` is what
    original character ``i`` became (most often one character, sometimes none or several).

    Runs of one-to-one characters are ranges, added in C; only the others take a Python step
    each. Most texts have a few of them (an invisible character dropped, a ligature spelled out).
    """
    lengths = bytes(map(len, parts))
    offsets: list[int] = []
    done = 0
    for m in _NOT_ONE.finditer(lengths):
        start, end = m.span()
        offsets.extend(range(done, start))
        for i in range(start, end):
            offsets.extend([i] * lengths[i])
        done = end
    offsets.extend(range(done, len(parts)))
    return offsets


class NormalizedText:
    """A post's text, normalised for matching, with a map back to original offsets."""

    __slots__ = ("__dict__", "_cache", "offsets", "original", "slang", "text")

    def __init__(
        self,
        original: str,
        slang: Mapping[str, str] = _NO_SLANG,
        cache: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.original = original
        self.slang = slang
        self._cache = {} if cache is None else cache
        if original.isascii():
            self.text = original.lower()
            self.offsets: list[int] | None = None
            return
        # Most non-ASCII posts only hold emoji, dashes, accents or look-alikes that map to
        # exactly one character each: lower-case in C, replace those few characters, and keep
        # identity offsets.
        special = set(_NON_ASCII_RE.findall(original))
        if all(len(_map_char(c)) == 1 for c in special):
            text = original.lower()
            if len(text) == len(original):
                for c in special:
                    mapped, lowered = _map_char(c), c.lower()
                    if mapped != lowered:
                        text = text.replace(lowered, mapped)
                self.text = text
                self.offsets = None
                return
        # Each distinct character is mapped once; the text and the original offset of each of
        # its characters are then built in C, not with a Python step per character.
        mapping = {c: c.lower() if c.isascii() else _map_char(c) for c in set(original)}
        parts = list(map(mapping.__getitem__, original))
        self.text = "".join(parts)
        self.offsets = _offsets(parts)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` to the original text."""
        if self.offsets is None:
            return start, end
        if start >= len(self.offsets):
            return len(self.original), len(self.original)
        return self.offsets[start], self.offsets[max(end - 1, start)] + 1

    # Words are found with one C-level findall; their original offsets and their lexicon forms
    # are worked out only when something asks (most words of most posts match nothing).

    @cached_property
    def words(self) -> list[str]:
        """The normalised words, letters spelled out with separators joined into one word."""
        words: list[str] = _TOKEN_RE.findall(self.text)
        if _SPELLED_RE.search(self.text):
            words, spans, joined = _join_spelled_out(self.text, self.offsets)
            self.__dict__["spans"] = spans
            self.__dict__["joined"] = joined
        return words

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        """``(start, end)`` in the original text of each word of :attr:`words`."""
        if "spans" not in self.__dict__:
            self.words  # noqa: B018 - may fill the spans while joining spelled-out letters
        if "spans" in self.__dict__:
            spans: list[tuple[int, int]] = self.__dict__["spans"]
            return spans
        starts, ends = _bounds(_TOKEN_RE.split(self.text), self.words)
        return _original_spans(starts, ends, self.offsets)

    @cached_property
    def joined(self) -> frozenset[int]:
        """Indexes of words joined from separated letters."""
        self.words  # noqa: B018 - sets the joined words when there are any
        result: frozenset[int] = self.__dict__.get("joined", frozenset())
        return result

    @cached_property
    def forms(self) -> list[tuple[str, ...]]:
        """The lexicon forms of each word (itself, leetspeak reading, slang spelled out)."""
        cache, slang = self._cache, self.slang
        return [cache.get(w) or word_forms(w, slang, cache) for w in self.words]

    @cached_property
    def tokens(self) -> list[Token]:
        """Words with their original spans and forms, as objects."""
        joined = self.joined
        return [
            Token(word, start, end, forms, n in joined)
            for n, (word, (start, end), forms) in enumerate(
                zip(self.words, self.spans, self.forms, strict=True)
            )
        ]


def _bounds(gaps: list[str], words: list[str]) -> tuple[list[int], list[int]]:
    """Each word's start and end in the normalised text, which is ``gaps[0] words[0] gaps[1]
    words[1] …``: running sums of their lengths, in C rather than a Python step per word."""
    lengths = [0] * (2 * len(words) + 1)
    lengths[0::2] = map(len, gaps)
    lengths[1::2] = map(len, words)
    bounds = list(accumulate(lengths))
    return bounds[0:-1:2], bounds[1::2]


def _original_spans(
    starts: list[int], ends: list[int], offsets: list[int] | None
) -> list[tuple[int, int]]:
    """Normalised ``[start, end)`` spans as spans of the original text."""
    if offsets is not None:
        starts = list(map(offsets.__getitem__, starts))
        ends = list(map((1).__add__, map(offsets.__getitem__, map((-1).__add__, ends))))
    return list(zip(starts, ends, strict=True))


#: Three or more one-letter words in a row (one byte per word: its length, at most 2).
_SINGLES_RUN = re.compile(rb"\x01{3,}")


def _gap_kind(gap: str) -> str | None:
    """What separates two letters of a spelled-out word, or ``None`` if this gap does not.

    Separators are spaces, dots, dashes and the like, or symbols such as emoji; every emoji
    counts as the same kind, so ``b🔥a💥b`` is one word, while a change of kind ends a word:
    ``b.a.b.i g o b l o k`` is two words, not ``babigoblok``.
    """
    if gap in _SEPARATORS:  # most often one space or one dot
        return gap
    if not 0 < len(gap) <= _MAX_GAP:
        return None
    kind = []
    for c in gap:
        if c in _SEPARATORS:
            kind.append(c)
        elif c > "\x7f" and not c.isalnum() and not c.isspace():
            kind.append("*")
        else:
            return None
    return "".join(kind)


def _join_spelled_out(
    text: str, offsets: list[int] | None
) -> tuple[list[str], list[tuple[int, int]], frozenset[int]]:
    """Words and spans with runs of 3+ single letters split by separators joined into one word.

    The letters of one word are split by the same kind of separator throughout; where the kind
    changes (dots, then spaces, then emoji), a new word begins.
    """
    # The text is gaps and words in turn (one pass of the pattern finds both).
    parts = _TOKEN_SPLIT_RE.split(text)
    words, gaps = parts[1::2], parts[0::2]
    starts, ends = _bounds(gaps, words)
    # Only a run of three or more one-letter words can hold a spelled-out word. Each run is
    # read from its start: a word is joined from letter i to letter j when every gap between
    # them is of one kind, else the next letter may still start one.
    found: list[tuple[int, int]] = []
    for run in _SINGLES_RUN.finditer(bytes(map(min, map(len, words), repeat(2)))):
        i, last = run.span()
        while i < last - 2:
            kind = _gap_kind(gaps[i + 1])
            j = i + 1
            if kind is not None:
                while j + 1 < last and _gap_kind(gaps[j + 1]) == kind:
                    j += 1
            if j - i >= 2:
                found.append((i, j))
                i = j + 1
            else:
                i += 1
    # The words between joined ones are kept as they are, in slices.
    out: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    joined: set[int] = set()
    done = 0
    for i, j in found:
        out.extend(words[done:i])
        out_starts.extend(starts[done:i])
        out_ends.extend(ends[done:i])
        joined.add(len(out))
        out.append("".join(words[i : j + 1]))
        out_starts.append(starts[i])
        out_ends.append(ends[j])
        done = j + 1
    out.extend(words[done:])
    out_starts.extend(starts[done:])
    out_ends.extend(ends[done:])
    return out, _original_spans(out_starts, out_ends, offsets), frozenset(joined)


def normalize(
    text: str,
    slang: Mapping[str, str] = _NO_SLANG,
    cache: dict[str, tuple[str, ...]] | None = None,
) -> NormalizedText:
    """Normalise ``text``; ``slang`` maps slang spellings to the words lexicons use.

    ``cache`` memoises word forms across posts; it must belong to one slang table.
    """
    return NormalizedText(text, slang, cache)
