"""``smguard audit``: check and read the tamper-evident audit log.

``smguard audit verify`` exits 0 when the whole chain holds, 2 when an event was changed, removed
or put out of order (the message names the first one), 3 when the database cannot be read — so
cron or CI can tell "someone edited the log" from "smguard could not look".
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from smguard.cli.common import RecordsGroup, format_time, open_store, parse_since, say
from smguard.cli.main import Problem, State
from smguard.cli.output import echo_json, echo_json_line, format_option

EXIT_BROKEN = 2

_T = {
    "intact": {
        "en": "Audit log intact: {n} events",
        "id": "Log audit utuh: {n} peristiwa",
    },
    "broken": {
        "en": "Audit log BROKEN after {n} good events: {problem}",
        "id": "Log audit RUSAK setelah {n} peristiwa yang benar: {problem}",
    },
    "none": {"en": "No audit events match.", "id": "Tidak ada peristiwa audit yang cocok."},
}


# smguard.records.audit words its findings in English; these say the same in Indonesian.
_PROBLEMS_ID = (
    (r"event #(\d+) is missing \(the next event is #(\d+)\)",
     r"peristiwa #\1 hilang (peristiwa berikutnya #\2)"),
    (r"event #(\d+) does not follow event #(\d+): the chain is broken",
     r"peristiwa #\1 tidak menyambung ke peristiwa #\2: rantai terputus"),
    (r"event #(\d+) \((.+)\) was changed after it was written",
     r"peristiwa #\1 (\2) diubah setelah ditulis"),
    (r"events #(\d+) to #(\d+) are missing \(deleted from the end\)",
     r"peristiwa #\1 sampai #\2 hilang (dihapus dari akhir)"),
    (r"the audit head record is missing", "catatan kepala log audit hilang"),
    (r"event #(\d+) differs from its checkpoint of (.+): the chain was rewritten",
     r"peristiwa #\1 berbeda dari titik periksanya pada \2: rantai ditulis ulang"),
    (r"event #(\d+), checkpointed at (.+), is gone",
     r"peristiwa #\1, yang dicatat pada titik periksa \2, hilang"),
    (r"the checkpoint of event #(\d+) \((.+)\) is not signed with SMGUARD_AUDIT_KEY: the "
     r"checkpoint file was altered",
     r"titik periksa peristiwa #\1 (\2) tidak ditandatangani dengan SMGUARD_AUDIT_KEY: berkas "
     r"titik periksa diubah"),
    (r"the audit head \(#(\d+)\) does not match the last event \(#(\d+)\)",
     r"kepala log audit (#\1) tidak cocok dengan peristiwa terakhir (#\2)"),
)  # fmt: skip


def _problem(problem: str, lang: str) -> str:
    if lang == "id":
        for pattern, replacement in _PROBLEMS_ID:
            if re.fullmatch(pattern, problem):
                return re.sub(pattern, replacement, problem)
    return problem


@click.group(cls=RecordsGroup)
def audit() -> None:
    """The audit log: who did what, when — hash-chained, so edits show.

    \b
    smguard audit verify      exit 0 intact, 2 broken (names the first bad event), 3 error
    smguard audit checkpoint  the chain's head, to keep outside the database (--file)
    smguard audit log         read it (--since 7d, --action incident, --format json)
    """


#: Base64 of a secret key (32 bytes) that signs and checks checkpoints; kept outside the database.
ENV_AUDIT_KEY = "SMGUARD_AUDIT_KEY"


def _audit_key() -> bytes | None:
    import base64
    import binascii
    import os

    text = os.environ.get(ENV_AUDIT_KEY, "").strip()
    if not text:
        return None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) < 16:
        raise Problem(
            f"{ENV_AUDIT_KEY} must be base64 of at least 16 random bytes "
            "(`smguard keys generate` makes one)"
        )
    return key


@audit.command()
@click.option(
    "--checkpoints",
    "checkpoints",
    type=click.Path(dir_okay=False),
    help="Also check the chain against this file of checkpoints (see `audit checkpoint`).",
)
@format_option()
@click.pass_obj
def verify(state: State, checkpoints: str | None, fmt: str) -> None:
    """Recompute the whole chain; name the first event that was changed or is missing.

    \b
    With --checkpoints, a chain rewritten from its start (every hash recomputed by someone who
    can write to the database) is caught too: each checkpointed event must still have the hash
    written outside the database. With SMGUARD_AUDIT_KEY set, every checkpoint must carry its
    signature, so an altered checkpoint file is caught as well.
    """
    from smguard.records.audit import parse_checkpoints, verify_chain, verify_checkpoints

    db = open_store(state).db
    result = verify_chain(db)
    if result.ok and checkpoints is not None:
        try:
            text = Path(checkpoints).read_text(encoding="utf-8")
            points = parse_checkpoints(text, checkpoints)
        except (OSError, UnicodeDecodeError) as exc:
            raise Problem(f"cannot read {checkpoints}: {getattr(exc, 'strerror', exc)}") from None
        except ValueError as exc:
            raise Problem(str(exc)) from None
        failed = verify_checkpoints(db, points, _audit_key())
        if failed is not None:
            result = replace(failed, checked=result.checked)
    if fmt == "json":
        problem = _problem(result.problem, state.lang) if result.problem else None
        echo_json(
            {"ok": result.ok, "checked": result.checked, "problem": problem, "seq": result.seq}
        )
        sys.exit(0 if result.ok else EXIT_BROKEN)
    if result.ok:
        click.echo(say(_T["intact"], state, n=result.checked))
        return
    problem = _problem(result.problem or "", state.lang)
    click.echo(say(_T["broken"], state, n=result.checked, problem=problem), err=True)
    sys.exit(EXIT_BROKEN)


@audit.command(name="checkpoint")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    help="Append the checkpoint to this file (else print it).",
)
@click.pass_obj
def checkpoint(state: State, file: str | None) -> None:
    """Write the chain's head (event number and hash) for keeping outside the database.

    \b
    Run it from cron after `audit verify` and keep the file where the database's writers cannot
    reach it (another machine, an append-only store). SMGUARD_AUDIT_KEY signs each line.
    """
    from smguard.records.audit import take_checkpoint

    point = take_checkpoint(open_store(state).db, _audit_key())
    if file is None:
        click.echo(point.line())
        return
    try:
        with open(file, "a", encoding="utf-8") as fh:
            fh.write(point.line() + "\n")
    except OSError as exc:
        raise Problem(f"cannot write {file}: {exc.strerror}") from None
    click.echo(f"Checkpoint of event #{point.seq} appended to {file}")


@audit.command(name="log")
@click.option("--since", help="Only events since: 7d, 24h, 2026-06-01 or an ISO time.")
@click.option(
    "--action",
    "actions",
    multiple=True,
    help="Only this action, or a family: `incident` matches incident.* (repeatable).",
)
@click.option("--actor", help="Only events by this actor.")
@click.option("--subject", help="Only events about this subject, e.g. incident:3.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the last N matching events.")
@format_option("Output: text for people, json for tools (one event per line).")
@click.pass_obj
def log(
    state: State,
    since: str | None,
    actions: tuple[str, ...],
    actor: str | None,
    subject: str | None,
    limit: int | None,
    fmt: str,
) -> None:
    """Read the audit log, oldest first (JSON: one object per line)."""
    from sqlalchemy import or_, select

    from smguard.records.tables import AuditEvent

    query = select(AuditEvent)
    if since:
        query = query.where(AuditEvent.at >= parse_since(since, state))
    if actions:
        wanted = [a.rstrip(".*") for a in actions]
        query = query.where(
            or_(
                AuditEvent.action.in_(wanted),
                *(AuditEvent.action.startswith(a + ".", autoescape=True) for a in wanted),
            )
        )
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if subject:
        query = query.where(AuditEvent.subject == subject)
    if limit is not None:
        query = query.order_by(AuditEvent.seq.desc()).limit(limit)
    else:
        query = query.order_by(AuditEvent.seq)
    with open_store(state).session() as session:
        events = list(session.execute(query).scalars())
    events.sort(key=lambda e: e.seq)
    if fmt == "json":
        for ev in events:
            echo_json_line(_event_dict(ev))
        return
    if not events:
        click.echo(say(_T["none"], state))
        return
    for ev in events:
        details = json.dumps(ev.details, ensure_ascii=False, sort_keys=True)
        click.echo(
            f"#{ev.seq:<6} {format_time(ev.at, state)}  {ev.actor:<14} {ev.action:<26} "
            f"{ev.subject or '':<24} {details}"
        )


def _event_dict(ev: Any) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "at": ev.at.isoformat(),
        "actor": ev.actor,
        "action": ev.action,
        "subject": ev.subject,
        "details": ev.details,
        "prev_hash": ev.prev_hash,
        "hash": ev.hash,
    }
