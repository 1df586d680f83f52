"""The review desk: pages for people, served by the same app under ``/desk``.

* **Sign-in** per admin with their own TOTP code (or a backup code), through the same check as
  the CLI (:func:`smguard.security.second_factor.verify`): wrong codes count, and
  ``[security] lockout_after`` of them lock the admin out for ``lockout_minutes``. A session is a
  random cookie (HttpOnly, SameSite=Strict, Secure unless ``[server] secure_cookies = false``);
  the database keeps only its hash, with the session's CSRF token, so any worker can serve it.
* Every form carries the CSRF token; a form without the right one changes nothing.
* **Held posts**: checks that need a second person, the findings marked in the text; approve
  or reject with the admin's code (:mod:`smguard.security.approvals`: not the author, approver
  role, own TOTP; a reason to reject).
* **Incidents** with their timeline and checklist; acknowledge, tick a checklist step (a note
  on the timeline), resolve. **Clarifications**: draft from the template, edit (each version
  with the guard's verdict), approve, mark published.
* **Audit and 2FA**: whether the audit log's chain holds, its latest events, the 2FA hygiene
  summary. **Weekly report**: last week's, from :mod:`smguard.reports`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from smguard.errors import SmguardError
from smguard.records.tables import (
    AuditEvent,
    CheckRecord,
    CheckRejection,
    DeskSession,
    LedgerEntry,
    utcnow,
)
from smguard.server.html import e, form, highlight, page, table, words
from smguard.server.service import Service

__all__ = ["desk_routes"]

COOKIE = "smguard_desk"
LOGIN_COOKIE = "smguard_login"
MAX_FORM_BYTES = 64 * 1024


class Desk:
    """One request to the desk: the service, the session, the language."""

    def __init__(self, request: Request, session: DeskSession | None) -> None:
        self.request = request
        self.service: Service = request.app.state.service
        self.session = session
        lang = session.lang if session else request.query_params.get("lang", "")
        self.lang = lang if lang in ("en", "id") else str(self.service.config.guard.ui_language)
        self.w = words(self.lang)

    @property
    def admin(self) -> str:
        assert self.session is not None
        return self.session.admin

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""

    def page(self, title: str, body: str, status: int = 200) -> HTMLResponse:
        html = page(
            title,
            body,
            lang=self.lang,
            admin=self.session.admin if self.session else None,
            csrf=self.csrf,
        )
        return HTMLResponse(html, status, headers=_SECURITY_HEADERS)

    def flash(self) -> str:
        ok = self.request.query_params.get("ok")
        bad = self.request.query_params.get("error")
        out = ""
        if ok:
            out += f'<div class="flash ok" role="status">{e(ok)}</div>'
        if bad:
            out += f'<div class="flash bad" role="alert">{e(bad)}</div>'
        return out


_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _load_session(service: Service, cookie: str | None) -> DeskSession | None:
    if not cookie:
        return None
    with service.store.session() as s:
        row = s.get(DeskSession, _digest(cookie))
        if row is None:
            return None
        if row.expires_at <= utcnow():
            s.delete(row)
            return None
        s.expunge(row)
        return row


def _back(path: str, *, ok: str | None = None, error: str | None = None) -> RedirectResponse:
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in {"ok": ok, "error": error}.items() if v})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


Handler = Callable[[Desk, dict[str, str]], Response]


def _page(handler: Handler, *, signed_in: bool = True) -> Callable[[Request], Awaitable[Response]]:
    """A desk endpoint: session (or the sign-in page), CSRF on POST, the work in a thread."""

    async def endpoint(request: Request) -> Response:
        service: Service = request.app.state.service
        session = await run_in_threadpool(_load_session, service, request.cookies.get(COOKIE))
        if signed_in and session is None:
            return RedirectResponse("/desk/login", status_code=303)
        desk = Desk(request, session)
        fields: dict[str, str] = {}
        if request.method == "POST":
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > MAX_FORM_BYTES:
                return desk.page("413", "", 413)
            data = await request.form()
            fields = {k: v for k, v in data.items() if isinstance(v, str)}
            expected = session.csrf if session else request.cookies.get(LOGIN_COOKIE, "")
            given = fields.get("csrf", "")
            if not expected or not hmac.compare_digest(expected, given):
                return desk.page(desk.w["bad_csrf"], "", 403)
        try:
            return await run_in_threadpool(handler, desk, fields)
        except SmguardError as exc:
            path = request.headers.get("referer", "") or request.url.path
            from urllib.parse import urlsplit

            return _back(urlsplit(path).path, error=exc.text(desk.lang))

    return endpoint


# -- signing in ----------------------------------------------------------------------------------


def login_form(desk: Desk, fields: dict[str, str]) -> Response:
    token = secrets.token_urlsafe(24)
    w = desk.w
    body = desk.flash() + form(
        "/desk/login",
        token,
        f'<label>{e(w["admin"])} <input name="admin" id="admin" autocomplete="username" required>'
        f'</label><label>{e(w["code"])} <input name="code" id="code" inputmode="numeric" '
        f'autocomplete="one-time-code" required></label>'
        f'<input type="hidden" name="lang" value="{e(desk.lang)}">'
        f'<button type="submit" id="sign-in">{e(w["sign_in"])}</button>',
        cls="card",
    )
    other = "id" if desk.lang == "en" else "en"
    label = "Bahasa Indonesia" if other == "id" else "English"
    body += f'<p><a href="/desk/login?lang={other}">{label}</a></p>'
    response = desk.page(w["sign_in"], body)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=desk.service.settings.secure_cookies,
        path="/desk/login",
    )
    return response


def login(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.security.second_factor import verify

    service = desk.service
    name = fields.get("admin", "").strip()
    lang = fields.get("lang", "en") if fields.get("lang") in ("en", "id") else desk.lang
    try:
        verify(service.store, name, fields.get("code", ""), purpose="desk.sign_in")
    except SmguardError as exc:
        return _back(f"/desk/login?lang={lang}".split("?")[0], error=exc.text(lang))
    cookie = secrets.token_urlsafe(32)
    now = utcnow()
    with service.store.session() as s:
        s.execute(delete(DeskSession).where(DeskSession.expires_at <= now))
        s.add(
            DeskSession(
                id_hash=_digest(cookie),
                admin=name,
                csrf=secrets.token_urlsafe(24),
                lang=lang,
                created_at=now,
                expires_at=now + timedelta(minutes=service.settings.session_minutes),
            )
        )
        service.store.audit(s, "desk.signed_in", actor=name, subject=f"admin:{name}")
    response = RedirectResponse("/desk/queue", status_code=303)
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=service.settings.session_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=service.settings.secure_cookies,
        path="/desk",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/desk/login")
    return response


def logout(desk: Desk, fields: dict[str, str]) -> Response:
    store = desk.service.store
    assert desk.session is not None
    with store.session() as s:
        s.execute(delete(DeskSession).where(DeskSession.id_hash == desk.session.id_hash))
        store.audit(s, "desk.signed_out", actor=desk.admin, subject=f"admin:{desk.admin}")
    response = RedirectResponse("/desk/login", status_code=303)
    response.delete_cookie(COOKIE, path="/desk")
    return response


def set_language(desk: Desk, fields: dict[str, str]) -> Response:
    lang = desk.request.path_params["lang"]
    if lang in ("en", "id") and desk.session is not None:
        with desk.service.store.session() as s:
            row = s.get(DeskSession, desk.session.id_hash)
            if row is not None:
                row.lang = lang
    back = desk.request.headers.get("referer") or "/desk/queue"
    from urllib.parse import urlsplit

    return RedirectResponse(urlsplit(back).path or "/desk/queue", status_code=303)


# -- held posts ----------------------------------------------------------------------------------


def held_checks(desk: Desk) -> list[CheckRecord]:
    from smguard.records.approvals import needs_approval

    store = desk.service.store
    with store.session() as s:
        approved = select(LedgerEntry.check_id).where(
            LedgerEntry.check_id.is_not(None), LedgerEntry.approved_at.is_not(None)
        )
        rejected = select(CheckRejection.check_id)
        rows = s.execute(
            select(CheckRecord)
            .where(
                CheckRecord.decision != "block",
                CheckRecord.id.not_in(approved),
                CheckRecord.id.not_in(rejected),
            )
            .order_by(CheckRecord.created_at.desc())
            .limit(200)
        ).scalars()
        return [r for r in rows if needs_approval(store.config, r)]


def _findings_list(findings: list[Any], lang: str) -> str:
    items = []
    for f in findings:
        message = f.get("message") or {}
        text = message.get(lang) or message.get("en") or ""
        items.append(
            f"<li><b>{e(f.get('rule'))}</b> ({e(f.get('category'))}, {e(f.get('severity'))}): "
            f"{e(text)}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def queue(desk: Desk, fields: dict[str, str]) -> Response:
    w = desk.w
    cards = []
    for check in held_checks(desk):
        if check.text is not None:
            shown = f'<div class="post">{highlight(check.text, check.findings, desk.lang)}</div>'
        else:
            shown = f"<p><i>{e(w['text_not_kept'])}</i></p>"
        approve_form = form(
            f"/desk/checks/{check.id}/approve",
            desk.csrf,
            f'<label>{e(w["your_code"])} <input name="code" class="code" inputmode="numeric" '
            f'required></label><button type="submit" class="approve">{e(w["approve"])}</button>',
        )
        reject_form = form(
            f"/desk/checks/{check.id}/reject",
            desk.csrf,
            f'<label>{e(w["reason"])} <input name="reason" class="reason" required></label>'
            f'<label>{e(w["your_code"])} <input name="code" class="code" inputmode="numeric" '
            f'required></label><button type="submit" class="reject">{e(w["reject"])}</button>',
        )
        cards.append(
            f'<section class="card held" id="check-{e(check.id)}">'
            f"<p>{e(w['account'])}: <b>{e(check.account)}</b> · {e(w['author'])}: "
            f"<b>{e(check.author)}</b> · {e(w['decision'])}: <b>{e(check.decision)}</b> · "
            f"<small>{e(check.id)}</small></p>{shown}"
            f"<h3>{e(w['findings'])}</h3>{_findings_list(check.findings, desk.lang)}"
            f"{approve_form}{reject_form}</section>"
        )
    body = desk.flash() + ("".join(cards) or f"<p>{e(w['nothing_held'])}</p>")
    return desk.page(w["queue"], body)


def approve_check(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.security.approvals import approve

    check_id = desk.request.path_params["check_id"]
    done = approve(desk.service.store, check_id, approver=desk.admin, code=fields.get("code", ""))
    message = desk.w["approved"].format(id=done.check_id, who=done.approver, ledger=done.ledger_id)
    return _back("/desk/queue", ok=message)


def reject_check(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.security.approvals import reject

    check_id = desk.request.path_params["check_id"]
    done = reject(
        desk.service.store,
        check_id,
        approver=desk.admin,
        code=fields.get("code", ""),
        reason=fields.get("reason", ""),
    )
    return _back("/desk/queue", ok=desk.w["rejected"].format(id=done.check_id))


# -- incidents -----------------------------------------------------------------------------------


def incidents(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.incidents import list_incidents

    w = desk.w
    status = desk.request.query_params.get("status") or None
    rows = [
        (
            f'<a href="/desk/incidents/{i.id}">#{i.id}</a>',
            e(i.status),
            e(i.severity),
            e(i.title),
            e(i.account),
            e(i.created_at.strftime("%Y-%m-%d %H:%M UTC")),
        )
        for i in list_incidents(desk.service.store, status=status, limit=200)
    ]
    headers = ["#", w["status"], w["severity"], w["title"], w["account"], w["opened"]]
    body = desk.flash() + (table(headers, rows) if rows else f"<p>{e(w['none'])}</p>")
    return desk.page(w["incidents"], body)


def _checklist(incident: Any, lang: str) -> list[str]:
    steps = (incident.evidence or {}).get("containment") or {}
    chosen = steps.get(lang) or steps.get("en") or []
    return [str(s) for s in chosen]


def incident_page(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.incidents import get

    w = desk.w
    number = int(desk.request.path_params["incident_id"])
    incident = get(desk.service.store, number)
    done_steps = {n.text[2:] for n in incident.notes if n.text.startswith("✓ ")}
    parts = [
        desk.flash(),
        f'<section class="card"><p>{e(w["status"])}: <b id="status">{e(incident.status)}</b> · '
        f"{e(w['severity'])}: {e(incident.severity)} · {e(w['account'])}: {e(incident.account)}"
        f"</p><p>{e(incident.title)}</p>",
    ]
    if incident.status == "open":
        parts.append(
            form(
                f"/desk/incidents/{number}/acknowledge",
                desk.csrf,
                f'<label>{e(w["note"])} <input name="note"></label>'
                f'<button type="submit" id="acknowledge">{e(w["acknowledge"])}</button>',
            )
        )
    if incident.status != "resolved":
        parts.append(
            form(
                f"/desk/incidents/{number}/resolve",
                desk.csrf,
                f'<label>{e(w["reason"])} <input name="reason" id="resolve-reason" required>'
                f'</label><button type="submit" id="resolve">{e(w["resolve"])}</button>',
            )
        )
        parts.append(
            form(
                f"/desk/incidents/{number}/notes",
                desk.csrf,
                f'<label>{e(w["note"])} <input name="text" required></label>'
                f'<button type="submit">{e(w["add_note"])}</button>',
            )
        )
    parts.append("</section>")
    steps = _checklist(incident, desk.lang)
    if steps:
        items = []
        for step in steps:
            if step in done_steps:
                items.append(f'<li class="done">✓ {e(step)}</li>')
            else:
                tick = form(
                    f"/desk/incidents/{number}/notes",
                    desk.csrf,
                    f'<input type="hidden" name="text" value="{e("✓ " + step)}">'
                    f'<button type="submit">{e(w["mark_done"])}</button>',
                )
                items.append(f"<li>{e(step)} {tick}</li>")
        parts.append(
            f'<section class="card"><h2>{e(w["checklist"])}</h2><ul>{"".join(items)}</ul></section>'
        )
    timeline = [
        (e(n.at.strftime("%Y-%m-%d %H:%M UTC")), e(n.actor), e(n.kind), e(n.text))
        for n in incident.notes
    ]
    parts.append(
        f'<section class="card" id="timeline"><h2>{e(w["timeline"])}</h2>'
        + table([w["when"], w["who"], w["what"], w["note"]], timeline)
        + "</section>"
    )
    if True:  # a clarification may follow a resolved incident too
        parts.append(
            form(
                "/desk/clarifications",
                desk.csrf,
                f'<input type="hidden" name="incident" value="{number}">'
                f'<label>{e(w["language"])} <select name="lang"><option>id</option>'
                f"<option>en</option></select></label>"
                f'<button type="submit">{e(w["draft_clarification"])}</button>',
            )
        )
    return desk.page(f"#{number} {incident.kind}", "".join(parts))


def acknowledge(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.incidents import acknowledge as ack

    number = int(desk.request.path_params["incident_id"])
    ack(desk.service.store, number, actor=desk.admin, note=fields.get("note") or None)
    return _back(f"/desk/incidents/{number}")


def resolve(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.incidents import resolve as done

    number = int(desk.request.path_params["incident_id"])
    done(desk.service.store, number, actor=desk.admin, reason=fields.get("reason", ""))
    return _back(f"/desk/incidents/{number}")


def note(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.incidents import add_note

    number = int(desk.request.path_params["incident_id"])
    add_note(desk.service.store, number, fields.get("text", ""), actor=desk.admin)
    return _back(f"/desk/incidents/{number}")


# -- clarifications ------------------------------------------------------------------------------


def clarifications(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.clarify import list_clarifications

    w = desk.w
    rows = [
        (
            f'<a href="/desk/clarifications/{c.id}">#{c.id}</a>',
            f'<a href="/desk/incidents/{c.incident_id}">#{c.incident_id}</a>',
            e(c.status),
            e(c.language),
            e(c.latest.decision),
        )
        for c in list_clarifications(desk.service.store)
    ]
    headers = ["#", w["incidents"], w["status"], w["language"], w["verdict"]]
    return desk.page(
        w["clarifications"],
        desk.flash() + (table(headers, rows) if rows else f"<p>{e(w['none'])}</p>"),
    )


def draft(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.clarify import draft as make

    incident = fields.get("incident", "")
    if not incident.isdigit():
        return _back("/desk/incidents")
    lang = fields.get("lang") if fields.get("lang") in ("en", "id") else None
    made = make(
        desk.service.store, int(incident), actor=desk.admin, lang=lang, guard=desk.service.guard
    )
    return _back(f"/desk/clarifications/{made.id}")


def clarification_page(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.clarify import get_clarification

    w = desk.w
    cid = int(desk.request.path_params["clarification_id"])
    c = get_clarification(desk.service.store, cid)
    latest = c.latest
    findings = list(latest.verdict.get("findings") or [])
    parts = [
        desk.flash(),
        f'<section class="card"><p>{e(w["status"])}: <b id="status">{e(c.status)}</b> · '
        f'<a href="/desk/incidents/{c.incident_id}">#{c.incident_id}</a> · {e(c.language)}</p>'
        f"<h2>{e(w['verdict'])}: {e(latest.decision)}</h2>"
        f'<div class="post">{highlight(latest.text, findings, desk.lang)}</div>'
        f"{_findings_list(findings, desk.lang) if findings else ''}</section>",
    ]
    if c.status != "published":
        parts.append(
            form(
                f"/desk/clarifications/{cid}/edit",
                desk.csrf,
                f'<textarea name="text" id="text">{e(latest.text)}</textarea>'
                f'<button type="submit" id="save">{e(w["save_version"])}</button>',
                cls="card",
            )
        )
    if c.status == "draft":
        parts.append(
            form(
                f"/desk/clarifications/{cid}/approve",
                desk.csrf,
                f'<button type="submit" id="approve">{e(w["approve"])}</button>',
            )
        )
    if c.status == "approved":
        parts.append(
            form(
                f"/desk/clarifications/{cid}/publish",
                desk.csrf,
                f'<label>{e(w["platform"])} <input name="platform" required></label>'
                f'<label>{e(w["ref"])} <input name="ref" required></label>'
                f'<button type="submit" id="publish">{e(w["mark_published"])}</button>',
            )
        )
    rows = [
        (str(v.version), e(v.author), e(v.created_at.strftime("%Y-%m-%d %H:%M UTC")), e(v.decision))
        for v in c.versions
    ]
    parts.append(
        f'<section class="card"><h2>{e(w["versions"])}</h2>'
        + table(["#", w["who"], w["when"], w["verdict"]], rows)
        + "</section>"
    )
    return desk.page(f"{w['clarifications']} #{cid}", "".join(parts))


def edit(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.clarify import edit as change

    cid = int(desk.request.path_params["clarification_id"])
    change(
        desk.service.store, cid, fields.get("text", ""), actor=desk.admin, guard=desk.service.guard
    )
    return _back(f"/desk/clarifications/{cid}")


def approve_clarification(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.clarify import approve

    cid = int(desk.request.path_params["clarification_id"])
    approve(desk.service.store, cid, actor=desk.admin)
    return _back(f"/desk/clarifications/{cid}")


def publish(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.clarify import publish as done

    cid = int(desk.request.path_params["clarification_id"])
    done(
        desk.service.store,
        cid,
        platform=fields.get("platform", ""),
        ref=fields.get("ref", ""),
        actor=desk.admin,
    )
    return _back(f"/desk/clarifications/{cid}")


# -- audit, 2FA, report --------------------------------------------------------------------------


def audit(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.records.audit import verify_chain
    from smguard.security.hygiene import run_audit

    w = desk.w
    store = desk.service.store
    chain = verify_chain(store.db)
    if chain.ok:
        state = f'<div class="flash ok" id="chain">{e(w["chain_ok"].format(n=chain.checked))}</div>'
    else:
        broken = w["chain_broken"].format(problem=chain.problem)
        state = f'<div class="flash bad" id="chain">{e(broken)}</div>'
    with store.session() as s:
        events = list(
            s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(50)).scalars()
        )
    rows = [
        (
            str(ev.seq),
            e(ev.at.strftime("%Y-%m-%d %H:%M:%S UTC")),
            e(ev.actor),
            e(ev.action),
            e(ev.subject),
        )
        for ev in events
    ]
    report = run_audit(store, open_incidents=False)
    counts = report.counts()
    summary = " · ".join(f'<span class="{k}">{e(w[k])}: {v}</span>' for k, v in counts.items())
    hygiene = "".join(
        f'<li class="{e(f.severity)}">{e(f.severity)}: '
        f"{e(f.message.get(desk.lang) or f.message['en'])}</li>"
        for f in report.findings
        if f.severity != "info"
    )
    body = (
        state
        + f'<section class="card" id="hygiene"><h2>{e(w["hygiene"])}</h2>'
        + f"<p>{summary}</p><ul>{hygiene}</ul></section>"
        + f'<section class="card"><h2>{e(w["recent_events"])}</h2>'
        + table(["#", w["when"], w["who"], w["what"], ""], rows)
        + "</section>"
    )
    return desk.page(w["audit"], body)


def report(desk: Desk, fields: dict[str, str]) -> Response:
    from smguard.reports import build_report, render_text
    from smguard.reports.period import previous_period

    store = desk.service.store
    zone = store.config.reports.timezone or store.config.guard.timezone
    period = previous_period("week", utcnow(), zone)
    built = build_report(store, period)
    try:
        from smguard.reports.page import report_body, report_head

        head = report_head(desk.lang)
        body = report_body(built, desk.lang)
    except SmguardError:  # no plotly (the reports extra): the text report
        head = ""
        body = f"<pre>{e(render_text(built, desk.lang))}</pre>"
    html = bytes(desk.page(desk.w["report"], "<!--report-->").body).decode("utf-8")
    html = html.replace("</head>", head + "</head>", 1).replace("<!--report-->", body, 1)
    return HTMLResponse(html, headers=_SECURITY_HEADERS)


def home(desk: Desk, fields: dict[str, str]) -> Response:
    return RedirectResponse("/desk/queue", status_code=303)


def desk_routes() -> list[BaseRoute]:
    get, post = ["GET"], ["POST"]
    return [
        Route("/desk", _page(home), methods=get),
        Route("/desk/login", _page(login_form, signed_in=False), methods=get),
        Route("/desk/login", _page(login, signed_in=False), methods=post),
        Route("/desk/logout", _page(logout), methods=post),
        Route("/desk/lang/{lang}", _page(set_language), methods=get),
        Route("/desk/queue", _page(queue), methods=get),
        Route("/desk/checks/{check_id}/approve", _page(approve_check), methods=post),
        Route("/desk/checks/{check_id}/reject", _page(reject_check), methods=post),
        Route("/desk/incidents", _page(incidents), methods=get),
        Route("/desk/incidents/{incident_id:int}", _page(incident_page), methods=get),
        Route("/desk/incidents/{incident_id:int}/acknowledge", _page(acknowledge), methods=post),
        Route("/desk/incidents/{incident_id:int}/resolve", _page(resolve), methods=post),
        Route("/desk/incidents/{incident_id:int}/notes", _page(note), methods=post),
        Route("/desk/clarifications", _page(clarifications), methods=get),
        Route("/desk/clarifications", _page(draft), methods=post),
        Route(
            "/desk/clarifications/{clarification_id:int}", _page(clarification_page), methods=get
        ),
        Route("/desk/clarifications/{clarification_id:int}/edit", _page(edit), methods=post),
        Route(
            "/desk/clarifications/{clarification_id:int}/approve",
            _page(approve_clarification),
            methods=post,
        ),
        Route("/desk/clarifications/{clarification_id:int}/publish", _page(publish), methods=post),
        Route("/desk/audit", _page(audit), methods=get),
        Route("/desk/report", _page(report), methods=get),
    ]
