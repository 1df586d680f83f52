"""Syncing ``smguard.toml``'s accounts, admins and roles into the database.

Accounts and admins live in the database. They can be declared in ``smguard.toml``
(``[accounts.NAME]``, ``[admins.NAME]``), managed with ``smguard accounts …`` / ``smguard admins
…``, or both. :func:`sync_inventory` copies the file into the database before every security
command, and these rules decide conflicts:

* **The file wins for what it says.** A field set in ``smguard.toml`` overwrites the database at
  every sync, and the CLI refuses to change it ("change it in smguard.toml"). Fields the file
  does not set, and accounts or admins it does not declare, are the CLI's.
* **Roles** from the file are marked as such: removing a role from the file removes it from the
  database at the next sync; a role granted with the CLI is kept until revoked with the CLI.
* **Departure is sticky** (see :mod:`smguard.security.departure`): ``status = "departed"`` in the
  file departs the admin, but the file listing them as active does not bring them back.

Every sync that changed something is an ``inventory.synced`` audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.config.security import GLOBAL
from smguard.errors import StorageError
from smguard.records.tables import SecAccount, SecAdmin, SecRole
from smguard.security.clock import aware
from smguard.security.departure import depart_in
from smguard.security.errors import InventoryError
from smguard.security.inventory import (
    CLI,
    CONFIG,
    config_roles,
    declared_account_fields,
    declared_admin_fields,
)

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["sync_inventory"]


def sync_inventory(store: Store, *, now: datetime | None = None) -> list[str]:
    """Copy ``smguard.toml``'s accounts, admins and roles into the database (see the module doc).

    Returns what changed, in words; writes one ``inventory.synced`` audit event when anything did.
    Two processes syncing the same new file at once: the loser retries and finds nothing to do.
    """
    try:
        return _sync(store, aware(now))
    except StorageError:
        return _sync(store, aware(now))


def _sync(store: Store, now: datetime) -> list[str]:
    config = store.config
    changes: list[str] = []
    actor = str(config.path) if config.path else "smguard.toml"
    with store.session() as s:
        _sync_accounts(s, config, now, changes)
        admins, departures = _sync_admins(s, config, now, changes)
        _sync_roles(s, config, admins, now, changes, actor)
        for adm in departures:
            report = depart_in(s, adm, now, config.security.vault_roles)
            changes.append(f"admin {adm.name} departed (smguard.toml)")
            store.audit(
                s,
                "admin.departed",
                actor=actor,
                subject=f"admin:{adm.name}",
                details=report.to_dict(),
            )
        if changes:
            store.audit(s, "inventory.synced", actor=actor, details={"changes": changes})
    return changes


def _sync_accounts(s: Session, config: Any, now: datetime, changes: list[str]) -> None:
    accounts = {a.name: a for a in s.execute(select(SecAccount)).scalars()}
    for name in config.accounts:
        declared = declared_account_fields(config, name)
        acc = accounts.get(name)
        if acc is None:
            acc = SecAccount(name=name, source=CONFIG, created_at=now, updated_at=now)
            for key, value in declared.items():
                setattr(acc, key, value)
            s.add(acc)
            changes.append(f"account {name} added")
            continue
        changed = [k for k, v in declared.items() if getattr(acc, k) != v]
        for key in changed:
            setattr(acc, key, declared[key])
        if changed or acc.source != CONFIG:
            acc.source = CONFIG
            acc.updated_at = now
        if changed:
            changes.append(f"account {name}: {', '.join(changed)} from smguard.toml")
    for name, acc in accounts.items():
        if name not in config.accounts and acc.source == CONFIG:
            acc.source = CLI  # no longer in the file: the CLI manages it now
            changes.append(f"account {name} no longer in smguard.toml (kept)")


def _sync_admins(
    s: Session, config: Any, now: datetime, changes: list[str]
) -> tuple[dict[str, SecAdmin], list[SecAdmin]]:
    admins = {a.name: a for a in s.execute(select(SecAdmin)).scalars()}
    departures: list[SecAdmin] = []
    for name, spec in config.admins.items():
        declared = declared_admin_fields(config, name)
        adm = admins.get(name)
        if adm is None:
            adm = SecAdmin(name=name, status="active", source=CONFIG, created_at=now, **declared)
            s.add(adm)
            admins[name] = adm
            changes.append(f"admin {name} added")
        else:
            changed = [k for k, v in declared.items() if getattr(adm, k) != v]
            for key in changed:
                setattr(adm, key, declared[key])
            adm.source = CONFIG
            if changed:
                changes.append(f"admin {name}: {', '.join(changed)} from smguard.toml")
        if spec.status == "departed" and adm.status != "departed":
            departures.append(adm)
    for name, adm in admins.items():
        if name not in config.admins and adm.source == CONFIG:
            adm.source = CLI
            changes.append(f"admin {name} no longer in smguard.toml (kept)")
    s.flush()
    return admins, departures


def _sync_roles(
    s: Session,
    config: Any,
    admins: Mapping[str, SecAdmin],
    now: datetime,
    changes: list[str],
    actor: str,
) -> None:
    wanted = config_roles(config)
    for admin_name, account, _role in sorted(wanted):
        if admin_name not in admins:
            where = (
                f"accounts.{account}"
                if account != GLOBAL and account in config.accounts
                else f"admins.{admin_name}"
            )
            raise InventoryError(
                f"{actor}: {where}: no admin named {admin_name!r}; declare [admins."
                f"{admin_name}] or run `smguard admins add {admin_name}`",
                f"{actor}: {where}: tidak ada admin bernama {admin_name!r}; tulis [admins."
                f"{admin_name}] atau jalankan `smguard admins add {admin_name}`",
            )
    by_id = {a.id: a.name for a in admins.values()}
    existing = {
        (by_id[r.admin_id], r.account, r.role): r for r in s.execute(select(SecRole)).scalars()
    }
    for triple, role_row in existing.items():
        if role_row.source == CONFIG and triple not in wanted:
            s.delete(role_row)
            who, account, role = triple
            changes.append(f"role {role} of {who} on {account} removed (not in smguard.toml)")
    for triple in sorted(wanted):
        who, account, role = triple
        if triple in existing:
            existing[triple].source = CONFIG
            continue
        s.add(
            SecRole(
                admin_id=admins[who].id, account=account, role=role, source=CONFIG, granted_at=now
            )
        )
        changes.append(f"role {role} of {who} on {account} from smguard.toml")
    s.flush()
