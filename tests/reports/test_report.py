"""The report's figures on known data, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import (
    CheckRecord,
    Clarification,
    DetectionRecord,
    Incident,
    LedgerEntry,
    OutboxAlert,
)
from smguard.reports import build_report, period_containing, record_report, render_text
from smguard.reports.period import parse_period, previous_period
from smguard.types import ActivityEvent
from smguard.watch.events import store_events
from tests.reports.conftest import make_store

WEEK = period_containing("week", date(2026, 6, 3), "Asia/Jakarta")  # Mon 1 – Sun 7 June 2026


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in June 2026, UTC."""
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


def incident(
    n: int,
    account: str,
    created: datetime,
    acked: timedelta | None = None,
    resolved: timedelta | None = None,
) -> Incident:
    return Incident(
        kind="blocked_post",
        severity="high" if n % 2 else "medium",
        status="resolved" if resolved else "acknowledged" if acked else "open",
        title=f"incident {n}",
        account=account,
        category=None,
        dedupe_key=f"k{n}",
        evidence={},
        sightings=1,
        created_at=created,
        last_seen_at=created,
        acknowledged_at=created + acked if acked else None,
        resolved_at=created + resolved if resolved else None,
    )


def check(
    created: datetime,
    decision: str,
    findings: list[tuple[str, str]],
    author: str | None = None,
    account: str = "kem",
) -> CheckRecord:
    return CheckRecord(
        id=str(uuid.uuid4()),
        created_at=created,
        account=account,
        platform="mastodon",
        kind="post",
        author=author,
        fingerprint="0" * 64,
        decision=decision,
        findings=[{"rule": r, "category": c, "severity": "high"} for r, c in findings],
        languages=["id"],
        elapsed_ms=1.0,
    )


def post(n: int, when: datetime, likes: int = 5, account: str = "kem") -> ActivityEvent:
    return ActivityEvent(
        id=f"mastodon:{account}:status:{n}",
        account=account,
        platform="mastodon",
        kind="post_published",
        at=when,
        source="test",
        device="Scheduler",
        url=f"https://m.example/{n}",
        raw={
            "engagement": {
                "post_id": str(n),
                "kind": "post",
                "published_at": when.isoformat(),
                "likes": likes,
                "reposts": 1,
                "replies": 0,
            }
        },
    )


@pytest.fixture
def known(store: Store) -> Store:
    with store.session() as s:
        s.add_all(
            [
                incident(1, "kem", at(1, 3), timedelta(minutes=10), timedelta(hours=2)),
                incident(2, "kem", at(2, 3), timedelta(minutes=30)),
                incident(3, "kem", at(3, 3), timedelta(minutes=20), timedelta(hours=4)),
                incident(4, "other", at(3, 5), timedelta(minutes=5)),
                # Opened the week before, resolved in this one: counts for time to resolve.
                incident(
                    5,
                    "kem",
                    datetime(2026, 5, 25, 3, tzinfo=UTC),
                    timedelta(hours=1),
                    timedelta(days=7),
                ),
            ]
        )
        held = check(at(2, 1), "review", [("SMG-LINK-001", "link")], author="ayu")
        s.add_all(
            [
                check(at(1, 1), "allow", []),
                check(at(1, 2), "allow", [], author="ayu"),
                held,
                check(
                    at(4, 1),
                    "block",
                    [("SMG-ID-SPAM-001", "spam"), ("SMG-LINK-001", "link")],
                    author="budi",
                ),
                check(at(8, 1), "block", [("SMG-LINK-002", "link")], author="budi"),  # next week
                check(at(2, 1), "block", [("SMG-X", "spam")], author="eve", account="other"),
            ]
        )
        s.flush()
        s.add(
            LedgerEntry(
                account="kem",
                fingerprint="0" * 64,
                check_id=held.id,
                approved_by="budi",
                approved_at=at(2, 1, 45),
                published_at=at(2, 2),
            )
        )
        s.add(
            Clarification(
                incident_id=1,
                language="id",
                status="published",
                created_at=at(1, 4),
                created_by="ayu",
                published_platform="mastodon",
                published_ref="https://m.example/klarifikasi",
                published_at=at(1, 6),
            )
        )
        for n, (status, attempts, sent) in enumerate(
            [("sent", 1, at(1, 3, 1)), ("sent", 3, at(2, 4)), ("dead", 8, None)]
        ):
            s.add(
                OutboxAlert(
                    idempotency_key=f"a{n}",
                    incident_id=1,
                    sink="soc",
                    event="opened",
                    payload={},
                    status=status,
                    attempts=attempts,
                    next_attempt_at=at(1, 3),
                    created_at=at(1, 3),
                    sent_at=sent,
                )
            )
    store_events(
        store,
        [
            post(1, at(1, 12)),  # 19:00 WIB
            post(2, at(2, 19, 30)),  # 02:30 WIB on the 3rd: quiet hours
            post(3, at(3, 12)),
            post(4, at(3, 13), account="other"),
        ],
    )
    with store.session() as s:
        s.add(
            DetectionRecord(
                detector="SMG-DET-001",
                event_id="mastodon:kem:status:2",
                account="kem",
                event_at=at(2, 19, 30),
                created_at=at(2, 19, 31),
            )
        )
    return store


def test_incident_times_on_known_data(known: Store) -> None:
    report = build_report(known, WEEK, ["kem"])
    i = report.incidents
    assert (i.opened, i.acknowledged, i.resolved, i.open_at_end) == (3, 3, 3, 1)
    tta = i.time_to_acknowledge
    assert (tta.count, tta.median_s, tta.max_s) == (3, 1200, 1800)
    assert tta.p90_s == pytest.approx(1680)  # between 20 and 30 minutes, by interpolation
    ttr = i.time_to_resolve
    assert (ttr.count, ttr.median_s, ttr.max_s) == (3, 14400, 7 * 86400)
    assert i.opened_by_severity == {"high": 2, "medium": 1}
    # All accounts: the other account's incident too.
    assert build_report(known, WEEK).incidents.opened == 4


def test_checks_rules_authors_and_hold_to_approval(known: Store) -> None:
    c = build_report(known, WEEK, ["kem"]).checks
    assert c.by_decision == {"allow": 2, "review": 1, "block": 1} and c.total == 4
    assert c.top_rules == (("SMG-LINK-001", 2), ("SMG-ID-SPAM-001", 1))
    assert c.by_category == {"link": 2, "spam": 1}
    assert c.top_authors_held == (("ayu", 1, 0), ("budi", 0, 1))
    assert (c.hold_to_approval.count, c.hold_to_approval.median_s) == (1, 45 * 60)
    assert c.by_day["2026-06-01"] == {"allow": 2, "review": 0, "block": 0}
    assert sum(d["block"] for d in c.by_day.values()) == 1


def test_publishing_clarifications_alerts_and_quiet_hours(known: Store) -> None:
    report = build_report(known, WEEK, ["kem"])
    p = report.publishing
    assert (p.through_smguard, p.approved_by_second_person) == (1, 1)
    assert (p.seen_live, p.unapproved_live) == (3, 1)
    assert p.by_app == {"Scheduler": 3}
    assert [c.ref for c in report.clarifications] == ["https://m.example/klarifikasi"]
    a = report.alerts
    assert (a.delivered, a.delivered_after_retry, a.failed, a.pending) == (2, 1, 1, 0)
    assert report.quiet_hours_count == 1
    (quiet,) = report.quiet_hours_posts
    assert quiet.url == "https://m.example/2" and quiet.at.hour == 2


def test_engagement_refreshed_by_a_later_reading(known: Store) -> None:
    store_events(known, [post(1, at(1, 12), likes=40)])  # the same post, counted again
    report = build_report(known, WEEK, ["kem"])
    (grid,) = report.engagement
    assert grid.total == 3
    assert grid.mean[0][19] == 41  # Monday 19:00 WIB: 40 likes + 1 repost
    (prime,) = report.prime_time
    assert prime.status == "not_enough_data" and prime.posts == 3


def test_json_and_text_in_both_languages(known: Store) -> None:
    report = build_report(known, WEEK, ["kem"])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["type"] == "smguard.report" and data["period"]["key"] == "2026-W23"
    assert data["incidents"]["time_to_acknowledge"]["median_s"] == 1200
    en, id_ = render_text(report, "en"), render_text(report, "id")
    assert "Weekly report — kem — week 23 of 2026 (1–7 June 2026)" in en
    assert "Time to acknowledge: median 20 min, 90% within 28 min, longest 30 min (3)" in en
    assert "Laporan mingguan — kem — minggu ke-23 tahun 2026 (1–7 Juni 2026)" in id_
    assert "Waktu sampai ditangani: median 20 mnt" in id_
    assert "Not enough data: 3 posts" in en and "Data belum cukup: 3 unggahan" in id_


def test_hygiene_says_what_changed_since_the_last_report(db: Database) -> None:
    now = datetime.now(UTC)
    this_week = period_containing("week", now.date(), "Asia/Jakarta")
    first_store = make_store(db)
    first = build_report(first_store, this_week)
    assert first.hygiene.previous_at is None
    assert "SMG-2FA-003" in {f["code"] for f in first.hygiene.findings}  # method not recorded
    record_report(first_store, first, actor="ci")
    later = make_store(db, accounts={"kem": {"platform": "mastodon", "two_factor": "sms"}})
    second = build_report(later, this_week)
    assert second.hygiene.previous_at is not None
    assert [f["code"] for f in second.hygiene.new] == ["SMG-2FA-002"]  # SMS only
    assert [f["code"] for f in second.hygiene.fixed] == ["SMG-2FA-003"]


def test_periods() -> None:
    now = datetime(2026, 6, 10, 2, tzinfo=UTC)  # Wednesday 10 June, 09:00 WIB
    assert previous_period("week", now, "Asia/Jakarta").key == "2026-W23"
    month = previous_period("month", now, "Asia/Jakarta")
    assert (month.key, month.start.isoformat()) == ("2026-05", "2026-05-01T00:00:00+07:00")
    assert parse_period("week", "2026-W23", now, "Asia/Jakarta") == WEEK
    assert parse_period("month", "2026-02", now, "Asia/Jakarta").last_day == date(2026, 2, 28)
    assert WEEK.label("id") == "minggu ke-23 tahun 2026 (1–7 Juni 2026)"
    from smguard.errors import InputError

    with pytest.raises(InputError, match="--of: 'next week' is not a date"):
        parse_period("week", "next week", now, "Asia/Jakarta")


def test_digest_goes_to_the_sinks_signed_and_idempotent(
    db: Database, receiver: Any, soc_env: Any
) -> None:
    from smguard.alerting import verify_signature
    from smguard.reports.digest import send_report
    from tests.support.alerts import SECRET, alerts_config

    r = receiver()
    soc_env(r)
    store = make_store(db, alerts=alerts_config())
    report = build_report(store, WEEK)
    assert send_report(store, report, actor="cron") == {"soc": None}
    assert send_report(store, report, actor="cron") == {"soc": None}
    first, again = r.accepted()
    assert first.headers["idempotency-key"] == again.headers["idempotency-key"]
    assert verify_signature(SECRET, first.headers["x-smguard-signature"], first.body)
    body = json.loads(first.body)
    assert body["event"] == "report" and body["report"]["period"]["key"] == "2026-W23"
    assert body["message"]["headline"].startswith("Weekly report — all accounts")


def test_digest_failure_is_reported_not_raised(db: Database, receiver: Any, soc_env: Any) -> None:
    from smguard.reports.digest import send_report
    from tests.support.alerts import alerts_config

    r = receiver(always_fail=True, fail_status=500)
    soc_env(r)
    store = make_store(db, alerts=alerts_config())
    outcome = send_report(store, build_report(store, WEEK), actor="cron")
    assert outcome["soc"] is not None and "500" in outcome["soc"]
