"""Alerts: tell the people who must know, within a minute, through the channels they watch.

An incident's alerts are queued in an outbox *in the same transaction* as the incident
(:func:`enqueue_incident_alerts`, called by the built-in ``webhooks`` plugin from the
``incident_changed`` hook), then delivered by ``smguard alerts deliver`` or :func:`deliver_due` to
the sinks its routes pick: Slack, Discord, Telegram or signed generic JSON (:data:`SINK_TYPES`,
registered by the ``webhooks`` plugin), or any sink type a plugin registers through
``register_alert_sinks``. Failed deliveries are retried with exponential backoff and jitter; after
``[alerts] max_attempts`` an alert is *dead* and opens an ``alert_delivery_failure`` incident.
Delivery is at least once: receivers dedupe on the ``Idempotency-Key``.

Receivers of the generic JSON format verify requests with :func:`verify_signature`. See
``docs/alerts.md``.

This package is the public API: import from ``smguard.alerting`` only. The modules behind it are
private (a leading underscore; an import-linter contract keeps the rest of smguard out of them):
``_settings`` (``[alerts]`` and the sink types), ``_messages`` (what an alert says), ``_signing``
(HMAC signatures), ``_transport`` (safe HTTP), ``_sinks`` (the built-in sink types), ``_outbox``
(queueing) and ``_delivery`` (claiming, sending, retrying).

May import: :mod:`smguard.records`, and the layers below it.
"""

from __future__ import annotations

from smguard.alerting._delivery import (
    DeliveryOutcome,
    DeliveryReport,
    backoff_delay,
    deliver_due,
    send_digest,
    send_test_alert,
)
from smguard.alerting._messages import Alert, AlertMessage, render_message
from smguard.alerting._outbox import (
    enqueue_incident_alerts,
    idempotency_key,
    incident_snapshot,
    list_alerts,
    retry_alerts,
)
from smguard.alerting._settings import (
    SETTING_NAMES,
    AlertSettings,
    AlertSinkType,
    Route,
    Sink,
    parse_alert_settings,
    settings_for,
    sink_types,
)
from smguard.alerting._signing import SIGNATURE_HEADER, sign, signature_header, verify_signature
from smguard.alerting._sinks import (
    SINK_TYPES,
    DiscordSink,
    JsonSink,
    SlackSink,
    TelegramSink,
    WebhookSinkType,
)
from smguard.alerting._transport import (
    AlertHttp,
    DeliveryError,
    TargetRefused,
    WebhookRequest,
    is_public_address,
    redact_url,
    scrub,
)

__all__ = [
    "SETTING_NAMES",
    "SIGNATURE_HEADER",
    "SINK_TYPES",
    "Alert",
    "AlertHttp",
    "AlertMessage",
    "AlertSettings",
    "AlertSinkType",
    "DeliveryError",
    "DeliveryOutcome",
    "DeliveryReport",
    "DiscordSink",
    "JsonSink",
    "Route",
    "Sink",
    "SlackSink",
    "TargetRefused",
    "TelegramSink",
    "WebhookRequest",
    "WebhookSinkType",
    "backoff_delay",
    "deliver_due",
    "enqueue_incident_alerts",
    "idempotency_key",
    "incident_snapshot",
    "is_public_address",
    "list_alerts",
    "parse_alert_settings",
    "redact_url",
    "render_message",
    "retry_alerts",
    "scrub",
    "send_digest",
    "send_test_alert",
    "settings_for",
    "sign",
    "signature_header",
    "sink_types",
    "verify_signature",
]
