"""Content fingerprints: one value for a post as written and as a platform shows it.

The check log and the publish ledger keep a post's fingerprint instead of its text, and the
account watch compares live posts with the ledger by fingerprint, so the fingerprint must survive
what platforms do to a text on the way out: Mastodon returns HTML (``<p>``, ``<br>``, link anchors
with invisible spans, ``&amp;``), X wraps every link in ``t.co`` and escapes entities, editors
leave zero-width characters and emoji variation selectors behind. :func:`fingerprint_text` says
exactly how a text is normalised; :func:`fingerprint` is its SHA-256.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from smguard.guard.urls import extract_urls

__all__ = ["LINK_PLACEHOLDER", "fingerprint", "fingerprint_text"]

#: What a link becomes in the fingerprint when the platform hid it behind its own redirect
#: (``t.co``) and the caller did not say where it goes.
LINK_PLACEHOLDER = "⟨link⟩"

# Hosts that platforms put in front of every link they show. Their paths say nothing about the
# destination, so without an expansion they become LINK_PLACEHOLDER.
_WRAPPERS = frozenset({"t.co", "lnkd.in"})
# Redirect pages that carry the destination in a query parameter (Facebook, Instagram, Threads).
_REDIRECTS = {
    "l.facebook.com": "u",
    "lm.facebook.com": "u",
    "l.instagram.com": "u",
    "l.threads.net": "u",
    "l.messenger.com": "u",
}
# Query parameters that trackers add on the way; they do not change where a link goes.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|igshid|mc_cid|mc_eid|ref_src|ref_url)$", re.I)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3",
                         "h4", "h5", "h6", "pre", "tr"})  # fmt: skip
# A fediverse mention with its server (@kemkes@mastodon.social); Mastodon's HTML shows @kemkes.
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\.\w+")
_SPACE = re.compile(r"\s+")


class _HTMLText(HTMLParser):
    """HTML as Mastodon renders a post → text and links, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, str]] = []  # ("text", …) or ("link", href)
        self._anchor: dict[str, str] | None = None
        self._anchor_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._text("\n")
        if tag == "a" and self._anchor is None:
            self._anchor = {k: v or "" for k, v in attrs}
            self._anchor_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._text("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            anchor, text = self._anchor, "".join(self._anchor_text)
            self._anchor = None
            classes = anchor.get("class", "").split()
            href = anchor.get("href", "")
            shown = text.strip()
            # Mentions and hashtags are words of the post; other anchors are its links.
            is_word = (
                "mention" in classes
                or "hashtag" in classes
                or anchor.get("rel") == "tag"
                or shown.startswith(("@", "#"))
            )
            if is_word or not href:
                self.parts.append(("text", text))
            else:
                self.parts.append(("link", href))
        elif tag in _BLOCK_TAGS:
            self._text("\n")

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        if self._anchor is not None:
            self._anchor_text.append(data)
        else:
            self.parts.append(("text", data))


def _segments(text: str) -> list[tuple[str, str]]:
    """Split a post into text and links; HTML (as Mastodon returns it) is read as HTML."""
    if _TAG.search(text):
        parser = _HTMLText()
        parser.feed(text)
        parser.close()
        raw = parser.parts
    else:
        raw = [("text", html.unescape(text))]
    out: list[tuple[str, str]] = []
    for kind, value in raw:
        if kind == "link":
            out.append((kind, value))
            continue
        pos = 0
        for url in extract_urls(value):
            out.append(("text", value[pos : url.start]))
            out.append(("link", url.url))
            pos = url.end
        out.append(("text", value[pos:]))
    return out


def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    # Invisible characters (zero-width space/joiner, BOM, soft hyphen, bidi marks, emoji tags)
    # and variation selectors (the ️ after ❤) do not change what a reader sees.
    text = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) != "Cf"
        and not ("\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef")
    )
    text = _REMOTE_MENTION.sub(r"@\1", text)
    return text.casefold()


def _canonical_link(link: str, expansions: Mapping[str, str]) -> str:
    """Where a link goes, written one way: host without ``www.``, path, meaningful query."""
    seen: set[str] = set()
    while link in expansions and link not in seen:
        seen.add(link)
        link = expansions[link]
    if "://" not in link[:12]:
        link = "http://" + link
    try:
        parts = urlsplit(link.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return link.strip()
    if host.startswith("www."):
        host = host[4:]
    query = parse_qsl(parts.query, keep_blank_values=True)
    if host in _REDIRECTS:
        target = dict(query).get(_REDIRECTS[host])
        if target and target not in seen:
            return _canonical_link(unquote(target), {})
    if host in _WRAPPERS:
        return LINK_PLACEHOLDER
    kept = [(k, v) for k, v in query if not _TRACKING.match(k)]
    path = parts.path.rstrip("/")
    return host + path + (f"?{urlencode(kept)}" if kept else "")


def fingerprint_text(text: str, links: Mapping[str, str] | None = None) -> str:
    """The text a fingerprint is computed from (useful to see why two posts differ).

    * HTML (``<p>``, ``<br>``, anchors, entities) is read as a browser shows it; a link anchor
      counts as its ``href``, a mention or hashtag anchor as its text;
    * every link is written as its destination: scheme, ``www.``, trailing ``/``, fragment and
      tracking parameters (``utm_*``, ``fbclid`` …) dropped, Facebook/Instagram redirect pages
      unwrapped, and ``links`` (``{"https://t.co/abc": "https://example.com/x"}``) applied —
      a platform wrapper (``t.co``, ``lnkd.in``) that ``links`` does not expand becomes
      :data:`LINK_PLACEHOLDER`;
    * the rest is NFKC-normalised and case-folded, invisible characters and emoji variation
      selectors removed, ``@user@server`` shortened to ``@user``, whitespace collapsed.
    """
    expansions = dict(links or {})
    pieces: list[str] = []
    for kind, value in _segments(text):
        if kind == "link":
            pieces.append(f" {_canonical_link(value, expansions)} ")
        else:
            pieces.append(_clean_text(value))
    return _SPACE.sub(" ", "".join(pieces)).strip()


def fingerprint(text: str, links: Mapping[str, str] | None = None) -> str:
    """SHA-256 (hex) of :func:`fingerprint_text`: the same post as written and as published
    (Mastodon HTML, X with ``t.co`` links and their expansions in ``links``) gets one value."""
    return hashlib.sha256(fingerprint_text(text, links).encode("utf-8")).hexdigest()
