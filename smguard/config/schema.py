"""Declarative checking of ``smguard.toml``: tables are msgspec structs, errors name the key.

Every table of the file is a :class:`Table` (a frozen msgspec struct that refuses unknown keys).
:func:`convert` turns the parsed TOML into one and rewrites msgspec's error into the one line a
person can act on, e.g. ``watch.retries: must be a whole number from 0 to 10 (got 'three')``.

Checks that a type cannot express (a time zone that exists, a time like ``07:30``) live in a
table's ``__post_init__`` and raise :func:`invalid` with the key they concern. The same structs
give the JSON Schema of the file (``smguard schema config``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from typing import Annotated, Any, ClassVar, NoReturn, TypeAlias, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from msgspec import inspect as mi

from smguard.errors import ConfigError

__all__ = [
    "NAMES",
    "NON_EMPTY",
    "Table",
    "choice",
    "clock",
    "convert",
    "convert_each",
    "hours",
    "invalid",
    "listing",
    "matching",
    "schema_document",
    "shaped",
    "str_list",
    "timezone",
]

T = TypeVar("T")

#: A string with something in it (not empty, not only spaces).
NON_EMPTY: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, pattern=r"\S")]
#: A list of names, or one name (environment overrides give ``"a,b"``; see :func:`str_list`).
NAMES: TypeAlias = str | tuple[str, ...]


class Table(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """One table of ``smguard.toml``: unknown keys are an error, values are typed.

    ``unknown_key`` is what an unknown key of this table is called in errors.
    """

    unknown_key: ClassVar[str] = "unknown setting"


class Invalid(ValueError):
    """A value a type cannot reject by itself; ``key`` is relative to the table checked."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"{key}\x1f{problem}")


def invalid(key: str, problem: str) -> NoReturn:
    """Reject ``key`` of the table being checked (call from ``__post_init__``)."""
    raise Invalid(key, problem)


# -- values that need more than a type ---------------------------------------------------------


def timezone(value: str, key: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        invalid(key, f"unknown time zone {value!r} (e.g. Asia/Jakarta)")
    return value


def clock(value: str, key: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        invalid(key, f"{value.strip()!r} is not a time like 07:30")


def hours(value: str, key: str, example: str) -> tuple[time, time]:
    if value.count("-") != 1:
        invalid(key, f'must look like "{example}"')
    start, end = value.split("-")
    return clock(start, key), clock(end, key)


def choice(noun: str, values: tuple[str, ...]) -> msgspec.Meta:
    """For ``Annotated[str, choice(...)]``: one of ``values`` in any case; errors say ``… is
    not {noun} (one of …)``."""
    return msgspec.Meta(
        pattern="(?i)^(" + "|".join(re.escape(v) for v in values) + ")$",
        extra={"noun": noun, "choices": values},
        extra_json_schema={"enum": list(values)},
    )


def matching(noun: str, pattern: str) -> msgspec.Meta:
    """For ``Annotated[str, matching("a duration like 10m", r"...")]``: errors say ``… is not
    {noun}``."""
    return msgspec.Meta(pattern=pattern, extra={"noun": noun})


def listing(noun: str) -> msgspec.Meta:
    """For ``Annotated[NAMES, listing('a list of domains, e.g. ["kemkes.go.id"]')]``: a value,
    or an item of it, of the wrong kind is reported on the list: ``must be a list of domains``."""
    return msgspec.Meta(extra={"noun": noun})


def shaped(example: str) -> msgspec.Meta:
    """For ``Annotated[str, shaped("00:00-05:00")]``: errors say ``must look like "…"``."""
    return msgspec.Meta(extra={"example": example}, examples=[example])


def str_list(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """A list of strings; a comma-separated string (as environment overrides give) splits."""
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(value)


# -- conversion and its errors -----------------------------------------------------------------

_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\['([^']*)'\]")
_KIND = {
    "int": "a whole number",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "array": "a list",
    "object": "a table",
    "null": "nothing",
}


def convert(data: Any, type_: type[T], where: str = "") -> T:
    """Check ``data`` against ``type_``; a :class:`ConfigError` names the key (``where.key``)."""
    try:
        if isinstance(data, Mapping) and not data and _all_optional(type_):
            # An absent table is its defaults: no decoder to prepare (smguard starts faster).
            return type_()
        return msgspec.convert(data, type_, strict=True)
    except Invalid as exc:  # from the defaults' __post_init__
        raise ConfigError(f"{'.'.join(filter(None, (where, exc.key)))}: {exc.problem}") from None
    except msgspec.ValidationError as exc:
        raise ConfigError(_explain(str(exc), type_, data, where)) from None


def _all_optional(type_: Any) -> bool:
    return (
        isinstance(type_, type)
        and issubclass(type_, msgspec.Struct)
        and len(type_.__struct_defaults__) == len(type_.__struct_fields__)
    )


def _path(raw: str) -> list[str]:
    return [m.group(1) or m.group(2) or m.group(3) for m in _PART.finditer(raw)]


def _value_at(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _unwrap(info: mi.Type) -> mi.Type:
    while True:
        if isinstance(info, mi.Metadata):
            info = info.type
        elif isinstance(info, mi.UnionType):
            inner = [t for t in info.types if not isinstance(t, mi.NoneType)]
            if len(inner) != 1:
                return info
            info = inner[0]
        else:
            return info


_LISTS = (mi.ListType, mi.TupleType, mi.VarTupleType, mi.SetType)
_TABLES = (mi.StructType, mi.DictType)


def _type_at(info: mi.Type, parts: list[str]) -> mi.Type | None:
    for part in parts:
        info = _unwrap(info)
        if isinstance(info, mi.UnionType):  # e.g. a name or a list of names: follow the list
            wanted = _LISTS if part.isdigit() else _TABLES
            found = [t for t in info.types if isinstance(_unwrap(t), wanted)]
            if not found:
                return None
            info = _unwrap(found[0])
        if isinstance(info, mi.StructType):
            field = next((f for f in info.fields if f.encode_name == part), None)
            if field is None:
                return None
            info = field.type
        elif isinstance(info, mi.DictType):
            info = info.value_type
        elif isinstance(info, _LISTS):
            info = info.item_type if hasattr(info, "item_type") else info.item_types[int(part)]
        else:
            return None
    return info


def _limits(info: mi.IntType | mi.FloatType) -> tuple[float | None, float | None]:
    low = info.ge if info.ge is not None else info.gt
    high = info.le if info.le is not None else info.lt
    return low, high


def _extra(info: mi.Type | None) -> dict[str, Any]:
    if isinstance(info, mi.UnionType):
        inner = [t for t in info.types if not isinstance(t, mi.NoneType)]
        info = inner[0] if len(inner) == 1 else None
    while isinstance(info, mi.Metadata):
        if info.extra:
            return dict(info.extra)
        info = info.type
    return {}


def _describe(info: mi.Type | None) -> str:
    if info is None:
        return "another kind of value"
    extra = _extra(info)
    if "example" in extra:
        return f'a text like "{extra["example"]}"'
    if "choices" in extra:
        return f"{extra['noun']} (one of {', '.join(extra['choices'])})"
    if "noun" in extra:
        return str(extra["noun"])
    base = _unwrap(info)
    if isinstance(base, mi.LiteralType):
        return "one of " + ", ".join(str(v) for v in base.values)
    if isinstance(base, mi.UnionType):
        kinds = [_describe(t) for t in base.types if not isinstance(t, mi.NoneType)]
        return " or ".join(dict.fromkeys(kinds))
    if isinstance(base, mi.IntType | mi.FloatType):
        kind = "a whole number" if isinstance(base, mi.IntType) else "a number"
        low, high = _limits(base)
        if base.gt is not None:  # more than, not equal to
            if high is not None:
                return f"{kind} over {base.gt:g} and at most {high:g}"
            return f"a positive {kind[2:]}" if base.gt == 0 else f"{kind} over {base.gt:g}"
        if low is not None and high is not None:
            return f"{kind} from {low:g} to {high:g}"
        if low is not None:
            return f"{kind} of at least {low:g}"
        if high is not None:
            return f"{kind} of at most {high:g}"
        return kind
    if isinstance(base, mi.StrType):
        return "a non-empty string" if base.min_length else "a string"
    if isinstance(base, mi.BoolType):
        return "true or false"
    if isinstance(base, mi.DateTimeType):
        return "a time with its zone, like 2026-06-01T00:00:00+07:00" if base.tz else "a time"
    if isinstance(base, mi.ListType | mi.TupleType | mi.VarTupleType | mi.SetType):
        item = getattr(base, "item_type", None)
        return "a list of strings" if isinstance(item, mi.StrType) else "a list"
    if isinstance(base, mi.StructType | mi.DictType | mi.TypedDictType):
        return "a table"
    return "another kind of value"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _known(info: mi.Type | None) -> list[str]:
    base = _unwrap(info) if info is not None else None
    if isinstance(base, mi.StructType):
        return sorted(f.encode_name for f in base.fields)
    return []


def _explain(message: str, type_: Any, data: Any, where: str) -> str:
    match = _AT.match(message.strip())
    msg = match.group("msg") if match else message
    parts = _path(match.group("path") or "") if match else []
    root = mi.type_info(type_)

    def key(extra: str | None = None) -> str:
        names = ([where] if where else []) + parts + ([extra] if extra else [])
        # A list's items are shown as ``routes[0]``, a table's keys as ``sinks.desk``.
        text = "".join(f"[{n}]" if n.isdigit() else f".{n}" for n in names if n)
        return text.lstrip(".") or "configuration"

    if "\x1f" in msg:  # raised by invalid() in a table's __post_init__
        sub, _, problem = msg.partition("\x1f")
        return f"{key(sub)}: {problem}"
    unknown = re.match(r"Object contains unknown field `(.+)`", msg)
    if unknown:
        table = _unwrap(_type_at(root, parts) or root)
        known = _known(table)
        name = unknown.group(1)
        what = "unknown setting"
        if isinstance(table, mi.StructType):
            what = getattr(table.cls, "unknown_key", what)
        listed = f" (known: {', '.join(known)})" if known else ""
        return f"{key(name)}: {what}{listed}"
    missing = re.match(r"Object missing required field `(.+)`", msg)
    if missing:
        return f"{key(missing.group(1))}: is required"
    info = _type_at(root, parts)
    if parts and parts[-1].isdigit() and "noun" in _extra(_type_at(root, parts[:-1])):
        parts = parts[:-1]  # an item of a list that describes itself as a whole
        info = _type_at(root, parts)
    value = _value_at(data, parts)
    wanted = _describe(info)
    if "example" in _extra(info):
        return f'{key()}: must look like "{_extra(info)["example"]}"'
    extra = _extra(info)
    if "regex" in msg or ("choices" in extra and isinstance(value, str)):
        return f"{key()}: {_shown(value)} is not {wanted}"
    if re.match(r"Invalid enum value", msg):
        return f"{key()}: {_shown(value)} is not {wanted}"
    if isinstance(value, Mapping) and not isinstance(
        _unwrap(info) if info else None, mi.StructType | mi.DictType
    ):
        return f"{key()}: must be {wanted}, not a table"
    return f"{key()}: must be {wanted} (got {_shown(value)})"


def schema_document(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema msgspec made (the tables' docstrings are its descriptions), as published:
    JSON Schema 2020-12, and no ``null``.

    TOML has no null: a key that may be left out is simply optional, so the ``null`` msgspec
    lists for ``X | None`` fields is dropped.
    """
    document: dict[str, Any] = _without_null(schema)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return document


def _without_null(node: Any) -> Any:
    if isinstance(node, list):
        return [_without_null(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _without_null(v) for k, v in node.items()}
    if out.get("default", ...) is None:
        del out["default"]
    if "enum" in out:  # the enum lists the canonical spellings; the pattern also allows "HIGH"
        out.pop("pattern", None)
    options = out.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            del out["anyOf"]
            out = {**kept[0], **out}
        else:
            out["anyOf"] = kept
    return out


def convert_each(data: Any, type_: type[T], where: str) -> dict[str, T]:
    """A table of named tables (``[accounts.NAME]``): each checked with its own name in errors."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: must be a table")
    return {str(name): convert(value, type_, f"{where}.{name}") for name, value in data.items()}
