"""The records side of smguard in one handle: configuration, database and audit log.

Every module that writes records (check log, ledger, incidents, clarifications, alerts) takes a
:class:`Store`, opens a transaction with :meth:`Store.session`, makes its change, and records it
with :meth:`Store.audit` in the *same* transaction — so the audit log and the data never disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pluggy
from sqlalchemy.orm import Session

from smguard.config import Config
from smguard.config.plugins import check_settings
from smguard.records.audit import AuditRecord, append_event
from smguard.records.db import Database

__all__ = ["Store"]

log = logging.getLogger("smguard")


class Store:
    def __init__(
        self,
        config: Config | None = None,
        db: Database | None = None,
        pm: pluggy.PluginManager | None = None,
    ) -> None:
        self.config = config or Config()
        self.db = db or Database.from_config(self.config.storage)
        self._pm = pm
        self._checked = False

    @property
    def pm(self) -> pluggy.PluginManager:
        """The plugin manager; the first use checks the plugins' tables of the configuration."""
        if self._pm is None:
            from smguard.manager import get_plugin_manager

            self._pm = get_plugin_manager(self.config.disabled_plugins)
        if not self._checked:
            check_settings(self._pm, self.config)
            self._checked = True
        return self._pm

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.db.session() as session:
            yield session

    def audit(
        self,
        session: Session,
        action: str,
        *,
        actor: str,
        subject: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """Append an audit event to ``session``'s transaction; plugins hear of it on commit."""
        return append_event(
            session, action, actor=actor, subject=subject, details=details, notify=self._notify
        )

    def _notify(self, record: AuditRecord) -> None:
        # Observers must never break the change they observe.
        try:
            self.pm.hook.on_event(event=record)
        except Exception:
            log.exception("an on_event plugin hook failed for audit event #%s", record.seq)
