"""Literals that every match of a regular expression holds, found from the pattern itself.

A pattern such as ``(?<!\\d)\\d{8,10}:[A-Za-z0-9_-]{35}`` starts with a character class: Python's
engine tries it at every position of a text, which costs a lot over a long token. Every match
of it holds a ``:``, though, and a text without one cannot match at all. :func:`anchors` reads
such literals from the parsed pattern, so that a cheap ``in`` test decides for most texts that a
pattern need not run. The answer is exact in one direction only: a text holding no anchor has no
match; a text holding one may still have none.

A small class of plain characters counts too (``f[*#@%]ck`` holds one of ``* # @ %``), and where a
pattern offers several choices the rarest wins: a symbol is rarer in posts than a letter, a long
literal than a short one, so ``f[*#@%]ck`` is tested by its symbols, not by its ``f``.
"""

from __future__ import annotations

import re
import warnings
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

__all__ = ["anchors", "may_hold"]

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))


def anchors(pattern: str | re.Pattern[str]) -> frozenset[str] | None:
    """Literals of which every match of ``pattern`` contains at least one, or ``None`` when the
    pattern has no such literals (or ignores case, where a literal may match other letters)."""
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    flags = pattern.flags if isinstance(pattern, re.Pattern) else 0
    if flags & re.IGNORECASE:
        return None
    try:
        with warnings.catch_warnings():  # "possible nested set" and the like: not ours to show
            warnings.simplefilter("ignore")
            parsed = _parser.parse(source, flags)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _sequence(parsed)


def may_hold(text: str, literals: frozenset[str] | None) -> bool:
    """Whether ``text`` may hold a match of a pattern whose :func:`anchors` are ``literals``
    (``None``: no test, so it may)."""
    return literals is None or any(map(text.__contains__, literals))


#: The most characters a class may list to be read as literals (a larger one is a letter range
#: in all but name, and a text holds one of its characters almost always).
_MAX_CLASS = 8


def _rarity(literal: str) -> int:
    # Letters, digits and spaces are in nearly every post; any other character far less often.
    return sum(1 if ch.isalnum() or ch.isspace() else 3 for ch in literal)


def _score(choice: frozenset[str]) -> tuple[int, int]:
    # The commonest literal decides how often a text holds one by chance; fewer literals are
    # cheaper to test.
    return (min(map(_rarity, choice)), -len(choice))


def _class(items: Any) -> frozenset[str] | None:
    """The characters of a class that lists a few plain characters (``[*#@%]``), else ``None``
    (a range, a category such as ``\\d``, a negated class, or too many characters)."""
    chars: set[str] = set()
    for op, av in items:
        if op is not sre.LITERAL:
            return None
        chars.add(chr(av))
    return frozenset(chars) if 0 < len(chars) <= _MAX_CLASS else None


def _sequence(items: Any) -> frozenset[str] | None:
    """The best anchor set of a sequence of items: every match of the sequence matches each
    item, so any one item's anchors (or a run of literals) will do."""
    choices: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            choices.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        flush()
        found: frozenset[str] | None = None
        if op is sre.SUBPATTERN:
            _group, add_flags, _del_flags, inner = av
            if add_flags & re.IGNORECASE:
                return None
            found = _sequence(inner)
        elif op is sre.BRANCH:
            alternatives = [_sequence(alt) for alt in av[1]]
            if all(a is not None for a in alternatives):
                found = frozenset().union(*(a for a in alternatives if a is not None))
        elif op in _REPEATS:
            low, _high, inner = av
            if low >= 1:
                found = _sequence(inner)
        elif op is sre.ATOMIC_GROUP:
            found = _sequence(av)
        elif op is sre.IN:
            found = _class(av)
        # Anything else (any character, a look-around, a position) holds no literal.
        if found:
            choices.append(found)
    flush()
    if not choices:
        return None
    return max(choices, key=_score)
