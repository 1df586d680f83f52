"""Engagement counts of live posts: stored once per post, refreshed on every reading.

Connectors put the platform's own counts of a post into its event's ``raw["engagement"]``::

    {"post_id": "1760…", "kind": "post", "published_at": "2026-05-04T12:03:00+00:00",
     "likes": 12, "reposts": 3, "replies": 1}

(``kind``: ``post``, ``reply`` or ``repost``; a count the platform does not give is ``null``).
:func:`record_engagement` writes them into ``post_engagement`` for every event of a batch — the
repeats too, since a post read again by the next poll or a newer archive brings newer counts,
even though the event itself is stored only once.

The bottom of the watch, beside :mod:`.events`: imports the records layer only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from smguard.records.tables import PostEngagement, utcnow
from smguard.records.upsert import insert_for
from smguard.types import ActivityEvent

__all__ = ["ENGAGEMENT_KINDS", "engagement_row", "record_engagement"]

ENGAGEMENT_KINDS = ("post", "reply", "repost")
_TABLE = PostEngagement.metadata.tables[PostEngagement.__tablename__]
_CHUNK = 500


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def engagement_row(event: ActivityEvent, now: datetime) -> dict[str, Any] | None:
    """The ``post_engagement`` row an event carries, or None (not a post, or no counts)."""
    data = event.raw.get("engagement") if event.kind == "post_published" else None
    if not isinstance(data, Mapping) or not data.get("post_id"):
        return None
    try:
        published = datetime.fromisoformat(str(data.get("published_at")))
    except ValueError:
        published = event.at
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    kind = data.get("kind")
    return {
        "account": event.account,
        "platform": event.platform,
        "post_id": str(data["post_id"])[:200],
        "kind": kind if kind in ENGAGEMENT_KINDS else "post",
        "published_at": published,
        "likes": _count(data.get("likes")),
        "reposts": _count(data.get("reposts")),
        "replies": _count(data.get("replies")),
        "counted_at": now,
        "event_id": event.id,
    }


def record_engagement(session: Session, events: Iterable[ActivityEvent]) -> int:
    """Insert or refresh the counts ``events`` carry, in ``session``; return how many rows."""
    now = utcnow()
    # The event, not its row, is kept per post: a row is built again when its chunk is written,
    # so a large ingest holds one chunk of rows rather than one for every post.
    latest: dict[tuple[str, str, str], ActivityEvent] = {}
    for event in events:
        row = engagement_row(event, now)
        if row is not None:
            # The last reading in a batch wins (an edit is read after the version it replaces).
            latest[(row["account"], row["platform"], row["post_id"])] = event
    if not latest:
        return 0
    stmt = insert_for(session, _TABLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=["account", "platform", "post_id"],
        set_={
            "kind": stmt.excluded.kind,
            "likes": stmt.excluded.likes,
            "reposts": stmt.excluded.reposts,
            "replies": stmt.excluded.replies,
            "counted_at": stmt.excluded.counted_at,
            "event_id": stmt.excluded.event_id,
        },
    )
    batch = list(latest.values())
    for start in range(0, len(batch), _CHUNK):
        rows = [engagement_row(e, now) for e in batch[start : start + _CHUNK]]
        session.execute(stmt, [r for r in rows if r is not None])
    return len(batch)
