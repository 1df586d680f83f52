"""``[server]``: ``smguard serve`` — where it listens, its limits, the desk's sessions.

The table is a :class:`~smguard.config.schema.Table` and *is* the settings object the server
reads (``config.server``); docs/server.md explains each setting.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from smguard.config.schema import Table

__all__ = ["ServerSettings"]


class ServerSettings(Table, frozen=True):
    """``[server]``: the HTTP API and the review desk (``smguard serve``, docs/server.md)."""

    #: Address to listen on; 127.0.0.1 keeps it on this machine (put a TLS proxy in front).
    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65535)] = 8750
    #: Worker processes (``--workers`` overrides it).
    workers: Annotated[int, Meta(ge=1, le=64)] = 1
    #: Largest request body accepted, in bytes (larger: 413).
    max_body_bytes: Annotated[int, Meta(ge=1024, le=64 * 1024 * 1024)] = 1024 * 1024
    #: Most posts in one ``POST /v1/check`` batch (more: 413).
    max_batch: Annotated[int, Meta(ge=1, le=10_000)] = 500
    #: Requests per second each token may make, per worker (0: no limit), and the burst above it.
    rate_per_second: Annotated[float, Meta(ge=0)] = 50.0
    rate_burst: Annotated[int, Meta(ge=1)] = 200
    #: Seconds a worker trusts a token it has looked up (a revoked token stops within this).
    token_cache_seconds: Annotated[float, Meta(ge=0, le=300)] = 5.0
    #: Seconds of token use summed into one ``token.used`` audit event per token and worker.
    usage_window_seconds: Annotated[float, Meta(ge=1, le=3600)] = 10.0
    #: Minutes a desk session lasts without a new sign-in.
    session_minutes: Annotated[int, Meta(ge=5, le=24 * 60)] = 480
    #: Send the desk's cookie only over HTTPS (turn off only for a plain-HTTP test on 127.0.0.1).
    secure_cookies: bool = True
