"""The alert settings delivery works with: ``[alerts]`` joined with the registered sink types.

``[alerts]`` itself is checked when the configuration is loaded (:mod:`smguard.config.alerts`).
Sink *types* (``slack``, ``discord``, ``telegram``, ``json`` from the built-in ``webhooks``
plugin, or any a plugin registers through ``register_alert_sinks``) declare the options their
sinks take and send alerts. Sinks themselves are declared in ``[alerts.sinks.NAME]``; their
secrets are never in the file, only the names of environment variables holding them.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pluggy

from smguard.alerting._messages import Alert, event_name
from smguard.alerting._transport import AlertHttp, DeliveryError
from smguard.config.alerts import AlertsTable, SinkTable, alerts_table, sink_options
from smguard.config.plugins import declared_settings
from smguard.config.schema import Table, str_list
from smguard.errors import ConfigError, PluginError
from smguard.types import Severity

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "SETTING_NAMES",
    "AlertSettings",
    "AlertSinkType",
    "Route",
    "Sink",
    "parse_alert_settings",
    "settings_for",
    "sink_types",
]

#: The keys of the ``[alerts]`` table.
SETTING_NAMES = frozenset(AlertsTable.__struct_fields__)


@runtime_checkable
class AlertSinkType(Protocol):
    """What ``register_alert_sinks`` takes: a kind of sink (e.g. ``slack``).

    ``options`` is the :class:`~smguard.config.schema.Table` of the settings a sink of this type
    takes besides ``type`` and ``language`` (declare it with ``register_settings`` too, so the
    file is checked at load); options ending in ``_env`` name environment variables that hold
    secrets. ``send`` delivers one alert or raises :class:`~smguard.alerting.DeliveryError`; it
    must not put secrets in that error.
    """

    name: str
    options: type[Table]

    def send(self, sink: Sink, alert: Alert, http: AlertHttp) -> None: ...


@dataclass(frozen=True)
class Sink:
    """A configured sink: ``[alerts.sinks.NAME]``."""

    name: str
    type: AlertSinkType
    #: The sink's options: an instance of its type's ``options`` table.
    options: Any
    language: str

    @property
    def where(self) -> str:
        return f"alerts.sinks.{self.name}"

    def secret(self, key: str) -> str:
        """The value of the environment variable named by option ``key`` (e.g. ``url_env``)."""
        variable = getattr(self.options, key, None)
        if not isinstance(variable, str):
            raise DeliveryError(f"sink {self.name}: {self.where}.{key} is not set")
        value = os.environ.get(variable, "")
        if not value.strip():
            raise DeliveryError(
                f"sink {self.name}: environment variable {variable} ({self.where}.{key}) is not set"
            )
        return value.strip()

    def secrets(self) -> list[str]:
        """Every secret value this sink uses (for scrubbing), skipping unset ones."""
        found = []
        for key in self.options.__struct_fields__:
            variable = getattr(self.options, key)
            if key.endswith("_env") and isinstance(variable, str) and os.environ.get(variable):
                found.append(os.environ[variable].strip())
        return found


@dataclass(frozen=True)
class Route:
    """``[[alerts.routes]]``: which incidents go to which sinks. Empty filters match all."""

    sinks: tuple[str, ...]
    min_severity: Severity = Severity.INFO
    categories: frozenset[str] = frozenset()
    accounts: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()

    def matches(self, incident: Mapping[str, Any], event: str) -> bool:
        try:
            severity = Severity.parse(str(incident.get("severity") or "info"))
        except ValueError:
            severity = Severity.INFO
        if severity < self.min_severity:
            return False
        checks = (
            (self.categories, incident.get("category")),
            (self.accounts, incident.get("account")),
            (self.kinds, incident.get("kind")),
        )
        if any(wanted and value not in wanted for wanted, value in checks):
            return False
        return not self.events or bool({event, event_name(event)} & self.events)


@dataclass(frozen=True)
class AlertSettings:
    sinks: Mapping[str, Sink] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    allow_private_targets: bool = False
    max_attempts: int = 8
    backoff_base_s: float = 15.0
    backoff_max_s: float = 3600.0
    timeout_s: float = 10.0
    lease_s: float = 120.0
    batch_size: int = 20
    concurrency: int = 4
    language: str = "en"
    source: str = "configuration"
    timezone: str = "UTC"
    account_timezones: Mapping[str, str] = field(default_factory=dict)

    def timezone_of(self, account: Any) -> str:
        """The time zone alerts about ``account`` show times in."""
        if isinstance(account, str) and account in self.account_timezones:
            return self.account_timezones[account]
        return self.timezone

    def route(self, incident: Mapping[str, Any], event: str) -> list[str]:
        """Sink names for this incident and event: the union of every matching route.

        With no routes configured, every sink receives every incident.
        """
        if not self.routes:
            return list(self.sinks)
        chosen: dict[str, None] = {}
        for route in self.routes:
            if route.matches(incident, event):
                chosen.update(dict.fromkeys(route.sinks))
        return list(chosen)

    def secrets(self) -> list[str]:
        """Every secret of every sink (for scrubbing; one service may quote another's)."""
        return [secret for sink in self.sinks.values() for secret in sink.secrets()]

    def sink(self, name: str) -> Sink:
        if name not in self.sinks:
            known = ", ".join(sorted(self.sinks)) or "none configured"
            raise ConfigError(f"no alert sink named {name!r} in [alerts.sinks] (known: {known})")
        return self.sinks[name]

    def http(self) -> AlertHttp:
        return AlertHttp(
            allow_private=self.allow_private_targets,
            timeout_s=self.timeout_s,
            max_connections=max(self.concurrency, 1),
        )


def sink_types(pm: pluggy.PluginManager) -> dict[str, AlertSinkType]:
    """Every sink type registered through ``register_alert_sinks``, by name."""
    found: dict[str, AlertSinkType] = {}
    declared = declared_settings(pm).sink_options

    def register(sink_type: Any) -> None:
        if not isinstance(sink_type, AlertSinkType) or not (
            isinstance(sink_type.options, type) and issubclass(sink_type.options, Table)
        ):
            raise PluginError(
                f"register_alert_sinks got {sink_type!r}, which is not an alert sink type "
                "(needs name, options (a smguard.config.schema.Table) and send())"
            )
        if sink_type.name in found:
            raise PluginError(f"two plugins register the alert sink type {sink_type.name!r}")
        if declared.get(sink_type.name) is not sink_type.options:
            # Otherwise loading the configuration could not check its sinks' options.
            raise PluginError(
                f"the alert sink type {sink_type.name!r} must also declare its options table "
                "through register_settings: register_sink_options(name, options)"
            )
        found[sink_type.name] = sink_type

    pm.hook.register_alert_sinks(register=register)
    return found


# -- from the configuration to the settings --------------------------------------------------


def parse_alert_settings(
    table: Mapping[str, Any],
    types: Mapping[str, AlertSinkType],
    *,
    ui_language: str = "en",
    source: str = "configuration",
    timezone: str = "UTC",
    account_timezones: Mapping[str, str] | None = None,
) -> AlertSettings:
    """An ``[alerts]`` table as written, checked; errors read ``<source>: alerts.KEY: problem``."""
    try:
        alerts = alerts_table(table)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return _alert_settings(
        alerts,
        types,
        ui_language=ui_language,
        source=source,
        timezone=timezone,
        account_timezones=account_timezones,
    )


def _alert_settings(
    alerts: AlertsTable,
    types: Mapping[str, AlertSinkType],
    *,
    ui_language: str = "en",
    source: str = "configuration",
    timezone: str = "UTC",
    account_timezones: Mapping[str, str] | None = None,
) -> AlertSettings:
    """The checked ``[alerts]`` with each sink joined to its type (``types``, by name)."""
    language = alerts.language.lower() if alerts.language else ui_language
    try:
        sinks = {name: _sink(name, sink, types, language) for name, sink in alerts.sinks.items()}
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return AlertSettings(
        sinks=sinks,
        routes=tuple(
            Route(
                sinks=str_list(route.sinks),
                min_severity=Severity.parse(route.min_severity),
                categories=frozenset(str_list(route.categories)),
                accounts=frozenset(str_list(route.accounts)),
                kinds=frozenset(str_list(route.kinds)),
                events=frozenset(str_list(route.events)),
            )
            for route in alerts.routes
        ),
        allow_private_targets=alerts.allow_private_targets,
        max_attempts=alerts.max_attempts,
        backoff_base_s=alerts.backoff_base_s,
        backoff_max_s=alerts.backoff_max_s,
        timeout_s=alerts.timeout_s,
        lease_s=alerts.lease,
        batch_size=alerts.batch_size,
        concurrency=alerts.concurrency,
        language=language,
        source=source,
        timezone=timezone,
        account_timezones=dict(account_timezones or {}),
    )


def _sink(name: str, sink: SinkTable, types: Mapping[str, AlertSinkType], language: str) -> Sink:
    sink_type = types.get(sink.type)
    if sink_type is None:
        known = ", ".join(sorted(types)) or "none: is the webhooks plugin disabled?"
        raise ConfigError(f"alerts.sinks.{name}.type: must be one of {known}")
    return Sink(
        name=name,
        type=sink_type,
        options=sink_options(name, sink, sink_type.options),
        language=sink.language.lower() if sink.language else language,
    )


_cache: weakref.WeakKeyDictionary[Store, AlertSettings] = weakref.WeakKeyDictionary()


def settings_for(store: Store) -> AlertSettings:
    """The store's alert settings, validated once per store."""
    settings = _cache.get(store)
    if settings is None:
        config = store.config
        settings = _alert_settings(
            config.alerts,
            sink_types(store.pm),
            ui_language=config.guard.ui_language,
            source=config.source,
            timezone=config.guard.timezone,
            account_timezones={n: a.timezone for n, a in config.accounts.items()},
        )
        _cache[store] = settings
    return settings
