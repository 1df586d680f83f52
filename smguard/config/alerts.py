"""``[alerts]``: the retry policy of alert delivery, the sinks alerts go to, the routes that pick
them, and the options of the built-in sink types.

The keys every sink has (``type``, ``language``) and the rule that secrets stay out of the file
are checked when the file is loaded. The other keys of ``[alerts.sinks.NAME]`` are the options of
its sink type, checked against the table that sink type declares (:func:`sink_options`) once the
plugins are known (:func:`smguard.config.plugins.check_settings`). The file never holds a secret,
only the names of the environment variables that do (keys ending in ``_env``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import Meta

from smguard.config.core import LANGUAGE
from smguard.config.policy import SEVERITY
from smguard.config.schema import (
    NON_EMPTY,
    Table,
    convert,
    convert_each,
    invalid,
    str_list,
)
from smguard.errors import ConfigError

__all__ = [
    "SINK_KEYS",
    "TELEGRAM_API",
    "AlertsTable",
    "DiscordOptions",
    "JsonOptions",
    "RouteTable",
    "SinkTable",
    "SlackOptions",
    "TelegramOptions",
    "WebhookOptions",
    "alerts_table",
    "sink_options",
]

T = TypeVar("T")

#: The keys of ``[alerts.sinks.NAME]`` that every sink has, whatever its type.
SINK_KEYS = ("type", "language")
_SINK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Keys people paste a secret into, and the ``*_env`` setting that names its variable instead.
_SECRET_KEYS = {"url": "url_env", "webhook": "url_env", "webhook_url": "url_env",
                "token": "token_env", "secret": "secret_env"}  # fmt: skip
_NAME_LIST = Annotated[str, Meta(min_length=1)] | tuple[Annotated[str, Meta(min_length=1)], ...]


class SinkTable(Table, frozen=True):
    """``[alerts.sinks.NAME]``: one place alerts are sent to. ``type`` picks the sink type; the
    other keys are that type's options (the built-in ones: docs/alerts.md)."""

    type: Annotated[
        NON_EMPTY,
        Meta(description="The sink type: slack, discord, telegram, json, or one a plugin adds."),
    ]
    language: (
        Annotated[
            LANGUAGE, Meta(description="Language of this sink's alerts (default: alerts.language).")
        ]
        | None
    ) = None
    #: The keys besides ``type`` and ``language``, as written (:func:`alerts_table` puts them
    #: here); :func:`sink_options` checks them against the sink type's table.
    options: dict[str, Any] = msgspec.field(default_factory=dict)


class RouteTable(Table, frozen=True):
    """``[[alerts.routes]]``: which incidents go to which sinks; a filter left out matches all."""

    sinks: Annotated[_NAME_LIST, Meta(description="The sinks this route sends to, by name.")]
    min_severity: Annotated[
        SEVERITY, Meta(description="Only incidents of this severity or worse.")
    ] = "info"
    categories: Annotated[_NAME_LIST, Meta(description="Only incidents of these categories.")] = ()
    accounts: Annotated[_NAME_LIST, Meta(description="Only incidents of these accounts.")] = ()
    kinds: Annotated[
        _NAME_LIST, Meta(description="Only these incident kinds (e.g. suspicious_login).")
    ] = ()
    events: Annotated[
        _NAME_LIST, Meta(description="Only these changes: opened, escalated (default: both).")
    ] = ()


class AlertsTable(Table, frozen=True):
    """``[alerts]``: sinks, routes and how alerts are delivered and retried (docs/alerts.md)."""

    allow_private_targets: Annotated[
        bool, Meta(description="Allow sinks on private or loopback addresses (an on-site relay).")
    ] = False
    max_attempts: Annotated[
        int, Meta(ge=1, le=100, description="Tries before an alert is dead (and an incident).")
    ] = 8
    backoff_base_s: Annotated[
        float, Meta(ge=0.01, le=86_400, description="Seconds before the first retry; doubles.")
    ] = 15.0
    backoff_max_s: Annotated[
        float, Meta(ge=0.01, le=7 * 86_400, description="The longest pause between two tries.")
    ] = 3600.0
    timeout_s: Annotated[
        float, Meta(ge=0.1, le=300, description="Seconds to wait for a sink's answer.")
    ] = 10.0
    lease_s: Annotated[
        float,
        Meta(ge=1, le=86_400, description="How long a sender holds an alert (default: 120, at "
             "least 4 × timeout_s)."),
    ] | None = None  # fmt: skip
    batch_size: Annotated[
        int, Meta(ge=1, le=1000, description="Alerts claimed per round of delivery.")
    ] = 20
    concurrency: Annotated[int, Meta(ge=1, le=64, description="Alerts sent at the same time.")] = 4
    language: (
        Annotated[LANGUAGE, Meta(description="Language of alerts (default: guard.ui_language).")]
        | None
    ) = None
    sinks: dict[str, SinkTable] = msgspec.field(default_factory=dict)
    routes: tuple[RouteTable, ...] = ()

    def __post_init__(self) -> None:
        if self.lease_s is not None and self.lease_s < 4 * self.timeout_s:
            invalid(
                "lease_s",
                f"must be at least 4 × alerts.timeout_s ({4 * self.timeout_s:g}), so a slow send "
                "never outlives its claim and gets sent twice",
            )
        if self.backoff_max_s < self.backoff_base_s:
            invalid("backoff_max_s", "must not be less than alerts.backoff_base_s")
        known = ", ".join(sorted(self.sinks)) or "none configured"
        for index, route in enumerate(self.routes):
            for name in str_list(route.sinks):
                if name not in self.sinks:
                    invalid(f"routes[{index}].sinks", f"no sink named {name!r} (known: {known})")

    @property
    def lease(self) -> float:
        """``lease_s``, or its default: 120 seconds, and at least 4 × ``timeout_s``."""
        return self.lease_s if self.lease_s is not None else max(120.0, 4 * self.timeout_s)


def alerts_table(raw: Mapping[str, Any]) -> AlertsTable:
    """Check ``[alerts]``; an error names the key (``alerts.sinks.desk.language: …``)."""
    data = dict(raw)
    sinks = data.get("sinks", {})
    if isinstance(sinks, Mapping):
        data["sinks"] = {name: _split(name, table) for name, table in sinks.items()}
        convert_each(data["sinks"], SinkTable, "alerts.sinks")  # each with its name in errors
    return convert(data, AlertsTable, "alerts")


def _split(name: str, table: Any) -> Any:
    """A sink's table with its type's options moved under ``options``; its secrets refused."""
    where = f"alerts.sinks.{name}"
    if not _SINK_NAME.match(name):
        raise ConfigError(f"{where}: a sink name uses letters, digits, '-', '_' or '.'")
    if not isinstance(table, Mapping):
        return table  # convert_each says what it should be
    for key, value in table.items():
        if key.endswith("_env") and not (isinstance(value, str) and _ENV_NAME.match(value)):
            # Never echo the value: it may be the secret itself, pasted in by mistake.
            raise ConfigError(
                f"{where}.{key}: must be the name of an environment variable "
                "(e.g. SMGUARD_SLACK_WEBHOOK), not the secret itself"
            )
    return {
        **{k: v for k, v in table.items() if k in SINK_KEYS},
        "options": {k: v for k, v in table.items() if k not in SINK_KEYS},
    }


def sink_options(name: str, sink: SinkTable, table: type[T]) -> T:
    """The options of sink ``name``, checked against its sink type's ``table``."""
    where = f"alerts.sinks.{name}"
    known: tuple[str, ...] = getattr(table, "__struct_fields__", ())
    for key, value in sink.options.items():
        if key in known:
            continue
        if key in _SECRET_KEYS or (isinstance(value, str) and "://" in value):
            # Never echo the value: it is probably the secret itself.
            instead = _SECRET_KEYS.get(key, "a *_env setting")
            raise ConfigError(
                f"{where}.{key}: secrets are not read from the file; put the value in an "
                f"environment variable and give that variable's name in {instead}"
            )
        keys = ", ".join(sorted({*SINK_KEYS, *known}))
        raise ConfigError(f"{where}.{key}: unknown setting for a {sink.type} sink (known: {keys})")
    return convert(sink.options, table, where)


# -- the built-in sink types' options (smguard.alerting sends; the webhooks plugin declares) ---

_URL_ENV = Meta(description="The environment variable that holds the webhook URL.")
TELEGRAM_API = "https://api.telegram.org"


class WebhookOptions(Table, frozen=True):
    """Options of a sink that posts to one secret webhook URL."""

    url_env: Annotated[str, _URL_ENV]


class SlackOptions(WebhookOptions, frozen=True):
    """``type = "slack"``: a Slack incoming webhook."""


class DiscordOptions(WebhookOptions, frozen=True):
    """``type = "discord"``: a Discord webhook."""


class TelegramOptions(Table, frozen=True):
    """``type = "telegram"``: a Telegram bot posting to a chat, a channel or a topic."""

    token_env: Annotated[
        str, Meta(description="The environment variable that holds the bot token.")
    ]
    chat_id: Annotated[
        int | str, Meta(description='The chat number (e.g. "-1001234567890") or "@channel".')
    ]
    api_url: Annotated[
        str, Meta(description="The Bot API's base URL (a self-hosted Bot API server).")
    ] = TELEGRAM_API
    message_thread_id: Annotated[int, Meta(description="The topic of a forum chat.")] | None = None

    def __post_init__(self) -> None:
        chat = self.chat_id
        if isinstance(chat, str) and not re.fullmatch(r"-?\d+|@[A-Za-z0-9_]{4,}", chat):
            invalid("chat_id", 'must be a chat number (e.g. "-1001234567890") or "@channel"')
        if not re.match(r"https?://[^/?#]+/?$", self.api_url):
            invalid("api_url", f"must be a base URL like {TELEGRAM_API}")


class JsonOptions(Table, frozen=True):
    """``type = "json"``: the incident as signed JSON, for your own receiver (or a SIEM)."""

    url_env: Annotated[str, _URL_ENV]
    secret_env: Annotated[
        str, Meta(description="The environment variable that holds the signing key (HMAC).")
    ]
    include_evidence: Annotated[
        bool, Meta(description="Send the incident's evidence too (default: true).")
    ] = True
