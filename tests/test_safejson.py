"""The strict JSON reader: hostile JSON is a SafeJsonError with a short message, never a crash."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smguard import safejson
from tests.support.hostile import BOUNDED, json_texts, json_values

EXPORTS = Path(__file__).parent / "data" / "exports"


@BOUNDED
@given(st.data())
def test_any_text_is_a_value_or_one_short_error(data: st.DataObject) -> None:
    text = json_texts(data)
    try:
        value = safejson.loads(text)
    except safejson.SafeJsonError as exc:
        assert len(str(exc)) < 200
        return
    # Whatever it accepts, Python's own reader reads the same and it writes back as UTF-8.
    assert value == json.loads(text)
    json.dumps(value, ensure_ascii=False).encode("utf-8")


@BOUNDED
@given(json_values)
def test_ordinary_json_round_trips(value: object) -> None:
    text = json.dumps(value)
    try:
        assert safejson.loads(text) == json.loads(text)
    except safejson.SafeJsonError as exc:  # only for the documented reasons
        assert any(word in str(exc) for word in ("surrogate", "integer", "nested", "Infinity")), exc


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested deeper than 64"),
        ("9" * 41, "integer of 41 digits"),
        ("9" * 5_000, "thousands of digits"),
        ('"\\udfff"', "lone surrogate"),
        ('{"\\ud800": 1}', "lone surrogate"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("[NaN]", "NaN is not valid JSON"),
        ("[1] [2]", "Extra data"),
    ],
)
def test_each_hostile_form_has_its_reason(text: str, message: str) -> None:
    with pytest.raises(safejson.SafeJsonError, match=message.replace("[", r"\[")):
        safejson.loads(text)


def test_short_never_returns_an_unbounded_value() -> None:
    assert len(safejson.short("x" * 10**6)) < 50
    assert "digits" in safejson.short(10**5_000)
    assert safejson.short("a\ud800") == "'a\ufffd'"


# -- ArrayStream: the same verdict as loads, one element at a time ------------------------------


def _chunked(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _verdict(read: Callable[[], Any]) -> tuple[str, Any]:
    """``("value", v)`` or ``("error", (reason, line, column, truncated))``; the reason without
    where it is, which loads and ArrayStream word differently (column / line and column)."""
    try:
        return "value", read()
    except safejson.SafeJsonError as exc:
        reason = str(exc).split(" at line ")[0].split(" at column ")[0]
        return "error", (reason, exc.line, exc.column, exc.truncated)


def _streamed(text: str, size: int, **mode: Any) -> Any:
    stream = safejson.ArrayStream(_chunked(text, size), **mode)
    items = list(stream)
    return items if stream.found else ("not found", stream.root, stream.key)


def _whole(text: str, keys: tuple[str, ...] = (), any_key: bool = False) -> Any:
    """What the whole-document readers make of ``text``, in ArrayStream's terms."""
    value = safejson.loads(text)
    if isinstance(value, list) and not keys:
        return value
    if isinstance(value, dict) and keys:
        key = next((k for k in keys if k in value), None)
        if key is not None and isinstance(value[key], list):
            return value[key]
        return "not found", "dict", key
    if isinstance(value, dict) and any_key:
        key = next((k for k, v in value.items() if isinstance(v, list)), None)
        if key is not None:
            return value[key]
        return "not found", "dict", None
    return "not found", type(value).__name__, None


_REAL = {
    "x": (EXPORTS / "x_archive" / "data" / "tweets.js", {}),
    "x 2024": (EXPORTS / "x_archive_2024" / "data" / "tweets.js", {}),
    "instagram": (
        EXPORTS
        / "instagram_en/security_and_login_information/login_and_account_creation"
        / "login_activity.json",
        {"keys": ("account_history_login_history",)},
    ),
    "facebook": (
        EXPORTS / "facebook_v2/security_and_login_information/account_activity.json",
        {"keys": ("account_activity_v2", "account_activity")},
    ),
    "profile activity": (
        EXPORTS
        / "instagram_2024/security_and_login_information/login_and_profile_creation"
        / "profile_activity.json",
        {"any_key": True},
    ),
}


@pytest.mark.parametrize("name", sorted(_REAL))
def test_a_real_export_file_streams_to_what_the_whole_reader_reads(name: str) -> None:
    path, mode = _REAL[name]
    text = path.read_text("utf-8")
    text = text[text.index("=") + 1 :] if path.suffix == ".js" else text
    whole = _whole(text, **mode)
    assert isinstance(whole, list) and whole
    for size in range(1, 40):  # every element split at every place, for the small ones
        assert _streamed(text, size, **mode) == whole, size
    assert _streamed(text, 1 << 16, **mode) == whole


def test_brackets_quotes_and_numbers_inside_strings_survive_every_split() -> None:
    items = [
        {"t": 'a "]" b [x', "n": -12.5e-3, "u": "\u00e9\u4e2d\U0001f600 \\"},
        "],[{",
        123456789,
        0,
        -0.0,
        True,
        None,
        [[], {}, [{}]],
        "\\u005d",
    ]
    text = json.dumps(items, ensure_ascii=True)  # \ud83d\ude00 pairs split too
    for size in range(1, len(text) + 1):
        assert _streamed(text, size) == items, size


def test_runs_of_small_elements_are_read_whole_and_in_order() -> None:
    """Small elements are parsed several at a time (one call for a run): none lost or moved."""
    small = ["0", "12", "-1.5e3", '"ab"', "true", "null", "{}", "[]", '{"a": 1}', "[1, 2]"]
    text = "[" + ", ".join(small[n % len(small)] + " " * (n % 3) for n in range(400)) + "]"
    whole = safejson.loads(text)
    for size in [*range(1, 50), 1 << 16]:
        assert _streamed(text, size) == whole, size


def test_a_long_number_split_across_chunks_is_read_whole() -> None:
    """Regression: 5,000 digits cut before their ``.5`` looked like an integer beyond the limit."""
    text = "[1, " + "9" * 5_000 + ".5, 2]"
    for size in (7, 4_500, 1 << 16):
        assert _verdict(lambda: _streamed(text, size)) == _verdict(lambda: _whole(text))  # noqa: B023
    assert _streamed(text, 7)[0] == 1


@pytest.mark.parametrize(
    "text",
    [
        '[{"a": 1}, {"b": 2',  # truncated in an element
        '[{"a": "tex',  # truncated in a string
        "[1, 2,  \n  ",  # truncated after a comma
        "[1, 2",
        "[1, 2]  x",  # extra data
        "[1 2]",
        "[1,]",
        '[{"a" 1}]',
        "[tru, 1]",
        '["a\nb"]',  # a control character in a string
        '{"other": 1, "wanted": [1, 2}',
        "",
    ],
)
def test_a_damaged_document_is_the_same_error_at_the_same_place(text: str) -> None:
    for size in (1, 2, 3, 5, 8, 1 << 16):
        for mode in ({}, {"keys": ("wanted",)}):
            whole = _verdict(lambda: _whole(text, **mode))  # noqa: B023
            assert whole[0] == "error"
            assert _verdict(lambda: _streamed(text, size, **mode)) == whole, (size, mode)  # noqa: B023


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested deeper than 64"),
        ("[" + "[" * 70 + "]" * 70 + "]", "nested deeper than 64"),
        ("[1, " + "9" * 41 + "]", "integer of 41 digits"),
        ("[1, " + "9" * 5_000 + "]", "thousands of digits"),
        ('[{"a": "\\udfff"}]', "lone surrogate"),
        ('[{"\\ud800": 1}]', "lone surrogate"),
        ('[{"a": 1, "a": 2}]', "duplicate key 'a'"),
        ("[NaN]", "NaN is not valid JSON"),
        ('{"wanted": [1], "wanted": [2]}', "duplicate key 'wanted'"),
        # several problems: the one loads names (a parse error first, then the tree's order)
        ('[{"a": "\\ud800"}, {"b": 1, "b": 2}]', "duplicate key 'b'"),
        ('[{"a": "\\ud800"}, [' + "9" * 50 + "]]", "integer of 50 digits"),
        ('[{"a": "\\ud800"}, "\\udc00", [' + "9" * 50 + "]]", "lone surrogate"),
        # runs of small elements, read several at a time, refused as one by one
        ("[0, 1, " + "2, " * 50 + '{"a": 1, "a": 2}, 3]', "duplicate key 'a'"),
        ("[0, [1, 2], " + "9" * 45 + ', {"x": 1}, ' + "2, " * 50 + "3]", "integer of 45 digits"),
        ("[0, " + "1, " * 50 + "9" * 5_000 + ", 2]", "thousands of digits"),
        ("[0, " + '{"a": 1}, ' * 50 + '{"a": ' + "1" * 50 + "}, 2]", "integer of 50 digits"),
    ],
)
def test_hostile_elements_are_refused_as_loads_refuses_them(text: str, message: str) -> None:
    mode = {"keys": ("wanted",)} if text.startswith("{") else {}
    whole = _verdict(lambda: _whole(text, **mode))
    assert whole[0] == "error" and message in whole[1][0], whole
    for size in (1, 7, 64, 1 << 16):
        assert _verdict(lambda: _streamed(text, size, **mode)) == whole, size  # noqa: B023


def test_nothing_after_a_refused_element_is_yielded() -> None:
    text = '[{"n": 1}, {"n": "\\ud800"}, {"n": 3}]'
    seen: list[Any] = []
    with pytest.raises(safejson.SafeJsonError, match="lone surrogate"):
        seen.extend(safejson.ArrayStream(_chunked(text, 4)))
    assert seen == [{"n": 1}]


def test_the_wanted_key_decides_and_other_members_are_still_checked() -> None:
    keys = ("new", "old")
    text = '{"old": [1, 2], "x": {"y": [3]}, "new": [4, 5], "z": [6]}'
    assert _streamed(text, 3, keys=keys) == [4, 5]
    assert _streamed('{"old": [1, 2], "z": 1}', 3, keys=keys) == [1, 2]
    assert _streamed('{"new": {}, "old": [1]}', 3, keys=keys) == ("not found", "dict", "new")
    assert _streamed('{"other": [1]}', 3, keys=keys) == ("not found", "dict", None)
    assert _streamed("[1, 2]", 3, keys=keys) == ("not found", "list", None)
    assert _streamed('{"a": 1, "b": [7], "c": [8]}', 3, any_key=True) == [7]
    with pytest.raises(safejson.SafeJsonError, match="integer of 41 digits"):
        list(safejson.ArrayStream(['{"new": [1], "z": [', "9" * 41, "]}"], keys=keys))


def test_a_prefix_is_matched_and_skipped() -> None:
    stream = safejson.ArrayStream(_chunked("window.YTD.tweets.part0 = [1,\n 2]", 2))
    head = stream.head(30)
    assert head.startswith("window.YTD.tweets.part0 = [")
    stream.skip(head.index("["))
    assert list(stream) == [1, 2]
    cut = safejson.ArrayStream(_chunked("window.YTD.tweets.part0 = [1,\n 2", 3))
    cut.skip(cut.head().index("["))
    with pytest.raises(safejson.SafeJsonError) as info:
        list(cut)
    assert (info.value.line, info.value.column, info.value.truncated) == (2, 3, True)


def test_a_stream_holds_one_element_and_one_chunk() -> None:
    """Memory: a long array read in small chunks never buffers much more than an element."""
    element = json.dumps({"text": "x" * 200, "n": 1})
    total = 5_000

    def chunks() -> Iterator[str]:
        yield "["
        for n in range(total):
            yield ("," if n else "") + element
        yield "]"

    stream = safejson.ArrayStream(chunks())
    largest = count = 0
    for _item in stream:
        count += 1
        largest = max(largest, len(stream._buf))
    assert count == total
    assert largest < 4 * len(element)


@BOUNDED
@given(
    st.lists(json_values, max_size=8),
    st.integers(1, 50),
    st.sampled_from([None, 0, 2]),
    st.booleans(),
)
def test_stream_equals_whole_document_parse(
    items: list[Any], size: int, indent: int | None, keyed: bool
) -> None:
    try:
        text = json.dumps(items, indent=indent)
    except (TypeError, ValueError):  # a non-string key, or NaN
        return
    mode: dict[str, Any] = {}
    if keyed:
        text = '{"before": {"a": [1]}, "entries": ' + text + ', "after": [2, "x"]}'
        mode = {"keys": ("entries",)}
    assert _verdict(lambda: _streamed(text, size, **mode)) == _verdict(lambda: _whole(text, **mode))


@BOUNDED
@given(st.data(), st.integers(1, 50), st.booleans())
def test_stream_equals_whole_document_parse_on_hostile_text(
    data: st.DataObject, size: int, keyed: bool
) -> None:
    text = "[" + json_texts(data) + ", " + json_texts(data) + "]"
    mode: dict[str, Any] = {"keys": ("k", "j")} if keyed else {}
    if keyed:
        text = '{"j": ' + json_texts(data) + ', "k": ' + text + "}"
    assert _verdict(lambda: _streamed(text, size, **mode)) == _verdict(lambda: _whole(text, **mode))


_GOOD = st.sampled_from(
    [
        "0",
        "-1.5e3",
        "12",
        '"ab"',
        "true",
        "null",
        "{}",
        "[]",
        '{"a": 1, "b": "c"}',
        "[1, 2]",
        '{"a": {"b": []}}',
        '"a\\"b"',
        " \n 7",
    ]
)
_BAD = st.sampled_from(
    ['{"a": 1, "a": 2}', "9" * 45, "9" * 5_000, '"\\ud800"', '{"\\udc00": 1}', "NaN", "01", "tru",
     "[" * 70 + "]" * 70, "[1, 2"]
)  # fmt: skip


@BOUNDED
@given(
    st.lists(_GOOD, max_size=120),
    st.lists(st.tuples(st.integers(0, 120), _BAD), max_size=2),
    st.integers(1, 64),
    st.booleans(),
)
def test_stream_equals_whole_document_parse_on_long_arrays_of_small_elements(
    pieces: list[str], bad: list[tuple[int, str]], size: int, keyed: bool
) -> None:
    """Small elements are read several at a time; good ones with a bad one or two among them
    give the same verdict, and the same elements when all are good."""
    for where, piece in bad:
        pieces.insert(where, piece)
    text = "[" + ", ".join(pieces) + "]"
    mode: dict[str, Any] = {"keys": ("k",)} if keyed else {}
    if keyed:
        text = '{"z": [' + ", ".join(reversed(pieces)) + '], "k": ' + text + "}"
    assert _verdict(lambda: _streamed(text, size, **mode)) == _verdict(lambda: _whole(text, **mode))


def test_names_are_bounded_for_a_message() -> None:
    assert safejson.names({"txt", "acount"}) == "acount, txt"
    long = safejson.names({"x" * 5000, "ok"})
    assert long.startswith("ok, 'xxxx") and len(long) < 60
    many = safejson.names({f"f{i:02d}" for i in range(12)})
    assert many == "f00, f01, f02, f03, f04, and 7 more"
    assert safejson.names({"a\nb"}) == "'a\\nb'"  # not printable: quoted, escaped
