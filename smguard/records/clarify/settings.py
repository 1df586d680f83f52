"""``[clarify]``: the organisation, the contact, a template folder, per-account overrides.

::

    [clarify]
    organisation = "Kementerian Contoh"
    contact = "DM @kemcontoh atau call center 1500-000"
    templates = "./my-templates"          # optional, relative to smguard.toml

    [clarify.accounts.kemcontoh_x]        # optional, per account
    handle = "@KemContoh"
    organisation = "…"
    contact = "…"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smguard.errors import ConfigError

__all__ = ["ClarifySettings", "clarify_settings"]


@dataclass(frozen=True)
class ClarifySettings:
    organisation: str | None = None
    contact: str | None = None
    templates: Path | None = None
    accounts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def for_account(self, account: str | None) -> dict[str, str | None]:
        own = self.accounts.get(account or "", {})
        return {
            "organisation": own.get("organisation") or self.organisation,
            "contact": own.get("contact") or self.contact,
            "account": own.get("handle") or account,
        }


def clarify_settings(config: Any) -> ClarifySettings:
    """Validate ``[clarify]``; errors name the key."""
    table: Mapping[str, Any] = config.clarify
    where = f"{config.source}: clarify"
    known = {"organisation", "contact", "templates", "accounts"}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}.{key}: unknown setting (known: {', '.join(sorted(known))})")
    for key in ("organisation", "contact", "templates"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            raise ConfigError(f"{where}.{key}: must be a non-empty string")
    templates: Path | None = None
    if "templates" in table:
        base = config.path.parent if config.path else Path.cwd()
        templates = (base / table["templates"]).resolve()
        if not templates.is_dir():
            raise ConfigError(f"{where}.templates: folder not found: {templates}")
    accounts: dict[str, dict[str, str]] = {}
    raw_accounts = table.get("accounts", {})
    if not isinstance(raw_accounts, Mapping):
        raise ConfigError(f"{where}.accounts: must be a table ([clarify.accounts.NAME])")
    for name, acct in raw_accounts.items():
        if not isinstance(acct, Mapping):
            raise ConfigError(f"{where}.accounts.{name}: must be a table")
        for key, value in acct.items():
            if key not in ("handle", "organisation", "contact"):
                raise ConfigError(
                    f"{where}.accounts.{name}.{key}: unknown setting "
                    "(known: contact, handle, organisation)"
                )
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}.accounts.{name}.{key}: must be a non-empty string")
        accounts[name] = {k: v.strip() for k, v in acct.items()}
    return ClarifySettings(
        organisation=table.get("organisation"),
        contact=table.get("contact"),
        templates=templates,
        accounts=accounts,
    )
