"""What a report says: plain frozen data, the same for the terminal, JSON, HTML and a digest.

:func:`smguard.reports.build_report` fills a :class:`Report`; :meth:`Report.to_dict` is the
``--format json`` output (documented in docs/reports.md), and the renderers only read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smguard.reports.period import Period
from smguard.reports.primetime import EngagementGrid, PrimeTime
from smguard.reports.stats import Durations

__all__ = [
    "AlertCounts",
    "CheckCounts",
    "ClarificationRow",
    "HygieneState",
    "IncidentCounts",
    "Publishing",
    "QuietHoursPost",
    "Report",
]

#: Version of the JSON document; raised when a field changes meaning or goes away.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Publishing:
    """What went out: through smguard's ledger, and what the watch saw live."""

    through_smguard: int = 0
    approved_by_second_person: int = 0
    seen_live: int = 0
    unapproved_live: int = 0
    by_account: dict[str, dict[str, int]] = field(default_factory=dict)
    #: The app or tool each live post was published with (Mastodon's application, X's source).
    by_app: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "through_smguard": self.through_smguard,
            "approved_by_second_person": self.approved_by_second_person,
            "seen_live": self.seen_live,
            "unapproved_live": self.unapproved_live,
            "by_account": self.by_account,
            "by_app": self.by_app,
        }


@dataclass(frozen=True)
class CheckCounts:
    total: int = 0
    by_decision: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    top_rules: tuple[tuple[str, int], ...] = ()
    #: (author, held for review, blocked), most held first.
    top_authors_held: tuple[tuple[str, int, int], ...] = ()
    by_day: dict[str, dict[str, int]] = field(default_factory=dict)
    hold_to_approval: Durations = field(default_factory=Durations)

    @property
    def held(self) -> int:
        return self.by_decision.get("review", 0) + self.by_decision.get("block", 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_decision": self.by_decision,
            "by_category": self.by_category,
            "top_rules": [{"rule": r, "findings": n} for r, n in self.top_rules],
            "top_authors_held": [
                {"author": a, "review": r, "block": b} for a, r, b in self.top_authors_held
            ],
            "by_day": self.by_day,
            "hold_to_approval": self.hold_to_approval.to_dict(),
        }


@dataclass(frozen=True)
class IncidentCounts:
    opened: int = 0
    acknowledged: int = 0
    resolved: int = 0
    open_at_end: int = 0
    opened_by_severity: dict[str, int] = field(default_factory=dict)
    opened_by_kind: dict[str, int] = field(default_factory=dict)
    time_to_acknowledge: Durations = field(default_factory=Durations)
    time_to_resolve: Durations = field(default_factory=Durations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "acknowledged": self.acknowledged,
            "resolved": self.resolved,
            "open_at_end": self.open_at_end,
            "opened_by_severity": self.opened_by_severity,
            "opened_by_kind": self.opened_by_kind,
            "time_to_acknowledge": self.time_to_acknowledge.to_dict(),
            "time_to_resolve": self.time_to_resolve.to_dict(),
        }


@dataclass(frozen=True)
class ClarificationRow:
    id: int
    incident_id: int
    account: str | None
    language: str
    platform: str | None
    ref: str | None
    published_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "incident_id": self.incident_id,
            "account": self.account,
            "language": self.language,
            "platform": self.platform,
            "ref": self.ref,
            "published_at": self.published_at.isoformat(),
        }


@dataclass(frozen=True)
class AlertCounts:
    delivered: int = 0
    #: Given up after ``[alerts] max_attempts`` (dead).
    failed: int = 0
    #: Delivered, but only after one or more failed attempts.
    delivered_after_retry: int = 0
    pending: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "delivered_after_retry": self.delivered_after_retry,
            "pending": self.pending,
        }


@dataclass(frozen=True)
class HygieneState:
    """The 2FA hygiene audit now, and what changed since the previous report."""

    counts: dict[str, int] = field(default_factory=dict)
    findings: tuple[dict[str, Any], ...] = ()
    #: When the previous report's snapshot was taken (None: this is the first report).
    previous_at: datetime | None = None
    new: tuple[dict[str, Any], ...] = ()
    fixed: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "findings": list(self.findings),
            "previous_at": self.previous_at.isoformat() if self.previous_at else None,
            "new": list(self.new),
            "fixed": list(self.fixed),
        }


@dataclass(frozen=True)
class QuietHoursPost:
    account: str
    at: datetime
    url: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"account": self.account, "at": self.at.isoformat(), "url": self.url}


@dataclass(frozen=True)
class Report:
    """A weekly or monthly report of some accounts (all of them when ``accounts`` is empty)."""

    period: Period
    accounts: tuple[str, ...]
    generated_at: datetime
    demo: bool = False
    publishing: Publishing = field(default_factory=Publishing)
    checks: CheckCounts = field(default_factory=CheckCounts)
    incidents: IncidentCounts = field(default_factory=IncidentCounts)
    clarifications: tuple[ClarificationRow, ...] = ()
    alerts: AlertCounts = field(default_factory=AlertCounts)
    hygiene: HygieneState = field(default_factory=HygieneState)
    engagement: tuple[EngagementGrid, ...] = ()
    prime_time: tuple[PrimeTime, ...] = ()
    quiet_hours_posts: tuple[QuietHoursPost, ...] = ()
    #: All posts in quiet hours (``quiet_hours_posts`` lists the first 100 of them).
    quiet_hours_count: int = 0

    @property
    def scope(self) -> str:
        return ", ".join(self.accounts) if self.accounts else "*"

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "smguard.report",
            "version": SCHEMA_VERSION,
            "period": self.period.to_dict(),
            "accounts": list(self.accounts),
            "generated_at": self.generated_at.isoformat(),
            "demo": self.demo,
            "publishing": self.publishing.to_dict(),
            "checks": self.checks.to_dict(),
            "incidents": self.incidents.to_dict(),
            "clarifications": [c.to_dict() for c in self.clarifications],
            "alerts": self.alerts.to_dict(),
            "hygiene": self.hygiene.to_dict(),
            "engagement": [g.to_dict() for g in self.engagement],
            "prime_time": [p.to_dict() for p in self.prime_time],
            "quiet_hours_count": self.quiet_hours_count,
            "quiet_hours_posts": [q.to_dict() for q in self.quiet_hours_posts],
        }
