"""Built-in alert sink types: ``slack``, ``discord``, ``telegram`` and signed generic ``json``.

Each is a small class: the options a sink takes (their tables are in
:mod:`smguard.config.alerts`, light to import, so that the ``webhooks`` plugin can declare them
without loading this module), and how an alert becomes one HTTPS POST.
Every text field that could carry an attacker's words (an incident title quotes posts) is
escaped for the target's markup, and mentions are switched off, so an alert can never ping
``@everyone`` or inject a link.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from smguard.alerting._messages import Alert, AlertMessage
from smguard.alerting._settings import Sink
from smguard.alerting._signing import SIGNATURE_HEADER, signature_header
from smguard.alerting._transport import AlertHttp, WebhookRequest
from smguard.config.alerts import (
    DiscordOptions,
    JsonOptions,
    SlackOptions,
    TelegramOptions,
    WebhookOptions,
)
from smguard.config.schema import Table

__all__ = [
    "SINK_TYPES",
    "DiscordSink",
    "JsonSink",
    "SlackSink",
    "TelegramSink",
    "WebhookSinkType",
]

_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
_CODE = re.compile(r"`([^`]+)`")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dump(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookSinkType:
    """Base of the built-in types: build one :class:`WebhookRequest`, POST it."""

    name = "webhook"
    options: type[Table] = WebhookOptions

    def request(self, sink: Sink, alert: Alert) -> WebhookRequest:
        raise NotImplementedError

    def send(self, sink: Sink, alert: Alert, http: AlertHttp) -> None:
        http.post(self.request(sink, alert))


# -- Slack -------------------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn control characters; escaping them also defuses <!channel> and <url|label>.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackSink(WebhookSinkType):
    """Slack incoming webhook: ``text`` (notification fallback) plus Block Kit ``blocks``."""

    name = "slack"
    options = SlackOptions

    def payload(self, msg: AlertMessage, alert: Alert) -> dict[str, Any]:
        esc = _slack_escape
        fields = [
            {"type": "mrkdwn", "text": _cut(f"*{esc(label)}*\n{esc(value)}", 2000)}
            for label, value in msg.facts[:10]
        ]
        return {
            "text": _cut(esc(f"{msg.headline}: {msg.summary}"), 3000),
            "blocks": [
                {"type": "header",
                 "text": {"type": "plain_text", "text": _cut(msg.headline, 150)}},
                {"type": "section",
                 "text": {"type": "mrkdwn",
                          "text": _cut(f"*{esc(msg.labels['what'])}:* {esc(msg.summary)}", 3000)}},
                {"type": "section", "fields": fields},
                {"type": "section",
                 "text": {"type": "mrkdwn",
                          "text": _cut(f"*{esc(msg.labels['next'])}:* {esc(msg.next_step)}",
                                       3000)}},
                {"type": "context",
                 "elements": [{"type": "mrkdwn", "text": f"smguard · {esc(alert.key)}"}]},
            ],
        }  # fmt: skip

    def request(self, sink: Sink, alert: Alert) -> WebhookRequest:
        url = sink.secret("url_env")
        body = _dump(self.payload(alert.message(sink.language), alert))
        return WebhookRequest(url=url, body=body, headers=_JSON_HEADERS, secrets=[url])


# -- Discord -----------------------------------------------------------------------------------

_DISCORD_MARKUP = re.compile(r"([\\*_~`|>\[\]()<@])")
_COLOUR = {"critical": 0x8B0000, "high": 0xE01E1E, "medium": 0xF2A900, "low": 0x2D9CDB,
           "info": 0x95A5A6}  # fmt: skip


#: What Discord reads as markdown at the start of a line: headings (``#``), subtext (``-#``),
#: lists (``-``, ``+``, ``1.``). A post quoted in a summary must not turn into a heading.
_DISCORD_LINE_START = re.compile(r"(?m)^([ \t]*)(?:([#+-])|(\d+)\.(?=[ \t]))")


def _discord_line(m: re.Match[str]) -> str:
    if m[3] is not None:
        return f"{m[1]}{m[3]}\\."
    return f"{m[1]}\\{m[2]}"


def _discord_escape(text: str) -> str:
    return _DISCORD_LINE_START.sub(_discord_line, _DISCORD_MARKUP.sub(r"\\\1", text))


class DiscordSink(WebhookSinkType):
    """Discord webhook: a short ``content`` line and one embed; mentions disabled."""

    name = "discord"
    options = DiscordOptions

    def payload(self, msg: AlertMessage, alert: Alert) -> dict[str, Any]:
        esc = _discord_escape
        description = (
            f"**{msg.labels['what']}:** {esc(msg.summary)}\n\n"
            f"**{msg.labels['next']}:** {msg.next_step}"
        )
        embed = {
            "title": _cut(esc(msg.headline), 256),
            "description": _cut(description, 4096),
            "color": _COLOUR.get(msg.severity, _COLOUR["info"]),
            "fields": [
                {"name": _cut(label, 256), "value": _cut(esc(value), 1024), "inline": True}
                for label, value in msg.facts[:25]
            ],
            "footer": {"text": _cut(f"smguard · {alert.key}", 2048)},
        }
        created = alert.incident.get("created_at")
        if isinstance(created, str):
            embed["timestamp"] = created
        return {
            "content": _cut(esc(msg.headline), 2000),
            "embeds": [embed],
            "allowed_mentions": {"parse": []},
        }

    def request(self, sink: Sink, alert: Alert) -> WebhookRequest:
        url = sink.secret("url_env")
        body = _dump(self.payload(alert.message(sink.language), alert))
        return WebhookRequest(url=url, body=body, headers=_JSON_HEADERS, secrets=[url])


# -- Telegram ----------------------------------------------------------------------------------


def _tg(text: str) -> str:
    return html.escape(text, quote=False)


class TelegramSink(WebhookSinkType):
    """Telegram Bot API ``sendMessage`` with ``parse_mode`` HTML (every field escaped)."""

    name = "telegram"
    options = TelegramOptions

    def text(self, msg: AlertMessage) -> str:
        lines = [
            f"<b>{_tg(msg.headline)}</b>",
            f"<b>{_tg(msg.labels['what'])}:</b> {_tg(_cut(msg.summary, 1500))}",
        ]
        lines += [f"<b>{_tg(label)}:</b> {_tg(value)}" for label, value in msg.facts]
        next_step = _CODE.sub(r"<code>\1</code>", _tg(msg.next_step))
        lines.append(f"<b>{_tg(msg.labels['next'])}:</b> {next_step}")
        return "\n".join(lines)

    def request(self, sink: Sink, alert: Alert) -> WebhookRequest:
        token = sink.secret("token_env")
        options: TelegramOptions = sink.options
        data: dict[str, Any] = {
            "chat_id": options.chat_id,
            "text": self.text(alert.message(sink.language)),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if options.message_thread_id is not None:
            data["message_thread_id"] = options.message_thread_id
        return WebhookRequest(
            url=f"{options.api_url.rstrip('/')}/bot{token}/sendMessage",
            body=_dump(data),
            headers=_JSON_HEADERS,
            secrets=[token],
        )


# -- generic JSON ------------------------------------------------------------------------------


class JsonSink(WebhookSinkType):
    """The incident as JSON, HMAC-signed (``X-Smguard-Signature``), with an ``Idempotency-Key``."""

    name = "json"
    options = JsonOptions

    def payload(self, sink: Sink, alert: Alert) -> dict[str, Any]:
        msg = alert.message(sink.language)
        data = {"type": "smguard.alert", "version": 1, **alert.as_json()}
        options: JsonOptions = sink.options
        if not options.include_evidence:
            data["incident"] = {k: v for k, v in data["incident"].items() if k != "evidence"}
        data["message"] = {
            "language": msg.language,
            "headline": msg.headline,
            "summary": msg.summary,
            "next_step": msg.next_step,
            "text": msg.plain_text(),
        }
        return data

    def request(self, sink: Sink, alert: Alert) -> WebhookRequest:
        url = sink.secret("url_env")
        secret = sink.secret("secret_env")
        body = _dump(self.payload(sink, alert))
        headers = {
            **_JSON_HEADERS,
            "Idempotency-Key": alert.key,
            "X-Smguard-Event": alert.event,
            SIGNATURE_HEADER: signature_header(secret, body),
        }
        return WebhookRequest(url=url, body=body, headers=headers, secrets=[url, secret])


#: The built-in sink types, as the ``webhooks`` plugin registers them.
SINK_TYPES = (SlackSink(), DiscordSink(), TelegramSink(), JsonSink())
