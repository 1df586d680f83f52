"""Reading JSON that a stranger wrote: one bad document is an error, never a crash or a stall.

Python's :func:`json.loads` accepts things smguard must not: duplicate keys (a publisher whose
parser keeps the first one would post text other than what was checked), integers of thousands
of digits (converting them back to text raises, and costs quadratic time), lone surrogate escapes
(``"\\ud800"`` decodes to a string that cannot be written as UTF-8), and nesting deep enough to
exhaust the recursion limit. :func:`loads` refuses each with :class:`SafeJsonError`, a
:class:`ValueError` whose message is short and never quotes the offending value.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "SafeJsonError", "loads", "short"]

#: Deepest nesting of arrays and objects accepted (a post object needs three).
MAX_DEPTH = 64
#: Longest integer accepted, in digits (an id or a count; 64-bit numbers have 20).
MAX_INT_DIGITS = 40

_SURROGATE = re.compile("[\ud800-\udfff]")


class SafeJsonError(ValueError):
    """A JSON document smguard refuses to read; the message says why, in a few words.

    ``decode`` is the parser's own error when the text is not JSON at all (for line and column).
    """

    def __init__(self, message: str, decode: json.JSONDecodeError | None = None) -> None:
        super().__init__(message)
        self.decode = decode


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise SafeJsonError(f"duplicate key {short(key)}")
        obj[key] = value
    return obj


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise SafeJsonError(f"an integer of {len(digits)} digits (at most {MAX_INT_DIGITS})")
    return int(digits)


def _float(text: str) -> float:
    if len(text) > 2 * MAX_INT_DIGITS:
        raise SafeJsonError(f"a number of {len(text)} characters")
    return float(text)


def _constant(name: str) -> Any:
    raise SafeJsonError(f"{name} is not valid JSON")


def _check_tree(value: Any) -> None:
    """Depth and surrogates, without recursion (the tree may be as deep as the parser allowed)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise SafeJsonError("a lone surrogate escape (\\ud800-\\udfff) in a string")
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise SafeJsonError(f"nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key, inner in item.items():
                    stack.append((key, depth))
                    stack.append((inner, depth + 1))
            else:
                stack.extend((inner, depth + 1) for inner in item)


def loads(text: str | bytes) -> Any:
    """Parse ``text`` strictly; raise :class:`SafeJsonError` for anything smguard refuses."""
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
        )
    except SafeJsonError:
        raise
    except json.JSONDecodeError as exc:
        raise SafeJsonError(f"not valid JSON ({exc.msg} at column {exc.colno})", exc) from None
    except RecursionError:
        raise SafeJsonError(f"nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise SafeJsonError(f"not valid JSON ({short(str(exc))})") from None
    _check_tree(value)
    return value


def short(value: object, limit: int = 40) -> str:
    """A bounded, printable rendering of ``value`` for an error message (never the whole)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 128:
            return f"<an integer of about {int(value.bit_length() * 0.30103)} digits>"
        return str(value)
    if value is None or isinstance(value, bool | float):
        return repr(value)
    if not isinstance(value, str):
        return f"<{type(value).__name__}>"
    text = _SURROGATE.sub("\ufffd", value[: limit + 1])
    shown = repr(text[:limit])
    return shown[:-1] + "…" + shown[-1] if len(text) > limit else shown
