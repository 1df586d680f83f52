"""Exports are streamed: the same records and the same one-line errors as reading each file whole.

The whole-file reading here is what the connectors did before streaming (``read_text`` and
``load_json``); the streamed reading is run at chunk sizes small enough to cut every record, key,
string, escape and number somewhere.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from smguard.plugins.connectors.meta import FacebookConnector, InstagramConnector
from smguard.plugins.connectors.x_archive import XArchiveConnector, iter_ytd

from smguard.types import ActivityEvent
from smguard.watch.connectors import ExportError, ExportSource, load_json
from tests.support.hostile import BOUNDED

EXPORTS = Path(__file__).parents[1] / "data" / "exports"
_PREFIX = re.compile(r"\A\s*window\.YTD\.[A-Za-z0-9_]+\.part\d+\s*=\s*")
#: Chunk sizes in bytes: one byte cuts every multi-byte character and escape too.
SIZES = (1, 2, 3, 5, 13, 64)
_CONNECTORS: dict[str, Callable[[], Any]] = {
    "x": XArchiveConnector,
    "instagram": InstagramConnector,
    "facebook": FacebookConnector,
}
_FIXTURES = {
    "x_archive": "x",
    "x_archive_2024": "x",
    "x_old": "x",
    "instagram_en": "instagram",
    "instagram_de": "instagram",
    "instagram_2024": "instagram",
    "facebook_v2": "facebook",
    "facebook_old": "facebook",
    "facebook_ipv6": "facebook",
}


def _read(path: Path, fmt: str, chunk: int | None = None) -> list[ActivityEvent]:
    with ExportSource.open(path) as source:
        if chunk is not None:
            source.chunk_bytes = chunk
        return list(_CONNECTORS[fmt]().read(source, "kem", fmt))


def _whole_ytd(path: Path) -> Any:
    """One X archive file as it was read before streaming: all of it, then parsed."""
    with ExportSource.open(path) as source:
        text = source.read_text(source.names[0])
        match = _PREFIX.match(text)
        return load_json(text, source.where(source.names[0]), start=match.end() if match else 0)


def _streamed_ytd(path: Path, chunk: int) -> Any:
    with ExportSource.open(path) as source:
        source.chunk_bytes = chunk
        return list(iter_ytd(source, source.names[0]))


def _outcome(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except ExportError as exc:
        return f"ExportError: {exc}"


@pytest.mark.parametrize("name", sorted(_FIXTURES))
def test_every_fixture_gives_the_same_events_at_every_chunk_size(name: str) -> None:
    fmt = _FIXTURES[name]
    expected = _read(EXPORTS / name, fmt)
    assert expected
    for size in SIZES:
        assert _read(EXPORTS / name, fmt, size) == expected, size


@pytest.mark.parametrize("name", ["x_archive", "x_archive_2024", "x_old"])
def test_every_x_file_streams_to_what_the_whole_file_parses_to(name: str) -> None:
    files = sorted(f for f in (EXPORTS / name).rglob("*.js") if f.name != "manifest.js")
    assert files
    for file in files:
        whole = _whole_ytd(file)
        for size in SIZES:
            assert _streamed_ytd(file, size) == whole, (file.name, size)


def test_a_zipped_archive_streams_to_the_same_events(tmp_path: Path) -> None:
    target = tmp_path / "x.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for file in sorted((EXPORTS / "x_archive").rglob("*")):
            zf.write(file, file.relative_to(EXPORTS / "x_archive").as_posix())
    expected = _read(EXPORTS / "x_archive", "x")
    for size in (1, 7, 1 << 16):
        assert _read(target, "x", size) == expected


def test_a_truncated_file_is_named_at_the_same_place_whatever_the_chunks() -> None:
    messages = {_outcome(lambda: _read(EXPORTS / "x_truncated", "x", s)) for s in SIZES}  # noqa: B023
    (message,) = messages
    assert message.endswith(
        "x_truncated/data/tweets.js: not valid JSON at line 12, column 164: "
        "the file ends too early (truncated?)"
    )


_TWEET = (
    '{ "tweet" : { "id_str" : "1", "created_at" : "Tue Feb 20 09:30:00 +0000 2024", '
    '"full_text" : "halo", "favorite_count" : "0", "retweet_count" : "0" } }'
)


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ("[" * 5_000 + "]" * 5_000, "refused: nested deeper than 64 levels"),
        ('{"tweet": ' + "[" * 80 + "]" * 80 + "}", "refused: nested deeper than 64 levels"),
        ('{"tweet": {"id_str": ' + "7" * 5_000 + "}}", "refused: an integer of thousands"),
        ('{"tweet": {"id_str": ' + "7" * 45 + "}}", "refused: an integer of 45 digits"),
        ('{"tweet": {"full_text": "x\\ud800"}}', "refused: a lone surrogate"),
        ('{"tweet": {"id_str": "1", "id_str": "2"}}', "refused: duplicate key 'id_str'"),
        ('{"tweet": {"n": NaN}}', "refused: NaN is not valid JSON"),
        ('{"tweet": {"id_str": "1" "x": 2}}', "expecting ',' delimiter (damaged?)"),
        ('{"tweet": {"full_text": "a\tb"}}', "invalid control character at (damaged?)"),
    ],
)
def test_a_hostile_record_is_the_same_one_line_error_as_before(
    tmp_path: Path, element: str, message: str
) -> None:
    data = tmp_path / "x" / "data"
    data.mkdir(parents=True)
    tweets = data / "tweets.js"
    tweets.write_text(
        f"window.YTD.tweets.part0 = [\n  {_TWEET},\n  {element},\n  {_TWEET}\n]\n", "utf-8"
    )
    whole = _outcome(lambda: _whole_ytd(tweets))
    assert whole.startswith("ExportError: ") and message in whole, whole
    assert "\n" not in whole and len(whole) < 300
    for size in (1, 3, 64, 1 << 16):
        assert _outcome(lambda: _streamed_ytd(tweets, size)) == whole, size  # noqa: B023
        streamed = _outcome(lambda: _read(tmp_path / "x", "x", size))  # noqa: B023
        assert streamed == whole, size


_ENTRY = '{"title": "2024-03-05T08:12:44+00:00", "string_map_data": {}}'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"account_history_login_history": {}}', "'account_history_login_history' should be"),
        ('{"something_else": [1]}', "no 'account_history_login_history' list"),
        ("[1, 2]", "no 'account_history_login_history' list"),
        ('{"account_history_login_history": [{"a": 1, "a": 1}]}', "duplicate key 'a'"),
        ('{"account_history_login_history": [], "account_history_login_history": []}',
         "duplicate key 'account_history_login_history'"),
        ('{"account_history_login_history": [' + _ENTRY + '], "z": [' + "1" * 50 + "]}",
         "integer of 50 digits"),
        ('{"account_history_login_history": [' + _ENTRY, "ends too early"),
    ],
)  # fmt: skip
def test_a_damaged_meta_file_is_one_clear_error_at_every_chunk_size(
    tmp_path: Path, body: str, message: str
) -> None:
    (tmp_path / "login_activity.json").write_text(body, "utf-8")
    seen = {_outcome(lambda: _read(tmp_path, "instagram", s)) for s in SIZES}  # noqa: B023
    (shown,) = seen
    assert shown.startswith("ExportError: ") and message in shown, shown


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
@pytest.mark.parametrize(
    "body",
    [b'[{"a": "\xc3\xa9 \xff"}]', b'["\xe4\xb8\xad', b"[1]\xe4", b"\xef", b"\xef\xbb", b"\xc3\xa9"],
)
def test_text_is_decoded_as_the_whole_file_is(tmp_path: Path, bom: bytes, body: bytes) -> None:
    """Multi-byte characters cut by chunks, a byte-order mark cut too; an invalid byte is named
    by the number Python gives it when the whole file is decoded."""
    file = tmp_path / "tweets.js"
    file.write_bytes(bom + body)
    try:
        whole = (bom + body).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        whole = f"not UTF-8 text (byte {exc.start + 1})"
    with ExportSource.open(file) as source:
        for size in (1, 2, 3, 4, 1 << 16):
            source.chunk_bytes = size
            try:
                streamed = "".join(source.text_chunks(source.names[0]))
            except ExportError as exc:
                streamed = str(exc).split(": ", 1)[1].split(":")[0]
            assert streamed == whole, size


def test_a_file_that_is_not_utf8_names_the_byte_as_python_does(tmp_path: Path) -> None:
    file = tmp_path / "feed.jsonl"
    file.write_bytes(codecs.BOM_UTF8 + b"abc\xe4\xb8\xad\xff")
    try:
        file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        expected = exc.start + 1
    with ExportSource.open(file) as source:
        for size in (1, 2, 5, 100):
            source.chunk_bytes = size
            with pytest.raises(ExportError, match=rf"\(byte {expected}\)"):
                "".join(source.text_chunks(source.names[0]))


def test_a_member_claiming_more_than_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ExportSource, "max_member_bytes", 1000)
    big = tmp_path / "x.zip"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = [" + " " * 2000 + "]")
    with ExportSource.open(big) as source:
        chunks = source.chunks("data/tweets.js", 10)
        with pytest.raises(ExportError, match=r"larger than 0.000953674 MiB unpacked"):
            next(chunks)
        assert source._read_so_far == 0


def test_the_limits_count_what_is_read_across_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ExportSource, "max_total_bytes", 1 << 20)
    folder = tmp_path / "x" / "data"
    folder.mkdir(parents=True)
    record = _TWEET.replace('"1"', '"{n}"')
    for part in range(3):
        body = ",\n".join(record.replace("{n}", f"{part}{n}") for n in range(3000))
        (folder / f"tweets-part{part}.js").write_text(
            f"window.YTD.tweets.part{part} = [\n{body}\n]\n", "utf-8"
        )
    size = sum(f.stat().st_size for f in folder.iterdir())
    assert 1 << 20 < size < 2 << 20
    with pytest.raises(ExportError, match=r"unpacks to more than 1 MiB in all"):
        _read(tmp_path / "x", "x", 4096)


@BOUNDED
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id_str": st.integers(1, 10**18).map(str),
                "full_text": st.text(max_size=60),
                "favorite_count": st.integers(0, 10**6).map(str),
            }
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 40),
    st.booleans(),
)
def test_generated_archives_stream_to_the_whole_file_parse(
    tweets: list[dict[str, str]], size: int, ascii_only: bool
) -> None:
    import json
    import tempfile

    records = [{"tweet": {**t, "created_at": "Tue Feb 20 09:30:00 +0000 2024"}} for t in tweets]
    text = "window.YTD.tweets.part0 = " + json.dumps(records, indent=2, ensure_ascii=ascii_only)
    with tempfile.TemporaryDirectory() as scratch:
        tweets_js = Path(scratch) / "tweets.js"
        tweets_js.write_text(text, "utf-8", errors="surrogatepass")
        assert _outcome(lambda: _streamed_ytd(tweets_js, size)) == _outcome(
            lambda: _whole_ytd(tweets_js)
        )


_LINE_TEXT = st.lists(
    st.sampled_from(["a", "é", "中", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85",
                     "\u2028", "\u2029", " ", "{"]),
    max_size=40,
).map("".join)  # fmt: skip


@BOUNDED
@given(_LINE_TEXT, st.integers(1, 9))
def test_lines_are_what_splitlines_gives_the_whole_text(text: str, size: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        feed = Path(scratch) / "feed.jsonl"
        feed.write_text(text, "utf-8", newline="")
        with ExportSource.open(feed) as source:
            source.chunk_bytes = size
            assert list(source.lines(source.names[0])) == text.splitlines()


def test_a_jsonl_feed_reads_the_same_at_every_chunk_size(tmp_path: Path) -> None:
    from smguard.plugins.connectors.jsonl import JsonlConnector

    def read(path: Path, size: int | None) -> Any:
        with ExportSource.open(path) as source:
            if size:
                source.chunk_bytes = size
            return _outcome(lambda: JsonlConnector().read(source, None, None))

    for name in ("feed.jsonl", "feed_bad.jsonl"):
        expected = read(EXPORTS / name, None)
        for size in (1, 2, 7, 64):
            assert read(EXPORTS / name, size) == expected, (name, size)
    crlf = tmp_path / "feed.jsonl"
    crlf.write_bytes((EXPORTS / "feed.jsonl").read_bytes().replace(b"\n", b"\r\n"))
    for size in (1, 2, 7):
        assert read(crlf, size) == read(EXPORTS / "feed.jsonl", None)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("method", "damaged inside the zip (That compression method is not supported)"),
        ("encrypted", "cannot read: File"),
    ],
)
def test_a_member_that_cannot_be_unpacked_is_named(
    tmp_path: Path, patch: str, message: str
) -> None:
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
    data = bytearray(archive.read_bytes())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    if patch == "method":  # an unknown compression method in both headers
        data[local + 8 : local + 10] = data[central + 10 : central + 12] = b"\x63\x00"
    else:  # the "encrypted" flag
        data[local + 6] |= 1
        data[central + 8] |= 1
    archive.write_bytes(bytes(data))
    with pytest.raises(ExportError) as info:
        _read(archive, "x")
    assert f"x.zip:data/tweets.js: {message}" in str(info.value), info.value
