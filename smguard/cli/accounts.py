"""``smguard accounts`` and ``smguard admins``: the security inventory.

Accounts and admins can be declared in ``smguard.toml`` or managed here; the file wins for what
it sets (see ``docs/accounts-and-2fa.md``). ``smguard admins depart NAME`` is the one command for
someone who leaves: it lists everything they could still reach and revokes smguard-side access.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import func, select

from smguard.cli.main import State
from smguard.cli.security import SecurityGroup, echo_json, iso, say, security_store

__all__ = ["accounts", "admins"]

_METHODS = ["security_key", "totp", "sms", "none"]
_T = {
    "added": {"en": "Added {what} {name}.", "id": "{what} {name} ditambahkan."},
    "changed": {"en": "Changed {what} {name}.", "id": "{what} {name} diubah."},
    "account": {"en": "account", "id": "Akun"},
    "admin": {"en": "admin", "id": "Admin"},
    "removed": {"en": "Removed account {name}.", "id": "Akun {name} dihapus."},
    "none": {"en": "Nothing in the inventory yet.", "id": "Inventaris masih kosong."},
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
    "every": {"en": "every account", "id": "semua akun"},
    "confirm_remove": {
        "en": "Remove account {name} and its vault seed?",
        "id": "Hapus akun {name} beserta seed vault-nya?",
    },
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


def _actor(actor: str | None) -> str:
    from smguard.cli.common import resolve_actor

    return resolve_actor(actor)


def _where(state: State, account: str) -> str:
    return say(state, _T["every"]) if account == "*" else account


# -- accounts ----------------------------------------------------------------------------------


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
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _values(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


@accounts.command(name="add")
@click.argument("name")
@_account_options
@click.pass_obj
def accounts_add(state: State, /, name: str, actor: str | None, **kw: Any) -> None:
    """Add an account to the inventory."""
    from smguard.security.inventory import add_account

    store = security_store(state)
    add_account(store, name, _values(kw), actor=_actor(actor))
    click.echo(say(state, _T["added"], what=say(state, _T["account"]), name=name))


@accounts.command(name="set")
@click.argument("name")
@_account_options
@click.pass_obj
def accounts_set(state: State, /, name: str, actor: str | None, **kw: Any) -> None:
    """Change an account's inventory fields (those smguard.toml sets are changed there)."""
    from smguard.security.inventory import update_account

    store = security_store(state)
    update_account(store, name, _values(kw), actor=_actor(actor))
    click.echo(say(state, _T["changed"], what=say(state, _T["account"]), name=name))


@accounts.command(name="remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--as", "actor", metavar="NAME", help="Who makes the change (audit log).")
@click.pass_obj
def accounts_remove(state: State, name: str, yes: bool, actor: str | None) -> None:
    """Remove an account (and its vault seed) from the inventory."""
    from smguard.security.inventory import remove_account

    store = security_store(state)
    if not yes:
        click.confirm(say(state, _T["confirm_remove"], name=name), abort=True)
    remove_account(store, name, actor=_actor(actor))
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


@accounts.command(name="list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def accounts_list(state: State, fmt: str) -> None:
    """Every account with its platform 2FA, vault seed and owners."""
    rows = _account_rows(state)
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo(say(state, _T["none"]))
        return
    head = ("ACCOUNT", "PLATFORM", "HANDLE", "2FA", "VAULT", "OWNERS")
    if state.lang == "id":
        head = ("AKUN", "PLATFORM", "HANDLE", "2FA", "VAULT", "PEMILIK")
    table = [head] + [
        (
            r["name"],
            r["platform"] or "—",
            r["handle"] or "—",
            r["two_factor"] or "?",
            "yes" if r["vault_seed"] else "—",
            ", ".join(r["owners"]) or "—",
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head) - 1)]
    for row in table:
        click.echo("  ".join(f"{row[i]:<{widths[i]}}" for i in range(len(widths))) + "  " + row[-1])


@accounts.command(name="show")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def accounts_show(state: State, name: str, fmt: str) -> None:
    """One account's inventory record."""
    from smguard.security.inventory import account_row

    rows = [r for r in _account_rows(state) if r["name"] == name]
    if not rows:
        with security_store(state).session() as s:
            account_row(s, name)  # raises the "no account" message
    row = rows[0]
    if fmt == "json":
        echo_json(row)
        return
    for key, value in row.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        click.echo(f"{key + ':':<16} {'—' if shown in (None, '') else shown}")


# -- admins ------------------------------------------------------------------------------------


@click.group(cls=SecurityGroup)
def admins() -> None:
    """The people who author, approve and own accounts; departures.

    \b
    smguard admins add ayu --email ayu@kemenkeu.go.id
    smguard admins grant ayu approver --account kemenkeu_ri
    smguard admins depart ayu          # lists what they could reach, revokes smguard access
    """


def _admin_options(fn: Any) -> Any:
    for option in reversed(
        [
            click.option("--email", help="The admin's e-mail address."),
            click.option("--phone", help="The admin's phone number."),
            click.option("--as", "actor", metavar="NAME", help="Who makes the change (audit log)."),
        ]
    ):
        fn = option(fn)
    return fn


@admins.command(name="add")
@click.argument("name")
@_admin_options
@click.pass_obj
def admins_add(state: State, /, name: str, actor: str | None, **kw: Any) -> None:
    """Add an admin (then grant roles and enrol: smguard 2fa enroll NAME)."""
    from smguard.security.inventory import add_admin

    store = security_store(state)
    add_admin(store, name, _values(kw), actor=_actor(actor))
    click.echo(say(state, _T["added"], what=say(state, _T["admin"]), name=name))


@admins.command(name="set")
@click.argument("name")
@_admin_options
@click.pass_obj
def admins_set(state: State, /, name: str, actor: str | None, **kw: Any) -> None:
    """Change an admin's contact details."""
    from smguard.security.inventory import update_admin

    store = security_store(state)
    update_admin(store, name, _values(kw), actor=_actor(actor))
    click.echo(say(state, _T["changed"], what=say(state, _T["admin"]), name=name))


@admins.command(name="grant")
@click.argument("name")
@click.argument("role", type=click.Choice(["author", "approver", "owner"]))
@click.option("--account", help="The account (default: every account).")
@click.option("--as", "actor", metavar="NAME", help="Who makes the change (audit log).")
@click.pass_obj
def admins_grant(
    state: State, name: str, role: str, account: str | None, actor: str | None
) -> None:
    """Give an admin a role on one account, or on every account."""
    from smguard.security.inventory import grant

    store = security_store(state)
    done = grant(store, name, role, account, actor=_actor(actor))
    where = _where(state, account or "*")
    click.echo(say(state, _T["granted" if done else "had"], name=name, role=role, account=where))


@admins.command(name="revoke")
@click.argument("name")
@click.argument("role", type=click.Choice(["author", "approver", "owner"]))
@click.option("--account", help="The account (default: the role on every account).")
@click.option("--as", "actor", metavar="NAME", help="Who makes the change (audit log).")
@click.pass_obj
def admins_revoke(
    state: State, name: str, role: str, account: str | None, actor: str | None
) -> None:
    """Take a role away."""
    from smguard.security.inventory import revoke

    store = security_store(state)
    done = revoke(store, name, role, account, actor=_actor(actor))
    where = _where(state, account or "*")
    click.echo(
        say(state, _T["revoked" if done else "not_held"], name=name, role=role, account=where)
    )


def _admin_rows(state: State) -> list[dict[str, Any]]:
    from smguard.records.tables import SecAdmin, SecAdminTotp, SecBackupCode, SecRole

    store = security_store(state)
    out = []
    with store.session() as s:
        left = {
            admin_id: n
            for admin_id, n in s.execute(
                select(SecBackupCode.admin_id, func.count(SecBackupCode.id))
                .where(SecBackupCode.used_at.is_(None))
                .group_by(SecBackupCode.admin_id)
            )
        }
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


@admins.command(name="list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def admins_list(state: State, fmt: str) -> None:
    """Every admin with status, roles and 2FA."""
    rows = _admin_rows(state)
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo(say(state, _T["none"]))
        return
    head = ("ADMIN", "STATUS", "2FA", "BACKUP", "ROLES")
    table = [head] + [
        (
            r["name"],
            r["status"],
            r["two_factor"],
            str(r["backup_codes_left"]),
            ", ".join(r["roles"]) or "—",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head) - 1)]
    for row in table:
        click.echo("  ".join(f"{row[i]:<{widths[i]}}" for i in range(len(widths))) + "  " + row[-1])


@admins.command(name="show")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def admins_show(state: State, name: str, fmt: str) -> None:
    """One admin's record (no secrets)."""
    from smguard.security.inventory import admin_row

    rows = [r for r in _admin_rows(state) if r["name"] == name]
    if not rows:
        with security_store(state).session() as s:
            admin_row(s, name)
    row = rows[0]
    if fmt == "json":
        echo_json(row)
        return
    for key, value in row.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        click.echo(f"{key + ':':<18} {'—' if shown in (None, '') else shown}")


@admins.command(name="depart")
@click.argument("name")
@click.option("--as", "actor", metavar="NAME", help="Who records the departure (audit log).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def admins_depart(state: State, name: str, actor: str | None, fmt: str) -> None:
    """Someone left: list everything they could still reach, revoke smguard access.

    \b
    Revoked at once: every role, their 2FA enrolment and backup codes (approvals and vault
    codes are refused from now on). Listed for you to act on: platform recovery contacts that
    are theirs, vault seeds they have seen, roles smguard.toml still gives them.
    """
    from smguard.security.inventory import depart

    store = security_store(state)
    report = depart(store, name, actor=_actor(actor))
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
            click.echo(f"  - {role} @ {_where(state, account)}")
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
@click.pass_obj
def admins_reactivate(state: State, name: str, actor: str | None) -> None:
    """Undo a departure (roles and 2FA must be set up again)."""
    from smguard.security.inventory import reactivate

    store = security_store(state)
    reactivate(store, name, actor=_actor(actor))
    click.echo(say(state, _T["reactivated"], name=name))
