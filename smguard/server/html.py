# ruff: noqa: E501  (the words table and the style sheet: one entry a line)
"""The review desk's HTML: one layout, the words in English and Indonesian, highlighted findings.

Everything is written by the server (no script, no asset from the internet), escaped on the way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["WORDS", "e", "form", "highlight", "page", "table", "words"]

WORDS: dict[str, dict[str, str]] = {
    "desk": {"en": "smguard review desk", "id": "Meja tinjauan smguard"},
    "sign_in": {"en": "Sign in", "id": "Masuk"},
    "sign_out": {"en": "Sign out", "id": "Keluar"},
    "admin": {"en": "Admin name", "id": "Nama admin"},
    "code": {"en": "Code from your authenticator app", "id": "Kode dari aplikasi autentikator"},
    "queue": {"en": "Held posts", "id": "Unggahan ditahan"},
    "incidents": {"en": "Incidents", "id": "Insiden"},
    "clarifications": {"en": "Clarifications", "id": "Klarifikasi"},
    "audit": {"en": "Audit and 2FA", "id": "Audit dan 2FA"},
    "report": {"en": "Weekly report", "id": "Laporan mingguan"},
    "signed_in_as": {"en": "Signed in as", "id": "Masuk sebagai"},
    "nothing_held": {"en": "Nothing is waiting for review.", "id": "Tidak ada yang menunggu tinjauan."},
    "author": {"en": "Author", "id": "Penulis"},
    "account": {"en": "Account", "id": "Akun"},
    "decision": {"en": "Decision", "id": "Keputusan"},
    "findings": {"en": "Findings", "id": "Temuan"},
    "text_not_kept": {
        "en": "The text was not stored ([storage] store_text = false): only the findings are shown.",
        "id": "Teks tidak disimpan ([storage] store_text = false): hanya temuan yang ditampilkan.",
    },
    "approve": {"en": "Approve", "id": "Setujui"},
    "reject": {"en": "Reject", "id": "Tolak"},
    "reason": {"en": "Reason", "id": "Alasan"},
    "your_code": {"en": "Your code", "id": "Kode Anda"},
    "approved": {"en": "Approved: check {id} by {who}, ledger entry {ledger}.", "id": "Disetujui: pemeriksaan {id} oleh {who}, entri ledger {ledger}."},
    "rejected": {"en": "Rejected: check {id}.", "id": "Ditolak: pemeriksaan {id}."},
    "status": {"en": "Status", "id": "Status"},
    "severity": {"en": "Severity", "id": "Tingkat"},
    "title": {"en": "Title", "id": "Judul"},
    "opened": {"en": "Opened", "id": "Dibuka"},
    "timeline": {"en": "Timeline", "id": "Linimasa"},
    "checklist": {"en": "Checklist", "id": "Daftar periksa"},
    "done": {"en": "Done", "id": "Selesai"},
    "mark_done": {"en": "Mark done", "id": "Tandai selesai"},
    "acknowledge": {"en": "Acknowledge", "id": "Akui"},
    "resolve": {"en": "Resolve", "id": "Selesaikan"},
    "note": {"en": "Note", "id": "Catatan"},
    "add_note": {"en": "Add note", "id": "Tambah catatan"},
    "draft_clarification": {"en": "Draft a clarification", "id": "Buat draf klarifikasi"},
    "language": {"en": "Language", "id": "Bahasa"},
    "versions": {"en": "Versions", "id": "Versi"},
    "verdict": {"en": "The guard's verdict", "id": "Penilaian guard"},
    "save_version": {"en": "Save as a new version", "id": "Simpan sebagai versi baru"},
    "mark_published": {"en": "Mark published", "id": "Tandai terbit"},
    "platform": {"en": "Platform", "id": "Platform"},
    "ref": {"en": "Link or post id", "id": "Tautan atau id unggahan"},
    "chain_ok": {"en": "The audit log's chain holds: {n} events checked.", "id": "Rantai log audit utuh: {n} peristiwa diperiksa."},
    "chain_broken": {"en": "The audit log's chain is BROKEN: {problem}", "id": "Rantai log audit RUSAK: {problem}"},
    "recent_events": {"en": "Recent events", "id": "Peristiwa terbaru"},
    "hygiene": {"en": "2FA hygiene", "id": "Kebersihan 2FA"},
    "critical": {"en": "critical", "id": "kritis"},
    "warning": {"en": "warning", "id": "peringatan"},
    "info": {"en": "info", "id": "info"},
    "none": {"en": "None.", "id": "Tidak ada."},
    "when": {"en": "When", "id": "Waktu"},
    "who": {"en": "Who", "id": "Siapa"},
    "what": {"en": "What", "id": "Apa"},
    "bad_csrf": {"en": "This form expired; open the page again.", "id": "Formulir ini kedaluwarsa; buka lagi halamannya."},
    "view": {"en": "Open", "id": "Buka"},
}  # fmt: skip

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f8}
header{background:#12355b;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header .who{margin-left:auto}
main{max-width:60rem;margin:1rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1rem;margin:0 0 1rem}
.post{white-space:pre-wrap;font-size:1.05rem;border-left:4px solid #12355b;padding-left:.6rem}
mark{background:#ffd54f;padding:0 .1rem;border-bottom:2px solid #c62828}
.flash{padding:.6rem 1rem;border-radius:6px;margin:0 0 1rem}
.ok{background:#e6f4ea}.bad{background:#fdecea}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.3rem;text-align:left;vertical-align:top}
form.inline{display:inline-flex;gap:.4rem;flex-wrap:wrap;align-items:center;margin:.3rem 0}
input,textarea,select,button{font:inherit}textarea{width:100%;min-height:8rem}
.critical{color:#b71c1c;font-weight:bold}.warning{color:#e65100}
"""  # fmt: skip


def words(lang: str) -> dict[str, str]:
    return {k: v.get(lang) or v["en"] for k, v in WORDS.items()}


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, *, lang: str, admin: str | None = None, csrf: str = "") -> str:
    w = words(lang)
    nav = ""
    if admin:
        links = [
            ("/desk/queue", w["queue"]),
            ("/desk/incidents", w["incidents"]),
            ("/desk/clarifications", w["clarifications"]),
            ("/desk/audit", w["audit"]),
            ("/desk/report", w["report"]),
        ]
        nav = " ".join(f'<a href="{href}">{e(label)}</a>' for href, label in links)
        other = "id" if lang == "en" else "en"
        nav += (
            f' <a href="/desk/lang/{other}">{"Bahasa Indonesia" if other == "id" else "English"}</a>'
            f'<span class="who">{e(w["signed_in_as"])} <b id="who">{e(admin)}</b></span>'
            + form("/desk/logout", csrf, f'<button type="submit">{e(w["sign_out"])}</button>')
        )
    return (
        f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} — smguard</title><style>{STYLE}</style></head>"
        f"<body><header><b>{e(w['desk'])}</b> {nav}</header><main><h1>{e(title)}</h1>"
        f"{body}</main></body></html>"
    )


def form(action: str, csrf: str, inner: str, *, cls: str = "inline") -> str:
    return (
        f'<form class="{cls}" method="post" action="{e(action)}">'
        f'<input type="hidden" name="csrf" value="{e(csrf)}">{inner}</form>'
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Cells are HTML already (escape them when building the rows)."""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def highlight(text: str, findings: Iterable[Mapping[str, Any]], lang: str) -> str:
    """``text`` with each finding's span marked (overlapping spans merged), escaped."""
    spans: list[tuple[int, int, str]] = []
    for f in findings:
        span = f.get("span")
        if not span or len(span) != 2:
            continue
        start, end = int(span[0]), int(span[1])
        if 0 <= start < end <= len(text):
            message = f.get("message") or {}
            label = (
                message.get(lang) or message.get("en") or "" if isinstance(message, dict) else ""
            )
            spans.append((start, end, f"{f.get('rule', '')}: {label}"))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), f"{last[2]}; {label}")
        else:
            merged.append((start, end, label))
    out: list[str] = []
    at = 0
    for start, end, label in merged:
        out.append(e(text[at:start]))
        out.append(f'<mark title="{e(label)}">{e(text[start:end])}</mark>')
        at = end
    out.append(e(text[at:]))
    return "".join(out)
