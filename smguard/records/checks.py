"""The check log: what smguard was asked, and what it answered.

:func:`record_check` stores one verdict (``smguard check --record``): a content fingerprint
(:func:`smguard.guard.fingerprint.fingerprint`) and the findings always, the full text only when
``[storage] store_text = true`` — a check log is a privacy risk of its own, so by default it
cannot be read back into the posts (or the followers' messages) it was built from. A check whose
decision reaches ``[incidents] open_on`` (``"block"`` by default, ``"review"`` or ``"never"``)
opens a ``blocked_post`` incident in the same transaction.

What went out after the check is the publish ledger's business (:mod:`smguard.records.ledger`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from smguard.errors import InputError
from smguard.guard.fingerprint import fingerprint
from smguard.records.incidents import open_incident_in
from smguard.records.tables import CheckRecord, utcnow
from smguard.types import Finding, Post, Severity, Verdict, localized

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "RecordedCheck",
    "findings_record",
    "record_check",
    "record_checks",
    "verdict_record",
]


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
    keep_text = store.config.storage.store_text
    policy = store.config.incidents.open_on.lower()
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
