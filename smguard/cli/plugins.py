"""``smguard plugins list``: what is loaded, which version, and what each plugin registered.

``smguard plugins`` on its own (the command's name before it became a group, like every other
group's ``list``) still lists them for one more release, with a notice on stderr.
"""

from __future__ import annotations

import json
from typing import Any

import click

from smguard.cli import style
from smguard.cli.deprecated import say_renamed
from smguard.cli.main import State
from smguard.cli.output import FORMATS, format_option
from smguard.manager import plugin_infos


def registrations(pm: Any, config: Any) -> dict[str, dict[str, list[str]]]:
    """Call each plugin's registration hooks on its own, to attribute what it registered."""
    out: dict[str, dict[str, list[str]]] = {}
    for hook_name, key in (
        ("register_rules", "rules"),
        ("register_rule_packs", "packs"),
        ("register_connectors", "connectors"),
        ("register_detectors", "detectors"),
        ("register_alert_sinks", "alert_sinks"),
    ):
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            got: list[str] = []

            def register(obj: Any, got: list[str] = got) -> None:
                got.append(str(getattr(obj, "id", None) or getattr(obj, "name", None) or obj))

            kwargs: dict[str, Any] = {"register": register}
            if hook_name == "register_rules":
                kwargs["config"] = config
            impl.function(**kwargs)
            if got:
                out.setdefault(impl.plugin_name, {})[key] = got
    return out


@click.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), hidden=True)
@click.pass_context
def plugins(ctx: click.Context, fmt: str | None) -> None:
    """Loaded plugins: their versions and what each registered.

    \b
    smguard plugins list
    smguard plugins list --format json
    """
    if ctx.invoked_subcommand is None:
        given = f" --format {fmt}" if fmt else ""
        say_renamed(ctx, f"{ctx.command_path}{given}", f"{ctx.command_path} list{given}")
        ctx.invoke(list_plugins, fmt=fmt or "text")


@plugins.command("list")
@format_option()
@click.pass_obj
def list_plugins(state: State, fmt: str) -> None:
    """List loaded plugins with their versions and what each registered."""
    guard = state.guard()
    regs = registrations(guard.pm, guard.config)
    pack_rules: dict[str, int] = {}
    for rule in guard.packs.rules:
        pack_rules[rule.source] = pack_rules.get(rule.source, 0) + 1
    rows: list[dict[str, Any]] = []
    for info in plugin_infos(guard.pm):
        reg = regs.get(info.name, {})
        rows.append(
            {
                "name": info.name,
                "version": info.version,
                "builtin": info.builtin,
                "module": info.module,
                "hooks": sorted(
                    impl.name
                    for impl in guard.pm.get_hookcallers(guard.pm.get_plugin(info.name)) or []
                ),
                **reg,
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        origin = "built-in" if row["builtin"] else "third-party"
        click.echo(style.bold(f"{row['name']} {row['version']}") + f"  ({origin})")
        for key in ("rules", "packs", "connectors", "detectors", "alert_sinks"):
            items = row.get(key)
            if items:
                shown = ", ".join(items[:8]) + (
                    f", … ({len(items)} in all)" if len(items) > 8 else ""
                )
                click.echo(f"    {key}: {shown}")
        if not any(row.get(k) for k in ("rules", "packs")):
            click.echo(f"    hooks: {', '.join(row['hooks'])}")
