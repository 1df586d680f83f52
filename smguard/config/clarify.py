"""``[clarify]``: who signs clarifications, where followers can ask, a template folder, and
per-account overrides (docs/clarifications.md).

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
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from smguard.config.schema import NON_EMPTY, Table, convert, convert_each
from smguard.errors import ConfigError

__all__ = ["ClarifyAccountTable", "ClarifySettings", "ClarifyTable", "clarify_settings"]

_ORGANISATION = Meta(description="The organisation's name as its followers know it.")
_CONTACT = Meta(description="Where followers can ask: an official DM, a call centre.")


class ClarifyAccountTable(Table, frozen=True):
    """``[clarify.accounts.NAME]``: how one account's clarifications are signed."""

    handle: Annotated[NON_EMPTY, Meta(description="The account as followers see it.")] | None = None
    organisation: Annotated[NON_EMPTY, _ORGANISATION] | None = None
    contact: Annotated[NON_EMPTY, _CONTACT] | None = None


class ClarifyTable(Table, frozen=True):
    """``[clarify]``: what the clarification templates fill in."""

    organisation: Annotated[NON_EMPTY, _ORGANISATION] | None = None
    contact: Annotated[NON_EMPTY, _CONTACT] | None = None
    templates: (
        Annotated[
            NON_EMPTY, Meta(description="A folder of your own templates, relative to this file.")
        ]
        | None
    ) = None
    accounts: dict[str, ClarifyAccountTable] = msgspec.field(default_factory=dict)


class ClarifySettings(msgspec.Struct, frozen=True, kw_only=True):
    """``[clarify]`` as the templates read it (a struct: quicker to define than a dataclass)."""

    organisation: str | None = None
    contact: str | None = None
    templates: Path | None = None
    accounts: Mapping[str, Mapping[str, str]] = msgspec.field(default_factory=dict)

    def for_account(self, account: str | None) -> dict[str, str | None]:
        own = self.accounts.get(account or "", {})
        return {
            "organisation": own.get("organisation") or self.organisation,
            "contact": own.get("contact") or self.contact,
            "account": own.get("handle") or account,
        }


def clarify_settings(raw: Mapping[str, Any], base_dir: Path) -> ClarifySettings:
    """Check ``[clarify]``; ``templates`` is relative to ``base_dir`` (the file's folder)."""
    accounts = convert_each(raw.get("accounts", {}), ClarifyAccountTable, "clarify.accounts")
    table = convert(raw, ClarifyTable, "clarify")
    templates: Path | None = None
    if table.templates is not None:
        templates = (base_dir / table.templates).resolve()
        if not templates.is_dir():
            raise ConfigError(f"clarify.templates: folder not found: {templates}")
    return ClarifySettings(
        organisation=table.organisation,
        contact=table.contact,
        templates=templates,
        accounts={name: _signed(account) for name, account in accounts.items()},
    )


def _signed(account: ClarifyAccountTable) -> dict[str, str]:
    values = {k: getattr(account, k) for k in ClarifyAccountTable.__struct_fields__}
    return {k: v.strip() for k, v in values.items() if v is not None}
