"""A pack rule and how it matches: its terms (through the shared index), its regexes, the words
that must or must not stand near a match, and the ``with`` conditions (a link, a contact)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smguard.guard.literals import anchors, may_hold
from smguard.guard.rule import CheckContext, Rule
from smguard.types import Finding, Post

if TYPE_CHECKING:
    from smguard.guard.packs.index import LexiconIndex

__all__ = ["WITH_CONDITIONS", "Context", "PackRule"]

#: What ``match.with`` may require besides the match.
WITH_CONDITIONS = ("link", "contact")
_MAX_FINDINGS_PER_RULE = 10


@dataclass(frozen=True)
class Context:
    """Words that must (``near``) or must not (``not_near``) stand close to a match."""

    words: frozenset[str]
    window: int
    side: str = "both"


@dataclass(eq=False)
class PackRule(Rule):
    """A rule defined in a YAML pack; matched through the pack set's shared index."""

    terms: tuple[tuple[str, ...], ...] = ()
    regexes: tuple[Any, ...] = ()
    regex_on: str = "normalized"
    near: Context | None = None
    not_near: Context | None = None
    with_: tuple[str, ...] = ()
    min_distinct: int = 1
    stem: bool = False
    index: LexiconIndex | None = field(default=None, repr=False)
    #: Per regex, literals one of which every match holds (``None``: no such test); read from
    #: the patterns on first use.
    _anchors: tuple[frozenset[str] | None, ...] | None = field(default=None, init=False, repr=False)

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        matches: list[tuple[int, int, str]] = []  # original start, end, matched key
        if self.terms and self.index is not None:
            hits = self.index.hits(ctx).get(self.id)
            if hits:
                forms = ctx.norm.forms
                spans = ctx.norm.spans
                for i, j, key in hits:
                    if self.near and not _context(forms, i, j, self.near):
                        continue
                    if self.not_near and _context(forms, i, j, self.not_near):
                        continue
                    matches.append((spans[i][0], spans[j][1], key))
        original = self.regex_on == "original"
        subject = (post.text if original else ctx.norm.text) if self.regexes else ""
        for pattern, literals in zip(self.regexes, self._regex_anchors(), strict=True):
            if not may_hold(subject, literals):
                continue  # most posts: no match can lack all of them, so the pattern need not run
            if original:
                found = [(m.start(), m.end(), m.group()) for m in pattern.finditer(subject)]
            else:
                norm = ctx.norm
                found = [
                    (*norm.span(m.start(), m.end()), m.group()) for m in pattern.finditer(subject)
                ]
            if found and (self.near or self.not_near):
                found = [m for m in found if self._regex_context_ok(ctx, m[0], m[1])]
            matches.extend(found)
        if not matches:
            return ()
        # Overlapping matches of one rule are one finding (and count once for min_distinct).
        matches.sort()
        kept: list[tuple[int, int, str]] = []
        for match in matches:
            if not kept or match[0] >= kept[-1][1]:
                kept.append(match)
        if self.min_distinct > 1 and len({k for _, _, k in kept}) < self.min_distinct:
            return ()
        if self.with_ and not _has_required(self.with_, ctx):
            return ()
        return [
            self.finding(span=(s, e), evidence=post.text[s:e])
            for s, e, _ in kept[:_MAX_FINDINGS_PER_RULE]
        ]

    def _regex_anchors(self) -> tuple[frozenset[str] | None, ...]:
        found = self._anchors
        if found is None:
            found = self._anchors = tuple(re2_anchors(p.pattern) for p in self.regexes)
        return found

    def _regex_context_ok(self, ctx: CheckContext, start: int, end: int) -> bool:
        """Apply near / not_near to a regex match through the words it covers.

        The covered words are found by binary search over the words' sorted starts and ends
        (shared by every match of the post), so many matches in a long post stay linear.
        """
        starts, ends = _word_bounds(ctx)
        i = bisect.bisect_right(ends, start)  # the first word ending after the match starts
        j = bisect.bisect_left(starts, end) - 1  # the last word starting before it ends
        if i > j:  # between words: its context is the words on either side
            i = j = bisect.bisect_left(starts, start)
        forms = ctx.norm.forms
        if self.near and not _context(forms, i, j, self.near):
            return False
        return not (self.not_near and _context(forms, i, j, self.not_near))


def re2_anchors(source: str) -> frozenset[str] | None:
    """:func:`~smguard.guard.literals.anchors` of an RE2 pattern (packs are compiled with RE2).

    It reads the pattern as Python's ``re`` does, which agrees with RE2 on what a match must
    hold, and fails (no anchors) on RE2's own escapes; the exception is a POSIX class
    (``[[:alpha:]]``), which Python reads as a set of characters followed by a literal ``]``.
    """
    if "[:" in source:
        return None
    return anchors(source)


def _word_bounds(ctx: CheckContext) -> tuple[list[int], list[int]]:
    """Original start and end offsets of the post's words (both sorted: words do not overlap)."""
    bounds: tuple[list[int], list[int]] | None = ctx.cache.get("word_bounds")
    if bounds is None:
        spans = ctx.norm.spans
        bounds = ([s for s, _ in spans], [e for _, e in spans])
        ctx.cache["word_bounds"] = bounds
    return bounds


def _context(forms: Sequence[tuple[str, ...]], i: int, j: int, ctx: Context) -> bool:
    lo = i - ctx.window if ctx.side in ("both", "before") else i
    hi = j + ctx.window if ctx.side in ("both", "after") else j
    for k in range(max(lo, 0), min(hi, len(forms) - 1) + 1):
        if i <= k <= j:
            continue
        for form in forms[k]:
            if form in ctx.words:
                return True
    return False


def _has_required(conditions: tuple[str, ...], ctx: CheckContext) -> bool:
    from smguard.guard import contacts, urls  # the URL and number finders, loaded when needed

    for cond in conditions:
        if cond == "link":
            if ctx.post.links or urls.extract_urls(ctx.post.text):
                return True
        elif cond == "contact":
            own = _own_numbers(ctx)
            for contact in contacts.find_contacts(ctx.post.text):
                digits = _DIGITS_RE.search(contact.value)
                if digits is None or digits.group() not in own:
                    return True
    return False


_DIGITS_RE = re.compile(r"\d{5,15}")


def _own_numbers(ctx: CheckContext) -> frozenset[str]:
    """The organisation's published numbers (``[plugins.pii] allow_numbers``), as digits: a
    scam phrase next to the official hotline is not a scam with a contact number."""
    cached: frozenset[str] | None = ctx.cache.get("own_numbers")
    if cached is not None:
        return cached
    from smguard.guard import contacts

    out: set[str] = set()
    values = ctx.config.plugin("pii").get("allow_numbers", [])
    for value in values if isinstance(values, list) else []:
        if isinstance(value, str):
            out.add(re.sub(r"\D", "", value))
            e164 = contacts.normalise_phone(value)
            if e164:
                out.add(re.sub(r"\D", "", e164))
    result = frozenset(out)
    ctx.cache["own_numbers"] = result
    return result
