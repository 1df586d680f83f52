"""Properties of the JSONL feed reader and of each export reader, on generated hostile input."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from smguard.plugins.connectors.jsonl import parse_line
from smguard.plugins.connectors.mastodon import status_event

from smguard.errors import InputError
from smguard.manager import get_plugin_manager
from smguard.watch.connectors import ConnectorError, ExportError, ExportSource, export_connectors
from tests.support.hostile import BOUNDED, damage, json_texts, json_values

EXPORTS = Path(__file__).parents[1] / "data" / "exports"
_CONNECTORS = export_connectors(get_plugin_manager())

_events = st.fixed_dictionaries(
    {"kind": st.sampled_from(["login", "post_published", "bogus"])},
    optional={
        "at": st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), st.text(max_size=30)),
        "account": st.one_of(st.text(max_size=10), st.integers()),
        "id": json_values,
        "ip": json_values,
        "latitude": json_values,
        "links": json_values,
        "raw": json_values,
    },
)


@BOUNDED
@given(st.data())
def test_a_feed_line_is_an_event_or_one_input_error(data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        line = json.dumps(data.draw(_events))
        if data.draw(st.booleans()):
            line = damage(line, data)
    else:
        line = json_texts(data)
    try:
        event = parse_line(line, account="kem", platform="cms", source="t")
    except InputError as exc:
        assert len(str(exc)) < 500
        return
    assert 1970 <= event.at.year <= 2200 and event.account


@BOUNDED
@given(st.dictionaries(st.sampled_from(["id", "created_at", "content", "url", "edited_at",
                                          "visibility", "media_attachments"]),
                       json_values))  # fmt: skip
def test_a_mastodon_status_is_an_event_or_one_input_error(status: dict[str, Any]) -> None:
    try:
        status_event(status, "kem")
    except (InputError, ConnectorError) as exc:
        assert len(str(exc)) < 500


_EXPORTS = {
    "x": ("x_archive", "data/tweets.js"),
    "instagram": ("instagram_en", "security_and_login_information/login_and_account_creation/"
                  "login_activity.json"),
    "facebook": ("facebook_v2", "security_and_login_information/account_activity.json"),
}  # fmt: skip


@BOUNDED
@given(st.sampled_from(sorted(_EXPORTS)), st.data())
def test_each_export_reader_reads_or_refuses_a_damaged_file(fmt: str, data: st.DataObject) -> None:
    folder_name, member = _EXPORTS[fmt]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / folder_name
        shutil.copytree(EXPORTS / folder_name, folder)
        target = folder / member
        original = target.read_text(encoding="utf-8")
        if data.draw(st.booleans()):
            text = damage(original, data)
        else:
            prefix = original[: original.index("=") + 1] if fmt == "x" else ""
            text = prefix + json_texts(data)
        target.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            with ExportSource.open(folder) as source:
                events = _CONNECTORS[fmt].read(source, "kem_x", None)
        except ExportError as exc:
            assert len(str(exc)) < 1_000
            return
        assert all(1970 <= e.at.year <= 2200 for e in events)
