"""The ``smguard`` command: the root group, shared options and error handling.

Each command group lives in its own module; plugins add theirs through ``register_commands``.
Expected failures (:class:`~smguard.errors.SmguardError`) print one line and exit 3; nobody sees
a traceback unless ``SMGUARD_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from smguard._version import __version__
from smguard.errors import SmguardError

EXIT_BAD_INPUT = 3


class Problem(click.ClickException):
    """A bad input or configuration: one line on stderr, exit code 3."""

    exit_code = EXIT_BAD_INPUT


class State:
    """Lazily built config and guard, shared by the commands of one invocation."""

    def __init__(self, config_path: Path | None, lang: str | None) -> None:
        self.config_path = config_path
        self._lang = lang
        self._config: Any = None
        self._guard: Any = None

    @property
    def config(self) -> Any:
        """The configuration, checked whole: the plugins' own tables too."""
        if self._config is None:
            from smguard.config import Config
            from smguard.config.plugins import check_settings
            from smguard.manager import get_plugin_manager

            config = Config.load(self.config_path)
            check_settings(get_plugin_manager(config.disabled_plugins), config)
            self._config = config
        return self._config

    @property
    def lang(self) -> str:
        return self._lang or str(self.config.guard.ui_language)

    def guard(self, extra_rule_paths: tuple[Path, ...] = ()) -> Any:
        from dataclasses import replace

        from smguard.guard.engine import Guard

        if extra_rule_paths:
            config = replace(self.config, rule_paths=self.config.rule_paths + extra_rule_paths)
            return Guard(config)
        if self._guard is None:
            self._guard = Guard(self.config)
        return self._guard


#: Command name → "module:attribute". Modules load when their command is used, so that
#: `smguard check` does not import the database layer, and `smguard --help` stays quick enough.
_COMMANDS: dict[str, str] = {
    "check": "smguard.cli.check:check",
    "rules": "smguard.cli.rules:rules",
    "plugins": "smguard.cli.plugins:plugins",
    "models": "smguard.cli.models:models",
    "incidents": "smguard.cli.incidents:incidents",
    "clarify": "smguard.cli.clarify:clarify",
    "audit": "smguard.cli.audit:audit",
    "alerts": "smguard.cli.alerts:alerts",
    "db": "smguard.cli.db:db",
    "accounts": "smguard.cli.accounts:accounts",
    "admins": "smguard.cli.admins:admins",
    "2fa": "smguard.cli.twofa:twofa",
    "vault": "smguard.cli.vault:vault",
    "keys": "smguard.cli.security:keys",
    "approve": "smguard.cli.security:approve",
    "ingest": "smguard.cli.watch:ingest",
    "watch": "smguard.cli.watch:watch",
    "detectors": "smguard.cli.detectors:detectors",
    "schema": "smguard.cli.schema:schema",
}
#: Subcommands that live in another module than their group.
_SUBCOMMANDS: dict[str, dict[str, str]] = {"audit": {"2fa": "smguard.cli.security:audit_2fa"}}


def _load(target: str) -> click.Command:
    import importlib

    module, _, attr = target.partition(":")
    command = getattr(importlib.import_module(module), attr)
    if not isinstance(command, click.Command):  # pragma: no cover - a packaging mistake
        raise TypeError(f"{target} is not a click command")
    return command


class SmguardGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in _COMMANDS:
            command = _load(_COMMANDS[cmd_name])
            if isinstance(command, click.Group):
                for sub, target in _SUBCOMMANDS.get(cmd_name, {}).items():
                    command.add_command(_load(target), name=sub)
            self.add_command(command, name=cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SmguardError as exc:
            if os.environ.get("SMGUARD_DEBUG"):
                raise
            raise Problem(str(exc)) from None


@click.group(cls=SmguardGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smguard")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: ./smguard.toml or $SMGUARD_CONFIG).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "id"]),
    help="Language of messages and suggestions (default: guard.ui_language, en).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, lang: str | None) -> None:
    """smguard checks posts and replies before they go out under your organisation's name.

    \b
    Exit codes of `smguard check`: 0 allowed, 1 needs review, 2 blocked,
    3 bad input or configuration.
    """
    ctx.obj = State(config_path, lang)


def _add_commands() -> None:
    """Load every built-in command now (tests and documentation tools use this)."""
    ctx = click.Context(cli)
    for name in _COMMANDS:
        cli.get_command(ctx, name)


def _plugin_commands() -> None:
    from smguard.manager import get_plugin_manager

    try:
        pm = get_plugin_manager()
    except SmguardError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    pm.hook.register_commands(cli=cli)


def main() -> None:
    _plugin_commands()
    cli(prog_name="smguard")
