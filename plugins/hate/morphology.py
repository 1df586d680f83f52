"""Indonesian affixes, removed so that one root in the vocabulary covers its derived words.

``dibasmi``, ``membasmi``, ``pembasmian``, ``basmilah`` all reach ``basmi``; ``membunuh`` reaches
``bunuh`` (``mem-`` before b/p), ``menumpas`` reaches ``tumpas`` (``men-`` for a dropped t),
``menyingkirkan`` reaches ``singkir``. The candidates are every reading, not one best guess:
the vocabulary decides which of them is a word it knows, so a wrong reading costs nothing.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["Prefixed", "roots"]

_CLITICS = ("nya", "lah", "kah", "pun", "mu", "ku")
_SUFFIXES = ("kan", "an", "i")
# Prefix → what the root may start with once the prefix is gone ("" keeps the rest as it is).
_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("meny", ("s",)),
    ("peny", ("s",)),
    ("meng", ("", "k")),
    ("peng", ("", "k")),
    ("mem", ("", "p")),
    ("pem", ("", "p")),
    ("men", ("", "t")),
    ("pen", ("", "t")),
    ("me", ("",)),
    ("pe", ("",)),
    ("di", ("",)),
    ("ter", ("",)),
    ("ber", ("",)),
    ("ke", ("",)),
    ("se", ("",)),
    ("ng", ("", "k")),  # Jakarta casual: ngusir, ngebantai → ebantai is harmless
    ("nge", ("",)),
)
_MIN_ROOT = 3


def _unsuffixed(word: str) -> set[str]:
    out = {word}
    for clitic in _CLITICS:
        if word.endswith(clitic) and len(word) - len(clitic) >= _MIN_ROOT:
            out.add(word[: -len(clitic)])
    for form in list(out):
        for suffix in _SUFFIXES:
            if form.endswith(suffix) and len(form) - len(suffix) >= _MIN_ROOT:
                out.add(form[: -len(suffix)])
    return out


# Small: the hate rules remember each form's vocabulary words themselves, so this only spares
# the second call for a form and its squeezed reading (often the same). A large cache of sets
# would only add objects for each full garbage collection to walk through.
@lru_cache(maxsize=1024)
def roots(word: str) -> frozenset[str]:
    """``word`` and every reading of it with Indonesian affixes removed."""
    out = _unsuffixed(word)
    for prefix, restore in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_ROOT:
            rest = word[len(prefix) :]
            for start in restore:
                out |= _unsuffixed(start + rest)
    return frozenset(out)


class Prefixed:
    """A quick necessary test for "one of :func:`roots` of a word is one of these words".

    A root comes from a word by cutting a clitic and a suffix off its end and perhaps a prefix
    off its start (putting back a dropped first letter). So the word without such an ending
    is the root itself or the root with a prefix: this class holds every root with every
    prefix in front (a few thousand strings for a few hundred roots) and looks up the word's
    few unsuffixed readings. It may say yes wrongly (it ignores the minimum lengths), never
    no wrongly; :func:`roots` decides after a yes.
    """

    __slots__ = ("forms", "longest")

    def __init__(self, words: frozenset[str]) -> None:
        forms: set[str] = set(words)
        for word in words:
            for prefix, restore in _PREFIXES:
                for start in restore:
                    if word.startswith(start):
                        forms.add(prefix + word[len(start) :])
        self.forms = frozenset(forms)
        #: No longer word passes (a clitic and a suffix are three letters at most each): a
        #: caller with many words tests their length before calling.
        self.longest = max(map(len, forms), default=0) + 6

    def __call__(self, word: str) -> bool:
        forms = self.forms
        if word in forms:
            return True
        bares = [word]
        if word[-3:] in _CLITICS3:
            bares.append(word[:-3])
        elif word[-2:] in _CLITICS2:
            bares.append(word[:-2])
        for bare in bares:
            if bare is not word and bare in forms:
                return True
            if bare[-1:] == "i" and bare[:-1] in forms:
                return True
            if bare[-2:] == "an" and (
                bare[:-2] in forms or (bare[-3:] == "kan" and bare[:-3] in forms)
            ):
                return True
        return False


_CLITICS3 = frozenset(c for c in _CLITICS if len(c) == 3)
_CLITICS2 = frozenset(c for c in _CLITICS if len(c) == 2)
assert set(_CLITICS) == _CLITICS3 | _CLITICS2 and set(_SUFFIXES) == {"kan", "an", "i"}
