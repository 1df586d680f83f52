"""Old names of renamed commands and options, kept working for one release.

An old name is hidden from ``--help`` and from shell completion; used, it does what the new
name does and first prints one line on stderr saying what to type instead (nothing on stdout,
so scripts that read JSON keep working while they are updated). docs/cli.md lists the renames.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from smguard.cli.main import ui_lang
from smguard.types import localized

__all__ = ["RenamingGroup", "renamed_option", "say_renamed"]

F = TypeVar("F", bound=Callable[..., Any])

_NOTICE = {
    "en": "Warning: `{old}` is deprecated and goes away in the next release: use `{new}`.",
    "id": "Peringatan: `{old}` usang dan akan dihapus pada rilis berikutnya: gunakan `{new}`.",
}


def say_renamed(ctx: click.Context, old: str, new: str) -> None:
    """The one-line notice for an old name (skipped while the shell completes a word)."""
    if not ctx.resilient_parsing:
        click.echo(localized(_NOTICE, ui_lang(ctx)).format(old=old, new=new), err=True)


class RenamingGroup(click.Group):
    """A group whose renamed subcommands still answer to their old names (``renamed``)."""

    def __init__(self, *args: Any, renamed: Mapping[str, str] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.renamed = dict(renamed or {})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.renamed:
            command = super().get_command(ctx, self.renamed[cmd_name])
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name in self.renamed and name not in self.commands:
            new = self.renamed[name]
            say_renamed(ctx, f"{ctx.command_path} {name}", f"{ctx.command_path} {new}")
            return new, command, rest
        return name, command, rest


def renamed_option(old: str, new: str, dest: str, **kwargs: Any) -> Callable[[F], F]:
    """A hidden option ``old`` (passed as ``dest``) that says to use ``new`` when it is given."""

    def warn(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            say_renamed(ctx, f"{ctx.command_path} {old}", f"{ctx.command_path} {new}")
        return value

    return click.option(old, dest, hidden=True, callback=warn, **kwargs)
