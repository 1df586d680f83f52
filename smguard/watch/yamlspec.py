"""The format of YAML detector files: the keys of a detector and their parts.

In the spirit of Sigma rules (``status``, correlation = an event count within a timespan grouped
by a field), in the words of smguard's rule packs (``severity``, ``why``, ``false_positives``,
``examples``). A file holds ``detectors: [...]``; each one::

    - id: SMG-DET-020
      name: Burst of posts
      severity: high                   # info, low, medium, high, critical
      status: stable                   # stable, test, experimental, deprecated
      incident: activity_burst         # the incident kind it opens
      why: {en: "...", id: "..."}      # what it catches and why that matters
      message: {en: "{count} posts on {account} within {within}", id: "..."}
      false_positives: ["a live-tweeted event"]
      match: {kind: post_published}    # the conditions (smguard.watch.yamlmatch)
      correlation: {count: 10, within: 10m, group_by: [account]}   # or:
      first_seen: {field: device_family, min_history: 3, within: 90d}
      dedupe: [ip_range]               # fields in the incident's dedupe key (the "cause")
      examples: [...]                  # events that fire or stay quiet (smguard.watch.yamlexamples)

The first format's Sigma words (``level``, ``description``, ``falsepositives``) are still read,
with a one-line warning, until the next release.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from smguard.errors import ConfigError
from smguard.types import LANGUAGES
from smguard.watch.detectors import parse_duration
from smguard.watch.yamlmatch import DetectorFileError, Test, known_field

__all__ = [
    "KEYS",
    "RENAMED",
    "Correlation",
    "FirstSeen",
    "Spec",
    "in_current_words",
    "parse_correlation",
    "parse_first_seen",
    "texts",
]

log = logging.getLogger("smguard.watch.yamlspec")


# -- the words of the format -------------------------------------------------------------------

KEYS = {
    "id", "name", "severity", "status", "incident", "category", "why", "message",
    "false_positives", "match", "correlation", "first_seen", "dedupe", "examples", "references",
}  # fmt: skip
#: The Sigma-like words of the first format, read until the next release: old → the rule packs'.
RENAMED = {"level": "severity", "description": "why", "falsepositives": "false_positives"}


def in_current_words(
    spec: Mapping[str, Any], where: str
) -> tuple[Mapping[str, Any], dict[str, str]]:
    """``spec`` with the rule packs' words, and how the file wrote each renamed key. An old key
    still works, with a one-line warning naming the file, the detector and the new key."""
    said = {new: new for new in RENAMED.values()}
    old = [key for key in RENAMED if key in spec]
    if not old:
        return spec, said
    for key in old:
        if RENAMED[key] in spec:
            raise DetectorFileError(
                f"{where}: '{key}' and '{RENAMED[key]}' are the same setting; keep '{RENAMED[key]}'"
            )
    log.warning(
        "%s: write %s (deprecated: the old %s read until the next release)",
        where,
        ", ".join(f"'{RENAMED[k]}' instead of '{k}'" for k in old),
        "name is" if len(old) == 1 else "names are",
    )
    current = {RENAMED.get(k, k): v for k, v in spec.items()}
    said.update({RENAMED[k]: k for k in old})
    return current, said


# -- the parts of a detector -------------------------------------------------------------------


def texts(
    spec: Mapping[str, Any], key: str, where: str, required: bool, said: str | None = None
) -> dict[str, str]:
    """Texts in both languages under ``key`` (written ``said`` in the file, if it differs)."""
    value = spec.get(key)
    key = said or key
    if value is None and not required:
        return {}
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise DetectorFileError(f"{where}: '{key}' must map languages to text (en and id)")
    missing = [lang for lang in LANGUAGES if not str(value.get(lang) or "").strip()]
    if missing:
        raise DetectorFileError(f"{where}: '{key}' has no {missing[0]!r} text")
    return {str(k): " ".join(str(v).split()) for k, v in value.items()}


@dataclass(frozen=True)
class FirstSeen:
    """``first_seen``: a value of ``field`` not seen ``within`` (after ``min_history`` events)."""

    field: str
    min_history: int
    within: timedelta


@dataclass(frozen=True)
class Correlation:
    """``correlation``: the ``count``-th matching event ``within`` a window, per ``group_by``."""

    count: int
    within: timedelta
    group_by: tuple[str, ...] = ("account",)


@dataclass
class Spec:
    """A detector's logic: its match, first_seen or correlation, and the dedupe fields."""

    match: Test
    first_seen: FirstSeen | None
    correlation: Correlation | None
    dedupe: tuple[str, ...]


def parse_first_seen(raw: Any, where: str, options: dict[str, Any]) -> FirstSeen | None:
    """``first_seen`` (None when absent); its tunable settings go into ``options``."""
    if raw is None:
        return None
    at = f"{where}: first_seen"
    if not isinstance(raw, Mapping) or not isinstance(raw.get("field"), str):
        raise DetectorFileError(f"{at}: needs 'field' (and optional min_history, within)")
    unknown = sorted(set(raw) - {"field", "min_history", "within"})
    if unknown:
        raise DetectorFileError(f"{at}: unknown key(s) {', '.join(unknown)}")
    if not known_field(raw["field"]):
        raise DetectorFileError(f"{at}: unknown field {raw['field']!r}")
    min_history = raw.get("min_history", 3)
    if isinstance(min_history, bool) or not isinstance(min_history, int) or min_history < 0:
        raise DetectorFileError(f"{at}.min_history: must be a whole number (0 or more)")
    try:
        within = parse_duration(raw.get("within", "90d"), f"{at}.within")
    except ConfigError as exc:
        raise DetectorFileError(str(exc)) from None
    options.update(min_history=min_history, within=within)
    return FirstSeen(raw["field"], min_history, within)


def parse_correlation(raw: Any, where: str, options: dict[str, Any]) -> Correlation | None:
    """``correlation`` (None when absent); its tunable settings go into ``options``."""
    if raw is None:
        return None
    at = f"{where}: correlation"
    if not isinstance(raw, Mapping):
        raise DetectorFileError(f"{at}: needs count and within")
    unknown = sorted(set(raw) - {"count", "within", "group_by"})
    if unknown:
        raise DetectorFileError(f"{at}: unknown key(s) {', '.join(unknown)}")
    count = raw.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 2:
        raise DetectorFileError(f"{at}.count: must be a whole number of at least 2")
    try:
        within = parse_duration(raw.get("within"), f"{at}.within")
    except ConfigError as exc:
        raise DetectorFileError(str(exc)) from None
    group_by = raw.get("group_by", ["account"])
    if isinstance(group_by, str):
        group_by = [group_by]
    if not isinstance(group_by, list) or not all(
        isinstance(g, str) and known_field(g) for g in group_by
    ):
        raise DetectorFileError(f"{at}.group_by: must be a list of field names")
    options.update(count=count, within=within)
    return Correlation(count, within, tuple(group_by))
