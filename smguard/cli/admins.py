"""``smguard admins``: the people who author, approve and own accounts, and departures.

Admins can be declared in ``smguard.toml`` or managed here; the file wins for what it sets (see
``docs/accounts-and-2fa.md``). ``smguard admins remove NAME`` is the one command for someone who
leaves: it lists everything they could still reach and revokes smguard-side access (the record
stays, marked departed, for the audit trail; ``reactivate`` undoes it). Its old name, ``depart``,
works for one more release.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from sqlalchemy import select

from smguard.cli.common import resolve_actor
from smguard.cli.inventory import (
    TEXTS,
    account_label,
    echo_record,
    echo_saved,
    echo_table,
    one_record,
    save_fields,
)
from smguard.cli.main import State
from smguard.cli.output import echo_json, format_option, iso
from smguard.cli.security import SecurityGroup, say, security_store

__all__ = ["admins"]

_T = {
    "granted": {
        "en": "{name} is now {role} on {account}.",
        "id": "{name} sekarang {role} di {account}.",
    },
    "had": {
        "en": "{name} already is {role} on {account}.",
        "id": "{name} sudah menjadi {role} di {account}.",
    },
    "revoked": {
        "en": "{name} is no longer {role} on {account}.",
        "id": "{name} tidak lagi {role} di {account}.",
    },
    "not_held": {
        "en": "{name} does not hold {role} on {account}.",
        "id": "{name} tidak memegang {role} di {account}.",
    },
    "reactivated": {"en": "{name} is active again.", "id": "{name} aktif kembali."},
}
_DEPART = {
    "again": {
        "en": "{name} had already departed; revoking again whatever came back.",
        "id": "{name} sudah keluar sebelumnya; mencabut lagi apa pun yang muncul kembali.",
    },
    "head": {
        "en": "{name} has departed. smguard access revoked: {roles} role(s), 2FA enrolment "
        "{totp}, {codes} backup code(s).",
        "id": "{name} telah keluar. Akses smguard dicabut: {roles} peran, pendaftaran 2FA "
        "{totp}, {codes} kode cadangan.",
    },
    "yes": {"en": "removed", "id": "dihapus"},
    "no": {"en": "none", "id": "tidak ada"},
    "roles": {"en": "Roles they held:", "id": "Peran yang dipegang:"},
    "vault": {
        "en": "Vault codes they could get (now refused): {accounts}",
        "id": "Kode vault yang bisa mereka minta (kini ditolak): {accounts}",
    },
    "seeds": {
        "en": "ACT: they added (and so have seen) the vault seed of {accounts}: reset 2FA on the "
        "platform and run `smguard vault add ACCOUNT --replace`.",
        "id": "TINDAK: mereka menambahkan (jadi pernah melihat) seed vault {accounts}: reset 2FA "
        "di platform lalu jalankan `smguard vault add AKUN --replace`.",
    },
    "recovery": {
        "en": "ACT: the platform's recovery {kind} of {account} is theirs: change it on the "
        "platform now.",
        "id": "TINDAK: {kind} pemulihan {account} di platform adalah milik mereka: ganti di "
        "platform sekarang.",
    },
    "config": {
        "en": "ACT: smguard.toml still gives them {roles}: remove them there (they stay refused).",
        "id": "TINDAK: smguard.toml masih memberi mereka {roles}: hapus di sana (tetap ditolak).",
    },
    "passwords": {
        "en": "Also change the passwords of the accounts they could log in to, and remove "
        "their sessions and apps on each platform.",
        "id": "Ganti juga kata sandi akun yang bisa mereka masuki, dan hapus sesi serta "
        "aplikasi mereka di setiap platform.",
    },
}


@click.group(cls=SecurityGroup, renamed={"depart": "remove"})
def admins() -> None:
    """The people who author, approve and own accounts; departures.

    \b
    smguard admins add ayu --email ayu@kemenkeu.go.id
    smguard admins grant ayu approver --account kemenkeu_ri
    smguard admins remove ayu          # lists what they could reach, revokes smguard access
    """


def _admin_options(fn: Any) -> Any:
    for option in reversed(
        [
            click.option("--email", help="The admin's e-mail address."),
            click.option("--phone", help="The admin's phone number."),
            click.option("--as", "actor", metavar="NAME", help="Who makes the change (audit log)."),
            format_option(),
        ]
    ):
        fn = option(fn)
    return fn


@admins.command(name="add")
@click.argument("name")
@_admin_options
@click.pass_obj
def admins_add(state: State, /, name: str, actor: str | None, fmt: str, **kw: Any) -> None:
    """Add an admin (then grant roles and enrol: smguard 2fa enroll NAME)."""
    from smguard.security.admins import add_admin

    save_fields(state, add_admin, name, kw, actor)
    echo_saved(state, fmt, "added", "admin", name, _admin_record)


@admins.command(name="set")
@click.argument("name")
@_admin_options
@click.pass_obj
def admins_set(state: State, /, name: str, actor: str | None, fmt: str, **kw: Any) -> None:
    """Change an admin's contact details."""
    from smguard.security.admins import update_admin

    save_fields(state, update_admin, name, kw, actor)
    echo_saved(state, fmt, "changed", "admin", name, _admin_record)


def _change_role(
    state: State,
    change: Callable[..., bool],
    name: str,
    role: str,
    account: str | None,
    actor: str | None,
    fmt: str,
    *,
    said: tuple[str, str],
) -> None:
    """Grant or revoke (``change``) a role; ``said``: what to say when it changed, when not."""
    done = change(security_store(state), name, role, account, actor=resolve_actor(actor))
    if fmt == "json":
        echo_json({"name": name, "role": role, "account": account or "*", "changed": done})
        return
    where = account_label(state, account or "*")
    click.echo(say(state, _T[said[0] if done else said[1]], name=name, role=role, account=where))


@admins.command(name="grant")
@click.argument("name")
@click.argument("role", type=click.Choice(["author", "approver", "owner"]))
@click.option("--account", help="The account (default: every account).")
@click.option("--as", "actor", metavar="NAME", help="Who makes the change (audit log).")
@format_option()
@click.pass_obj
def admins_grant(
    state: State, name: str, role: str, account: str | None, actor: str | None, fmt: str
) -> None:
    """Give an admin a role on one account, or on every account."""
    from smguard.security.admins import grant

    _change_role(state, grant, name, role, account, actor, fmt, said=("granted", "had"))


@admins.command(name="revoke")
@click.argument("name")
@click.argument("role", type=click.Choice(["author", "approver", "owner"]))
@click.option("--account", help="The account (default: the role on every account).")
@click.option("--as", "actor", metavar="NAME", help="Who makes the change (audit log).")
@format_option()
@click.pass_obj
def admins_revoke(
    state: State, name: str, role: str, account: str | None, actor: str | None, fmt: str
) -> None:
    """Take a role away."""
    from smguard.security.admins import revoke

    _change_role(state, revoke, name, role, account, actor, fmt, said=("revoked", "not_held"))


def _admin_rows(state: State) -> list[dict[str, Any]]:
    from smguard.records.tables import SecAdmin, SecAdminTotp, SecRole
    from smguard.security.backup_codes import unused_backup_codes

    store = security_store(state)
    out = []
    with store.session() as s:
        left = unused_backup_codes(s)
        for admin in s.execute(select(SecAdmin).order_by(SecAdmin.name)).scalars():
            totp = s.get(SecAdminTotp, admin.id)
            roles = s.execute(
                select(SecRole).where(SecRole.admin_id == admin.id).order_by(SecRole.account)
            ).scalars()
            out.append(
                {
                    "name": admin.name,
                    "email": admin.email,
                    "phone": admin.phone,
                    "status": admin.status,
                    "roles": [f"{r.role}@{r.account}" for r in roles],
                    "two_factor": "active"
                    if totp and totp.seed_ciphertext
                    else "pending"
                    if totp and totp.pending_ciphertext
                    else "none",
                    "backup_codes_left": int(left.get(admin.id, 0)),
                    "locked_until": iso(totp.locked_until) if totp else None,
                    "last_active_at": iso(admin.last_active_at),
                    "departed_at": iso(admin.departed_at),
                    "source": admin.source,
                }
            )
    return out


def _admin_record(state: State, name: str) -> dict[str, Any]:
    from smguard.security.inventory import admin_row

    return one_record(state, _admin_rows(state), name, admin_row)


@admins.command(name="list")
@format_option()
@click.pass_obj
def admins_list(state: State, fmt: str) -> None:
    """Every admin with status, roles and 2FA."""
    rows = _admin_rows(state)
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo(say(state, TEXTS["none"]))
        return
    head = ("ADMIN", "STATUS", "2FA", "BACKUP", "ROLES")
    echo_table(
        head,
        [
            (
                r["name"],
                r["status"],
                r["two_factor"],
                str(r["backup_codes_left"]),
                ", ".join(r["roles"]) or "—",
            )
            for r in rows
        ],
    )


@admins.command(name="show")
@click.argument("name")
@format_option()
@click.pass_obj
def admins_show(state: State, name: str, fmt: str) -> None:
    """One admin's record (no secrets)."""
    row = _admin_record(state, name)
    if fmt == "json":
        echo_json(row)
        return
    echo_record(row, 18)


@admins.command(name="remove")
@click.argument("name")
@click.option("--as", "actor", metavar="NAME", help="Who records the departure (audit log).")
@format_option()
@click.pass_obj
def admins_remove(state: State, name: str, actor: str | None, fmt: str) -> None:
    """Someone left: list everything they could still reach, revoke smguard access.

    \b
    Revoked at once: every role, their 2FA enrolment and backup codes (approvals and vault
    codes are refused from now on). Listed for you to act on: platform recovery contacts that
    are theirs, vault seeds they have seen, roles smguard.toml still gives them.
    """
    from smguard.security.departure import depart

    store = security_store(state)
    report = depart(store, name, actor=resolve_actor(actor))
    if fmt == "json":
        echo_json(report.to_dict())
        return
    if report.again:
        click.echo(say(state, _DEPART["again"], name=name))
    yes_no = _DEPART["yes"] if report.had_totp else _DEPART["no"]
    click.echo(
        say(
            state,
            _DEPART["head"],
            name=name,
            roles=len(report.roles),
            totp=say(state, yes_no),
            codes=report.backup_codes_left,
        )
    )
    if report.roles:
        click.echo(say(state, _DEPART["roles"]))
        for account, role in report.roles:
            click.echo(f"  - {role} @ {account_label(state, account)}")
    if report.vault_accounts:
        click.echo(say(state, _DEPART["vault"], accounts=", ".join(report.vault_accounts)))
    if report.seeds_seen:
        click.echo(say(state, _DEPART["seeds"], accounts=", ".join(report.seeds_seen)))
    for account, kind in report.recovery:
        click.echo(say(state, _DEPART["recovery"], account=account, kind=kind))
    if report.config_roles:
        roles = ", ".join(f"{r}@{a}" for a, r in report.config_roles)
        click.echo(say(state, _DEPART["config"], roles=roles))
    if report.roles or report.vault_accounts:
        click.echo(say(state, _DEPART["passwords"]))


@admins.command(name="reactivate")
@click.argument("name")
@click.option("--as", "actor", metavar="NAME", help="Who brings them back (audit log).")
@format_option()
@click.pass_obj
def admins_reactivate(state: State, name: str, actor: str | None, fmt: str) -> None:
    """Undo a departure (roles and 2FA must be set up again)."""
    from smguard.security.departure import reactivate

    store = security_store(state)
    reactivate(store, name, actor=resolve_actor(actor))
    if fmt == "json":
        echo_json(_admin_record(state, name))
        return
    click.echo(say(state, _T["reactivated"], name=name))
