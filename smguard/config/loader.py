"""Finding, reading and checking ``smguard.toml``, with ``SMGUARD_<SECTION>__<KEY>`` overrides.

Where the file comes from, first match wins: ``--config PATH`` / ``Config.load(path)``, the
``SMGUARD_CONFIG`` environment variable, ``./smguard.toml``. No file at all is fine: every setting
has a default. Every table is checked here, when the file is loaded, by its schema; a mistake
raises :class:`~smguard.errors.ConfigError` naming the file and the key, e.g.
``smguard.toml: policy.block_at: 'hgh' is not a severity (one of info, low, ...)``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from smguard.config.accounts import AccountSettings, parse_account
from smguard.config.alerts import AlertsTable, alerts_table
from smguard.config.clarify import ClarifySettings, clarify_settings
from smguard.config.core import (
    GuardSettings,
    IncidentsTable,
    PluginsTable,
    RulesTable,
    StorageTable,
    WatchSettings,
    plugin_tables,
)
from smguard.config.detectors import DetectorSettings, detector_settings
from smguard.config.file import ConfigFile
from smguard.config.policy import PolicySettings, parse_policy
from smguard.config.reports import CalendarSettings, PlanSettings, ReportSettings
from smguard.config.schema import convert, str_list
from smguard.config.security import AdminSettings, SecuritySettings, parse_admins, parse_security
from smguard.config.server import ServerSettings
from smguard.errors import ConfigError

__all__ = ["CONFIG_FILE", "Config"]

CONFIG_FILE = "smguard.toml"
ENV_PREFIX = "SMGUARD_"
T = TypeVar("T")


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
    storage: StorageTable = field(default_factory=StorageTable)
    #: Which check decisions open an incident.
    incidents: IncidentsTable = field(default_factory=IncidentsTable)
    #: ``[alerts]``: sinks, routes, retries (each sink's options are checked against its type).
    alerts: AlertsTable = field(default_factory=AlertsTable)
    clarify: ClarifySettings = field(default_factory=ClarifySettings)
    #: ``[detectors]``: account-watch detectors turned off and tuned.
    detectors: DetectorSettings = field(default_factory=DetectorSettings)
    #: ``[organisation]``, ``[security]``, ``[approvals]``; ``[admins.NAME]``.
    security: SecuritySettings = field(default_factory=SecuritySettings)
    admins: Mapping[str, AdminSettings] = field(default_factory=dict)
    #: ``[watch]``: how accounts are polled.
    watch: WatchSettings = field(default_factory=WatchSettings)
    #: ``[plugins.NAME]`` tables checked against their schemas (:meth:`plugin_settings`).
    _checked: dict[str, tuple[type[Any], Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: ``[reports]``, ``[calendar]`` and ``[plan]``: reports, the calendar, plan checks.
    reports: ReportSettings = field(default_factory=ReportSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    plan: PlanSettings = field(default_factory=PlanSettings)
    #: ``[server]``: ``smguard serve``'s address, limits and desk sessions.
    server: ServerSettings = field(default_factory=ServerSettings)

    def plugin(self, name: str) -> Mapping[str, Any]:
        """``[plugins.NAME]`` as written (empty when not configured): :meth:`plugin_settings`
        checks it."""
        return self.plugin_options.get(name, {})

    def plugin_settings(self, name: str, table: type[T]) -> T:
        """``[plugins.NAME]`` checked against ``table`` (the plugin's schema), once.

        A mistake raises :class:`~smguard.errors.ConfigError` naming ``plugins.NAME.KEY``.
        """
        found = self._checked.get(name)
        if found is not None and found[0] is table:
            settings: T = found[1]
            return settings
        settings = convert(self.plugin(name), table, f"plugins.{name}")
        self._checked[name] = (table, settings)
        return settings

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
        """Find, read, override and check the configuration."""
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
            import tomllib  # imported only when there is a file to read

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
        plugins["disable"] = list(str_list(plugins.get("disable", []))) + extra


def _env_value(value: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        if "," in value:
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


def _section(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key}: must be a table ([{key}])")
    return dict(value)


def _calendar(table: Mapping[str, Any], base_dir: Path) -> CalendarSettings:
    """``[calendar]`` with its ``files`` made absolute (relative to smguard.toml) and present."""
    settings = convert(table, CalendarSettings, "calendar")
    files = tuple(str((base_dir / f).resolve()) for f in str_list(settings.files))
    for file in files:
        if not Path(file).is_file():
            raise ConfigError(f"calendar.files: file not found: {file}")
    return msgspec.structs.replace(settings, files=files)


def _parse(data: Mapping[str, Any], path: Path | None) -> Config:
    known = ConfigFile.__struct_fields__
    for key in data:
        if key not in known:
            raise ConfigError(f"{key}: unknown section (known: {', '.join(known)})")
    guard = convert(_section(data, "guard"), GuardSettings, "guard").normalised()

    raw_plugins = _section(data, "plugins")
    plugins = convert(raw_plugins, PluginsTable, "plugins")
    options = plugin_tables(plugins, raw_plugins)

    rules = convert(_section(data, "rules"), RulesTable, "rules")
    base_dir = path.parent if path else Path.cwd()
    rule_paths = tuple((base_dir / p).resolve() for p in str_list(rules.paths))
    for p in rule_paths:
        if not p.exists():
            raise ConfigError(f"rules.paths: folder or file not found: {p}")

    policy = parse_policy(_section(data, "policy"), "policy")
    security = parse_security(data, base_dir)
    accounts = {
        name: parse_account(name, table, guard, policy, security.approvals)
        for name, table in _section(data, "accounts").items()
    }
    return Config(
        path=path,
        guard=guard,
        disabled_plugins=frozenset(str_list(plugins.disable)),
        plugin_options=options,
        rule_paths=rule_paths,
        disabled_rules=frozenset(str_list(rules.disable)),
        policy=policy,
        accounts=accounts,
        storage=convert(_section(data, "storage"), StorageTable, "storage"),
        incidents=convert(_section(data, "incidents"), IncidentsTable, "incidents"),
        alerts=alerts_table(_section(data, "alerts")),
        clarify=clarify_settings(_section(data, "clarify"), base_dir),
        detectors=detector_settings(_section(data, "detectors"), base_dir),
        security=security,
        admins=parse_admins(_section(data, "admins")),
        watch=convert(_section(data, "watch"), WatchSettings, "watch"),
        reports=convert(_section(data, "reports"), ReportSettings, "reports"),
        calendar=_calendar(_section(data, "calendar"), base_dir),
        plan=convert(_section(data, "plan"), PlanSettings, "plan"),
        server=convert(_section(data, "server"), ServerSettings, "server"),
    )
