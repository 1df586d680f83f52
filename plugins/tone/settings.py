"""``[plugins.tone]``: the tone rules' thresholds and word lists — the table (:class:`ToneTable`,
checked when the configuration is loaded) and what the rules read (:func:`tone_options`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from msgspec import Meta

from smguard.config.schema import NAMES, Table, invalid, listing, str_list
from smguard.types import POST_KINDS

from .words import DEFAULT_ACRONYMS, DEFAULT_SIGN_OFF_MARKS, phrase_words

__all__ = ["ToneOptions", "ToneTable", "tone_options"]

_DEFAULT_KINDS = frozenset({"reply", "comment", "dm"})
_WORDS = listing("a list of words")


class ToneTable(Table, frozen=True):
    """``[plugins.tone]``: when a reply is shouting, and the words the rules know."""

    caps_ratio: Annotated[
        float, Meta(gt=0, le=1, description="Share of capital letters that counts as shouting.")
    ] = 0.6
    min_letters: Annotated[int, Meta(ge=1, description="Shorter replies are never shouting.")] = 12
    caps_run: Annotated[
        int, Meta(ge=2, description="This many capitalised words in a row is shouting too.")
    ] = 3
    punctuation_run: Annotated[
        int, Meta(ge=2, description='"!!!" and longer runs of this many marks.')
    ] = 3
    acronyms: Annotated[
        NAMES, _WORDS, Meta(description="Added to the built-in acronyms (BPJS, KTP, NIK, OTP …).")
    ] = ()
    complaint_words: Annotated[
        NAMES, _WORDS, Meta(description="Added to the built-in complaint markers.")
    ] = ()
    courtesy_words: Annotated[
        NAMES, _WORDS, Meta(description="Added to the built-in greetings, apologies and thanks.")
    ] = ()
    sign_off_marks: Annotated[
        str,
        Meta(
            max_length=20,
            description='Marks that start a sign-off ending a reply ("^AB", "-Tim CS").',
        ),
    ] = DEFAULT_SIGN_OFF_MARKS
    kinds: Annotated[
        NAMES, _WORDS, Meta(description="Kinds of post checked (default: reply, comment, dm).")
    ] = tuple(sorted(_DEFAULT_KINDS))

    def __post_init__(self) -> None:
        for key in ("acronyms", "complaint_words", "courtesy_words", "kinds"):
            if any(not word.strip() for word in str_list(getattr(self, key))):
                invalid(key, "must be a list of words")
        for word in _stripped(self.acronyms):
            if not word.isalpha():
                invalid("acronyms", f"{word!r} must be letters only, like BPJS")
        kinds = _stripped(self.kinds)
        for kind in kinds:
            if kind not in POST_KINDS:
                invalid("kinds", f"{kind!r} is not one of {', '.join(POST_KINDS)}")
        if not kinds:
            invalid("kinds", f"must name at least one of {', '.join(POST_KINDS)}")
        if any(c.isalnum() or c.isspace() for c in self.sign_off_marks):
            invalid("sign_off_marks", "must be punctuation marks only, like ^*~/-")
        for key in ("complaint_words", "courtesy_words"):
            for phrase in _stripped(getattr(self, key)):
                if not phrase_words(phrase):
                    invalid(key, f"{phrase!r} has no words to match")


@dataclass(frozen=True)
class ToneOptions:
    """The tone rules' thresholds and word lists, from ``[plugins.tone]``."""

    caps_ratio: float = 0.6
    min_letters: int = 12
    caps_run: int = 3
    punctuation_run: int = 3
    acronyms: frozenset[str] = DEFAULT_ACRONYMS
    complaint_words: tuple[str, ...] = ()
    courtesy_words: tuple[str, ...] = ()
    sign_off_marks: str = DEFAULT_SIGN_OFF_MARKS
    kinds: frozenset[str] = _DEFAULT_KINDS


def tone_options(table: ToneTable) -> ToneOptions:
    """What the rules read from a checked ``[plugins.tone]``."""
    return ToneOptions(
        caps_ratio=table.caps_ratio,
        min_letters=table.min_letters,
        caps_run=table.caps_run,
        punctuation_run=table.punctuation_run,
        acronyms=DEFAULT_ACRONYMS | {w.upper() for w in _stripped(table.acronyms)},
        complaint_words=_stripped(table.complaint_words),
        courtesy_words=_stripped(table.courtesy_words),
        sign_off_marks=table.sign_off_marks,
        kinds=frozenset(_stripped(table.kinds)),
    )


def _stripped(value: NAMES) -> tuple[str, ...]:
    return tuple(v.strip() for v in str_list(value))
