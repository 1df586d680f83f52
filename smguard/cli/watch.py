"""``smguard ingest`` and ``smguard watch``: read what happened on the accounts.

\b
smguard ingest PATH --account NAME [--from auto|x|instagram|facebook|jsonl]
smguard watch [--once] [--interval S] [--account NAME …]   # stops cleanly on Ctrl-C / SIGTERM

Both store each event once (a repeat is counted as "already known"), run the detectors over the
new ones and say what they opened — as text, or with ``--format json`` as one JSON document
(``ingest``) or one object per account polled, per line (``watch``). See docs/watch.md.

``ingest --format x|instagram|…`` (the export format's old option name) works for one more
release, with a notice; ``--format`` is now the output format, as everywhere else.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from smguard.cli.common import actor_option, open_store, resolve_actor, say
from smguard.cli.deprecated import say_renamed
from smguard.cli.main import Problem, State
from smguard.cli.output import FORMATS, echo_json, echo_json_line, format_option

if TYPE_CHECKING:
    from smguard.records.store import Store
    from smguard.watch.poll import PollReport

_T: dict[str, dict[str, str]] = {
    "read": {
        "en": "Read {total} {noun} from {path} ({fmt}): {new} new, {known} already known.",
        "id": "Membaca {total} peristiwa dari {path} ({fmt}): {new} baru, {known} sudah ada.",
    },
    "kinds": {"en": "  new: {kinds}", "id": "  baru: {kinds}"},
    "warning": {"en": "warning: {text}", "id": "peringatan: {text}"},
    "opened": {
        "en": "  → incident #{id} opened: {severity} {kind} ({detector})",
        "id": "  → insiden #{id} dibuka: {severity} {kind} ({detector})",
    },
    "sighted": {
        "en": "  → incident #{id} seen again: {kind} ({detector})",
        "id": "  → insiden #{id} terlihat lagi: {kind} ({detector})",
    },
    "no_detections": {
        "en": "  Detectors found nothing to report.",
        "id": "  Detektor tidak menemukan apa pun.",
    },
    "polled": {"en": "{account} ({connector}): {what}", "id": "{account} ({connector}): {what}"},
    "nothing_new": {"en": "nothing new", "id": "tidak ada yang baru"},
    "new_events": {"en": "{n} new: {kinds}", "id": "{n} baru: {kinds}"},
    "recovered": {
        "en": " (working again after {n} failures)",
        "id": " (berjalan lagi setelah {n} kegagalan)",
    },
    "failed": {
        "en": "{account} ({connector}): FAILED ({n} in a row): {error}",
        "id": "{account} ({connector}): GAGAL ({n} kali berturut-turut): {error}",
    },
    "failure_incident": {
        "en": "  → incident #{id}: smguard cannot watch this account",
        "id": "  → insiden #{id}: smguard tidak dapat memantau akun ini",
    },
    "busy": {
        "en": "{account} ({connector}): skipped, another watcher is polling it",
        "id": "{account} ({connector}): dilewati, pemantau lain sedang membacanya",
    },
    "stopped": {
        "en": "{account} ({connector}): stopped; what was read is saved",
        "id": "{account} ({connector}): dihentikan; yang sudah dibaca tersimpan",
    },
    "nothing_to_watch": {
        "en": "Nothing to watch: no account has a polling connector configured (set "
        "accounts.NAME.mastodon_url and handle in smguard.toml; see docs/watch.md).",
        "id": "Tidak ada yang dipantau: belum ada akun dengan konektor (isi "
        "accounts.NAMA.mastodon_url dan handle di smguard.toml; lihat docs/watch.md).",
    },
    "not_watched": {
        "en": "--account {name}: not an account smguard can poll (set accounts.{name}."
        "mastodon_url and handle in smguard.toml)",
        "id": "--account {name}: bukan akun yang dapat dipantau (isi accounts.{name}."
        "mastodon_url dan handle di smguard.toml)",
    },
    "unwatched": {
        "en": "{name}: a Mastodon account without accounts.{name}.mastodon_url is not watched",
        "id": "{name}: akun Mastodon tanpa accounts.{name}.mastodon_url tidak dipantau",
    },
    "bad_account": {
        "en": "--account {name!r} is not an account name (letters, digits, _ . -)",
        "id": "--account {name!r} bukan nama akun (huruf, angka, _ . -)",
    },
    "started": {
        "en": "Watching {n} account(s) as {worker}; Ctrl-C or SIGTERM stops after the current "
        "account.",
        "id": "Memantau {n} akun sebagai {worker}; Ctrl-C atau SIGTERM berhenti setelah akun "
        "yang sedang dibaca.",
    },
    "stopping": {
        "en": "Stopping after the current account …",
        "id": "Berhenti setelah akun yang sedang dibaca …",
    },
}


def _t(state: State, key: str, **fields: Any) -> str:
    return say(_T[key], state, **fields)


def _kinds(events: Iterable[Any]) -> str:
    counts = Counter(e.kind for e in events)
    return ", ".join(f"{n} {kind}" for kind, n in counts.most_common())


def _kinds_json(events: Iterable[Any]) -> dict[str, int]:
    return dict(Counter(e.kind for e in events).most_common())


def _detections_json(results: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "incident_id": getattr(r, "incident_id", None),
            "opened": bool(getattr(r, "created", False)),
            "severity": getattr(r, "severity", None),
            "kind": getattr(r, "kind", None),
            "detector": getattr(r, "detector", None),
        }
        for r in results
    ]


def _detections(state: State, results: Sequence[Any]) -> None:
    for result in results:
        key = "opened" if getattr(result, "created", False) else "sighted"
        click.echo(
            _t(
                state,
                key,
                id=getattr(result, "incident_id", "?"),
                severity=getattr(result, "severity", ""),
                kind=getattr(result, "kind", ""),
                detector=getattr(result, "detector", ""),
            )
        )


def _check_name(state: State, name: str) -> None:
    from smguard.config.security import valid_name

    if not valid_name(name):
        raise Problem(_t(state, "bad_account", name=name))


# -- ingest ------------------------------------------------------------------------------------


class _OutputFormat(click.Choice[str]):
    """``text|json``; any other value is an export format given under the old option name."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value if value not in FORMATS else super().convert(value, param, ctx)


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--account",
    metavar="NAME",
    help="The smguard account the export belongs to (a JSONL feed may name it per line).",
)
@click.option(
    "--from",
    "source",
    default="auto",
    show_default=True,
    metavar="auto|x|instagram|facebook|jsonl",
    help="What kind of export PATH is (auto: recognised from its files).",
)
@click.option(
    "--format",
    "fmt",
    type=_OutputFormat(FORMATS),
    default="text",
    show_default=True,
    help="Output: text for people, json for tools.",
)
@actor_option()
@click.pass_context
def ingest(
    ctx: click.Context,
    path: Path,
    account: str | None,
    source: str,
    fmt: str,
    actor: str | None,
) -> None:
    """Read an exported archive or feed (a zip, a folder or a file) into the activity log.

    \b
    X / Twitter: the archive zip (Settings → Your account → Download an archive of your data)
    Instagram / Facebook: "Download your information", JSON format (not HTML)
    JSONL: one event per line, see docs/watch.md

    The whole export is read first: a damaged or truncated file is reported with its name and
    position, and then nothing is stored. Events already stored are counted, not stored again.
    """
    from smguard.watch.ingest import ingest as run_ingest

    state: State = ctx.obj
    if fmt not in FORMATS:  # `--format x`: the export format, under its old option name
        if ctx.get_parameter_source("source") is not click.core.ParameterSource.DEFAULT:
            raise click.UsageError(f"--format {fmt} is the old name of --from: give only --from")
        say_renamed(ctx, f"{ctx.command_path} --format {fmt}", f"{ctx.command_path} --from {fmt}")
        source, fmt = fmt, "text"
    if account is not None:
        _check_name(state, account)
    store = open_store(state)
    report = run_ingest(store, path, account=account, fmt=source, actor=resolve_actor(actor))
    if fmt == "json":
        echo_json(
            {
                "path": str(path),
                "format": report.format,
                "total": report.total,
                "new": len(report.new),
                "known": report.known,
                "new_kinds": _kinds_json(report.new),
                "detections": _detections_json(report.detections),
                "warnings": [en for en, _ in report.warnings],
            }
        )
        return
    for en, id_ in report.warnings:
        click.echo(_t(state, "warning", text=id_ if state.lang == "id" else en), err=True)
    click.echo(
        _t(
            state,
            "read",
            total=report.total,
            noun="event" if report.total == 1 else "events",
            path=path.name,
            fmt=report.format,
            new=len(report.new),
            known=report.known,
        )
    )
    if report.new:
        click.echo(_t(state, "kinds", kinds=_kinds(report.new)))
    _detections(state, report.detections)
    if report.new and not report.detections:
        click.echo(_t(state, "no_detections"))


# -- watch -------------------------------------------------------------------------------------


def _sleeper(stop: threading.Event) -> Callable[[float], bool]:
    """How connectors pause between retries: interrupted by a stop (tests swap it)."""
    return stop.wait


def _report_json(report: PollReport) -> dict[str, Any]:
    return {
        "type": "poll",
        "account": report.account,
        "connector": report.connector,
        "status": report.status,
        "new": len(report.new),
        "new_kinds": _kinds_json(report.new),
        "recovered_after": report.recovered_after,
        "failures": report.failures,
        "error": report.error,
        "incident_id": report.incident_id,
        "detections": _detections_json(report.detections),
    }


def _describe(state: State, report: PollReport, fmt: str) -> None:
    if fmt == "json":
        echo_json_line(_report_json(report))
        return
    where = {"account": report.account, "connector": report.connector}
    if report.status == "busy":
        click.echo(_t(state, "busy", **where))
        return
    if report.status == "failed":
        click.echo(_t(state, "failed", n=report.failures, error=report.error, **where), err=True)
        if report.incident_id is not None:
            click.echo(_t(state, "failure_incident", id=report.incident_id), err=True)
        return
    if report.status == "stopped":
        click.echo(_t(state, "stopped", **where))
    else:
        what = (
            _t(state, "new_events", n=len(report.new), kinds=_kinds(report.new))
            if report.new
            else _t(state, "nothing_new")
        )
        if report.recovered_after:
            what += _t(state, "recovered", n=report.recovered_after)
        click.echo(_t(state, "polled", what=what, **where))
    _detections(state, report.detections)


def _deliver_alerts(store: Store, worker: str, fmt: str) -> None:
    """Send what the detectors queued, as ``smguard alerts deliver --once`` would."""
    from zoneinfo import ZoneInfo

    from smguard.alerting import deliver_due, settings_for
    from smguard.cli.alerts import echo_outcome

    settings = settings_for(store)
    if not settings.sinks:
        return
    tz = ZoneInfo(settings.timezone)
    for outcome in deliver_due(store, worker_id=worker).outcomes:
        echo_outcome(outcome, tz, settings.max_attempts, fmt)


@click.command()
@click.option("--once", is_flag=True, help="Poll every account once, then exit.")
@click.option(
    "--interval",
    type=click.FloatRange(0.01, 86_400),
    help="Seconds between polling cycles (default: [watch] interval_s, 60).",
)
@click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="NAME",
    help="Poll only this account (repeat for several).",
)
@click.option("--worker", "worker_id", help="Name of this watcher (default: host:pid).")
@click.option(
    "--alerts/--no-alerts",
    "deliver",
    default=True,
    show_default=True,
    help="Deliver due alerts after each cycle (when alert sinks are configured).",
)
@format_option(
    "Output: text for people, json for tools (one object per line: each account polled, "
    "each alert delivered)."
)
@click.pass_obj
def watch(
    state: State,
    once: bool,
    interval: float | None,
    accounts: tuple[str, ...],
    worker_id: str | None,
    deliver: bool,
    fmt: str,
) -> None:
    """Poll the accounts' platforms for new activity and run the detectors on it.

    Each account's cursor is saved in the database with what was read, so a restart neither
    misses nor repeats anything. One account's failure (server down, token refused) is reported
    and the others go on. Several watchers can share one PostgreSQL database: each account is
    polled by one of them at a time. With --once, exits 1 if an account failed.
    """
    import httpx

    from smguard._version import __version__
    from smguard.watch.connectors import polling_connectors
    from smguard.watch.poll import poll_account, watched_accounts

    store = open_store(state)
    pairs = watched_accounts(store, polling_connectors(store.pm))
    for name, declared in store.config.accounts.items():
        if declared.platform == "mastodon" and declared.watch.mastodon_url is None:
            click.echo(_t(state, "unwatched", name=name), err=True)
    for name in accounts:
        _check_name(state, name)
        if name not in {a for a, _ in pairs}:
            raise Problem(_t(state, "not_watched", name=name))
    if accounts:
        pairs = [(a, c) for a, c in pairs if a in accounts]
    if not pairs:
        raise Problem(_t(state, "nothing_to_watch"))
    settings = store.config.watch
    pause = settings.interval_s if interval is None else interval
    worker = worker_id or f"{socket.gethostname()}:{os.getpid()}"
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            click.echo(_t(state, "stopping"), err=True)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    if not once:
        click.echo(_t(state, "started", n=len(pairs), worker=worker), err=True)
    failed = False
    try:
        with httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s),
            follow_redirects=False,
            headers={"User-Agent": f"smguard/{__version__} (watch)"},
        ) as http:
            while not stop.is_set():
                for account, connector in pairs:
                    if stop.is_set():
                        break
                    report = poll_account(
                        store,
                        connector,
                        account,
                        owner=worker,
                        http=http,
                        sleep=_sleeper(stop),
                        stopping=stop.is_set,
                    )
                    failed = failed or report.status == "failed"
                    _describe(state, report, fmt)
                if deliver:
                    _deliver_alerts(store, worker, fmt)
                if once:
                    break
                stop.wait(pause)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if once and failed:
        raise SystemExit(1)
