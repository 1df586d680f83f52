"""The ``[alerts]`` configuration: sinks, routes, retry policy — validated with one-line errors.

Sink *types* (``slack``, ``discord``, ``telegram``, ``json`` from the built-in ``webhooks``
plugin, or any a plugin registers through ``register_alert_sinks``) say which keys a sink of
theirs takes and how an alert is sent. Sinks themselves are declared in ``[alerts.sinks.NAME]``;
their secrets are never in the file, only the names of environment variables holding them.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pluggy

from smguard.alerting._messages import Alert, event_name
from smguard.alerting._transport import AlertHttp, DeliveryError
from smguard.errors import ConfigError, PluginError
from smguard.types import LANGUAGES, Severity

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

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMMON_SINK_KEYS = frozenset({"type", "language"})
_SECRET_KEYS = {"url": "url_env", "webhook": "url_env", "webhook_url": "url_env",
                "token": "token_env", "secret": "secret_env"}  # fmt: skip
_ROUTE_KEYS = frozenset({"sinks", "min_severity", "categories", "accounts", "kinds", "events"})
#: The keys of the ``[alerts]`` table.
SETTING_NAMES = frozenset({
    "allow_private_targets", "max_attempts", "backoff_base_s", "backoff_max_s", "timeout_s",
    "lease_s", "batch_size", "concurrency", "language", "sinks", "routes",
})  # fmt: skip


@runtime_checkable
class AlertSinkType(Protocol):
    """What ``register_alert_sinks`` takes: a kind of sink (e.g. ``slack``).

    ``keys`` are the settings a sink of this type accepts besides ``type`` and ``language``;
    keys ending in ``_env`` name environment variables that hold secrets. ``check`` validates a
    sink's table (raise :class:`~smguard.errors.ConfigError` naming ``where.KEY``). ``send``
    delivers one alert or raises :class:`~smguard.alerting.DeliveryError`; it must not put secrets
    in that error.
    """

    name: str
    keys: frozenset[str]
    required: frozenset[str]

    def check(self, where: str, table: Mapping[str, Any]) -> None: ...

    def send(self, sink: Sink, alert: Alert, http: AlertHttp) -> None: ...


@dataclass(frozen=True)
class Sink:
    """A configured sink: ``[alerts.sinks.NAME]``."""

    name: str
    type: AlertSinkType
    options: Mapping[str, Any]
    language: str

    @property
    def where(self) -> str:
        return f"alerts.sinks.{self.name}"

    def secret(self, key: str) -> str:
        """The value of the environment variable named by option ``key`` (e.g. ``url_env``)."""
        variable = self.options.get(key)
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
        for key, variable in self.options.items():
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

    def register(sink_type: Any) -> None:
        if not isinstance(sink_type, AlertSinkType):
            raise PluginError(
                f"register_alert_sinks got {sink_type!r}, which is not an alert sink type "
                "(needs name, keys, required, check() and send())"
            )
        if sink_type.name in found:
            raise PluginError(f"two plugins register the alert sink type {sink_type.name!r}")
        found[sink_type.name] = sink_type

    pm.hook.register_alert_sinks(register=register)
    return found


# -- parsing -----------------------------------------------------------------------------------


def _number(table: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"alerts.{key}: must be a number from {low:g} to {high:g}")
    return float(value)


def _whole(table: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"alerts.{key}: must be a whole number from {low} to {high}")
    return value


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{key}: must be a list of names")
    return tuple(value)


def _language(value: Any, key: str) -> str:
    if not isinstance(value, str) or value.lower() not in LANGUAGES:
        raise ConfigError(f"{key}: must be one of {', '.join(LANGUAGES)}")
    return value.lower()


def _parse_sink(name: str, table: Any, types: Mapping[str, AlertSinkType], language: str) -> Sink:
    where = f"alerts.sinks.{name}"
    if not _NAME.match(name):
        raise ConfigError(f"{where}: a sink name uses letters, digits, '-', '_' or '.'")
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: must be a table ([{where}])")
    kind = table.get("type")
    if not isinstance(kind, str) or kind not in types:
        known = ", ".join(sorted(types)) or "none: is the webhooks plugin disabled?"
        raise ConfigError(f"{where}.type: must be one of {known}")
    sink_type = types[kind]
    for key, value in table.items():
        if key in _COMMON_SINK_KEYS or key in sink_type.keys:
            continue
        if key in _SECRET_KEYS or (isinstance(value, str) and "://" in value):
            # Never echo the value: it is probably the secret itself.
            instead = _SECRET_KEYS.get(key, "a *_env setting")
            raise ConfigError(
                f"{where}.{key}: secrets are not read from the file; put the value in an "
                f"environment variable and give that variable's name in {instead}"
            )
        known = ", ".join(sorted(_COMMON_SINK_KEYS | sink_type.keys))
        raise ConfigError(f"{where}.{key}: unknown setting for a {kind} sink (known: {known})")
    for key in sorted(sink_type.required):
        if key not in table:
            raise ConfigError(f"{where}.{key}: required for a {kind} sink")
    for key, value in table.items():
        if not key.endswith("_env"):
            continue
        if not isinstance(value, str) or not _ENV_NAME.match(value):
            # Never echo the value: it may be the secret itself, pasted in by mistake.
            raise ConfigError(
                f"{where}.{key}: must be the name of an environment variable "
                "(e.g. SMGUARD_SLACK_WEBHOOK), not the secret itself"
            )
    sink_type.check(where, table)
    lang = _language(table["language"], f"{where}.language") if "language" in table else language
    return Sink(name=name, type=sink_type, options=dict(table), language=lang)


def _parse_route(index: int, table: Any, sinks: Mapping[str, Sink]) -> Route:
    where = f"alerts.routes[{index}]"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: must be a table ([[alerts.routes]])")
    for key in table:
        if key not in _ROUTE_KEYS:
            known = ", ".join(sorted(_ROUTE_KEYS))
            raise ConfigError(f"{where}.{key}: unknown setting (known: {known})")
    if "sinks" not in table:
        raise ConfigError(f"{where}.sinks: required (which sinks this route sends to)")
    names = _strings(table["sinks"], f"{where}.sinks")
    for name in names:
        if name not in sinks:
            known = ", ".join(sorted(sinks)) or "none configured"
            raise ConfigError(f"{where}.sinks: no sink named {name!r} (known: {known})")
    severity = Severity.INFO
    if "min_severity" in table:
        try:
            severity = Severity.parse(table["min_severity"])
        except ValueError as exc:
            raise ConfigError(f"{where}.min_severity: {exc}") from None

    def names_of(key: str) -> frozenset[str]:
        return frozenset(_strings(table[key], f"{where}.{key}")) if key in table else frozenset()

    return Route(
        sinks=names,
        min_severity=severity,
        categories=names_of("categories"),
        accounts=names_of("accounts"),
        kinds=names_of("kinds"),
        events=names_of("events"),
    )


def parse_alert_settings(
    table: Mapping[str, Any],
    types: Mapping[str, AlertSinkType],
    *,
    ui_language: str = "en",
    source: str = "configuration",
    timezone: str = "UTC",
    account_timezones: Mapping[str, str] | None = None,
) -> AlertSettings:
    """Validate the ``[alerts]`` table; errors read ``<source>: alerts.KEY: problem``."""
    try:
        settings = _parse(table, types, ui_language, source)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return replace(settings, timezone=timezone, account_timezones=dict(account_timezones or {}))


def _parse(
    table: Mapping[str, Any], types: Mapping[str, AlertSinkType], ui_language: str, source: str
) -> AlertSettings:
    for key in table:
        if key not in SETTING_NAMES:
            raise ConfigError(
                f"alerts.{key}: unknown setting (known: {', '.join(sorted(SETTING_NAMES))})"
            )
    allow = table.get("allow_private_targets", False)
    if not isinstance(allow, bool):
        raise ConfigError("alerts.allow_private_targets: must be true or false")
    language = (
        _language(table["language"], "alerts.language") if "language" in table else ui_language
    )
    timeout = _number(table, "timeout_s", 10.0, 0.1, 300)
    lease = _number(table, "lease_s", max(120.0, 4 * timeout), 1, 86_400)
    if lease < 4 * timeout:
        raise ConfigError(
            f"alerts.lease_s: must be at least 4 × alerts.timeout_s ({4 * timeout:g}), so a slow "
            "send never outlives its claim and gets sent twice"
        )
    base = _number(table, "backoff_base_s", 15.0, 0.01, 86_400)
    most = _number(table, "backoff_max_s", 3600.0, 0.01, 7 * 86_400)
    if most < base:
        raise ConfigError("alerts.backoff_max_s: must not be less than alerts.backoff_base_s")
    raw_sinks = table.get("sinks", {})
    if not isinstance(raw_sinks, Mapping):
        raise ConfigError("alerts.sinks: must be a table of sinks ([alerts.sinks.NAME])")
    sinks = {name: _parse_sink(name, t, types, language) for name, t in raw_sinks.items()}
    raw_routes = table.get("routes", [])
    if not isinstance(raw_routes, list):
        raise ConfigError("alerts.routes: must be an array of tables ([[alerts.routes]])")
    routes = tuple(_parse_route(i, r, sinks) for i, r in enumerate(raw_routes))
    return AlertSettings(
        sinks=sinks,
        routes=routes,
        allow_private_targets=allow,
        max_attempts=_whole(table, "max_attempts", 8, 1, 100),
        backoff_base_s=base,
        backoff_max_s=most,
        timeout_s=timeout,
        lease_s=lease,
        batch_size=_whole(table, "batch_size", 20, 1, 1000),
        concurrency=_whole(table, "concurrency", 4, 1, 64),
        language=language,
        source=source,
    )


_cache: weakref.WeakKeyDictionary[Store, AlertSettings] = weakref.WeakKeyDictionary()


def settings_for(store: Store) -> AlertSettings:
    """The store's alert settings, validated once per store."""
    settings = _cache.get(store)
    if settings is None:
        settings = parse_alert_settings(
            store.config.alerts,
            sink_types(store.pm),
            ui_language=store.config.guard.ui_language,
            source=store.config.source,
            timezone=store.config.guard.timezone,
            account_timezones={n: a.timezone for n, a in store.config.accounts.items()},
        )
        _cache[store] = settings
    return settings
