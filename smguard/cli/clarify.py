"""``smguard clarify``: draft, edit, approve and publish a public clarification for an incident."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from smguard.cli import style
from smguard.cli.common import (
    RecordsGroup,
    actor_option,
    format_time,
    open_store,
    parse_time,
    resolve_actor,
    say,
)
from smguard.cli.main import Problem, State
from smguard.cli.output import echo_json, format_option
from smguard.types import localized

_DECISION = {
    "allow": ("OK", {"en": "passes the guard", "id": "lolos pemeriksaan guard"}),
    "review": (
        "REVIEW",
        {"en": "needs changes before approval", "id": "perlu diubah sebelum disetujui"},
    ),
    "block": (
        "BLOCKED",
        {"en": "must be changed before approval", "id": "harus diubah sebelum disetujui"},
    ),
}
_STATUS = {
    "draft": {"en": "draft", "id": "draf"},
    "approved": {"en": "approved", "id": "disetujui"},
    "published": {"en": "published", "id": "terbit"},
}
_LANGUAGE = {
    "en": {"en": "English", "id": "Inggris"},
    "id": {"en": "Indonesian", "id": "Indonesia"},
}
_T = {
    "drafted": {
        "en": "Clarification #{id} drafted for incident #{incident} ({lang}), version {v}:",
        "id": "Draf klarifikasi #{id} untuk insiden #{incident} ({lang}), versi {v}:",
    },
    "edited": {
        "en": "Clarification #{id}: version {v} saved.",
        "id": "Klarifikasi #{id}: versi {v} disimpan.",
    },
    "withdrawn": {
        "en": "The earlier approval was withdrawn; approve this version again.",
        "id": "Persetujuan sebelumnya dibatalkan; setujui lagi versi ini.",
    },
    "next_fix": {
        "en": "Next: edit it (`smguard clarify edit {id} --file FILE`, or without --file to "
        "open your editor) until the guard passes it.",
        "id": "Berikutnya: ubah (`smguard clarify edit {id} --file FILE`, atau tanpa --file "
        "untuk membuka editor) sampai lolos pemeriksaan guard.",
    },
    "next_approve": {
        "en": "Next: read it, edit it if needed (`smguard clarify edit {id}`), then "
        "`smguard clarify approve {id} --as NAME`.",
        "id": "Berikutnya: baca, ubah bila perlu (`smguard clarify edit {id}`), lalu "
        "`smguard clarify approve {id} --as NAMA`.",
    },
    "approved": {
        "en": "Clarification #{id} approved by {who}. Publish it, then record where: "
        "`smguard clarify publish {id} --platform x --ref URL`.",
        "id": "Klarifikasi #{id} disetujui oleh {who}. Terbitkan, lalu catat di mana: "
        "`smguard clarify publish {id} --platform x --ref URL`.",
    },
    "published": {
        "en": "Clarification #{id} recorded as published on {platform}: {ref} ({when}); "
        "added to the publish ledger of {account}.",
        "id": "Klarifikasi #{id} tercatat terbit di {platform}: {ref} ({when}); "
        "ditambahkan ke ledger publikasi {account}.",
    },
    "unchanged": {
        "en": "No changes; nothing saved.",
        "id": "Tidak ada perubahan; tidak ada yang disimpan.",
    },
    "none": {"en": "No clarifications yet.", "id": "Belum ada klarifikasi."},
    "unreadable": {"en": "cannot read {file}: {error}", "id": "tidak bisa membaca {file}: {error}"},
    "incident": {"en": "incident", "id": "insiden"},
    "version": {"en": "Version {v}", "id": "Versi {v}"},
    "by": {"en": "by", "id": "oleh"},
}


def _decision_line(decision: str, state: State) -> str:
    word, meaning = _DECISION.get(decision, (decision.upper(), {"en": ""}))
    return f"{style.tone(word, decision, bold=True)} — {say(meaning, state)}"


def _findings(verdict: dict[str, Any], state: State) -> list[str]:
    lines = []
    for f in verdict.get("findings", []):
        message = localized(f.get("message") or {}, state.lang)
        lines.append(
            f"  ! {f.get('severity', '').upper():<8} {f.get('rule')} "
            f"[{f.get('category')}] {message}"
        )
        suggestion = localized(f.get("suggestion") or {}, state.lang)
        if suggestion:
            lines.append(f"             {suggestion}")
    return lines


def _version_block(version: Any, state: State, account: str | None) -> list[str]:
    head = (
        f"{say(_T['version'], state, v=version.version)} — {version.author}, "
        f"{format_time(version.created_at, state, account)} — "
        + _decision_line(version.decision, state)
    )
    lines = [style.bold(head)]
    lines.extend(_findings(dict(version.verdict), state))
    lines.extend("  │ " + row for row in version.text.splitlines())
    return lines


@click.group(cls=RecordsGroup)
def clarify() -> None:
    """Public clarifications: draft from a template, edit, approve, record publication.

    \b
    Flow:  smguard clarify draft INCIDENT_ID --lang id
           smguard clarify edit ID --file new.txt      (or without --file: your $EDITOR)
           smguard clarify approve ID --as NAME        (only when the guard passes it)
           smguard clarify publish ID --platform x --ref URL
    """


@clarify.command()
@click.argument("incident_id", type=int)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["id", "en"]),
    help="Language of the clarification (default: the account's, else the UI's).",
)
@actor_option()
@format_option("Output: text for people, json (the clarification, with the verdict) for tools.")
@click.pass_obj
def draft(
    state: State, incident_id: int, language: str | None, actor: str | None, fmt: str
) -> None:
    """Write a first draft for an incident from its template, and check it."""
    from smguard.records.clarify import draft as make_draft

    made = make_draft(
        open_store(state),
        incident_id,
        actor=resolve_actor(actor),
        lang=language,
        guard=state.guard(),
    )
    if fmt == "json":
        echo_json(made.to_dict())
        return
    latest = made.latest
    lang_name = say(_LANGUAGE[made.language], state)
    click.echo(
        say(
            _T["drafted"], state, id=made.id, incident=incident_id, lang=lang_name, v=latest.version
        )
    )
    click.echo("")
    click.echo(latest.text)
    click.echo("")
    click.echo(_decision_line(latest.decision, state))
    for row in _findings(dict(latest.verdict), state):
        click.echo(row)
    key = "next_approve" if latest.decision == "allow" else "next_fix"
    click.echo(say(_T[key], state, id=made.id))


@clarify.command()
@click.argument("clarification_id", type=int)
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the new text from this file ('-' for standard input).",
)
@actor_option()
@format_option("Output: text for people, json (the clarification, with the verdict) for tools.")
@click.pass_obj
def edit(
    state: State, clarification_id: int, file: Path | None, actor: str | None, fmt: str
) -> None:
    """Save a new version (from --file, or edited in $EDITOR); it is checked by the guard."""
    from smguard.records.clarify import edit as save_version
    from smguard.records.clarify import get_clarification

    store = open_store(state)
    current = get_clarification(store, clarification_id)
    if file is not None:
        try:
            text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Problem(say(_T["unreadable"], state, file=file, error=exc)) from None
    else:
        edited = click.edit(current.latest.text, extension=".txt")
        if edited is None or edited.strip() == current.latest.text.strip():
            if fmt == "json":
                echo_json({**current.to_dict(), "saved": False, "approval_withdrawn": False})
            else:
                click.echo(say(_T["unchanged"], state))
            return
        text = edited
    saved = save_version(
        store, clarification_id, text, actor=resolve_actor(actor), guard=state.guard()
    )
    if fmt == "json":
        withdrawn = current.status == "approved"
        echo_json({**saved.to_dict(), "saved": True, "approval_withdrawn": withdrawn})
        return
    latest = saved.latest
    click.echo(say(_T["edited"], state, id=saved.id, v=latest.version))
    click.echo(_decision_line(latest.decision, state))
    for row in _findings(dict(latest.verdict), state):
        click.echo(row)
    if current.status == "approved":
        click.echo(say(_T["withdrawn"], state))
    key = "next_approve" if latest.decision == "allow" else "next_fix"
    click.echo(say(_T[key], state, id=saved.id))


@clarify.command()
@click.argument("clarification_id", type=int)
@actor_option(required=True)
@format_option("Output: text for people, json (the clarification as it is now) for tools.")
@click.pass_obj
def approve(state: State, clarification_id: int, actor: str, fmt: str) -> None:
    """Approve the latest version (refused unless the guard passes it)."""
    from smguard.records.clarify import approve as approve_it

    done = approve_it(open_store(state), clarification_id, actor=actor)
    if fmt == "json":
        echo_json(done.to_dict())
        return
    click.echo(say(_T["approved"], state, id=done.id, who=done.approved_by))


@clarify.command()
@click.argument("clarification_id", type=int)
@click.option("--platform", required=True, help="Where it went out: x, instagram, mastodon, …")
@click.option("--ref", required=True, help="The post's URL or its id on the platform.")
@click.option("--at", "at", help="When it went out (ISO time; default: now).")
@click.option("--account", help="The account it went out on (default: the incident's).")
@actor_option()
@format_option("Output: text for people, json (the clarification as it is now) for tools.")
@click.pass_obj
def publish(
    state: State,
    clarification_id: int,
    platform: str,
    ref: str,
    at: str | None,
    account: str | None,
    actor: str | None,
    fmt: str,
) -> None:
    """Record that the approved clarification was published (and add it to the ledger)."""
    from smguard.records.clarify import publish as record_publish

    when = parse_time(at, state, "--at") if at else None
    done = record_publish(
        open_store(state),
        clarification_id,
        platform=platform,
        ref=ref,
        at=when,
        account=account,
        actor=resolve_actor(actor),
    )
    ledger_account = account or _incident_account(state, done.incident_id)
    if fmt == "json":
        echo_json({**done.to_dict(), "account": ledger_account})
        return
    click.echo(
        say(
            _T["published"],
            state,
            id=done.id,
            platform=done.published_platform,
            ref=done.published_ref,
            when=format_time(done.published_at, state),
            account=ledger_account,
        )
    )


def _incident_account(state: State, incident_id: int) -> str:
    from smguard.records.incidents import get

    return get(open_store(state), incident_id).account or "—"


@clarify.command(name="list")
@click.option("--incident", "incident_id", type=int, help="Only this incident's.")
@click.option("--status", type=click.Choice(["draft", "approved", "published"]))
@format_option()
@click.pass_obj
def list_(state: State, incident_id: int | None, status: str | None, fmt: str) -> None:
    """The clarification log, newest first."""
    from smguard.records.clarify import list_clarifications

    found = list_clarifications(open_store(state), incident_id=incident_id, status=status)
    if fmt == "json":
        echo_json([c.to_dict() for c in found])
        return
    if not found:
        click.echo(say(_T["none"], state))
        return
    for c in found:
        latest = c.latest
        where = f"  {c.published_platform}: {c.published_ref}" if c.published_ref else ""
        click.echo(
            f"#{c.id:<4} {say(_T['incident'], state)} #{c.incident_id:<4} {c.language}  "
            f"{say(_STATUS[c.status], state):<10} v{latest.version} "
            f"{_DECISION.get(latest.decision, (latest.decision,))[0]:<8} "
            f"{format_time(c.created_at, state)}  {c.created_by}{where}"
        )


@clarify.command()
@click.argument("clarification_id", type=int)
@format_option()
@click.pass_obj
def show(state: State, clarification_id: int, fmt: str) -> None:
    """One clarification with every version, its guard verdict and its text."""
    from smguard.records.clarify import get_clarification
    from smguard.records.incidents import get

    store = open_store(state)
    c = get_clarification(store, clarification_id)
    if fmt == "json":
        echo_json(c.to_dict())
        return
    incident = get(store, c.incident_id)
    by = say(_T["by"], state)
    title = "Clarification" if state.lang == "en" else "Klarifikasi"
    click.echo(
        style.bold(f"{title} #{c.id}")
        + f" — {say(_T['incident'], state)} #{incident.id} ({incident.kind}) — "
        f"{say(_LANGUAGE[c.language], state)}"
    )
    click.echo(f"  Status: {say(_STATUS[c.status], state)}")
    click.echo(f"  {format_time(c.created_at, state, incident.account)} {by} {c.created_by}")
    if c.approved_by:
        when = format_time(c.approved_at, state, incident.account)
        click.echo(f"  ✔ {say(_STATUS['approved'], state)}: {when} {by} {c.approved_by}")
    if c.published_ref:
        when = format_time(c.published_at, state, incident.account)
        click.echo(
            f"  ↗ {say(_STATUS['published'], state)}: {when} — "
            f"{c.published_platform}: {c.published_ref}"
        )
    for version in c.versions:
        click.echo("")
        for row in _version_block(version, state, incident.account):
            click.echo(row)
