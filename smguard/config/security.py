"""Configuration of account security, validated with the rest of ``smguard.toml``.

Sections::

    [organisation]        name, domains (where recovery e-mails may live)
    [security]            lockout, backup codes, seed age, idle admins, vault roles, key file
    [approvals]           which checks need a second person's approval
    [admins.NAME]         email, phone, roles ("approver", "author@kemenkeu_ri"), status
    [accounts.NAME]       handle, two_factor, recovery_email, recovery_phone,
                          owners / approvers / authors, approvals (inventory keys added here)

This module imports nothing heavy: ``smguard.config`` uses it at load time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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
    "normalise_email",
    "normalise_phone",
    "parse_account_inventory",
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


# -- parsing -----------------------------------------------------------------------------------


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: must be a table")
    return value


def _keys(table: Mapping[str, Any], known: set[str] | frozenset[str], where: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}.{key}: unknown setting (known: {', '.join(sorted(known))})")


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}: must be a list of strings")
    return tuple(value)


def _int(table: Mapping[str, Any], key: str, default: int, where: str, minimum: int = 0) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}.{key}: must be a whole number of at least {minimum}")
    return value


def _text(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key}: must be a non-empty string")
    return value.strip()


def _email(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = _text(table, key, where)
    if value is not None and not _EMAIL.match(value):
        raise ConfigError(f"{where}.{key}: {value!r} is not an e-mail address")
    return None if value is None else normalise_email(value)


def _phone(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = _text(table, key, where)
    if value is None:
        return None
    if not re.fullmatch(r"\+?[0-9 ().-]{6,24}", value):
        raise ConfigError(f"{where}.{key}: {value!r} is not a phone number (e.g. +62812...)")
    return normalise_phone(value)


def _admin_names(value: Any, key: str) -> tuple[str, ...]:
    names = _strings(value, key)
    for name in names:
        if not valid_name(name):
            raise ConfigError(f"{key}: {name!r} is not an admin name (letters, digits, _ . -)")
    return names


def parse_approvals(table: Any, where: str, base: ApprovalPolicy | None = None) -> ApprovalPolicy:
    base = base or ApprovalPolicy()
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: must be a table")
    _keys(table, {"required_for", "categories", "min_severity", "allow_unknown_author"}, where)
    changes: dict[str, Any] = {}
    if "required_for" in table:
        value = table["required_for"]
        if value not in REQUIRED_FOR:
            raise ConfigError(
                f"{where}.required_for: {value!r} is not one of {', '.join(REQUIRED_FOR)}"
            )
        changes["required_for"] = value
    if "categories" in table:
        cats = _strings(table["categories"], f"{where}.categories")
        for cat in cats:
            if cat not in CATEGORIES:
                raise ConfigError(
                    f"{where}.categories: {cat!r} is not a category (one of "
                    f"{', '.join(CATEGORIES)})"
                )
        changes["categories"] = cats
    if "min_severity" in table:
        try:
            changes["min_severity"] = Severity.parse(table["min_severity"])
        except ValueError as exc:
            raise ConfigError(f"{where}.min_severity: {exc}") from None
    if "allow_unknown_author" in table:
        value = table["allow_unknown_author"]
        if not isinstance(value, bool):
            raise ConfigError(f"{where}.allow_unknown_author: must be true or false")
        changes["allow_unknown_author"] = value
    return replace(base, **changes)


def parse_security(data: Mapping[str, Any], base_dir: Path) -> SecuritySettings:
    """``[organisation]``, ``[security]`` and ``[approvals]`` of the whole file."""
    org = _table(data, "organisation", "organisation")
    _keys(org, {"name", "domains"}, "organisation")
    domains = tuple(
        d.strip().lower().lstrip("@")
        for d in _strings(org.get("domains", []), "organisation.domains")
    )
    for d in domains:
        if "." not in d or " " in d:
            raise ConfigError(f"organisation.domains: {d!r} is not a domain like kemenkeu.go.id")

    sec = _table(data, "security", "security")
    defaults = SecuritySettings()
    _keys(
        sec,
        {
            "lockout_after", "lockout_minutes", "backup_codes", "backup_codes_warn_below",
            "seed_max_age_days", "admin_idle_days", "vault_roles", "key_file", "totp_issuer",
        },
        "security",
    )  # fmt: skip
    vault_roles = _strings(
        sec.get("vault_roles", list(defaults.vault_roles)), "security.vault_roles"
    )
    for role in vault_roles:
        if role not in ROLES:
            raise ConfigError(f"security.vault_roles: {role!r} is not one of {', '.join(ROLES)}")
    key_file = _text(sec, "key_file", "security")
    issuer = _text(sec, "totp_issuer", "security") or defaults.totp_issuer
    if ":" in issuer:
        raise ConfigError("security.totp_issuer: must not contain ':'")
    backup = _int(sec, "backup_codes", defaults.backup_codes, "security", minimum=1)
    if backup > 50:
        raise ConfigError("security.backup_codes: at most 50")
    return SecuritySettings(
        organisation=_text(org, "name", "organisation"),
        domains=domains,
        lockout_after=_int(sec, "lockout_after", defaults.lockout_after, "security", minimum=1),
        lockout_minutes=_int(
            sec, "lockout_minutes", defaults.lockout_minutes, "security", minimum=1
        ),
        backup_codes=backup,
        backup_codes_warn_below=_int(
            sec, "backup_codes_warn_below", defaults.backup_codes_warn_below, "security"
        ),
        seed_max_age_days=_int(
            sec, "seed_max_age_days", defaults.seed_max_age_days, "security", minimum=1
        ),
        admin_idle_days=_int(
            sec, "admin_idle_days", defaults.admin_idle_days, "security", minimum=1
        ),
        vault_roles=vault_roles,
        key_file=None if key_file is None else (base_dir / Path(key_file).expanduser()),
        totp_issuer=issuer,
        approvals=parse_approvals(_table(data, "approvals", "approvals"), "approvals"),
    )


def parse_account_inventory(table: Mapping[str, Any], where: str) -> AccountInventory:
    two_factor = table.get("two_factor")
    if two_factor is not None and two_factor not in TWO_FACTOR_METHODS:
        raise ConfigError(
            f"{where}.two_factor: {two_factor!r} is not one of {', '.join(TWO_FACTOR_METHODS)}"
        )
    return AccountInventory(
        handle=_text(table, "handle", where),
        two_factor=two_factor,
        recovery_email=_email(table, "recovery_email", where),
        recovery_phone=_phone(table, "recovery_phone", where),
        owners=_admin_names(table.get("owners", []), f"{where}.owners"),
        approvers=_admin_names(table.get("approvers", []), f"{where}.approvers"),
        authors=_admin_names(table.get("authors", []), f"{where}.authors"),
        declared=frozenset(k for k in table if k in ACCOUNT_INVENTORY_KEYS),
    )


def _role(value: str, key: str) -> tuple[str, str]:
    role, _, account = value.partition("@")
    role, account = role.strip(), account.strip() or GLOBAL
    if role not in ROLES:
        raise ConfigError(
            f"{key}: {value!r}: the role must be one of {', '.join(ROLES)} "
            '(e.g. "approver" or "approver@kemenkeu_ri")'
        )
    if account != GLOBAL and not valid_name(account):
        raise ConfigError(f"{key}: {value!r}: {account!r} is not an account name")
    return role, account


def parse_admins(table: Mapping[str, Any]) -> dict[str, AdminSettings]:
    admins: dict[str, AdminSettings] = {}
    for name, spec in table.items():
        where = f"admins.{name}"
        if not valid_name(name):
            raise ConfigError(f"{where}: not an admin name (letters, digits, _ . -)")
        if not isinstance(spec, Mapping):
            raise ConfigError(f"{where}: must be a table")
        _keys(spec, {"email", "phone", "roles", "status"}, where)
        status = spec.get("status", "active")
        if status not in ADMIN_STATUSES:
            raise ConfigError(f"{where}.status: {status!r} is not one of active, departed")
        roles = tuple(
            dict.fromkeys(
                _role(r, f"{where}.roles")
                for r in _strings(spec.get("roles", []), f"{where}.roles")
            )
        )
        admins[name] = AdminSettings(
            name=name,
            email=_email(spec, "email", where),
            phone=_phone(spec, "phone", where),
            roles=roles,
            status=status,
            declared=frozenset(spec),
        )
    return admins
