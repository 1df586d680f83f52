"""What a clarification is: its statuses, the :class:`Clarification` and :class:`Version`
snapshots callers see, and reading a stored one for a change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from smguard.records import tables as m
from smguard.records.errors import ClarificationNotFound

__all__ = [
    "APPROVED",
    "DRAFT",
    "PUBLISHED",
    "STATUSES",
    "Clarification",
    "Version",
    "load",
    "snapshot",
]

DRAFT, APPROVED, PUBLISHED = "draft", "approved", "published"
STATUSES: tuple[str, ...] = (DRAFT, APPROVED, PUBLISHED)


@dataclass(frozen=True)
class Version:
    version: int
    text: str
    author: str
    created_at: datetime
    decision: str
    verdict: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
            "decision": self.decision,
            "verdict": dict(self.verdict),
        }


@dataclass(frozen=True)
class Clarification:
    id: int
    incident_id: int
    language: str
    status: str
    created_at: datetime
    created_by: str
    approved_by: str | None
    approved_at: datetime | None
    published_platform: str | None
    published_ref: str | None
    published_at: datetime | None
    versions: tuple[Version, ...]

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    @classmethod
    def from_row(cls, row: m.Clarification) -> Clarification:
        return cls(
            id=row.id,
            incident_id=row.incident_id,
            language=row.language,
            status=row.status,
            created_at=row.created_at,
            created_by=row.created_by,
            approved_by=row.approved_by,
            approved_at=row.approved_at,
            published_platform=row.published_platform,
            published_ref=row.published_ref,
            published_at=row.published_at,
            versions=tuple(
                Version(v.version, v.text, v.author, v.created_at, v.decision, dict(v.verdict))
                for v in row.versions
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        def iso(when: datetime | None) -> str | None:
            return when.isoformat() if when else None

        return {
            "id": self.id,
            "incident_id": self.incident_id,
            "language": self.language,
            "status": self.status,
            "created_at": iso(self.created_at),
            "created_by": self.created_by,
            "approved_by": self.approved_by,
            "approved_at": iso(self.approved_at),
            "published_platform": self.published_platform,
            "published_ref": self.published_ref,
            "published_at": iso(self.published_at),
            "versions": [v.to_dict() for v in self.versions],
        }


def load(session: Session, clarification_id: int) -> m.Clarification:
    """The stored clarification with its versions, locked for a change; refused when none."""
    row = session.execute(
        select(m.Clarification)
        .where(m.Clarification.id == clarification_id)
        .options(selectinload(m.Clarification.versions))
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise ClarificationNotFound(clarification_id)
    return row


def snapshot(session: Session, row: m.Clarification) -> Clarification:
    """The clarification as callers see it, after the change being made."""
    session.flush()
    session.refresh(row, ["versions"])
    return Clarification.from_row(row)
