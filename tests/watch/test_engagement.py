"""Engagement counts stored once per post and refreshed by every later reading (both databases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from smguard.config import Config
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import PostEngagement
from smguard.types import ActivityEvent
from smguard.watch.events import store_events
from smguard.watch.ingest import ingest

EXPORTS = Path(__file__).parents[1] / "data" / "exports"
WHEN = datetime(2026, 6, 1, 12, tzinfo=UTC)


def status(likes: int, *, edited: bool = False, kind: str = "post") -> ActivityEvent:
    sid = "mastodon:kem:status:9" + (":edited:2026-06-01T13:00:00Z" if edited else "")
    return ActivityEvent(
        id=sid,
        account="kem",
        platform="mastodon",
        kind="post_published",
        at=WHEN,
        source="test",
        raw={
            "engagement": {
                "post_id": "9",
                "kind": kind,
                "published_at": WHEN.isoformat(),
                "likes": likes,
                "reposts": 2,
                "replies": 1,
            }
        },
    )


def rows(db: Database) -> list[tuple[str, str, int | None, str]]:
    with db.session() as s:
        return [
            (r.post_id, r.kind, r.likes, r.event_id)
            for r in s.scalars(select(PostEngagement).order_by(PostEngagement.post_id))
        ]


def test_a_repeat_refreshes_the_counts_of_one_row(db: Database) -> None:
    store = Store(Config(), db)
    assert len(store_events(store, [status(3)])) == 1
    assert store_events(store, [status(40)]) == []  # the event is a repeat...
    assert rows(db) == [("9", "post", 40, "mastodon:kem:status:9")]  # ...its counts are new
    store_events(store, [status(41, edited=True)])  # an edit is the same post
    assert rows(db) == [("9", "post", 41, "mastodon:kem:status:9:edited:2026-06-01T13:00:00Z")]
    with db.session() as s:
        (row,) = s.scalars(select(PostEngagement))
        assert row.published_at == WHEN and (row.reposts, row.replies) == (2, 1)


def test_the_last_reading_of_a_post_in_one_batch_wins(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are built a chunk at a time as they are written; which reading wins is unchanged."""
    import smguard.watch.engagement as engagement

    store = Store(Config(), db)
    others = [
        replace(status(n), id=f"mastodon:kem:status:{n}",
                raw={"engagement": {**status(n).raw["engagement"], "post_id": str(n)}})
        for n in range(100, 107)
    ]  # fmt: skip
    monkeypatch.setattr(engagement, "_CHUNK", 3)  # the repeated post's readings in two chunks
    store_events(store, [status(3), *others, status(41, edited=True)])
    found = rows(db)
    assert len(found) == 8
    assert ("9", "post", 41, "mastodon:kem:status:9:edited:2026-06-01T13:00:00Z") in found
    assert [r[2] for r in found if r[0] != "9"] == list(range(100, 107))


def test_ingesting_an_x_archive_stores_its_counts(db: Database) -> None:
    store = Store(Config(), db)
    ingest(store, EXPORTS / "x_archive", account="kem_x", actor="ci")
    found = rows(db)
    assert [r[0] for r in found] == [
        "1760000000000000001",
        "1760000000000000002",
        "1760000000000000003",
    ]
    assert found[0][2] == 2
