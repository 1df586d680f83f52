"""What a detector is: the :class:`Detector` base class and the :class:`Detection` it returns.

A detector looks at events of some kinds and returns detections. Built-in ones are registered by
the ``detectors`` plugin: declarative YAML files (:mod:`smguard.watch.yamldetector`) and a few in
code; plugins add theirs with ``register_detectors(register)``. A detector's own settings
(``[detectors.ID]`` of ``smguard.toml``) are declared in ``options`` and applied by
:meth:`Detector.tuned`.

Also the small helpers detectors share: durations (``10m``, ``24h``), message placeholders
(:func:`fill`, :func:`event_values`) and the distance between two places.

May import :mod:`smguard.config` (the tables a detector's settings are checked with) and the
kernel.
"""

from __future__ import annotations

import copy
import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import msgspec
from msgspec import Meta

from smguard.config.policy import SEVERITY
from smguard.config.schema import Table, choice, convert, matching, str_list
from smguard.errors import ConfigError
from smguard.types import EVENT_KINDS, ActivityEvent, Severity

if TYPE_CHECKING:
    from smguard.watch.context import DetectContext

__all__ = [
    "OPTION_TYPES",
    "STATUSES",
    "Detection",
    "Detector",
    "event_values",
    "fill",
    "format_duration",
    "haversine_km",
    "parse_duration",
]

#: A detector's maturity, as in Sigma.
STATUSES: tuple[str, ...] = ("stable", "test", "experimental", "deprecated")


# -- durations ---------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVENT_KIND = Annotated[str, choice("an event kind", EVENT_KINDS)]

#: How each kind of detector setting is written in ``[detectors.ID]`` (``Detector.option_types``).
OPTION_TYPES: Mapping[str, Any] = {
    "duration": Annotated[
        str, matching("a duration like 10m, 24h or 90d", r"^\s*0*[1-9]\d*\s*[smhd]\s*$")
    ],
    "int": Annotated[int, Meta(ge=1)],
    "whole": Annotated[int, Meta(ge=0)],
    "number": Annotated[float, Meta(gt=0)],
    "kinds": _EVENT_KIND | Annotated[tuple[_EVENT_KIND, ...], Meta(min_length=1)],
}


def parse_duration(value: Any, key: str) -> timedelta:
    """``"30s"``, ``"10m"``, ``"24h"``, ``"90d"`` → a timedelta; ConfigError naming ``key``."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) <= 0:
        raise ConfigError(f"{key}: {value!r} is not a duration like 10m, 24h or 90d")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


# -- what detectors return ---------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """One detector's finding about one event."""

    detector: str
    #: The incident kind it calls for (``unauthorized_post``, ``suspicious_login`` …).
    incident: str
    severity: Severity
    #: Names the cause: while its incident is unresolved, the same key again is a sighting.
    dedupe_key: str
    #: What happened, for people: ``{"en": …, "id": …}``.
    message: Mapping[str, str]
    #: What the detector looked at and what history said (JSON-serialisable).
    facts: Mapping[str, Any] = field(default_factory=dict)
    category: str | None = None
    name: str = ""


# -- detectors ---------------------------------------------------------------------------------


class Detector:
    """Base class of every detector. Subclasses set the metadata and implement :meth:`detect`.

    :cvar options: the detector's own settings with their defaults (``[detectors.ID]``), and
        :cvar option_types: how each is read (``duration``, ``int`` (1 or more), ``whole``
        (0 or more), ``number``, ``kinds``).
    """

    id: str = ""
    name: str = ""
    level: Severity = Severity.MEDIUM
    status: str = "stable"
    #: The incident kind this detector opens.
    incident: str = "suspicious_login"
    #: Event kinds it looks at, and the kinds of earlier events it reads as history.
    kinds: frozenset[str] = frozenset()
    history_kinds: frozenset[str] = frozenset()
    #: ``{"en": …, "id": …}``: what it catches (docs, ``smguard detectors show``).
    description: Mapping[str, str] = {}
    #: ``{"en": …, "id": …}`` with ``{placeholders}`` filled from the event and facts.
    message: Mapping[str, str] = {}
    falsepositives: tuple[str, ...] = ()
    #: Where it comes from: a YAML file, or the module that defines it.
    source: str = ""
    engine: str = "code"
    #: Whether it needs the guard's verdict on live posts (checked once per batch).
    needs_guard: bool = False
    options: Mapping[str, Any] = {}
    option_types: ClassVar[Mapping[str, str]] = {}
    #: Documented examples (YAML detectors run theirs as tests).
    examples: tuple[Any, ...] = ()

    @property
    def lookback(self) -> timedelta:
        """How far back this detector reads history (before the oldest event of a batch)."""
        return timedelta(0)

    def detect(self, event: ActivityEvent, ctx: DetectContext) -> Sequence[Detection]:
        """The detections this event sets off (usually none)."""
        raise NotImplementedError

    # -- tuning ------------------------------------------------------------------------------

    def tuned(self, table: Mapping[str, Any], where: str) -> Detector:
        """A copy with ``[detectors.ID]`` applied; ConfigError naming the key when it is bad."""
        kinds = {key: self.option_types.get(key, "number") for key in self.options}
        settings = convert(table, _tuning_table(tuple(kinds.items())), where)
        out = copy.copy(self)
        if settings.level is not None:
            out.level = Severity.parse(settings.level)
        values = dict(self.options)
        for key in table:
            if key != "level":
                values[key] = _option(getattr(settings, key), kinds[key])
        out.options = values
        out.validate_options(where)
        return out

    def validate_options(self, where: str) -> None:
        """Check the options together (e.g. a count of at least 2); raise ConfigError."""

    # -- building detections -----------------------------------------------------------------

    def detection(
        self,
        event: ActivityEvent,
        *,
        key: Iterable[object] = (),
        facts: Mapping[str, Any] | None = None,
        severity: Severity | None = None,
        incident: str | None = None,
        message: Mapping[str, str] | None = None,
        category: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> Detection:
        """A detection of ``event``: its key is ``incident:account:detector[:key…]``.

        ``facts`` are stored with the incident; the message's placeholders are filled from the
        event's fields, ``values`` (not stored) and ``facts``.
        """
        kind = incident or self.incident
        parts = [kind, event.account, self.id, *(str(p) for p in key)]
        values = {**event_values(event), **(values or {}), **(facts or {})}
        texts = message or self.message
        return Detection(
            detector=self.id,
            incident=kind,
            severity=severity if severity is not None else self.level,
            dedupe_key=_key(parts),
            message={lang: fill(text, values) for lang, text in texts.items()},
            facts=dict(facts or {}),
            category=category,
            name=self.name,
        )


@lru_cache
def _tuning_table(options: tuple[tuple[str, str], ...]) -> Any:
    """The table of ``[detectors.ID]`` for a detector with these (setting, kind) pairs."""
    fields = [("level", SEVERITY | None, None)]
    fields += [(name, OPTION_TYPES[kind] | None, None) for name, kind in options]
    return msgspec.defstruct("DetectorSettings", fields, bases=(Table,), frozen=True)


def _option(value: Any, kind: str) -> Any:
    """A checked setting as the detector reads it."""
    if kind == "duration":
        return parse_duration(value, kind)
    if kind == "kinds":
        return frozenset(k.lower() for k in str_list(value))
    return float(value) if kind == "number" else value


def _key(parts: Sequence[str]) -> str:
    key = ":".join(parts)
    if len(key) <= 300:
        return key
    import hashlib

    head = ":".join(parts[:3])[:200]
    return f"{head}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def fill(template: str, values: Mapping[str, Any]) -> str:
    """``template`` with ``{name}`` filled from ``values`` (``?`` when unknown)."""
    clean = _Missing({k: ("?" if v is None else v) for k, v in values.items()})
    try:
        return string.Formatter().vformat(template, (), clean)
    except (ValueError, IndexError, KeyError, AttributeError):
        return template


def event_values(event: ActivityEvent) -> dict[str, Any]:
    """The event's fields as message placeholders."""
    return {
        "account": event.account,
        "platform": event.platform,
        "kind": event.kind,
        "actor": event.actor,
        "ip": event.ip,
        "device": event.device,
        "country": event.country,
        "city": event.city,
        "url": event.url,
    }


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
