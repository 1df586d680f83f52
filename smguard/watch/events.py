"""Event storage: each activity event stored once, and an account's history.

:func:`store_events` drops an id that is already stored (race-free on PostgreSQL through the
primary key and ``ON CONFLICT DO NOTHING``); :func:`recent_events` answers "what happened on this
account before?", newest first.

Crash safety: an event is stored with ``processed_at`` empty and marked (:func:`mark_processed`)
once the detectors have run over it. Events that a crashed process stored but never processed
(:func:`left_behind`) are picked up again by the next ``watch`` cycle or ``ingest`` of the
account, after :data:`PENDING_GRACE`, so that a run still in progress elsewhere is not doubled.

Engagement counts that the events carry are stored (or refreshed) alongside
(:mod:`.engagement`). The bottom of the watch: imports the records layer only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smguard.records.tables import ActivityEventRow, utcnow
from smguard.records.upsert import insert_for
from smguard.types import ActivityEvent
from smguard.watch.engagement import record_engagement

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "PENDING_GRACE",
    "insert_new_events",
    "left_behind",
    "mark_processed",
    "recent_events",
    "store_events",
]

#: Events stored this long ago and still not processed were left behind by a crashed run.
PENDING_GRACE = timedelta(minutes=5)
#: Rows per INSERT statement (SQLite allows 32,766 bound values; 19 columns × 500 stays below).
_CHUNK = 500
#: The table itself: a Core ``executemany`` sends each chunk as one multi-row INSERT.
_TABLE = ActivityEventRow.metadata.tables[ActivityEventRow.__tablename__]


def _row(event: ActivityEvent, now: datetime) -> dict[str, Any]:
    return {
        "id": event.id,
        "account": event.account,
        "platform": event.platform,
        "kind": event.kind,
        "at": event.at,
        "source": event.source,
        "actor": event.actor,
        "ip": event.ip,
        "device": event.device,
        "country": event.country,
        "city": event.city,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "text": event.text,
        "url": event.url,
        "links": list(event.links),
        "raw": dict(event.raw),
        "ingested_at": now,
        "processed_at": None,
    }


def _event(row: ActivityEventRow) -> ActivityEvent:
    return ActivityEvent(
        id=row.id,
        account=row.account,
        platform=row.platform,
        kind=row.kind,
        at=row.at,
        source=row.source,
        actor=row.actor,
        ip=row.ip,
        device=row.device,
        country=row.country,
        city=row.city,
        latitude=row.latitude,
        longitude=row.longitude,
        text=row.text,
        url=row.url,
        links=tuple(row.links or ()),
        raw=row.raw or {},
    )


def insert_new_events(session: Session, events: Iterable[ActivityEvent]) -> list[ActivityEvent]:
    """:func:`store_events` inside an open transaction."""
    unique: dict[str, ActivityEvent] = {}
    for event in events:
        unique.setdefault(event.id, event)
    if not unique:
        return []
    # Every post read again refreshes its engagement counts, though the event is stored once.
    record_engagement(session, unique.values())
    now = utcnow()
    batch = list(unique.values())
    if session.get_bind().dialect.name == "postgresql":
        inserted = _insert_postgresql(session, batch, now)
    else:
        stmt = (
            insert_for(session, _TABLE)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(ActivityEventRow.id)
        )
        inserted = set()
        for start in range(0, len(batch), _CHUNK):
            rows = [_row(e, now) for e in batch[start : start + _CHUNK]]
            inserted.update(session.execute(stmt, rows).scalars())
    return [e for e in batch if e.id in inserted]


_COLUMNS = tuple(_TABLE.columns.keys())
_JSON_COLUMNS = frozenset({"links", "raw"})
#: Rows per pipelined executemany on PostgreSQL (bounds the parameters held in memory).
_PG_CHUNK = 2000


def _insert_postgresql(session: Session, batch: Sequence[ActivityEvent], now: datetime) -> set[str]:
    """psycopg's pipelined ``executemany`` of one short prepared INSERT: the multi-row VALUES
    that SQLAlchemy renders costs psycopg more to parse in Python than the database to run."""
    from psycopg.types.json import Json

    sql = (
        f"INSERT INTO {ActivityEventRow.__tablename__} ({', '.join(_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) ON CONFLICT (id) DO NOTHING RETURNING id"
    )
    inserted: set[str] = set()
    driver = session.connection().connection.driver_connection
    assert driver is not None  # a live psycopg connection inside the session's transaction
    with driver.cursor() as cursor:
        for start in range(0, len(batch), _PG_CHUNK):
            params = []
            for event in batch[start : start + _PG_CHUNK]:
                row = _row(event, now)
                params.append(
                    tuple(Json(row[c]) if c in _JSON_COLUMNS else row[c] for c in _COLUMNS)
                )
            cursor.executemany(sql, params, returning=True)
            while True:
                inserted.update(r[0] for r in cursor.fetchall())
                if not cursor.nextset():
                    break
    return inserted


def store_events(
    store: Store, events: Sequence[ActivityEvent], *, session: Session | None = None
) -> list[ActivityEvent]:
    """Store ``events`` in one transaction; return only those not stored before, in order.

    Two processes storing the same event at once both succeed and exactly one of them gets it
    back as new. ``session``: use this open transaction instead of a new one.
    """
    if session is not None:
        return insert_new_events(session, events)
    with store.session() as own:
        return insert_new_events(own, events)


def recent_events(
    store: Store,
    account: str,
    *,
    kinds: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[ActivityEvent]:
    """The account's stored events, newest first: ``since`` <= at < ``until``, of ``kinds``."""
    query = select(ActivityEventRow).where(ActivityEventRow.account == account)
    if kinds is not None:
        query = query.where(ActivityEventRow.kind.in_(list(kinds)))
    if since is not None:
        query = query.where(ActivityEventRow.at >= since)
    if until is not None:
        query = query.where(ActivityEventRow.at < until)
    query = query.order_by(ActivityEventRow.at.desc(), ActivityEventRow.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with store.session() as session:
        return [_event(row) for row in session.scalars(query)]


def mark_processed(store: Store, ids: Sequence[str]) -> None:
    now = utcnow()
    with store.session() as session:
        for start in range(0, len(ids), _CHUNK):
            session.execute(
                update(ActivityEventRow)
                .where(ActivityEventRow.id.in_(ids[start : start + _CHUNK]))
                .values(processed_at=now)
            )


def left_behind(store: Store, account: str, limit: int = 5000) -> list[ActivityEvent]:
    """Events of ``account`` that a crashed run stored but never handed to the detectors."""
    cutoff = utcnow() - PENDING_GRACE
    query = (
        select(ActivityEventRow)
        .where(
            ActivityEventRow.account == account,
            ActivityEventRow.processed_at.is_(None),
            ActivityEventRow.ingested_at < cutoff,
        )
        .order_by(ActivityEventRow.at, ActivityEventRow.id)
        .limit(limit)
    )
    with store.session() as session:
        return [_event(row) for row in session.scalars(query)]
