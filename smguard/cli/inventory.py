"""What ``smguard accounts`` and ``smguard admins`` share: their common texts, saving the fields
given as options, and printing a table or one record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from smguard.cli.common import resolve_actor
from smguard.cli.main import State
from smguard.cli.output import echo_json
from smguard.cli.security import say, security_store

__all__ = [
    "TEXTS",
    "account_label",
    "echo_record",
    "echo_saved",
    "echo_table",
    "one_record",
    "save_fields",
]

TEXTS = {
    "added": {"en": "Added {what} {name}.", "id": "{what} {name} ditambahkan."},
    "changed": {"en": "Changed {what} {name}.", "id": "{what} {name} diubah."},
    "account": {"en": "account", "id": "Akun"},
    "admin": {"en": "admin", "id": "Admin"},
    "none": {"en": "Nothing in the inventory yet.", "id": "Inventaris masih kosong."},
    "every": {"en": "every account", "id": "semua akun"},
}


def save_fields(
    state: State,
    change: Callable[..., None],
    name: str,
    options: dict[str, Any],
    actor: str | None,
) -> None:
    """Add or change (``change``) account or admin ``name`` with the field options given."""
    fields = {k: v for k, v in options.items() if v is not None}
    change(security_store(state), name, fields, actor=resolve_actor(actor))


def echo_saved(
    state: State,
    fmt: str,
    done: str,
    what: str,
    name: str,
    record: Callable[[State, str], dict[str, Any]],
) -> None:
    """Say that ``what`` ("account" or "admin") ``name`` was ``done`` ("added" or "changed"),
    or print its ``record`` as JSON."""
    if fmt == "json":
        echo_json(record(state, name))
    else:
        click.echo(say(state, TEXTS[done], what=say(state, TEXTS[what]), name=name))


def one_record(
    state: State, rows: Sequence[dict[str, Any]], name: str, look_up: Callable[[Any, str], Any]
) -> dict[str, Any]:
    """The row named ``name``; else ``look_up(session, name)`` raises the "no such …" message."""
    found = [r for r in rows if r["name"] == name]
    if not found:
        with security_store(state).session() as s:
            look_up(s, name)
    return found[0]


def account_label(state: State, account: str) -> str:
    """An account name, or "every account" for ``*``."""
    return say(state, TEXTS["every"]) if account == "*" else account


def echo_table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    table = [tuple(head)] + [tuple(row) for row in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head) - 1)]
    for row in table:
        click.echo("  ".join(f"{row[i]:<{widths[i]}}" for i in range(len(widths))) + "  " + row[-1])


def echo_record(row: dict[str, Any], key_width: int) -> None:
    """One record, a ``key: value`` line per field (lists joined, empty values as a dash)."""
    for key, value in row.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        click.echo(f"{key + ':':<{key_width}} {'—' if shown in (None, '') else shown}")
