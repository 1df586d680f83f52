"""Properties of the guard's input and of rule-pack loading, on generated hostile input."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from smguard.config import Config
from smguard.errors import RulePackError
from smguard.guard.engine import Guard
from smguard.guard.packs import load_packs
from tests.support.hostile import BOUNDED, damage, json_values, post_texts

_GUARD = Guard(Config.from_dict({}))
_RULES = Path(__file__).parents[2] / "rules"

_posts = st.one_of(
    post_texts,
    st.fixed_dictionaries(
        {"text": post_texts},
        optional={
            "id": st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none()),
            "kind": st.sampled_from(["post", "reply", "dm", "tweet", ""]),
            "language": st.one_of(st.sampled_from(["id", "en", "xx"]), st.integers()),
            "scheduled_at": st.one_of(
                st.datetimes().map(lambda d: d.isoformat() + "+00:00"), st.text(max_size=30)
            ),
            "in_reply_to": json_values,
            "links": json_values,
        },
    ),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), json_values, max_size=4),
    json_values,
)


@BOUNDED
@given(st.lists(_posts, min_size=1, max_size=5))
def test_check_many_never_raises_and_answers_each_input(posts: list[Any]) -> None:
    verdicts = _GUARD.check_many(posts)
    assert len(verdicts) == len(posts)
    for verdict in verdicts:
        assert verdict.decision in ("allow", "review", "block")
        assert verdict.error is None or (verdict.decision == "review" and len(verdict.error) < 500)
        assert verdict.id is None or len(verdict.id) < 300


@BOUNDED
@given(st.data())
def test_a_damaged_pack_loads_or_is_one_pack_error(data: st.DataObject) -> None:
    files = sorted(_RULES.rglob("*.yaml"))
    original = data.draw(st.sampled_from(files)).read_text(encoding="utf-8")
    text = original
    for _ in range(data.draw(st.integers(1, 4))):
        text = damage(text, data)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "p.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_packs([Path(folder)])
        except RulePackError as exc:
            assert len(str(exc)) < 2_000
