"""Configuration of account security, validated with the rest of ``smguard.toml``.

Sections::

    [organisation]        name, domains (where recovery e-mails may live)
    [security]            lockout, backup codes, seed age, idle admins, vault roles, key file
    [approvals]           which checks need a second person's approval
    [admins.NAME]         email, phone, roles ("approver", "author@kemenkeu_ri"), status
    [accounts.NAME]       handle, two_factor, recovery_email, recovery_phone,
                          owners / approvers / authors, approvals (inventory keys added here)

The tables are checked declaratively (:mod:`smguard.config.schema`); the functions at the end
turn them into the settings objects the rest of smguard reads. This module imports nothing heavy:
``smguard.config`` uses it at load time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, TypeAlias

from msgspec import Meta

from smguard.config.schema import Table, choice, convert, convert_each, invalid, str_list
from smguard.errors import ConfigError
from smguard.types import CATEGORIES, Finding, Severity

__all__ = [
    "ACCOUNT_INVENTORY_KEYS",
    "GLOBAL",
    "ROLES",
    "TWO_FACTOR_METHODS",
    "AccountInventory",
    "AdminSettings",
    "ApprovalPolicy",
    "SecuritySettings",
    "account_inventory",
    "normalise_email",
    "normalise_phone",
    "parse_admins",
    "parse_approvals",
    "parse_security",
]

#: How an account's platform login is protected, strongest first.
TWO_FACTOR_METHODS: tuple[str, ...] = ("security_key", "totp", "sms", "none")
ROLES: tuple[str, ...] = ("author", "approver", "owner")
#: The "account" of a role that holds on every account.
GLOBAL = "*"
ADMIN_STATUSES: tuple[str, ...] = ("active", "departed")
REQUIRED_FOR: tuple[str, ...] = ("allow", "review", "none")

#: Keys of ``[accounts.NAME]`` that belong to the inventory (synced into the database).
ACCOUNT_INVENTORY_KEYS: frozenset[str] = frozenset(
    {
        "handle",
        "two_factor",
        "recovery_email",
        "recovery_phone",
        "owners",
        "approvers",
        "authors",
        "approvals",
    }
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_phone(value: str, region: str = "ID") -> str:
    """E.164 (``+6281234567890``) when the number parses, else digits only."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return re.sub(r"[^0-9+]", "", value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def valid_name(value: str) -> bool:
    """Admin and account names: letters, digits, ``_ . -``; no spaces, at most 100 characters."""
    return bool(_NAME.match(value))


@dataclass(frozen=True)
class ApprovalPolicy:
    """Which recorded checks need a second person's approval before they are published.

    ``required_for``: ``"review"`` (held checks; the default), ``"allow"`` (every post: the
    two-person rule for everything) or ``"none"``. ``categories`` and ``min_severity`` add
    checks with such findings even when the decision alone would not need approval. A check
    that was blocked is never approvable: it must be rewritten and checked again.
    """

    required_for: str = "review"
    categories: tuple[str, ...] = ()
    min_severity: Severity | None = None
    #: A check without a recorded author cannot prove two different people; refuse by default.
    allow_unknown_author: bool = False

    def requires(self, decision: str, findings: Sequence[Finding | Mapping[str, Any]]) -> bool:
        if self.required_for == "allow":
            return True
        if self.required_for == "review" and decision in ("review", "block"):
            return True
        for finding in findings:
            category, severity = _finding_parts(finding)
            if category in self.categories:
                return True
            if (
                self.min_severity is not None
                and severity is not None
                and (severity >= self.min_severity)
            ):
                return True
        return False


def _finding_parts(finding: Finding | Mapping[str, Any]) -> tuple[str | None, Severity | None]:
    if isinstance(finding, Finding):
        return finding.category, finding.severity
    category = finding.get("category")
    try:
        severity = Severity.parse(finding.get("severity", ""))
    except ValueError:
        severity = None
    return (str(category) if category is not None else None), severity


@dataclass(frozen=True)
class AccountInventory:
    """The inventory part of ``[accounts.NAME]``; ``declared`` names the keys the file sets."""

    handle: str | None = None
    two_factor: str | None = None
    recovery_email: str | None = None
    recovery_phone: str | None = None
    owners: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    declared: frozenset[str] = frozenset()

    def roles(self) -> list[tuple[str, str]]:
        """(admin, role) pairs this account grants."""
        return (
            [(a, "owner") for a in self.owners]
            + [(a, "approver") for a in self.approvers]
            + [(a, "author") for a in self.authors]
        )


@dataclass(frozen=True)
class AdminSettings:
    """``[admins.NAME]``: roles are (role, account) pairs; account ``*`` means every account."""

    name: str
    email: str | None = None
    phone: str | None = None
    roles: tuple[tuple[str, str], ...] = ()
    status: str = "active"
    declared: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SecuritySettings:
    organisation: str | None = None
    #: The organisation's e-mail domains: recovery e-mails elsewhere are a finding.
    domains: tuple[str, ...] = ()
    #: Failed codes in a row before an admin is locked out, and for how long.
    lockout_after: int = 5
    lockout_minutes: int = 15
    #: Backup codes issued at activation, and the count below which the audit warns.
    backup_codes: int = 10
    backup_codes_warn_below: int = 3
    #: A vault seed older than this should be rotated on the platform.
    seed_max_age_days: int = 365
    #: An admin with no activity for this long is a finding.
    admin_idle_days: int = 90
    #: Roles (on the account, or global) that may get the account's login codes from the vault.
    vault_roles: tuple[str, ...] = ("owner", "author")
    #: Where the encryption key is kept when ``SMGUARD_SECRET_KEY`` is not set.
    key_file: Path | None = None
    #: The issuer name shown in admins' authenticator apps.
    totp_issuer: str = "smguard"
    approvals: ApprovalPolicy = field(default_factory=ApprovalPolicy)


# -- the tables --------------------------------------------------------------------------------

_SEVERITY: TypeAlias = Annotated[str, choice("a severity", tuple(s.label for s in Severity))]
_NAMES: TypeAlias = str | tuple[str, ...]


def _names(value: _NAMES, key: str) -> tuple[str, ...]:
    names = str_list(value)
    for name in names:
        if not valid_name(name):
            invalid(key, f"{name!r} is not an admin name (letters, digits, _ . -)")
    return names


def _text(value: str | None, key: str) -> str | None:
    if value is not None and not value.strip():
        invalid(key, "must be a non-empty string")
    return None if value is None else value.strip()


def _email(value: str | None, key: str) -> str | None:
    value = _text(value, key)
    if value is not None and not _EMAIL.match(value):
        invalid(key, f"{value!r} is not an e-mail address")
    return None if value is None else normalise_email(value)


def _phone(value: str | None, key: str) -> str | None:
    value = _text(value, key)
    if value is not None and not re.fullmatch(r"\+?[0-9 ().-]{6,24}", value):
        invalid(key, f"{value!r} is not a phone number (e.g. +62812...)")
    return None if value is None else normalise_phone(value)


class ApprovalsTable(Table, frozen=True):
    """``[approvals]`` (or ``[accounts.NAME.approvals]``): which checks need a second person."""

    required_for: Annotated[str, choice("an approval mode", REQUIRED_FOR)] | None = None
    categories: _NAMES | None = None
    min_severity: _SEVERITY | None = None
    allow_unknown_author: bool | None = None

    def __post_init__(self) -> None:
        for cat in str_list(self.categories or ()):
            if cat not in CATEGORIES:
                invalid("categories", f"{cat!r} is not a category (one of {', '.join(CATEGORIES)})")


class OrganisationTable(Table, frozen=True):
    """``[organisation]``: the organisation's name and its e-mail domains."""

    name: str | None = None
    domains: _NAMES = ()

    def __post_init__(self) -> None:
        _text(self.name, "name")
        for d in str_list(self.domains):
            d = d.strip().lower().lstrip("@")
            if "." not in d or " " in d:
                invalid("domains", f"{d!r} is not a domain like kemenkeu.go.id")


class SecurityTable(Table, frozen=True):
    """``[security]``: lockout, backup codes, seed age, idle admins, vault roles, the key file."""

    lockout_after: Annotated[int, Meta(ge=1)] = 5
    lockout_minutes: Annotated[int, Meta(ge=1)] = 15
    backup_codes: Annotated[int, Meta(ge=1, le=50)] = 10
    backup_codes_warn_below: Annotated[int, Meta(ge=0)] = 3
    seed_max_age_days: Annotated[int, Meta(ge=1)] = 365
    admin_idle_days: Annotated[int, Meta(ge=1)] = 90
    vault_roles: _NAMES = ("owner", "author")
    key_file: str | None = None
    totp_issuer: str | None = None

    def __post_init__(self) -> None:
        for role in str_list(self.vault_roles):
            if role not in ROLES:
                invalid("vault_roles", f"{role!r} is not one of {', '.join(ROLES)}")
        _text(self.key_file, "key_file")
        if _text(self.totp_issuer, "totp_issuer") and ":" in (self.totp_issuer or ""):
            invalid("totp_issuer", "must not contain ':'")


class AdminTable(Table, frozen=True):
    """``[admins.NAME]``: contact details, roles (``approver``, ``author@ACCOUNT``) and status."""

    email: str | None = None
    phone: str | None = None
    roles: _NAMES = ()
    status: Annotated[str, choice("a status", ADMIN_STATUSES)] = "active"

    def __post_init__(self) -> None:
        _email(self.email, "email")
        _phone(self.phone, "phone")
        for role in str_list(self.roles):
            _role(role, "roles")


class InventoryTable(Table, frozen=True):
    """The inventory keys of ``[accounts.NAME]`` (the rest of the table: ``smguard.config``)."""

    handle: str | None = None
    two_factor: Annotated[str, choice("a 2FA method", TWO_FACTOR_METHODS)] | None = None
    recovery_email: str | None = None
    recovery_phone: str | None = None
    owners: _NAMES = ()
    approvers: _NAMES = ()
    authors: _NAMES = ()
    approvals: ApprovalsTable | None = None

    def __post_init__(self) -> None:
        _text(self.handle, "handle")
        _email(self.recovery_email, "recovery_email")
        _phone(self.recovery_phone, "recovery_phone")
        for key in ("owners", "approvers", "authors"):
            _names(getattr(self, key), key)


# -- from tables to settings -------------------------------------------------------------------


def approval_policy(table: ApprovalsTable, base: ApprovalPolicy | None = None) -> ApprovalPolicy:
    """``base`` with the keys ``table`` sets replaced."""
    base = base or ApprovalPolicy()
    changes: dict[str, Any] = {}
    if table.required_for is not None:
        changes["required_for"] = table.required_for.lower()
    if table.categories is not None:
        changes["categories"] = str_list(table.categories)
    if table.min_severity is not None:
        changes["min_severity"] = Severity.parse(table.min_severity)
    if table.allow_unknown_author is not None:
        changes["allow_unknown_author"] = table.allow_unknown_author
    return replace(base, **changes)


def parse_approvals(table: Any, where: str, base: ApprovalPolicy | None = None) -> ApprovalPolicy:
    return approval_policy(convert(table, ApprovalsTable, where), base)


def _section(data: Mapping[str, Any], key: str) -> Any:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key}: must be a table")
    return value


def parse_security(data: Mapping[str, Any], base_dir: Path) -> SecuritySettings:
    """``[organisation]``, ``[security]`` and ``[approvals]`` of the whole file."""
    org = convert(_section(data, "organisation"), OrganisationTable, "organisation")
    sec = convert(_section(data, "security"), SecurityTable, "security")
    return SecuritySettings(
        organisation=_text(org.name, "name"),
        domains=tuple(d.strip().lower().lstrip("@") for d in str_list(org.domains)),
        lockout_after=sec.lockout_after,
        lockout_minutes=sec.lockout_minutes,
        backup_codes=sec.backup_codes,
        backup_codes_warn_below=sec.backup_codes_warn_below,
        seed_max_age_days=sec.seed_max_age_days,
        admin_idle_days=sec.admin_idle_days,
        vault_roles=str_list(sec.vault_roles),
        key_file=None
        if sec.key_file is None
        else base_dir / Path(sec.key_file.strip()).expanduser(),
        totp_issuer=(sec.totp_issuer or "").strip() or SecuritySettings.totp_issuer,
        approvals=parse_approvals(_section(data, "approvals"), "approvals"),
    )


def account_inventory(inv: InventoryTable, declared: frozenset[str]) -> AccountInventory:
    """The inventory an account's table declares (``declared``: the keys the file sets)."""
    return AccountInventory(
        handle=_text(inv.handle, "handle"),
        two_factor=inv.two_factor.lower() if inv.two_factor else None,
        recovery_email=_email(inv.recovery_email, "recovery_email"),
        recovery_phone=_phone(inv.recovery_phone, "recovery_phone"),
        owners=_names(inv.owners, "owners"),
        approvers=_names(inv.approvers, "approvers"),
        authors=_names(inv.authors, "authors"),
        declared=declared,
    )


def _role(value: str, key: str) -> tuple[str, str]:
    role, _, account = value.partition("@")
    role, account = role.strip(), account.strip() or GLOBAL
    if role not in ROLES:
        invalid(
            key,
            f"{value!r}: the role must be one of {', '.join(ROLES)} "
            '(e.g. "approver" or "approver@kemenkeu_ri")',
        )
    if account != GLOBAL and not valid_name(account):
        invalid(key, f"{value!r}: {account!r} is not an account name")
    return role, account


def parse_admins(table: Mapping[str, Any]) -> dict[str, AdminSettings]:
    admins: dict[str, AdminSettings] = {}
    for name, spec in convert_each(table, AdminTable, "admins").items():
        if not valid_name(name):
            raise ConfigError(f"admins.{name}: not an admin name (letters, digits, _ . -)")
        admins[name] = AdminSettings(
            name=name,
            email=_email(spec.email, "email"),
            phone=_phone(spec.phone, "phone"),
            roles=tuple(dict.fromkeys(_role(r, "roles") for r in str_list(spec.roles))),
            status=spec.status.lower(),
            declared=frozenset(table[name]),
        )
    return admins
