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


def _constant(name: str) -> Any:
    raise SafeJsonError(f"{name} is not valid JSON")


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)
#: Integers longer than this many bits have more than :data:`MAX_INT_DIGITS` digits.
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219280948873626) + 1


def _bad_scalar(item: object) -> str | None:
    if isinstance(item, str):
        if _SURROGATE.search(item):
            return "a lone surrogate escape (\\ud800-\\udfff) in a string"
    elif isinstance(item, int) and item.bit_length() > _MAX_INT_BITS:
        digits = len(str(abs(item)))
        if digits > MAX_INT_DIGITS:
            return f"an integer of {digits} digits (at most {MAX_INT_DIGITS})"
    return None


def _check_tree(value: Any) -> None:
    """Depth, integers and surrogates, without recursion; only containers go on the stack, so
    a list of millions of numbers costs no more memory than it already takes."""
    problem = _bad_scalar(value)
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SafeJsonError(f"nested deeper than {MAX_DEPTH} levels")
        children: Any = item
        if isinstance(item, dict):
            for key in item:
                problem = problem or _bad_scalar(key)
            children = item.values()
        for inner in children:
            if isinstance(inner, dict | list):
                stack.append((inner, depth + 1))
            elif type(inner) is not float and inner is not None and type(inner) is not bool:
                problem = problem or _bad_scalar(inner)
        if problem:
            break
    if problem:
        raise SafeJsonError(problem)


def loads(text: str | bytes, start: int = 0) -> Any:
    """Parse ``text`` (from index ``start``, without copying it) strictly; raise
    :class:`SafeJsonError` for anything smguard refuses."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SafeJsonError(f"not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        begin = _WHITESPACE.match(text, start)
        value, end = _DECODER.raw_decode(text, begin.end() if begin else start)
        rest = _WHITESPACE.match(text, end)
        if rest is not None and rest.end() != len(text):
            raise json.JSONDecodeError("Extra data", text, rest.end())
    except SafeJsonError:
        raise
    except json.JSONDecodeError as exc:
        raise SafeJsonError(f"not valid JSON ({exc.msg} at column {exc.colno})", exc) from None
    except RecursionError:
        raise SafeJsonError(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # an integer beyond Python's own digit limit (4300)
        raise SafeJsonError(
            f"an integer of thousands of digits (at most {MAX_INT_DIGITS})"
        ) from None
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
