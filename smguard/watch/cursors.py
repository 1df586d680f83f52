"""Where polling left off: one cursor per account and connector, with a lease.

:func:`get_cursor` and :func:`set_cursor` keep a polling connector's cursor in the database;
:func:`claim_cursor` takes the account's lease, so that two ``smguard watch`` processes on one
PostgreSQL never poll the same account at once, and :func:`release_cursor` gives it back with the
cycle's outcome (the failures in a row).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from smguard.errors import SmguardError
from smguard.records.tables import WatchCursor, utcnow
from smguard.records.upsert import insert_for

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "CursorState",
    "LeaseLost",
    "claim_cursor",
    "get_cursor",
    "release_cursor",
    "set_cursor",
]


class LeaseLost(SmguardError):
    """Another watcher took the account over (this one held it past its lease)."""


@dataclass(frozen=True)
class CursorState:
    """An account's cursor row as one watcher claimed it."""

    cursor: Mapping[str, Any] | None
    failures: int
    last_error: str | None
    last_ok_at: datetime | None


def _ensure_row(session: Session, account: str, connector: str, now: datetime) -> None:
    session.execute(
        insert_for(session, WatchCursor)
        .values(account=account, connector=connector, cursor={}, updated_at=now, failures=0)
        .on_conflict_do_nothing(index_elements=["account", "connector"])
    )


def get_cursor(store: Store, account: str, connector: str) -> dict[str, Any] | None:
    """The saved cursor of ``account`` for ``connector`` (``None`` before its first poll)."""
    with store.session() as session:
        row = session.get(WatchCursor, (account, connector))
        return dict(row.cursor) if row is not None and row.cursor else None


def set_cursor(
    store: Store,
    account: str,
    connector: str,
    cursor: Mapping[str, Any],
    *,
    owner: str | None = None,
    lease_s: float | None = None,
    session: Session | None = None,
) -> None:
    """Save a cursor. With ``owner``, only while that watcher still holds the account's lease
    (renewed by ``lease_s``); otherwise :class:`LeaseLost` is raised and nothing is saved."""
    if session is None:
        with store.session() as own:
            set_cursor(store, account, connector, cursor, owner=owner, lease_s=lease_s, session=own)
        return
    now = utcnow()
    value = dict(cursor)
    if owner is None:
        session.execute(
            insert_for(session, WatchCursor)
            .values(account=account, connector=connector, cursor=value, updated_at=now, failures=0)
            .on_conflict_do_update(
                index_elements=["account", "connector"],
                set_={"cursor": value, "updated_at": now},
            )
        )
        return
    changes: dict[str, Any] = {"cursor": value, "updated_at": now}
    if lease_s is not None:
        changes["lease_until"] = now + timedelta(seconds=lease_s)
    done = session.execute(
        update(WatchCursor)
        .where(
            WatchCursor.account == account,
            WatchCursor.connector == connector,
            WatchCursor.lease_owner == owner,
            WatchCursor.lease_until >= now,
        )
        .values(**changes)
    )
    if getattr(done, "rowcount", 1) != 1:
        raise LeaseLost(
            f"{account}: another watcher took this account over; this one stops polling it"
        )


def claim_cursor(
    store: Store,
    account: str,
    connector: str,
    owner: str,
    *,
    lease_s: float,
    now: datetime | None = None,
) -> CursorState | None:
    """Take the account's lease for ``lease_s`` seconds; ``None`` while another watcher has it.

    One conditional UPDATE decides, so on PostgreSQL two watchers racing for an account end with
    one holder (the loser's update finds the lease taken once the winner commits).
    """
    at = now or utcnow()
    with store.session() as session:
        _ensure_row(session, account, connector, at)
        done = session.execute(
            update(WatchCursor)
            .where(
                WatchCursor.account == account,
                WatchCursor.connector == connector,
                or_(
                    WatchCursor.lease_until.is_(None),
                    WatchCursor.lease_until < at,
                    WatchCursor.lease_owner == owner,
                ),
            )
            .values(lease_owner=owner, lease_until=at + timedelta(seconds=lease_s))
        )
        if getattr(done, "rowcount", 0) != 1:
            return None
        row = session.get(WatchCursor, (account, connector))
        assert row is not None
        return CursorState(
            cursor=dict(row.cursor) if row.cursor else None,
            failures=row.failures,
            last_error=row.last_error,
            last_ok_at=row.last_ok_at,
        )


def release_cursor(
    store: Store,
    account: str,
    connector: str,
    owner: str,
    *,
    error: str | None = None,
    session: Session | None = None,
) -> int:
    """Give the lease back and record the cycle's outcome; returns failures in a row (0: ok)."""
    if session is None:
        with store.session() as own:
            return release_cursor(store, account, connector, owner, error=error, session=own)
    now = utcnow()
    row = session.get(WatchCursor, (account, connector))
    if row is None:
        return 0
    if error is None:
        changes: dict[str, Any] = {"failures": 0, "last_error": None, "last_ok_at": now}
    else:
        changes = {"failures": row.failures + 1, "last_error": error, "last_error_at": now}
    session.execute(
        update(WatchCursor)
        .where(
            and_(
                WatchCursor.account == account,
                WatchCursor.connector == connector,
                or_(WatchCursor.lease_owner == owner, WatchCursor.lease_owner.is_(None)),
            )
        )
        .values(lease_owner=None, lease_until=None, **changes)
    )
    return int(changes["failures"])
