"""Building a report from the records: every figure is one aggregate query over the period.

:func:`build_report` reads; it writes nothing except what the 2FA hygiene audit itself syncs
(the inventory from smguard.toml). :func:`record_report` adds the ``report.made`` audit event
that carries the hygiene snapshot the next report compares itself with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, func, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from smguard.config.accounts import in_window
from smguard.records.tables import (
    ActivityEventRow,
    AuditEvent,
    CheckRecord,
    Clarification,
    DetectionRecord,
    Incident,
    LedgerEntry,
    OutboxAlert,
    PostEngagement,
    UTCDateTime,
    utcnow,
)
from smguard.reports.model import (
    AlertCounts,
    CheckCounts,
    ClarificationRow,
    HygieneState,
    IncidentCounts,
    Publishing,
    QuietHoursPost,
    Report,
)
from smguard.reports.period import Period
from smguard.reports.primetime import Sample, engagement_grid, prime_time
from smguard.reports.stats import Durations

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "DEMO_ACTION",
    "REPORT_ACTION",
    "build_report",
    "engagement_samples",
    "learnt_prime_time",
    "record_report",
]

#: The audit event a report leaves behind (with its hygiene snapshot).
REPORT_ACTION = "report.made"
#: The audit event ``smguard demo`` leaves: a report of such a database says "demo data".
DEMO_ACTION = "demo.created"
#: The detector of live posts with no ledger entry (plugins/detectors/posts.py).
UNAUTHORIZED_DETECTOR = "SMG-DET-001"
#: Quiet-hours posts listed one by one (all are counted).
LISTED = 100


def _scoped(column: Any, accounts: Sequence[str]) -> ColumnElement[bool]:
    return column.in_(list(accounts)) if accounts else and_(True)


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _not_edit() -> ColumnElement[bool]:
    # An edited Mastodon status is an event of its own; the post went out once.
    return ActivityEventRow.id.not_like("%:edited:%")


# -- publishing --------------------------------------------------------------------------------


def _publishing(s: Session, period: Period, accounts: Sequence[str]) -> Publishing:
    by_account: dict[str, dict[str, int]] = {}

    def add(account: str | None, key: str, n: int) -> None:
        row = by_account.setdefault(
            account or "—", {"through_smguard": 0, "seen_live": 0, "unapproved_live": 0}
        )
        row[key] += n

    ledger = s.execute(
        select(LedgerEntry.account, func.count(), func.count(LedgerEntry.approved_at))
        .where(_within(LedgerEntry.published_at, period), _scoped(LedgerEntry.account, accounts))
        .group_by(LedgerEntry.account)
    ).all()
    for account, n, _approved in ledger:
        add(account, "through_smguard", n)
    live = s.execute(
        select(ActivityEventRow.account, func.count())
        .where(
            ActivityEventRow.kind == "post_published",
            _within(ActivityEventRow.at, period),
            _scoped(ActivityEventRow.account, accounts),
            _not_edit(),
        )
        .group_by(ActivityEventRow.account)
    ).all()
    for account, n in live:
        add(account, "seen_live", n)
    unapproved = s.execute(
        select(DetectionRecord.account, func.count())
        .where(
            DetectionRecord.detector == UNAUTHORIZED_DETECTOR,
            _within(DetectionRecord.event_at, period),
            _scoped(DetectionRecord.account, accounts),
        )
        .group_by(DetectionRecord.account)
    ).all()
    for account, n in unapproved:
        add(account, "unapproved_live", n)
    apps = s.execute(
        select(ActivityEventRow.device, func.count())
        .where(
            ActivityEventRow.kind == "post_published",
            _within(ActivityEventRow.at, period),
            _scoped(ActivityEventRow.account, accounts),
            _not_edit(),
        )
        .group_by(ActivityEventRow.device)
        .order_by(func.count().desc())
    ).all()
    return Publishing(
        through_smguard=sum(n for _, n, _ in ledger),
        approved_by_second_person=sum(a for _, _, a in ledger),
        seen_live=sum(n for _, n in live),
        unapproved_live=sum(n for _, n in unapproved),
        by_account=dict(sorted(by_account.items())),
        by_app={(device or "?"): n for device, n in apps},
    )


# -- the check log -----------------------------------------------------------------------------

_FINDINGS_SQL = {
    "postgresql": """
        SELECT f ->> 'rule', f ->> 'category', count(*)
        FROM checks CROSS JOIN LATERAL json_array_elements(checks.findings) AS f
        WHERE checks.created_at >= :start AND checks.created_at < :end {scope}
        GROUP BY 1, 2""",
    "sqlite": """
        SELECT json_extract(f.value, '$.rule'), json_extract(f.value, '$.category'), count(*)
        FROM checks, json_each(checks.findings) AS f
        WHERE checks.created_at >= :start AND checks.created_at < :end {scope}
        GROUP BY 1, 2""",
}


def _hour_bucket(dialect: str, column: Any) -> Any:
    if dialect == "postgresql":
        return func.date_trunc("hour", column)
    return func.strftime("%Y-%m-%d %H", column)


def _bucket_time(value: Any) -> datetime:
    """A UTC hour bucket (PostgreSQL's timestamptz, or SQLite's ``YYYY-MM-DD HH`` text)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.strptime(str(value), "%Y-%m-%d %H").replace(tzinfo=UTC)


def _checks(s: Session, period: Period, accounts: Sequence[str], top: int) -> CheckCounts:
    dialect = s.get_bind().dialect.name
    where = and_(_within(CheckRecord.created_at, period), _scoped(CheckRecord.account, accounts))
    by_decision = {d: 0 for d in ("allow", "review", "block")}
    by_day: dict[str, dict[str, int]] = {
        day.isoformat(): dict.fromkeys(by_decision, 0) for day in period.days
    }
    bucket = _hour_bucket(dialect, CheckRecord.created_at).label("bucket")
    for when, decision, n in s.execute(
        select(bucket, CheckRecord.decision, func.count())
        .where(where)
        .group_by(bucket, CheckRecord.decision)
    ):
        by_decision[decision] = by_decision.get(decision, 0) + n
        day = _bucket_time(when).astimezone(period.tz).date().isoformat()
        if day in by_day:
            by_day[day][decision] = by_day[day].get(decision, 0) + n
    sql = text(
        _FINDINGS_SQL.get(dialect, _FINDINGS_SQL["sqlite"]).format(
            scope="AND checks.account IN :accounts" if accounts else ""
        )
    ).bindparams(bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()))
    params: dict[str, Any] = {"start": period.start, "end": period.end}
    if accounts:
        sql = sql.bindparams(bindparam("accounts", expanding=True))
        params["accounts"] = list(accounts)
    rules: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for rule, category, n in s.execute(sql, params):
        rules[str(rule)] += n
        categories[str(category)] += n
    authors: dict[str, list[int]] = {}
    for author, decision, n in s.execute(
        select(CheckRecord.author, CheckRecord.decision, func.count())
        .where(
            where, CheckRecord.decision.in_(["review", "block"]), CheckRecord.author.is_not(None)
        )
        .group_by(CheckRecord.author, CheckRecord.decision)
    ):
        if author is not None:
            authors.setdefault(author, [0, 0])[0 if decision == "review" else 1] += n
    top_authors = sorted(authors.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))[:top]
    waits = [
        (approved - created).total_seconds()
        for created, approved in s.execute(
            select(CheckRecord.created_at, LedgerEntry.approved_at)
            .join(LedgerEntry, LedgerEntry.check_id == CheckRecord.id)
            .where(
                LedgerEntry.approved_at.is_not(None),
                _within(LedgerEntry.approved_at, period),
                _scoped(CheckRecord.account, accounts),
            )
        )
        if approved is not None
    ]
    return CheckCounts(
        total=sum(by_decision.values()),
        by_decision=by_decision,
        by_category=dict(categories.most_common()),
        top_rules=tuple(rules.most_common(top)),
        top_authors_held=tuple((a, r, b) for a, (r, b) in top_authors),
        by_day=by_day,
        hold_to_approval=Durations.of(waits),
    )


# -- incidents, clarifications, alerts ---------------------------------------------------------


def _incidents(s: Session, period: Period, accounts: Sequence[str]) -> IncidentCounts:
    scope = _scoped(Incident.account, accounts)
    severity = dict(
        s.execute(
            select(Incident.severity, func.count())
            .where(_within(Incident.created_at, period), scope)
            .group_by(Incident.severity)
        ).all()
    )
    kinds = dict(
        s.execute(
            select(Incident.kind, func.count())
            .where(_within(Incident.created_at, period), scope)
            .group_by(Incident.kind)
            .order_by(func.count().desc())
        ).all()
    )
    acked = s.execute(
        select(Incident.created_at, Incident.acknowledged_at).where(
            _within(Incident.acknowledged_at, period), scope
        )
    ).all()
    resolved = s.execute(
        select(Incident.created_at, Incident.resolved_at).where(
            _within(Incident.resolved_at, period), scope
        )
    ).all()
    still_open = s.scalar(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.created_at < period.end,
            or_(Incident.resolved_at.is_(None), Incident.resolved_at >= period.end),
            scope,
        )
    )
    order = ("critical", "high", "medium", "low", "info")
    return IncidentCounts(
        opened=sum(severity.values()),
        acknowledged=len(acked),
        resolved=len(resolved),
        open_at_end=int(still_open or 0),
        opened_by_severity={k: severity[k] for k in order if k in severity},
        opened_by_kind=kinds,
        time_to_acknowledge=Durations.of(
            (a - c).total_seconds() for c, a in acked if a is not None
        ),
        time_to_resolve=Durations.of((r - c).total_seconds() for c, r in resolved if r is not None),
    )


def _clarifications(
    s: Session, period: Period, accounts: Sequence[str]
) -> tuple[ClarificationRow, ...]:
    rows = s.execute(
        select(Clarification, Incident.account)
        .join(Incident, Incident.id == Clarification.incident_id)
        .where(_within(Clarification.published_at, period), _scoped(Incident.account, accounts))
        .order_by(Clarification.published_at)
    ).all()
    return tuple(
        ClarificationRow(
            c.id,
            c.incident_id,
            account,
            c.language,
            c.published_platform,
            c.published_ref,
            c.published_at,
        )
        for c, account in rows
        if c.published_at is not None
    )


def _alerts(s: Session, period: Period, accounts: Sequence[str]) -> AlertCounts:
    base = select(func.count()).select_from(OutboxAlert)
    if accounts:
        base = base.join(Incident, Incident.id == OutboxAlert.incident_id).where(
            Incident.account.in_(list(accounts))
        )
    sent = _within(OutboxAlert.sent_at, period)
    return AlertCounts(
        delivered=int(s.scalar(base.where(OutboxAlert.status == "sent", sent)) or 0),
        failed=int(
            s.scalar(
                base.where(OutboxAlert.status == "dead", _within(OutboxAlert.created_at, period))
            )
            or 0
        ),
        delivered_after_retry=int(
            s.scalar(base.where(OutboxAlert.status == "sent", sent, OutboxAlert.attempts > 1)) or 0
        ),
        pending=int(
            s.scalar(
                base.where(OutboxAlert.status == "pending", OutboxAlert.created_at < period.end)
            )
            or 0
        ),
    )


# -- 2FA hygiene -------------------------------------------------------------------------------


def _finding_key(f: Mapping[str, Any]) -> str:
    return f"{f['code']}:{f['subject']}"


def _hygiene(store: Store, period: Period, accounts: Sequence[str]) -> HygieneState:
    from smguard.security.hygiene import run_audit

    audit = run_audit(store, open_incidents=False)
    findings = tuple(
        {k: f[k] for k in ("code", "severity", "subject", "account", "admin", "message")}
        for f in (x.to_dict() for x in audit.findings)
        if not accounts or f["account"] is None or f["account"] in accounts
    )
    counts = dict(Counter(f["severity"] for f in findings))
    with store.session() as s:
        previous = s.execute(
            select(AuditEvent)
            .where(AuditEvent.action == REPORT_ACTION, AuditEvent.at < period.end)
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
    if previous is None:
        return HygieneState(counts=counts, findings=findings)
    before = {
        _finding_key(f): f
        for f in previous.details.get("hygiene", [])
        if isinstance(f, Mapping)
        and (not accounts or f.get("account") is None or f.get("account") in accounts)
    }
    now = {_finding_key(f): f for f in findings}
    return HygieneState(
        counts=counts,
        findings=findings,
        previous_at=previous.at,
        new=tuple(f for k, f in now.items() if k not in before),
        fixed=tuple(dict(f) for k, f in before.items() if k not in now),
    )


# -- engagement and timing ---------------------------------------------------------------------


def engagement_samples(
    store: Store, accounts: Sequence[str], since: datetime, until: datetime
) -> dict[str, list[Sample]]:
    """The accounts' own posts published in ``[since, until)`` with their engagement."""
    score = (
        func.coalesce(PostEngagement.likes, 0)
        + func.coalesce(PostEngagement.reposts, 0)
        + func.coalesce(PostEngagement.replies, 0)
    )
    out: dict[str, list[Sample]] = {}
    with store.session() as s:
        for account, at, value in s.execute(
            select(PostEngagement.account, PostEngagement.published_at, score).where(
                PostEngagement.kind == "post",
                PostEngagement.published_at >= since,
                PostEngagement.published_at < until,
                _scoped(PostEngagement.account, accounts),
            )
        ):
            out.setdefault(account, []).append(Sample(at, int(value)))
    return out


def learnt_prime_time(
    store: Store, account: str, until: datetime, samples: Sequence[Sample] | None = None
) -> Any:
    """The prime-time recommendation of ``account`` from the posts before ``until``."""
    settings = store.config.reports
    days = settings.prime_time_days
    if samples is None:
        samples = engagement_samples(store, [account], until - timedelta(days=days), until).get(
            account, []
        )
    acct = store.config.account(account)
    return prime_time(
        account,
        samples,
        acct.timezone,
        window_days=days,
        min_posts=settings.prime_time_min_posts,
        min_per_hour=settings.prime_time_min_per_hour,
        configured=acct.prime_time,
    )


def _quiet_hours(
    store: Store, s: Session, period: Period, accounts: Sequence[str]
) -> tuple[int, tuple[QuietHoursPost, ...]]:
    rows = s.execute(
        select(ActivityEventRow.account, ActivityEventRow.at, ActivityEventRow.url)
        .outerjoin(PostEngagement, PostEngagement.event_id == ActivityEventRow.id)
        .where(
            ActivityEventRow.kind == "post_published",
            _within(ActivityEventRow.at, period),
            _scoped(ActivityEventRow.account, accounts),
            _not_edit(),
            or_(PostEngagement.kind.is_(None), PostEngagement.kind == "post"),
        )
        .order_by(ActivityEventRow.at)
    ).all()
    settings = {a: store.config.account(a) for a in {r[0] for r in rows}}
    found: list[QuietHoursPost] = []
    count = 0
    for account, at, url in rows:
        acct = settings[account]
        local = at.astimezone(acct.tz)
        if in_window(local.time(), *acct.quiet_hours):
            count += 1
            if len(found) < LISTED:
                found.append(QuietHoursPost(account, local, url))
    return count, tuple(found)


def _accounts_seen(s: Session, period: Period) -> list[str]:
    names: set[str] = set()
    for table, column in (
        (ActivityEventRow, ActivityEventRow.at),
        (LedgerEntry, LedgerEntry.published_at),
        (CheckRecord, CheckRecord.created_at),
    ):
        names.update(
            a
            for a in s.scalars(select(table.account).where(_within(column, period)).distinct())
            if a
        )
    return sorted(names)


# -- the whole report --------------------------------------------------------------------------


def build_report(
    store: Store,
    period: Period,
    accounts: Iterable[str] = (),
    *,
    now: datetime | None = None,
) -> Report:
    """The report of ``accounts`` (all when empty) over ``period``."""
    scope = tuple(sorted(set(accounts)))
    settings = store.config.reports
    with store.session() as s:
        publishing = _publishing(s, period, scope)
        checks = _checks(s, period, scope, settings.top)
        incidents = _incidents(s, period, scope)
        clarifications = _clarifications(s, period, scope)
        alerts = _alerts(s, period, scope)
        quiet_count, quiet = _quiet_hours(store, s, period, scope)
        demo = s.scalar(select(func.count()).where(AuditEvent.action == DEMO_ACTION)) or 0
        seen = list(scope) or sorted(set(_accounts_seen(s, period)) | set(store.config.accounts))
    since = period.end - timedelta(days=settings.prime_time_days)
    samples = engagement_samples(store, scope, since, period.end)
    names = list(scope) or sorted(set(seen) | set(samples))
    grids = tuple(
        engagement_grid(a, samples.get(a, []), store.config.account(a).timezone) for a in names
    )
    prime = tuple(learnt_prime_time(store, a, period.end, samples.get(a, [])) for a in names)
    return Report(
        period=period,
        accounts=scope,
        generated_at=now or utcnow(),
        demo=bool(demo),
        publishing=publishing,
        checks=checks,
        incidents=incidents,
        clarifications=clarifications,
        alerts=alerts,
        hygiene=_hygiene(store, period, scope),
        engagement=grids,
        prime_time=prime,
        quiet_hours_posts=quiet,
        quiet_hours_count=quiet_count,
    )


def record_report(store: Store, report: Report, *, actor: str) -> None:
    """Note in the audit log that ``report`` was made, with its hygiene snapshot."""
    with store.session() as s:
        store.audit(
            s,
            REPORT_ACTION,
            actor=actor,
            subject=f"report:{report.period.key}",
            details={
                "period": report.period.key,
                "kind": report.period.kind,
                "accounts": list(report.accounts),
                "hygiene": [
                    {k: f.get(k) for k in ("code", "severity", "subject", "account", "admin",
                                           "message")}
                    for f in report.hygiene.findings
                ],
            },
        )  # fmt: skip
