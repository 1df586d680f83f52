"""The strict JSON reader: hostile JSON is a SafeJsonError with a short message, never a crash."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smguard import safejson
from tests.support.hostile import BOUNDED, json_texts, json_values


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
