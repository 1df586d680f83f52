"""The Mastodon connector against a real HTTP server on 127.0.0.1 (no database needed here).

Retries never really sleep: the job's ``sleep`` records what it was asked to wait.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from smguard.plugins.connectors.mastodon import MastodonConnector, status_event

from smguard.config import Config
from smguard.guard.fingerprint import fingerprint
from smguard.watch.connectors import ConnectorError, PollJob, PollPage, WatchStopped
from tests.support.mastodon_server import MastodonServer, mastodon_html


class Job:
    """A poll job for account ``kem`` on ``server``; ``sleeps`` records every pause."""

    def __init__(self, server: MastodonServer, **watch: Any) -> None:
        self.server = server
        self.watch = watch
        self.sleeps: list[float] = []
        self.account: dict[str, Any] = {
            "platform": "mastodon",
            "handle": "@kemcontoh",
            "mastodon_url": server.url,
        }
        self.stop_after_sleeping = False

    def make(self, cursor: dict[str, Any] | None, client: httpx.Client) -> PollJob:
        config = Config.from_dict({"accounts": {"kem": self.account}, "watch": self.watch})

        def sleep(seconds: float) -> bool:
            self.sleeps.append(seconds)
            return self.stop_after_sleeping

        return PollJob("kem", config.account("kem"), config.watch, cursor, client, sleep)

    def poll(self, cursor: dict[str, Any] | None = None) -> list[PollPage]:
        with httpx.Client(timeout=5) as client:
            return list(MastodonConnector().poll(self.make(cursor, client)))


def ids(pages: list[PollPage]) -> list[str]:
    return [e.raw["id"] for page in pages for e in page.events]


@pytest.fixture
def server(mastodon_server: MastodonServer) -> Iterator[MastodonServer]:
    yield mastodon_server


def test_status_becomes_a_post_published_event(server: MastodonServer) -> None:
    status = server.add_status(
        mastodon_html("Info vaksin https://kemcontoh.example/vaksin?utm_source=x #sehat @ayu"),
        card_url="https://kemcontoh.example/vaksin",
        application="Contoh Scheduler",
    )
    event = status_event(status, "kem")
    assert event.id == f"mastodon:kem:status:{status['id']}"
    assert (event.kind, event.platform, event.account) == ("post_published", "mastodon", "kem")
    assert event.text == status["content"]
    assert event.url == status["url"]
    assert event.actor == "kemcontoh" and event.device == "Contoh Scheduler"
    # Links are the anchors that are links (not the hashtag or mention) plus the card.
    assert event.links == (
        "https://kemcontoh.example/vaksin?utm_source=x",
        "https://kemcontoh.example/vaksin",
    )
    assert "content" not in event.raw and event.raw["visibility"] == "public"
    # The HTML has the fingerprint of the text as it was approved.
    approved = "Info vaksin https://kemcontoh.example/vaksin #sehat @ayu"
    assert fingerprint(event.text or "") == fingerprint(approved)


def test_first_poll_pages_back_through_link_headers(server: MastodonServer) -> None:
    made = [server.add_status(f"<p>post {n}</p>")["id"] for n in range(45)]
    pages = Job(server, backfill=45).poll()
    assert sorted(ids(pages)) == sorted(made)
    assert pages[-1].cursor["last_id"] == made[-1]
    requests = server.status_requests()
    assert requests[0] == {"limit": "40"}
    assert requests[1] == {"limit": "5", "max_id": made[5]}  # from the Link header's rel="next"


def test_later_polls_ask_only_for_what_is_new(server: MastodonServer) -> None:
    job = Job(server, recheck_edits=0)
    first = job.poll()
    assert ids(first) == []
    cursor = dict(first[-1].cursor)
    assert cursor["last_id"] == "0" and cursor["account_id"] == server.account_id
    new = [server.add_status(f"<p>new {n}</p>")["id"] for n in range(3)]
    second = job.poll(cursor)
    assert ids(second) == new  # oldest first
    assert server.status_requests()[-1] == {"since_id": "0", "limit": "40"}
    cursor = dict(second[-1].cursor)
    assert job.poll(cursor) == []
    assert server.status_requests()[-1] == {"since_id": new[-1], "limit": "40"}
    # The account id is remembered: one lookup in all.
    assert sum(r.path.endswith("/lookup") for r in server.requests) == 1


def test_more_than_a_page_of_news_is_read_forward_without_gaps(server: MastodonServer) -> None:
    job = Job(server, max_pages=2, recheck_edits=0)
    cursor = dict(job.poll()[-1].cursor)
    made = [server.add_status(f"<p>burst {n}</p>")["id"] for n in range(85)]
    first = job.poll(cursor)
    assert ids(first) == made[:80]  # two pages of 40, oldest first, each with its cursor
    assert [p.cursor["last_id"] for p in first][:2] == [made[39], made[79]]
    assert server.status_requests()[-1]["min_id"] == made[39]
    second = job.poll(dict(first[-1].cursor))
    assert ids(second) == made[80:]


def test_edited_status_is_a_new_event(server: MastodonServer) -> None:
    job = Job(server)
    status = server.add_status("<p>Jadwal layanan hari ini</p>")
    cursor = dict(job.poll()[-1].cursor)
    server.edit_status(status["id"], mastodon_html("Promo slot gacor https://gacor.example"))
    (page,) = job.poll(cursor)
    (event,) = page.events
    assert event.id.startswith(f"mastodon:kem:status:{status['id']}:edited:")
    assert "gacor" in (event.text or "") and event.links == ("https://gacor.example",)
    assert page.cursor["last_id"] == status["id"]


def test_engagement_counts_come_with_each_status_and_are_read_again(
    server: MastodonServer,
) -> None:
    job = Job(server, recheck_edits=5)
    post = server.add_status("<p>Selamat Hari Kartini</p>", favourites_count=3)
    reply = server.add_status(
        "<p>Terima kasih, Kak</p>", in_reply_to_id="99", in_reply_to_account_id="someone"
    )
    (page,) = job.poll()
    counts = {e.raw["engagement"]["post_id"]: e.raw["engagement"] for e in page.events}
    assert counts[post["id"]] == {
        "post_id": post["id"],
        "kind": "post",
        "published_at": "2026-06-01T00:05:00+00:00",
        "likes": 3,
        "reposts": 0,
        "replies": 0,
    }
    assert counts[reply["id"]]["kind"] == "reply"
    post["favourites_count"], post["reblogs_count"] = 40, 7
    pages = job.poll(dict(page.cursor))
    # Nothing is new, but the newest statuses come again with their counts of now.
    again = {e.raw["engagement"]["post_id"]: e.raw["engagement"] for p in pages for e in p.events}
    assert (again[post["id"]]["likes"], again[post["id"]]["reposts"]) == (40, 7)


def test_backfill_zero_starts_from_now(server: MastodonServer) -> None:
    newest = [server.add_status(f"<p>old {n}</p>")["id"] for n in range(3)][-1]
    (page,) = Job(server, backfill=0).poll()
    assert page.events == [] and page.cursor["last_id"] == newest


def test_429_waits_for_retry_after_and_500_backs_off(server: MastodonServer) -> None:
    server.add_status("<p>hello</p>")
    server.fail_next(429, retry_after="7")
    server.fail_next(500)
    job = Job(server)
    pages = job.poll()
    assert len(ids(pages)) == 1
    assert job.sleeps == [7.0, 2.0]


def test_retries_are_bounded(server: MastodonServer) -> None:
    server.fail_next(503, times=10)
    job = Job(server, retries=3)
    with pytest.raises(ConnectorError) as info:
        job.poll()
    assert str(info.value) == (
        f"{server.url.removeprefix('http://')} has a server error (503 Service Unavailable), "
        "4 tries"
    )
    assert job.sleeps == [1.0, 2.0, 4.0]


def test_a_long_retry_after_fails_this_cycle_at_once(server: MastodonServer) -> None:
    server.fail_next(429, retry_after="3600")
    job = Job(server, retry_after_max_s=60)
    with pytest.raises(ConnectorError, match=r"asks to wait 3600 s \(429\)"):
        job.poll()
    assert job.sleeps == []


def test_stop_while_waiting_to_retry(server: MastodonServer) -> None:
    server.fail_next(500)
    job = Job(server)
    job.stop_after_sleeping = True
    with pytest.raises(WatchStopped):
        job.poll()


def test_token_from_the_environment(
    server: MastodonServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.token = "s3cret-token"
    server.add_status("<p>private</p>", visibility="private")
    job = Job(server)
    job.account["token_env"] = "KEM_MASTODON_TOKEN"
    with pytest.raises(ConnectorError) as info:
        job.poll()
    assert str(info.value) == (
        "accounts.kem.token_env: the environment variable KEM_MASTODON_TOKEN is not set "
        "(it should hold the account's access token)"
    )
    monkeypatch.setenv("KEM_MASTODON_TOKEN", "wrong")
    with pytest.raises(
        ConnectorError, match=r"refused the access token in \$KEM_MASTODON_TOKEN \(401\)"
    ):
        job.poll()
    monkeypatch.setenv("KEM_MASTODON_TOKEN", "s3cret-token")
    assert len(ids(job.poll())) == 1
    assert all(
        r.headers.get("Authorization") == "Bearer s3cret-token" for r in server.requests[-2:]
    )


def test_no_token_where_one_is_needed(server: MastodonServer) -> None:
    server.token = "s3cret-token"
    with pytest.raises(
        ConnectorError, match=r"wants an access token \(401\): set accounts.kem.token_env"
    ):
        Job(server).poll()


def test_unknown_handle_is_a_clear_404(server: MastodonServer) -> None:
    job = Job(server)
    job.account["handle"] = "@nobody"
    with pytest.raises(ConnectorError) as info:
        job.poll()
    assert str(info.value).endswith(
        ": no account @nobody (check accounts.kem.handle) was not found (404)"
    )


def test_dead_server_is_a_clear_line() -> None:
    with MastodonServer() as gone:
        url = gone.url
    job = Job(gone, retries=1)
    job.account["mastodon_url"] = url
    with pytest.raises(ConnectorError, match=r"^cannot reach 127.0.0.1:\d+: .*, 2 tries$"):
        job.poll()
    assert job.sleeps == [1.0]


def test_not_a_mastodon_server(server: MastodonServer) -> None:
    server.fail_next(200, body="<html>")
    job = Job(server)
    job.account["mastodon_id"] = server.account_id
    with pytest.raises(ConnectorError, match=r"unexpected answer for the statuses"):
        job.poll()


def test_a_redirect_is_not_followed(server: MastodonServer) -> None:
    server.fail_next(301, headers={"Location": "https://elsewhere.example/"})
    with pytest.raises(ConnectorError) as info:
        Job(server).poll()
    assert str(info.value).endswith(
        "redirects to https://elsewhere.example/ (301): set accounts.kem.mastodon_url to the "
        "server's own address"
    )


def test_a_deleted_status_is_noticed_at_the_next_re_read(server: MastodonServer) -> None:
    job = Job(server, recheck_edits=5)
    kept = server.add_status("<p>Jadwal layanan hari ini</p>")
    doomed = server.add_status("<p>Unggahan yang nanti dihapus</p>")
    cursor = dict(job.poll()[-1].cursor)
    cursor = dict(job.poll(cursor)[-1].cursor)  # the first re-read remembers what it saw
    assert set(cursor["recent"]) == {kept["id"], doomed["id"]}
    del server._accounts[server.username].statuses[doomed["id"]]
    pages = job.poll(cursor)
    deleted = [e for p in pages for e in p.events if e.kind == "post_deleted"]
    assert [e.id for e in deleted] == [f"mastodon:kem:status:{doomed['id']}:deleted"]
    assert pages[-1].cursor["recent"] == [kept["id"]]
    # and once only: the next re-read no longer remembers it
    again = job.poll(dict(pages[-1].cursor))
    assert not [e for p in again for e in p.events if e.kind == "post_deleted"]


def test_a_status_that_leaves_a_full_window_is_not_called_deleted(server: MastodonServer) -> None:
    job = Job(server, recheck_edits=2)
    for n in range(3):
        server.add_status(f"<p>Info {n}</p>")
    cursor = dict(job.poll()[-1].cursor)
    cursor = dict(job.poll(cursor)[-1].cursor)
    server.add_status("<p>Info baru</p>")  # pushes the oldest re-read status out of the window
    pages = job.poll(cursor)
    assert not [e for p in pages for e in p.events if e.kind == "post_deleted"]
