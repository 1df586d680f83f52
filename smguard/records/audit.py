"""The audit log: append-only and hash-chained, so that an edit behind smguard's back shows.

Every state change appends an event *in the same transaction* as the change itself. Each event
stores the hash of the one before it; its own hash covers its sequence number, time, actor,
action, subject, details and that previous hash. ``smguard audit verify`` recomputes the chain and
names the first event that was changed, removed or put out of order; a one-row head table (locked
by every writer, so appends from many processes stay one chain) reveals a deleted tail.

Plugins observe events through the ``on_event`` hook, called after the transaction commits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.records.db import Database
from smguard.records.tables import AuditEvent, AuditHead, utcnow

__all__ = ["GENESIS", "AuditRecord", "VerifyResult", "append_event", "event_hash", "verify_chain"]

GENESIS = "0" * 64
AFTER_COMMIT = "smguard_after_commit"


@dataclass(frozen=True)
class AuditRecord:
    """An audit event as plugins see it (``on_event``)."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject: str | None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.action

    def properties(self) -> dict[str, Any]:
        return {"subject": self.subject, **self.details}


def _canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str | None,
    details: Mapping[str, Any],
    prev_hash: str,
) -> str:
    body = json.dumps(
        {
            "seq": seq,
            "at": _canonical_time(at),
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": details,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append_event(
    session: Session,
    action: str,
    *,
    actor: str,
    subject: str | None = None,
    details: Mapping[str, Any] | None = None,
    notify: Callable[[AuditRecord], None] | None = None,
) -> AuditRecord:
    """Append one event inside ``session``'s transaction (commits with the change it records).

    ``notify`` (usually the plugin manager's ``on_event``) is called after the commit.
    """
    # Store exactly what is hashed: JSON round-trip (tuples → lists, keys → text, …).
    clean: dict[str, Any] = json.loads(json.dumps(dict(details or {}), default=str))
    locked_head = select(AuditHead).where(AuditHead.id == 1).with_for_update()
    head = session.execute(locked_head).scalar_one()
    seq = head.seq + 1
    at = utcnow()
    digest = event_hash(seq, at, actor, action, subject, clean, head.hash)
    session.add(
        AuditEvent(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            details=clean,
            prev_hash=head.hash,
            hash=digest,
        )
    )
    head.seq = seq
    head.hash = digest
    session.flush()
    record = AuditRecord(seq, at, actor, action, subject, clean)
    if notify is not None:
        session.info.setdefault(AFTER_COMMIT, []).append(lambda: notify(record))
    return record


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None


def verify_chain(db: Database, batch: int = 2000) -> VerifyResult:
    """Recompute the whole chain; report the first event that does not hold."""
    expected_seq = 1
    prev = GENESIS
    checked = 0
    with db.session() as session:
        rows = session.execute(
            select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
        ).scalars()
        for ev in rows:
            if ev.seq != expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    f"event #{expected_seq} is missing (the next event is #{ev.seq})",
                    expected_seq,
                )
            if ev.prev_hash != prev:
                return VerifyResult(
                    False,
                    checked,
                    f"event #{ev.seq} does not follow event #{ev.seq - 1}: the chain is broken",
                    ev.seq,
                )
            digest = event_hash(
                ev.seq, ev.at, ev.actor, ev.action, ev.subject, ev.details, ev.prev_hash
            )
            if digest != ev.hash:
                return VerifyResult(
                    False,
                    checked,
                    f"event #{ev.seq} ({ev.action}, {_canonical_time(ev.at)}) was changed "
                    "after it was written",
                    ev.seq,
                )
            prev = ev.hash
            expected_seq += 1
            checked += 1
        head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    last = expected_seq - 1
    if head is None:
        return VerifyResult(False, checked, "the audit head record is missing", None)
    if head.seq != last or head.hash != prev:
        if head.seq > last:
            problem = f"events #{last + 1} to #{head.seq} are missing (deleted from the end)"
        else:
            problem = f"the audit head (#{head.seq}) does not match the last event (#{last})"
        return VerifyResult(False, checked, problem, last + 1)
    return VerifyResult(True, checked)
