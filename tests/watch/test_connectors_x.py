"""The X / Twitter archive connector on made-up archives in the documented format."""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from smguard.plugins.connectors.x_archive import XArchiveConnector

from smguard.guard.fingerprint import fingerprint
from smguard.types import ActivityEvent
from smguard.watch.connectors import ExportError, ExportSource

EXPORTS = Path(__file__).parents[1] / "data" / "exports"


def read(path: Path, account: str = "kem_x") -> list[ActivityEvent]:
    with ExportSource.open(path) as source:
        connector = XArchiveConnector()
        assert connector.recognises(source)
        return connector.read(source, account, "x")


def zipped(folder: Path, target: Path, top: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, top + file.relative_to(folder).as_posix())
    return target


def by_kind(events: list[ActivityEvent]) -> dict[str, list[ActivityEvent]]:
    out: dict[str, list[ActivityEvent]] = {}
    for event in events:
        out.setdefault(event.kind, []).append(event)
    return out


def test_folder_archive_with_a_part1_file() -> None:
    events = read(EXPORTS / "x_archive")
    kinds = by_kind(events)
    posts = kinds["post_published"]
    assert [p.id for p in posts] == [
        "x:kem_x:tweet:1760000000000000001",
        "x:kem_x:tweet:1760000000000000002",
        "x:kem_x:tweet:1760000000000000003",  # from tweets-part1.js
    ]
    first = posts[0]
    assert first.at == datetime(2024, 2, 20, 9, 30, tzinfo=UTC)
    assert first.url == "https://x.com/KemContoh/status/1760000000000000001"
    assert first.links == ("https://kemcontoh.example/siaran/2024-02-20",)
    assert first.raw["link_expansions"] == {
        "https://t.co/AbCdEf1234": "https://kemcontoh.example/siaran/2024-02-20"
    }
    assert first.source == "x:tweets.js" and posts[2].source == "x:tweets-part1.js"
    # The text with its t.co link expanded has the fingerprint of the text as approved.
    approved = "Siaran pers hari ini & jadwal: https://kemcontoh.example/siaran/2024-02-20"
    assert fingerprint(first.text or "", first.raw["link_expansions"]) == fingerprint(approved)
    # The media link X appends is not part of what the author wrote.
    assert posts[1].text == "Foto kegiatan pagi ini."
    assert posts[1].raw["media"][0]["type"] == "photo"

    assert [(e.ip, e.at.isoformat()) for e in kinds["login"]] == [
        ("203.0.113.7", "2024-03-05T08:12:44.120000+00:00"),
        ("198.51.100.23", "2024-03-06T22:01:02+00:00"),
    ]
    (app,) = kinds["app_authorised"]
    assert app.at == datetime(2024, 1, 10, 3, 0, tzinfo=UTC)
    assert app.raw["app"]["name"] == "Contoh Scheduler"
    assert app.raw["app"]["permissions"] == ["read", "write"]
    (email,) = kinds["recovery_change"]
    assert email.raw["changed_to"] == "someone@mail.example"
    (name,) = kinds["profile_change"]
    assert (name.raw["changed_from"], name.raw["changed_to"]) == ("KemContohLama", "KemContoh")
    (facts,) = kinds["other"]
    assert facts.raw["type"] == "x_account" and facts.raw["email"] == "medsos@kemcontoh.example"
    assert all(e.account == "kem_x" and e.platform == "x" for e in events)


def test_zip_gives_the_same_events_as_the_folder(tmp_path: Path) -> None:
    folder = read(EXPORTS / "x_archive")
    flat = read(zipped(EXPORTS / "x_archive", tmp_path / "twitter-2024-03-08-abc.zip"))
    nested = read(zipped(EXPORTS / "x_archive", tmp_path / "nested.zip", top="twitter-2024-03-08/"))
    assert flat == folder
    assert nested == folder


def test_flat_folder_without_data_subfolder(tmp_path: Path) -> None:
    shutil.copytree(EXPORTS / "x_archive" / "data", tmp_path / "flat")
    assert read(tmp_path / "flat") == read(EXPORTS / "x_archive")


def test_old_tweet_js_with_top_level_fields() -> None:
    (post,) = read(EXPORTS / "x_old")
    assert post.id == "x:kem_x:tweet:500000000000000001"
    assert post.at == datetime(2014, 6, 2, 7, 0, tzinfo=UTC)
    assert post.links == ("http://kemcontoh.example/lama",)
    assert post.url == "https://x.com/i/web/status/500000000000000001"  # no account.js


def test_same_archive_gives_the_same_ids_every_time() -> None:
    assert [e.id for e in read(EXPORTS / "x_archive")] == [
        e.id for e in read(EXPORTS / "x_archive")
    ]


def test_truncated_file_names_file_and_position() -> None:
    with pytest.raises(ExportError) as info:
        read(EXPORTS / "x_truncated")
    message = str(info.value)
    assert message.endswith(
        "x_truncated/data/tweets.js: not valid JSON at line 12, column 164: "
        "the file ends too early (truncated?)"
    )
    assert "\n" not in message


def test_damaged_file_in_a_zip_names_the_member(tmp_path: Path) -> None:
    folder = tmp_path / "arch" / "data"
    folder.mkdir(parents=True)
    (folder / "tweets.js").write_text(
        'window.YTD.tweets.part0 = [\n  { "tweet" : { "id_str" : "1" ]\n]\n', encoding="utf-8"
    )
    with pytest.raises(ExportError) as info:
        read(zipped(tmp_path / "arch", tmp_path / "a.zip"))
    assert str(info.value).startswith("a.zip:data/tweets.js: not valid JSON at line 2, column 32")
    assert "(damaged?)" in str(info.value)


def test_not_an_archive_file(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "tweets.js").write_text("console.log('hello')\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"does not start with 'window.YTD"):
        read(tmp_path)


def test_a_truncated_zip_is_one_clear_error(tmp_path: Path) -> None:
    whole = zipped(EXPORTS / "x_archive", tmp_path / "whole.zip").read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ExportError, match=r"cut.zip: not a readable zip file"):
        ExportSource.open(cut)


def test_a_record_without_a_time_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "ip-audit.js").write_text(
        'window.YTD.ip_audit.part0 = [ { "ipAudit" : { "createdAt" : "2024-01-01T00:00:00Z", '
        '"loginIp" : "203.0.113.1" } }, { "ipAudit" : { "loginIp" : "203.0.113.2" } } ]',
        encoding="utf-8",
    )
    with pytest.raises(ExportError, match=r"ip-audit.js: record 2: createdAt is missing"):
        read(tmp_path)


def test_likes_and_retweets_are_read_as_engagement() -> None:
    posts = by_kind(read(EXPORTS / "x_archive"))["post_published"]
    first = posts[0].raw["engagement"]
    assert first == {
        "post_id": "1760000000000000001",
        "kind": "post",
        "published_at": "2024-02-20T09:30:00+00:00",
        "likes": 2,
        "reposts": 0,
        "replies": None,  # an archive does not count replies
    }


# -- what real archives hold besides the documented basics (issue 11) ---------------------------


def test_retweets_community_posts_long_posts_and_entities() -> None:
    """A 2024-style archive: a retweet, a quote post, a long post cut short in tweets.js with
    its whole text in note-tweet.js, a post in a Community, HTML entities in the text."""
    with ExportSource.open(EXPORTS / "x_archive_2024") as source:
        events = XArchiveConnector().read(source, "kem_x", "x")
        warnings = source.warnings
    posts = {e.id.rsplit(":", 1)[-1]: e for e in by_kind(events)["post_published"]}
    retweet = posts["1790000000000000101"]
    assert retweet.raw["retweet"] == {"of": "DinasContoh"}
    assert retweet.raw["engagement"]["kind"] == "repost"
    assert retweet.text is not None and "&gt;" not in retweet.text and " > cek" in retweet.text
    quote = posts["1790000000000000102"]  # the account's own words about another post
    assert "retweet" not in quote.raw
    assert quote.text == "Kami dukung langkah ini & ajak warga ikut. https://t.co/QuoteAbc12"
    long_post = posts["1790000000000000103"]
    assert long_post.text is not None and long_post.text.endswith("Bapak & Ibu sekalian.")
    assert long_post.raw["note_tweet_id"] == "1790000000000000999"
    lone_note = posts["1790000000000000998"]  # a note without its tweet is still a post
    assert lone_note.links == ("https://kemcontoh.example/laporan",)
    community = posts["1790000000000000201"]
    assert community.text == "Diskusi komunitas: usulan jam layanan <sore> hari"
    assert community.raw["community_id"] == "1700000000000000555"
    assert community.source == "x:community-tweet.js"
    assert len(posts) == 5
    # account.js without createdAt: no event, but a warning in both languages
    assert not by_kind(events).get("other")
    (warning,) = warnings
    assert "createdAt" in warning[0] and "createdAt" in warning[1]


def test_an_archive_with_only_community_posts_is_recognised(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(EXPORTS / "x_archive_2024" / "data" / "community-tweet.js", data)
    (event,) = read(tmp_path)
    assert event.kind == "post_published" and event.raw["community_id"]
