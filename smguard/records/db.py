"""The database: where it is, how to connect, and keeping its schema current.

The embedded default is SQLite (WAL mode) in the user's data folder. ``storage.url`` in
``smguard.toml`` or ``SMGUARD_DATABASE_URL`` selects another database, typically PostgreSQL
(``postgresql+psycopg://user@host/db``) for a team. Migrations (Alembic, shipped inside the
package) run automatically on first use and with ``smguard db upgrade``.

A database that cannot be reached raises :class:`~smguard.errors.StorageError` with the address
(password hidden) and the reason, in one line.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from smguard.config.core import StorageTable
from smguard.errors import StorageError

__all__ = ["Database", "database_url", "default_sqlite_path"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_upgrade_lock = threading.Lock()


def default_sqlite_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("smguard", appauthor=False)) / "smguard.records.db"


def database_url(storage: StorageTable | None = None, env: Mapping[str, str] | None = None) -> str:
    """``SMGUARD_DATABASE_URL`` > ``[storage] url`` > SQLite in the user's data folder."""
    env = os.environ if env is None else env
    if env.get("SMGUARD_DATABASE_URL"):
        return env["SMGUARD_DATABASE_URL"]
    if storage is not None and storage.url:
        return storage.url
    return f"sqlite:///{default_sqlite_path()}"


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def _reason(exc: SQLAlchemyError) -> str:
    """The first line of what went wrong, never the SQL statement or its parameters.

    SQLAlchemy's own text appends ``[SQL: …]`` and ``[parameters: …]``: other rows' data (events,
    addresses) that must not reach a terminal or a log.
    """
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else (exc.args[0] if exc.args else type(exc).__name__)
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    first = lines[0] if lines else type(exc).__name__
    return first.split("[SQL:", 1)[0].strip()[:300] or type(exc).__name__


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """A connection pool plus a session factory; migrates the schema on first use."""

    def __init__(self, url: str, *, migrate: bool = True, **engine_options: Any) -> None:
        self.url = url
        self.safe_url = _safe(url)
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StorageError(f"not a database URL: {self.safe_url}") from None
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {"future": True, **engine_options}
        if self.dialect == "postgresql":
            options.setdefault("pool_pre_ping", True)
            options.setdefault("connect_args", {"connect_timeout": 10})
        try:
            self.engine: Engine = create_engine(url, **options)
        except (ArgumentError, ImportError) as exc:
            raise StorageError(f"cannot use database {self.safe_url}: {exc}") from None
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrated = False
        if migrate:
            self.upgrade()

    @classmethod
    def from_config(cls, storage: StorageTable | None = None, **kw: Any) -> Database:
        return cls(database_url(storage), **kw)

    def _alembic_config(self, connection: Any) -> Any:
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = connection
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Apply migrations up to ``revision`` (idempotent)."""
        from alembic import command

        with (
            _upgrade_lock,
            self._errors("upgrade the schema of"),
            self.engine.begin() as conn,
        ):
            if self.dialect == "postgresql":
                # One migrator at a time across processes.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7123401)")
            command.upgrade(self._alembic_config(conn), revision)
        self._migrated = True

    def downgrade(self, revision: str) -> None:
        from alembic import command

        with self._errors("downgrade the schema of"), self.engine.begin() as conn:
            command.downgrade(self._alembic_config(conn), revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self._errors("read"), self.engine.connect() as conn:
            rev: str | None = MigrationContext.configure(conn).get_current_revision()
            return rev

    def tables(self) -> list[str]:
        with self._errors("read"):
            return sorted(inspect(self.engine).get_table_names())

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except (OperationalError, DBAPIError) as exc:
            raise StorageError(
                f"cannot {doing} the database {self.safe_url}: {_reason(exc)}"
            ) from None
        except SQLAlchemyError as exc:
            raise StorageError(f"database {self.safe_url}: {_reason(exc)}") from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        with self._errors("use"):
            session = self._sessions()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        # Observers (the on_event hook) hear only about what was really committed.
        for callback in session.info.pop("smguard_after_commit", []):
            callback()

    def dispose(self) -> None:
        self.engine.dispose()
