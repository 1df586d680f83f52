"""Built-in alert sink types (``slack``, ``discord``, ``telegram``, signed generic ``json``), and
the subscriber that queues an incident's alerts when it is opened or escalated.

Both import :mod:`smguard.alerting` when first called, not when the plugin loads, so that checking
a post never pays for the HTTP stack; the sink types' options are declared from
:mod:`smguard.config.alerts`, which is light, so that the configuration is checked without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smguard import hookimpl
from smguard.config.alerts import DiscordOptions, JsonOptions, SlackOptions, TelegramOptions
from smguard.config.schema import Table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smguard.records.store import Store
    from smguard.records.tables import Incident


#: The options of each built-in sink type (the same tables as ``smguard.alerting.SINK_TYPES``').
SINK_OPTIONS: dict[str, type[Table]] = {
    "slack": SlackOptions,
    "discord": DiscordOptions,
    "telegram": TelegramOptions,
    "json": JsonOptions,
}


@hookimpl
def register_settings(register_sink_options: Callable[[str, type[Table]], None]) -> None:
    for name, table in SINK_OPTIONS.items():
        register_sink_options(name, table)


@hookimpl
def register_alert_sinks(register: Callable[[Any], None]) -> None:
    from smguard.alerting import SINK_TYPES

    for sink_type in SINK_TYPES:
        register(sink_type)


@hookimpl
def incident_changed(store: Store, session: Session, incident: Incident, event: str) -> None:
    # Alerts go out when an incident is opened and when a sighting raises its severity; the
    # outbox rows join the incident's transaction, so neither exists without the other.
    if event == "incident.opened" or event.startswith("incident.escalated:"):
        from smguard.alerting import enqueue_incident_alerts

        enqueue_incident_alerts(store, session, incident, event)
