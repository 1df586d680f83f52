"""Stored records (SQLAlchemy 2.x typed models). Plugins never see these rows.

The schema itself is created and changed only by the Alembic migrations in
``smguard/migrations``; these classes must match the latest revision (a test checks).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "AuditEvent",
    "AuditHead",
    "Base",
    "CheckRecord",
    "Clarification",
    "ClarificationVersion",
    "Incident",
    "IncidentNote",
    "LedgerEntry",
    "OutboxAlert",
    "PostEngagement",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class CheckRecord(Base):
    """One recorded verdict (``smguard check --record``): fingerprint always, text if allowed."""

    __tablename__ = "checks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    post_id: Mapped[str | None] = mapped_column(String(200))
    account: Mapped[str | None] = mapped_column(String(200), index=True)
    platform: Mapped[str | None] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    author: Mapped[str | None] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(10))
    findings: Mapped[list[Any]] = mapped_column(JSON)
    languages: Mapped[list[Any]] = mapped_column(JSON)
    elapsed_ms: Mapped[float] = mapped_column(Float)
    scheduled_at: Mapped[datetime | None]


class LedgerEntry(Base):
    """A post that was approved and published: what live posts are compared against."""

    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(200), index=True)
    platform: Mapped[str | None] = mapped_column(String(50))
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    check_id: Mapped[str | None] = mapped_column(ForeignKey("checks.id"))
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None]
    published_at: Mapped[datetime] = mapped_column(index=True)
    platform_post_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)


class Incident(Base):
    __tablename__ = "incidents"
    # At most one unresolved incident per dedupe key (migration 0002): concurrent openers of the
    # same cause end with one incident and several sightings.
    __table_args__ = (
        Index(
            "uq_incidents_open_dedupe_key",
            "dedupe_key",
            unique=True,
            postgresql_where=text("status <> 'resolved'"),
            sqlite_where=text("status <> 'resolved'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(Text)
    account: Mapped[str | None] = mapped_column(String(200), index=True)
    category: Mapped[str | None] = mapped_column(String(30))
    dedupe_key: Mapped[str] = mapped_column(String(300), index=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    sightings: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)

    notes: Mapped[list[IncidentNote]] = relationship(
        back_populates="incident", order_by="IncidentNote.id", cascade="all, delete-orphan"
    )


class IncidentNote(Base):
    """The incident's timeline: opened, sightings, notes, acknowledgement, resolution."""

    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    incident: Mapped[Incident] = relationship(back_populates="notes")


class Clarification(Base):
    __tablename__ = "clarifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None]
    published_platform: Mapped[str | None] = mapped_column(String(50))
    published_ref: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]

    versions: Mapped[list[ClarificationVersion]] = relationship(
        back_populates="clarification",
        order_by="ClarificationVersion.version",
        cascade="all, delete-orphan",
    )


class ClarificationVersion(Base):
    __tablename__ = "clarification_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    clarification_id: Mapped[int] = mapped_column(ForeignKey("clarifications.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    decision: Mapped[str] = mapped_column(String(10))
    verdict: Mapped[dict[str, Any]] = mapped_column(JSON)

    clarification: Mapped[Clarification] = relationship(back_populates="versions")


class AuditEvent(Base):
    """One entry of the append-only, hash-chained audit log."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                     primary_key=True, autoincrement=False)  # fmt: skip
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row holding the chain's last sequence number and hash.

    Writers lock it (``SELECT … FOR UPDATE``) so appends from many processes stay one chain, and
    ``audit verify`` compares it with the last event, so a deleted tail is noticed too.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxAlert(Base):
    """An alert waiting for (or done with) delivery to one sink."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    sink: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


# -- account security (smguard.security): inventory, admin TOTP, backup codes, the team vault ----
#
# Every TOTP seed below is stored only as an AES-GCM token (smguard.security.crypto): key id,
# nonce and ciphertext, bound to its table, column and row. No seed is ever stored in clear.


class SecAccount(Base):
    """A social-media account in the security inventory (``[accounts.NAME]``, ``accounts add``)."""

    __tablename__ = "sec_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    platform: Mapped[str | None] = mapped_column(String(50))
    handle: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    #: security_key, totp, sms, none; NULL when nobody has said.
    two_factor: Mapped[str | None] = mapped_column(String(20))
    recovery_email: Mapped[str | None] = mapped_column(String(300))
    recovery_phone: Mapped[str | None] = mapped_column(String(50))
    #: "config" while smguard.toml declares it, else "cli".
    source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SecAdmin(Base):
    """A person who may author, approve or own accounts."""

    __tablename__ = "sec_admins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(50))
    #: active or departed (departure is sticky: only ``smguard admins reactivate`` undoes it).
    status: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    departed_at: Mapped[datetime | None]
    last_active_at: Mapped[datetime | None]


class SecRole(Base):
    """One role of one admin on one account (``*``: every account)."""

    __tablename__ = "sec_roles"

    admin_id: Mapped[int] = mapped_column(ForeignKey("sec_admins.id"), primary_key=True)
    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(10))
    granted_at: Mapped[datetime]


class SecAdminTotp(Base):
    """An admin's personal TOTP: the active seed, a pending (not yet confirmed) one, counters."""

    __tablename__ = "sec_admin_totp"

    admin_id: Mapped[int] = mapped_column(ForeignKey("sec_admins.id"), primary_key=True)
    seed_ciphertext: Mapped[str | None] = mapped_column(Text)
    activated_at: Mapped[datetime | None]
    pending_ciphertext: Mapped[str | None] = mapped_column(Text)
    pending_at: Mapped[datetime | None]
    #: The last accepted time step: a code of this step or an earlier one is a replay.
    last_step: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class SecBackupCode(Base):
    """A single-use backup code, stored only as a salted scrypt hash."""

    __tablename__ = "sec_backup_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("sec_admins.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SecVaultSeed(Base):
    """A shared account's own platform 2FA seed, handed out only as current codes."""

    __tablename__ = "sec_vault_seeds"

    account_id: Mapped[int] = mapped_column(ForeignKey("sec_accounts.id"), primary_key=True)
    seed_ciphertext: Mapped[str] = mapped_column(Text)
    digits: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    algorithm: Mapped[str] = mapped_column(String(10))
    added_by: Mapped[str] = mapped_column(String(200))
    #: When this seed was set on the platform (its age is what rotation policy looks at).
    added_at: Mapped[datetime]
    last_code_at: Mapped[datetime | None]


# -- account watch (smguard.watch): what connectors saw, and where each poll left off ------------


class ActivityEventRow(Base):
    """One :class:`~smguard.types.ActivityEvent`, stored once (its ``id`` is stable)."""

    __tablename__ = "activity_events"
    __table_args__ = (
        Index("ix_activity_events_account_at", "account", "at"),
        Index("ix_activity_events_account_kind_at", "account", "kind", "at"),
        Index("ix_activity_events_account_processed", "account", "processed_at"),
    )

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    #: The full text of a published post (public anyway); NULL for other kinds.
    text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[Any]] = mapped_column(JSON)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    ingested_at: Mapped[datetime]
    #: When the detectors ran over it; NULL until then (a crashed run is picked up again).
    processed_at: Mapped[datetime | None]


class WatchCursor(Base):
    """Where the last poll of one account by one connector left off, and who polls it now."""

    __tablename__ = "watch_cursors"

    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    connector: Mapped[str] = mapped_column(String(50), primary_key=True)
    cursor: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]
    #: The watcher polling it now and until when (a lease, so two watchers never poll it at once).
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    #: Failed cycles in a row, the last error and the last good poll.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]


class DetectionRecord(Base):
    """One detector's report of one activity event (a re-run of the detectors skips it)."""

    __tablename__ = "detections"
    __table_args__ = (
        Index("uq_detections_detector_event", "detector", "event_id", unique=True),
        Index("ix_detections_account_event_at", "account", "event_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    detector: Mapped[str] = mapped_column(String(50))
    event_id: Mapped[str] = mapped_column(String(300), index=True)
    account: Mapped[str] = mapped_column(String(200))
    event_at: Mapped[datetime]
    #: The incident it opened or added a sighting to.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    created_at: Mapped[datetime]


class PostEngagement(Base):
    """A live post's engagement as its platform counts it, refreshed whenever it is read again.

    One row per post (not per edit): ``published_at`` is when the post first went out, which is
    what the report's engagement-by-hour and prime-time recommendation group by. ``replies`` is
    NULL where the platform's export does not count them (X archives).
    """

    __tablename__ = "post_engagement"
    __table_args__ = (Index("ix_post_engagement_account_published", "account", "published_at"),)

    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    platform: Mapped[str] = mapped_column(String(50), primary_key=True)
    post_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: post (the account's own), reply (to someone) or repost (a boost or retweet of another's).
    kind: Mapped[str] = mapped_column(String(10))
    published_at: Mapped[datetime]
    likes: Mapped[int | None] = mapped_column(Integer)
    reposts: Mapped[int | None] = mapped_column(Integer)
    replies: Mapped[int | None] = mapped_column(Integer)
    #: When the platform gave these counts (a later reading replaces an earlier one only).
    counted_at: Mapped[datetime]
    #: The activity event that last carried the counts.
    event_id: Mapped[str] = mapped_column(String(300))


class ApiToken(Base):
    """A tool's API token for ``smguard serve``: only the SHA-256 of its secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class DeskSession(Base):
    """A signed-in admin on the review desk; the cookie's hash is the key."""

    __tablename__ = "desk_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    admin: Mapped[str] = mapped_column(String(200))
    csrf: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class CheckRejection(Base):
    """A held check an approver turned down, and why."""

    __tablename__ = "check_rejections"

    check_id: Mapped[str] = mapped_column(ForeignKey("checks.id"), primary_key=True)
    rejected_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    rejected_at: Mapped[datetime]
