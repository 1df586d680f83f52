"""Account security on the command line: shared helpers, ``approve``, ``audit 2fa``, ``keys``.

The groups live in their own modules — ``accounts`` (``smguard.cli.accounts``), ``admins``
(``smguard.cli.admins``), ``2fa`` (``smguard.cli.twofa``), ``vault`` (``smguard.cli.vault``) —
and ``smguard.cli.main`` loads them by name when used, and puts ``2fa`` onto the ``audit`` group.
Every command first syncs ``smguard.toml``'s inventory into the database.

Exit codes: 0 done; 3 refused or bad input (one line saying why, in the user's language) —
``smguard audit 2fa`` has its own: 0 clean, 1 warnings, 2 critical.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from smguard.cli import style
from smguard.cli.deprecated import RenamingGroup
from smguard.cli.main import Problem, State, ui_lang
from smguard.cli.output import echo_json, format_option, iso

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = ["SecurityGroup", "ask_code", "code_option", "say", "security_store"]

F = TypeVar("F", bound=Callable[..., Any])


class SecurityGroup(RenamingGroup):
    """Refusals and inventory problems print one line in the user's language (exit 3)."""

    def invoke(self, ctx: click.Context) -> Any:
        return _translated(ctx, lambda: super(SecurityGroup, self).invoke(ctx))


class SecurityCommand(click.Command):
    def invoke(self, ctx: click.Context) -> Any:
        return _translated(ctx, lambda: super(SecurityCommand, self).invoke(ctx))


def _translated(ctx: click.Context, call: Callable[[], Any]) -> Any:
    from smguard.records.incidents import RecordError
    from smguard.security.errors import SecurityProblem

    try:
        return call()
    except SecurityProblem as exc:
        if os.environ.get("SMGUARD_DEBUG"):
            raise
        raise Problem(exc.text(ui_lang(ctx))) from None
    except RecordError as exc:
        if os.environ.get("SMGUARD_DEBUG"):
            raise
        raise Problem(exc.text(ui_lang(ctx))) from None


def security_store(state: State) -> Store:
    """The store, with ``smguard.toml``'s inventory synced into it (once per invocation)."""
    from smguard.cli.common import open_store
    from smguard.security.sync import sync_inventory

    store = open_store(state)
    root = click.get_current_context().find_root()
    if not root.meta.get("smguard.inventory_synced"):
        sync_inventory(store)
        root.meta["smguard.inventory_synced"] = True
    return store


def say(state: State, texts: dict[str, str], **fields: Any) -> str:
    return texts.get(state.lang, texts["en"]).format(**fields)


def ask_code(state: State, admin: str, code: str | None) -> str:
    """``--code`` if given, else ask for it (the code is not secret once used, so it shows)."""
    if code is not None:
        return code
    if not sys.stdin.isatty():
        raise Problem(
            say(
                state,
                {
                    "en": "give --code (the 6-digit code from {admin}'s authenticator app)",
                    "id": "berikan --code (kode 6 angka dari aplikasi autentikator {admin})",
                },
                admin=admin,
            )
        )
    prompt = say(
        state,
        {"en": "Code from {admin}'s authenticator app", "id": "Kode dari aplikasi {admin}"},
        admin=admin,
    )
    return str(click.prompt(prompt, type=str))


def code_option(help_text: str | None = None) -> Callable[[F], F]:
    return click.option(
        "--code",
        metavar="CODE",
        help=help_text
        or "The 6-digit code from your authenticator app, or a backup code (asked if missing).",
    )


def width() -> int:
    return max(60, min(120, shutil.get_terminal_size((100, 24)).columns))


# -- smguard approve ---------------------------------------------------------------------------

_APPROVED = {
    "en": "Approved check {check} on {account} by {admin} ({method}); ledger entry #{ledger}.",
    "id": "Pemeriksaan {check} di {account} disetujui oleh {admin} ({method}); entri ledger "
    "#{ledger}.",
}
_BACKUP_USED = {
    "en": "A backup code was used: {admin} should make new ones soon (smguard 2fa backup-codes).",
    "id": "Kode cadangan dipakai: {admin} sebaiknya membuat yang baru (smguard 2fa backup-codes).",
}


@click.command(cls=SecurityCommand)
@click.argument("check_id")
@click.option("--as", "admin", required=True, metavar="ADMIN", help="The approving admin.")
@code_option()
@format_option()
@click.pass_obj
def approve(state: State, check_id: str, admin: str, code: str | None, fmt: str) -> None:
    """Approve a held check (two-person rule): not its author, approver role, own TOTP.

    \b
    Writes the publish-ledger entry and an audit event; a refusal is audited too.
    Example: smguard approve 3f2c…e1 --as budi --code 123456
    """
    from smguard.security.approvals import approve as do_approve

    store = security_store(state)
    result = do_approve(store, check_id, approver=admin, code=ask_code(state, admin, code))
    if fmt == "json":
        echo_json(
            {
                "check_id": result.check_id,
                "account": result.account,
                "approved_by": result.approver,
                "ledger_id": result.ledger_id,
                "method": result.method,
                "approved_at": iso(result.approved_at),
            }
        )
        return
    click.echo(
        say(
            state,
            _APPROVED,
            check=result.check_id,
            account=result.account,
            admin=admin,
            method=result.method,
            ledger=result.ledger_id,
        )
    )
    if result.method == "backup":
        click.echo(say(state, _BACKUP_USED, admin=admin), err=True)


# -- smguard audit 2fa -------------------------------------------------------------------------

_SEV = {
    "critical": {"en": "CRITICAL", "id": "KRITIS"},
    "warning": {"en": "WARNING", "id": "PERINGATAN"},
    "info": {"en": "INFO", "id": "INFO"},
}
_AUDIT: dict[str, dict[str, Any]] = {
    "title": {
        "en": "2FA hygiene: {accounts} account(s), {admins} admin(s) — {critical} critical, "
        "{warning} warning(s), {info} note(s)",
        "id": "Kebersihan 2FA: {accounts} akun, {admins} admin — {critical} kritis, "
        "{warning} peringatan, {info} catatan",
    },
    "clean": {
        "en": "Nothing to fix. Run this daily from cron.",
        "id": "Tidak ada yang perlu diperbaiki. Jalankan ini setiap hari dari cron.",
    },
    "header": {
        "en": ("SEVERITY", "CODE", "ABOUT", "PROBLEM"),
        "id": ("TINGKAT", "KODE", "TENTANG", "MASALAH"),
    },
    "fix": {"en": "fix: ", "id": "atasi: "},
    "incidents": {
        "en": "Critical findings are tracked as incidents: {ids} (smguard incidents list).",
        "id": "Temuan kritis dicatat sebagai insiden: {ids} (smguard incidents list).",
    },
}


def render_hygiene(report: Any, state: State) -> str:
    lang = state.lang
    counts = report.counts()
    lines = [
        say(state, _AUDIT["title"], accounts=report.accounts, admins=report.admins, **counts),
        "",
    ]
    if not report.findings:
        lines.append(say(state, _AUDIT["clean"]))
        return "\n".join(lines)
    total = width()
    sev_w = max(len(v[lang]) for v in _SEV.values())
    about_w = min(28, max(len(f.subject) for f in report.findings))
    head = _AUDIT["header"][lang]
    left = sev_w + 2 + 11 + 2 + about_w + 2
    lines.append(f"{head[0]:<{sev_w}}  {head[1]:<11}  {head[2]:<{about_w}}  {head[3]}")
    for f in report.findings:
        problem = textwrap.wrap(f.message[lang], max(30, total - left)) or [""]
        sev = style.tone(f"{_SEV[f.severity][lang]:<{sev_w}}", f.severity)
        lines.append(f"{sev}  {f.code:<11}  {f.subject[:about_w]:<{about_w}}  {problem[0]}")
        lines.extend(" " * left + more for more in problem[1:])
        fix = _AUDIT["fix"][lang]
        wrapped = textwrap.wrap(
            fix + f.remediation[lang],
            max(30, total - left),
            subsequent_indent=" " * len(fix),
        )
        lines.extend(" " * left + w for w in wrapped)
    if report.incidents:
        lines += [
            "",
            say(state, _AUDIT["incidents"], ids=", ".join(f"#{i}" for i in report.incidents)),
        ]
    return "\n".join(lines)


@click.command(name="2fa", cls=SecurityCommand)
@format_option()
@click.option(
    "--no-incidents",
    is_flag=True,
    help="Only report; do not open twofa_hygiene incidents for critical findings.",
)
@click.pass_obj
def audit_2fa(state: State, fmt: str, no_incidents: bool) -> None:
    """2FA hygiene of every account and admin: exit 0 clean, 1 warnings, 2 critical.

    \b
    Platform 2FA missing or SMS only, seeds not in the vault or too old, admins without
    enrolment, departed admins who still hold roles, seeds or recovery contacts, few backup
    codes, recovery e-mails outside [organisation] domains, idle admins. Each finding says
    how to fix it (en/id). Critical findings open twofa_hygiene incidents (deduplicated).
    """
    from smguard.security.hygiene import run_audit

    store = security_store(state)
    report = run_audit(store, open_incidents=not no_incidents)
    if fmt == "json":
        echo_json(report.to_dict())
    else:
        click.echo(render_hygiene(report, state))
    sys.exit(report.exit_code)


# -- smguard keys ------------------------------------------------------------------------------

_KEYS = {
    "status": {
        "en": "Current key {kid} from {source}; stored secrets per key: {counts}",
        "id": "Kunci saat ini {kid} dari {source}; rahasia tersimpan per kunci: {counts}",
    },
    "rotated": {
        "en": "Re-encrypted {n} secret(s) with the new key {kid}; the old key is no longer needed.",
        "id": "{n} rahasia dienkripsi ulang dengan kunci baru {kid}; kunci lama tidak diperlukan "
        "lagi.",
    },
    "env_done": {
        "en": "Re-encrypted {n} secret(s) with {kid} from SMGUARD_SECRET_KEY; you can now drop "
        "SMGUARD_OLD_SECRET_KEYS.",
        "id": "{n} rahasia dienkripsi ulang dengan {kid} dari SMGUARD_SECRET_KEY; "
        "SMGUARD_OLD_SECRET_KEYS sekarang boleh dihapus.",
    },
    "created": {
        "en": "Created the key file {path} (key {kid}). Back it up now, apart from the database: "
        "without it the stored TOTP seeds cannot be read.",
        "id": "Berkas kunci {path} dibuat (kunci {kid}). Cadangkan sekarang, terpisah dari basis "
        "data: tanpa berkas itu seed TOTP yang tersimpan tidak dapat dibaca.",
    },
    "generate": {
        "en": "# A new key. Keep it in a secret store; never in smguard.toml or a repository.",
        "id": "# Kunci baru. Simpan di tempat rahasia; jangan di smguard.toml atau repositori.",
    },
}


@click.group(cls=SecurityGroup)
def keys() -> None:
    """The encryption key of stored TOTP seeds: status, rotation, a new key.

    \b
    The key comes from SMGUARD_SECRET_KEY (base64 of 32 bytes), else from the key file
    ([security] key_file, SMGUARD_KEY_FILE, or secret.key in your data folder, mode 0600,
    created by `smguard keys init`, never silently).
    """


@keys.command(name="status")
@format_option()
@click.pass_obj
def keys_status(state: State, fmt: str) -> None:
    """Which key is current, where it comes from, and how many secrets each key protects."""
    from smguard.security.crypto import load_keyring, sealed_key_ids

    store = security_store(state)
    ring = load_keyring(store.config.security)
    with store.session() as s:
        counts = sealed_key_ids(s)
    if fmt == "json":
        echo_json({"current": ring.primary_id, "source": ring.source, "secrets_per_key": counts})
        return
    shown = ", ".join(f"{k}: {n}" for k, n in sorted(counts.items())) or "0"
    click.echo(say(state, _KEYS["status"], kid=ring.primary_id, source=ring.source, counts=shown))


@keys.command(name="rotate")
@click.option("--as", "actor", metavar="NAME", help="Who rotates (for the audit log).")
@format_option()
@click.pass_obj
def keys_rotate(state: State, actor: str | None, fmt: str) -> None:
    """Re-encrypt every stored seed with a new key, in one transaction.

    \b
    Key file: a new key is made and written to the file first (next to the old one), every
    secret is re-encrypted and committed, then the old key is removed from the file.
    SMGUARD_SECRET_KEY: put the new key there and the old one in SMGUARD_OLD_SECRET_KEYS,
    then run this; afterwards drop SMGUARD_OLD_SECRET_KEYS.
    """
    from smguard.cli.common import resolve_actor
    from smguard.security.crypto import (
        finish_file_rotation,
        load_keyring,
        rotate,
        start_file_rotation,
    )

    store = security_store(state)
    ring = load_keyring(store.config.security)
    old_ids = ring.ids()
    if ring.key_file is not None or not ring.older:
        # Environment key with no old key given: this says how to rotate it.
        ring = start_file_rotation(ring)
    with store.session() as s:
        n = rotate(s, ring)
        store.audit(
            s,
            "keys.rotated",
            actor=resolve_actor(actor),
            details={"new_key": ring.primary_id, "old_keys": old_ids, "reencrypted": n},
        )
    if ring.key_file is not None:
        # Anything another process sealed with the old key meanwhile is re-encrypted too,
        # before the old key leaves the file.
        with store.session() as s:
            rotate(s, ring)
        finish_file_rotation(ring)
    if fmt == "json":
        echo_json(
            {
                "new_key": ring.primary_id,
                "old_keys": [kid for kid in old_ids if kid != ring.primary_id],
                "reencrypted": n,
                "source": ring.source,
            }
        )
        return
    done = "rotated" if ring.key_file is not None else "env_done"
    click.echo(say(state, _KEYS[done], n=n, kid=ring.primary_id))


@keys.command(name="init")
@click.option("--as", "actor", metavar="NAME", help="Who creates the key (for the audit log).")
@format_option()
@click.pass_obj
def keys_init(state: State, actor: str | None, fmt: str) -> None:
    """Create the key file, once; refused while stored secrets need another key.

    \b
    Run it when setting up smguard without SMGUARD_SECRET_KEY. A key file that went missing
    later must be restored from its backup: a new key cannot read the seeds stored with the old.
    """
    from smguard.cli.common import resolve_actor
    from smguard.security.crypto import create_key_file, sealed_key_ids

    store = security_store(state)
    with store.session() as s:
        ring = create_key_file(store.config.security, sealed_key_ids(s))
        store.audit(
            s,
            "keys.created",
            actor=resolve_actor(actor),
            details={"key": ring.primary_id, "file": ring.source},
        )
    if fmt == "json":
        echo_json({"created": ring.source, "key": ring.primary_id})
        return
    click.echo(say(state, _KEYS["created"], path=ring.source, kid=ring.primary_id))


@keys.command(name="generate")
@click.pass_obj
def keys_generate(state: State) -> None:
    """Print a new random key (for SMGUARD_SECRET_KEY); stores nothing."""
    from smguard.security.crypto import generate_key

    click.echo(say(state, _KEYS["generate"]), err=True)
    click.echo(generate_key())
