"""Whether a reply is courteous: a score from its words, its address and its sign-off.

One strong sign is enough (a greeting or address such as "Kak", an apology, thanks, an offer of
help, empathy, congratulations, a good wish); soft signs count one point each and two are needed:
"please"/"mohon"/"ya", a polite question ("could you"), a friendly emoji, the follower's @handle
at the start of the reply, and a personal sign-off at its end (``^AB``, ``/JS``, ``*SR``,
``~Mikayla``, ``-Tim CS``, ``(Rina)``). So "@rina Please send us an email ^JR" is courteous, while
"Read the FAQ." and "@rina Read the FAQ." are not.
"""

from __future__ import annotations

import re
from functools import lru_cache

from smguard.guard.normalize import NormalizedText

from .complaints import PhraseSet
from .words import COURTESY_EMOJI, COURTESY_SYMBOLS, STRONG, WEAK

__all__ = ["courtesy_points", "sign_off_re"]

#: Links at the end of a reply, from the start of the white space before the first: only there
#: (a search that began inside a run of 20,000 new lines read to its end from every one of them,
#: 3.6 s), and what it reads is never given back.
_TRAILING_LINKS = re.compile(r"(?<!\s)(?:\s++(?:https?://|www\.)\S++)+\s*+$")


@lru_cache(maxsize=16)
def sign_off_re(marks: str) -> re.Pattern[str]:
    """A sign-off at the end of a reply: a mark then initials or up to three capitalised
    words (an optional "2/3" tweet counter after), or a name in brackets."""
    mark = "[" + re.escape(marks) + "]" if marks else "(?!)"
    name = r"[A-Z][A-Za-z'.]{0,24}(?:[ ]+[A-Z][A-Za-z'.]{0,24}){0,2}"
    return re.compile(
        rf"(?:^|\s){mark}[ ]?{name}(?:[ ]+\d{{1,2}}/\d{{1,2}})?\s*$|\(\s?{name}\s?\)\s*$"
    )


def courtesy_points(norm: NormalizedText, phrases: PhraseSet, marks: str) -> int:
    """How courteous the reply is: at least :data:`STRONG` points is courteous enough."""
    text = norm.original
    if any(s in text for s in COURTESY_SYMBOLS):
        return STRONG
    points = 0
    # Soft phrases count once per place: slang spellings ("pls") of one word match together.
    seen: set[int] = set()
    for first, _, _, weight in phrases.find(norm):
        if weight >= STRONG:
            return STRONG
        if first not in seen:
            seen.add(first)
            points += weight
    words = norm.words
    if words and words[0].startswith("@"):
        points += WEAK
    if any(e in text for e in COURTESY_EMOJI):
        points += WEAK
    if sign_off_re(marks).search(_TRAILING_LINKS.sub("", text)):
        points += WEAK
    return points
