"""``[plugins.tone]``: the tone rules' thresholds and word lists, validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smguard.errors import ConfigError
from smguard.types import POST_KINDS

from .words import DEFAULT_ACRONYMS, phrase_words

__all__ = ["ToneOptions"]

_DEFAULT_KINDS = frozenset({"reply", "comment", "dm"})
_OPTION_KEYS = (
    "caps_ratio", "min_letters", "caps_run", "punctuation_run", "acronyms",
    "complaint_words", "courtesy_words", "kinds",
)  # fmt: skip


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
    kinds: frozenset[str] = _DEFAULT_KINDS

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], where: str = "plugins.tone") -> ToneOptions:
        """Validate a ``[plugins.tone]`` table; raise a one-line ``ConfigError`` naming the key."""
        for key in table:
            if key not in _OPTION_KEYS:
                raise ConfigError(
                    f"{where}.{key}: unknown setting (known: {', '.join(sorted(_OPTION_KEYS))})"
                )
        d = cls()
        ratio = table.get("caps_ratio", d.caps_ratio)
        if not _is_number(ratio) or not 0 < ratio <= 1:
            raise ConfigError(f"{where}.caps_ratio: must be between 0 and 1")
        acronyms = _words(table.get("acronyms", []), f"{where}.acronyms")
        for word in acronyms:
            if not word.isalpha():
                raise ConfigError(f"{where}.acronyms: {word!r} must be letters only, like BPJS")
        kinds = _words(table.get("kinds", sorted(d.kinds)), f"{where}.kinds")
        for kind in kinds:
            if kind not in POST_KINDS:
                raise ConfigError(f"{where}.kinds: {kind!r} is not one of {', '.join(POST_KINDS)}")
        if not kinds:
            raise ConfigError(f"{where}.kinds: must name at least one of {', '.join(POST_KINDS)}")
        complaint = _phrases(table.get("complaint_words", []), f"{where}.complaint_words")
        courtesy = _phrases(table.get("courtesy_words", []), f"{where}.courtesy_words")
        return cls(
            caps_ratio=float(ratio),
            min_letters=_whole(table, "min_letters", d.min_letters, 1, where),
            caps_run=_whole(table, "caps_run", d.caps_run, 2, where),
            punctuation_run=_whole(table, "punctuation_run", d.punctuation_run, 2, where),
            acronyms=DEFAULT_ACRONYMS | {w.upper() for w in acronyms},
            complaint_words=complaint,
            courtesy_words=courtesy,
            kinds=frozenset(kinds),
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(table: Mapping[str, Any], key: str, default: int, low: int, where: str) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{where}.{key}: must be a whole number of at least {low}")
    return value


def _words(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):  # environment overrides give "a,b" or a single word
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{key}: must be a list of words")
    return tuple(v.strip() for v in value)


def _phrases(value: Any, key: str) -> tuple[str, ...]:
    phrases = _words(value, key)
    for phrase in phrases:
        if not phrase_words(phrase):
            raise ConfigError(f"{key}: {phrase!r} has no words to match")
    return phrases
