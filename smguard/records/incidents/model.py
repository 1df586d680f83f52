"""What an incident is: its statuses, the built-in kinds, and the snapshots callers see.

:class:`Incident` and :class:`Note` are frozen copies of the stored rows
(:mod:`smguard.records.tables`), taken inside the transaction that read or changed them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smguard.records import tables as m
from smguard.types import localized

__all__ = [
    "ACKNOWLEDGED",
    "KINDS",
    "OPEN",
    "RESOLVED",
    "STATUSES",
    "Incident",
    "Note",
    "kind_description",
]

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
STATUSES: tuple[str, ...] = (OPEN, ACKNOWLEDGED, RESOLVED)

#: Built-in incident kinds: default severity and what each means, for people.
KINDS: dict[str, tuple[str, dict[str, str]]] = {
    "blocked_post": ("medium", {
        "en": "the guard stopped a post before it went out",
        "id": "guard menahan unggahan sebelum terbit",
    }),
    "unsafe_post_published": ("high", {
        "en": "a post that breaks the rules was published",
        "id": "unggahan yang melanggar aturan telah terbit",
    }),
    "unauthorized_post": ("critical", {
        "en": "a post appeared that nobody approved (possible account takeover)",
        "id": "muncul unggahan yang tidak pernah disetujui (kemungkinan akun diambil alih)",
    }),
    "suspicious_login": ("high", {
        "en": "a login from an unusual device, place or time",
        "id": "login dari perangkat, lokasi, atau waktu yang tidak biasa",
    }),
    "account_change": ("high", {
        "en": "the account's profile, recovery settings, apps or admins changed",
        "id": "profil, pengaturan pemulihan, aplikasi, atau admin akun berubah",
    }),
    "twofa_hygiene": ("medium", {
        "en": "two-factor authentication is missing or weak",
        "id": "verifikasi dua langkah belum aktif atau lemah",
    }),
    "engine_failure": ("medium", {
        "en": "a check engine failed, so posts were not fully checked",
        "id": "mesin pemeriksa gagal, jadi unggahan tidak diperiksa penuh",
    }),
    "alert_delivery_failure": ("high", {
        "en": "alerts could not be delivered",
        "id": "peringatan tidak dapat dikirim",
    }),
    "activity_burst": ("medium", {
        "en": "an unusual burst of posts, follows or logins in a short time",
        "id": "lonjakan unggahan, follow, atau login yang tidak biasa dalam waktu singkat",
    }),
    "unapproved_publication": ("high", {
        "en": "a post that needed approval was published without it",
        "id": "unggahan yang wajib disetujui terbit tanpa persetujuan",
    }),
}  # fmt: skip


def kind_description(kind: str, lang: str = "en") -> str:
    """What an incident kind means, for people (empty for a kind a plugin made up)."""
    return localized(KINDS[kind][1], lang) if kind in KINDS else ""


@dataclass(frozen=True)
class Note:
    """One entry of an incident's timeline."""

    id: int
    at: datetime
    actor: str
    kind: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "kind": self.kind,
            "text": self.text,
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class Incident:
    """An incident as callers see it (a snapshot; the stored row is ``smguard.records.tables``')."""

    id: int
    kind: str
    severity: str
    status: str
    title: str
    account: str | None
    category: str | None
    dedupe_key: str
    evidence: Mapping[str, Any]
    sightings: int
    created_at: datetime
    last_seen_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    notes: tuple[Note, ...] = ()

    @classmethod
    def from_row(cls, row: m.Incident) -> Incident:
        return cls(
            id=row.id,
            kind=row.kind,
            severity=row.severity,
            status=row.status,
            title=row.title,
            account=row.account,
            category=row.category,
            dedupe_key=row.dedupe_key,
            evidence=dict(row.evidence or {}),
            sightings=row.sightings,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            acknowledged_by=row.acknowledged_by,
            acknowledged_at=row.acknowledged_at,
            resolved_by=row.resolved_by,
            resolved_at=row.resolved_at,
            resolution=row.resolution,
            notes=tuple(
                Note(n.id, n.at, n.actor, n.kind, n.text, dict(n.data or {})) for n in row.notes
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times in ISO 8601 (UTC), the timeline as ``notes``."""

        def iso(when: datetime | None) -> str | None:
            return when.isoformat() if when else None

        return {
            "id": self.id,
            "kind": self.kind,
            "severity": self.severity,
            "status": self.status,
            "title": self.title,
            "account": self.account,
            "category": self.category,
            "dedupe_key": self.dedupe_key,
            "sightings": self.sightings,
            "created_at": iso(self.created_at),
            "last_seen_at": iso(self.last_seen_at),
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": iso(self.acknowledged_at),
            "resolved_by": self.resolved_by,
            "resolved_at": iso(self.resolved_at),
            "resolution": self.resolution,
            "evidence": dict(self.evidence),
            "notes": [n.to_dict() for n in self.notes],
        }
