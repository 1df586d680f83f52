"""Reading clarifications back: one with every version, or a filtered list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from smguard.errors import InputError
from smguard.records import tables as m
from smguard.records.clarify.model import STATUSES, Clarification
from smguard.records.errors import ClarificationNotFound

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["get_clarification", "list_clarifications"]


def get_clarification(store: Store, clarification_id: int) -> Clarification:
    """One clarification with every version."""
    with store.session() as session:
        row = session.execute(
            select(m.Clarification)
            .where(m.Clarification.id == clarification_id)
            .options(selectinload(m.Clarification.versions))
        ).scalar_one_or_none()
        if row is None:
            raise ClarificationNotFound(clarification_id)
        return Clarification.from_row(row)


def list_clarifications(
    store: Store, *, incident_id: int | None = None, status: str | None = None
) -> list[Clarification]:
    """Clarifications, newest first, each with every version."""
    query = select(m.Clarification).options(selectinload(m.Clarification.versions))
    if incident_id is not None:
        query = query.where(m.Clarification.incident_id == incident_id)
    if status is not None:
        if status not in STATUSES:
            raise InputError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
        query = query.where(m.Clarification.status == status)
    with store.session() as session:
        rows = session.execute(query.order_by(m.Clarification.id.desc())).scalars()
        return [Clarification.from_row(r) for r in rows]
