"""Built-in account-activity connectors (``smguard watch`` and ``smguard ingest``).

* ``mastodon`` — the Mastodon REST API, polled from a cursor (``[accounts.NAME] mastodon_url``);
* ``x`` — an X / Twitter archive (``data/*.js``), folder or zip;
* ``instagram`` and ``facebook`` — Meta's "Download your information" JSON exports;
* ``jsonl`` — a generic feed, one event per line, for any platform or in-house tool.

Each connector module is imported only when connectors are asked for, so ``smguard check`` does
not pay for httpx or the parsers. See ``docs/watch.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smguard import hookimpl


@hookimpl
def register_connectors(register: Callable[[Any], None]) -> None:
    from .jsonl import JsonlConnector
    from .mastodon import MastodonConnector
    from .meta import FacebookConnector, InstagramConnector
    from .x_archive import XArchiveConnector

    register(MastodonConnector())
    register(XArchiveConnector())
    register(InstagramConnector())
    register(FacebookConnector())
    register(JsonlConnector())
