"""The inventory in the database: finding accounts, admins and roles, and what ``smguard.toml``
declares of them.

The rest of :mod:`smguard.security` finds its rows here — :func:`account_row` and
:func:`admin_row` raise the "no such account/admin" message, :func:`has_role` is the role check
behind approvals and the vault (a departed admin holds nothing). :func:`declared_account_fields`,
:func:`declared_admin_fields` and :func:`config_roles` say what the file sets: that wins over the
CLI (the rules are in :mod:`smguard.security.sync`), and :func:`refuse_declared` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.config.security import GLOBAL, normalise_email, normalise_phone, valid_name
from smguard.records.tables import SecAccount, SecAdmin, SecRole
from smguard.security.errors import InventoryError

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "ACCOUNT_FIELDS",
    "ADMIN_FIELDS",
    "CLI",
    "CONFIG",
    "account_row",
    "admin_row",
    "change_row",
    "clean_contact",
    "clean_values",
    "config_roles",
    "declared_account_fields",
    "declared_admin_fields",
    "has_role",
    "refuse_declared",
    "require_name",
    "roles_of",
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
#: Admin fields the CLI can set (``smguard admins add/set``).
ADMIN_FIELDS: tuple[str, ...] = ("email", "phone")
#: Where a row or a role comes from (its ``source``): the file, or the CLI.
CONFIG, CLI = "config", "cli"

_Row = TypeVar("_Row", SecAccount, SecAdmin)


def _find(session: Session, table: type[_Row], name: str, lock: bool) -> _Row | None:
    query = select(table).where(table.name == name)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def admin_row(session: Session, name: str, *, lock: bool = False) -> SecAdmin:
    row = _find(session, SecAdmin, name, lock)
    if row is None:
        raise InventoryError(
            f"no admin named {name!r} (see `smguard admins list`; add one with "
            f"`smguard admins add {name}` or [admins.{name}] in smguard.toml)",
            f"tidak ada admin bernama {name!r} (lihat `smguard admins list`; tambahkan dengan "
            f"`smguard admins add {name}` atau [admins.{name}] di smguard.toml)",
        )
    return row


def account_row(session: Session, name: str, *, lock: bool = False) -> SecAccount:
    row = _find(session, SecAccount, name, lock)
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


# -- what smguard.toml declares ----------------------------------------------------------------


def declared_account_fields(config: Any, name: str) -> dict[str, Any]:
    """The account fields ``smguard.toml`` sets for ``name``, with their values."""
    if name not in config.accounts:
        return {}
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
    return {k: v for k, v in values.items() if k in settings.declared}


def declared_admin_fields(config: Any, name: str) -> dict[str, Any]:
    """The admin fields ``smguard.toml`` sets for ``name``, with their values."""
    if name not in config.admins:
        return {}
    admin = config.admins[name]
    values = {"email": admin.email, "phone": admin.phone}
    return {k: v for k, v in values.items() if k in admin.declared}


def config_roles(config: Any) -> set[tuple[str, str, str]]:
    """(admin, account, role) triples the file grants."""
    out: set[tuple[str, str, str]] = set()
    for name, admin in config.admins.items():
        for role, account in admin.roles:
            out.add((name, account, role))
    for account, settings in config.accounts.items():
        for admin_name, role in settings.inventory.roles():
            out.add((admin_name, account, role))
    return out


def refuse_declared(what: str, name: str, keys: Iterable[str], declared: Iterable[str]) -> None:
    """Refuse a CLI change of a field the file sets (``what`` is ``accounts`` or ``admins``)."""
    overlap = sorted(set(keys) & set(declared))
    if overlap:
        raise InventoryError(
            f"{what}.{name}.{overlap[0]} is set in smguard.toml, which wins; change it there",
            f"{what}.{name}.{overlap[0]} diatur di smguard.toml, yang berlaku; ubah di sana",
        )


# -- values the CLI gives ----------------------------------------------------------------------


def require_name(name: str, kind: str, kind_id: str) -> None:
    """Refuse ``name`` unless it can name an account or admin (``kind``: "account", "admin")."""
    if not valid_name(name):
        raise InventoryError(
            f"{name!r} is not an {kind} name (letters, digits, _ . -; no spaces)",
            f"{name!r} bukan nama {kind_id} (huruf, angka, _ . -; tanpa spasi)",
        )


def clean_values(
    values: Mapping[str, Any], fields: tuple[str, ...], kind: str, clean: Callable[[str, str], str]
) -> dict[str, Any]:
    """``values`` for an account or admin (``kind``), checked: only ``fields``; an empty value
    clears the field; ``clean(key, text)`` checks and normalises any other."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise InventoryError(f"{key}: not an {kind} field ({', '.join(fields)})")
        out[key] = None if value is None or value == "" else clean(key, str(value))
    return out


def clean_contact(key: str, value: str) -> str:
    """An e-mail address (a ``key`` ending in ``email``) or a phone number, normalised."""
    if key.endswith("email"):
        if "@" not in value:
            raise InventoryError(f"{key}: {value!r} is not an e-mail address")
        return normalise_email(value)
    return normalise_phone(value)


def change_row(
    store: Store,
    session: Session,
    row: SecAccount | SecAdmin,
    clean: Mapping[str, Any],
    *,
    action: str,
    actor: str,
    subject: str,
) -> None:
    """Set ``clean``'s fields on ``row``; the audit event ``action`` has the before and after."""
    before = {k: getattr(row, k) for k in clean}
    for key, value in clean.items():
        setattr(row, key, value)
    store.audit(
        session,
        action,
        actor=actor,
        subject=subject,
        details={"before": before, "after": dict(clean)},
    )
