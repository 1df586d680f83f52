"""Admins in the inventory: adding them, changing their contacts, granting and revoking roles
(``smguard admins``; departures are :mod:`smguard.security.departure`).

A field or role that ``smguard.toml`` sets is refused here ("change it there"); a departed admin
gets no role until reactivated. Every change is an audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from smguard.config.security import GLOBAL, ROLES
from smguard.records.tables import SecAdmin, SecRole
from smguard.security.clock import aware
from smguard.security.errors import InventoryError
from smguard.security.inventory import (
    ADMIN_FIELDS,
    CLI,
    CONFIG,
    account_row,
    admin_row,
    change_row,
    clean_contact,
    clean_values,
    declared_admin_fields,
    refuse_declared,
    require_name,
)

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["add_admin", "grant", "revoke", "update_admin"]


def _check_admin_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return clean_values(values, ADMIN_FIELDS, "admin", clean_contact)


def add_admin(
    store: Store,
    name: str,
    values: Mapping[str, Any],
    *,
    actor: str,
    now: datetime | None = None,
) -> None:
    now = aware(now)
    require_name(name, "admin", "admin")
    clean = _check_admin_values(values)
    with store.session() as s:
        if s.execute(select(SecAdmin.id).where(SecAdmin.name == name)).first():
            raise InventoryError(f"admin {name} already exists", f"admin {name} sudah ada")
        s.add(SecAdmin(name=name, status="active", source=CLI, created_at=now, **clean))
        s.flush()
        store.audit(s, "admin.added", actor=actor, subject=f"admin:{name}", details=clean)


def update_admin(store: Store, name: str, values: Mapping[str, Any], *, actor: str) -> None:
    clean = _check_admin_values(values)
    refuse_declared("admins", name, clean, declared_admin_fields(store.config, name))
    with store.session() as s:
        row = admin_row(s, name, lock=True)
        change_row(
            store, s, row, clean, action="admin.changed", actor=actor, subject=f"admin:{name}"
        )


def _role_args(role: str, account: str | None) -> str:
    if role not in ROLES:
        raise InventoryError(
            f"{role!r} is not a role (one of {', '.join(ROLES)})",
            f"{role!r} bukan peran (salah satu dari {', '.join(ROLES)})",
        )
    return account or GLOBAL


def grant(
    store: Store,
    name: str,
    role: str,
    account: str | None,
    *,
    actor: str,
    now: datetime | None = None,
) -> bool:
    """Give ``name`` a role on ``account`` (``None``: every account); False if already held."""
    now = aware(now)
    target = _role_args(role, account)
    with store.session() as s:
        admin = admin_row(s, name, lock=True)
        if admin.status != "active":
            raise InventoryError(
                f"{name} has departed; run `smguard admins reactivate {name}` first",
                f"{name} sudah keluar; jalankan `smguard admins reactivate {name}` dulu",
            )
        if target != GLOBAL:
            account_row(s, target)
        if s.get(SecRole, (admin.id, target, role)) is not None:
            return False
        s.add(SecRole(admin_id=admin.id, account=target, role=role, source=CLI, granted_at=now))
        s.flush()
        store.audit(
            s,
            "admin.role_granted",
            actor=actor,
            subject=f"admin:{name}",
            details={"role": role, "account": target},
        )
    return True


def revoke(store: Store, name: str, role: str, account: str | None, *, actor: str) -> bool:
    target = _role_args(role, account)
    with store.session() as s:
        admin = admin_row(s, name, lock=True)
        row = s.get(SecRole, (admin.id, target, role))
        if row is None:
            return False
        if row.source == CONFIG:
            raise InventoryError(
                f"the {role} role of {name} on {target} comes from smguard.toml; remove it there",
                f"peran {role} milik {name} di {target} berasal dari smguard.toml; hapus di sana",
            )
        s.delete(row)
        store.audit(
            s,
            "admin.role_revoked",
            actor=actor,
            subject=f"admin:{name}",
            details={"role": role, "account": target},
        )
    return True
