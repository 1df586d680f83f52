"""The conventions every command shares: usage errors exit 3, colour, the renamed commands,
shell completion, and a root command that starts without loading the others."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner, Result

from smguard.cli import main as cli_main
from smguard.cli.main import _add_commands, cli
from smguard.cli.style import color_setting
from tests.support.guards import write_pack

ROOT = Path(__file__).resolve().parent.parent.parent
CLI_DOC = ROOT / "docs" / "cli.md"
ESC = "\x1b["
PACK = """
languages: ['*']
rules:
  - id: SMG-XX-C-001
    name: kata-terlarang
    category: profanity
    severity: high
    message: {en: "Forbidden word"}
    why: {en: "It offends"}
    match: {terms: [terlarang]}
"""

Run = Callable[..., Result]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a smguard.toml and one rule pack; only the policy plugin loads."""
    write_pack(tmp_path / "packs", "p.yaml", PACK)
    (tmp_path / "smguard.toml").write_text('[rules]\npaths = ["packs"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", "policy")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


@pytest.fixture
def run(folder: Path) -> Run:
    """Run the CLI in-process; ``terminal=True`` makes click treat the output as a terminal."""
    _add_commands()

    def invoke(*args: str, terminal: bool = False, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), color=terminal, input=input)

    return invoke


ENTRY = "import sys; from smguard.cli.main import main; sys.argv[0] = 'smguard'; main()"


def smguard(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point in a fresh interpreter, as a shell would run it."""
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        timeout=120,
        check=False,
    )


# -- usage errors exit 3 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "--bogus", "hi"), "No such option '--bogus'"),
        (("check", "--kind", "tweet", "hi"), "Invalid value for '--kind'"),
        (("check", "--formt", "json", "hi"), "Did you mean '--format'?"),
        (("--lang", "xx", "check", "hi"), "Invalid value for '--lang'"),
        (("--color", "sometimes", "check", "hi"), "Invalid value for '--color'"),
        (("rules", "show"), "Missing argument 'RULE_ID'"),
        (("rules", "list", "--format", "yaml"), "Invalid value for '--format'"),
        (("incidents", "resolve", "1"), "Missing option '--reason'"),
        (("incidents", "show", "one"), "'one' is not a valid integer"),
        (("audit", "verify", "--verbose"), "No such option '--verbose'"),
        (("admins", "grant", "ayu", "boss"), "'boss' is not one of 'author'"),
        (("watch", "--interval", "0"), "Invalid value for '--interval'"),
        (("alerts", "retry"), "name the alert numbers to retry"),
        (("nosuchcommand",), "No such command 'nosuchcommand'"),
        (("db", "nosuchcommand"), "No such command 'nosuchcommand'"),
    ],
)
def test_a_usage_error_exits_3_never_2(run: Run, args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert result.stderr.startswith("Usage: ") and "--help' for help." in result.stderr


def test_a_usage_error_from_the_real_entry_point(folder: Path) -> None:
    proc = smguard("check", "--format", "yaml", "Terima kasih")
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert "Error: Invalid value for '--format'" in proc.stderr and "Traceback" not in proc.stderr


def test_a_group_without_its_command_shows_help_and_exits_3(run: Run) -> None:
    result = run("incidents")
    assert result.exit_code == 3 and result.stdout == ""
    assert "Commands:" in result.stderr and "resolve" in result.stderr


# -- colour --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "environ", "expected"),
    [
        ("auto", {}, None),  # click decides: a terminal only
        ("auto", {"NO_COLOR": "1"}, False),
        ("auto", {"NO_COLOR": ""}, None),  # empty means unset (no-color.org)
        ("auto", {"FORCE_COLOR": "1"}, True),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ("always", {"NO_COLOR": "1"}, True),  # a flag typed for this run wins
        ("never", {"FORCE_COLOR": "1"}, False),
    ],
)
def test_color_setting(choice: str, environ: dict[str, str], expected: bool | None) -> None:
    assert color_setting(choice, environ) is expected


def test_output_to_a_pipe_or_file_has_no_colour(run: Run) -> None:
    result = run("check", "ini terlarang")
    assert result.exit_code == 2
    assert "BLOCKED" in result.output and ESC not in result.output


def test_a_terminal_gets_colour_unless_no_color(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ESC in run("check", "ini terlarang", terminal=True).output
    monkeypatch.setenv("NO_COLOR", "1")
    plain = run("check", "ini terlarang", terminal=True)
    assert "BLOCKED" in plain.output and ESC not in plain.output
    assert ESC in run("--color", "always", "check", "ini terlarang").output


def test_color_never_and_force_color(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ESC not in run("--color", "never", "check", "ini terlarang", terminal=True).output
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC in run("check", "ini terlarang").output
    assert ESC not in run("--color", "never", "check", "ini terlarang").output


def test_colour_in_a_real_pipe_and_a_real_terminal(folder: Path) -> None:
    piped = smguard("check", "ini terlarang")
    assert piped.returncode == 2 and "BLOCKED" in piped.stdout and ESC not in piped.stdout
    forced = smguard("--color", "always", "check", "ini terlarang")
    assert f"{ESC}31m" in forced.stdout or f"{ESC}1m" in forced.stdout
    if sys.platform == "win32":  # pragma: no cover
        return
    assert ESC in _on_a_terminal({})
    assert ESC not in _on_a_terminal({"NO_COLOR": "1"})


def _on_a_terminal(extra_env: dict[str, str]) -> str:
    """What `smguard check` writes to a pseudo-terminal."""
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", ENTRY, "check", "ini terlarang"],
            stdout=follower,
            env={**os.environ, "PYTHONIOENCODING": "utf-8", **extra_env},
            timeout=120,
            check=False,
        )
        assert proc.returncode == 2
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed and empty
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return b"".join(chunks).decode("utf-8")


def test_only_the_style_module_styles_output() -> None:
    styled = []
    for path in (ROOT / "smguard").rglob("*.py"):
        if path.name == "style.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(click\.style|click\.secho|\bsecho)\(", text):
            styled.append(str(path.relative_to(ROOT)))
    assert styled == [], "style output through smguard.cli.style, not click.style"


# -- renamed commands ----------------------------------------------------------------------------


def test_plugins_list_and_its_old_spelling(run: Run) -> None:
    new = run("plugins", "list", "--format", "json")
    old = run("plugins", "--format", "json")
    assert new.exit_code == old.exit_code == 0
    assert json.loads(old.stdout) == json.loads(new.stdout)
    assert new.stderr == ""
    (notice,) = old.stderr.splitlines()
    assert "`cli plugins --format json` is deprecated" in notice
    assert "use `cli plugins list --format json`" in notice
    bare = run("plugins")
    assert bare.exit_code == 0 and "policy" in bare.stdout and "plugins list" in bare.stderr


@pytest.mark.parametrize(
    ("group", "old", "new"), [("admins", "depart", "remove"), ("db", "current", "status")]
)
def test_old_names_are_hidden(run: Run, group: str, old: str, new: str) -> None:
    listed = run(group, "--help").stdout
    assert re.search(rf"^  {new}\b", listed, re.MULTILINE)
    assert not re.search(rf"^  {old}\b", listed, re.MULTILINE)
    assert new in _complete([group], "")
    assert old not in _complete([group], "")


def test_old_names_say_what_to_type_in_the_users_language(run: Run) -> None:
    result = run("--lang", "id", "admins", "depart", "--help")
    assert result.exit_code == 0
    assert "Usage: cli admins remove" in result.stdout
    assert "`cli admins depart` usang" in result.stderr and "`cli admins remove`" in result.stderr


def test_every_command_and_renamed_name_is_in_the_cli_doc() -> None:
    doc = CLI_DOC.read_text(encoding="utf-8")
    missing = [
        " ".join(path) for path in _command_paths() if f"`smguard {' '.join(path)}" not in doc
    ]
    assert missing == [], f"docs/cli.md does not name: {missing}"
    for old in ("smguard plugins [--format json]", "smguard admins depart", "smguard db current",
                "--by NAME", "--from-file"):  # fmt: skip
        assert old in doc


def _command_paths() -> Iterator[tuple[str, ...]]:
    _add_commands()
    root = click.Context(cli, info_name="smguard")

    def walk(
        group: click.Group, ctx: click.Context, path: tuple[str, ...]
    ) -> Iterator[tuple[str, ...]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            if isinstance(command, click.Group):
                yield from walk(
                    command, click.Context(command, parent=ctx, info_name=name), (*path, name)
                )
            else:
                yield (*path, name)

    yield from walk(cli, root, ())


# -- shell completion ----------------------------------------------------------------------------


def _complete(args: list[str], incomplete: str) -> list[str]:
    _add_commands()
    completion = ShellComplete(cli, {}, "smguard", "_SMGUARD_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


def test_completion_offers_commands_and_options() -> None:
    assert _complete([], "inc") == ["incidents"]
    assert "ack" in _complete(["incidents"], "")
    assert _complete(["check", "--format"], "") == ["text", "json"]


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "_smguard_completion"),
        ("zsh", "#compdef smguard"),
        ("fish", "complete --no-files --command smguard"),
    ],
)
def test_the_completion_script_is_produced(shell: str, marker: str) -> None:
    proc = smguard(env={"_SMGUARD_COMPLETE": f"{shell}_source"})
    assert proc.returncode == 0, proc.stderr
    assert marker in proc.stdout and "_SMGUARD_COMPLETE" in proc.stdout


def test_the_shell_completes_smguard_inc_to_incidents() -> None:
    env = {"_SMGUARD_COMPLETE": "bash_complete", "COMP_WORDS": "smguard inc", "COMP_CWORD": "1"}
    proc = smguard(env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["plain,incidents"]


# -- start-up: the root loads nothing it does not need -------------------------------------------


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_load_no_command_plugin_or_database(flag: str, tmp_path: Path) -> None:
    out = tmp_path / "modules.json"
    code = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: open({str(out)!r}, 'w').write(json.dumps(sorted(sys.modules))))\n"
        "from smguard.cli.main import main\n"
        f"sys.argv = ['smguard', {flag!r}]\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "incidents" in proc.stdout or "version" in proc.stdout
    loaded = json.loads(out.read_text())
    unwanted = [
        m
        for m in loaded
        if m.startswith(("smguard.plugins", "smguard.guard", "smguard.records", "sqlalchemy",
                         "smguard.config", "smguard.watch", "smguard.security", "smguard.toxicity"))
        or (m.startswith("smguard.cli.") and m not in {"smguard.cli.main", "smguard.cli.style"})
    ]  # fmt: skip
    assert unwanted == []


def test_the_root_help_lists_each_command_with_its_own_help() -> None:
    _add_commands()
    for name, (target, help_text) in cli_main._COMMANDS.items():
        command = cli.commands[name]
        stand_in = click.Command(name, help=help_text)
        for limit in (45, 60, 200):
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), name
        assert target.endswith(":" + command.callback.__name__)  # type: ignore[union-attr]


def test_no_built_in_plugin_adds_commands() -> None:
    """Why only entry-point plugins are asked for commands (smguard.cli.main)."""
    import importlib

    from smguard.manager import DEFAULT_PLUGINS

    for name in DEFAULT_PLUGINS:
        module = importlib.import_module(f"smguard.plugins.{name}")
        assert not hasattr(module, "register_commands"), name


HELLO_PLUGIN = '''
import click

from smguard import hookimpl


@hookimpl
def register_commands(cli):
    @cli.command()
    def hello():
        """Say hello from a plugin."""
        click.echo("hello from a plugin")

    @cli.command()
    def check():
        """A plugin cannot take a built-in command's name."""
        click.echo("not the real check")
'''


def test_an_installed_plugin_adds_a_command(folder: Path) -> None:
    site = folder / "site"
    site.mkdir()
    (site / "smguard_hello.py").write_text(HELLO_PLUGIN, encoding="utf-8")
    info = site / "smguard_hello-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: smguard-hello\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[smguard]\nhello = smguard_hello\n", encoding="utf-8")
    env = {"PYTHONPATH": str(site), "SMGUARD_LOAD_PLUGINS": "policy,hello"}

    said = smguard("hello", env=env)
    assert said.returncode == 0 and said.stdout == "hello from a plugin\n", said.stderr
    listed = smguard("--help", env=env)
    assert re.search(r"^  hello\s+Say hello from a plugin\.", listed.stdout, re.MULTILINE)
    checked = smguard("check", "ini terlarang", env=env)
    assert checked.returncode == 2 and "BLOCKED" in checked.stdout

    # Plugins load only when needed: a broken one does not stop --version, and it is named
    # (one line, exit 3) when the command list is wanted.
    (site / "smguard_hello.py").write_text("import not_installed_anywhere\n", encoding="utf-8")
    assert smguard("--version", env=env).returncode == 0
    broken = smguard("--help", env=env)
    assert broken.returncode == 3 and broken.stdout == ""
    assert broken.stderr.startswith("Error: plugin 'hello' (smguard-hello) failed to load")
