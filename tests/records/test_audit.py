"""The audit log is hash-chained: edits, deletions and reordering behind smguard's back show."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from smguard.records.audit import AuditRecord, append_event, verify_chain


def fill(db: Any, n: int = 5) -> None:
    with db.session() as s:
        for i in range(n):
            append_event(s, "incident.opened", actor="watch", subject=f"incident:{i}",
                         details={"n": i, "ids": (1, 2), "text": "Kak, mohon maaf 🙏"})  # fmt: skip


def test_intact_chain_verifies(db: Any) -> None:
    fill(db)
    result = verify_chain(db)
    assert (result.ok, result.checked) == (True, 5)


def test_empty_chain_verifies(db: Any) -> None:
    assert verify_chain(db).ok


def test_edited_row_is_caught(db: Any) -> None:
    fill(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3"))
    result = verify_chain(db)
    assert not result.ok
    assert result.seq == 3
    assert "event #3" in str(result.problem) and "changed after it was written" in str(
        result.problem
    )


def test_edited_row_with_recomputed_hash_breaks_the_next_link(db: Any) -> None:
    from smguard.records.audit import event_hash

    fill(db)
    with db.engine.begin() as conn:
        row = conn.execute(text("SELECT seq, at, actor, action, subject, details, prev_hash "
                                "FROM audit_events WHERE seq = 2")).one()  # fmt: skip
    from smguard.records.tables import AuditEvent

    with db.session() as s:
        ev = s.get(AuditEvent, 2)
        ev.subject = "forged"
        ev.hash = event_hash(
            ev.seq, ev.at, ev.actor, ev.action, "forged", ev.details, row.prev_hash
        )
    result = verify_chain(db)
    assert not result.ok and result.seq == 3
    assert "does not follow event #2" in str(result.problem)


def test_deleted_row_in_the_middle_is_caught(db: Any) -> None:
    fill(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    result = verify_chain(db)
    assert not result.ok
    assert result.problem == "event #2 is missing (the next event is #3)"


def test_deleted_tail_is_caught(db: Any) -> None:
    fill(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq >= 4"))
    result = verify_chain(db)
    assert not result.ok
    assert result.problem == "events #4 to #5 are missing (deleted from the end)"


def test_rolled_back_events_leave_no_trace_and_are_not_observed(db: Any) -> None:
    seen: list[AuditRecord] = []
    try:
        with db.session() as s:
            append_event(s, "check.recorded", actor="api", notify=seen.append)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert seen == []
    with db.session() as s:
        append_event(s, "check.recorded", actor="api", notify=seen.append)
    assert [e.seq for e in seen] == [1]
    assert verify_chain(db).ok


def _rewrite_whole_chain(db: Any, seq: int, subject: str) -> None:
    """What an attacker with write access does: change an event and recompute every hash."""
    from sqlalchemy import select

    from smguard.records.audit import GENESIS, event_hash
    from smguard.records.tables import AuditEvent, AuditHead

    with db.session() as s:
        prev = GENESIS
        for ev in s.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
            if ev.seq == seq:
                ev.subject = subject
            ev.prev_hash = prev
            ev.hash = event_hash(ev.seq, ev.at, ev.actor, ev.action, ev.subject, ev.details, prev)
            prev = ev.hash
        head = s.get(AuditHead, 1)
        head.hash = prev


def test_a_rewritten_chain_is_caught_by_a_checkpoint_kept_outside(db: Any) -> None:
    """Issue 12: anyone who can write to the database could forge the whole chain."""
    import dataclasses

    from smguard.records.audit import parse_checkpoints, take_checkpoint, verify_checkpoints

    key = b"k" * 32
    fill(db)
    point = take_checkpoint(db, key)
    assert point.seq == 5 and point.mac is not None
    points = parse_checkpoints(point.line() + "\n", "cp")
    assert verify_checkpoints(db, points, key) is None
    fill(db, 2)  # later events do not disturb an earlier checkpoint
    assert verify_checkpoints(db, points, key) is None
    _rewrite_whole_chain(db, 2, "forged")
    assert verify_chain(db).ok  # the chain alone cannot tell
    failed = verify_checkpoints(db, points, key)
    assert failed is not None and failed.seq == 5
    assert "event #5 differs from its checkpoint" in str(failed.problem)
    # A checkpoint file the attacker rewrote to match is caught by its signature.
    forged = take_checkpoint(db, None)
    assert verify_checkpoints(db, [forged], None) is None  # without a key: only the file's safety
    bad = verify_checkpoints(db, [dataclasses.replace(forged, mac="0" * 64)], key)
    assert bad is not None and "not signed with SMGUARD_AUDIT_KEY" in str(bad.problem)
