"""Alerts: tell the people who must know, within a minute, through the channels they watch.

An incident's alerts are queued in an outbox *in the same transaction* as the incident
(:func:`enqueue_incident_alerts`), then delivered by ``smguard alerts deliver`` or
:func:`deliver_due` to the sinks its routes pick: Slack, Discord, Telegram or signed generic
JSON (the built-in ``webhooks`` plugin), or any sink type a plugin registers through
``register_alert_sinks``. Failed deliveries are retried with exponential backoff and jitter; after
``[alerts] max_attempts`` an alert is *dead* and opens an ``alert_delivery_failure`` incident.
Delivery is at least once: receivers dedupe on the ``Idempotency-Key``.

Receivers of the generic JSON format verify requests with :func:`verify_signature`. See
``docs/alerts.md``.
"""

from __future__ import annotations

from smguard.alerting.messages import Alert, AlertMessage, render_message
from smguard.alerting.outbox import (
    DeliveryOutcome,
    DeliveryReport,
    backoff_delay,
    deliver_due,
    enqueue_incident_alerts,
    idempotency_key,
    incident_snapshot,
    list_alerts,
    retry_alerts,
    send_test_alert,
)
from smguard.alerting.settings import (
    AlertSettings,
    AlertSinkType,
    Route,
    Sink,
    parse_alert_settings,
    settings_for,
    sink_types,
)
from smguard.alerting.signing import SIGNATURE_HEADER, sign, signature_header, verify_signature
from smguard.alerting.transport import (
    AlertHttp,
    DeliveryError,
    TargetRefused,
    WebhookRequest,
    is_public_address,
    redact_url,
    scrub,
)

__all__ = [
    "SIGNATURE_HEADER",
    "Alert",
    "AlertHttp",
    "AlertMessage",
    "AlertSettings",
    "AlertSinkType",
    "DeliveryError",
    "DeliveryOutcome",
    "DeliveryReport",
    "Route",
    "Sink",
    "TargetRefused",
    "WebhookRequest",
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
    "send_test_alert",
    "settings_for",
    "sign",
    "signature_header",
    "sink_types",
    "verify_signature",
]
