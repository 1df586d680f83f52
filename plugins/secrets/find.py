"""Finding secrets in a post: long tokens and the known formats among them, matches at their
keywords, what looks like a password or a random value, and advice that is not a leak.
Results are cached per text."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from smguard.guard.literals import anchors, may_hold
from smguard.guard.memo import per_post

from .formats import TokenFormat, formats, placeholder
from .patterns import (
    KEY_RUN_RE,
    MIN_TOKEN,
    PW_STOPWORDS,
    TEACHING_AFTER_RE,
    TEACHING_RE,
)

__all__ = [
    "TokenMatch",
    "at_keywords",
    "entropy",
    "known_tokens",
    "long_tokens",
    "looks_like_password",
    "random_enough",
    "teaching",
]


def entropy(value: str) -> float:
    """Shannon entropy in bits per character: random keys score high, words low."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def long_tokens(text: str) -> tuple[tuple[int, str], ...]:
    """Whitespace-separated tokens of at least 16 characters, with their offsets."""
    return _long_tokens(text)


@per_post
def _long_tokens(text: str) -> tuple[tuple[int, str], ...]:
    out: list[tuple[int, str]] = []
    cursor = 0
    for tok in [t for t in text.split() if len(t) >= MIN_TOKEN]:
        idx = text.find(tok, cursor)
        out.append((idx, tok))
        cursor = idx + len(tok)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TokenMatch:
    start: int
    end: int
    value: str
    kind: str
    #: A placeholder or documentation key (``ghp_xxxx…``, ``AKIAIOSFODNN7EXAMPLE``): a note.
    placeholder: bool = False


_URL_CRED = re.compile(r"[^:]+://(?P<user>[^\s:/@]+):(?P<password>[^\s:/@]+)@(?P<host>[\w.-]+)")
_FILLER_PASSWORDS = frozenset(
    "password pass passwd pwd secret changeme pa55word p4ssword sandi katasandi xxx".split()
)


def _url_placeholder(value: str) -> bool:
    """``https://user:password@example.com``: documentation, not a leak."""
    m = _URL_CRED.match(value)
    if m is None:
        return True
    password, host = m["password"], m["host"].lower().rstrip(".")
    return (
        password.lower() in _FILLER_PASSWORDS
        or password == m["user"]
        or placeholder(password)
        or host in ("localhost", "host", "hostname", "127.0.0.1")
        or host.endswith((".example.com", ".example.org", ".example.net"))
        or host in ("example.com", "example.org", "example.net")
    )


@cache
def _anchored() -> tuple[tuple[TokenFormat, frozenset[str] | None], ...]:
    """Each format with the literals every key of it holds (``None``: no such literal)."""
    return tuple((fmt, anchors(fmt.pattern)) for fmt in formats())


def _format_matches(tok: str) -> Iterator[tuple[TokenFormat, re.Match[str]]]:
    """The keys of a known format in ``tok``, in the order and with the same matches as one
    pattern of all formats (``a|b|c…``) would find them: the leftmost next, the format listed
    first at one position.

    Only the formats whose literals the token holds are searched, each with its own pattern:
    a combined pattern starts with character classes that Python's engine tries at every
    position (~1 µs a character), while most formats start with a literal it finds at C speed.
    """
    pending = [
        (fmt, fmt.pattern.search(tok)) for fmt, literals in _anchored() if may_hold(tok, literals)
    ]
    pos = 0
    while True:
        found: tuple[TokenFormat, re.Match[str]] | None = None
        for k, (fmt, m) in enumerate(pending):
            if m is not None and m.start() < pos:
                m = fmt.pattern.search(tok, pos)
                pending[k] = (fmt, m)
            if m is not None and (found is None or m.start() < found[1].start()):
                found = (fmt, m)
        if found is None:
            return
        yield found
        pos = max(found[1].end(), found[1].start() + 1)


@per_post
def known_tokens(text: str) -> tuple[TokenMatch, ...]:
    """Keys and tokens of a known format (:func:`.patterns.token_formats`) among the long tokens."""
    out: list[TokenMatch] = []
    for offset, tok in _long_tokens(text):
        # Every known format holds a run of 20+ key characters but one, a user name and password
        # in a link (``scheme://user:pass@host``); URLs and long words rarely hold either, and
        # this cheap test spares them the many-way pattern (a run of links is one long token).
        if KEY_RUN_RE.search(tok) is None and ("://" not in tok or "@" not in tok):
            continue
        for fmt, m in _format_matches(tok):
            value = m.group()
            if fmt.needs and fmt.needs not in value:
                continue
            if fmt.id == "url-credentials":
                fake = _url_placeholder(value)
            else:
                fake = placeholder(value, fmt.prefix)
            out.append(TokenMatch(offset + m.start(), offset + m.end(), value, fmt.name_en, fake))
    return tuple(out)


def teaching(low: str, start: int, end: int) -> bool:
    """Whether the words around a match say it is an example or advice."""
    before = low[max(0, start - 40) : start]
    return bool(TEACHING_RE.search(before) or TEACHING_AFTER_RE.search(low, end, end + 30))


def looks_like_password(value: str) -> bool:
    """Whether a value after "password" is one (a digit, a symbol or inner capitals), not a
    word of the sentence."""
    if value.lower() in PW_STOPWORDS:
        return False
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    has_inner_upper = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    return has_digit or has_symbol or has_inner_upper


def at_keywords(pattern: re.Pattern[str], low: str, keywords: Iterable[str]) -> list[re.Match[str]]:
    """Matches of ``pattern`` that start where one of ``keywords`` starts a word.

    Scanning a whole post with a pattern that begins with a look-behind costs Python's engine
    at every position; finding the keywords with ``str.find`` and matching only there is an
    order of magnitude cheaper.
    """
    starts: set[int] = set()
    for kw in keywords:
        i = low.find(kw)
        while i != -1:
            if i == 0 or not low[i - 1].isalpha():
                starts.add(i)
            i = low.find(kw, i + 1)
    out: list[re.Match[str]] = []
    done = 0
    for i in sorted(starts):
        if i < done:
            continue
        m = pattern.match(low, i)
        if m is not None:
            out.append(m)
            done = m.end()
    return out


def random_enough(value: str, min_entropy: float) -> bool:
    """Whether an assigned value looks like a random key rather than a URL or a word."""
    if value.startswith(("http", "www.")) or "://" in value:
        return False
    has_alpha = any(c.isalpha() for c in value)
    has_digit = any(c.isdigit() for c in value)
    if not has_alpha or (not has_digit and len(value) < 32):
        return False
    return entropy(value) >= min_entropy
