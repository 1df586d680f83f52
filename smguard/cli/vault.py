"""``smguard vault``: shared accounts' platform 2FA seeds, handed out only as current codes.

The seed is read once — from a hidden prompt, from standard input, or ``--file`` — and
never from a command-line argument (those land in shell history and the process list).
``--from-file``, the old name of ``--file``, works for one more release.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from smguard.cli.deprecated import renamed_option
from smguard.cli.main import Problem, State
from smguard.cli.output import echo_json, format_option, iso
from smguard.cli.security import SecurityGroup, ask_code, code_option, say, security_store

__all__ = ["vault"]

_T = {
    "prompt": {
        "en": "Platform 2FA seed of {account} (base32 or otpauth:// link; input hidden)",
        "id": "Seed 2FA platform {account} (base32 atau tautan otpauth://; input disembunyikan)",
    },
    "stdin_code": {
        "en": "the seed is read from standard input, so give the owner's code with --code",
        "id": "seed dibaca dari input standar, jadi berikan kode owner dengan --code",
    },
    "added": {
        "en": "Seed of {account} stored encrypted in the vault. Remove it from every phone and "
        "paper now; from here on, get codes with `smguard vault code {account} --as NAME`.",
        "id": "Seed {account} disimpan terenkripsi di vault. Hapus dari semua ponsel dan kertas "
        "sekarang; selanjutnya minta kode dengan `smguard vault code {account} --as NAMA`.",
    },
    "code": {
        "en": "{account}: {code}  (valid for {seconds} more seconds; this hand-out is logged)",
        "id": "{account}: {code}  (berlaku {seconds} detik lagi; pemberian ini dicatat)",
    },
    "removed": {"en": "Seed of {account} removed.", "id": "Seed {account} dihapus."},
    "empty": {"en": "The vault is empty.", "id": "Vault masih kosong."},
    "no_issue": {
        "en": "No codes handed out for {account} in that time.",
        "id": "Tidak ada kode yang diberikan untuk {account} pada waktu itu.",
    },
    "read": {"en": "cannot read {file}: {why}", "id": "{file} tidak dapat dibaca: {why}"},
    "argument": {
        "en": "unexpected argument(s) ({n}, not shown): never put a seed on the command line; "
        "if you just did, it is in your shell history — reset the platform's 2FA and add the "
        "new seed from the prompt",
        "id": "argumen tak terduga ({n}, tidak ditampilkan): jangan menaruh seed di baris "
        "perintah; jika baru saja dilakukan, seed ada di riwayat shell — reset 2FA platform "
        "dan tambahkan seed baru lewat prompt",
    },
}


def _read_seed(state: State, account: str, from_file: Path | None) -> str:
    if from_file is not None:
        try:
            return from_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or "not text"
            raise Problem(say(state, _T["read"], file=from_file, why=why)) from None
    if not sys.stdin.isatty():
        return sys.stdin.readline()
    return str(click.prompt(say(state, _T["prompt"], account=account), hide_input=True))


@click.group(cls=SecurityGroup)
def vault() -> None:
    """The team vault: shared accounts' platform 2FA seeds; every code handed out is logged.

    \b
    smguard vault add kemenkeu_ri --as ayu             seed from a hidden prompt (or stdin)
    smguard vault code kemenkeu_ri --as budi --code 123456
    smguard vault log kemenkeu_ri --since 24h          who got codes, when
    """


@vault.command(
    name="add", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
@click.argument("account")
@click.option("--as", "owner", required=True, metavar="OWNER", help="An owner of the account.")
@code_option("The owner's own current code (asked if missing).")
@click.option(
    "--file",
    "from_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the seed (base32 or otpauth:// link) from this file.",
)
@renamed_option(
    "--from-file", "--file", "old_file", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--replace", is_flag=True, help="Replace the stored seed (the platform's 2FA was reset)."
)
@format_option()
@click.pass_obj
def add(
    state: State,
    account: str,
    owner: str,
    code: str | None,
    from_file: Path | None,
    old_file: Path | None,
    replace: bool,
    fmt: str,
) -> None:
    """Store ACCOUNT's platform 2FA seed (owner only, with their own TOTP).

    The seed is asked for with hidden input, or read from standard input or --file;
    never give it as an argument (it would land in your shell history).
    """
    from smguard.security.vault import add_seed

    from_file = from_file or old_file
    extra = click.get_current_context().args
    if extra:
        # Whatever was typed may be the seed: say so without repeating it.
        raise Problem(say(state, _T["argument"], n=len(extra)))
    if from_file is None and not sys.stdin.isatty() and code is None:
        raise Problem(say(state, _T["stdin_code"]))
    store = security_store(state)
    seed_text = _read_seed(state, account, from_file)
    owner_code = ask_code(state, owner, code)
    add_seed(store, account, seed_text, by=owner, code=owner_code, replace=replace)
    if fmt == "json":
        echo_json({"account": account, "added_by": owner, "replaced": replace})
        return
    click.echo(say(state, _T["added"], account=account))


@vault.command(name="code")
@click.argument("account")
@click.option("--as", "admin", required=True, metavar="ADMIN", help="Who needs the code.")
@code_option("Your own current code (asked if missing).")
@format_option()
@click.pass_obj
def code_cmd(state: State, account: str, admin: str, code: str | None, fmt: str) -> None:
    """The current platform login code of ACCOUNT, for an authorised admin (logged)."""
    from smguard.security.vault import issue_code

    store = security_store(state)
    issued = issue_code(store, account, admin=admin, code=ask_code(state, admin, code))
    if fmt == "json":
        echo_json(
            {"account": account, "admin": admin, "code": issued.code, "valid_for": issued.valid_for}
        )
        return
    click.echo(say(state, _T["code"], account=account, code=issued.code, seconds=issued.valid_for))


@vault.command(name="remove")
@click.argument("account")
@click.option("--as", "owner", required=True, metavar="OWNER", help="An owner of the account.")
@code_option("The owner's own current code (asked if missing).")
@format_option()
@click.pass_obj
def remove(state: State, account: str, owner: str, code: str | None, fmt: str) -> None:
    """Delete ACCOUNT's seed from the vault (owner only)."""
    from smguard.security.vault import remove_seed

    store = security_store(state)
    remove_seed(store, account, by=owner, code=ask_code(state, owner, code))
    if fmt == "json":
        echo_json({"account": account, "removed": True, "removed_by": owner})
        return
    click.echo(say(state, _T["removed"], account=account))


@vault.command(name="list")
@format_option()
@click.pass_obj
def list_cmd(state: State, fmt: str) -> None:
    """Which accounts have a seed in the vault, how old, who added it (no secrets)."""
    from smguard.cli.common import format_time
    from smguard.security.vault import list_seeds

    entries = list_seeds(security_store(state))
    if fmt == "json":
        echo_json(
            [
                {
                    "account": e.account,
                    "added_by": e.added_by,
                    "added_at": iso(e.added_at),
                    "age_days": (datetime.now(UTC) - e.added_at).days,
                    "last_code_at": iso(e.last_code_at),
                    "digits": e.digits,
                    "period": e.period,
                    "algorithm": e.algorithm,
                }
                for e in entries
            ]
        )
        return
    if not entries:
        click.echo(say(state, _T["empty"]))
        return
    for e in entries:
        click.echo(
            f"{e.account:<24} added {format_time(e.added_at, state, e.account)} by "
            f"{e.added_by:<16} last code {format_time(e.last_code_at, state, e.account)}"
        )


@vault.command(name="log")
@click.argument("account")
@click.option("--since", default="7d", show_default=True, help="7d, 24h, 2026-06-01 or ISO.")
@click.option("--until", help="An ISO time (default: now).")
@format_option()
@click.pass_obj
def log(state: State, account: str, since: str, until: str | None, fmt: str) -> None:
    """Who got ACCOUNT's login codes, and when (from the audit log)."""
    from smguard.cli.common import format_time, parse_since, parse_time
    from smguard.security.vault import codes_issued

    store = security_store(state)
    start = parse_since(since, state)
    end = parse_time(until, state, "--until") if until else None
    issues = codes_issued(store, account, start, end)
    if fmt == "json":
        echo_json([{"at": iso(i.at), "admin": i.admin, "audit_seq": i.seq} for i in issues])
        return
    if not issues:
        click.echo(say(state, _T["no_issue"], account=account))
    for i in issues:
        click.echo(f"{format_time(i.at, state, account)}  {i.admin:<20} audit #{i.seq}")
