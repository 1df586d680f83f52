"""Declarative detectors: YAML files of patterns, first-seen values and counts in a window.

In the spirit of Sigma rules (``level``, ``status``, ``falsepositives``, correlation = an event
count within a timespan grouped by a field). A file holds ``detectors: [...]``; each one::

    - id: SMG-DET-020
      name: Burst of posts
      level: high                      # info, low, medium, high, critical
      status: stable                   # stable, test, experimental, deprecated
      incident: activity_burst         # the incident kind it opens
      description: {en: "...", id: "..."}
      message: {en: "{count} posts on {account} within {within}", id: "..."}
      falsepositives: ["a live-tweeted event"]
      match:                           # every key must hold (AND); a list of values is OR
        kind: post_published           # required: the event kind(s) it looks at
        ip|cidr: [203.0.113.0/24]      # modifiers: contains, startswith, endswith, re, cidr, exists
        any:                           # one of these groups holds
          - raw.enabled: false
          - text|contains: [disabled, nonaktif]
        not: {actor: [ayu, budi]}
      correlation: {count: 10, within: 10m, group_by: [account]}   # or:
      first_seen: {field: device_family, min_history: 3, within: 90d}
      dedupe: [ip_range]               # fields in the incident's dedupe key (the "cause")
      examples:
        - title: ten posts in five minutes
          history: [{kind: post_published, at: -4m}, ...]   # ISO times or offsets from the event
          event: {kind: post_published}
          fires: true

Fields: the event's ``kind``, ``account``, ``platform``, ``source``, ``actor``, ``ip``,
``device``, ``country``, ``city``, ``text``, ``url``, ``links``; ``raw.a.b`` (a path into the
connector's raw record); derived: ``ip_range`` (/24 or /48), ``device_family`` (the device without
version numbers), ``app`` (a connected app's name) and ``target`` (the person an admin change is
about). String comparisons ignore case.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import yaml

from smguard.errors import ConfigError
from smguard.types import EVENT_KINDS, LANGUAGES, ActivityEvent, Severity
from smguard.watch.detect import (
    STATUSES,
    DetectContext,
    Detection,
    Detector,
    History,
    format_duration,
    parse_duration,
)

__all__ = [
    "DetectorFileError",
    "Example",
    "ExampleResult",
    "YamlDetector",
    "derived",
    "event_from_dict",
    "field_value",
    "load_file",
    "load_paths",
    "run_example",
]

_MODIFIERS = ("contains", "startswith", "endswith", "re", "cidr", "exists")
_KEYS = {
    "id", "name", "level", "status", "incident", "category", "description", "message",
    "falsepositives", "match", "correlation", "first_seen", "dedupe", "examples", "references",
}  # fmt: skip
_EVENT_FIELDS = (
    "kind", "account", "platform", "source", "actor", "ip", "device", "country", "city", "text",
    "url", "links",
)  # fmt: skip
_DERIVED = ("ip_range", "device_family", "app", "target")


class DetectorFileError(ConfigError):
    """A YAML detector file is unusable: the message names the file, the detector and why."""


# -- fields ------------------------------------------------------------------------------------


def ip_range(ip: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network an address is in; None when it is not an address."""
    return _ip_range(ip) if ip else None


@functools.lru_cache(maxsize=65536)
def _ip_range(ip: str) -> str | None:
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


_VERSION = re.compile(r"\d+(?:[._]\d+)*")
_NOT_LETTERS = re.compile(r"[^a-z]+")


def device_family(device: str | None) -> str | None:
    """A device or user agent without its version numbers: an app or browser update is the same
    device, another browser or system is not."""
    return _device_family(device) if device else None


@functools.lru_cache(maxsize=65536)
def _device_family(device: str) -> str | None:
    words = _NOT_LETTERS.sub(" ", _VERSION.sub(" ", device.casefold())).split()
    return " ".join(words) or None


def _raw_first(event: ActivityEvent, names: Sequence[str]) -> str | None:
    raw = event.raw if isinstance(event.raw, Mapping) else {}
    for name in names:
        value = raw.get(name)
        if isinstance(value, Mapping):
            value = value.get("name") or value.get("username")
        if value not in (None, ""):
            return str(value)
    return None


def derived(event: ActivityEvent, name: str) -> Any:
    if name == "ip_range":
        return ip_range(event.ip)
    if name == "device_family":
        return device_family(event.device)
    if name == "app":
        return _raw_first(event, ("app", "application", "name", "client")) or event.text
    if name == "target":
        return _raw_first(event, ("admin", "target", "user", "username", "name")) or event.text
    raise KeyError(name)


def field_value(event: ActivityEvent, name: str) -> Any:
    """A field of the event by name (see the module docs); None when it has none."""
    if name in _DERIVED:
        return derived(event, name)
    if name.startswith("raw."):
        node: Any = event.raw
        for part in name[4:].split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node
    value = getattr(event, name)
    return list(value) if isinstance(value, tuple) else value


def _known_field(name: str) -> bool:
    return name in _EVENT_FIELDS or name in _DERIVED or (name.startswith("raw.") and len(name) > 4)


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).casefold().strip()


# -- conditions --------------------------------------------------------------------------------

Test = Callable[[ActivityEvent], bool]


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _leaf(name: str, modifier: str | None, value: Any, where: str) -> Test:
    if not _known_field(name):
        raise DetectorFileError(
            f"{where}: unknown field {name!r} (fields: {', '.join(_EVENT_FIELDS + _DERIVED)}, "
            "raw.PATH)"
        )
    if modifier == "exists":
        if not isinstance(value, bool):
            raise DetectorFileError(f"{where}: {name}|exists takes true or false")

        def exists(e: ActivityEvent) -> bool:
            v = field_value(e, name)
            return (v not in (None, "", [])) is value

        return exists
    wanted = _values(value)
    if not wanted or any(isinstance(v, Mapping | list) for v in wanted):
        raise DetectorFileError(f"{where}: {name}: give a value or a list of values")
    if modifier == "re":
        import re2

        options = re2.Options()
        options.log_errors = False
        options.max_mem = 8 << 20
        try:
            # RE2 matches in linear time: a detector file cannot hang the watch.
            patterns = [re2.compile("(?i)" + str(v), options) for v in wanted]
        except re2.error as exc:
            raise DetectorFileError(
                f"{where}: {name}|re: {str(value)!r} is not valid RE2 syntax ({exc})"
            ) from None

        def test(v: Any) -> bool:
            return any(p.search(str(v)) for p in patterns)
    elif modifier == "cidr":
        try:
            nets = [ipaddress.ip_network(str(v), strict=False) for v in wanted]
        except ValueError as exc:
            raise DetectorFileError(f"{where}: {name}|cidr: {exc}") from None

        def test(v: Any) -> bool:
            try:
                address = ipaddress.ip_address(str(v).strip())
            except ValueError:
                return False
            return any(address in n for n in nets)
    else:
        norms = [_norm(v) for v in wanted]
        compare: Callable[[str, str], bool] = {
            None: lambda have, want: have == want,
            "contains": lambda have, want: want in have,
            "startswith": lambda have, want: have.startswith(want),
            "endswith": lambda have, want: have.endswith(want),
        }[modifier]

        def test(v: Any) -> bool:
            have = _norm(v)
            return any(compare(have, want) for want in norms)

    def leaf(e: ActivityEvent) -> bool:
        v = field_value(e, name)
        if v is None:
            return False
        return any(test(item) for item in v) if isinstance(v, list) else test(v)

    return leaf


def _any_of(groups: Sequence[Test]) -> Test:
    return lambda e: any(g(e) for g in groups)


def _negated(inner: Test) -> Test:
    return lambda e: not inner(e)


def compile_match(spec: Any, where: str, top: bool = False) -> Test:
    """A ``match`` mapping → a test of one event."""
    if not isinstance(spec, Mapping) or not spec:
        raise DetectorFileError(f"{where}: must be a mapping of field: value")
    tests: list[Test] = []
    for key, value in spec.items():
        key = str(key)
        if key == "any":
            if not isinstance(value, list) or not value:
                raise DetectorFileError(f"{where}.any: must be a list of mappings")
            groups = [compile_match(g, f"{where}.any[{i}]") for i, g in enumerate(value)]
            tests.append(_any_of(groups))
        elif key == "not":
            tests.append(_negated(compile_match(value, f"{where}.not")))
        else:
            name, _, modifier = key.partition("|")
            if modifier and modifier not in _MODIFIERS:
                raise DetectorFileError(
                    f"{where}: unknown modifier |{modifier} (known: {', '.join(_MODIFIERS)})"
                )
            if name == "kind" and not top:
                raise DetectorFileError(f"{where}: 'kind' belongs at the top of 'match'")
            tests.append(_leaf(name, modifier or None, value, where))
    return lambda e: all(t(e) for t in tests)


# -- examples ----------------------------------------------------------------------------------

_BASE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
_OFFSET = re.compile(r"^-\s*(\d+[smhd])$")


@dataclass(frozen=True)
class Example:
    title: str
    event: Mapping[str, Any]
    history: tuple[Mapping[str, Any], ...] = ()
    fires: bool = True


@dataclass(frozen=True)
class ExampleResult:
    detector: str
    example: Example
    fired: bool

    @property
    def passed(self) -> bool:
        return self.fired == self.example.fires

    def describe(self) -> str:
        want = "fire" if self.example.fires else "stay quiet"
        did = "fired" if self.fired else "stayed quiet"
        return f"{self.detector}: {self.example.title!r} should {want} but {did}"


def _when(value: Any, base: datetime, where: str) -> datetime:
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str) and _OFFSET.match(value.strip()):
        offset = _OFFSET.match(value.strip())
        assert offset is not None
        return base - parse_duration(offset.group(1), where)
    elif isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise DetectorFileError(f"{where}: {value!r} is not a time or an offset") from None
    else:
        raise DetectorFileError(f"{where}: 'at' must be an ISO time or an offset such as -5m")
    if when.tzinfo is None:
        raise DetectorFileError(f"{where}: {value!r} needs a time zone")
    return when


def event_from_dict(
    data: Mapping[str, Any], *, id: str, at: datetime, where: str = "event"
) -> ActivityEvent:
    """An :class:`ActivityEvent` from an example's short form (account, platform, source and
    id get defaults; ``at`` may be an offset from the example's event)."""
    known = {"id", "at", "raw", "latitude", "longitude", *_EVENT_FIELDS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DetectorFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    values = {k: v for k, v in data.items() if k not in ("at", "links")}
    if "links" in data:
        values["links"] = tuple(data["links"])
    try:
        return ActivityEvent(
            **{
                "id": id,
                "account": "example",
                "platform": "example",
                "source": "example",
                "at": at,
                **values,
            }
        )
    except (TypeError, ValueError) as exc:
        raise DetectorFileError(f"{where}: {exc}") from None


def _example_events(example: Example, where: str) -> tuple[ActivityEvent, list[ActivityEvent]]:
    event_at = _when(example.event.get("at", _BASE), _BASE, f"{where}.event")
    event = event_from_dict(example.event, id="event", at=event_at, where=f"{where}.event")
    history = []
    n = len(example.history)
    for i, item in enumerate(example.history):
        at = _when(item.get("at", f"-{n - i}h"), event_at, f"{where}.history[{i}]")
        history.append(
            event_from_dict(item, id=f"history-{i:04d}", at=at, where=f"{where}.history[{i}]")
        )
    return event, history


def run_example(detector: Detector, example: Example, config: Any = None) -> ExampleResult:
    """Run one example: the detector sees the example's history as the account's past."""
    from smguard.config import Config

    event, earlier = _example_events(example, f"{detector.id} example {example.title!r}")
    stored = [*earlier, event]

    def fetch(
        account: str, kinds: Sequence[str], since: datetime, until: datetime
    ) -> list[ActivityEvent]:
        return [
            e for e in stored if e.account == account and e.kind in kinds and since <= e.at <= until
        ]

    ctx = DetectContext(config or Config(), History(fetch))
    fired = bool(detector.detect(event, ctx))
    return ExampleResult(detector.id, example, fired)


def _examples(raw: Any, where: str) -> tuple[Example, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DetectorFileError(f"{where}: 'examples' must be a list")
    out = []
    for i, item in enumerate(raw):
        at = f"{where}.examples[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("event"), Mapping):
            raise DetectorFileError(f"{at}: needs an 'event' mapping")
        unknown = sorted(set(item) - {"title", "event", "history", "fires"})
        if unknown:
            raise DetectorFileError(f"{at}: unknown key(s) {', '.join(unknown)}")
        history = item.get("history") or []
        if not isinstance(history, list) or not all(isinstance(h, Mapping) for h in history):
            raise DetectorFileError(f"{at}.history: must be a list of events")
        fires = item.get("fires", True)
        if not isinstance(fires, bool):
            raise DetectorFileError(f"{at}.fires: must be true or false")
        example = Example(
            title=str(item.get("title") or f"example {i + 1}"),
            event=dict(item["event"]),
            history=tuple(dict(h) for h in history),
            fires=fires,
        )
        _example_events(example, at)  # malformed examples fail at load, not in a test run
        out.append(example)
    return tuple(out)


# -- the detector ------------------------------------------------------------------------------


def _texts(spec: Mapping[str, Any], key: str, where: str, required: bool) -> dict[str, str]:
    value = spec.get(key)
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
class _FirstSeen:
    field: str
    min_history: int
    within: timedelta


@dataclass(frozen=True)
class _Correlation:
    count: int
    within: timedelta
    group_by: tuple[str, ...] = ("account",)


@dataclass
class _Index:
    """Matching events of one account: (time, id) keys per value, every key, and how each
    value looked (for the evidence)."""

    keys: dict[tuple[str, ...], list[tuple[datetime, str]]] = field(default_factory=dict)
    shown: dict[tuple[str, ...], str] = field(default_factory=dict)
    every: list[tuple[datetime, str]] = field(default_factory=list)


@dataclass
class _Spec:
    match: Test
    first_seen: _FirstSeen | None
    correlation: _Correlation | None
    dedupe: tuple[str, ...]
    extras: dict[str, Any] = field(default_factory=dict)


class YamlDetector(Detector):
    """A detector read from a YAML file (see the module docs for the format)."""

    engine = "yaml"
    option_types: ClassVar[Mapping[str, str]] = {
        "count": "int",
        "within": "duration",
        "min_history": "whole",
    }

    def __init__(self, spec: Mapping[str, Any], source: str) -> None:
        detector_id = str(spec.get("id") or "").strip()
        where = f"{source}: {detector_id or '(no id)'}"
        unknown = sorted(set(spec) - _KEYS)
        if unknown:
            raise DetectorFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
        if not re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+", detector_id):
            raise DetectorFileError(f"{where}: 'id' must look like SMG-DET-020")
        self.id = detector_id
        self.source = source
        self.name = str(spec.get("name") or "").strip()
        if not self.name:
            raise DetectorFileError(f"{where}: 'name' is missing")
        try:
            self.level = Severity.parse(spec.get("level", "medium"))
        except ValueError as exc:
            raise DetectorFileError(f"{where}: level: {exc}") from None
        status = spec.get("status", "stable")
        if status not in STATUSES:
            raise DetectorFileError(f"{where}: status {status!r} is not one of {STATUSES}")
        self.status = str(status)
        incident = spec.get("incident")
        if not isinstance(incident, str) or not re.fullmatch(r"[a-z][a-z0-9_]{1,49}", incident):
            raise DetectorFileError(
                f"{where}: 'incident' must be an incident kind such as suspicious_login"
            )
        self.incident = incident
        category = spec.get("category")
        self.category = None if category is None else str(category)
        self.description = _texts(spec, "description", where, True)
        self.message = _texts(spec, "message", where, True)
        fps = spec.get("falsepositives") or []
        if not isinstance(fps, list) or not all(isinstance(f, str) for f in fps):
            raise DetectorFileError(f"{where}: 'falsepositives' must be a list of texts")
        self.falsepositives = tuple(fps)
        match = spec.get("match")
        if not isinstance(match, Mapping) or "kind" not in match:
            raise DetectorFileError(f"{where}: 'match' needs at least 'kind' (the event kinds)")
        kinds = _values(match["kind"])
        bad = [k for k in kinds if k not in EVENT_KINDS]
        if bad or not kinds:
            raise DetectorFileError(
                f"{where}: match.kind: {bad[0] if bad else kinds!r} is not an event kind "
                f"(one of {', '.join(EVENT_KINDS)})"
            )
        self.kinds = frozenset(kinds)
        self.history_kinds = frozenset()
        rest = {k: v for k, v in match.items() if k != "kind"}
        test = compile_match(rest, f"{where}: match", top=True) if rest else (lambda e: True)
        options: dict[str, Any] = {}
        first_seen = self._first_seen(spec.get("first_seen"), where, options)
        correlation = self._correlation(spec.get("correlation"), where, options)
        if first_seen and correlation:
            raise DetectorFileError(f"{where}: use 'first_seen' or 'correlation', not both")
        if first_seen or correlation:
            self.history_kinds = self.kinds
        dedupe = spec.get("dedupe")
        if dedupe is None:
            dedupe = [first_seen.field] if first_seen else []
        if not isinstance(dedupe, list) or not all(isinstance(d, str) for d in dedupe):
            raise DetectorFileError(f"{where}: 'dedupe' must be a list of field names")
        for name in dedupe:
            if not _known_field(name):
                raise DetectorFileError(f"{where}: dedupe: unknown field {name!r}")
        self.options = options
        self._spec = _Spec(test, first_seen, correlation, tuple(dedupe))
        self.examples = _examples(spec.get("examples"), where)

    @staticmethod
    def _first_seen(raw: Any, where: str, options: dict[str, Any]) -> _FirstSeen | None:
        if raw is None:
            return None
        at = f"{where}: first_seen"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("field"), str):
            raise DetectorFileError(f"{at}: needs 'field' (and optional min_history, within)")
        unknown = sorted(set(raw) - {"field", "min_history", "within"})
        if unknown:
            raise DetectorFileError(f"{at}: unknown key(s) {', '.join(unknown)}")
        if not _known_field(raw["field"]):
            raise DetectorFileError(f"{at}: unknown field {raw['field']!r}")
        min_history = raw.get("min_history", 3)
        if isinstance(min_history, bool) or not isinstance(min_history, int) or min_history < 0:
            raise DetectorFileError(f"{at}.min_history: must be a whole number (0 or more)")
        try:
            within = parse_duration(raw.get("within", "90d"), f"{at}.within")
        except ConfigError as exc:
            raise DetectorFileError(str(exc)) from None
        options.update(min_history=min_history, within=within)
        return _FirstSeen(raw["field"], min_history, within)

    @staticmethod
    def _correlation(raw: Any, where: str, options: dict[str, Any]) -> _Correlation | None:
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
            isinstance(g, str) and _known_field(g) for g in group_by
        ):
            raise DetectorFileError(f"{at}.group_by: must be a list of field names")
        options.update(count=count, within=within)
        return _Correlation(count, within, tuple(group_by))

    def validate_options(self, where: str) -> None:
        spec = self._spec
        if spec.correlation is not None:
            if self.options["count"] < 2:
                raise ConfigError(f"{where}.count: must be at least 2")
            spec = _Spec(
                spec.match,
                None,
                _Correlation(
                    self.options["count"], self.options["within"], spec.correlation.group_by
                ),
                spec.dedupe,
            )
        elif spec.first_seen is not None:
            spec = _Spec(
                spec.match,
                _FirstSeen(
                    spec.first_seen.field, self.options["min_history"], self.options["within"]
                ),
                None,
                spec.dedupe,
            )
        self._spec = spec

    @property
    def lookback(self) -> timedelta:
        if self._spec.first_seen is not None:
            return self._spec.first_seen.within
        if self._spec.correlation is not None:
            # Whether the previous event already crossed the threshold looks one window further.
            return self._spec.correlation.within * 2
        return timedelta(0)

    @property
    def kind_of_logic(self) -> str:
        if self._spec.first_seen is not None:
            return "first_seen"
        return "correlation" if self._spec.correlation is not None else "match"

    @property
    def spec_summary(self) -> dict[str, Any]:
        """The logic in words for ``smguard detectors show``."""
        out: dict[str, Any] = {"kinds": sorted(self.kinds)}
        if self._spec.first_seen is not None:
            fs = self._spec.first_seen
            out["first_seen"] = {
                "field": fs.field,
                "min_history": fs.min_history,
                "within": format_duration(fs.within),
            }
        if self._spec.correlation is not None:
            c = self._spec.correlation
            out["correlation"] = {
                "count": c.count,
                "within": format_duration(c.within),
                "group_by": list(c.group_by),
            }
        return out

    def matches(self, event: ActivityEvent) -> bool:
        return event.kind in self.kinds and self._spec.match(event)

    def detect(self, event: ActivityEvent, ctx: DetectContext) -> Sequence[Detection]:
        if not self.matches(event):
            return ()
        spec = self._spec
        facts: dict[str, Any] = {}
        if spec.first_seen is not None:
            found = self._first_seen_facts(event, ctx, spec.first_seen)
            if found is None:
                return ()
            facts.update(found)
        if spec.correlation is not None:
            found = self._correlation_facts(event, ctx, spec.correlation)
            if found is None:
                return ()
            facts.update(found)
        key = [_norm(field_value(event, name)) for name in spec.dedupe]
        for name in spec.dedupe:  # the cause, as the incident's evidence names it
            value = field_value(event, name)
            if value not in (None, "", []):
                facts.setdefault(name, value)
        values = {name: field_value(event, name) for name in _DERIVED}
        values["local_time"] = ctx.local_time(event)
        return (self.detection(event, key=key, facts=facts, values=values),)

    def _index(
        self, event: ActivityEvent, ctx: DetectContext, within: timedelta, fields: Sequence[str]
    ) -> _Index:
        """The account's loaded events that match, as (time, id) keys per value of ``fields``,
        built once per batch: every event then asks bisect, not the whole history."""
        ctx.history.ensure(event.account, self.kinds, event.at - within, event.at)

        def build() -> _Index:
            index = _Index()
            for e in ctx.history.loaded(event.account, self.kinds):
                if not self._spec.match(e):
                    continue
                values = [field_value(e, name) for name in fields]
                if any(v in (None, "", []) for v in values):
                    continue
                value = tuple(_norm(v) for v in values)
                index.keys.setdefault(value, []).append((e.at, e.id))
                index.shown.setdefault(value, ", ".join(str(v) for v in values))
            index.every = sorted(k for ks in index.keys.values() for k in ks)
            return index

        return ctx.memo((self.id, event.account, tuple(fields), "index"), build)

    def _first_seen_facts(
        self, event: ActivityEvent, ctx: DetectContext, fs: _FirstSeen
    ) -> dict[str, Any] | None:
        value = field_value(event, fs.field)
        if value in (None, "", []):
            return None
        index = self._index(event, ctx, fs.within, [fs.field])
        me, since = (event.at, event.id), (event.at - fs.within, "")

        def earlier(keys: list[tuple[datetime, str]]) -> int:
            return bisect.bisect_left(keys, me) - bisect.bisect_left(keys, since)

        seen = earlier(index.every)
        if seen < fs.min_history:
            return None  # still learning what is normal for this account
        if earlier(index.keys.get((_norm(value),), [])) > 0:
            return None
        last_seen: list[tuple[tuple[datetime, str], str]] = []
        for known, keys in index.keys.items():
            n = bisect.bisect_left(keys, me)
            if n and keys[n - 1] >= since:
                last_seen.append((keys[n - 1], index.shown[known]))
        return {
            "value": value,
            "history": {
                "field": fs.field,
                "earlier_events": seen,
                "within": format_duration(fs.within),
                "known_values": [v for _, v in sorted(last_seen, reverse=True)[:5]],
            },
        }

    def _correlation_facts(
        self, event: ActivityEvent, ctx: DetectContext, c: _Correlation
    ) -> dict[str, Any] | None:
        group = tuple(_norm(field_value(event, g)) for g in c.group_by)
        keys = self._index(event, ctx, c.within * 2, list(c.group_by)).keys.get(group, [])
        me = (event.at, event.id)

        def window(end: tuple[datetime, str]) -> tuple[int, int]:
            """Positions of the group's events in (end - within, end], ``end`` counted once."""
            hi = bisect.bisect_right(keys, end)
            lo = bisect.bisect_right(keys, (end[0] - c.within, "\uffff"))
            return lo, hi

        lo, hi = window(me)
        stored = hi > 0 and keys[hi - 1] == me
        count = hi - lo + (0 if stored else 1)
        if count < c.count:
            return None
        # Fire when the threshold is crossed, not again for every event of the same burst.
        before = hi - 1 if stored else hi
        if before > lo:
            plo, phi = window(keys[before - 1])
            if phi - plo >= c.count:
                return None
        ids = [k[1] for k in keys[lo:hi]] + ([] if stored else [event.id])
        first = keys[lo][0] if hi > lo else event.at
        return {
            "count": count,
            "within": format_duration(c.within),
            "threshold": c.count,
            "group": dict(zip(c.group_by, group, strict=True)),
            "first_at": first.isoformat(),
            "event_ids": ids[-20:],
        }


# -- loading -----------------------------------------------------------------------------------


def load_file(path: Path) -> list[YamlDetector]:
    """Every detector of one YAML file; DetectorFileError names the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise DetectorFileError(f"{path}: not valid YAML{line}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DetectorFileError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("detectors"), list):
        raise DetectorFileError(f"{path}: must hold 'detectors:' with a list of detectors")
    out = []
    for i, spec in enumerate(data["detectors"]):
        if not isinstance(spec, Mapping):
            raise DetectorFileError(f"{path}: detectors[{i}] must be a mapping")
        out.append(YamlDetector(spec, str(path)))
    return out


def _files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def load_paths(paths: Iterable[Path]) -> list[YamlDetector]:
    """The detectors of YAML files and folders (searched recursively)."""
    return [d for f in _files(paths) for d in load_file(f)]


@functools.cache
def builtin_yaml() -> tuple[YamlDetector, ...]:
    """smguard's own YAML detectors (``rules/detectors``), read once."""
    import importlib.util

    spec = importlib.util.find_spec("smguard.rules")
    if spec is None or spec.origin is None:  # pragma: no cover - shipped with smguard
        return ()
    folder = Path(spec.origin).resolve().parent / "detectors"
    return tuple(load_paths([folder])) if folder.is_dir() else ()
