"""How loud a text is: the share of capitals (acronyms, links, @mentions and #hashtags do not
count), runs of ``!`` and ``?``, and the same text said calmly."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .settings import ToneOptions

__all__ = [
    "ASCII_PAIRS",
    "EXCLAIM",
    "PUNCT_RUN_RE",
    "QUESTION",
    "CapsReport",
    "analyse_caps",
    "calm_version",
    "clip",
    "punct_weight",
]

# Links, handles, hashtags, e-mail addresses and bare domains: masked before letters are
# counted. An address or a domain is matched from the start of its run of name characters
# only (the look-behinds): from every word boundary inside a long run ("+62-812-+62-812-…",
# "a.a.a.…") each try read to the end of the run and back, time quadratic in its length
# (200 ms for one fuzzed direct message of 17,541 characters).
_SKIP_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|[@#][\w.]+"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w-])(?<![\w-]\.)(?:[\w-]+\.)+(?:com|id|net|org|co|go|ac|or|sch|io|ly|me|gov|edu|"
    r"info|biz|app|link|site|online|store|shop|my|sg|uk|us)\b(?:/\S*)?",
    re.IGNORECASE,
)
_LETTERS_RE = re.compile(r"[^\W\d_]{2,}")
# Prefilter: capitals count only from a capitalised word of 4+ letters that is not an acronym
# (short ones count only beside such a word), so a text without one cannot shout.
_CAPS_WORD_RE = re.compile(r"(?<![\w#@])[A-ZÀ-ÖØ-Þ]{4,}(?![^\W\d_])")


@dataclass(frozen=True)
class CapsReport:
    """How much of a text is in capitals, over the words that count (see :func:`analyse_caps`)."""

    letters: int = 0
    upper: int = 0
    #: The longest run of consecutive capitalised words, and its span in the text.
    run: int = 0
    run_span: tuple[int, int] | None = None
    #: From the first to the last capitalised word.
    caps_span: tuple[int, int] | None = None

    @property
    def ratio(self) -> float:
        return self.upper / self.letters if self.letters else 0.0

    def shouting(self, options: ToneOptions) -> bool:
        if self.letters < options.min_letters:
            return False
        return self.ratio >= options.caps_ratio or self.run >= options.caps_run


_NO_CAPS = CapsReport()


def analyse_caps(text: str, acronyms: frozenset[str]) -> CapsReport:
    """Measure capitals over words of 2+ letters, ignoring URLs, @mentions, #hashtags, acronyms.

    A short capitalised word (up to 3 letters) that stands alone among normal words is read as an
    acronym too (``transfer lewat BCA``); next to a longer capitalised word it is part of the
    shouting (``SAYA CEK DULU YA``).
    """
    if not any(m.group() not in acronyms for m in _CAPS_WORD_RE.finditer(text)):
        return _NO_CAPS
    masked = _SKIP_RE.sub(lambda m: " " * len(m.group()), text)
    words = [
        (m.start(), m.end(), m.group())
        for m in _LETTERS_RE.finditer(masked)
        if not (m.group().isupper() and m.group().upper() in acronyms)
    ]
    n = len(words)
    caps = [w.isupper() for _, _, w in words]
    long_caps = [c and len(w) >= 4 for c, (_, _, w) in zip(caps, words, strict=True)]
    letters = upper = run = best = 0
    best_span: tuple[int, int] | None = None
    run_start = first = last = -1
    for i, (start, end, word) in enumerate(words):
        if caps[i] and len(word) <= 3:
            beside_shouting = (i > 0 and long_caps[i - 1]) or (i + 1 < n and long_caps[i + 1])
            if not beside_shouting:
                continue  # a lone short capitalised word: an acronym or a name
        letters += len(word)
        if caps[i]:
            upper += len(word)
            if first < 0:
                first = start
            last = end
            if run == 0:
                run_start = start
            run += 1
            if run > best:
                best, best_span = run, (run_start, end)
        else:
            upper += sum(1 for c in word if c.isupper())
            run = 0
    return CapsReport(
        letters=letters,
        upper=upper,
        run=best,
        run_span=best_span,
        caps_span=(first, last) if first >= 0 else None,
    )


def calm_version(text: str, acronyms: frozenset[str]) -> str:
    """The text in sentence case with single punctuation: a concrete "say it like this"."""
    masked = _SKIP_RE.sub(lambda m: " " * len(m.group()), text)
    chars = list(text)
    for m in _LETTERS_RE.finditer(masked):
        word = m.group()
        if word.isupper() and word not in acronyms:
            chars[m.start() : m.end()] = word.lower()
    out = "".join(chars)
    out = PUNCT_RUN_RE.sub(lambda m: "?" if "?" in m.group() else "!", out)
    out = re.sub(r"(^|[.!?]\s+)([^\W\d_])", lambda m: m.group(1) + m.group(2).upper(), out.strip())
    return clip(out)


def clip(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_PUNCT = "!?！？‼⁇⁈⁉❗❕❓❔"
_DOUBLE_PUNCT = frozenset("‼⁇⁈⁉")
QUESTION = frozenset("?？⁇⁈⁉❓❔")
EXCLAIM = frozenset("!！‼⁈⁉❗❕")
ASCII_PAIRS = ("!!", "??", "?!", "!?")
PUNCT_RUN_RE = re.compile(f"[{_PUNCT}]{{2,}}")


def punct_weight(run: str) -> int:
    return sum(2 if c in _DOUBLE_PUNCT else 1 for c in run)
