"""Letters that look like Latin ones: one table for text normalisation and for link look-alikes.

:data:`LOOKALIKES` maps a lower-case letter to the basic Latin letter or digit it imitates
(Cyrillic ``а`` → ``a``, Greek ``ο`` → ``o``, Armenian ``օ`` → ``o``, Cherokee ``Ꭺ`` → ``a``,
``ł`` → ``l``). It is made of, in this order of precedence:

1. Unicode's confusables data (UTS #39), generated into :mod:`smguard.guard._confusables_data`
   by :mod:`smguard.guard.confusables_build`: letters that look like a Latin one;
2. :data:`EXTRA`, smguard's own additions: letters whose look-alike in Unicode's data is not a
   basic Latin letter (Cyrillic ``п`` and Greek ``μ``, ``ω``), and the small capitals, which
   Unicode relates to no Latin letter but which are read as the letters they are written for;
3. from the same data, small letters whose capital looks Latin while they do not (Cyrillic
   ``в``: ``В`` looks like ``B``), since users look letters up lower-cased.

Users decompose (NFKD) and lower-case a character before they look it up, so fullwidth ``ａ``
and mathematical ``𝐚`` are not in the table: decomposition turns them into ``a`` first.
Leetspeak (``4`` → ``a``) is the normaliser's own business (:mod:`smguard.guard.normalize`), and
``rn`` → ``m`` is the link skeletons'.

Imports nothing but the generated data: the normaliser loads this on every check.
"""

from __future__ import annotations

from smguard.guard._confusables_data import LOOKALIKES as _UNICODE
from smguard.guard._confusables_data import OTHER_CASE as _OTHER_CASE

__all__ = ["EXTRA", "LOOKALIKES", "TRANSLATION", "imitates_latin"]

#: Look-alikes that Unicode's data does not map to a basic Latin letter, by the letter they are
#: used for.
EXTRA: dict[str, str] = {
    # Unicode: п ~ π, ω ~ ꞷ, μ ~ µ (and its capital Μ ~ M)
    "п": "n", "ω": "w", "μ": "u",
    # small capitals (Unicode's data has ᴄ ɪ ᴏ ꜱ ᴜ ᴠ ᴡ ʏ ᴢ ʀ)
    "ᴀ": "a", "ʙ": "b", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ᴊ": "j", "ᴋ": "k",
    "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴘ": "p", "ꞯ": "q", "ᴛ": "t",
    # dotless j, ligatures
    "ȷ": "j", "æ": "ae", "œ": "oe",
}  # fmt: skip


def _by_letter(table: dict[str, str]) -> dict[str, str]:
    return {char: latin for latin, chars in table.items() for char in chars}


#: Letter → the basic Latin letter(s) or digit it imitates.
LOOKALIKES: dict[str, str] = {**_by_letter(_OTHER_CASE), **EXTRA, **_by_letter(_UNICODE)}

#: :data:`LOOKALIKES` for :meth:`str.translate`.
TRANSLATION = str.maketrans(LOOKALIKES)


def imitates_latin(char: str) -> bool:
    """Whether ``char`` (lower-case) is a letter of another script, or a phonetic or rare Latin
    letter, that imitates a basic Latin one. Letters that write European and African languages
    (``ø``, ``ł``, ``đ``, ``ı``: Latin-1 and Latin Extended-A/B) do not count, though they fold."""
    return char in LOOKALIKES and not "\u00c0" <= char <= "\u024f"
