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

from smguard import __version__
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
        if self._config is None:
            from smguard.config import Config

            self._config = Config.load(self.config_path)
        return self._config

    @property
    def lang(self) -> str:
        return self._lang or str(self.config.guard.ui_language)

    def guard(self, extra_rule_paths: tuple[Path, ...] = ()) -> Any:
        from dataclasses import replace

        from smguard.engine import Guard

        if extra_rule_paths:
            config = replace(self.config, rule_paths=self.config.rule_paths + extra_rule_paths)
            return Guard(config)
        if self._guard is None:
            self._guard = Guard(self.config)
        return self._guard


class SmguardGroup(click.Group):
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
    from smguard.cli.alerts import alerts
    from smguard.cli.audit import audit
    from smguard.cli.check import check
    from smguard.cli.clarify import clarify
    from smguard.cli.db import db
    from smguard.cli.incidents import incidents
    from smguard.cli.plugins import plugins
    from smguard.cli.rules import rules

    cli.add_command(check)
    cli.add_command(rules)
    cli.add_command(plugins)
    cli.add_command(alerts)
    cli.add_command(incidents)
    cli.add_command(clarify)
    cli.add_command(audit)
    cli.add_command(db)
    try:
        from smguard.cli.models import models
    except ImportError:  # pragma: no cover - the models group ships with the toxicity plugin
        pass
    else:
        cli.add_command(models)
    from smguard.cli.security import add_security_commands

    add_security_commands(cli)


def _plugin_commands() -> None:
    from smguard.manager import get_plugin_manager

    try:
        pm = get_plugin_manager()
    except SmguardError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    pm.hook.register_commands(cli=cli)


def main() -> None:
    _add_commands()
    _plugin_commands()
    cli(prog_name="smguard")
