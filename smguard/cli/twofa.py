"""``smguard 2fa``: admins' personal TOTP — enrol, activate, verify, backup codes, status.

The seed is shown once, at enrolment (QR code and ``otpauth://`` link, optionally a PNG written
with mode 0600); it is stored encrypted and never printed again.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import click

from smguard.cli.main import Problem, State
from smguard.cli.output import echo_json, format_option, iso
from smguard.cli.security import SecurityGroup, ask_code, code_option, say, security_store

__all__ = ["qr_text", "twofa", "write_png"]

_T = {
    "scan": {
        "en": "Scan this QR code with {admin}'s authenticator app (Google Authenticator, "
        "Aegis, 1Password, …), or type in the link below. It is shown only now.",
        "id": "Pindai kode QR ini dengan aplikasi autentikator {admin} (Google Authenticator, "
        "Aegis, 1Password, …), atau masukkan tautan di bawah. Ini hanya ditampilkan sekarang.",
    },
    "png": {
        "en": "QR code written to {file} (readable only by you): delete it after scanning.",
        "id": "Kode QR ditulis ke {file} (hanya bisa dibaca Anda): hapus setelah dipindai.",
    },
    "then": {
        "en": "Then confirm with the first code: smguard 2fa activate {admin} CODE",
        "id": "Lalu konfirmasi dengan kode pertama: smguard 2fa activate {admin} KODE",
    },
    "rotation": {
        "en": "The current app keeps working until the new one is activated.",
        "id": "Aplikasi yang sekarang tetap berlaku sampai yang baru diaktifkan.",
    },
    "first": {"en": "First code from the app", "id": "Kode pertama dari aplikasi"},
    "active": {
        "en": "Two-factor authentication is active for {admin}.",
        "id": "Verifikasi dua langkah aktif untuk {admin}.",
    },
    "backup": {
        "en": "Backup codes — each works once, for when the phone is not at hand. Print or "
        "store them offline now; they are not shown again:",
        "id": "Kode cadangan — masing-masing sekali pakai, untuk saat ponsel tidak ada. Cetak "
        "atau simpan secara offline sekarang; tidak akan ditampilkan lagi:",
    },
    "verified": {
        "en": "Code accepted for {admin} ({method}).",
        "id": "Kode diterima untuk {admin} ({method}).",
    },
    "png_exists": {
        "en": "{file} already exists; choose a new file name",
        "id": "{file} sudah ada; pilih nama berkas baru",
    },
}


def qr_text(uri: str) -> str:
    """The QR code of ``uri`` drawn with half blocks, light on dark (for a terminal)."""
    import qrcode

    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(uri)
    qr.make(fit=True)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()


def write_png(uri: str, path: Path) -> None:
    """Write the QR code as a PNG (pure Python, pypng) with mode 0600; never overwrites."""
    import qrcode
    from qrcode.image.pure import PyPNGImage

    image = qrcode.make(uri, image_factory=PyPNGImage, box_size=8, border=4)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        image.save(fh)


@click.group(cls=SecurityGroup)
def twofa() -> None:
    """Admins' own two-factor authentication (TOTP) for approvals and vault codes.

    \b
    smguard 2fa enroll ayu            QR code + link, shown once
    smguard 2fa activate ayu 123456   the first code turns it on; prints backup codes
    smguard 2fa status                who is enrolled, backup codes left, lockouts
    """


@twofa.command()
@click.argument("admin")
@click.option(
    "--png",
    "png",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the QR code to this PNG file (mode 0600).",
)
@click.option("--no-qr", is_flag=True, help="Do not draw the QR code in the terminal.")
@code_option("A current code of ADMIN (to rotate an active enrolment).")
@click.option("--reset-by", metavar="OWNER", help="An owner who resets a lost enrolment.")
@click.option("--reset-code", metavar="CODE", help="The owner's own current code.")
@click.pass_obj
def enroll(
    state: State,
    admin: str,
    png: Path | None,
    no_qr: bool,
    code: str | None,
    reset_by: str | None,
    reset_code: str | None,
) -> None:
    """Start enrolment (or rotation) of ADMIN's authenticator app.

    An admin who already has 2FA needs --code (their current code) or --reset-by OWNER
    --reset-code CODE (another admin with the owner role, for a lost phone).
    """
    from smguard.security.enrolment import activate
    from smguard.security.enrolment import enroll as do_enroll

    if png is not None and png.exists():
        raise Problem(say(state, _T["png_exists"], file=png))
    if reset_by is not None and reset_code is None:
        reset_code = ask_code(state, reset_by, None)
    store = security_store(state)
    enrolment = do_enroll(store, admin, code=code, reset_by=reset_by, reset_code=reset_code)
    click.echo(say(state, _T["scan"], admin=admin))
    if not no_qr:
        click.echo(qr_text(enrolment.uri))
    click.echo(enrolment.uri)
    if png is not None:
        write_png(enrolment.uri, png)
        click.echo(say(state, _T["png"], file=png))
    if enrolment.rotation:
        click.echo(say(state, _T["rotation"]))
    if sys.stdin.isatty():
        first = click.prompt(say(state, _T["first"]), type=str)
        _show_backup_codes(state, admin, activate(store, admin, first))
    else:
        click.echo(say(state, _T["then"], admin=admin))


def _show_backup_codes(state: State, admin: str, codes: list[str], fmt: str = "text") -> None:
    if fmt == "json":
        echo_json({"admin": admin, "two_factor": "active", "backup_codes": codes})
        return
    click.echo(say(state, _T["active"], admin=admin))
    click.echo(say(state, _T["backup"]))
    for n, code in enumerate(codes, 1):
        click.echo(f"  {n:>2}. {code}")


@twofa.command(name="activate")
@click.argument("admin")
@click.argument("code", required=False)
@format_option()
@click.pass_obj
def activate_cmd(state: State, admin: str, code: str | None, fmt: str) -> None:
    """Turn on ADMIN's pending enrolment with the first code from the app."""
    from smguard.security.enrolment import activate

    store = security_store(state)
    codes = activate(store, admin, ask_code(state, admin, code))
    _show_backup_codes(state, admin, codes, fmt)


@twofa.command(name="verify")
@click.argument("admin")
@click.argument("code", required=False)
@format_option()
@click.pass_obj
def verify_cmd(state: State, admin: str, code: str | None, fmt: str) -> None:
    """Check that ADMIN's app (or a backup code) works; the code is used up."""
    from smguard.security.second_factor import verify

    store = security_store(state)
    result = verify(store, admin, ask_code(state, admin, code))
    if fmt == "json":
        echo_json({"admin": admin, "accepted": True, "method": result.method})
        return
    click.echo(say(state, _T["verified"], admin=admin, method=result.method))


@twofa.command(name="backup-codes")
@click.argument("admin")
@code_option()
@format_option()
@click.pass_obj
def backup_codes(state: State, admin: str, code: str | None, fmt: str) -> None:
    """Make a new set of backup codes for ADMIN (the old ones stop working)."""
    from smguard.security.enrolment import regenerate_backup_codes

    store = security_store(state)
    codes = regenerate_backup_codes(store, admin, ask_code(state, admin, code))
    _show_backup_codes(state, admin, codes, fmt)


@twofa.command(name="status")
@format_option()
@click.pass_obj
def status_cmd(state: State, fmt: str) -> None:
    """Who is enrolled, pending, locked out; backup codes left."""
    from smguard.cli.common import format_time
    from smguard.security.enrolment import status

    store = security_store(state)
    rows = status(store)
    if fmt == "json":
        echo_json(
            [
                {
                    "admin": r.admin,
                    "status": r.status,
                    "enrolled": r.enrolled,
                    "pending": r.pending,
                    "activated_at": iso(r.activated_at),
                    "backup_codes_left": r.backup_codes_left,
                    "locked_until": iso(r.locked_until),
                    "last_active_at": iso(r.last_active_at),
                }
                for r in rows
            ]
        )
        return
    for r in rows:
        state_text = "enrolled" if r.enrolled else "pending" if r.pending else "not enrolled"
        locked = f", locked until {format_time(r.locked_until, state)}" if r.locked_until else ""
        click.echo(
            f"{r.admin:<20} {r.status:<9} {state_text:<13} backup codes: "
            f"{r.backup_codes_left:<3}{locked}"
        )
