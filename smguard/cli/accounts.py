"""``smguard accounts``: the organisation's social-media accounts in the security inventory.

Accounts can be declared in ``smguard.toml`` or managed here; the file wins for what it sets (see
``docs/accounts-and-2fa.md``).
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import select

from smguard.cli.common import resolve_actor
from smguard.cli.inventory import (
    TEXTS,
    echo_record,
    echo_saved,
    echo_table,
    one_record,
    save_fields,
)
from smguard.cli.main import State
from smguard.cli.output import echo_json, format_option, iso
from smguard.cli.security import SecurityGroup, say, security_store

__all__ = ["accounts"]

_METHODS = ["security_key", "totp", "sms", "none"]
_T = {
    "removed": {"en": "Removed account {name}.", "id": "Akun {name} dihapus."},
    "confirm_remove": {
        "en": "Remove account {name} and its vault seed?",
        "id": "Hapus akun {name} beserta seed vault-nya?",
    },
}


@click.group(cls=SecurityGroup)
def accounts() -> None:
    """The organisation's social-media accounts: platform 2FA, recovery contacts, owners.

    \b
    smguard accounts list
    smguard accounts add kemenkeu_ri --platform x --handle @KemenkeuRI --two-factor totp \\
        --recovery-email socmed@kemenkeu.go.id
    smguard accounts show kemenkeu_ri
    """


def _account_options(fn: Any) -> Any:
    options = [
        click.option("--platform", help="x, instagram, facebook, mastodon, tiktok, …"),
        click.option("--handle", help="The account's handle on the platform, e.g. @KemenkeuRI."),
        click.option("--timezone", help="IANA time zone, e.g. Asia/Jakarta."),
        click.option(
            "--two-factor", type=click.Choice(_METHODS), help="How the platform login is protected."
        ),
        click.option("--recovery-email", help="The platform's recovery e-mail."),
        click.option("--recovery-phone", help="The platform's recovery phone number."),
        click.option("--as", "actor", metavar="NAME", help="Who makes the change (audit log)."),
        format_option(),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@accounts.command(name="add")
@click.argument("name")
@_account_options
@click.pass_obj
def accounts_add(state: State, /, name: str, actor: str | None, fmt: str, **kw: Any) -> None:
    """Add an account to the inventory."""
    from smguard.security.accounts import add_account

    save_fields(state, add_account, name, kw, actor)
    echo_saved(state, fmt, "added", "account", name, _account_record)


@accounts.command(name="set")
@click.argument("name")
@_account_options
@click.pass_obj
def accounts_set(state: State, /, name: str, actor: str | None, fmt: str, **kw: Any) -> None:
    """Change an account's inventory fields (those smguard.toml sets are changed there)."""
    from smguard.security.accounts import update_account

    save_fields(state, update_account, name, kw, actor)
    echo_saved(state, fmt, "changed", "account", name, _account_record)


@accounts.command(name="remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--as", "actor", metavar="NAME", help="Who makes the change (audit log).")
@format_option()
@click.pass_obj
def accounts_remove(state: State, name: str, yes: bool, actor: str | None, fmt: str) -> None:
    """Remove an account (and its vault seed) from the inventory."""
    from smguard.security.accounts import remove_account

    store = security_store(state)
    if not yes:
        # With --format json the question goes to stderr: stdout carries only the JSON.
        click.confirm(say(state, _T["confirm_remove"], name=name), abort=True, err=fmt == "json")
    remove_account(store, name, actor=resolve_actor(actor))
    if fmt == "json":
        echo_json({"name": name, "removed": True})
        return
    click.echo(say(state, _T["removed"], name=name))


def _account_rows(state: State) -> list[dict[str, Any]]:
    from smguard.records.tables import SecAccount, SecAdmin, SecRole, SecVaultSeed

    store = security_store(state)
    out = []
    with store.session() as s:
        seeds = {e.account_id: e for e in s.execute(select(SecVaultSeed)).scalars()}
        roles = list(
            s.execute(
                select(SecRole.account, SecRole.role, SecAdmin.name, SecAdmin.status).join(
                    SecAdmin, SecAdmin.id == SecRole.admin_id
                )
            )
        )
        for acc in s.execute(select(SecAccount).order_by(SecAccount.name)).scalars():
            seed = seeds.get(acc.id)
            people: dict[str, list[str]] = {"owner": [], "approver": [], "author": []}
            for account, role, admin, status in roles:
                if account in (acc.name, "*"):
                    label = admin if account == acc.name else f"{admin} (*)"
                    if status != "active":
                        label += " [departed]"
                    people[role].append(label)
            out.append(
                {
                    "name": acc.name,
                    "platform": acc.platform,
                    "handle": acc.handle,
                    "timezone": acc.timezone,
                    "two_factor": acc.two_factor,
                    "recovery_email": acc.recovery_email,
                    "recovery_phone": acc.recovery_phone,
                    "owners": sorted(people["owner"]),
                    "approvers": sorted(people["approver"]),
                    "authors": sorted(people["author"]),
                    "vault_seed": seed is not None,
                    "seed_added_at": iso(seed.added_at) if seed else None,
                    "source": acc.source,
                }
            )
    return out


def _account_record(state: State, name: str) -> dict[str, Any]:
    from smguard.security.inventory import account_row

    return one_record(state, _account_rows(state), name, account_row)


@accounts.command(name="list")
@format_option()
@click.pass_obj
def accounts_list(state: State, fmt: str) -> None:
    """Every account with its platform 2FA, vault seed and owners."""
    rows = _account_rows(state)
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo(say(state, TEXTS["none"]))
        return
    head = ("ACCOUNT", "PLATFORM", "HANDLE", "2FA", "VAULT", "OWNERS")
    if state.lang == "id":
        head = ("AKUN", "PLATFORM", "HANDLE", "2FA", "VAULT", "PEMILIK")
    echo_table(
        head,
        [
            (
                r["name"],
                r["platform"] or "—",
                r["handle"] or "—",
                r["two_factor"] or "?",
                "yes" if r["vault_seed"] else "—",
                ", ".join(r["owners"]) or "—",
            )
            for r in rows
        ],
    )


@accounts.command(name="show")
@click.argument("name")
@format_option()
@click.pass_obj
def accounts_show(state: State, name: str, fmt: str) -> None:
    """One account's inventory record."""
    row = _account_record(state, name)
    if fmt == "json":
        echo_json(row)
        return
    echo_record(row, 16)
