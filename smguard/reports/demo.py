"""``smguard demo``: a made-up account with five weeks of history, to try the reports on.

Everything it writes is marked as demo data: the accounts are called ``demo_…``, the posts say
"[DEMO]", and a ``demo.created`` audit event makes every report of the database say so at the
top. It refuses a database that already holds checks, posts or incidents, so demo data never
mixes with an organisation's own records.

The history is drawn from a seeded random generator around ``now``: posts at the desk's usual
hours (evening posts do best, as on many Indonesian accounts), checks by the real guard (a few
held, one blocked gambling post), incidents acknowledged and resolved after realistic delays,
one clarification, alerts, logins — and one night-time post nobody approved.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from smguard.errors import InputError
from smguard.guard.fingerprint import fingerprint
from smguard.records.checks import findings_record
from smguard.records.tables import (
    ActivityEventRow,
    CheckRecord,
    Clarification,
    ClarificationVersion,
    DetectionRecord,
    Incident,
    IncidentNote,
    LedgerEntry,
    OutboxAlert,
    utcnow,
)
from smguard.reports.gather import DEMO_ACTION, UNAUTHORIZED_DETECTOR
from smguard.security.accounts import add_account
from smguard.security.admins import add_admin
from smguard.types import ActivityEvent
from smguard.watch.events import insert_new_events

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["DEMO_ACCOUNT", "DemoSummary", "create_demo"]

DEMO_ACCOUNT = "demo_kemcontoh"
ACTOR = "smguard demo"
TZ = ZoneInfo("Asia/Jakarta")
WEEKS = 5

#: What the demo desk posts (Indonesian, as the account's followers read it).
POSTS = (
    "[DEMO] Selamat pagi, Sobat! Layanan pengaduan buka pukul 08.00–16.00 WIB.",
    "[DEMO] Info jadwal vaksinasi minggu ini ada di kemcontoh.go.id/vaksin",
    "[DEMO] Jangan lupa lapor SPT Tahunan sebelum 31 Maret, ya!",
    "[DEMO] Terima kasih atas partisipasi Sobat dalam survei kepuasan layanan.",
    "[DEMO] Waspada penipuan yang mengatasnamakan kami. Kami tidak pernah meminta transfer.",
    "[DEMO] Simak rangkuman kegiatan minggu ini di kanal resmi kami.",
    "[DEMO] Selamat berakhir pekan, Sobat! Tetap jaga kesehatan.",
)
#: Held for review by the guard (a shortened link), then approved by a second person.
HELD = "[DEMO] Info lengkap pendaftaran: bit.ly/daftar-kemcontoh"
#: Blocked by the guard (judi online), never published.
BLOCKED = "[DEMO] Slot gacor maxwin hari ini! Deposit 10rb di situs resmi bit.ly/gacor88"
#: The post nobody approved, live at 02:13: what a taken-over account publishes.
HIJACK = "[DEMO] Promo slot gacor, link alternatif bit.ly/x-gacor"
#: Hours the desk posts at (local), and how well a post at that hour does (mean interactions).
HOURS = {7: 18, 9: 12, 12: 30, 15: 10, 19: 60, 20: 45}


@dataclass(frozen=True)
class DemoSummary:
    account: str
    posts: int
    checks: int
    incidents: int
    first: datetime
    last: datetime


def _refuse_unless_empty(store: Store) -> None:
    with store.session() as s:
        used = sum(
            s.scalar(select(func.count()).select_from(table)) or 0
            for table in (CheckRecord, ActivityEventRow, Incident, LedgerEntry)
        )
    if used:
        raise InputError(
            f"the database {store.db.safe_url} already holds records: the demo needs an empty one "
            "(e.g. SMGUARD_DATABASE_URL=sqlite:///./smguard-demo.db smguard demo)"
        )


def _status(sid: str, at: datetime, text: str, likes: int, boosts: int, replies: int,
            app: str) -> ActivityEvent:  # fmt: skip
    return ActivityEvent(
        id=f"mastodon:{DEMO_ACCOUNT}:status:{sid}",
        account=DEMO_ACCOUNT,
        platform="mastodon",
        kind="post_published",
        at=at,
        source="demo",
        actor="kemcontoh",
        device=app,
        text=f"<p>{text}</p>",
        url=f"https://mastodon.example/@kemcontoh/{sid}",
        raw={
            "id": sid,
            "demo": True,
            "engagement": {
                "post_id": sid, "kind": "post", "published_at": at.isoformat(),
                "likes": likes, "reposts": boosts, "replies": replies,
            },
        },
    )  # fmt: skip


def create_demo(store: Store, *, now: datetime | None = None, seed: int = 7) -> DemoSummary:
    """Fill an empty database with the demo history ending at ``now``."""
    from smguard.guard.engine import Guard

    _refuse_unless_empty(store)
    now = (now or utcnow()).astimezone(UTC)
    rng = random.Random(seed)
    guard = Guard(store.config)
    texts = (*POSTS, HELD, BLOCKED, HIJACK)
    verdicts = {t: guard.check({"text": t, "account": DEMO_ACCOUNT}) for t in texts}
    add_account(store, DEMO_ACCOUNT, {"platform": "mastodon", "handle": "@kemcontoh",
                                      "two_factor": "sms",
                                      "recovery_email": "admin.kemcontoh@gmail.com"},
                actor=ACTOR, now=now - timedelta(weeks=WEEKS))  # fmt: skip
    for name in ("demo_ayu", "demo_budi"):
        add_admin(store, name, {"email": f"{name}@kemcontoh.example"}, actor=ACTOR,
                  now=now - timedelta(weeks=WEEKS))  # fmt: skip
    start = (now - timedelta(weeks=WEEKS)).astimezone(TZ).replace(hour=0, minute=0, second=0,
                                                                 microsecond=0)  # fmt: skip
    events: list[ActivityEvent] = []
    checks: list[CheckRecord] = []
    ledger: list[LedgerEntry] = []
    sid = 112_000_000_000_000_000
    day = start
    while day < now.astimezone(TZ):
        for hour, mean in HOURS.items():
            if rng.random() > 0.55:
                continue
            at = day.replace(hour=hour, minute=rng.randrange(0, 50)).astimezone(UTC)
            if at >= now - timedelta(hours=1):
                continue
            text = rng.choice(POSTS) if rng.random() > 0.08 else HELD
            sid += 1
            check_at = at - timedelta(minutes=rng.randrange(20, 240))
            check = CheckRecord(
                id=str(uuid.UUID(int=rng.getrandbits(128))), created_at=check_at, post_id=None,
                account=DEMO_ACCOUNT, platform="mastodon", kind="post",
                author=rng.choice(("demo_ayu", "demo_ayu", "demo_budi")),
                fingerprint=fingerprint(text), text=None, decision=verdicts[text].decision,
                findings=findings_record(verdicts[text].findings, evidence=False),
                languages=list(verdicts[text].languages), elapsed_ms=3.0, scheduled_at=at,
            )  # fmt: skip
            checks.append(check)
            held = check.decision != "allow"
            approver = ("demo_budi" if check.author == "demo_ayu" else "demo_ayu") if held else None
            approved_at = check_at + timedelta(minutes=rng.randrange(4, 90)) if held else None
            ledger.append(LedgerEntry(
                account=DEMO_ACCOUNT, platform="mastodon", fingerprint=check.fingerprint,
                check_id=check.id, approved_by=approver, approved_at=approved_at,
                published_at=at, platform_post_id=str(sid),
                url=f"https://mastodon.example/@kemcontoh/{sid}",
            ))  # fmt: skip
            engagement = max(0, int(rng.gauss(mean, mean * 0.35)))
            likes = int(engagement * 0.7)
            boosts = int(engagement * 0.2)
            events.append(_status(str(sid), at, text, likes, boosts, engagement - likes - boosts,
                                  "Contoh Scheduler"))  # fmt: skip
        day += timedelta(days=1)

    # One blocked post a week, each opening an incident that the desk works.
    incidents: list[tuple[Incident, list[IncidentNote]]] = []
    for week in range(WEEKS):
        at = (start + timedelta(weeks=week, days=2, hours=10)).astimezone(UTC)
        check = CheckRecord(
            id=str(uuid.UUID(int=rng.getrandbits(128))), created_at=at, post_id=None,
            account=DEMO_ACCOUNT, platform="mastodon", kind="post", author="demo_budi",
            fingerprint=fingerprint(BLOCKED), text=None, decision="block",
            findings=findings_record(verdicts[BLOCKED].findings, evidence=False),
            languages=list(verdicts[BLOCKED].languages), elapsed_ms=4.0, scheduled_at=None,
        )  # fmt: skip
        checks.append(check)
        acked = at + timedelta(minutes=rng.randrange(3, 45))
        resolved = acked + timedelta(minutes=rng.randrange(30, 300))
        done = resolved < now
        incidents.append(_incident(
            "blocked_post", "medium", f"[DEMO] Blocked post on {DEMO_ACCOUNT}",
            f"blocked_post:{DEMO_ACCOUNT}:{check.fingerprint}:{week}", at,
            acked if acked < now else None, resolved if done else None,
            {"check_id": check.id, "demo": True},
        ))  # fmt: skip

    # A login from a new country, and the hijack: a night-time post nobody approved.
    hijack_day = (now - timedelta(days=(now.astimezone(TZ).weekday() + 4))).astimezone(TZ)
    hijack_at = hijack_day.replace(hour=2, minute=13, second=0, microsecond=0).astimezone(UTC)
    login_at = hijack_at - timedelta(minutes=9)
    for n, (at, country, ip) in enumerate(
        [(start + timedelta(days=d, hours=8), "Indonesia", "203.0.113.7") for d in range(0, 35, 3)]
        + [(login_at, "Russia", "198.51.100.23")]
    ):  # fmt: skip
        events.append(ActivityEvent(
            id=f"demo:{DEMO_ACCOUNT}:login:{n}", account=DEMO_ACCOUNT, platform="mastodon",
            kind="login", at=at.astimezone(UTC), source="demo", ip=ip, country=country,
            device="Firefox on Windows" if country == "Indonesia" else "python-requests",
            raw={"demo": True},
        ))  # fmt: skip
    sid += 1
    events.append(_status(str(sid), hijack_at, HIJACK, 2, 0, 9, "python-requests"))
    hijack = _incident(
        "unauthorized_post", "critical", f"[DEMO] Post on {DEMO_ACCOUNT} that nobody approved",
        f"unauthorized_post:{DEMO_ACCOUNT}:{sid}", hijack_at + timedelta(minutes=1),
        hijack_at + timedelta(minutes=17), hijack_at + timedelta(hours=3, minutes=40),
        {"event_id": f"mastodon:{DEMO_ACCOUNT}:status:{sid}", "demo": True},
    )  # fmt: skip
    login = _incident(
        "suspicious_login", "high", f"[DEMO] Login to {DEMO_ACCOUNT} from a new country",
        f"suspicious_login:{DEMO_ACCOUNT}:RU", login_at + timedelta(minutes=1),
        hijack_at + timedelta(minutes=20), hijack_at + timedelta(hours=3, minutes=45),
        {"country": "Russia", "demo": True},
    )  # fmt: skip
    incidents += [hijack, login]

    with store.session() as s:
        insert_new_events(s, events)
        s.add_all(checks)
        s.flush()
        s.add_all(ledger)
        for row, notes in incidents:
            s.add(row)
            s.flush()
            for note in notes:
                note.incident_id = row.id
                s.add(note)
            s.add(OutboxAlert(
                idempotency_key=f"demo-{row.id}", incident_id=row.id, sink="demo-slack",
                event="incident.opened", payload={"demo": True}, status="sent",
                attempts=1 if row.kind != "unauthorized_post" else 2,
                next_attempt_at=row.created_at, created_at=row.created_at,
                sent_at=row.created_at + timedelta(seconds=20),
            ))  # fmt: skip
        hijack_row = hijack[0]
        s.add(DetectionRecord(
            detector=UNAUTHORIZED_DETECTOR, event_id=f"mastodon:{DEMO_ACCOUNT}:status:{sid}",
            account=DEMO_ACCOUNT, event_at=hijack_at, incident_id=hijack_row.id,
            created_at=hijack_at + timedelta(minutes=1),
        ))  # fmt: skip
        s.execute(
            ActivityEventRow.__table__.update().values(processed_at=now)  # type: ignore[attr-defined]
        )
        clarification = Clarification(
            incident_id=hijack_row.id, language="id", status="published",
            created_at=hijack_at + timedelta(hours=1), created_by="demo_ayu",
            approved_by="demo_budi", approved_at=hijack_at + timedelta(hours=1, minutes=30),
            published_platform="mastodon",
            published_ref="https://mastodon.example/@kemcontoh/klarifikasi",
            published_at=hijack_at + timedelta(hours=2),
        )  # fmt: skip
        clarification.versions.append(ClarificationVersion(
            version=1, author="demo_ayu", created_at=hijack_at + timedelta(hours=1),
            text="[DEMO] Klarifikasi: unggahan pukul 02.13 WIB bukan dari kami dan sudah dihapus.",
            decision="allow", verdict={"decision": "allow", "findings": []},
        ))  # fmt: skip
        s.add(clarification)
        store.audit(
            s, DEMO_ACTION, actor=ACTOR, subject=f"account:{DEMO_ACCOUNT}",
            details={"note": "made-up data for trying smguard's reports", "weeks": WEEKS},
        )  # fmt: skip
    posts = sum(1 for e in events if e.kind == "post_published")
    return DemoSummary(DEMO_ACCOUNT, posts, len(checks), len(incidents), start, now)


def _incident(
    kind: str,
    severity: str,
    title: str,
    key: str,
    at: datetime,
    acked: datetime | None,
    resolved: datetime | None,
    evidence: dict[str, Any],
) -> tuple[Incident, list[IncidentNote]]:
    status = "resolved" if resolved else "acknowledged" if acked else "open"
    row = Incident(
        kind=kind, severity=severity, status=status, title=title, account=DEMO_ACCOUNT,
        category=None, dedupe_key=key, evidence=evidence, sightings=1, created_at=at,
        last_seen_at=at, acknowledged_by="demo_budi" if acked else None, acknowledged_at=acked,
        resolved_by="demo_budi" if resolved else None, resolved_at=resolved,
        resolution="[DEMO] handled" if resolved else None,
    )  # fmt: skip
    notes = [IncidentNote(at=at, actor=ACTOR, kind="opened", text=title, data={})]
    if acked:
        notes.append(
            IncidentNote(at=acked, actor="demo_budi", kind="acknowledged", text="", data={})
        )
    if resolved:
        notes.append(
            IncidentNote(at=resolved, actor="demo_budi", kind="resolved", text="handled", data={})
        )
    return row, notes
