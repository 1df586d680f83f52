"""Accounts in the inventory: adding, changing and removing them (``smguard accounts``).

A field that ``smguard.toml`` sets is refused here ("change it there"); removing an account
deletes its vault seed and the roles on it. Every change is an audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from smguard.config.security import TWO_FACTOR_METHODS
from smguard.records.tables import SecAccount, SecRole, SecVaultSeed
from smguard.security.clock import aware
from smguard.security.errors import InventoryError
from smguard.security.inventory import (
    ACCOUNT_FIELDS,
    CLI,
    account_row,
    change_row,
    clean_contact,
    clean_values,
    declared_account_fields,
    refuse_declared,
    require_name,
)

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["add_account", "remove_account", "update_account"]


def _account_value(key: str, text: str) -> str:
    value = text.strip()
    if key == "two_factor" and value not in TWO_FACTOR_METHODS:
        raise InventoryError(
            f"two_factor: {value!r} is not one of {', '.join(TWO_FACTOR_METHODS)}",
            f"two_factor: {value!r} bukan salah satu dari {', '.join(TWO_FACTOR_METHODS)}",
        )
    if key in ("recovery_email", "recovery_phone"):
        return clean_contact(key, value)
    if key == "timezone":
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise InventoryError(f"timezone: unknown time zone {value!r}") from None
    return value


def _check_account_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return clean_values(values, ACCOUNT_FIELDS, "account", _account_value)


def add_account(
    store: Store, name: str, values: Mapping[str, Any], *, actor: str, now: datetime | None = None
) -> None:
    now = aware(now)
    require_name(name, "account", "akun")
    clean = _check_account_values(values)
    with store.session() as s:
        if s.execute(select(SecAccount.id).where(SecAccount.name == name)).first():
            raise InventoryError(
                f"account {name} already exists (change it with `smguard accounts set`)",
                f"akun {name} sudah ada (ubah dengan `smguard accounts set`)",
            )
        s.add(SecAccount(name=name, source=CLI, created_at=now, updated_at=now, **clean))
        s.flush()
        store.audit(s, "account.added", actor=actor, subject=f"account:{name}", details=clean)


def update_account(
    store: Store, name: str, values: Mapping[str, Any], *, actor: str, now: datetime | None = None
) -> None:
    now = aware(now)
    clean = _check_account_values(values)
    refuse_declared("accounts", name, clean, declared_account_fields(store.config, name))
    with store.session() as s:
        row = account_row(s, name, lock=True)
        row.updated_at = now
        change_row(
            store, s, row, clean, action="account.changed", actor=actor, subject=f"account:{name}"
        )


def remove_account(store: Store, name: str, *, actor: str) -> None:
    if name in store.config.accounts:
        raise InventoryError(
            f"account {name} is declared in smguard.toml; remove [accounts.{name}] there first",
            f"akun {name} dideklarasikan di smguard.toml; hapus [accounts.{name}] di sana dulu",
        )
    with store.session() as s:
        row = account_row(s, name, lock=True)
        had_seed = s.get(SecVaultSeed, row.id) is not None
        s.execute(delete(SecVaultSeed).where(SecVaultSeed.account_id == row.id))
        s.execute(delete(SecRole).where(SecRole.account == name))
        s.delete(row)
        store.audit(
            s,
            "account.removed",
            actor=actor,
            subject=f"account:{name}",
            details={"vault_seed_deleted": had_seed},
        )
