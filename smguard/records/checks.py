"""The check log and the publish ledger: what smguard was asked, and what really went out.

* :func:`record_check` stores one verdict (``smguard check --record``): a content
  :func:`fingerprint` and the findings always, the full text only when ``[storage] store_text =
  true`` — a check log is a privacy risk of its own, so by default it cannot be read back into
  the posts (or the followers' messages) it was built from. A check whose decision reaches
  ``[incidents] open_on`` (``"block"`` by default, ``"review"`` or ``"never"``) opens a
  ``blocked_post`` incident in the same transaction.
* :func:`record_publication` writes a ledger entry: a post that was approved and published, with
  its fingerprint, account, platform and approver. :func:`is_in_ledger` answers "did we publish
  this?" — the account-watch work compares every live post against the ledger, and a post with no
  entry is an unauthorised post.

The fingerprint survives what platforms do to a text on the way out: Mastodon returns HTML
(``<p>``, ``<br>``, link anchors with invisible spans, ``&amp;``), X wraps every link in ``t.co``
and escapes entities, editors leave zero-width characters and emoji variation selectors behind.
See :func:`fingerprint_text` for the exact normalisation.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.errors import ConfigError, InputError
from smguard.records.tables import CheckRecord, LedgerEntry, utcnow
from smguard.types import Finding, Post, Severity, Verdict, localized

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "LINK_PLACEHOLDER",
    "RecordedCheck",
    "add_publication",
    "findings_record",
    "fingerprint",
    "fingerprint_text",
    "is_in_ledger",
    "ledger_entries",
    "open_on",
    "record_check",
    "record_checks",
    "record_publication",
    "store_text",
    "verdict_record",
]

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


# -- fingerprints ------------------------------------------------------------------------------


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
    from smguard.guard.urls import extract_urls

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


# -- settings ----------------------------------------------------------------------------------

_OPEN_ON = ("block", "review", "never")


def store_text(config: Any) -> bool:
    """``[storage] store_text`` (default false): keep the full text of checked posts."""
    value = config.storage.get("store_text", False)
    if not isinstance(value, bool):
        raise ConfigError(f"{config.source}: storage.store_text: must be true or false")
    return value


def open_on(config: Any) -> str:
    """``[incidents] open_on``: which check decisions open a ``blocked_post`` incident."""
    table = config.incidents
    unknown = sorted(set(table) - {"open_on"})
    if unknown:
        raise ConfigError(
            f"{config.source}: incidents.{unknown[0]}: unknown setting (known: open_on)"
        )
    value = table.get("open_on", "block")
    if value not in _OPEN_ON:
        raise ConfigError(
            f"{config.source}: incidents.open_on: {value!r} is not one of {', '.join(_OPEN_ON)}"
        )
    return str(value)


# -- the check log -----------------------------------------------------------------------------


def findings_record(findings: Iterable[Finding], *, evidence: bool = True) -> list[dict[str, Any]]:
    """Findings as stored: messages and suggestions in every language, evidence optional."""
    out: list[dict[str, Any]] = []
    for f in findings:
        item: dict[str, Any] = {
            "rule": f.rule,
            "category": f.category,
            "severity": f.severity.label,
            "message": dict(f.message),
            "suggestion": dict(f.suggestion) if f.suggestion else None,
            "span": list(f.span) if f.span else None,
            "engine": f.engine,
            "score": None if f.score is None else round(f.score, 4),
        }
        if evidence and f.evidence:
            item["evidence"] = f.evidence
        out.append(item)
    return out


def verdict_record(verdict: Verdict, *, evidence: bool = True) -> dict[str, Any]:
    """A verdict as stored with a clarification version (and shown again later)."""
    return {
        "decision": verdict.decision,
        "findings": findings_record(verdict.findings, evidence=evidence),
        "engines": {name: st.to_dict() for name, st in verdict.engines.items()},
        "languages": list(verdict.languages),
        "elapsed_ms": round(verdict.elapsed_ms, 3),
    }


@dataclass(frozen=True)
class RecordedCheck:
    """What :func:`record_checks` wrote for one verdict."""

    check_id: str
    fingerprint: str
    incident_id: int | None = None
    incident_created: bool = False


def _as_post(post: Post | str | Mapping[str, Any]) -> Post:
    if isinstance(post, Post):
        return post
    if isinstance(post, str):
        return Post(text=post)
    return Post.from_dict(post)


_BLOCKED_TITLE = {
    "en": "Post {what} by the guard{where}: {reason}",
    "id": "Unggahan {what} oleh guard{where}: {reason}",
}
_WHAT = {
    "block": {"en": "blocked", "id": "diblokir"},
    "review": {"en": "held for review", "id": "ditahan untuk ditinjau"},
}
_ON = {"en": " on {account}", "id": " di {account}"}


def _incident_title(post: Post, verdict: Verdict, lang: str) -> str:
    worst = max(verdict.findings, key=lambda f: f.severity, default=None)
    reason = f"{worst.rule} {localized(worst.message, lang)}" if worst else verdict.decision
    where = _ON[lang].format(account=post.account) if post.account else ""
    what = localized(_WHAT.get(verdict.decision, _WHAT["block"]), lang)
    return _BLOCKED_TITLE[lang].format(what=what, where=where, reason=reason)


def _add_check(
    store: Store,
    session: Session,
    post: Post,
    verdict: Verdict,
    author: str | None,
    keep_text: bool,
    policy: str,
) -> RecordedCheck:
    from smguard.records.incidents import open_incident_in

    check_id = str(uuid.uuid4())
    fp = fingerprint(post.text)
    findings = findings_record(verdict.findings, evidence=keep_text)
    session.add(
        CheckRecord(
            id=check_id,
            created_at=utcnow(),
            post_id=post.id or verdict.id,
            account=post.account,
            platform=post.platform,
            kind=post.kind,
            author=author,
            fingerprint=fp,
            text=post.text if keep_text else None,
            decision=verdict.decision,
            findings=findings,
            languages=list(verdict.languages),
            elapsed_ms=round(verdict.elapsed_ms, 3),
            scheduled_at=post.scheduled_at,
        )
    )
    session.flush()
    actor = author or "smguard"
    store.audit(
        session,
        "check.recorded",
        actor=actor,
        subject=f"check:{check_id}",
        details={
            "decision": verdict.decision,
            "fingerprint": fp,
            "account": post.account,
            "kind": post.kind,
            "rules": [f["rule"] for f in findings],
        },
    )
    opens = (policy == "block" and verdict.decision == "block") or (
        policy == "review" and verdict.decision in ("block", "review")
    )
    if not opens:
        return RecordedCheck(check_id, fp)
    worst = max(verdict.findings, key=lambda f: f.severity, default=None)
    severity = worst.severity if worst else Severity.MEDIUM
    lang = store.config.guard.ui_language
    evidence: dict[str, Any] = {
        "check_id": check_id,
        "decision": verdict.decision,
        "fingerprint": fp,
        "post_id": post.id or verdict.id,
        "kind": post.kind,
        "platform": post.platform,
        "author": author,
        "findings": [
            {k: f[k] for k in ("rule", "category", "severity", "message", "evidence") if k in f}
            for f in findings
        ],
    }
    if keep_text:
        evidence["text"] = post.text
    incident, created = open_incident_in(
        store,
        session,
        kind="blocked_post",
        severity=severity.label,
        title=_incident_title(post, verdict, lang),
        account=post.account,
        category=worst.category if worst else None,
        dedupe_key=f"blocked_post:{post.account or '-'}:{fp}",
        evidence=evidence,
        actor=actor,
    )
    return RecordedCheck(check_id, fp, incident.id, created)


def record_checks(
    store: Store,
    checked: Iterable[tuple[Post | str | Mapping[str, Any], Verdict]],
    *,
    author: str | None = None,
) -> list[RecordedCheck]:
    """Record many verdicts, each in its own transaction (one failure loses only its own)."""
    keep_text = store_text(store.config)
    policy = open_on(store.config)
    pairs = [(_as_post(raw), verdict) for raw, verdict in checked]
    for _, verdict in pairs:
        if verdict.error is not None:
            raise InputError(f"an input that could not be checked is not recorded: {verdict.error}")
    out: list[RecordedCheck] = []
    for post, verdict in pairs:
        with store.session() as session:
            out.append(_add_check(store, session, post, verdict, author, keep_text, policy))
    return out


def record_check(
    store: Store,
    post: Post | str | Mapping[str, Any],
    verdict: Verdict,
    *,
    author: str | None = None,
) -> str:
    """Store one verdict in the check log and return its id (see the module docstring)."""
    return record_checks(store, [(post, verdict)], author=author)[0].check_id


# -- the publish ledger ------------------------------------------------------------------------


def _fingerprint_arg(text: str | None, fp: str | None, links: Mapping[str, str] | None) -> str:
    if (text is None) == (fp is None):
        raise InputError("give either the post's text or its fingerprint")
    if fp is not None:
        if not re.fullmatch(r"[0-9a-f]{64}", fp):
            raise InputError("a fingerprint is 64 hexadecimal characters (SHA-256)")
        return fp
    assert text is not None
    return fingerprint(text, links)


def add_publication(
    store: Store,
    session: Session,
    *,
    account: str,
    approved_by: str,
    text: str | None = None,
    fingerprint: str | None = None,
    platform: str | None = None,
    check_id: str | None = None,
    platform_post_id: str | None = None,
    url: str | None = None,
    published_at: datetime | None = None,
    approved_at: datetime | None = None,
    links: Mapping[str, str] | None = None,
    actor: str | None = None,
) -> LedgerEntry:
    """:func:`record_publication` inside an open transaction (used by clarifications)."""
    if not account or not account.strip():
        raise InputError("a ledger entry needs the account the post went out on")
    if not approved_by or not approved_by.strip():
        raise InputError("a ledger entry needs the name of whoever approved the post")
    fp = _fingerprint_arg(text, fingerprint, links)
    for name, when in (("published_at", published_at), ("approved_at", approved_at)):
        if when is not None and when.tzinfo is None:
            raise InputError(f"{name} needs a time zone, e.g. 2026-06-01T07:00:00+07:00")
    check: CheckRecord | None = None
    if check_id is not None:
        check = session.get(CheckRecord, check_id)
        if check is None:
            raise InputError(f"no recorded check {check_id}")
    entry = LedgerEntry(
        account=account.strip(),
        platform=platform,
        fingerprint=fp,
        check_id=check_id,
        approved_by=approved_by.strip(),
        approved_at=approved_at,
        published_at=published_at or utcnow(),
        platform_post_id=platform_post_id,
        url=url,
    )
    session.add(entry)
    session.flush()
    store.audit(
        session,
        "post.published",
        actor=actor or approved_by.strip(),
        subject=f"ledger:{entry.id}",
        details={
            "account": entry.account,
            "platform": platform,
            "fingerprint": fp,
            "check_id": check_id,
            "check_decision": check.decision if check else None,
            "platform_post_id": platform_post_id,
            "url": url,
            "approved_by": entry.approved_by,
            "published_at": entry.published_at.astimezone(UTC).isoformat(),
        },
    )
    if check is not None and check.decision == "block":
        _published_anyway(store, session, entry, check)
    return entry


def _published_anyway(
    store: Store, session: Session, entry: LedgerEntry, check: CheckRecord
) -> None:
    """A post the guard blocked went out all the same: that is an incident of its own."""
    from smguard.records.incidents import open_incident_in

    worst = max(
        check.findings, key=lambda f: Severity.parse(f.get("severity", "high")), default=None
    )
    lang = store.config.guard.ui_language
    title = {
        "en": f"A post the guard blocked was published on {entry.account}",
        "id": f"Unggahan yang diblokir guard tetap terbit di {entry.account}",
    }[lang]
    open_incident_in(
        store,
        session,
        kind="unsafe_post_published",
        severity="high",
        title=title,
        account=entry.account,
        category=worst.get("category") if worst else None,
        dedupe_key=f"unsafe_post_published:{entry.account}:{entry.fingerprint}",
        evidence={
            "ledger_id": entry.id,
            "check_id": check.id,
            "fingerprint": entry.fingerprint,
            "platform": entry.platform,
            "platform_post_id": entry.platform_post_id,
            "url": entry.url,
            "approved_by": entry.approved_by,
            "rules": [f.get("rule") for f in check.findings],
        },
        actor=entry.approved_by or "smguard",
    )


def record_publication(
    store: Store,
    *,
    account: str,
    approved_by: str,
    text: str | None = None,
    fingerprint: str | None = None,
    platform: str | None = None,
    check_id: str | None = None,
    platform_post_id: str | None = None,
    url: str | None = None,
    published_at: datetime | None = None,
    approved_at: datetime | None = None,
    links: Mapping[str, str] | None = None,
) -> int:
    """Write a ledger entry for a published post (give its ``text`` or ``fingerprint``).

    Appends ``post.published`` to the audit log. Publishing a post whose recorded check was
    blocked opens an ``unsafe_post_published`` incident. Returns the ledger entry's id.
    """
    with store.session() as session:
        entry = add_publication(
            store,
            session,
            account=account,
            approved_by=approved_by,
            text=text,
            fingerprint=fingerprint,
            platform=platform,
            check_id=check_id,
            platform_post_id=platform_post_id,
            url=url,
            published_at=published_at,
            approved_at=approved_at,
            links=links,
        )
        return entry.id


def ledger_entries(
    store: Store, account: str, text: str, links: Mapping[str, str] | None = None
) -> Sequence[LedgerEntry]:
    """Ledger entries of ``account`` whose fingerprint matches ``text`` (oldest first)."""
    fp = fingerprint(text, links)
    with store.session() as session:
        rows = session.execute(
            select(LedgerEntry)
            .where(LedgerEntry.account == account, LedgerEntry.fingerprint == fp)
            .order_by(LedgerEntry.id)
        ).scalars()
        return list(rows)


def is_in_ledger(
    store: Store, account: str, text: str, links: Mapping[str, str] | None = None
) -> bool:
    """Whether a post with this text was recorded as published on ``account``."""
    return bool(ledger_entries(store, account, text, links))
