"""Configuration: ``smguard.toml`` plus environment overrides, validated up front.

Where the file comes from, first match wins: ``--config PATH`` / ``Config.load(path)``, the
``SMGUARD_CONFIG`` environment variable, ``./smguard.toml``. No file at all is fine: every setting
has a default. Any setting can be overridden with ``SMGUARD_<SECTION>__<KEY>`` (double
underscore between levels), e.g. ``SMGUARD_POLICY__BLOCK_AT=medium``.

A bad setting raises :class:`~smguard.errors.ConfigError` naming the key, e.g.
``smguard.toml: policy.block_at: 'hgh' is not a severity (one of info, low, ...)``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smguard.config.policy import PolicySettings, parse_policy
from smguard.config.security import (
    ACCOUNT_INVENTORY_KEYS,
    AccountInventory,
    AdminSettings,
    ApprovalPolicy,
    SecuritySettings,
    parse_account_inventory,
    parse_admins,
    parse_approvals,
    parse_security,
)
from smguard.errors import ConfigError
from smguard.types import LANGUAGES

__all__ = ["AccountSettings", "AccountWatch", "Config", "GuardSettings", "WatchSettings"]

CONFIG_FILE = "smguard.toml"
ENV_PREFIX = "SMGUARD_"
_SECTIONS = (
    "guard", "plugins", "rules", "policy", "accounts", "storage", "incidents", "alerts", "clarify",
    "organisation", "security", "approvals", "admins", "detectors", "watch",
)  # fmt: skip
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class GuardSettings:
    #: ``auto`` detects each post's language; ``en`` / ``id`` forces one.
    language: str = "auto"
    #: Language of messages and suggestions shown to people.
    ui_language: str = "en"
    #: Below this detection confidence both the English and Indonesian packs run.
    language_confidence: float = 0.95
    #: Longer texts are checked up to this many characters and get an integrity finding.
    max_chars: int = 20_000
    #: Time zone of accounts that do not name their own.
    timezone: str = "Asia/Jakarta"


@dataclass(frozen=True)
class WatchSettings:
    """``[watch]``: how ``smguard watch`` polls accounts (see docs/watch.md)."""

    #: Seconds between two polling cycles.
    interval_s: float = 60.0
    #: Seconds to wait for a platform's answer.
    timeout_s: float = 10.0
    #: Tries after a failed request (server error, 429, network), with growing pauses.
    retries: int = 3
    #: The longest ``Retry-After`` pause smguard honours; a longer one fails this cycle.
    retry_after_max_s: float = 120.0
    #: Posts read on an account's first poll (older ones: ingest an export).
    backfill: int = 40
    #: Pages read per account and cycle; the rest waits for the next cycle.
    max_pages: int = 10
    #: The newest posts read again each cycle to catch edits (0: do not look for edits).
    recheck_edits: int = 20
    #: Failed cycles in a row before the account's watch failure opens an incident.
    failures_before_incident: int = 3
    #: How long one watcher holds an account (PostgreSQL: several watchers share the accounts).
    lease_s: float = 300.0


#: Keys of ``[accounts.NAME]`` that tell ``smguard watch`` how to read the account.
WATCH_ACCOUNT_KEYS: frozenset[str] = frozenset({"mastodon_url", "mastodon_id", "token_env"})


@dataclass(frozen=True)
class AccountWatch:
    """Where ``smguard watch`` reads an account (``mastodon_url`` + ``handle`` or ``mastodon_id``;
    the access token, if any, from the environment variable named by ``token_env``)."""

    mastodon_url: str | None = None
    mastodon_id: str | None = None
    token_env: str | None = None


@dataclass(frozen=True)
class AccountSettings:
    """Per-account settings (``[accounts.NAME]``); an unknown account gets the defaults."""

    name: str | None = None
    platform: str | None = None
    timezone: str = "Asia/Jakarta"
    quiet_hours: tuple[time, time] = (time(0, 0), time(5, 0))
    prime_time: tuple[str, ...] = ("07:00", "12:00", "19:00")
    own_domains: tuple[str, ...] = ()
    language: str | None = None
    #: When the team works on the account (local time; may wrap midnight); ``None``: the
    #: account-watch detectors treat only ``quiet_hours`` as off hours.
    working_hours: tuple[time, time] | None = None
    #: Working days, 0 = Monday … 6 = Sunday (every day unless ``working_days`` says otherwise).
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    policy: PolicySettings = field(default_factory=PolicySettings)
    #: Inventory (handle, platform 2FA, recovery contacts, roles): see smguard.security.
    inventory: AccountInventory = field(default_factory=AccountInventory)
    #: Which checks of this account need approval (``[approvals]`` unless overridden).
    approvals: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    #: Where ``smguard watch`` polls it (empty: not polled).
    watch: AccountWatch = field(default_factory=AccountWatch)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    guard: GuardSettings = field(default_factory=GuardSettings)
    disabled_plugins: frozenset[str] = frozenset()
    plugin_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    rule_paths: tuple[Path, ...] = ()
    disabled_rules: frozenset[str] = frozenset()
    policy: PolicySettings = field(default_factory=PolicySettings)
    accounts: Mapping[str, AccountSettings] = field(default_factory=dict)
    storage: Mapping[str, Any] = field(default_factory=dict)
    #: ``[incidents]``, ``[alerts]`` and ``[clarify]`` tables, validated by their own modules.
    incidents: Mapping[str, Any] = field(default_factory=dict)
    alerts: Mapping[str, Any] = field(default_factory=dict)
    clarify: Mapping[str, Any] = field(default_factory=dict)
    #: ``[detectors]``: account-watch detector tuning, validated by ``smguard.watch.detectorset``.
    detectors: Mapping[str, Any] = field(default_factory=dict)
    #: ``[organisation]``, ``[security]``, ``[approvals]``; ``[admins.NAME]``.
    security: SecuritySettings = field(default_factory=SecuritySettings)
    admins: Mapping[str, AdminSettings] = field(default_factory=dict)
    #: ``[watch]``: how accounts are polled.
    watch: WatchSettings = field(default_factory=WatchSettings)
    raw: Mapping[str, Any] = field(default_factory=dict)

    def plugin(self, name: str) -> Mapping[str, Any]:
        """Options of plugin ``name`` from ``[plugins.NAME]`` (empty when not configured)."""
        return self.plugin_options.get(name, {})

    def account(self, name: str | None) -> AccountSettings:
        if name is not None and name in self.accounts:
            return self.accounts[name]
        return AccountSettings(
            name=name,
            timezone=self.guard.timezone,
            policy=self.policy,
            approvals=self.security.approvals,
        )

    @property
    def source(self) -> str:
        return str(self.path) if self.path else "configuration"

    @classmethod
    def load(cls, path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
        """Find, read, override and validate the configuration."""
        env = os.environ if env is None else env
        file: Path | None = None
        if path is not None:
            file = Path(path)
            if not file.is_file():
                raise ConfigError(f"config file not found: {file}")
        elif env.get("SMGUARD_CONFIG"):
            file = Path(env["SMGUARD_CONFIG"])
            if not file.is_file():
                raise ConfigError(f"SMGUARD_CONFIG points to a missing file: {file}")
        elif Path(CONFIG_FILE).is_file():
            file = Path(CONFIG_FILE)
        data: dict[str, Any] = {}
        if file is not None:
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{file}: not valid TOML: {exc}") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{file}: cannot read: {exc}") from None
        _apply_env(data, env)
        return cls.from_dict(data, path=file)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: Path | None = None) -> Config:
        where = str(path) if path else "config"
        try:
            return _parse(data, path)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX) :].split("__")]
        if not all(parts):
            continue
        node = data
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{name}: {'.'.join(parts[:-1])} is not a table")
            node = child
        node[parts[-1]] = _env_value(value)
    # Shorthand used by tests and locked-down deployments.
    if env.get("SMGUARD_DISABLE_PLUGINS"):
        plugins = data.setdefault("plugins", {})
        extra = [p.strip() for p in env["SMGUARD_DISABLE_PLUGINS"].split(",") if p.strip()]
        plugins["disable"] = list(plugins.get("disable", [])) + extra


def _env_value(value: str) -> Any:
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        if "," in value:
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


def _check_keys(table: Mapping[str, Any], known: set[str], where: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}.{key}: unknown setting (known: {', '.join(sorted(known))})")


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key}: must be a table ([{key}])")
    return value


def _str_list(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}: must be a list of strings")
    return tuple(value)


def _language(value: Any, key: str, allow_auto: bool) -> str:
    choices = (("auto",) if allow_auto else ()) + LANGUAGES
    if not isinstance(value, str) or value.lower() not in choices:
        raise ConfigError(f"{key}: {value!r} is not one of {', '.join(choices)}")
    return value.lower()


def _timezone(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: must be a time zone name such as Asia/Jakarta")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{key}: unknown time zone {value!r} (e.g. Asia/Jakarta)") from None
    return value


def _clock(value: Any, key: str) -> time:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: must be a time like 07:30")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{key}: {value!r} is not a time like 07:30") from None


def _hours(raw: Any, key: str, example: str) -> tuple[time, time]:
    if not isinstance(raw, str) or raw.count("-") != 1:
        raise ConfigError(f'{key}: must look like "{example}"')
    start, end = raw.split("-")
    return _clock(start.strip(), key), _clock(end.strip(), key)


def _parse_guard(table: Mapping[str, Any]) -> GuardSettings:
    _check_keys(table, set(GuardSettings.__dataclass_fields__), "guard")
    defaults = GuardSettings()
    conf = table.get("language_confidence", defaults.language_confidence)
    if not isinstance(conf, int | float) or not 0 <= conf <= 1:
        raise ConfigError("guard.language_confidence: must be a number between 0 and 1")
    max_chars = table.get("max_chars", defaults.max_chars)
    if not isinstance(max_chars, int) or max_chars < 1:
        raise ConfigError("guard.max_chars: must be a positive whole number")
    return GuardSettings(
        language=_language(table.get("language", "auto"), "guard.language", True),
        ui_language=_language(table.get("ui_language", "en"), "guard.ui_language", False),
        language_confidence=float(conf),
        max_chars=max_chars,
        timezone=_timezone(table.get("timezone", defaults.timezone), "guard.timezone"),
    )


def _parse_account(
    name: str,
    table: Any,
    guard: GuardSettings,
    policy: PolicySettings,
    approvals: ApprovalPolicy | None = None,
) -> AccountSettings:
    where = f"accounts.{name}"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: must be a table")
    known = {
        "platform", "timezone", "quiet_hours", "prime_time", "own_domains", "language", "policy",
        "working_hours", "working_days",
    } | ACCOUNT_INVENTORY_KEYS | WATCH_ACCOUNT_KEYS  # fmt: skip
    _check_keys(table, known, where)
    quiet = AccountSettings().quiet_hours
    if "quiet_hours" in table:
        quiet = _hours(table["quiet_hours"], f"{where}.quiet_hours", "00:00-05:00")
    working = None
    if "working_hours" in table:
        working = _hours(table["working_hours"], f"{where}.working_hours", "07:00-19:00")
    days = AccountSettings().working_days
    if "working_days" in table:
        names = _str_list(table["working_days"], f"{where}.working_days")
        bad = [d for d in names if d.lower() not in _DAYS]
        if bad:
            raise ConfigError(
                f"{where}.working_days: {bad[0]!r} is not a day (use {', '.join(_DAYS)})"
            )
        if not names:
            raise ConfigError(f'{where}.working_days: name at least one day, e.g. ["mon"]')
        days = tuple(sorted({_DAYS.index(d.lower()) for d in names}))
    prime = AccountSettings().prime_time
    if "prime_time" in table:
        prime = _str_list(table["prime_time"], f"{where}.prime_time")
        for slot in prime:
            _clock(slot, f"{where}.prime_time")
    platform = table.get("platform")
    if platform is not None and not isinstance(platform, str):
        raise ConfigError(f"{where}.platform: must be a string")
    language = table.get("language")
    return AccountSettings(
        name=name,
        platform=platform,
        timezone=_timezone(table.get("timezone", guard.timezone), f"{where}.timezone"),
        quiet_hours=quiet,
        prime_time=prime,
        own_domains=tuple(
            d.lower() for d in _str_list(table.get("own_domains", []), f"{where}.own_domains")
        ),
        language=None if language is None else _language(language, f"{where}.language", False),
        working_hours=working,
        working_days=days,
        policy=parse_policy(table["policy"], f"{where}.policy", base=policy)
        if "policy" in table
        else policy,
        inventory=parse_account_inventory(table, where),
        approvals=parse_approvals(table["approvals"], f"{where}.approvals", base=approvals)
        if "approvals" in table
        else (approvals or ApprovalPolicy()),
        watch=_parse_account_watch(table, where),
    )


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _parse_account_watch(table: Mapping[str, Any], where: str) -> AccountWatch:
    values: dict[str, str] = {}
    for key in WATCH_ACCOUNT_KEYS & set(table):
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}.{key}: must be a non-empty string")
        values[key] = value.strip()
    url = values.get("mastodon_url")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ConfigError(
                f"{where}.mastodon_url: {url!r} is not a server address like https://mastodon.social"
            )
        values["mastodon_url"] = url.rstrip("/")
        if "mastodon_id" not in values and not table.get("handle"):
            raise ConfigError(
                f'{where}.mastodon_url: also set handle (e.g. "@kemcontoh") or mastodon_id'
            )
    elif "mastodon_id" in values:
        raise ConfigError(f"{where}.mastodon_id: set mastodon_url too (the account's server)")
    env = values.get("token_env")
    if env is not None and not _ENV_NAME.fullmatch(env):
        raise ConfigError(
            f"{where}.token_env: {env!r} must be the NAME of an environment variable holding the "
            "token (e.g. MASTODON_TOKEN), not the token itself"
        )
    return AccountWatch(**values)


def _parse_watch(table: Mapping[str, Any]) -> WatchSettings:
    defaults = WatchSettings()
    _check_keys(table, set(WatchSettings.__dataclass_fields__), "watch")
    limits: dict[str, tuple[float, float]] = {
        "interval_s": (1, 86_400), "timeout_s": (0.1, 300), "retries": (0, 10),
        "retry_after_max_s": (0, 3600), "backfill": (0, 10_000), "max_pages": (1, 1000),
        "recheck_edits": (0, 40), "failures_before_incident": (1, 1000), "lease_s": (10, 86_400),
    }  # fmt: skip
    values: dict[str, Any] = {}
    for key, (low, high) in limits.items():
        value = table.get(key, getattr(defaults, key))
        whole = isinstance(getattr(defaults, key), int)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (whole and not isinstance(value, int))
            or not low <= value <= high
        ):
            kind = "a whole number" if whole else "a number"
            raise ConfigError(f"watch.{key}: must be {kind} from {low:g} to {high:g}")
        values[key] = value if whole else float(value)
    if values["lease_s"] < 4 * values["timeout_s"]:
        raise ConfigError("watch.lease_s: must be at least 4 × watch.timeout_s")
    return WatchSettings(**values)


def _parse(data: Mapping[str, Any], path: Path | None) -> Config:
    for key in data:
        if key not in _SECTIONS:
            raise ConfigError(f"{key}: unknown section (known: {', '.join(_SECTIONS)})")
    guard = _parse_guard(_table(data, "guard"))

    plugins = _table(data, "plugins")
    disabled = frozenset(_str_list(plugins.get("disable", []), "plugins.disable"))
    options: dict[str, Mapping[str, Any]] = {}
    for name, value in plugins.items():
        if name == "disable":
            continue
        if not isinstance(value, Mapping):
            raise ConfigError(f"plugins.{name}: must be a table ([plugins.{name}])")
        options[name] = value

    rules = _table(data, "rules")
    _check_keys(rules, {"paths", "disable"}, "rules")
    base_dir = path.parent if path else Path.cwd()
    rule_paths = tuple(
        (base_dir / p).resolve() for p in _str_list(rules.get("paths", []), "rules.paths")
    )
    for p in rule_paths:
        if not p.exists():
            raise ConfigError(f"rules.paths: folder or file not found: {p}")
    disabled_rules = frozenset(_str_list(rules.get("disable", []), "rules.disable"))

    policy = parse_policy(_table(data, "policy"), "policy")
    security = parse_security(data, base_dir)
    accounts = {
        name: _parse_account(name, table, guard, policy, security.approvals)
        for name, table in _table(data, "accounts").items()
    }
    return Config(
        path=path,
        guard=guard,
        disabled_plugins=disabled,
        plugin_options=options,
        rule_paths=rule_paths,
        disabled_rules=disabled_rules,
        policy=policy,
        accounts=accounts,
        storage=_table(data, "storage"),
        incidents=_table(data, "incidents"),
        alerts=_table(data, "alerts"),
        clarify=_table(data, "clarify"),
        detectors=_table(data, "detectors"),
        security=security,
        admins=parse_admins(_table(data, "admins")),
        watch=_parse_watch(_table(data, "watch")),
        raw=data,
    )
