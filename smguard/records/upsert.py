"""INSERT … ON CONFLICT on both supported databases.

SQLite and PostgreSQL spell the statement the same way in SQLAlchemy, but through their own
dialect's ``insert``; :func:`insert_for` picks it from the session's connection, so callers write
``insert_for(session, Table).values(...).on_conflict_do_nothing(...)`` once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

from smguard.errors import StorageError

__all__ = ["insert_for"]


def insert_for(session: Session, target: type[DeclarativeBase] | Table) -> Any:
    """The dialect's INSERT for ``target`` (a mapped class or a table), with ``on_conflict_*``.

    Pass the table rather than the mapped class for a Core ``executemany``: each chunk is then
    sent as one multi-row ``INSERT … RETURNING``, where the ORM's bulk path would group rows by
    which columns are NULL.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(target)
    if dialect == "sqlite":
        return sqlite.insert(target)
    raise StorageError(f"smguard stores its records in SQLite or PostgreSQL, not {dialect}")
