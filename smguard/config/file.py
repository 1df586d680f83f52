"""The whole of ``smguard.toml`` as one schema: what ``smguard schema config`` prints.

Loading does not convert the file in one go (a table of named tables is checked entry by entry,
so errors can name the entry); this struct lists the sections and gives the JSON Schema.
"""

from __future__ import annotations

from typing import Any

from smguard.config.accounts import AccountTable
from smguard.config.core import (
    GuardSettings,
    IncidentsTable,
    PluginsTable,
    RulesTable,
    StorageTable,
    WatchSettings,
)
from smguard.config.policy import PolicyTable
from smguard.config.schema import Table, json_schema
from smguard.config.security import (
    AdminTable,
    ApprovalsTable,
    OrganisationTable,
    SecurityTable,
)

__all__ = ["ConfigFile", "config_schema"]


class ConfigFile(Table, frozen=True):
    """smguard.toml: every section is optional."""

    unknown_key = "unknown section"

    guard: GuardSettings | None = None
    plugins: PluginsTable | None = None
    rules: RulesTable | None = None
    policy: PolicyTable | None = None
    accounts: dict[str, AccountTable] | None = None
    storage: StorageTable | None = None
    incidents: IncidentsTable | None = None
    alerts: dict[str, Any] | None = None
    clarify: dict[str, Any] | None = None
    organisation: OrganisationTable | None = None
    security: SecurityTable | None = None
    approvals: ApprovalsTable | None = None
    admins: dict[str, AdminTable] | None = None
    detectors: dict[str, Any] | None = None
    watch: WatchSettings | None = None


def config_schema() -> dict[str, Any]:
    """The JSON Schema of ``smguard.toml`` (as parsed from TOML)."""
    schema = json_schema(ConfigFile)
    schema["title"] = "smguard.toml"
    return schema
