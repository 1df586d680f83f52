"""The link rules: what each one looks for in each link of a post.

:class:`LinkRule` collects a post's links once (those in the text, with spans, and those in
``post.links``), drops allowed ones and the organisation's own, and asks each rule's
:meth:`~LinkRule.check_url` about the rest. Their ids, messages and examples are in
:mod:`.ruleset`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from smguard.guard.rule import CheckContext, Rule
from smguard.guard.urls import UrlMatch, extract_urls, has_link, host_in, registrable_domain
from smguard.types import Finding, Post, Severity

from .hosts import LINK_HUBS, TOKEN_SPLIT, gambling_or_porn
from .lookalike import (
    Protected,
    disguised_letters,
    host_tokens,
    skeleton_ascii,
)
from .settings import LinkSettings, normalise_domain

__all__ = [
    "BrandRule",
    "DenyRule",
    "DisguisedRule",
    "IpRule",
    "KeywordRule",
    "LinkRule",
    "LookalikeRule",
    "PlainLoginRule",
    "ShortenerRule",
    "has_links",
]

_LOGIN_WORDS = ("login", "signin", "sign-in", "logon", "masuk", "verif", "akun", "account",
                "password", "sandi", "otp", "auth", "secure", "banking", "ibank")  # fmt: skip


_Todo = list[tuple[UrlMatch, "tuple[int, int] | None"]]


def _links(post: Post, ctx: CheckContext, settings: LinkSettings) -> _Todo:
    """Links of the post to check: those in its text (with spans) plus ``post.links`` that are
    not in the text (no span), minus allowed ones and the organisation's own. A link written
    several times is checked, and reported, once: at its first place (a post repeating one
    link 1,400 times got 1,400 findings from each link rule). Computed once per post and
    shared by every link rule."""
    key = f"links.todo.{id(settings)}"
    cached: _Todo | None = ctx.cache.get(key)
    if cached is not None:
        return cached
    todo: _Todo = []
    urls = extract_urls(post.text)
    if urls or post.links:
        own = _own(settings, ctx)
        first = {u.url: u for u in reversed(urls)}  # each written link at its first place
        items: list[tuple[UrlMatch | None, tuple[int, int] | None]] = [
            (u, (u.start, u.end)) for u in urls if first[u.url] is u
        ]
        if post.links:
            items.extend(
                (_parse_link(link), None) for link in dict.fromkeys(post.links) if link not in first
            )
        for url, span in items:
            if url is None or settings.allowed(url) or (own and host_in(url.host, own)):
                continue
            todo.append((url, span))
    ctx.cache[key] = todo
    return todo


def has_links(post: Post, ctx: CheckContext) -> bool:
    """The link rules' gate: a post without a link (given or written, defanged included)
    has nothing for them to look at."""
    return bool(post.links) or has_link(post.text)


@lru_cache(maxsize=1024)
def _parse_link(link: str) -> UrlMatch | None:
    urls = extract_urls(link) or extract_urls("http://" + link)
    return urls[0] if urls else None


@dataclass(eq=False)
class LinkRule(Rule):
    """A rule that looks at each link of a post; subclasses implement :meth:`check_url`."""

    settings: LinkSettings = field(default_factory=LinkSettings)
    #: Also look at defanged links (``bit[.]ly``), which are not clickable.
    include_defanged: bool = False

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        todo = _links(post, ctx, self.settings)
        if not todo:
            return ()
        out: list[Finding] = []
        for url, span in todo:
            if url.defanged and not self.include_defanged:
                continue
            found = self.check_url(url, span, ctx)
            if found is not None:
                out.append(found)
        return out

    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        raise NotImplementedError


def _own(settings: LinkSettings, ctx: CheckContext) -> frozenset[str]:
    account = ctx.account.own_domains
    if not account:
        return settings.own_domains
    return _merge_own(settings.own_domains, tuple(account))


@lru_cache(maxsize=256)
def _merge_own(plugin_own: frozenset[str], account: tuple[str, ...]) -> frozenset[str]:
    return plugin_own | frozenset(normalise_domain(d) for d in account)


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _evidence(url: UrlMatch) -> str:
    return url.url if len(url.url) <= 120 else url.url[:117] + "..."


@dataclass(eq=False)
class ShortenerRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if _bare(url.host) in self.settings.shorteners:
            return self.finding(span=span, evidence=_evidence(url))
        return None


@dataclass(eq=False)
class DenyRule(LinkRule):
    include_defanged: bool = True

    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if self.settings.deny and host_in(url.host, self.settings.deny):
            return self.finding(span=span, evidence=_evidence(url))
        return None


_GAMBLING_MSG = {
    "en": "This link points to what looks like an online gambling site ({host}).",
    "id": "Tautan ini mengarah ke situs yang tampaknya judi online ({host}).",
}
_PORN_MSG = {
    "en": "This link points to what looks like a pornographic site ({host}).",
    "id": "Tautan ini mengarah ke situs yang tampaknya berisi pornografi ({host}).",
}


@dataclass(eq=False)
class KeywordRule(LinkRule):
    include_defanged: bool = True

    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        kind = _host_kind(url.host, self.settings.keywords)
        if kind is None:
            bare = _bare(url.host)
            if url.path and (bare in self.settings.shorteners or bare in LINK_HUBS):
                words = [w for w in TOKEN_SPLIT.split(url.path.lower()) if w]
                kind = gambling_or_porn(words, self.settings.keywords)
        if kind is None:
            return None
        template = _GAMBLING_MSG if kind == "gambling" else _PORN_MSG
        message = {lang: text.format(host=url.host) for lang, text in template.items()}
        return self.finding(span=span, evidence=_evidence(url), message=message)


@lru_cache(maxsize=4096)
def _host_kind(host: str, extra: tuple[str, ...]) -> str | None:
    return gambling_or_porn(host_tokens(host), extra)


_LOOKALIKE_MSG = {
    "homograph": {
        "en": "{host} is disguised to look like {target}: some of its letters are not what they"
        " seem. Readers would be sent to a fake site.",
        "id": "{host} disamarkan agar terlihat seperti {target}: sebagian hurufnya bukan huruf"
        " yang sebenarnya. Pembaca akan diarahkan ke situs palsu.",
    },
    "typo": {
        "en": "{host} is one or two letters away from {target}: a typical fake (phishing) site.",
        "id": "{host} hanya beda satu-dua huruf dari {target}: ciri khas situs palsu (phishing).",
    },
    "suffix": {
        "en": "{host} copies the name of {target} with a different ending: a typical fake site.",
        "id": "{host} meniru nama {target} dengan akhiran berbeda: ciri khas situs palsu.",
    },
    "subdomain": {
        "en": "{host} starts with {target} but belongs to someone else ({registrable}).",
        "id": "{host} diawali {target}, padahal situs itu milik pihak lain ({registrable}).",
    },
    "dashes": {
        "en": "{host} imitates {target} by swapping its dots for dashes or adding words.",
        "id": "{host} meniru {target} dengan mengganti titik menjadi tanda hubung atau"
        " menambahkan kata.",
    },
}


@dataclass(eq=False)
class LookalikeRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if url.is_ip:
            return None
        found = _protected(self.settings, _own(self.settings, ctx)).find(url.host)
        if found is None:
            return None
        fmt = {"host": url.host, "target": found.target,
               "registrable": registrable_domain(url.host)}  # fmt: skip
        message = {k: v.format(**fmt) for k, v in _LOOKALIKE_MSG[found.kind].items()}
        severity = Severity.CRITICAL if found.own or found.kind == "homograph" else Severity.HIGH
        return self.finding(
            span=span,
            evidence=f"{url.host} ~ {found.target}",
            message=message,
            severity=severity,
        )


@lru_cache(maxsize=64)
def _protected(settings: LinkSettings, own: frozenset[str]) -> Protected:
    return Protected(own, settings.brands)


@dataclass(eq=False)
class BrandRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if url.is_ip:
            return None
        found = _protected(self.settings, _own(self.settings, ctx)).brand(url.host)
        if found is None:
            return None
        name, real = found
        fmt = {"host": url.host, "brand": name.upper(), "real": real}
        message = {
            "en": "{host} uses the name {brand} but is not its real site ({real}): readers may "
            "be sent to a fake page that steals logins or money.".format(**fmt),
            "id": "{host} memakai nama {brand}, padahal bukan situs resminya ({real}): pembaca "
            "bisa diarahkan ke halaman palsu yang mencuri data login atau uang.".format(**fmt),
        }
        return self.finding(span=span, evidence=f"{url.host} ({name})", message=message)


@dataclass(eq=False)
class DisguisedRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if url.host.isascii() or url.is_ip:
            return None
        if _protected(self.settings, _own(self.settings, ctx)).find(url.host) is not None:
            return None  # reported as a lookalike of a known domain
        if any(disguised_letters(label) for label in url.host.split(".")):
            return self.finding(span=span, evidence=f"{url.host} ({skeleton_ascii(url.host)})")
        return None


@dataclass(eq=False)
class IpRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if not url.is_ip:
            return None
        try:
            address = ipaddress.ip_address(url.host.strip("[]"))
        except ValueError:
            return None
        if address.is_private or address.is_loopback or address.is_link_local:
            return None  # "open 192.168.1.1 to set up your modem" is help, not a threat
        return self.finding(span=span, evidence=_evidence(url))


@dataclass(eq=False)
class PlainLoginRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if url.scheme != "http" or not url.path:
            return None
        path = url.path.lower()
        if any(word in path for word in _LOGIN_WORDS):
            return self.finding(span=span, evidence=_evidence(url))
        return None
