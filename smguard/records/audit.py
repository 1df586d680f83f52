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
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.records.db import Database
from smguard.records.tables import AuditEvent, AuditHead, utcnow

__all__ = [
    "GENESIS",
    "AuditRecord",
    "Checkpoint",
    "VerifyResult",
    "append_event",
    "event_hash",
    "parse_checkpoints",
    "take_checkpoint",
    "verify_chain",
    "verify_checkpoints",
]

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


# -- checkpoints of the chain's head, kept outside the database ---------------------------------
#
# The chain alone shows edits made behind smguard's back, but not a rewrite: whoever can write to
# the database can recompute every hash. A checkpoint is the head (sequence number and hash) at a
# moment, written somewhere the database's writers cannot reach (a file on another machine, an
# append-only bucket, a ticket). A rewrite that changes any event up to a checkpoint changes the
# hash of the checkpointed event, and `smguard audit verify --checkpoints FILE` says so. With
# SMGUARD_AUDIT_KEY set, each checkpoint carries an HMAC, so a forged checkpoint file is caught
# too, as long as the key stays outside the attacker's reach.


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    mac: str | None = None

    def signed_text(self) -> str:
        return f"smguard-audit-checkpoint|{self.seq}|{self.hash}|{self.at}"

    def line(self) -> str:
        body: dict[str, Any] = {"seq": self.seq, "hash": self.hash, "at": self.at}
        if self.mac is not None:
            body["mac"] = self.mac
        return json.dumps(body, sort_keys=True)


def _mac(key: bytes, checkpoint: Checkpoint) -> str:
    return hmac.new(key, checkpoint.signed_text().encode(), hashlib.sha256).hexdigest()


def take_checkpoint(db: Database, key: bytes | None) -> Checkpoint:
    """The chain's head now, signed with ``key`` when one is given."""
    with db.session() as session:
        head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
        point = Checkpoint(head.seq, head.hash, _canonical_time(utcnow()))
    return point if key is None else replace(point, mac=_mac(key, point))


def parse_checkpoints(text: str, where: str) -> list[Checkpoint]:
    """Checkpoint lines as written by :meth:`Checkpoint.line`; a bad line is a ValueError."""
    points: list[Checkpoint] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            mac = data.get("mac")
            point = Checkpoint(int(data["seq"]), str(data["hash"]), str(data["at"]), mac)
            if mac is not None and not isinstance(mac, str):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValueError(f"{where} line {number}: not a checkpoint") from None
        points.append(point)
    return points


def verify_checkpoints(
    db: Database, points: list[Checkpoint], key: bytes | None
) -> VerifyResult | None:
    """The first checkpoint the database no longer matches, as a failed result; else None.

    With ``key``, an unsigned checkpoint or one whose HMAC does not match is refused too.
    """
    with db.session() as session:
        for point in points:
            if key is not None and (
                point.mac is None or not hmac.compare_digest(point.mac, _mac(key, point))
            ):
                return VerifyResult(
                    False,
                    0,
                    f"the checkpoint of event #{point.seq} ({point.at}) is not signed with "
                    "SMGUARD_AUDIT_KEY: the checkpoint file was altered",
                    point.seq,
                )
            row = session.execute(
                select(AuditEvent.hash).where(AuditEvent.seq == point.seq)
            ).scalar_one_or_none()
            if row is None:
                return VerifyResult(
                    False, 0, f"event #{point.seq}, checkpointed at {point.at}, is gone", point.seq
                )
            if row != point.hash:
                return VerifyResult(
                    False,
                    0,
                    f"event #{point.seq} differs from its checkpoint of {point.at}: the chain "
                    "was rewritten",
                    point.seq,
                )
    return None
