"""Reading incidents back: one with its timeline, or a filtered list."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from smguard.errors import InputError
from smguard.records import tables as m
from smguard.records.errors import IncidentNotFound
from smguard.records.incidents.model import STATUSES, Incident
from smguard.records.incidents.rows import severity_label
from smguard.types import Severity

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["get", "list_incidents"]


def get(store: Store, incident_id: int) -> Incident:
    """One incident with its whole timeline."""
    with store.session() as session:
        row = session.execute(
            select(m.Incident)
            .where(m.Incident.id == incident_id)
            .options(selectinload(m.Incident.notes))
        ).scalar_one_or_none()
        if row is None:
            raise IncidentNotFound(incident_id)
        return Incident.from_row(row)


def list_incidents(
    store: Store,
    *,
    status: str | Iterable[str] | None = None,
    severity: str | Severity | None = None,
    account: str | None = None,
    since: datetime | None = None,
    kind: str | Iterable[str] | None = None,
    category: str | None = None,
    limit: int | None = None,
) -> list[Incident]:
    """Incidents, newest first. ``severity`` means *at least* that severity; ``since`` compares
    with the last sighting, so an old incident seen again today is listed."""
    query = select(m.Incident).options(selectinload(m.Incident.notes))
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        unknown = sorted(set(wanted) - set(STATUSES))
        if unknown:
            raise InputError(f"unknown status {unknown[0]!r} (one of {', '.join(STATUSES)})")
        query = query.where(m.Incident.status.in_(wanted))
    if severity is not None:
        floor = Severity.parse(severity_label(severity))
        query = query.where(m.Incident.severity.in_([s.label for s in Severity if s >= floor]))
    if account is not None:
        query = query.where(m.Incident.account == account)
    if since is not None:
        if since.tzinfo is None:
            raise InputError("'since' needs a time zone")
        query = query.where(m.Incident.last_seen_at >= since)
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        query = query.where(m.Incident.kind.in_(kinds))
    if category is not None:
        query = query.where(m.Incident.category == category)
    query = query.order_by(m.Incident.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with store.session() as session:
        return [Incident.from_row(row) for row in session.execute(query).scalars()]
