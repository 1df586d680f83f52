"""X / Twitter: the "Download an archive of your data" zip (or its unpacked folder).

Each ``data/<name>.js`` assigns a JSON array to ``window.YTD.<name>.partN``; big files are split
into ``<name>-part1.js``, ``<name>-part2.js`` … Every element wraps its record in one key
(``{"tweet": {...}}``); old archives (``tweet.js``) put the fields at the top level.

What becomes an event:

=============================  ===============================================================
``tweets.js`` / ``tweet.js``   ``post_published`` (text, ``t.co`` links expanded into ``links``
                               and ``raw["link_expansions"]``; the media link X appends is
                               dropped from the text, the media stay in ``raw["media"]``; the
                               HTML entities X writes (``&amp;``, ``&gt;``) are unescaped; a
                               retweet (``RT @name:``) carries ``raw["retweet"]``)
``community-tweet.js``         ``post_published``, as ``tweets.js`` (posts in X Communities,
                               ``raw["community_id"]``)
``note-tweet.js``              the whole text of a long post: it replaces the shortened text of
                               the matching tweet (same time, same beginning); a note with no
                               matching tweet is a ``post_published`` of its own
``deleted-tweets.js``          ``post_deleted``
``ip-audit.js``                ``login`` with the IP address
``connected-application.js``   ``app_authorised`` at ``approvedAt`` (``raw["app"]``)
``email-address-change.js``    ``recovery_change`` (``raw["changed_to"]``)
``screen-name-change.js``      ``profile_change`` (``raw["changed_from"]``, ``changed_to``)
``account.js``                 one ``other`` event (``raw["type"] = "x_account"``) carrying the
                               account's e-mail, username and creation time, so detectors can
                               compare them with the inventory; it is not a change by itself.
                               Without ``createdAt`` there is no event and a warning says so
=============================  ===============================================================
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from smguard import safejson
from smguard.types import ActivityEvent
from smguard.watch.connectors import ExportError, ExportSource, stable_id, stream_json

from ._common import iso_time, obj, text_or_none

__all__ = ["XArchiveConnector", "iter_ytd", "read_ytd"]

_FILE = re.compile(r"^(?P<stem>[a-z][a-z-]*?)(?:-part(?P<part>\d+))?\.js$")
_PREFIX = re.compile(r"\A\s*window\.YTD\.[A-Za-z0-9_]+\.part\d+\s*=\s*")
#: File stems this connector reads, and the key that wraps each record.
_WRAPPERS = {
    "tweets": "tweet",
    "tweet": "tweet",
    "community-tweet": "tweet",
    "note-tweet": "noteTweet",
    "deleted-tweets": "tweet",
    "ip-audit": "ipAudit",
    "account": "account",
    "connected-application": "connectedApplication",
    "email-address-change": "emailAddressChange",
    "screen-name-change": "screenNameChange",
}
#: Files whose presence says "this is an X archive".
_MARKERS = frozenset({"tweets", "tweet", "ip-audit", "account", "manifest", "community-tweet"})
#: ``RT @name: …``: how an archive writes a retweet (its ``retweeted`` flag is always false).
_RETWEET = re.compile(r"\ART @(?P<user>\w{1,15}):?")
#: The shortened text of a long post ends with an ellipsis (and perhaps a link to the note).
_SHORTENED_END = re.compile(r"(?:…|\.\.\.)?(?:\s*https://t\.co/\w+)?\s*\Z")


def iter_ytd(source: ExportSource, name: str) -> Iterator[Any]:
    """The elements of the JSON array of one ``window.YTD…`` file (plain JSON arrays are
    accepted too), streamed: one element and one chunk of the file in memory at a time. Consume
    it to the end: a damage anywhere in the file raises :class:`ExportError` when it is met."""
    where = source.where(name)
    stream = safejson.ArrayStream(source.text_chunks(name))
    head = stream.head(safejson.HEAD_CHARS)
    match = _PREFIX.match(head)
    if match is None and not head.lstrip().startswith("["):
        raise ExportError(
            f"{where}: does not start with 'window.YTD.<name>.part0 = [' (not an X archive file?)"
        )
    stream.skip(match.end() if match else 0)
    yield from stream_json(stream, where)
    if stream.root != "list":
        raise ExportError(f"{where}: expected a list of records after '=', found {stream.root}")


def read_ytd(source: ExportSource, name: str) -> list[Any]:
    """The JSON array of one ``window.YTD…`` file, whole (see :func:`iter_ytd`)."""
    return list(iter_ytd(source, name))


def _x_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    for fmt in ("%a %b %d %H:%M:%S %z %Y", "%Y-%m-%d %H:%M:%S %z"):
        try:
            when: datetime = datetime.strptime(value.strip(), fmt)
            return when
        except ValueError:
            continue
    return iso_time(value)


def _count(value: Any) -> int | None:
    """X writes counts as strings (``"12"``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _engagement(
    tweet: Mapping[str, Any], tid: str, created: datetime, retweet: bool, username: str | None
) -> dict[str, Any]:
    """Likes and retweets as the archive counted them (an archive has no reply counts).

    ``retweet``: the caller found the text to be a retweet (``RT @…``). A retweet of another
    account's tweet carries that tweet's audience, and a reply to another account answers a
    person: both are kept apart from the account's own posts.
    """
    kind = "post"
    if retweet or tweet.get("retweeted") is True:
        kind = "repost"
    elif tweet.get("in_reply_to_status_id_str") and (
        not username or str(tweet.get("in_reply_to_screen_name") or "").lower() != username.lower()
    ):
        kind = "reply"  # a reply to oneself continues a thread: that is a post
    return {
        "post_id": tid,
        "kind": kind,
        "published_at": created.isoformat(),
        "likes": _count(tweet.get("favorite_count")),
        "reposts": _count(tweet.get("retweet_count")),
        "replies": None,
    }


class _File:
    """Records of one archive file (all its parts), each with its position for messages."""

    def __init__(self, source: ExportSource, stem: str, names: list[str]) -> None:
        self.source, self.stem, self.names = source, stem, names

    def records(self) -> Iterable[tuple[str, int, Mapping[str, Any]]]:
        key = _WRAPPERS[self.stem]
        for name in self.names:
            where = self.source.where(name)
            for n, item in enumerate(iter_ytd(self.source, name), 1):
                if isinstance(item, Mapping) and isinstance(item.get(key), Mapping):
                    item = item[key]
                if not isinstance(item, Mapping):
                    raise ExportError(f"{where}: record {n} is not an object")
                yield where, n, item


def _squash(text: str) -> str:
    return " ".join(text.split())


def _need_time(value: Any, where: str, n: int, field: str) -> datetime:
    when = _x_time(value)
    if when is None:
        raise ExportError(f"{where}: record {n}: {field} is missing or not a time: {value!r}")
    return when


class XArchiveConnector:
    name = "x"
    platform = "x"
    description = "X / Twitter archive (zip or folder): tweets, logins, apps, e-mail changes"

    def _files(self, source: ExportSource) -> dict[str, list[str]]:
        found: dict[str, list[tuple[int, str]]] = {}
        for name in source.names:
            if "/assets/" in f"/{name}" or "_media/" in name:
                continue
            match = _FILE.match(source.basename(name))
            if match and (match["stem"] in _WRAPPERS or match["stem"] == "manifest"):
                found.setdefault(match["stem"], []).append((int(match["part"] or 0), name))
        return {stem: [n for _, n in sorted(parts)] for stem, parts in found.items()}

    def recognises(self, source: ExportSource) -> bool:
        return bool(_MARKERS & set(self._files(source)))

    def read(
        self, source: ExportSource, account: str | None, platform: str | None
    ) -> list[ActivityEvent]:
        if not account:
            raise ExportError("an X archive needs --account (the smguard account it belongs to)")
        files = {s: _File(source, s, n) for s, n in self._files(source).items() if s in _WRAPPERS}
        if not files:
            raise ExportError(f"{source.path}: no X archive data files (data/tweets.js, …) found")
        events: list[ActivityEvent] = []
        username: str | None = None
        if "account" in files:
            for where, _n, rec in files["account"].records():
                username = text_or_none(rec.get("username"), 200) or username
                created = _x_time(rec.get("createdAt"))
                if created is None:
                    source.warn(
                        f"{where}: account.js has no createdAt: the account's e-mail and "
                        "username were not recorded",
                        f"{where}: account.js tidak memiliki createdAt: e-mail dan nama pengguna "
                        "akun tidak dicatat",
                    )
                    continue
                events.append(
                    self._event(
                        account, "other", created, f"account:{rec.get('accountId')}", where,
                        actor=username,
                        raw={
                            "type": "x_account",
                            "account_id": rec.get("accountId"),
                            "username": rec.get("username"),
                            "display_name": rec.get("accountDisplayName"),
                            "email": rec.get("email"),
                            "created_via": rec.get("createdVia"),
                        },
                    )
                )  # fmt: skip
        posts: list[ActivityEvent] = []
        for stem in ("tweets", "tweet", "community-tweet"):
            if stem in files:
                posts += self._tweets(files[stem], account, username, "post_published")
        if "note-tweet" in files:
            posts = self._with_notes(posts, files["note-tweet"], account, username)
        events += posts
        if "deleted-tweets" in files:
            events += self._tweets(files["deleted-tweets"], account, username, "post_deleted")
        if "ip-audit" in files:
            for where, n, rec in files["ip-audit"].records():
                at = _need_time(rec.get("createdAt"), where, n, "createdAt")
                ip = text_or_none(rec.get("loginIp"), 64)
                events.append(
                    self._event(account, "login", at, f"login:{stable_id(at.isoformat(), ip)}",
                                where, ip=ip, raw={"account_id": rec.get("accountId")})
                )  # fmt: skip
        if "connected-application" in files:
            for where, n, rec in files["connected-application"].records():
                at = _need_time(rec.get("approvedAt"), where, n, "approvedAt")
                org = obj(rec.get("organization"))
                app = {
                    "id": rec.get("id"),
                    "name": rec.get("name"),
                    "description": rec.get("description"),
                    "organization": org.get("name"),
                    "url": org.get("url"),
                    "permissions": rec.get("permissions") or [],
                }
                app_id = rec.get("id") or stable_id(rec.get("name"))
                events.append(
                    self._event(account, "app_authorised", at, f"app:{app_id}:{at.isoformat()}",
                                where, actor=text_or_none(rec.get("name"), 200), raw={"app": app})
                )  # fmt: skip
        for stem, kind, inner, key in (
            ("email-address-change", "recovery_change", "emailChange", "email"),
            ("screen-name-change", "profile_change", "screenNameChange", "screen_name"),
        ):
            if stem not in files:
                continue
            for where, n, rec in files[stem].records():
                change = obj(rec.get(inner)) or rec
                at = _need_time(change.get("changedAt"), where, n, f"{inner}.changedAt")
                raw = {
                    "field": key,
                    "changed_from": change.get("changedFrom"),
                    "changed_to": change.get("changedTo"),
                }
                events.append(
                    self._event(account, kind, at,
                                f"{key}:{stable_id(at.isoformat(), change.get('changedTo'))}",
                                where, raw=raw)
                )  # fmt: skip
        return events

    def _with_notes(
        self, posts: list[ActivityEvent], file: _File, account: str, username: str | None
    ) -> list[ActivityEvent]:
        """Long posts: ``tweets.js`` holds a shortened text, ``note-tweet.js`` the whole one.

        A note has its own id, so it is matched to its tweet by time (within a minute) and by
        the shortened text being the start of the note's text.
        """
        out = list(posts)
        for where, n, note in file.records():
            core = obj(note.get("core"))
            text = core.get("text")
            created = _x_time(note.get("createdAt"))
            if not isinstance(text, str) or created is None:
                raise ExportError(f"{where}: record {n}: a note without core.text or createdAt")
            text = html.unescape(text)
            expansions = {
                str(u["shortUrl"]): str(u["expandedUrl"])
                for u in core.get("urls") or []
                if isinstance(u, Mapping) and u.get("shortUrl") and u.get("expandedUrl")
            }
            for i, post in enumerate(out):
                short = _SHORTENED_END.sub("", post.text or "").strip()
                if (
                    short
                    and abs((post.at - created).total_seconds()) <= 60
                    and _squash(text).startswith(_squash(short))
                ):
                    links = {**dict(post.raw.get("link_expansions") or {}), **expansions}
                    raw = {**post.raw, "note_tweet_id": note.get("noteTweetId"),
                           "link_expansions": links}  # fmt: skip
                    out[i] = replace(post, text=text, raw=raw,
                                     links=tuple(dict.fromkeys(links.values())))  # fmt: skip
                    break
            else:
                nid = text_or_none(note.get("noteTweetId"), 40) or stable_id(
                    created.isoformat(), text
                )
                out.append(
                    self._event(account, "post_published", created, f"note:{nid}", where,
                                actor=username, text=text,
                                links=tuple(dict.fromkeys(expansions.values())),
                                raw={"note_tweet_id": nid, "link_expansions": expansions})
                )  # fmt: skip
        return out

    def _event(
        self,
        account: str,
        kind: str,
        at: datetime,
        key: str,
        where: str,
        **fields: Any,
    ) -> ActivityEvent:
        return ActivityEvent(
            id=f"x:{account}:{key}",
            account=account,
            platform="x",
            kind=kind,
            at=at,
            source=f"x:{where.rsplit('/', 1)[-1].split(':')[-1]}",
            **fields,
        )

    def _tweets(
        self, file: _File, account: str, username: str | None, kind: str
    ) -> Iterable[ActivityEvent]:
        for where, n, tweet in file.records():
            tid = text_or_none(tweet.get("id_str") or tweet.get("id"), 40)
            if tid is None:
                raise ExportError(f"{where}: record {n}: the tweet has no id_str")
            created = _need_time(tweet.get("created_at"), where, n, "created_at")
            at = created
            if kind == "post_deleted":
                at = _x_time(tweet.get("deleted_at")) or created
            text = tweet.get("full_text", tweet.get("text"))
            if not isinstance(text, str):
                raise ExportError(f"{where}: record {n}: tweet {tid} has no full_text")
            expansions: dict[str, str] = {}
            entities = obj(tweet.get("entities"))
            for url in entities.get("urls") or []:
                if isinstance(url, Mapping) and url.get("url") and url.get("expanded_url"):
                    expansions[str(url["url"])] = str(url["expanded_url"])
            media: list[dict[str, Any]] = []
            extended = tweet.get("extended_entities")
            for holder in (extended, entities):
                if not isinstance(holder, Mapping):
                    continue
                for item in holder.get("media") or []:
                    if not isinstance(item, Mapping):
                        continue
                    short = item.get("url")
                    if isinstance(short, str) and short:
                        text = text.replace(short, "").rstrip()
                    if not any(m.get("id") == item.get("id_str") for m in media):
                        media.append({
                            "id": item.get("id_str"),
                            "type": item.get("type"),
                            "url": item.get("media_url_https") or item.get("media_url"),
                            **({"alt_text": item["ext_alt_text"]}
                               if isinstance(item.get("ext_alt_text"), str) else {}),
                        })  # fmt: skip
            text = html.unescape(text)  # X writes &amp; &lt; &gt; in the text it exports
            raw: dict[str, Any] = {
                k: tweet.get(k)
                for k in ("id_str", "created_at", "lang", "source", "in_reply_to_status_id_str",
                          "in_reply_to_screen_name", "possibly_sensitive", "deleted_at")
                if tweet.get(k) is not None
            }  # fmt: skip
            retweet = _RETWEET.match(text)
            if kind == "post_published":
                raw["engagement"] = _engagement(tweet, tid, created, retweet is not None, username)
            if retweet is not None:
                # someone else's words: the ledger does not apply, the guard's verdict does
                raw["retweet"] = {"of": retweet["user"]}
            if tweet.get("community_id_str") or file.stem == "community-tweet":
                raw["community_id"] = tweet.get("community_id_str")
            if expansions:
                raw["link_expansions"] = expansions
            if media:
                raw["media"] = media
            who = username or "i/web"
            yield self._event(
                account, kind, at, f"tweet:{tid}" + (":deleted" if kind == "post_deleted" else ""),
                where, actor=username, text=text, url=f"https://x.com/{who}/status/{tid}",
                links=tuple(dict.fromkeys(expansions.values())), raw=raw,
            )  # fmt: skip
