"""What a link's host says about it: shorteners, link-in-bio hubs, gambling and porn words.

Plain data and one judgement (:func:`gambling_or_porn`), used by the shortener and
gambling/porn rules (:mod:`.rules`) and for the default ``shorteners`` setting (:mod:`.settings`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["LINK_HUBS", "SHORTENERS", "TOKEN_SPLIT", "gambling_or_porn"]

#: Link shorteners: the reader cannot see where the link goes.
SHORTENERS: frozenset[str] = frozenset({
    "bit.ly", "bitly.com", "bit.do", "s.id", "tinyurl.com", "tiny.cc", "tiny.one", "t.ly",
    "cutt.ly", "cutt.us", "rebrand.ly", "ow.ly", "is.gd", "v.gd", "shorturl.at", "shorturl.asia",
    "lnkd.in", "buff.ly", "goo.gl", "rb.gy", "t.co", "ouo.io", "adf.ly", "shorte.st", "sfl.ink",
    "safelinku.com", "clck.ru", "qr.ae", "po.st", "x.co", "u.to", "soo.gd", "kutt.it", "gg.gg",
    "t2m.io", "surl.li", "short.gy", "shrtco.de", "wa.link", "urlz.fr", "l.ead.me", "tr.im",
    "bl.ink", "short.io", "dub.sh", "tny.sh",
})  # fmt: skip

#: Link-in-bio pages: not shorteners, but gambling sites hide behind them; their paths are
#: checked for gambling and porn words like shortener paths are.
LINK_HUBS: frozenset[str] = frozenset({
    "heylink.me", "linktr.ee", "lynk.id", "bio.link", "linkr.bio", "msha.ke", "beacons.ai",
    "taplink.cc", "linkin.bio", "many.link", "solo.to", "campsite.bio", "linkbio.co",
})  # fmt: skip

#: Words in a domain that mean gambling or porn. Substrings are distinctive wherever they
#: appear; tokens must be a whole word of the domain (``slot88`` yes, ``timeslot`` no).
_GAMBLING_SUBSTRINGS = ("gacor", "togel", "maxwin", "sbobet", "judol", "casino", "jackpot",
                        "poker", "pragmaticplay", "slot88", "slotgacor")  # fmt: skip
_GAMBLING_TOKENS = frozenset({"slot", "judi", "bet", "toto", "bandar", "rtp", "depo", "jp",
                              "scatter", "zeus", "mahjong", "spaceman", "qq"})  # fmt: skip
_PORN_SUBSTRINGS = ("bokep", "porn", "xxx", "xnxx", "xvideo", "hentai", "xhamster", "redtube",
                    "brazzers", "onlyfans", "chaturbate", "bugil", "ngentot", "memek", "colmek",
                    "nsfw", "mesum", "jilbabhot")  # fmt: skip
_PORN_TOKENS = frozenset({"sex", "jav", "porno", "seks", "ngewe", "sange", "abg", "hot"})
# Tokens that are gambling only with a partner word ("situsslot", "slotonline", "rajaslot").
_GAMBLING_PARTNERS = frozenset(
    """
    situs online gacor resmi terpercaya link login daftar alternatif toto vip maxwin demo pulsa
    deposit depo hoki win zeus olympus bet game games club king raja dewa mpo sultan indo terbaru
    rtp live asia bos boss gratis hari ini pg thailand server
""".split()
)
# The ambiguous tokens above ("jp", "hot", "qq", "abg", "zeus" …) only count together with
# another gambling / porn word in the same host.
_WEAK_TOKENS = frozenset({"jp", "hot", "qq", "abg", "zeus", "rtp", "depo", "scatter", "toto",
                          "bandar", "spaceman", "mahjong"})  # fmt: skip

#: Splits a host name or path into words.
TOKEN_SPLIT = re.compile(r"[^a-z]+")


def gambling_or_porn(words: Sequence[str], extra: Sequence[str] = ()) -> str | None:
    """``"gambling"`` or ``"porn"`` when the words of a host or path say so, else ``None``."""
    if not words:
        return None
    joined = "-".join(words)
    for sub in _GAMBLING_SUBSTRINGS:
        if sub in joined:
            return "gambling"
    for sub in _PORN_SUBSTRINGS:
        if sub in joined:
            return "porn"
    for word in extra:
        if word in joined:
            return "gambling"
    strong: str | None = None
    weak = 0
    for w in words:
        if w in _GAMBLING_TOKENS:
            if w in _WEAK_TOKENS:
                weak += 1
            else:
                strong = strong or "gambling"
        elif w in _PORN_TOKENS:
            if w in _WEAK_TOKENS:
                weak += 1
            else:
                strong = strong or "porn"
        elif len(w) > 5:
            for stem in ("slot", "judi"):
                if w.startswith(stem) and w[len(stem) :] in _GAMBLING_PARTNERS:
                    return "gambling"
                if w.endswith(stem) and w[: -len(stem)] in _GAMBLING_PARTNERS:
                    return "gambling"
    if strong:
        return strong
    if weak >= 2:
        return "gambling"
    return None
