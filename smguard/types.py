"""The data that flows through smguard: posts in, findings and verdicts out.

Plugins only ever see these frozen dataclasses, never storage rows. Everything here is plain data
that serialises to the JSON contract documented in ``docs/json-contract.md``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from smguard import safejson
from smguard.errors import InputError

__all__ = [
    "CATEGORIES",
    "DECISIONS",
    "EVENT_KINDS",
    "LANGUAGES",
    "POST_KINDS",
    "ActivityEvent",
    "EngineStatus",
    "Finding",
    "InReplyTo",
    "Post",
    "Severity",
    "Verdict",
    "localized",
    "long_date",
]

#: The fixed vocabulary of finding categories. Extend only deliberately: policy, routing and
#: reports all key on these names.
CATEGORIES: tuple[str, ...] = (
    "toxicity",
    "hate",
    "harassment",
    "sexual",
    "profanity",
    "spam",
    "link",
    "pii",
    "secret",
    "tone",
    "timing",
    "brand",
    "integrity",
)

POST_KINDS: tuple[str, ...] = ("post", "reply", "comment", "dm")
DECISIONS: tuple[str, ...] = ("allow", "review", "block")
#: Languages with first-class rule packs and messages.
LANGUAGES: tuple[str, ...] = ("en", "id")

Decision = Literal["allow", "review", "block"]
EngineState = Literal["ok", "skipped", "error"]


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``Severity.HIGH > Severity.LOW``."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | int | Severity) -> Severity:
        """Accept ``"high"``, ``3`` or ``Severity.HIGH``; raise ``ValueError`` otherwise."""
        if isinstance(value, Severity):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if isinstance(value, str) and value.lower() in _SEVERITY_NAMES:
            return cls[value.upper()]
        raise ValueError(
            f"{safejson.short(value)} is not a severity (one of {', '.join(_SEVERITY_NAMES)})"
        )


_SEVERITY_NAMES = tuple(s.name.lower() for s in Severity)


def localized(texts: Mapping[str, str] | None, lang: str) -> str:
    """Pick ``lang`` from a ``{"en": ..., "id": ...}`` mapping, falling back to English."""
    if not texts:
        return ""
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()))


_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
}  # fmt: skip


def long_date(when: datetime, lang: str) -> str:
    """``1 June 2026`` / ``1 Juni 2026``: a date as people write it (English for others)."""
    return f"{when.day} {_MONTHS.get(lang, _MONTHS['en'])[when.month - 1]} {when.year}"


@dataclass(frozen=True)
class InReplyTo:
    """The follower's message a reply answers (used by the tone rules)."""

    text: str
    author: str | None = None


#: The fields of a post object in the JSON contract.
_POST_FIELDS = frozenset(
    {"id", "text", "kind", "in_reply_to", "account", "platform", "language", "scheduled_at",
     "links", "media"}
)  # fmt: skip


@dataclass(frozen=True)
class Post:
    """One outgoing post, reply, comment or direct message, before it is published."""

    text: str
    id: str | None = None
    kind: str = "post"
    in_reply_to: InReplyTo | None = None
    account: str | None = None
    platform: str | None = None
    language: str | None = None
    scheduled_at: datetime | None = None
    links: tuple[str, ...] = ()
    media: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise InputError("'text' must be a string")
        if self.kind not in POST_KINDS:
            raise InputError(
                f"'kind' must be one of {', '.join(POST_KINDS)}, not {safejson.short(self.kind)}"
            )
        if self.scheduled_at is not None:
            if self.scheduled_at.tzinfo is None:
                raise InputError("'scheduled_at' needs a time zone, e.g. 2026-06-01T07:00:00+07:00")
            check_year(self.scheduled_at, "scheduled_at")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Post:
        """Build a post from the JSON contract's input object; raise ``InputError`` if malformed."""
        if not isinstance(data, Mapping):
            raise InputError("each input must be a JSON object with at least a 'text' field")
        # One set comparison for the usual object; the slow path only to word an error.
        if not data.keys() <= _POST_FIELDS:
            if not all(isinstance(key, str) for key in data):
                raise InputError("every field name must be a string")
            raise InputError(f"unknown field(s): {safejson.names(set(data) - _POST_FIELDS)}")
        if "text" not in data:
            raise InputError("missing required field 'text'")
        text = data["text"]
        if not isinstance(text, str):
            raise InputError("'text' must be a string")
        post_id = data.get("id")
        if post_id is not None and (
            isinstance(post_id, bool)
            or not isinstance(post_id, str | int)
            or (isinstance(post_id, int) and abs(post_id) >= 10**safejson.MAX_INT_DIGITS)
        ):
            raise InputError(
                f"'id' must be a string or a number of at most {safejson.MAX_INT_DIGITS} digits"
            )
        reply = data.get("in_reply_to")
        in_reply_to: InReplyTo | None = None
        if isinstance(reply, str):
            in_reply_to = InReplyTo(text=reply)
        elif isinstance(reply, Mapping):
            reply_text = reply.get("text")
            if not isinstance(reply_text, str):
                raise InputError("'in_reply_to.text' must be a string")
            author = reply.get("author")
            in_reply_to = InReplyTo(text=reply_text, author=str(author) if author else None)
        elif reply is not None:
            raise InputError('\'in_reply_to\' must be an object like {"text": "..."}')
        scheduled: datetime | None = None
        raw_when = data.get("scheduled_at")
        if raw_when is not None:
            if not isinstance(raw_when, str):
                raise InputError("'scheduled_at' must be an ISO 8601 string")
            try:
                scheduled = datetime.fromisoformat(raw_when.replace("Z", "+00:00"))
            except ValueError:
                raise InputError(
                    f"'scheduled_at' is not an ISO 8601 time: {safejson.short(raw_when)}"
                ) from None
        language = data.get("language")
        if language is not None and not isinstance(language, str):
            raise InputError('\'language\' must be a string such as "id" or "en"')
        kind = data.get("kind", "post")
        if not isinstance(kind, str):
            raise InputError(f"'kind' must be one of {', '.join(POST_KINDS)}")
        return cls(
            text=text,
            id=None if post_id is None else str(post_id),
            kind=kind,
            in_reply_to=in_reply_to,
            account=_opt_str(data, "account"),
            platform=_opt_str(data, "platform"),
            language=language.lower() if language else None,
            scheduled_at=scheduled,
            links=_str_tuple(data, "links"),
            media=_str_tuple(data, "media"),
        )

    def with_changes(self, **changes: Any) -> Post:
        return replace(self, **changes)


#: Years a time given to smguard may fall in; outside them it is a typing error (year 1, 9999)
#: that would otherwise overflow time-zone arithmetic or a database column further on.
YEARS = (1970, 2200)


def check_year(when: datetime, field: str) -> datetime:
    """``when`` itself, or an :class:`InputError` when its year is out of :data:`YEARS`."""
    low, high = YEARS
    if not low <= when.year <= high:
        raise InputError(f"'{field}' is in the year {when.year}; expected {low} to {high}")
    return when


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"'{key}' must be a string")
    return value


def _str_tuple(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"'{key}' must be a list of strings")
    return tuple(value)


@dataclass(frozen=True)
class Finding:
    """One problem a rule found in a post.

    ``span`` indexes the *original* text (Python string offsets), whatever normalisation the
    rule matched on. ``message`` and ``suggestion`` map language codes to text.
    """

    rule: str
    category: str
    severity: Severity
    message: Mapping[str, str]
    engine: str
    span: tuple[int, int] | None = None
    evidence: str | None = None
    suggestion: Mapping[str, str] | None = None
    score: float | None = None

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.label,
            "message": localized(self.message, lang),
            "span": list(self.span) if self.span else None,
            "evidence": self.evidence,
            "suggestion": localized(self.suggestion, lang) or None,
            "engine": self.engine,
            "score": None if self.score is None else round(self.score, 4),
        }


@dataclass(frozen=True)
class EngineStatus:
    """How one engine (a group of rules) fared on a post: ``ok``, ``skipped`` or ``error``."""

    status: EngineState = "ok"
    elapsed_ms: float = 0.0
    reason: str | None = None
    fix: str | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "elapsed_ms": round(self.elapsed_ms, 3)}
        if self.reason:
            out["reason"] = self.reason
        if self.fix:
            out["fix"] = self.fix
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class Verdict:
    """The answer to "may this go out?": a decision, the findings behind it, engine health."""

    decision: Decision
    findings: tuple[Finding, ...]
    engines: Mapping[str, EngineStatus]
    elapsed_ms: float
    id: str | None = None
    languages: tuple[str, ...] = ()
    error: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "decision": self.decision,
            "findings": [f.to_dict(lang) for f in self.findings],
            "engines": {name: st.to_dict() for name, st in self.engines.items()},
            "languages": list(self.languages),
            "elapsed_ms": round(self.elapsed_ms, 3),
        }
        if self.error:
            out["error"] = self.error
        return out


#: What a connector can see happen on an account.
EVENT_KINDS: tuple[str, ...] = (
    "post_published",  # a post, reply or story went live (text, url, links)
    "post_deleted",
    "login",  # a session started (ip, device, location where known)
    "logout",
    "login_failed",
    "password_change",
    "profile_change",  # name, bio, avatar, username
    "recovery_change",  # recovery e-mail or phone
    "twofa_change",  # 2FA switched on/off or its method changed
    "app_authorised",  # a connected app / third-party access granted
    "app_revoked",
    "admin_added",  # a person or page role granted access
    "admin_removed",
    "follow",
    "other",
)


@dataclass(frozen=True)
class ActivityEvent:
    """Something a connector saw on an account, as detectors see it.

    ``id`` is stable: the same event read twice (a re-ingested export, an overlapping poll) has
    the same id, so storage can drop the repeat. ``at`` is timezone-aware.
    """

    id: str
    account: str
    platform: str
    kind: str
    at: datetime
    source: str
    actor: str | None = None
    ip: str | None = None
    device: str | None = None
    country: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    text: str | None = None
    url: str | None = None
    links: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise InputError(
                f"unknown activity kind {safejson.short(self.kind)} "
                f"(one of {', '.join(EVENT_KINDS)})"
            )
        if self.at.tzinfo is None:
            raise InputError("an activity event's time needs a time zone")
        check_year(self.at, "at")
