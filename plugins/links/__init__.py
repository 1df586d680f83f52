"""Link rules: shortened, denied, gambling and porn links, lookalike and impersonating domains,
links to bare IP addresses and unencrypted login pages.

Options (``[plugins.links]`` in ``smguard.toml``)::

    allow       = ["s.id/kemkes", "partner.co.id"]  # never flagged by any link rule
    deny        = ["judi-online.example"]           # always flagged (high)
    own_domains = ["kemkes.go.id"]                  # protected against lookalikes (critical)
    shorteners  = ["sur.ly"]                        # extra link shorteners
    keywords    = ["bandarq"]                       # extra gambling / porn words for domains

    [plugins.links.brands]                          # extra names to protect, with real domains
    bankku = ["bankku.co.id", "bankku.com"]

Each account's ``own_domains`` (``[accounts.NAME]``) are protected too. See docs/rules-code.md.

The hooks live here; behind them: :mod:`.settings` (the options), :mod:`.rules` (what each rule
checks), :mod:`.ruleset` (ids, messages, examples), :mod:`.lookalike` (look-alike and brand
domains) and :mod:`.hosts` (shorteners, link hubs, gambling and porn words). May import
:mod:`smguard.guard` (links, domains, look-alike letters), :mod:`smguard.config` and the kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from smguard import hookimpl
from smguard.config import Config
from smguard.config.schema import Table
from smguard.guard.rule import Rule
from smguard.guard.urls import extract_urls
from smguard.types import Post

from .ruleset import PLUGIN, build_rules
from .settings import LinkTable, link_settings

__all__ = ["PLUGIN", "iter_hosts", "prepare_post", "register_rules", "register_settings"]


@hookimpl
def register_settings(register: Callable[[str, type[Table]], None]) -> None:
    register(PLUGIN, LinkTable)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    settings = link_settings(config.plugin_settings(PLUGIN, LinkTable))
    for rule in build_rules(settings):
        register(rule)


@hookimpl
def prepare_post(post: Post) -> dict[str, Any] | None:
    """Fill ``Post.links`` with the clickable links of the text, when the caller gave none."""
    if post.links:
        return None
    links = tuple(u.url for u in extract_urls(post.text) if not u.defanged)
    return {"links": links} if links else None


def iter_hosts(text: str) -> Iterator[str]:
    """Hosts of the links in ``text`` (a convenience for other plugins and tests)."""
    for url in extract_urls(text):
        yield url.host
