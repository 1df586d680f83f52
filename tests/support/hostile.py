"""Hypothesis strategies for hostile input: JSON values, JSON text and post texts.

Bounded so that the property tests stay fast in CI; the long campaign is benchmarks/fuzz.py.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

#: Every property test runs under this: few examples, no per-example deadline (CI is shared).
BOUNDED = settings(max_examples=40, deadline=None)

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=False),
    st.text(max_size=40),
)

#: Any JSON-like value, keys included that are not strings where Python allows it.
json_values = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.text(max_size=10), inner, max_size=5),
    ),
    max_leaves=20,
)

#: Post texts: any Unicode (lone surrogates too), runs of one symbol, mixed words.
post_texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(exclude_categories=[]), max_size=100),
    st.builds(lambda c, n: c * n, st.sampled_from("@$#./_-:a 0\u200b"), st.integers(1, 2_000)),
    st.lists(st.sampled_from(["halo", "kak", "promo", "klik", "http://x.y/", "@a", "bokep"]),
             max_size=30).map(" ".join),
)  # fmt: skip


def _damage(text: str, data: st.DataObject) -> str:
    cut = data.draw(st.integers(0, len(text)))
    insert = data.draw(
        st.sampled_from(
            ["", "[" * 200, "9" * 5_000, '"\\ud800"', ",", "}", '{"a":1,"a":2}', "\x00", "NaN"]
        )
    )
    return text[:cut] + insert + text[cut + data.draw(st.integers(0, 5)) :]


def json_texts(data: st.DataObject) -> str:
    """A JSON text: valid, valid with a hostile value inserted, or damaged."""
    value: Any = data.draw(json_values)
    text = json.dumps(value, ensure_ascii=data.draw(st.booleans()))
    if data.draw(st.booleans()):
        text = _damage(text, data)
    return text


damage = _damage
