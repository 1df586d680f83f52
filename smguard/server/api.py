"""The HTTP API's endpoints (``/v1/...``): each one a scope, a body limit and a layer call.

Every endpoint goes through :func:`endpoint`: the token is checked and must hold the scope, the
token's rate limit applies, the use is counted (:mod:`smguard.server.usage`), the body is read
up to ``[server] max_body_bytes``, and smguard's own errors become JSON errors
(:mod:`smguard.server.errors`). The work itself — checking, recording, approving, incidents,
clarifications — is the records and security layers' functions, the CLI's own, run in a thread.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from smguard.errors import InputError, SmguardError
from smguard.server.errors import ApiError, from_smguard
from smguard.server.service import Service
from smguard.server.tokens import TokenInfo

__all__ = ["ROUTES", "Call", "endpoint"]

_EXIT = {"allow": 0, "review": 1, "block": 2}


@dataclass
class Call:
    """One API request, as an endpoint's work sees it."""

    service: Service
    request: Request
    token: TokenInfo
    body: Any

    @property
    def lang(self) -> str:
        lang = self.request.query_params.get("lang") or ""
        return lang if lang in ("en", "id") else str(self.service.config.guard.ui_language)

    def field(self, name: str, *, required: bool = True) -> str:
        value = self.body.get(name) if isinstance(self.body, dict) else None
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise ApiError(
                400,
                "bad_input",
                f'the body needs "{name}" (text)',
                f'badan permintaan perlu "{name}" (teks)',
            )
        return value.strip()

    def actor(self) -> str:
        """The person acting (``"actor"`` in the body), else the token."""
        given = self.body.get("actor") if isinstance(self.body, dict) else None
        return (
            given.strip()
            if isinstance(given, str) and given.strip()
            else f"token:{self.token.name}"
        )


Work = Callable[[Call], Any]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, default=str),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.status, error.headers)


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "too_large",
        f"the request body is larger than {limit} bytes ([server] max_body_bytes)",
        f"badan permintaan lebih besar dari {limit} bita ([server] max_body_bytes)",
    )


def parse_json(raw: bytes) -> Any:
    if not raw.strip():
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ApiError(
            400,
            "bad_input",
            f"the body is not valid UTF-8 (byte {exc.start + 1})",
            f"badan permintaan bukan UTF-8 yang sah (bita {exc.start + 1})",
        ) from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            "bad_input",
            f"the body is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
            f"badan permintaan bukan JSON yang sah ({exc.msg}, baris {exc.lineno} kolom "
            f"{exc.colno})",
        ) from None


def endpoint(scope: str, work: Work, *, route: str) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that needs ``scope`` (``"a|b"``: either) and runs ``work`` in a thread."""

    async def handle(request: Request) -> Response:
        service: Service = request.app.state.service
        started = time.perf_counter()
        token: TokenInfo | None = None
        try:
            header = request.headers.get("authorization")
            current = service.cached_token(header)
            if current is None:
                current = await run_in_threadpool(service.authenticate, header)
            token = current
            wait = service.limiter.take(current.id)
            if wait > 0:
                service.metrics.rate_limited()
                error = ApiError(
                    429,
                    "rate_limited",
                    f"too many requests for token {current.name}; try again in {wait:.1f} s",
                    f"terlalu banyak permintaan untuk token {current.name}; coba lagi dalam "
                    f"{wait:.1f} dtk",
                )
                error.headers["Retry-After"] = str(max(1, round(wait + 0.5)))
                raise error
            if not any(current.allows(one) for one in scope.split("|")):
                wanted = " or ".join(scope.split("|"))
                raise ApiError(
                    403,
                    "forbidden",
                    f"token {current.name} does not have the {wanted} scope",
                    f"token {current.name} tidak punya cakupan {wanted}",
                )
            raw = b""
            if request.method == "POST":
                raw = await read_body(request, service.settings.max_body_bytes)
            call = Call(service, request, current, parse_json(raw))
            if work is check and _quick(call):
                # One post, rules only, nothing to store: a fraction of a millisecond, cheaper
                # here than the hop to a thread and back.
                response = _run(work, call)
            else:
                response = await run_in_threadpool(_run, work, call)
        except ApiError as exc:
            response = error_response(exc)
        if token is not None:
            outcome = "ok" if response.status_code < 400 else str(response.status_code)
            service.usage.count(token.id, token.name, route, outcome)
        service.metrics.observe(
            route, request.method, response.status_code, time.perf_counter() - started
        )
        return response

    return handle


def _quick(call: Call) -> bool:
    body = call.body
    return (
        call.service.light
        and isinstance(body, dict)
        and "posts" not in body
        and isinstance(body.get("text"), str)
        and len(body["text"]) <= 5000
        and call.request.query_params.get("record", "") in ("", "0")
    )


def _run(work: Work, call: Call) -> Response:
    try:
        result = work(call)
    except SmguardError as exc:
        raise from_smguard(exc) from None
    return result if isinstance(result, Response) else json_response(result)


# -- checking ----------------------------------------------------------------------------------


def _posts(call: Call) -> tuple[list[Any], bool]:
    body = call.body
    if isinstance(body, list):
        posts, batch = body, True
    elif isinstance(body, dict) and "posts" in body:
        posts, batch = body["posts"], True
        if not isinstance(posts, list):
            raise ApiError(400, "bad_input", '"posts" must be a list', '"posts" harus daftar')
    elif isinstance(body, dict) and "text" in body:
        posts, batch = [body], False
    else:
        raise ApiError(
            400,
            "bad_input",
            'send one post {"text": "..."} or a batch {"posts": [{"text": "..."}, ...]}',
            'kirim satu unggahan {"text": "..."} atau sekumpulan {"posts": [{"text": "..."}, ...]}',
        )
    limit = call.service.settings.max_batch
    if len(posts) > limit:
        raise ApiError(
            413,
            "too_many",
            f"a batch holds at most {limit} posts ([server] max_batch); this one has {len(posts)}",
            f"sekumpulan berisi paling banyak {limit} unggahan ([server] max_batch); yang ini "
            f"{len(posts)}",
        )
    return posts, batch


def _post_or_error(item: Any, n: int) -> dict[str, Any] | InputError:
    if not isinstance(item, dict):
        return InputError(f'post {n}: expected a JSON object like {{"text": "..."}}')
    return {k: v for k, v in item.items() if k != "author"}


def check(call: Call) -> Any:
    from smguard.guard.engine import error_verdict

    record = call.request.query_params.get("record", "") in ("1", "true", "yes")
    if record and not call.token.allows("record"):
        raise ApiError(
            403,
            "forbidden",
            f"token {call.token.name} does not have the record scope (needed for ?record=1)",
            f"token {call.token.name} tidak punya cakupan record (perlu untuk ?record=1)",
        )
    posts, batch = _posts(call)
    service = call.service
    items = [_post_or_error(p, n) for n, p in enumerate(posts, 1)]
    good = [p for p in items if not isinstance(p, InputError)]
    checked = iter(service.guard.iter_check(good))
    verdicts = [
        error_verdict(str(p)) if isinstance(p, InputError) else next(checked) for p in items
    ]
    default_author = call.body.get("author") if isinstance(call.body, dict) else None
    out: list[dict[str, Any]] = []
    worst = 0
    for n, verdict in enumerate(verdicts):
        row = verdict.to_dict(call.lang)
        if verdict.error is not None:
            worst = 3
            row["exit_code"] = 3
        else:
            worst = max(worst, _EXIT[verdict.decision])
            row["exit_code"] = _EXIT[verdict.decision]
            service.metrics.decided(verdict.decision)
        source = items[n]
        if record and verdict.error is None and isinstance(source, dict):
            from smguard.records.checks import record_checks

            author = posts[n].get("author") or default_author
            author = author if isinstance(author, str) and author.strip() else None
            done = record_checks(service.store, [(source, verdict)], author=author)[0]
            row["check_id"] = done.check_id
            if done.incident_id is not None:
                row["incident_id"] = done.incident_id
        out.append(row)
    if not batch:
        if verdicts[0].error is not None:
            raise ApiError(400, "bad_input", verdicts[0].error)
        return out[0]
    return {"results": out, "exit_code": worst}


def check_status(store: Any, check_id: str) -> dict[str, Any]:
    """A recorded check and where it stands: held, approved, rejected or not needing approval."""
    from smguard.records.approvals import approval_of, needs_approval
    from smguard.records.tables import CheckRecord, CheckRejection

    with store.session() as s:
        row = s.get(CheckRecord, check_id)
        if row is None:
            raise ApiError(
                404,
                "not_found",
                f"no recorded check {check_id}",
                f"tidak ada pemeriksaan tercatat {check_id}",
            )
        approval = approval_of(s, check_id)
        rejection = s.get(CheckRejection, check_id)
        needed = needs_approval(store.config, row)
        if approval is not None:
            status = "approved"
        elif rejection is not None:
            status = "rejected"
        elif row.decision == "block":
            status = "blocked"
        else:
            status = "held" if needed else "not_needed"
        return {
            "id": row.id,
            "created_at": row.created_at.isoformat(),
            "account": row.account,
            "platform": row.platform,
            "kind": row.kind,
            "author": row.author,
            "decision": row.decision,
            "findings": row.findings,
            "text": row.text,
            "fingerprint": row.fingerprint,
            "needs_approval": needed,
            "status": status,
            "approval": None
            if approval is None
            else {
                "approved_by": approval.approved_by,
                "approved_at": approval.approved_at.isoformat() if approval.approved_at else None,
                "ledger_id": approval.id,
            },
            "rejection": None
            if rejection is None
            else {
                "rejected_by": rejection.rejected_by,
                "reason": rejection.reason,
                "rejected_at": rejection.rejected_at.isoformat(),
            },
        }


def get_check(call: Call) -> Any:
    return check_status(call.service.store, call.request.path_params["check_id"])


def approve_check(call: Call) -> Any:
    from smguard.security.approvals import approve

    check_id = call.request.path_params["check_id"]
    done = approve(
        call.service.store, check_id, approver=call.field("approver"), code=call.field("code")
    )
    return {
        "check_id": done.check_id,
        "account": done.account,
        "approved_by": done.approver,
        "ledger_id": done.ledger_id,
        "method": done.method,
        "approved_at": done.approved_at.isoformat(),
    }


def reject_check(call: Call) -> Any:
    from smguard.security.approvals import reject

    check_id = call.request.path_params["check_id"]
    done = reject(
        call.service.store,
        check_id,
        approver=call.field("approver"),
        code=call.field("code"),
        reason=call.field("reason"),
    )
    return {
        "check_id": done.check_id,
        "rejected_by": done.rejected_by,
        "reason": done.reason,
        "rejected_at": done.rejected_at.isoformat(),
    }


def rules(call: Call) -> Any:
    guard = call.service.guard
    enabled = {r.id for r in guard.rules}
    return {
        "rules": [
            {
                "id": r.id,
                "name": r.name,
                "category": r.category,
                "severity": r.severity.label,
                "languages": sorted(r.languages),
                "engine": r.engine,
                "status": r.status,
                "enabled": r.id in enabled,
            }
            for r in guard.all_rules
        ]
    }


# -- incidents and clarifications ---------------------------------------------------------------


def _int_param(call: Call, name: str) -> int:
    value = call.request.path_params[name]
    return int(value)


def list_incidents(call: Call) -> Any:
    from smguard.records.incidents import list_incidents as listing

    q = call.request.query_params
    status = q.get("status") or None
    limit = q.get("limit", "100")
    if not limit.isdigit():
        raise ApiError(400, "bad_input", "limit must be a number", "limit harus angka")
    found = listing(
        call.service.store,
        status=status,
        account=q.get("account") or None,
        limit=min(int(limit), 1000),
    )
    return {"incidents": [i.to_dict() for i in found]}


def get_incident(call: Call) -> Any:
    from smguard.records.incidents import get

    return get(call.service.store, _int_param(call, "incident_id")).to_dict()


def acknowledge_incident(call: Call) -> Any:
    from smguard.records.incidents import acknowledge

    note = call.field("note", required=False) or None
    done = acknowledge(
        call.service.store, _int_param(call, "incident_id"), actor=call.actor(), note=note
    )
    return done.to_dict()


def resolve_incident(call: Call) -> Any:
    from smguard.records.incidents import resolve

    done = resolve(
        call.service.store,
        _int_param(call, "incident_id"),
        actor=call.actor(),
        reason=call.field("reason"),
    )
    return done.to_dict()


def note_incident(call: Call) -> Any:
    from smguard.records.incidents import add_note

    done = add_note(
        call.service.store, _int_param(call, "incident_id"), call.field("text"), actor=call.actor()
    )
    return done.to_dict()


def list_clarifications(call: Call) -> Any:
    from smguard.records.clarify import list_clarifications as listing

    return {"clarifications": [c.to_dict() for c in listing(call.service.store)]}


def get_clarification(call: Call) -> Any:
    from smguard.records.clarify import get_clarification as one

    return one(call.service.store, _int_param(call, "clarification_id")).to_dict()


def draft_clarification(call: Call) -> Any:
    from smguard.records.clarify import draft

    incident = call.body.get("incident") if isinstance(call.body, dict) else None
    if not isinstance(incident, int):
        raise ApiError(
            400,
            "bad_input",
            'the body needs "incident" (the incident\'s number)',
            'badan permintaan perlu "incident" (nomor insiden)',
        )
    lang = call.field("lang", required=False) or None
    done = draft(
        call.service.store, incident, actor=call.actor(), lang=lang, guard=call.service.guard
    )
    return json_response(done.to_dict(), 201)


def edit_clarification(call: Call) -> Any:
    from smguard.records.clarify import edit

    return edit(
        call.service.store,
        _int_param(call, "clarification_id"),
        call.field("text"),
        actor=call.actor(),
        guard=call.service.guard,
    ).to_dict()


def approve_clarification(call: Call) -> Any:
    from smguard.records.clarify import approve

    cid = _int_param(call, "clarification_id")
    return approve(call.service.store, cid, actor=call.actor()).to_dict()


def publish_clarification(call: Call) -> Any:
    from smguard.records.clarify import publish

    return publish(
        call.service.store,
        _int_param(call, "clarification_id"),
        platform=call.field("platform"),
        ref=call.field("ref"),
        actor=call.actor(),
        account=call.field("account", required=False) or None,
    ).to_dict()


#: (method, path, scope, work): the API. openapi.py documents exactly these (a test compares).
ROUTES: list[tuple[str, str, str, Work]] = [
    ("POST", "/v1/check", "check", check),
    ("GET", "/v1/checks/{check_id}", "record|review", get_check),
    ("POST", "/v1/checks/{check_id}/approve", "review", approve_check),
    ("POST", "/v1/checks/{check_id}/reject", "review", reject_check),
    ("GET", "/v1/rules", "check", rules),
    ("GET", "/v1/incidents", "review", list_incidents),
    ("GET", "/v1/incidents/{incident_id:int}", "review", get_incident),
    ("POST", "/v1/incidents/{incident_id:int}/acknowledge", "review", acknowledge_incident),
    ("POST", "/v1/incidents/{incident_id:int}/resolve", "review", resolve_incident),
    ("POST", "/v1/incidents/{incident_id:int}/notes", "review", note_incident),
    ("GET", "/v1/clarifications", "review", list_clarifications),
    ("POST", "/v1/clarifications", "review", draft_clarification),
    ("GET", "/v1/clarifications/{clarification_id:int}", "review", get_clarification),
    ("POST", "/v1/clarifications/{clarification_id:int}/edit", "review", edit_clarification),
    ("POST", "/v1/clarifications/{clarification_id:int}/approve", "review", approve_clarification),
    ("POST", "/v1/clarifications/{clarification_id:int}/publish", "review", publish_clarification),
]
