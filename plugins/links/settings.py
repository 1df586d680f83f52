"""``[plugins.links]``: its table (:class:`LinkTable`, checked when the configuration is
loaded), and the settings the link rules read (:class:`LinkSettings`, :func:`link_settings`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

import msgspec
from msgspec import Meta

from smguard.config.schema import NAMES, Table, invalid, listing, str_list
from smguard.guard.urls import UrlMatch, host_in

from .hosts import SHORTENERS
from .lookalike import BRANDS

__all__ = ["LinkSettings", "LinkTable", "link_settings", "normalise_domain"]

_DOMAINS = listing('a list of domains, e.g. ["kemkes.go.id"]')


class LinkTable(Table, frozen=True):
    """``[plugins.links]``: links never or always flagged, and domains and names to protect."""

    allow: Annotated[
        NAMES,
        _DOMAINS,
        Meta(description='Never flagged: domains, or a domain and path ("s.id/kemkes").'),
    ] = ()
    deny: Annotated[NAMES, _DOMAINS, Meta(description="Always flagged (high).")] = ()
    own_domains: Annotated[
        NAMES,
        _DOMAINS,
        Meta(description="The organisation's domains, protected against look-alikes."),
    ] = ()
    shorteners: Annotated[NAMES, _DOMAINS, Meta(description="More link shorteners.")] = ()
    keywords: Annotated[
        NAMES,
        listing('a list of words, e.g. ["bandarq"]'),
        Meta(description="More gambling and porn words that give a domain away."),
    ] = ()
    brands: Annotated[
        dict[str, NAMES],
        Meta(
            description='More names to protect, with their real domains: bankku = ["bankku.co.id"].'
        ),
    ] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in str_list(self.allow):
            _check_domain(entry, "allow", paths=True)
        for key in ("deny", "own_domains", "shorteners"):
            for entry in str_list(getattr(self, key)):
                _check_domain(entry, key)
        for word in (w.strip().lower() for w in str_list(self.keywords)):
            if not re.fullmatch(r"[a-z0-9]{3,40}", word):
                invalid("keywords", f"{word!r} must be one word of 3-40 letters or digits")
        for name, domains in self.brands.items():
            if not re.fullmatch(r"[a-z0-9]{3,30}", name.lower()):
                invalid(f"brands.{name}", "a brand name is one word of 3-30 letters")
            for entry in str_list(domains):
                _check_domain(entry, f"brands.{name}")


@dataclass(frozen=True, eq=False)
class LinkSettings:
    """``[plugins.links]`` as the link rules read it."""

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


def link_settings(table: LinkTable) -> LinkSettings:
    """The settings of a checked ``[plugins.links]``: domains normalised, defaults added."""
    allow: set[str] = set()
    allow_paths: list[tuple[str, str]] = []
    for entry in _domains(table.allow):
        if "/" in entry:
            host, path = entry.split("/", 1)
            allow_paths.append((host, "/" + path))
        else:
            allow.add(entry)
    brands = dict(BRANDS)
    brands.update({name.lower(): _domains(d) for name, d in table.brands.items()})
    return LinkSettings(
        allow=frozenset(allow),
        allow_paths=tuple(allow_paths),
        deny=frozenset(_domains(table.deny)),
        own_domains=frozenset(_domains(table.own_domains)),
        shorteners=SHORTENERS | frozenset(_domains(table.shorteners)),
        keywords=tuple(w.strip().lower() for w in str_list(table.keywords)),
        brands=brands,
    )


def _domains(value: NAMES) -> tuple[str, ...]:
    return tuple(normalise_domain(v) for v in str_list(value))


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


def _check_domain(value: str, key: str, paths: bool = False) -> None:
    domain = normalise_domain(value)
    host = domain.split("/", 1)[0] if paths else domain
    if not _DOMAIN_RE.fullmatch(host) or (not paths and "/" in domain):
        invalid(key, f"{value!r} is not a domain (e.g. kemkes.go.id)")
