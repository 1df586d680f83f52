# ruff: noqa: E501  (the document is data: one operation a line reads better than wrapped)
"""The API's OpenAPI 3.1 document (``GET /openapi.json``), written by hand.

It is written out rather than generated from the routes so that it says what a caller needs —
scopes, bodies, errors — and a test (tests/server/test_openapi.py) holds it to the routes the
app really serves: every route documented, nothing documented that is not served.
"""

from __future__ import annotations

from typing import Any

from smguard._version import __version__

__all__ = ["openapi"]

_ERROR = {"$ref": "#/components/schemas/Error"}
_ERRORS = {
    "400": {"description": "Malformed body or parameters", "content": {"application/json": {"schema": _ERROR}}},
    "401": {"description": "Missing, unknown or revoked token", "content": {"application/json": {"schema": _ERROR}}},
    "403": {"description": "The token lacks the scope, or the step was refused", "content": {"application/json": {"schema": _ERROR}}},
    "413": {"description": "Body or batch too large", "content": {"application/json": {"schema": _ERROR}}},
    "429": {"description": "The token's rate limit; see Retry-After", "content": {"application/json": {"schema": _ERROR}}},
}  # fmt: skip


def _op(
    summary: str, scope: str, body: dict[str, Any] | None = None, ok: str = "200"
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "description": f"Scope: `{scope}` (or `admin`).",
        "security": [{"token": []}],
        "responses": {ok: {"description": "OK", "content": {"application/json": {}}}, **_ERRORS},
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _obj(*required: str, **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": props}


_S = {"type": "string"}
_ID = {"name": "check_id", "in": "path", "required": True, "schema": _S}
_INC = {"name": "incident_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_CLA = {"name": "clarification_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _with(params: list[dict[str, Any]], op: dict[str, Any]) -> dict[str, Any]:
    return {**op, "parameters": params}


def openapi() -> dict[str, Any]:
    post = {"$ref": "#/components/schemas/Post"}
    actor = {"type": "string", "description": "The person acting (default: token:NAME)"}
    paths: dict[str, dict[str, Any]] = {
        "/healthz": {"get": {"summary": "The process answers", "responses": {"200": {"description": "OK"}}}},
        "/readyz": {"get": {"summary": "The guard is built and the database answers", "responses": {"200": {"description": "Ready"}, "503": {"description": "Not ready"}}}},
        "/metrics": {"get": _op("Prometheus metrics of this worker (text format)", "admin")},
        "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}},
        "/v1/check": {"post": _with(
            [{"name": "record", "in": "query", "schema": {"type": "string", "enum": ["1"]}, "description": "Store each verdict in the check log (scope record)"},
             {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["en", "id"]}}],
            _op("Check one post or a batch (the JSON contract of smguard check)", "check",
                {"oneOf": [post, _obj("posts", posts={"type": "array", "items": post}, author=_S), {"type": "array", "items": post}]}),
        )},
        "/v1/checks/{check_id}": {"get": _with([_ID], _op("A recorded check and its status (held, approved, rejected)", "record or review"))},
        "/v1/checks/{check_id}/approve": {"post": _with([_ID], _op("Approve a held check: another person, with their TOTP code", "review", _obj("approver", "code", approver=_S, code=_S)))},
        "/v1/checks/{check_id}/reject": {"post": _with([_ID], _op("Reject a held check, with a reason", "review", _obj("approver", "code", "reason", approver=_S, code=_S, reason=_S)))},
        "/v1/rules": {"get": _op("Every rule, enabled or not", "check")},
        "/v1/incidents": {"get": _with(
            [{"name": n, "in": "query", "schema": _S} for n in ("status", "account", "limit")],
            _op("Incidents, newest first", "review"))},
        "/v1/incidents/{incident_id}": {"get": _with([_INC], _op("One incident with its timeline", "review"))},
        "/v1/incidents/{incident_id}/acknowledge": {"post": _with([_INC], _op("Acknowledge", "review", _obj(actor=actor, note=_S)))},
        "/v1/incidents/{incident_id}/resolve": {"post": _with([_INC], _op("Resolve, with the reason", "review", _obj("reason", actor=actor, reason=_S)))},
        "/v1/incidents/{incident_id}/notes": {"post": _with([_INC], _op("Add a note to the timeline", "review", _obj("text", actor=actor, text=_S)))},
        "/v1/clarifications": {
            "get": _op("Clarifications, newest first", "review"),
            "post": _op("Draft a clarification from the template of an incident's kind", "review", _obj("incident", incident={"type": "integer"}, lang=_S, actor=actor), ok="201"),
        },
        "/v1/clarifications/{clarification_id}": {"get": _with([_CLA], _op("One clarification with its versions and verdicts", "review"))},
        "/v1/clarifications/{clarification_id}/edit": {"post": _with([_CLA], _op("A new version (checked by the guard)", "review", _obj("text", text=_S, actor=actor)))},
        "/v1/clarifications/{clarification_id}/approve": {"post": _with([_CLA], _op("Approve the latest version", "review", _obj(actor=actor)))},
        "/v1/clarifications/{clarification_id}/publish": {"post": _with([_CLA], _op("Record where it was published", "review", _obj("platform", "ref", platform=_S, ref=_S, account=_S, actor=actor)))},
    }  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {"title": "smguard", "version": __version__, "description": "Check posts before they go out; review held posts, incidents and clarifications. Errors carry the CLI's exit code (3)."},
        "paths": paths,
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "smguard tokens create NAME --scope check"}},
            "schemas": {
                "Post": _obj("text", id=_S, text=_S, kind={"type": "string", "enum": ["post", "reply", "comment", "dm"]}, language=_S, account=_S, platform=_S, scheduled_at=_S, author=_S, in_reply_to=_obj("text", text=_S)),
                "Error": _obj("error", error=_obj("type", "status", "exit_code", "message", type=_S, status={"type": "integer"}, exit_code={"type": "integer"}, message=_obj("en", "id", en=_S, id=_S))),
            },
        },
    }  # fmt: skip
