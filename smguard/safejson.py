"""Reading JSON that a stranger wrote: one bad document is an error, never a crash or a stall.

Python's :func:`json.loads` accepts things smguard must not: duplicate keys (a publisher whose
parser keeps the first one would post text other than what was checked), integers of thousands
of digits (converting them back to text raises, and costs quadratic time), lone surrogate escapes
(``"\\ud800"`` decodes to a string that cannot be written as UTF-8), and nesting deep enough to
exhaust the recursion limit. :func:`loads` refuses each with :class:`SafeJsonError`, a
:class:`ValueError` whose message is short and never quotes the offending value.

:class:`ArrayStream` reads a document whose bulk is one array (an export's list of records) from
chunks of text, one element at a time, with the same strictness and the same verdict as
:func:`loads` on the whole text: memory holds one element and one chunk, not the document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any

__all__ = [
    "HEAD_CHARS",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "ArrayStream",
    "SafeJsonError",
    "loads",
    "short",
]

#: Deepest nesting of arrays and objects accepted (a post object needs three).
MAX_DEPTH = 64
#: Longest integer accepted, in digits (an id or a count; 64-bit numbers have 20).
MAX_INT_DIGITS = 40

_SURROGATE = re.compile("[\ud800-\udfff]")


class SafeJsonError(ValueError):
    """A JSON document smguard refuses to read; the message says why, in a few words.

    ``decode`` is the parser's own error when the text is not JSON at all; ``line`` and
    ``column`` say where in the whole document (its ``pos`` may count from a later chunk of a
    stream), and ``truncated`` whether the document ends there (only whitespace follows, or a
    string is left open).
    """

    def __init__(
        self,
        message: str,
        decode: json.JSONDecodeError | None = None,
        *,
        line: int = 0,
        column: int = 0,
        truncated: bool = False,
    ) -> None:
        super().__init__(message)
        self.decode = decode
        self.line, self.column, self.truncated = line, column, truncated


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


def _tree_problem(value: Any, depth: int = 1) -> str | None:
    """What :func:`loads` refuses in a parsed ``value`` found at nesting ``depth`` (depth,
    integers, surrogates), without recursion; only containers go on the stack, so a list of
    millions of numbers costs no more memory than it already takes.

    The order of the search is part of the contract: a container's own keys and scalars first,
    then its inner containers from the last to the first. :class:`ArrayStream` relies on it to
    name the same problem as :func:`loads` when a document has several.
    """
    problem = _bad_scalar(value)
    stack: list[tuple[Any, int]] = [(value, depth)] if isinstance(value, dict | list) else []
    while stack:
        item, level = stack.pop()
        if level > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels"
        children: Any = item
        if isinstance(item, dict):
            for key in item:
                problem = problem or _bad_scalar(key)
            children = item.values()
        for inner in children:
            if isinstance(inner, dict | list):
                stack.append((inner, level + 1))
            elif type(inner) is not float and inner is not None and type(inner) is not bool:
                problem = problem or _bad_scalar(inner)
        if problem:
            break
    return problem


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
        cut = exc.msg.startswith("Unterminated string") or not text[exc.pos :].strip()
        raise SafeJsonError(
            f"not valid JSON ({exc.msg} at column {exc.colno})",
            exc,
            line=exc.lineno,
            column=exc.colno,
            truncated=cut,
        ) from None
    except RecursionError:
        raise SafeJsonError(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # an integer beyond Python's own digit limit (4300)
        raise SafeJsonError(
            f"an integer of thousands of digits (at most {MAX_INT_DIGITS})"
        ) from None
    problem = _tree_problem(value)
    if problem:
        raise SafeJsonError(problem)
    return value


#: Characters an error may lie before the end of what has been read and still come from a value
#: that the chunk boundary cut (``tr|ue``, ``-Infin|ity``, ``"\\u12|34"``): such an error is
#: retried with more text, and a real one is found again at the same place.
_CUT_MARGIN = 16
#: How far :meth:`ArrayStream.head` looks ahead by default.
HEAD_CHARS = 1 << 16
_NUMBER_CHARS = frozenset("0123456789.eE+-")
# Elements that can be recognised without parsing, each with the comma after it: scalars (strings
# without escapes or control characters), and flat objects and arrays of them. Possessive, so
# matching is linear; anything else is left to the parser, one element at a time.
_SCALAR = (
    r'(?:-?(?:0|[1-9]\d*+)(?:\.\d++)?+(?:[eE][-+]?\d++)?+|true|false|null|"[^"\\\x00-\x1f]*+")'
)
_WS_RUN = r"[ \t\n\r]*+"
_KEYED = rf'"[^"\\\x00-\x1f]*+"{_WS_RUN}:{_WS_RUN}{_SCALAR}'
_FLAT = (
    rf"(?:{_SCALAR}|\{{{_WS_RUN}(?:{_KEYED}{_WS_RUN}(?:,{_WS_RUN}{_KEYED}{_WS_RUN})*+)?+\}}"
    rf"|\[{_WS_RUN}(?:{_SCALAR}{_WS_RUN}(?:,{_WS_RUN}{_SCALAR}{_WS_RUN})*+)?+\])"
)
_RUN = re.compile(rf"(?:{_FLAT}{_WS_RUN},{_WS_RUN})++")
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


class ArrayStream:
    """The elements of a JSON document's one large array, read from chunks of text.

    Which array:

    * ``ArrayStream(chunks)``: the document is the array (after a prefix, see :meth:`head`);
    * ``keys=("a", "b")``: the document is an object, the array its member ``"a"``, else ``"b"``
      (the first of ``keys`` the object holds is taken, whatever its value is);
    * ``any_key=True``: the document is the array, or an object whose first array-valued member
      is (Meta writes such files both ways).

    Iterate once, to the end. Each element is checked as :func:`loads` checks it before it is
    yielded; a refused element ends the yielding, but the reading goes on, because a document is
    judged whole: the error raised at the end (a :class:`SafeJsonError`) is the one :func:`loads`
    would raise for the whole text, with ``line`` and ``column`` counted in the whole text.
    Other members of the object, and a document that is not of the expected shape, are read
    whole (within whatever bounds the chunks have).

    After the iteration, ``root`` is the document's type name (``"list"``, ``"dict"``, ``"str"``
    …), ``key`` the member taken (``None`` if none) and ``found`` whether the elements of an array
    were yielded.
    """

    def __init__(
        self, chunks: Iterable[str], *, keys: Sequence[str] = (), any_key: bool = False
    ) -> None:
        self._chunks = iter(chunks)
        self._keys = tuple(keys)
        self._any_key = any_key
        self._buf = ""
        self._pos = 0
        self._eof = False
        #: Line and column of ``_buf[0]`` in the whole document.
        self._line, self._col = 1, 1
        #: An element was refused: nothing more is yielded.
        self._refused = False
        #: Elements up to here are read one at a time (a run of them failed to parse at once).
        self._slow_until = 0
        self.root = ""
        self.key: str | None = None
        self.found = False

    # -- the buffer ----------------------------------------------------------------------------

    def _more(self, at_least: int = 1) -> bool:
        """Forget what was consumed and read at least ``at_least`` more characters, or to the
        end; False when nothing more came."""
        pos = self._pos
        if pos:
            newlines = self._buf.count("\n", 0, pos)
            if newlines:
                self._line += newlines
                self._col = pos - self._buf.rfind("\n", 0, pos)
            else:
                self._col += pos
            self._buf, self._pos = self._buf[pos:], 0
            self._slow_until = max(0, self._slow_until - pos)
        parts, got = [self._buf], 0
        while got < at_least and not self._eof:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._eof = True
            else:
                parts.append(chunk)
                got += len(chunk)
        self._buf = "".join(parts)
        return got > 0

    def _grow(self) -> None:
        """Read as much again as is pending, so that re-reading a long value stays linear."""
        self._more(len(self._buf) - self._pos + 1)

    def _cut(self, exc: json.JSONDecodeError) -> bool:
        """Whether ``exc`` may only mean that the text read so far stops inside a value."""
        if self._eof:
            return False
        return exc.msg.startswith("Unterminated string") or exc.pos >= len(self._buf) - _CUT_MARGIN

    def _ws(self) -> str:
        """Skip JSON whitespace; the next character, ``""`` at the end of the document."""
        while True:
            found = _WHITESPACE.match(self._buf, self._pos)
            self._pos = found.end() if found else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def head(self, size: int = HEAD_CHARS) -> str:
        """Up to ``size`` characters at the start, not consumed (to match a prefix before the
        JSON, such as X's ``window.YTD.tweets.part0 =``; :meth:`skip` it)."""
        while len(self._buf) - self._pos < size and self._more(size - len(self._buf) + self._pos):
            pass
        return self._buf[self._pos : self._pos + size]

    def skip(self, count: int) -> None:
        """Consume ``count`` characters of what :meth:`head` returned."""
        self._pos += count

    def _syntax(self, msg: str, pos: int) -> SafeJsonError:
        """The parser's complaint at ``pos`` in the buffer, placed in the whole document."""
        newlines = self._buf.count("\n", 0, pos)
        if newlines:
            line, column = self._line + newlines, pos - self._buf.rfind("\n", 0, pos)
        else:
            line, column = self._line, self._col + pos
        cut = msg.startswith("Unterminated string") or self._blank_from(pos)
        return SafeJsonError(
            f"not valid JSON ({msg} at line {line}, column {column})",
            json.JSONDecodeError(msg, self._buf, pos),
            line=line,
            column=column,
            truncated=cut,
        )

    def _blank_from(self, pos: int) -> bool:
        """Whether only whitespace follows ``pos`` (read on to the end without keeping it)."""
        if self._buf[pos:].strip():
            return False
        while not self._eof:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._eof = True
            elif chunk.strip():
                return False
        return True

    # -- values --------------------------------------------------------------------------------

    def _value(self) -> Any:
        """One whole JSON value at the next non-space character."""
        while True:
            if not self._ws():
                raise self._syntax("Expecting value", self._pos)
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if self._cut(exc):
                    self._grow()
                    continue
                raise self._syntax(exc.msg, exc.pos) from None
            except SafeJsonError:
                raise
            except RecursionError:
                raise SafeJsonError(f"nested deeper than {MAX_DEPTH} levels") from None
            except ValueError:  # an integer beyond Python's own digit limit (4300)
                if not self._eof and self._buf[-1:] in _NUMBER_CHARS:
                    self._grow()  # it may be a float's digits, the rest in the next chunk
                    continue
                raise SafeJsonError(
                    f"an integer of thousands of digits (at most {MAX_INT_DIGITS})"
                ) from None
            if (
                not self._eof
                and end > len(self._buf) - _CUT_MARGIN
                and (type(value) is int or type(value) is float)
            ):
                self._grow()  # the number may go on in the next chunk (``1|2``, ``1.|5``, ``1e|3``)
                continue
            self._pos = end
            return value

    def _string(self) -> str:
        """The string at ``_pos`` (its opening quote)."""
        while True:
            try:
                text, end = _scanstring(self._buf, self._pos + 1, True)
            except json.JSONDecodeError as exc:
                if self._cut(exc):
                    self._grow()
                    continue
                raise self._syntax(exc.msg, exc.pos) from None
            self._pos = end
            return str(text)

    def _run(self) -> list[Any] | None:
        """Several small elements at once, each followed by a comma, when they are at ``_pos``:
        one call into the parser instead of a few Python calls per element (an array of a
        million zeros is read at nearly the speed of :func:`loads`)."""
        if self._pos < self._slow_until:
            return None
        run = _RUN.match(self._buf, self._pos)
        if run is None:
            return None
        body = self._buf[self._pos : run.end()].rstrip(" \t\n\r")[:-1]
        try:
            values: list[Any] = _DECODER.raw_decode(f"[{body}]")[0]
        except ValueError:  # a duplicate key, a huge integer: read one by one, to be named
            self._slow_until = self._pos + len(body)  # (and not matched again and again)
            return None
        self._pos = run.end()
        return values

    def _array(self, depth: int, emit: bool) -> Generator[Any, None, str | None]:
        """The elements of the array at ``_pos`` (yielded if ``emit``); returns what
        :func:`_tree_problem` would find in the whole array: its first refused scalar, else the
        problem of the last inner container that has one."""
        self._pos += 1
        scalar: str | None = None
        inner: str | None = None
        if self._ws() == "]":
            self._pos += 1
            return None
        while True:
            values = self._run()
            for value in values or (self._value(),):
                if isinstance(value, dict | list):
                    problem = _tree_problem(value, depth + 1)
                    inner = problem or inner
                else:
                    problem = _bad_scalar(value)
                    scalar = scalar or problem
                if problem:
                    self._refused = True
                elif emit and not self._refused:
                    yield value
            if values:
                continue  # the run ended with a comma: a value follows
            after = self._ws()
            if after == "]":
                self._pos += 1
                return scalar or inner
            if after != ",":
                raise self._syntax("Expecting ',' delimiter", self._pos)
            self._pos += 1

    def _object(self, held: list[Any]) -> Generator[Any, None, str | None]:
        """The members of the root object at ``_pos``: the wanted array is yielded, or (when a
        key of lower rank holds it, and a better one may follow) kept in ``held``; returns the
        problem :func:`_tree_problem` would find in the whole object."""
        self._pos += 1
        seen: set[str] = set()
        duplicate: str | None = None
        bad_key: str | None = None
        bad_value: str | None = None
        inner: str | None = None
        rank = len(self._keys)
        after = self._ws()
        if after == "}":
            self._pos += 1
            return None
        while True:
            if after != '"':
                raise self._syntax("Expecting property name enclosed in double quotes", self._pos)
            key = self._string()
            if self._ws() != ":":
                raise self._syntax("Expecting ':' delimiter", self._pos)
            self._pos += 1
            if key in seen:
                duplicate = duplicate or key
            seen.add(key)
            bad_key = bad_key or _bad_scalar(key)
            is_array = self._ws() == "["
            wanted = key in self._keys and self._keys.index(key) < rank
            problem: str | None
            if wanted:
                rank = self._keys.index(key)
                self.key, self.found, held[:] = key, False, []
            if is_array and ((wanted and rank == 0) or (self._any_key and self.key is None)):
                self.key, self.found = key, True
                problem = yield from self._array(2, emit=True)
                inner = problem or inner
            elif is_array and not wanted:
                problem = yield from self._array(2, emit=False)
                inner = problem or inner
            else:
                value = self._value()
                if wanted:
                    self.found = isinstance(value, list)
                    if self.found:
                        held[:] = value
                if isinstance(value, dict | list):
                    inner = _tree_problem(value, 2) or inner
                else:
                    bad_value = bad_value or _bad_scalar(value)
            after = self._ws()
            if after == "}":
                self._pos += 1
                break
            if after != ",":
                raise self._syntax("Expecting ',' delimiter", self._pos)
            self._pos += 1
            after = self._ws()
        if duplicate is not None:
            raise SafeJsonError(f"duplicate key {short(duplicate)}")
        return bad_key or bad_value or inner

    def __iter__(self) -> Iterator[Any]:
        first = self._ws()
        held: list[Any] = []
        problem: str | None
        if first == "[":
            self.root = "list"
            self.found = not self._keys
            problem = yield from self._array(1, emit=self.found)
        elif first == "{" and (self._keys or self._any_key):
            self.root = "dict"
            problem = yield from self._object(held)
        else:
            value = self._value()
            self.root = type(value).__name__
            problem = _tree_problem(value)
        if self._ws():
            raise self._syntax("Extra data", self._pos)
        if problem:
            raise SafeJsonError(problem)
        if not self._refused:
            yield from held


def names(keys: Iterable[object], most: int = 5, limit: int = 30) -> str:
    """Field names for an error message: sorted, each as written when short and printable (else
    :func:`short`), at most ``most`` of them and then how many more."""
    shown = sorted(keys, key=str)
    out = [
        k if isinstance(k, str) and len(k) <= limit and k.isprintable() else short(k, limit)
        for k in shown[:most]
    ]
    if len(shown) > most:
        out.append(f"and {len(shown) - most} more")
    return ", ".join(out)


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
