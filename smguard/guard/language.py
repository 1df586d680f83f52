"""Language detection for posts that do not say their language.

smguard uses lingua (offline, models inside the wheel) restricted to the languages it has packs
for. Low-accuracy mode loads in ~20 ms instead of ~350 ms and is reliable on the short
Indonesian/English posts smguard sees; ``SMGUARD_LANGUAGE_ACCURACY=high`` selects the full
models. When the top language is not clearly ahead, the caller runs the packs of every language.

Most posts are plainly one language. A first pass counts very common function words of each
language; a post with several of one and none of the other is decided without lingua, which
costs a few microseconds instead of ~60. Everything else — mixed "campur" posts included — goes
to lingua.
"""

from __future__ import annotations

import os
import threading
from typing import Any

__all__ = ["detect", "warm_up"]

_lock = threading.Lock()
_detector: Any = None
_CODES: dict[str, str] = {}


def _get_detector() -> Any:
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                builder = LanguageDetectorBuilder.from_languages(
                    Language.ENGLISH, Language.INDONESIAN
                )
                if os.environ.get("SMGUARD_LANGUAGE_ACCURACY", "low") != "high":
                    builder = builder.with_low_accuracy_mode()
                _CODES.update({"ENGLISH": "en", "INDONESIAN": "id"})
                _detector = builder.build()
    return _detector


def warm_up() -> None:
    """Build the detector and load its models (~50 ms, done on its first detection otherwise:
    a post that happened to be the first to need it would pay for it)."""
    _get_detector().compute_language_confidence_values("Terima kasih, thanks for waiting")


# Function words, pronouns and the commonest chat spellings of each language: words a writer of
# the other language hardly ever uses on their own (no "no", "so" or "like", which Indonesian
# posts borrow).
_EN_WORDS = frozenset(
    "the and is are was were you your to of for with this that have has will our we it not "
    "be on at from they their been would should there what which i me my an in if but just "
    "he she his her him them these those then than its it's i'm im don't dont can't cant "
    "didn't doesn't isn't won't ain't aint u ur youre you're gonna wanna got get when who how "
    "why does did about into out too very really she's he's that's thats y'all".split()
)
_ID_WORDS = frozenset(
    "yang dan di ke dari ini itu untuk dengan tidak kami kita akan pada dalam atau juga sudah "
    "ada saja bisa karena oleh kepada mohon terima kasih sebagai adalah tersebut belum yg dgn "
    "utk gak ga nggak ngga gk tdk aja udah sdh kalo kalau jadi jd lagi lg sama aku saya kamu "
    "gue gua gw lu lo loe elo dia mereka bukan tapi tp biar mau banget bgt kok sih deh dong "
    "nih tuh emang orang org kayak kyk klo pak bu krn karna trus terus sampai sampe".split()
)
#: How many function words of one language, and none of the other, decide without lingua.
_DECISIVE = 2

#: Only the start of a long post goes to lingua: its cost grows with the text, and a thousand
#: characters tell the language as well as twenty thousand do.
MAX_DETECT_CHARS = 1_000

#: Posts shorter than this many words are too short to tell apart reliably (``ok``, ``mantap
#: bro``, ``meeting jam 3 ya``): both packs run.
MIN_WORDS = 6


def detect(text: str, min_confidence: float) -> tuple[str, ...]:
    """Return the post's language, or every supported language when detection is unsure."""
    words = text.lower().split()
    if len(words) < MIN_WORDS:
        return ("en", "id")
    en = sum(map(_EN_WORDS.__contains__, words))
    id_ = sum(map(_ID_WORDS.__contains__, words))
    if en == 0 and id_ >= _DECISIVE:
        return ("id",)
    if id_ == 0 and en >= _DECISIVE:
        return ("en",)
    values = _get_detector().compute_language_confidence_values(text[:MAX_DETECT_CHARS])
    if not values:
        return ("en", "id")
    best = values[0]
    if best.value < min_confidence:
        return ("en", "id")
    return (_CODES[best.language.name],)
