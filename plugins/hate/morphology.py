"""Indonesian affixes, removed so that one root in the vocabulary covers its derived words.

``dibasmi``, ``membasmi``, ``pembasmian``, ``basmilah`` all reach ``basmi``; ``membunuh`` reaches
``bunuh`` (``mem-`` before b/p), ``menumpas`` reaches ``tumpas`` (``men-`` for a dropped t),
``menyingkirkan`` reaches ``singkir``. The candidates are every reading, not one best guess:
the vocabulary decides which of them is a word it knows, so a wrong reading costs nothing.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["roots"]

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


@lru_cache(maxsize=65536)
def roots(word: str) -> frozenset[str]:
    """``word`` and every reading of it with Indonesian affixes removed."""
    out = _unsuffixed(word)
    for prefix, restore in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_ROOT:
            rest = word[len(prefix) :]
            for start in restore:
                out |= _unsuffixed(start + rest)
    return frozenset(out)
