"""The ``[plugins.links]`` settings: :class:`LinkSettings` and :func:`parse_settings`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smguard.errors import ConfigError
from smguard.guard.urls import UrlMatch, host_in

from .hosts import SHORTENERS
from .lookalike import BRANDS

__all__ = ["LinkSettings", "normalise_domain", "parse_settings"]


@dataclass(frozen=True, eq=False)
class LinkSettings:
    """Validated ``[plugins.links]`` options."""

    allow: frozenset[str] = frozenset()
    allow_paths: tuple[tuple[str, str], ...] = ()
    deny: frozenset[str] = frozenset()
    own_domains: frozenset[str] = frozenset()
    shorteners: frozenset[str] = SHORTENERS
    keywords: tuple[str, ...] = ()
    brands: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(BRANDS))

    def allowed(self, url: UrlMatch) -> bool:
        if self.allow and host_in(url.host, self.allow):
            return True
        return bool(self.allow_paths) and any(
            (url.host == h or url.host == "www." + h) and url.path.startswith(p)
            for h, p in self.allow_paths
        )


_KNOWN_KEYS = ("allow", "deny", "own_domains", "shorteners", "keywords", "brands")


def parse_settings(options: Mapping[str, Any]) -> LinkSettings:
    """Validate ``[plugins.links]``; raise :class:`ConfigError` naming the bad key."""
    for key in options:
        if key not in _KNOWN_KEYS:
            raise ConfigError(
                f"plugins.links.{key}: unknown setting (known: {', '.join(_KNOWN_KEYS)})"
            )
    allow: set[str] = set()
    allow_paths: list[tuple[str, str]] = []
    for entry in _domain_list(options, "allow", paths=True):
        if "/" in entry:
            host, path = entry.split("/", 1)
            allow_paths.append((host, "/" + path))
        else:
            allow.add(entry)
    keywords = tuple(_word_list(options, "keywords"))
    brands = dict(BRANDS)
    raw_brands = options.get("brands", {})
    if not isinstance(raw_brands, Mapping):
        raise ConfigError(
            'plugins.links.brands: must be a table of name = ["domain", ...], '
            'e.g. bankku = ["bankku.co.id"]'
        )
    for name, domains in raw_brands.items():
        key = f"brands.{name}"
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9]{3,30}", name.lower()):
            raise ConfigError(f"plugins.links.{key}: a brand name is one word of 3-30 letters")
        brands[name.lower()] = tuple(_domain_list({key: domains}, key))
    return LinkSettings(
        allow=frozenset(allow),
        allow_paths=tuple(allow_paths),
        deny=frozenset(_domain_list(options, "deny")),
        own_domains=frozenset(_domain_list(options, "own_domains")),
        shorteners=SHORTENERS | frozenset(_domain_list(options, "shorteners")),
        keywords=keywords,
        brands=brands,
    )


_DOMAIN_RE = re.compile(
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}|(?:\d{1,3}\.){3}\d{1,3}"
)


def normalise_domain(value: str) -> str:
    """``"https://www.Kemkes.go.id/"`` → ``"kemkes.go.id"`` (paths kept: ``s.id/kemkes``)."""
    value = value.strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.rstrip("/")
    if value.startswith("www."):
        value = value[4:]
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return value


def _domain_list(options: Mapping[str, Any], key: str, paths: bool = False) -> list[str]:
    raw = options.get(key, [])
    if isinstance(raw, str):
        raw = [v for v in raw.split(",") if v.strip()]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ConfigError(f'plugins.links.{key}: must be a list of domains, e.g. ["kemkes.go.id"]')
    out = []
    for value in raw:
        domain = normalise_domain(value)
        host = domain.split("/", 1)[0] if paths else domain
        if not _DOMAIN_RE.fullmatch(host) or (not paths and "/" in domain):
            raise ConfigError(f"plugins.links.{key}: {value!r} is not a domain (e.g. kemkes.go.id)")
        out.append(domain)
    return out


def _word_list(options: Mapping[str, Any], key: str) -> list[str]:
    raw = options.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
        raise ConfigError(f'plugins.links.{key}: must be a list of words, e.g. ["bandarq"]')
    words = [v.strip().lower() for v in raw]
    for w in words:
        if not re.fullmatch(r"[a-z0-9]{3,40}", w):
            raise ConfigError(
                f"plugins.links.{key}: {w!r} must be one word of 3-40 letters or digits"
            )
    return words
