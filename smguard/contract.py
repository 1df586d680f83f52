"""The JSON contract of ``smguard check`` as schemas: the post that goes in, the verdict that
comes out (``docs/json-contract.md``). ``smguard schema post|verdict`` prints them.

These structs describe the JSON; :meth:`smguard.types.Post.from_dict` and
:meth:`smguard.types.Verdict.to_dict` produce and read it (a test keeps the two in step).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from smguard.types import CATEGORIES, DECISIONS, LANGUAGES, POST_KINDS, Severity

__all__ = ["PostInput", "VerdictOutput", "schema"]


class _Object(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    pass


class ReplyTarget(_Object, frozen=True):
    """The follower's message a reply answers."""

    text: str
    author: str | None = None


class PostInput(_Object, frozen=True):
    """One post to check (one line of ``smguard check --file``). Only ``text`` is required."""

    text: Annotated[str, Meta(description="What will be published; must not be empty.")]
    id: Annotated[str | int | None, Meta(description="Your reference, echoed back.")] = None
    kind: Literal[POST_KINDS] = "post"  # type: ignore[valid-type]
    in_reply_to: ReplyTarget | str | None = None
    account: str | None = None
    platform: str | None = None
    language: Annotated[
        str | None, Meta(description=f"The post's language ({', '.join(LANGUAGES)}).")
    ] = None
    scheduled_at: Annotated[
        str | None,
        Meta(description="ISO 8601 with a time zone.", examples=["2026-06-01T07:00:00+07:00"]),
    ] = None
    links: list[str] | None = None
    media: list[str] | None = None


class FindingOutput(_Object, frozen=True):
    """What one rule found."""

    rule: str
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    severity: Literal[tuple(s.label for s in Severity)]  # type: ignore[valid-type]
    message: str
    span: Annotated[list[int], Meta(min_length=2, max_length=2)] | None
    evidence: str | None
    suggestion: str | None
    engine: str
    score: Annotated[float, Meta(ge=0, le=1)] | None


class EngineOutput(_Object, frozen=True):
    """How one engine fared on the post."""

    status: Literal["ok", "skipped", "error"]
    elapsed_ms: Annotated[float, Meta(ge=0)]
    reason: str | None = None
    fix: str | None = None
    detail: str | None = None


class VerdictOutput(_Object, frozen=True):
    """The answer for one post (one line of ``smguard check --format json``)."""

    id: str | None
    decision: Literal[DECISIONS]  # type: ignore[valid-type]
    findings: list[FindingOutput]
    engines: dict[str, EngineOutput]
    languages: list[str]
    elapsed_ms: Annotated[float, Meta(ge=0)]
    error: Annotated[str | None, Meta(description="Only when the input could not be checked.")] = (
        None
    )


def schema(what: Literal["post", "verdict"]) -> dict[str, Any]:
    """The JSON Schema (2020-12) of the input post or the output verdict."""
    type_ = PostInput if what == "post" else VerdictOutput
    out: dict[str, Any] = msgspec.json.schema(type_)
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out["title"] = "smguard check: " + ("input post" if what == "post" else "verdict")
    return out
