"""The ``smguard`` command: the root group, shared options and error handling.

Each command group lives in its own module, imported only when that command runs: ``smguard
--help`` and ``--version`` import no command module, no plugin and no database code. Plugins
add commands through ``register_commands``; only third-party (entry-point) plugins are asked, and
only when the root help lists commands, shell completion needs them or a name is not a built-in
one (no built-in plugin adds commands).

Exit codes every command shares: expected failures (:class:`~smguard.errors.SmguardError`) and
usage errors (an unknown option, a bad choice, a missing argument) print one ``Error:`` line on
stderr and exit 3 — never 2, which ``check`` uses for "blocked" and ``audit 2fa`` for
"critical". Nobody sees a traceback unless ``SMGUARD_DEBUG=1``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

import click

from smguard._version import __version__
from smguard.cli.style import COLOR_CHOICES, color_setting
from smguard.errors import SmguardError

EXIT_BAD_INPUT = 3


class Problem(click.ClickException):
    """A bad input or configuration: one line on stderr, exit code 3."""

    exit_code = EXIT_BAD_INPUT


class BadUsage(click.UsageError):
    """A usage error as click words it (usage, hint, ``Error:`` line), with exit code 3."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, original: click.UsageError) -> None:
        super().__init__(original.message, original.ctx)
        self.original = original

    def format_message(self) -> str:
        return self.original.format_message()

    def show(self, file: IO[Any] | None = None) -> None:
        self.original.show(file)


def _bad_usage(exc: click.UsageError) -> BadUsage:
    return exc if isinstance(exc, BadUsage) else BadUsage(exc)


#: Whether this process is the ``smguard`` command itself (not a test or a host program
#: calling the CLI in process): only then may a command change process-wide settings such as
#: the garbage collector's (:func:`smguard.guard.memo.settle`).
_OWN_PROCESS = False


class State:
    """Lazily built config and guard, shared by the commands of one invocation."""

    def __init__(self, config_path: Path | None, lang: str | None) -> None:
        self.config_path = config_path
        self._lang = lang
        self._config: Any = None
        self._pm: Any = None
        self._guard: Any = None

    @property
    def own_process(self) -> bool:
        """Whether the process runs the ``smguard`` command alone (see ``_OWN_PROCESS``)."""
        return _OWN_PROCESS

    @property
    def config(self) -> Any:
        """The configuration, checked whole: the plugins' own tables too."""
        if self._config is None:
            from smguard.config import Config
            from smguard.config.plugins import check_settings
            from smguard.manager import get_plugin_manager

            config = Config.load(self.config_path)
            pm = get_plugin_manager(config.disabled_plugins)
            check_settings(pm, config)
            self._config, self._pm = config, pm
        return self._config

    @property
    def lang(self) -> str:
        return self._lang or str(self.config.guard.ui_language)

    def guard(self, extra_rule_paths: tuple[Path, ...] = ()) -> Any:
        from dataclasses import replace

        from smguard.guard.engine import Guard

        # The plugin manager that checked the configuration serves the guard too: building a
        # second one registers every plugin's hooks again.
        if extra_rule_paths:
            config = replace(self.config, rule_paths=self.config.rule_paths + extra_rule_paths)
            return Guard(config, self._pm)
        if self._guard is None:
            self._guard = Guard(self.config, self._pm)
        return self._guard


def ui_lang(ctx: click.Context) -> str:
    """The language of messages for this invocation; English when the configuration is broken."""
    state = ctx.find_object(State)
    try:
        return state.lang if state is not None else "en"
    except SmguardError:
        return "en"


#: Command name → ("module:attribute", the first paragraph of its help). Modules load when their
#: command is used; the help text lets `smguard --help` list them without importing any
#: (tests/cli/test_conventions.py checks it against the commands' own help).
_COMMANDS: dict[str, tuple[str, str]] = {
    "check": (
        "smguard.cli.check:check",
        "Check TEXT (or '-' / --file) and say whether it may go out.",
    ),
    "rules": ("smguard.cli.rules:rules", "List, explain and test rules."),
    "plugins": (
        "smguard.cli.plugins:plugins",
        "Loaded plugins: their versions and what each registered.",
    ),
    "models": (
        "smguard.cli.models:models",
        "List, download and import models (the toxicity check's weights).",
    ),
    "incidents": (
        "smguard.cli.incidents:incidents",
        "Incidents: what went wrong on an account, and who is working on it.",
    ),
    "clarify": (
        "smguard.cli.clarify:clarify",
        "Public clarifications: draft from a template, edit, approve, record publication.",
    ),
    "audit": (
        "smguard.cli.audit:audit",
        "The audit log: who did what, when — hash-chained, so edits show.",
    ),
    "alerts": (
        "smguard.cli.alerts:alerts",
        "Alerts to Slack, Discord, Telegram and signed JSON webhooks (see docs/alerts.md).",
    ),
    "db": ("smguard.cli.db:db", "The database: apply migrations, see the schema revision."),
    "accounts": (
        "smguard.cli.accounts:accounts",
        "The organisation's social-media accounts: platform 2FA, recovery contacts, owners.",
    ),
    "admins": (
        "smguard.cli.admins:admins",
        "The people who author, approve and own accounts; departures.",
    ),
    "2fa": (
        "smguard.cli.twofa:twofa",
        "Admins' own two-factor authentication (TOTP) for approvals and vault codes.",
    ),
    "vault": (
        "smguard.cli.vault:vault",
        "The team vault: shared accounts' platform 2FA seeds; every code handed out is logged.",
    ),
    "keys": (
        "smguard.cli.security:keys",
        "The encryption key of stored TOTP seeds: status, rotation, a new key.",
    ),
    "approve": (
        "smguard.cli.security:approve",
        "Approve a held check (two-person rule): not its author, approver role, own TOTP.",
    ),
    "ingest": (
        "smguard.cli.watch:ingest",
        "Read an exported archive or feed (a zip, a folder or a file) into the activity log.",
    ),
    "watch": (
        "smguard.cli.watch:watch",
        "Poll the accounts' platforms for new activity and run the detectors on it.",
    ),
    "detectors": (
        "smguard.cli.detectors:detectors",
        "The account-watch detectors: what each catches, its false positives, how to tune it.",
    ),
    "report": (
        "smguard.cli.report:report",
        "The weekly or monthly report: what went out, what was held and why, what went wrong.",
    ),
    "demo": (
        "smguard.cli.demo:demo",
        "Fill an EMPTY database with demo data (account demo_kemcontoh) to try the reports on.",
    ),
    "calendar": (
        "smguard.cli.calendar:calendar",
        "The days that matter: holidays, national days, days of restraint; greetings; .ics.",
    ),
    "plan": ("smguard.cli.plan:plan", "Check a content plan before the week starts."),
    "serve": (
        "smguard.cli.serve:serve",
        "Serve the HTTP API and the review desk (docs/server.md).",
    ),
    "tokens": (
        "smguard.cli.serve:tokens",
        "API tokens of smguard serve: one per tool, with scopes (check, record, review, admin).",
    ),
    "schema": (
        "smguard.cli.schema:schema",
        "Print a JSON Schema: of smguard.toml (config), of an input post, or of a verdict.",
    ),
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
    """The root group: built-in commands load by name, plugins' commands on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands(ctx)
        return sorted(set(self.commands) | set(_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in _COMMANDS:
            command = _load(_COMMANDS[cmd_name][0])
            if isinstance(command, click.Group):
                for sub, target in _SUBCOMMANDS.get(cmd_name, {}).items():
                    command.add_command(_load(target), name=sub)
            self.add_command(command, name=cmd_name)
        if command is None:
            self._add_plugin_commands(ctx)
            command = self.commands.get(cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``smguard --help``, from the table: no command module loads."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None:
                command = click.Command(name, help=_COMMANDS[name][1])
            if not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in rows])

    def _add_plugin_commands(self, ctx: click.Context) -> None:
        """Let third-party plugins add their commands (once per run); built-in names stay ours."""
        root = ctx.find_root()
        if root.meta.get("smguard.plugin_commands"):
            return
        root.meta["smguard.plugin_commands"] = True
        from smguard.manager import DEFAULT_PLUGINS, get_plugin_manager

        try:
            pm = get_plugin_manager(disabled=DEFAULT_PLUGINS)
        except SmguardError as exc:
            raise Problem(str(exc)) from None
        builtin = {name: self.commands.pop(name) for name in _COMMANDS if name in self.commands}
        pm.hook.register_commands(cli=self)
        for name in _COMMANDS:
            self.commands.pop(name, None)
        self.commands.update(builtin)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _bad_usage(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _bad_usage(exc) from None
        except SmguardError as exc:
            if os.environ.get("SMGUARD_DEBUG"):
                raise
            raise Problem(str(exc)) from None


def _set_color(ctx: click.Context, param: click.Parameter, value: str) -> str:
    ctx.color = color_setting(value)
    return value


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
@click.option(
    "--color",
    type=click.Choice(COLOR_CHOICES),
    default="auto",
    show_default=True,
    is_eager=True,
    expose_value=False,
    callback=_set_color,
    help="Colour output: auto (on a terminal, unless NO_COLOR is set), always or never.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, lang: str | None) -> None:
    """smguard checks posts and replies before they go out under your organisation's name.

    \b
    Exit codes of `smguard check`: 0 allowed, 1 needs review, 2 blocked,
    3 bad input or configuration (also every usage error, of every command).
    Shell completion, --format json and every command's exit codes: docs/cli.md.
    """
    ctx.obj = State(config_path, lang)


def _add_commands() -> None:
    """Load every built-in command now (tests and documentation tools use this)."""
    ctx = click.Context(cli)
    for name in _COMMANDS:
        cli.get_command(ctx, name)


def main() -> None:
    global _OWN_PROCESS
    _OWN_PROCESS = True
    cli(prog_name="smguard")
