"""A small Mastodon server on 127.0.0.1 for tests: the parts of the REST API smguard reads.

It speaks, like a real server (mastodon/documentation, methods/accounts.md):

* ``GET /api/v1/accounts/lookup?acct=NAME`` → the account (404 when unknown);
* ``GET /api/v1/accounts/:id/statuses`` with ``limit`` (default 20, at most 40), ``max_id``,
  ``since_id`` and ``min_id``, newest first, and a ``Link`` header with ``rel="next"``
  (``max_id``) and ``rel="prev"`` (``min_id``) when the page is not empty;
* ``401`` when a token is required and the request has another (or none).

Faults are queued with :meth:`MastodonServer.fail_next` (``429`` with ``Retry-After``, ``500`` …)
and served before the next real answer; every request is recorded in ``requests``. Use it as a
context manager or through the ``mastodon_server`` fixture (``tests/watch/conftest.py``)::

    from tests.support.mastodon_server import MastodonServer, mastodon_html

    def test_something(mastodon_server: MastodonServer) -> None:
        mastodon_server.add_status(mastodon_html("Hello https://example.org/x #info"))
        config = {"accounts": {"kem": {"platform": "mastodon", "handle": "@kemcontoh",
                                       "mastodon_url": mastodon_server.url}}}
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

__all__ = ["Fault", "MastodonServer", "Request", "mastodon_html"]

_URL = re.compile(r"https?://[^\s<]+[^\s<.,;:!?)\]'\"]")
_TAG = re.compile(r"(?<![\w/])#(\w+)")
_MENTION = re.compile(r"(?<![\w/])@(\w+)(?:@([\w.-]+\.\w+))?")


def mastodon_html(text: str, server: str = "https://mastodon.example") -> str:
    """Plain text as Mastodon renders a status: ``<p>`` per paragraph, ``<br />`` per line,
    links as anchors with invisible spans, hashtags and mentions as their own anchors."""

    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        scheme, _, rest = url.partition("://")
        shown, hidden = rest[:30], rest[30:]
        return (
            f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener noreferrer" '
            f'translate="no"><span class="invisible">{scheme}://</span>'
            f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
            f'<span class="invisible">{html.escape(hidden)}</span></a>'
        )

    def line(raw: str) -> str:
        out, pos = [], 0
        for match in _URL.finditer(raw):
            out.append(_words(html.escape(raw[pos : match.start()], quote=False), server))
            out.append(link(match))
            pos = match.end()
        out.append(_words(html.escape(raw[pos:], quote=False), server))
        return "".join(out)

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br />".join(line(x) for x in p.split("\n")) + "</p>" for p in paragraphs
    )


def _words(text: str, server: str) -> str:
    text = _TAG.sub(
        lambda m: (
            f'<a href="{server}/tags/{m.group(1).lower()}" class="mention hashtag" '
            f'rel="tag">#<span>{m.group(1)}</span></a>'
        ),
        text,
    )
    return _MENTION.sub(
        lambda m: (
            f'<span class="h-card" translate="no"><a href="https://'
            f'{m.group(2) or urlsplit(server).netloc}/@{m.group(1)}" class="u-url mention">'
            f"@<span>{m.group(1)}</span></a></span>"
        ),
        text,
    )


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Fault:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass
class _Account:
    id: str
    username: str
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)


class MastodonServer:
    """See the module docstring. ``token``: the bearer token every request must carry."""

    def __init__(self, *, token: str | None = None, username: str = "kemcontoh") -> None:
        self.token = token
        self.requests: list[Request] = []
        self.faults: deque[Fault] = deque()
        self._accounts: dict[str, _Account] = {}
        self._next_id = 112_000_000_000_000_001
        self._lock = threading.Lock()
        self._clock = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
        self.account_id = self.add_account(username)
        self.username = username
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = server._answer(self)
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> MastodonServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> MastodonServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- content ---------------------------------------------------------------------------

    def add_account(self, username: str) -> str:
        with self._lock:
            account_id = str(109_000_000_000_000_001 + len(self._accounts))
            self._accounts[username] = _Account(account_id, username)
            return account_id

    def add_status(
        self,
        content: str,
        *,
        account: str | None = None,
        created_at: datetime | None = None,
        visibility: str = "public",
        card_url: str | None = None,
        application: str | None = None,
        media: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A new status (the newest so far) with Mastodon's fields; ``content`` is its HTML."""
        with self._lock:
            owner = self._accounts[account or self.username]
            sid = str(self._next_id)
            self._next_id += 1
            if created_at is None:
                self._clock += timedelta(minutes=5)
                created_at = self._clock
            base = self.url.replace("http://", "https://")
            status: dict[str, Any] = {
                "id": sid,
                "uri": f"{base}/users/{owner.username}/statuses/{sid}",
                "created_at": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "account": {
                    "id": owner.id,
                    "username": owner.username,
                    "acct": owner.username,
                    "display_name": owner.username,
                    "url": f"{base}/@{owner.username}",
                },
                "content": content,
                "visibility": visibility,
                "sensitive": False,
                "spoiler_text": "",
                "media_attachments": media or [],
                "mentions": [],
                "tags": [],
                "emojis": [],
                "reblogs_count": 0,
                "favourites_count": 0,
                "replies_count": 0,
                "url": f"{base}/@{owner.username}/{sid}",
                "in_reply_to_id": None,
                "in_reply_to_account_id": None,
                "reblog": None,
                "poll": None,
                "card": {"url": card_url, "title": "", "description": ""} if card_url else None,
                "language": "id",
                "edited_at": None,
                **extra,
            }
            if application:
                status["application"] = {"name": application, "website": None}
            owner.statuses[sid] = status
            return status

    def edit_status(self, status_id: str, content: str, *, account: str | None = None) -> None:
        with self._lock:
            status = self._accounts[account or self.username].statuses[status_id]
            self._clock += timedelta(minutes=1)
            status["content"] = content
            status["edited_at"] = self._clock.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def fail_next(
        self,
        status: int,
        *,
        retry_after: str | None = None,
        times: int = 1,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests with ``status`` (then serve normally again)."""
        headers = dict(headers or {})
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        for _ in range(times):
            self.faults.append(Fault(status, headers, body or {"error": f"test fault {status}"}))

    def status_requests(self) -> list[dict[str, str]]:
        """The query parameters of every statuses request that was answered, in order."""
        return [r.params for r in self.requests if r.path.endswith("/statuses")]

    # -- answering -------------------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.requests.append(Request("GET", parts.path, params, dict(handler.headers.items())))
        if self.faults:
            fault = self.faults.popleft()
            return fault.status, dict(fault.headers), fault.body
        token = handler.headers.get("Authorization")
        if self.token is not None and token != f"Bearer {self.token}":
            return 401, {}, {"error": "The access token is invalid"}
        if parts.path == "/api/v1/accounts/lookup":
            acct = params.get("acct", "").lstrip("@").split("@")[0]
            found = self._accounts.get(acct)
            if found is None:
                return 404, {}, {"error": "Record not found"}
            return 200, {}, {"id": found.id, "username": found.username, "acct": found.username}
        match = re.fullmatch(r"/api/v1/accounts/([^/]+)/statuses", parts.path)
        if match is None:
            return 404, {}, {"error": "Not found"}
        owner = next((a for a in self._accounts.values() if a.id == match.group(1)), None)
        if owner is None:
            return 404, {}, {"error": "Record not found"}
        return self._statuses(owner, parts.path, params)

    def _statuses(
        self, owner: _Account, path: str, params: Mapping[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        limit = max(1, min(40, int(params.get("limit", "20"))))
        with self._lock:
            ordered = sorted(owner.statuses.values(), key=lambda s: int(s["id"]))
        if "max_id" in params:
            ordered = [s for s in ordered if int(s["id"]) < int(params["max_id"])]
        if "since_id" in params:
            ordered = [s for s in ordered if int(s["id"]) > int(params["since_id"])]
        if "min_id" in params:
            ordered = [s for s in ordered if int(s["id"]) > int(params["min_id"])][:limit]
        page = list(reversed(ordered[-limit:]))
        headers: dict[str, str] = {}
        if page:
            base = f"{self.url}{path}"
            older = urlencode({"limit": limit, "max_id": page[-1]["id"]})
            newer = urlencode({"limit": limit, "min_id": page[0]["id"]})
            headers["Link"] = f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'
        return 200, headers, page
