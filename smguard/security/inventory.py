"""The inventory: which accounts exist, who may do what on them, and who has left.

Accounts and admins live in the database. They can be declared in ``smguard.toml``
(``[accounts.NAME]``, ``[admins.NAME]``), managed with ``smguard accounts …`` / ``smguard admins
…``, or both. :func:`sync_inventory` copies the file into the database before every security
command, and these rules decide conflicts:

* **The file wins for what it says.** A field set in ``smguard.toml`` overwrites the database at
  every sync, and the CLI refuses to change it ("change it in smguard.toml"). Fields the file
  does not set, and accounts or admins it does not declare, are the CLI's.
* **Roles** from the file are marked as such: removing a role from the file removes it from the
  database at the next sync; a role granted with the CLI is kept until revoked with the CLI.
* **Departure is sticky.** ``status = "departed"`` in the file departs the admin; an admin
  departed with ``smguard admins depart`` stays departed even while the file still lists them
  as active — only ``smguard admins reactivate`` (audited) brings them back. A departed admin is
  refused everything (approvals, vault codes, enrolment) whatever roles the database holds, and
  ``smguard audit 2fa`` reports roles the file still gives them as critical.

Every change, including each sync that changed something, is an audit event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smguard.config.security import (
    GLOBAL,
    ROLES,
    TWO_FACTOR_METHODS,
    normalise_email,
    normalise_phone,
    valid_name,
)
from smguard.records.tables import (
    SecAccount,
    SecAdmin,
    SecAdminTotp,
    SecBackupCode,
    SecRole,
    SecVaultSeed,
)
from smguard.security.errors import InventoryError

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "ACCOUNT_FIELDS",
    "Departure",
    "account_row",
    "add_account",
    "add_admin",
    "admin_row",
    "aware",
    "depart",
    "grant",
    "has_role",
    "reactivate",
    "remove_account",
    "revoke",
    "roles_of",
    "sync_inventory",
    "update_account",
    "update_admin",
]

#: Account fields the CLI can set (``smguard accounts add/set``).
ACCOUNT_FIELDS: tuple[str, ...] = (
    "platform",
    "handle",
    "timezone",
    "two_factor",
    "recovery_email",
    "recovery_phone",
)
ADMIN_FIELDS: tuple[str, ...] = ("email", "phone")
CONFIG, CLI = "config", "cli"


def utcnow() -> datetime:
    """The clock of account security (one place, so tests can set it)."""
    return datetime.now(UTC)


def aware(now: datetime | None) -> datetime:
    """``now`` as an aware UTC time (the current time when ``None``)."""
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("a naive datetime was given; pass an aware time (UTC)")
    return now.astimezone(UTC)


# -- lookups -----------------------------------------------------------------------------------


def admin_row(session: Session, name: str, *, lock: bool = False) -> SecAdmin:
    query = select(SecAdmin).where(SecAdmin.name == name)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise InventoryError(
            f"no admin named {name!r} (see `smguard admins list`; add one with "
            f"`smguard admins add {name}` or [admins.{name}] in smguard.toml)",
            f"tidak ada admin bernama {name!r} (lihat `smguard admins list`; tambahkan dengan "
            f"`smguard admins add {name}` atau [admins.{name}] di smguard.toml)",
        )
    return row


def account_row(session: Session, name: str, *, lock: bool = False) -> SecAccount:
    query = select(SecAccount).where(SecAccount.name == name)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise InventoryError(
            f"no account named {name!r} (see `smguard accounts list`; add one with "
            f"`smguard accounts add {name}` or [accounts.{name}] in smguard.toml)",
            f"tidak ada akun bernama {name!r} (lihat `smguard accounts list`; tambahkan dengan "
            f"`smguard accounts add {name}` atau [accounts.{name}] di smguard.toml)",
        )
    return row


def roles_of(session: Session, admin: SecAdmin) -> list[SecRole]:
    return list(
        session.execute(
            select(SecRole)
            .where(SecRole.admin_id == admin.id)
            .order_by(SecRole.account, SecRole.role)
        ).scalars()
    )


def has_role(session: Session, admin: SecAdmin, account: str | None, roles: Iterable[str]) -> bool:
    """Whether an *active* admin holds one of ``roles`` on ``account`` or on every account."""
    if admin.status != "active":
        return False
    accounts = [GLOBAL] if account is None else [GLOBAL, account]
    found = session.execute(
        select(SecRole.role).where(
            SecRole.admin_id == admin.id,
            SecRole.account.in_(accounts),
            SecRole.role.in_(list(roles)),
        )
    ).first()
    return found is not None


# -- sync from smguard.toml ------------------------------------------------------------------


def _declared_account_fields(config: Any, name: str) -> dict[str, Any]:
    """The account fields ``smguard.toml`` sets for ``name``, with their values."""
    raw = config.raw.get("accounts", {}).get(name, {})
    settings = config.accounts[name]
    inv = settings.inventory
    values = {
        "platform": settings.platform,
        "handle": inv.handle,
        "timezone": settings.timezone,
        "two_factor": inv.two_factor,
        "recovery_email": inv.recovery_email,
        "recovery_phone": inv.recovery_phone,
    }
    return {k: v for k, v in values.items() if k in raw}


def _declared_admin_fields(config: Any, name: str) -> dict[str, Any]:
    admin = config.admins[name]
    values = {"email": admin.email, "phone": admin.phone}
    return {k: v for k, v in values.items() if k in admin.declared}


def _config_roles(config: Any) -> set[tuple[str, str, str]]:
    """(admin, account, role) triples the file grants."""
    out: set[tuple[str, str, str]] = set()
    for name, admin in config.admins.items():
        for role, account in admin.roles:
            out.add((name, account, role))
    for account, settings in config.accounts.items():
        for admin_name, role in settings.inventory.roles():
            out.add((admin_name, account, role))
    return out


def sync_inventory(store: Store, *, now: datetime | None = None) -> list[str]:
    """Copy ``smguard.toml``'s accounts, admins and roles into the database (see the module doc).

    Returns what changed, in words; writes one ``inventory.synced`` audit event when anything did.
    Two processes syncing the same new file at once: the loser retries and finds nothing to do.
    """
    from smguard.errors import StorageError

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
            report = _depart(s, adm, now, config.security.vault_roles)
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
        declared = _declared_account_fields(config, name)
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
        declared = _declared_admin_fields(config, name)
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
    wanted = _config_roles(config)
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


# -- accounts ----------------------------------------------------------------------------------


def _check_account_values(values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in ACCOUNT_FIELDS:
            raise InventoryError(f"{key}: not an account field ({', '.join(ACCOUNT_FIELDS)})")
        if value is None or value == "":
            clean[key] = None
            continue
        value = str(value).strip()
        if key == "two_factor" and value not in TWO_FACTOR_METHODS:
            raise InventoryError(
                f"two_factor: {value!r} is not one of {', '.join(TWO_FACTOR_METHODS)}",
                f"two_factor: {value!r} bukan salah satu dari {', '.join(TWO_FACTOR_METHODS)}",
            )
        if key == "recovery_email":
            if "@" not in value:
                raise InventoryError(f"recovery_email: {value!r} is not an e-mail address")
            value = normalise_email(value)
        if key == "recovery_phone":
            value = normalise_phone(value)
        if key == "timezone":
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise InventoryError(f"timezone: unknown time zone {value!r}") from None
        clean[key] = value
    return clean


def _refuse_declared(what: str, name: str, keys: Iterable[str], declared: Iterable[str]) -> None:
    overlap = sorted(set(keys) & set(declared))
    if overlap:
        raise InventoryError(
            f"{what}.{name}.{overlap[0]} is set in smguard.toml, which wins; change it there",
            f"{what}.{name}.{overlap[0]} diatur di smguard.toml, yang berlaku; ubah di sana",
        )


def add_account(
    store: Store, name: str, values: Mapping[str, Any], *, actor: str, now: datetime | None = None
) -> None:
    now = aware(now)
    if not valid_name(name):
        raise InventoryError(
            f"{name!r} is not an account name (letters, digits, _ . -; no spaces)",
            f"{name!r} bukan nama akun (huruf, angka, _ . -; tanpa spasi)",
        )
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
    if name in store.config.accounts:
        _refuse_declared("accounts", name, clean, _declared_account_fields(store.config, name))
    with store.session() as s:
        row = account_row(s, name, lock=True)
        before = {k: getattr(row, k) for k in clean}
        for key, value in clean.items():
            setattr(row, key, value)
        row.updated_at = now
        store.audit(
            s,
            "account.changed",
            actor=actor,
            subject=f"account:{name}",
            details={"before": before, "after": clean},
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


# -- admins ------------------------------------------------------------------------------------


def _check_admin_values(values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in ADMIN_FIELDS:
            raise InventoryError(f"{key}: not an admin field ({', '.join(ADMIN_FIELDS)})")
        if value is None or value == "":
            clean[key] = None
        elif key == "email":
            if "@" not in str(value):
                raise InventoryError(f"email: {value!r} is not an e-mail address")
            clean[key] = normalise_email(str(value))
        else:
            clean[key] = normalise_phone(str(value))
    return clean


def add_admin(
    store: Store,
    name: str,
    values: Mapping[str, Any],
    *,
    actor: str,
    now: datetime | None = None,
) -> None:
    now = aware(now)
    if not valid_name(name):
        raise InventoryError(
            f"{name!r} is not an admin name (letters, digits, _ . -; no spaces)",
            f"{name!r} bukan nama admin (huruf, angka, _ . -; tanpa spasi)",
        )
    clean = _check_admin_values(values)
    with store.session() as s:
        if s.execute(select(SecAdmin.id).where(SecAdmin.name == name)).first():
            raise InventoryError(f"admin {name} already exists", f"admin {name} sudah ada")
        s.add(SecAdmin(name=name, status="active", source=CLI, created_at=now, **clean))
        s.flush()
        store.audit(s, "admin.added", actor=actor, subject=f"admin:{name}", details=clean)


def update_admin(store: Store, name: str, values: Mapping[str, Any], *, actor: str) -> None:
    clean = _check_admin_values(values)
    if name in store.config.admins:
        _refuse_declared("admins", name, clean, _declared_admin_fields(store.config, name))
    with store.session() as s:
        row = admin_row(s, name, lock=True)
        before = {k: getattr(row, k) for k in clean}
        for key, value in clean.items():
            setattr(row, key, value)
        store.audit(
            s,
            "admin.changed",
            actor=actor,
            subject=f"admin:{name}",
            details={"before": before, "after": clean},
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


# -- departure ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Departure:
    """Everything a departing admin could still reach, and what smguard revoked."""

    admin: str
    #: (account, role) pairs they held; ``*`` is every account.
    roles: Sequence[tuple[str, str]] = ()
    #: Accounts whose platform login codes they could get from the vault.
    vault_accounts: Sequence[str] = ()
    #: Vault seeds they added themselves: they have seen the seed, so rotate it on the platform.
    seeds_seen: Sequence[str] = ()
    #: (account, "email" | "phone") where the platform's recovery contact is theirs.
    recovery: Sequence[tuple[str, str]] = ()
    #: Roles smguard.toml still gives them (they come back at the next sync, inert but reported).
    config_roles: Sequence[tuple[str, str]] = ()
    had_totp: bool = False
    backup_codes_left: int = 0
    #: The admin had departed before: this run revoked whatever had come back.
    again: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "admin": self.admin,
            "roles": [list(r) for r in self.roles],
            "vault_accounts": list(self.vault_accounts),
            "seeds_seen": list(self.seeds_seen),
            "recovery": [list(r) for r in self.recovery],
            "config_roles": [list(r) for r in self.config_roles],
            "had_totp": self.had_totp,
            "backup_codes_left": self.backup_codes_left,
            "again": self.again,
        }


def reach(session: Session, admin: SecAdmin, vault_roles: Iterable[str]) -> Departure:
    """What ``admin`` can reach now (used by ``depart`` before revoking, and by the audit)."""
    roles = [(r.account, r.role) for r in roles_of(session, admin)]
    vault_roles = set(vault_roles)
    seeded = list(
        session.execute(
            select(SecAccount.name, SecVaultSeed.added_by).join(
                SecVaultSeed, SecVaultSeed.account_id == SecAccount.id
            )
        )
    )
    everywhere = any(a == GLOBAL and r in vault_roles for a, r in roles)
    mine = {a for a, r in roles if r in vault_roles}
    vault_accounts = sorted(name for name, _ in seeded if everywhere or name in mine)
    seeds_seen = sorted(name for name, by in seeded if by == admin.name)
    recovery: list[tuple[str, str]] = []
    for acc in session.execute(select(SecAccount).order_by(SecAccount.name)).scalars():
        if admin.email and acc.recovery_email and acc.recovery_email == admin.email:
            recovery.append((acc.name, "email"))
        if admin.phone and acc.recovery_phone and acc.recovery_phone == admin.phone:
            recovery.append((acc.name, "phone"))
    totp = session.get(SecAdminTotp, admin.id)
    left = len(
        list(
            session.execute(
                select(SecBackupCode.id).where(
                    SecBackupCode.admin_id == admin.id, SecBackupCode.used_at.is_(None)
                )
            )
        )
    )
    return Departure(
        admin=admin.name,
        roles=roles,
        vault_accounts=vault_accounts,
        seeds_seen=seeds_seen,
        recovery=recovery,
        had_totp=bool(totp and (totp.seed_ciphertext or totp.pending_ciphertext)),
        backup_codes_left=left,
    )


def _depart(
    session: Session, admin: SecAdmin, now: datetime, vault_roles: Iterable[str]
) -> Departure:
    report = reach(session, admin, vault_roles)
    admin.status = "departed"
    admin.departed_at = now
    session.execute(delete(SecRole).where(SecRole.admin_id == admin.id))
    session.execute(delete(SecBackupCode).where(SecBackupCode.admin_id == admin.id))
    session.execute(delete(SecAdminTotp).where(SecAdminTotp.admin_id == admin.id))
    session.flush()
    return report


def depart(store: Store, name: str, *, actor: str, now: datetime | None = None) -> Departure:
    """Mark ``name`` departed and revoke smguard-side access, in one transaction.

    Running it again for someone already departed revokes whatever came back (``again``).

    Revoked: every role, the personal TOTP enrolment and the backup codes. Not revocable from
    here, so listed in the report for a person to act on: the platform recovery contacts that
    are theirs, and the vault seeds they have seen.
    """
    now = aware(now)
    with store.session() as s:
        admin = admin_row(s, name, lock=True)
        again = admin.status == "departed"
        departed_at = admin.departed_at
        report = _depart(s, admin, now, store.config.security.vault_roles)
        if again:  # revoke whatever came back; the departure keeps its date
            admin.departed_at = departed_at
        config_roles = sorted(
            (account, role) for who, account, role in _config_roles(store.config) if who == name
        )
        report = replace(report, config_roles=config_roles, again=again)
        store.audit(
            s, "admin.departed", actor=actor, subject=f"admin:{name}", details=report.to_dict()
        )
    return report


def reactivate(store: Store, name: str, *, actor: str) -> None:
    with store.session() as s:
        admin = admin_row(s, name, lock=True)
        if admin.status == "active":
            raise InventoryError(f"{name} is already active", f"{name} sudah aktif")
        admin.status = "active"
        admin.departed_at = None
        store.audit(s, "admin.reactivated", actor=actor, subject=f"admin:{name}")
