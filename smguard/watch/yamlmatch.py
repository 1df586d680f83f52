"""The match language of YAML detectors: the fields of an event and the conditions on them.

``match`` is a mapping in which every key must hold (AND) and a list of values means any of them
(OR)::

    match:
      kind: post_published             # required, at the top: the event kind(s)
      ip|cidr: [203.0.113.0/24]        # modifiers: contains, startswith, endswith, re, cidr, exists
      any:                             # one of these groups holds
        - raw.enabled: false
        - text|contains: [disabled, nonaktif]
      not: {actor: [ayu, budi]}

Fields: the event's ``kind``, ``account``, ``platform``, ``source``, ``actor``, ``ip``,
``device``, ``country``, ``city``, ``text``, ``url``, ``links``; ``raw.a.b`` (a path into the
connector's raw record); derived: ``ip_range`` (/24 or /48), ``device_family`` (the device without
version numbers), ``app`` (a connected app's name) and ``target`` (the person an admin change is
about). String comparisons ignore case; ``re`` is RE2, so a pattern cannot hang the watch.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from smguard.errors import ConfigError
from smguard.types import ActivityEvent

__all__ = [
    "DERIVED_FIELDS",
    "EVENT_FIELDS",
    "DetectorFileError",
    "Test",
    "as_list",
    "compile_match",
    "derived",
    "device_family",
    "field_value",
    "ip_range",
    "known_field",
    "norm",
]

_MODIFIERS = ("contains", "startswith", "endswith", "re", "cidr", "exists")
EVENT_FIELDS = (
    "kind", "account", "platform", "source", "actor", "ip", "device", "country", "city", "text",
    "url", "links",
)  # fmt: skip
DERIVED_FIELDS = ("ip_range", "device_family", "app", "target")


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
    """A derived field of the event (``ip_range``, ``device_family``, ``app``, ``target``)."""
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
    if name in DERIVED_FIELDS:
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


def known_field(name: str) -> bool:
    """Whether ``name`` is a field a detector may read (see the module docs)."""
    return (
        name in EVENT_FIELDS
        or name in DERIVED_FIELDS
        or (name.startswith("raw.") and len(name) > 4)
    )


def norm(value: Any) -> str:
    """How a value compares: as text, without case (``true``/``false`` for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).casefold().strip()


# -- conditions --------------------------------------------------------------------------------

Test = Callable[[ActivityEvent], bool]


def as_list(value: Any) -> list[Any]:
    """A YAML value that may be one value or a list of them, as a list."""
    return list(value) if isinstance(value, list) else [value]


def _leaf(name: str, modifier: str | None, value: Any, where: str) -> Test:
    if not known_field(name):
        raise DetectorFileError(
            f"{where}: unknown field {name!r} (fields: {', '.join(EVENT_FIELDS + DERIVED_FIELDS)}, "
            "raw.PATH)"
        )
    if modifier == "exists":
        if not isinstance(value, bool):
            raise DetectorFileError(f"{where}: {name}|exists takes true or false")

        def exists(e: ActivityEvent) -> bool:
            v = field_value(e, name)
            return (v not in (None, "", [])) is value

        return exists
    wanted = as_list(value)
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
        norms = [norm(v) for v in wanted]
        compare: Callable[[str, str], bool] = {
            None: lambda have, want: have == want,
            "contains": lambda have, want: want in have,
            "startswith": lambda have, want: have.startswith(want),
            "endswith": lambda have, want: have.endswith(want),
        }[modifier]

        def test(v: Any) -> bool:
            have = norm(v)
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
