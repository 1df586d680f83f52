"""Fixtures of the account-watch tests: a Mastodon server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.mastodon_server import MastodonServer


@pytest.fixture
def mastodon_server() -> Iterator[MastodonServer]:
    """A running :class:`MastodonServer` with one account, ``@kemcontoh``, and no token."""
    with MastodonServer() as server:
        yield server
