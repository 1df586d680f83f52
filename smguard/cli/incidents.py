"""``smguard incidents``: list, read and work incidents; export them for reports.

Output is written for the person on duty; ``--format json`` (and ``export``) for tools.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smguard.cli import style
from smguard.cli.common import (
    RecordsGroup,
    actor_option,
    format_time,
    open_store,
    parse_since,
    resolve_actor,
    say,
)
from smguard.cli.main import Problem, State
from smguard.cli.output import echo_json, format_option
from smguard.types import Severity

if TYPE_CHECKING:
    from smguard.records.incidents import Incident

_SEVERITIES = [s.label for s in Severity]
_STATUS = {
    "open": {"en": "open", "id": "terbuka"},
    "acknowledged": {"en": "acknowledged", "id": "ditangani"},
    "resolved": {"en": "resolved", "id": "selesai"},
}
_SEVERITY = {
    "info": {"en": "info", "id": "info"},
    "low": {"en": "low", "id": "rendah"},
    "medium": {"en": "medium", "id": "sedang"},
    "high": {"en": "high", "id": "tinggi"},
    "critical": {"en": "critical", "id": "kritis"},
}
_HEADER = {
    "en": ("#", "STATUS", "SEVERITY", "KIND", "ACCOUNT", "LAST SEEN", "TITLE"),
    "id": ("#", "STATUS", "TINGKAT", "JENIS", "AKUN", "TERAKHIR", "JUDUL"),
}
_T = {
    "none": {"en": "No incidents match.", "id": "Tidak ada insiden yang cocok."},
    "hidden": {
        "en": "{n} resolved incident(s) not shown (add --all).",
        "id": "{n} insiden yang sudah selesai tidak ditampilkan (tambahkan --all).",
    },
    "seen": {"en": "seen {n}×", "id": "terlihat {n}×"},
    "acked": {
        "en": "Incident #{id} acknowledged by {who}.",
        "id": "Insiden #{id} ditangani oleh {who}.",
    },
    "noted": {"en": "Note added to incident #{id}.", "id": "Catatan ditambahkan ke insiden #{id}."},
    "resolved": {
        "en": "Incident #{id} resolved by {who}.",
        "id": "Insiden #{id} diselesaikan oleh {who}.",
    },
    "unwritable": {
        "en": "cannot write {file}: {error}",
        "id": "tidak bisa menulis {file}: {error}",
    },
    "exported": {
        "en": "{n} incident(s) written to {file}.",
        "id": "{n} insiden ditulis ke {file}.",
    },
    "next_open": {
        "en": "Next: `smguard incidents ack {id}` when you are on it; "
        "`smguard clarify draft {id}` for a public clarification.",
        "id": "Berikutnya: `smguard incidents ack {id}` saat Anda menanganinya; "
        "`smguard clarify draft {id}` untuk klarifikasi publik.",
    },
}
_FIELDS = {
    "status": {"en": "Status", "id": "Status"},
    "severity": {"en": "Severity", "id": "Tingkat"},
    "kind": {"en": "Kind", "id": "Jenis"},
    "account": {"en": "Account", "id": "Akun"},
    "category": {"en": "Category", "id": "Kategori"},
    "opened": {"en": "Opened", "id": "Dibuka"},
    "last_seen": {"en": "Last seen", "id": "Terakhir terlihat"},
    "acknowledged": {"en": "Acknowledged", "id": "Ditangani"},
    "resolved": {"en": "Resolved", "id": "Selesai"},
    "resolution": {"en": "Resolution", "id": "Penyelesaian"},
    "key": {"en": "Dedupe key", "id": "Kunci duplikat"},
    "evidence": {"en": "Evidence", "id": "Bukti"},
    "timeline": {"en": "Timeline", "id": "Linimasa"},
    "by": {"en": "by", "id": "oleh"},
    "sightings": {"en": "{n} sighting(s)", "id": "terlihat {n} kali"},
}
_CSV_COLUMNS = (
    "id",
    "kind",
    "severity",
    "status",
    "title",
    "account",
    "category",
    "sightings",
    "created_at",
    "last_seen_at",
    "acknowledged_by",
    "acknowledged_at",
    "resolved_by",
    "resolved_at",
    "resolution",
    "dedupe_key",
    "evidence",
)


def _filters(f: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--status",
                "statuses",
                multiple=True,
                type=click.Choice(list(_STATUS)),
                help="Only this status (repeatable).",
            ),
            click.option(
                "--severity",
                type=click.Choice(_SEVERITIES),
                help="Only this severity or worse.",
            ),
            click.option("--account", help="Only incidents on this account."),
            click.option("--kind", "kinds", multiple=True, help="Only this kind (repeatable)."),
            click.option("--since", help="Seen since: 7d, 24h, 30m, 2026-06-01 or an ISO time."),
        ]
    ):
        f = option(f)
    return f


def _query(
    state: State,
    statuses: tuple[str, ...],
    severity: str | None,
    account: str | None,
    kinds: tuple[str, ...],
    since: str | None,
) -> list[Incident]:
    from smguard.records.incidents import list_incidents

    return list_incidents(
        open_store(state),
        status=statuses or None,
        severity=severity,
        account=account,
        kind=kinds or None,
        since=parse_since(since, state) if since else None,
    )


def _label(table: dict[str, dict[str, str]], key: str, state: State) -> str:
    return say(table[key], state) if key in table else key


@click.group(cls=RecordsGroup)
def incidents() -> None:
    """Incidents: what went wrong on an account, and who is working on it.

    \b
    Lifecycle: open → acknowledged (ack) → resolved (resolve --reason).
    The same cause seen again adds a sighting instead of a new incident.
    """


@incidents.command(name="list")
@_filters
@click.option("--all", "show_all", is_flag=True, help="Include resolved incidents.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many (newest).")
@format_option()
@click.pass_obj
def list_(
    state: State,
    statuses: tuple[str, ...],
    severity: str | None,
    account: str | None,
    kinds: tuple[str, ...],
    since: str | None,
    show_all: bool,
    limit: int | None,
    fmt: str,
) -> None:
    """List incidents, newest first (unresolved ones unless --status or --all says otherwise)."""
    found = _query(state, statuses, severity, account, kinds, since)
    hidden = 0
    if not statuses and not show_all:
        hidden = sum(1 for i in found if i.status == "resolved")
        found = [i for i in found if i.status != "resolved"]
    if limit is not None:
        found = found[:limit]
    if fmt == "json":
        echo_json([i.to_dict() for i in found])
        return
    if not found:
        click.echo(say(_T["none"], state))
    else:
        rows = [
            (
                f"{i.id}",
                _label(_STATUS, i.status, state),
                _label(_SEVERITY, i.severity, state),
                i.kind,
                i.account or "—",
                format_time(i.last_seen_at, state, i.account),
                i.title
                + (f" ({say(_T['seen'], state, n=i.sightings)})" if i.sightings > 1 else ""),
            )
            for i in found
        ]
        head = _HEADER["id" if state.lang == "id" else "en"]
        widths = [max(len(r[c]) for r in [head, *rows]) for c in range(6)]
        click.echo("  ".join([*(h.ljust(w) for h, w in zip(head, widths, strict=False)), head[6]]))
        for row, inc in zip(rows, found, strict=True):
            cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
            cells[2] = style.tone(cells[2], inc.severity, bold=True)
            click.echo("  ".join([*cells, row[6]]))
    if hidden:
        click.echo(say(_T["hidden"], state, n=hidden))


def _render(incident: Incident, state: State) -> str:
    import yaml

    from smguard.records.incidents import kind_description

    i = incident
    lang = state.lang

    def line(key: str, value: str) -> str:
        return f"  {say(_FIELDS[key], state) + ':':<20} {value}"

    by = say(_FIELDS["by"], state)
    title = style.bold(f"Incident #{i.id}" if lang == "en" else f"Insiden #{i.id}")
    out = [f"{title} — {i.title}", ""]
    out.append(line("status", _label(_STATUS, i.status, state)))
    severity = style.tone(_label(_SEVERITY, i.severity, state), i.severity)
    out.append(line("severity", severity))
    meaning = kind_description(i.kind, lang)
    out.append(line("kind", i.kind + (f" — {meaning}" if meaning else "")))
    out.append(line("account", i.account or "—"))
    if i.category:
        out.append(line("category", i.category))
    out.append(line("opened", format_time(i.created_at, state, i.account)))
    seen = say(_FIELDS["sightings"], state, n=i.sightings)
    out.append(line("last_seen", f"{format_time(i.last_seen_at, state, i.account)} ({seen})"))
    if i.acknowledged_by:
        when = format_time(i.acknowledged_at, state, i.account)
        out.append(line("acknowledged", f"{when} {by} {i.acknowledged_by}"))
    if i.resolved_by:
        when = format_time(i.resolved_at, state, i.account)
        out.append(line("resolved", f"{when} {by} {i.resolved_by}"))
        out.append(line("resolution", i.resolution or ""))
    out.append(line("key", i.dedupe_key))
    out.append("")
    out.append(style.bold(say(_FIELDS["evidence"], state)))
    if i.evidence:
        dumped = yaml.safe_dump(
            dict(i.evidence), allow_unicode=True, sort_keys=False, default_flow_style=False
        )
        out.extend("  " + row for row in dumped.rstrip().splitlines())
    else:
        out.append("  —")
    out.append("")
    out.append(style.bold(say(_FIELDS["timeline"], state)))
    for note in i.notes:
        when = format_time(note.at, state, i.account)
        out.append(f"  {when}  {note.kind:<14} {note.actor:<14} {note.text}")
    if i.status == "open":
        out.append("")
        out.append(say(_T["next_open"], state, id=i.id))
    return "\n".join(out)


@incidents.command()
@click.argument("incident_id", type=int)
@format_option()
@click.pass_obj
def show(state: State, incident_id: int, fmt: str) -> None:
    """Everything about one incident: status, evidence and the timeline."""
    from smguard.records.incidents import get

    incident = get(open_store(state), incident_id)
    if fmt == "json":
        echo_json(incident.to_dict())
    else:
        click.echo(_render(incident, state))


@incidents.command()
@click.argument("incident_id", type=int)
@actor_option()
@click.option("--note", help="Optional note for the timeline.")
@format_option("Output: text for people, json (the incident as it is now) for tools.")
@click.pass_obj
def ack(state: State, incident_id: int, actor: str | None, note: str | None, fmt: str) -> None:
    """Say that you have seen the incident and are working on it."""
    from smguard.records.incidents import acknowledge

    who = resolve_actor(actor)
    incident = acknowledge(open_store(state), incident_id, actor=who, note=note)
    if fmt == "json":
        echo_json(incident.to_dict())
        return
    click.echo(say(_T["acked"], state, id=incident_id, who=who))


@incidents.command()
@click.argument("incident_id", type=int)
@click.argument("text")
@actor_option()
@format_option("Output: text for people, json (the incident as it is now) for tools.")
@click.pass_obj
def note(state: State, incident_id: int, text: str, actor: str | None, fmt: str) -> None:
    """Add a note to the incident's timeline."""
    from smguard.records.incidents import add_note

    incident = add_note(open_store(state), incident_id, text, actor=resolve_actor(actor))
    if fmt == "json":
        echo_json(incident.to_dict())
        return
    click.echo(say(_T["noted"], state, id=incident_id))


@incidents.command()
@click.argument("incident_id", type=int)
@click.option("--reason", required=True, help="What was found and done.")
@actor_option()
@format_option("Output: text for people, json (the incident as it is now) for tools.")
@click.pass_obj
def resolve(state: State, incident_id: int, reason: str, actor: str | None, fmt: str) -> None:
    """Close the incident, saying what was found and done."""
    from smguard.records.incidents import resolve as resolve_incident

    who = resolve_actor(actor)
    incident = resolve_incident(open_store(state), incident_id, actor=who, reason=reason)
    if fmt == "json":
        echo_json(incident.to_dict())
        return
    click.echo(say(_T["resolved"], state, id=incident_id, who=who))


def _csv(found: list[Incident]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for incident in found:
        row = incident.to_dict()
        row["evidence"] = json.dumps(row["evidence"], ensure_ascii=False, sort_keys=True)
        writer.writerow(row)
    return buffer.getvalue()


@incidents.command()
@_filters
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), required=True, help="File format."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.pass_obj
def export(
    state: State,
    statuses: tuple[str, ...],
    severity: str | None,
    account: str | None,
    kinds: tuple[str, ...],
    since: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Export incidents (all statuses unless filtered): JSON with timelines, or CSV for a
    spreadsheet (one row per incident, evidence as JSON)."""
    found = _query(state, statuses, severity, account, kinds, since)
    if fmt == "json":
        data = json.dumps([i.to_dict() for i in found], ensure_ascii=False, indent=2) + "\n"
    else:
        data = _csv(found)
    if output is None:
        click.echo(data, nl=False)
        return
    try:
        output.write_text(data, encoding="utf-8", newline="")
    except OSError as exc:
        raise Problem(say(_T["unwritable"], state, file=output, error=exc.strerror)) from None
    click.echo(say(_T["exported"], state, n=len(found), file=output), err=True)
