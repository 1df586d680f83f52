"""Mastodon: an account's statuses through the REST API (``GET /api/v1/accounts/:id/statuses``).

How a poll reads the account (one cursor per account, saved with each page's events):

* first poll — the newest ``[watch] backfill`` statuses, paging back through the ``Link`` header's
  ``rel="next"`` (``max_id``); older posts are left to an export;
* later polls — ``since_id`` = the newest status seen: only what is new comes back. When a full
  page comes back there may be more than one page of news, so the poll pages forward from the
  cursor with ``min_id`` instead (oldest first, each page saved as it is stored): nothing is
  skipped, and whatever ``[watch] max_pages`` leaves waits for the next cycle;
* edits — the newest ``[watch] recheck_edits`` statuses are read again each cycle; a status whose
  ``edited_at`` is new becomes an event of its own (an approved post edited into something else is
  as dangerous as a new one). A status seen in the previous re-read that is missing from this
  one was deleted (or hidden from the token): it becomes a ``post_deleted`` event at the time it
  was noticed (the ids of the re-read are kept in the cursor as ``recent``).

Retries: a ``429`` waits for ``Retry-After`` (up to ``[watch] retry_after_max_s``), a ``5xx`` or a
network error waits 1, 2, 4 … seconds, at most ``[watch] retries`` times; ``401``, ``403`` and
``404`` fail at once with a line that says what to fix. The token is read from the environment
variable named by ``token_env`` and is sent only to the configured server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx

from smguard.httputil import retry_after
from smguard.types import ActivityEvent
from smguard.watch.connectors import ConnectorError, PollJob, PollPage, WatchStopped

from ._common import iso_time, text_or_none

if TYPE_CHECKING:
    from smguard.config import AccountSettings

__all__ = ["MastodonConnector", "status_event"]

#: The API's largest page.
PAGE = 40
#: The longest pause between two retries of a failed request.
MAX_BACKOFF_S = 30.0


class _Anchors(HTMLParser):
    """The link targets of a status's HTML (mentions and hashtags are words, not links)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        values = {k: v or "" for k, v in attrs}
        classes = values.get("class", "").split()
        href = values.get("href", "")
        if (
            href
            and "mention" not in classes
            and "hashtag" not in classes
            and "tag" not in (values.get("rel", "").split())
        ):
            self.links.append(href)


def _links(content: str, card: Any) -> tuple[str, ...]:
    parser = _Anchors()
    parser.feed(content)
    parser.close()
    links = list(parser.links)
    if isinstance(card, Mapping) and isinstance(card.get("url"), str) and card["url"]:
        links.append(card["url"])
    return tuple(dict.fromkeys(links))


def _media(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        return []
    keep = ("id", "type", "url", "remote_url", "description")
    return [{k: m.get(k) for k in keep if m.get(k)} for m in items if isinstance(m, Mapping)]


def _raw(status: Mapping[str, Any]) -> dict[str, Any]:
    """The status without its HTML (that is the event's text) and without heavy parts."""
    raw: dict[str, Any] = {
        k: status.get(k)
        for k in (
            "id", "uri", "url", "created_at", "edited_at", "visibility", "sensitive",
            "spoiler_text", "language", "in_reply_to_id", "in_reply_to_account_id",
        )
        if status.get(k) is not None
    }  # fmt: skip
    account = status.get("account")
    if isinstance(account, Mapping):
        raw["account"] = {k: account.get(k) for k in ("id", "acct", "url") if account.get(k)}
    app = status.get("application")
    if isinstance(app, Mapping) and app.get("name"):
        raw["application"] = {k: app.get(k) for k in ("name", "website") if app.get(k)}
    media = _media(status.get("media_attachments"))
    if media:
        raw["media_attachments"] = media
    card = status.get("card")
    if isinstance(card, Mapping):
        raw["card"] = {k: card.get(k) for k in ("url", "title", "description") if card.get(k)}
    mentions = status.get("mentions")
    if isinstance(mentions, list) and mentions:
        raw["mentions"] = [m.get("acct") for m in mentions if isinstance(m, Mapping)]
    tags = status.get("tags")
    if isinstance(tags, list) and tags:
        raw["tags"] = [t.get("name") for t in tags if isinstance(t, Mapping)]
    return raw


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _engagement(status: Mapping[str, Any], sid: str, created: datetime) -> dict[str, Any]:
    """The status's favourites, boosts and replies as the server counts them now.

    A boost of another account's status carries that status's counts, not the account's own
    audience: it is kept apart as a ``repost``, as is a reply to another account.
    """
    kind = "post"
    if isinstance(status.get("reblog"), Mapping):
        kind = "repost"
    else:
        account = status.get("account")
        own = account.get("id") if isinstance(account, Mapping) else None
        to = status.get("in_reply_to_account_id")
        if status.get("in_reply_to_id") and to is not None and str(to) != str(own):
            kind = "reply"
    return {
        "post_id": sid,
        "kind": kind,
        "published_at": created.isoformat(),
        "likes": _count(status.get("favourites_count")),
        "reposts": _count(status.get("reblogs_count")),
        "replies": _count(status.get("replies_count")),
    }


def _id_key(value: str) -> tuple[int, str]:
    """Mastodon ids are strings that sort as numbers (longer is newer)."""
    return (len(value), value) if value.isdigit() else (0, value)


def status_event(
    status: Mapping[str, Any], account: str, source: str = "mastodon"
) -> ActivityEvent:
    """One status (as the API returns it) as a ``post_published`` event.

    The event's id names the status *and its version*: an edited status (``edited_at``) is a new
    event, the same version read twice is the same event.
    """
    sid = str(status["id"])
    edited = status.get("edited_at")
    created = iso_time(status.get("created_at"))
    if created is None:
        raise ConnectorError(
            f"status {sid} has no readable created_at: {status.get('created_at')!r}"
        )
    reblog = status.get("reblog")
    shown = reblog if isinstance(reblog, Mapping) else status
    content = shown.get("content")
    text = content if isinstance(content, str) else ""
    raw = _raw(status)
    raw["engagement"] = _engagement(status, sid, created)
    # What the post carries besides its text (a boost carries the boosted post's): the guard
    # reads poll options and image descriptions too, a scam can hide there.
    media = _media(shown.get("media_attachments"))
    if media:
        raw["media_attachments"] = media
    poll = shown.get("poll")
    if isinstance(poll, Mapping):
        options = [o.get("title") for o in poll.get("options") or [] if isinstance(o, Mapping)]
        raw["poll"] = {
            "id": poll.get("id"),
            "options": [o for o in options if isinstance(o, str) and o],
            "expires_at": poll.get("expires_at"),
        }
    if shown is not status:
        raw["reblog"] = {
            "id": shown.get("id"),
            "url": shown.get("url") or shown.get("uri"),
            "account": (shown.get("account") or {}).get("acct"),
        }
    acct = status.get("account")
    actor = acct.get("acct") if isinstance(acct, Mapping) else None
    app = status.get("application")
    device = app.get("name") if isinstance(app, Mapping) else None
    at = (iso_time(edited) if edited else None) or created
    return ActivityEvent(
        id=f"mastodon:{account}:status:{sid}" + (f":edited:{edited}" if edited else ""),
        account=account,
        platform="mastodon",
        kind="post_published",
        at=at,
        source=source,
        actor=text_or_none(actor, 200),
        device=text_or_none(device, 200),
        text=text,
        url=text_or_none(status.get("url") or shown.get("url") or status.get("uri")),
        links=_links(text, shown.get("card")),
        raw=raw,
    )


def _deleted(before: Any, now: Sequence[str], last: str, *, full: bool) -> list[str]:
    """Statuses seen in the last re-read that are gone from this one: deleted (or hidden from
    the token). When the window is full, only ids at least as new as its oldest can tell."""
    if not isinstance(before, list):
        return []
    present = set(now)
    oldest = min(now, key=_id_key) if now and full else None
    return [
        sid
        for sid in map(str, before)
        if sid not in present
        and _id_key(sid) <= _id_key(last)
        and (oldest is None or _id_key(sid) >= _id_key(oldest))
    ]


def _deleted_event(sid: str, account: str) -> ActivityEvent:
    return ActivityEvent(
        id=f"mastodon:{account}:status:{sid}:deleted",
        account=account,
        platform="mastodon",
        kind="post_deleted",
        at=datetime.now(UTC),  # when smguard noticed: the API does not say when
        source="mastodon",
        raw={"id": sid, "noticed": "no longer in the account's recent statuses"},
    )


class _Api:
    """GET requests to one server with the account's token, retries and one-line errors."""

    def __init__(self, job: PollJob) -> None:
        self.job = job
        watch = job.settings.watch
        assert watch.mastodon_url is not None
        self.server = watch.mastodon_url
        self.host = urlsplit(self.server).netloc
        self.headers = {"Accept": "application/json"}
        self.token_env = watch.token_env
        if watch.token_env:
            token = os.environ.get(watch.token_env, "").strip()
            if not token:
                raise ConnectorError(
                    f"accounts.{job.account}.token_env: the environment variable "
                    f"{watch.token_env} is not set (it should hold the account's access token)"
                )
            self.headers["Authorization"] = f"Bearer {token}"

    def _refused(self, response: httpx.Response, missing: str) -> ConnectorError:
        code = response.status_code
        if 300 <= code < 400:
            target = response.headers.get("location", "another address")
            return ConnectorError(
                f"{self.host} redirects to {target} ({code}): set accounts.{self.job.account}."
                "mastodon_url to the server's own address"
            )
        if code == 401:
            if self.token_env:
                return ConnectorError(
                    f"{self.host} refused the access token in ${self.token_env} (401): create a "
                    "new one with the read:statuses scope"
                )
            return ConnectorError(
                f"{self.host} wants an access token (401): set accounts.{self.job.account}."
                "token_env to the name of an environment variable holding one"
            )
        if code == 403:
            return ConnectorError(
                f"{self.host} does not let this token read the account (403): it needs the "
                "read:statuses scope"
            )
        if code in (404, 410):
            gone = "is gone (410)" if code == 410 else "was not found (404)"
            return ConnectorError(f"{self.host}: {missing} {gone}")
        return ConnectorError(f"{self.host} refused the request ({code} {response.reason_phrase})")

    def get(self, path: str, params: Mapping[str, Any], missing: str) -> httpx.Response:
        watch = self.job.watch
        attempt = 0
        while True:
            wait = min(MAX_BACKOFF_S, 2.0**attempt)
            try:
                response = self.job.http.get(
                    self.server + path, params=dict(params), headers=self.headers
                )
            except httpx.TimeoutException:
                problem = f"{self.host} did not answer within {watch.timeout_s:g} s"
            except httpx.TransportError as exc:
                problem = f"cannot reach {self.host}: {exc or type(exc).__name__}"
            else:
                code = response.status_code
                if 200 <= code < 300:
                    return response
                if code == 429:
                    asked = retry_after(response.headers.get("retry-after"))
                    if asked is not None and asked > watch.retry_after_max_s:
                        raise ConnectorError(
                            f"{self.host} limits requests and asks to wait {asked:g} s (429); "
                            "the next cycle tries again"
                        )
                    wait = asked if asked is not None else wait
                    problem = f"{self.host} limits requests (429)"
                elif code >= 500:
                    problem = f"{self.host} has a server error ({code} {response.reason_phrase})"
                else:
                    raise self._refused(response, missing)
            if attempt >= watch.retries:
                tries = "try" if attempt == 0 else "tries"
                raise ConnectorError(f"{problem}, {attempt + 1} {tries}")
            if self.job.sleep(wait):
                raise WatchStopped("stopped while waiting to try again")
            attempt += 1

    def get_json(self, path: str, params: Mapping[str, Any], missing: str) -> tuple[Any, Any]:
        response = self.get(path, params, missing)
        try:
            return response.json(), response.links
        except ValueError:
            kind = response.headers.get("content-type", "no content type")
            raise ConnectorError(
                f"{self.host} did not answer with JSON ({kind}): "
                f"is {self.server} a Mastodon server?"
            ) from None

    def lookup(self, handle: str) -> str:
        acct = handle.strip().lstrip("@")
        user, _, host = acct.partition("@")
        if host and host.lower() == urlsplit(self.server).hostname:
            acct = user
        data, _ = self.get_json(
            "/api/v1/accounts/lookup",
            {"acct": acct},
            f"no account @{acct} (check accounts.{self.job.account}.handle)",
        )
        if not isinstance(data, Mapping) or not isinstance(data.get("id"), str | int):
            raise ConnectorError(f"{self.host}: unexpected answer looking up @{acct}")
        return str(data["id"])

    def statuses(
        self, account_id: str, **params: Any
    ) -> tuple[list[Mapping[str, Any]], Mapping[str, Any]]:
        data, links = self.get_json(
            f"/api/v1/accounts/{account_id}/statuses",
            {k: v for k, v in params.items() if v is not None},
            f"account id {account_id} (check accounts.{self.job.account}.mastodon_id or handle)",
        )
        if not isinstance(data, list) or not all(
            isinstance(s, Mapping) and isinstance(s.get("id"), str | int) for s in data
        ):
            raise ConnectorError(f"{self.host}: unexpected answer for the statuses of {account_id}")
        return data, links


def _next_max_id(links: Mapping[str, Any]) -> str | None:
    target = links.get("next", {}).get("url")
    if not target:
        return None
    values = parse_qs(urlsplit(str(target)).query).get("max_id")
    return values[0] if values else None


class MastodonConnector:
    name = "mastodon"
    platform = "mastodon"
    description = "Mastodon REST API: the account's posts, replies, boosts and edits"

    def watches(self, settings: AccountSettings) -> bool:
        return settings.watch.mastodon_url is not None

    def _events(self, statuses: Sequence[Mapping[str, Any]], account: str) -> list[ActivityEvent]:
        ordered = sorted(statuses, key=lambda s: _id_key(str(s["id"])))
        return [status_event(s, account) for s in ordered]

    def poll(self, job: PollJob) -> Iterator[PollPage]:
        api = _Api(job)
        watch = job.settings.watch
        handle = job.settings.inventory.handle or ""
        cursor = dict(job.cursor or {})
        if cursor.get("server") != api.server:
            cursor = {}  # first poll, or the account moved to another server: start afresh
        account_id = watch.mastodon_id
        if account_id is None and cursor.get("handle") == handle:
            account_id = cursor.get("account_id")
        if not account_id:
            account_id = api.lookup(handle)
        base = {"server": api.server, "account_id": account_id, "handle": handle}
        last: str | None = cursor.get("last_id")
        if last is None:
            yield from self._first(api, job, base, str(account_id))
            return
        limit = PAGE
        news, _ = api.statuses(account_id, since_id=last, limit=limit)
        news = [s for s in news if _id_key(str(s["id"])) > _id_key(last)]
        if len(news) < limit:
            if news:
                last = max((str(s["id"]) for s in news), key=_id_key)
                yield PollPage(self._events(news, job.account), {**base, "last_id": last})
        else:
            # More than a page is new: read forward from the cursor so that nothing is skipped.
            for _ in range(job.watch.max_pages):
                page, _ = api.statuses(account_id, min_id=last, limit=limit)
                page = [s for s in page if _id_key(str(s["id"])) > _id_key(last)]
                if not page:
                    break
                last = max((str(s["id"]) for s in page), key=_id_key)
                yield PollPage(self._events(page, job.account), {**base, "last_id": last})
                if len(page) < limit:
                    break
        if job.watch.recheck_edits:
            # Read again for edits, and for their engagement counts, which grow for days: the
            # statuses already stored are dropped as repeats, but their counts are refreshed.
            window = min(PAGE, job.watch.recheck_edits)
            recent, _ = api.statuses(account_id, limit=window)
            known = [s for s in recent if _id_key(str(s["id"])) <= _id_key(last)]
            now_ids = [str(s["id"]) for s in recent]
            gone = _deleted(cursor.get("recent"), now_ids, last, full=len(recent) >= window)
            events = self._events(known, job.account) + [
                _deleted_event(sid, job.account) for sid in gone
            ]
            yield PollPage(events, {**base, "last_id": last, "recent": now_ids})

    def _first(
        self, api: _Api, job: PollJob, base: Mapping[str, Any], account_id: str
    ) -> Iterator[PollPage]:
        want = job.watch.backfill
        seen: list[Mapping[str, Any]] = []
        if want == 0:
            newest, _ = api.statuses(account_id, limit=1)
            seen_ids = [str(s["id"]) for s in newest]
            yield PollPage([], {**base, "last_id": max(seen_ids, key=_id_key, default="0")})
            return
        max_id: str | None = None
        for _ in range(job.watch.max_pages):
            page, links = api.statuses(account_id, limit=min(PAGE, want), max_id=max_id)
            seen += page
            want -= len(page)
            max_id = _next_max_id(links)
            if not page or want <= 0 or max_id is None:
                break
        newest_id = max((str(s["id"]) for s in seen), key=_id_key, default="0")
        yield PollPage(self._events(seen, job.account), {**base, "last_id": newest_id})
