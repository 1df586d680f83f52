"""``smguard alerts``: see the alert outbox, deliver it, retry dead alerts, test a sink.

\b
smguard alerts list [--status pending|sent|dead] [--format json]
smguard alerts deliver [--once] [--interval S]   # the delivery loop; stops cleanly on Ctrl-C/TERM
smguard alerts retry ID… | --all-dead           # back into the queue, due now
smguard alerts test SINK                        # send a test alert to one sink now

Who asks is ``--as NAME`` as everywhere else (``--by``, its old name, works for one more release).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from datetime import datetime
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

import click

from smguard.cli import style
from smguard.cli.common import actor_option, resolve_actor
from smguard.cli.deprecated import renamed_option
from smguard.cli.main import State
from smguard.cli.output import echo_json, echo_json_line, format_option
from smguard.types import localized

_T: dict[str, dict[str, str]] = {
    "empty": {"en": "No alerts.", "id": "Tidak ada peringatan."},
    "pending": {"en": "waiting", "id": "menunggu"},
    "sent": {"en": "sent", "id": "terkirim"},
    "dead": {"en": "DEAD", "id": "GAGAL"},
    "incident": {"en": "incident", "id": "insiden"},
    "next": {"en": "next try", "id": "coba lagi"},
    "attempts": {"en": "attempts", "id": "percobaan"},
    "last_error": {"en": "last error", "id": "galat terakhir"},
    "retry_hint": {"en": "to try again: smguard alerts retry {id}",
                   "id": "untuk mencoba lagi: smguard alerts retry {id}"},
    "retried": {"en": "Back in the queue: {ids}.", "id": "Kembali ke antrean: {ids}."},
    "none_dead": {"en": "No dead alerts.", "id": "Tidak ada peringatan yang gagal."},
    "test_ok": {"en": "Test alert delivered to {sink} ({type}).",
                "id": "Peringatan uji coba terkirim ke {sink} ({type})."},
    "no_sinks": {"en": "No alert sinks are configured ([alerts.sinks] in smguard.toml).",
                 "id": "Belum ada kanal peringatan ([alerts.sinks] di smguard.toml)."},
    "started": {"en": "Delivering alerts as worker {worker} (Ctrl-C to stop).",
                "id": "Mengirim peringatan sebagai pekerja {worker} (Ctrl-C untuk berhenti)."},
    "stopping": {"en": "Stopping after the current deliveries…",
                 "id": "Berhenti setelah pengiriman yang sedang berjalan…"},
}  # fmt: skip


def _t(key: str, lang: str, **kw: Any) -> str:
    return localized(_T[key], lang).format(**kw)


def _store(state: State) -> Any:
    from smguard.records.store import Store

    return Store(state.config)


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return "—"
    local = value.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


def iso(v: datetime | None) -> str | None:
    return v.isoformat() if v else None


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "sink": row.sink,
        "event": row.event,
        "incident_id": row.incident_id,
        "idempotency_key": row.idempotency_key,
        "attempts": row.attempts,
        "created_at": iso(row.created_at),
        "next_attempt_at": iso(row.next_attempt_at) if row.status == "pending" else None,
        "sent_at": iso(row.sent_at),
        "locked_by": row.locked_by,
        "last_error": row.last_error,
    }


@click.group()
def alerts() -> None:
    """Alerts to Slack, Discord, Telegram and signed JSON webhooks (see docs/alerts.md)."""


@alerts.command("list")
@click.option("--status", type=click.Choice(["pending", "sent", "dead"]), help="Only these.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@format_option()
@click.pass_obj
def list_command(state: State, status: str | None, limit: int, fmt: str) -> None:
    """The newest alerts in the outbox and how their delivery went."""
    from smguard.alerting import list_alerts, settings_for

    store = _store(state)
    settings = settings_for(store)
    rows = list_alerts(store, status=status, limit=limit)
    if fmt == "json":
        echo_json([_row_json(r) for r in rows])
        return
    lang = state.lang
    if not rows:
        click.echo(_t("empty", lang))
        return
    tz = ZoneInfo(settings.timezone)
    for row in rows:
        word = style.tone(f"{_t(row.status, lang):<9}", row.status, bold=True)
        incident = f"{_t('incident', lang)} #{row.incident_id}" if row.incident_id else "—"
        head = f"#{row.id:<5} {word} {row.sink:<16} {incident}, {row.event}"
        if row.status == "sent":
            click.echo(f"{head} · {_local(row.sent_at, tz)}")
            continue
        tries = f"{_t('attempts', lang)} {row.attempts}/{settings.max_attempts}"
        if row.status == "pending":
            head += f" · {tries} · {_t('next', lang)} {_local(row.next_attempt_at, tz)}"
        else:
            head += f" · {tries}"
        click.echo(head)
        if row.last_error:
            click.echo(f"        {_t('last_error', lang)}: {row.last_error}")
        if row.status == "dead":
            click.echo(f"        {_t('retry_hint', lang, id=row.id)}")


def _by_option(fn: Any) -> Any:
    return renamed_option("--by", "--as", "by", metavar="NAME")(fn)


@alerts.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-dead", is_flag=True, help="Every dead alert.")
@actor_option()
@_by_option
@format_option()
@click.pass_obj
def retry(
    state: State,
    ids: tuple[int, ...],
    all_dead: bool,
    actor: str | None,
    by: str | None,
    fmt: str,
) -> None:
    """Put dead alerts back in the queue, due now, with a fresh count of attempts."""
    from smguard.alerting import retry_alerts

    if not ids and not all_dead:
        raise click.UsageError("name the alert numbers to retry, or use --all-dead")
    if ids and all_dead:
        raise click.UsageError("use either alert numbers or --all-dead, not both")
    who = resolve_actor(actor or by)
    done = retry_alerts(_store(state), ids=ids, all_dead=all_dead, actor=who)
    if fmt == "json":
        echo_json({"retried": done})
        return
    if not done:
        click.echo(_t("none_dead", state.lang))
        return
    click.echo(_t("retried", state.lang, ids=", ".join(f"#{i}" for i in done)))


def _describe(outcome: Any, tz: ZoneInfo, max_attempts: int) -> str:
    what = f"alert #{outcome.alert_id} → {outcome.sink}"
    if outcome.incident_id is not None:
        what += f" (incident #{outcome.incident_id}, {outcome.event})"
    if outcome.status == "sent":
        return style.tone("sent   ", "sent") + f" {what}"
    if outcome.status == "failed":
        return (
            style.tone("failed ", "failed")
            + f" {what}, attempt {outcome.attempts} of {max_attempts}: {outcome.error}; "
            + f"next try {_local(outcome.next_attempt_at, tz)}"
        )
    if outcome.status == "dead":
        line = (
            style.tone("DEAD   ", "dead", bold=True)
            + f" {what} after {outcome.attempts} attempts: {outcome.error}"
        )
        if outcome.incident_opened is not None:
            line += f"; see incident #{outcome.incident_opened}"
        return line
    return f"skipped {what}: another worker took it over"


def outcome_json(outcome: Any, max_attempts: int) -> dict[str, Any]:
    """One delivery outcome as ``alerts deliver --format json`` prints it (one per line)."""
    return {
        "type": "alert",
        "alert_id": outcome.alert_id,
        "sink": outcome.sink,
        "incident_id": outcome.incident_id,
        "event": outcome.event,
        "status": outcome.status,
        "attempts": outcome.attempts,
        "max_attempts": max_attempts,
        "error": outcome.error,
        "next_attempt_at": iso(outcome.next_attempt_at),
        "incident_opened": outcome.incident_opened,
    }


def echo_outcome(outcome: Any, tz: ZoneInfo, max_attempts: int, fmt: str) -> None:
    """Say how one alert's delivery went (``alerts deliver``, ``watch``)."""
    if fmt == "json":
        echo_json_line(outcome_json(outcome, max_attempts))
    else:
        click.echo(_describe(outcome, tz, max_attempts))


@alerts.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option(
    "--interval",
    type=click.FloatRange(0.05, 3600),
    default=5.0,
    show_default=True,
    help="Seconds to wait when nothing is due.",
)
@click.option("--worker", "worker_id", help="Name of this worker (default: host:pid).")
@format_option("Output: text for people, json for tools (one object per alert, per line).")
@click.pass_obj
def deliver(state: State, once: bool, interval: float, worker_id: str | None, fmt: str) -> None:
    """Deliver queued alerts; without --once, keep going until stopped (Ctrl-C or SIGTERM).

    Run one or more of these next to your smguard services; on PostgreSQL several workers share
    the outbox without sending anything twice. With --once, exits 1 if an alert failed.
    """
    from smguard.alerting import deliver_due, settings_for

    store = _store(state)
    settings = settings_for(store)
    if not settings.sinks:
        click.echo(_t("no_sinks", state.lang), err=True)
    worker = worker_id or f"{socket.gethostname()}:{os.getpid()}"
    tz = ZoneInfo(settings.timezone)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            click.echo(_t("stopping", state.lang), err=True)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    click.echo(_t("started", state.lang, worker=worker), err=True)
    troubles = 0
    try:
        with settings.http() as http:
            while not stop.is_set():
                report = deliver_due(store, worker_id=worker, http=http)
                for outcome in report.outcomes:
                    echo_outcome(outcome, tz, settings.max_attempts, fmt)
                troubles += report.count("failed") + report.count("dead")
                if report.claimed >= settings.batch_size:
                    continue  # more may be due right now
                if once:
                    break
                stop.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if once and troubles:
        raise SystemExit(1)


@alerts.command()
@click.argument("sink")
@actor_option()
@_by_option
@format_option()
@click.pass_obj
def test(state: State, sink: str, actor: str | None, by: str | None, fmt: str) -> None:
    """Send a test alert to SINK now and say whether it arrived."""
    from smguard.alerting import send_test_alert, settings_for

    store = _store(state)
    target = settings_for(store).sink(sink)
    send_test_alert(store, sink, actor=resolve_actor(actor or by))
    if fmt == "json":
        echo_json({"sink": sink, "type": target.type.name, "delivered": True})
        return
    click.echo(_t("test_ok", state.lang, sink=sink, type=target.type.name))
