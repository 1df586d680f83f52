"""A live post as its readers see it: Mastodon's HTML read as text, wrapped links expanded.

:func:`post_text` is what the guard checks and the evidence shows; :func:`link_maps` and
:func:`url_key` are how the publish ledger recognises a live post it recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from smguard.types import ActivityEvent

__all__ = ["carried_text", "link_maps", "post_text", "url_key"]


def url_key(url: str) -> str:
    return url.strip().rstrip("/").lower().removeprefix("https://").removeprefix("http://")


_WRAPPED = re.compile(r"https?://(?:t\.co|lnkd\.in)/[A-Za-z0-9]+", re.I)


def link_maps(event: ActivityEvent) -> list[dict[str, str] | None]:
    """Ways to expand the platform's wrapped links (``t.co``) of a post: the connector's
    ``raw["link_expansions"]``, an archive's own ``entities.urls``, else the event's ``links``
    in order; plain as a last resort."""
    maps: list[dict[str, str] | None] = []
    raw = event.raw if isinstance(event.raw, Mapping) else {}
    expansions = raw.get("link_expansions")
    if isinstance(expansions, Mapping) and expansions:
        maps.append({str(k): str(v) for k, v in expansions.items()})
    entities = raw.get("entities")
    urls = entities.get("urls") if isinstance(entities, Mapping) else None
    if isinstance(urls, list):
        pairs = {
            str(u["url"]): str(u["expanded_url"])
            for u in urls
            if isinstance(u, Mapping) and u.get("url") and u.get("expanded_url")
        }
        if pairs:
            maps.append(pairs)
    wrapped = _WRAPPED.findall(event.text or "")
    expanded = [link for link in event.links if not _WRAPPED.fullmatch(link)]
    if wrapped and len(wrapped) == len(expanded):
        maps.append(dict(zip(wrapped, expanded, strict=True)))
    maps.append(None)
    return maps


# -- post text ---------------------------------------------------------------------------------


def carried_text(raw: Mapping[str, object]) -> list[str]:
    """Text a post carries besides its body: poll options (Mastodon ``raw["poll"]``) and media
    descriptions, the alt text (Mastodon ``raw["media_attachments"]``, X ``raw["media"]``)."""
    out: list[str] = []
    poll = raw.get("poll")
    if isinstance(poll, Mapping):
        options = poll.get("options")
        out += [o for o in options if isinstance(o, str)] if isinstance(options, list) else []
    for key, field in (("media_attachments", "description"), ("media", "alt_text")):
        items = raw.get(key)
        for item in items if isinstance(items, list) else []:
            text = item.get(field) if isinstance(item, Mapping) else None
            if isinstance(text, str) and text.strip():
                out.append(text.strip())
    return out


def post_text(text: str) -> str:
    """A live post as a reader sees it: Mastodon's HTML read as text, link anchors shown as
    their address (so that the guard's link rules see where they go)."""
    if "<" not in text or not re.search(r"</?[a-zA-Z][^<>]*>", text):
        import html

        return html.unescape(text)
    from html.parser import HTMLParser

    blocks = {"p", "br", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}

    class _Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.out: list[str] = []
            self.anchor: dict[str, str] | None = None
            self.anchor_text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in blocks:
                self.out.append("\n")
            elif tag == "a" and self.anchor is None:
                self.anchor = {k: v or "" for k, v in attrs}
                self.anchor_text = []

        def handle_endtag(self, tag: str) -> None:
            if tag == "a" and self.anchor is not None:
                shown = "".join(self.anchor_text).strip()
                classes = self.anchor.get("class", "").split()
                href = self.anchor.get("href", "")
                word = "mention" in classes or "hashtag" in classes or shown[:1] in ("@", "#")
                self.out.append(f" {shown if word or not href else href} ")
                self.anchor = None
            elif tag in blocks:
                self.out.append("\n")

        def handle_data(self, data: str) -> None:
            (self.anchor_text if self.anchor is not None else self.out).append(data)

    reader = _Reader()
    reader.feed(text)
    reader.close()
    lines = ("".join(reader.out)).splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())
