"""The tables plugins declare, checked where a plugin manager meets the configuration.

A plugin declares the schema of its ``[plugins.NAME]`` table, and of the options of the alert
sink types it adds, through the ``register_settings`` hook (:func:`declared_settings`).
:func:`check_settings` converts every such table of a loaded configuration with its schema, so
that a mistake stops smguard at start-up with one line naming the file and the key. The guard
(``Guard()``), the records store (``Store.pm``) and the CLI call it when they get their plugin
manager; the typed tables are kept on the configuration (:meth:`Config.plugin_settings`). This
lives here rather than in :mod:`smguard.manager`, which sits below the configuration in the
layers and so cannot convert its tables.

A ``[plugins.NAME]`` table for a plugin that is not installed is an error (a typo such as
``[plugins.link]`` must not be silently ignored); one for a plugin that is installed but not
loaded (disabled) is left alone, and so is any table when a plugin was registered by hand (a test,
a program embedding smguard), as that plugin may read it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from smguard.config.alerts import sink_options
from smguard.config.schema import Table
from smguard.errors import ConfigError, PluginError
from smguard.manager import installed_plugins

if TYPE_CHECKING:
    import pluggy

    from smguard.config.loader import Config

__all__ = ["DeclaredSettings", "check_settings", "declared_settings"]


class DeclaredSettings(NamedTuple):
    """What the loaded plugins declared: plugin name → table, sink type → options table."""

    plugins: Mapping[str, type[Table]]
    sink_options: Mapping[str, type[Table]]


def declared_settings(pm: pluggy.PluginManager) -> DeclaredSettings:
    """Call ``register_settings`` on every plugin of ``pm``."""
    plugins: dict[str, type[Table]] = {}
    sinks: dict[str, type[Table]] = {}

    def adder(found: dict[str, type[Table]], what: str) -> Callable[[str, Any], None]:
        def add(name: str, table: Any) -> None:
            if not isinstance(name, str) or not name:
                raise PluginError(f"register_settings got {name!r} as the name of {what}")
            if not (isinstance(table, type) and issubclass(table, Table)):
                raise PluginError(
                    f"register_settings got {table!r} for {what} {name!r}, which is not a "
                    "smguard.config.schema.Table"
                )
            if found.get(name, table) is not table:
                raise PluginError(f"two plugins declare the settings of {what} {name!r}")
            found[name] = table

        return add

    pm.hook.register_settings(
        register=adder(plugins, "plugin"),
        register_sink_options=adder(sinks, "alert sink type"),
    )
    return DeclaredSettings(plugins=plugins, sink_options=sinks)


def check_settings(pm: pluggy.PluginManager, config: Config) -> DeclaredSettings:
    """Check the plugins' tables of ``config`` against what the plugins of ``pm`` declare."""
    declared = declared_settings(pm)
    try:
        _check(pm, config, declared)
    except ConfigError as exc:
        raise ConfigError(f"{config.source}: {exc}") from None
    return declared


def _check(pm: pluggy.PluginManager, config: Config, declared: DeclaredSettings) -> None:
    known: tuple[frozenset[str], bool, bool] | None = None  # read when needed: a scan of metadata
    for name in config.plugin_options:
        table = declared.plugins.get(name)
        if table is not None:
            config.plugin_settings(name, table)
        elif pm.get_plugin(name) is None:
            installed, all_named, _ = known = known or _plugins(pm)
            if all_named and name not in installed:
                raise ConfigError(f"plugins.{name}: {_not_installed(name, installed)}")
    for name, sink in config.alerts.sinks.items():
        options = declared.sink_options.get(sink.type)
        if options is not None:
            sink_options(name, sink, options)
            continue
        _, all_named, all_loaded = known = known or _plugins(pm)
        if all_named and all_loaded:  # else a plugin not loaded here may add the type
            known_types = ", ".join(sorted(declared.sink_options)) or "none"
            raise ConfigError(f"alerts.sinks.{name}.type: must be one of {known_types}")


def _plugins(pm: pluggy.PluginManager) -> tuple[frozenset[str], bool, bool]:
    """The plugins installed, loaded or not; whether every loaded one is among them (a plugin
    registered by hand, by a test or a program, may read any table); whether all are loaded."""
    installed = installed_plugins()
    loaded = frozenset(name for name, plugin in pm.list_name_plugin() if plugin is not None)
    return installed | loaded, loaded <= installed, installed <= loaded


def _not_installed(name: str, installed: frozenset[str]) -> str:
    import difflib  # only on this error's path: smguard starts without it

    guess = difflib.get_close_matches(name, sorted(installed), n=1)
    hint = f"; did you mean [plugins.{guess[0]}]?" if guess else ""
    listed = ", ".join(sorted(installed))
    return f"no plugin named {name!r} is installed (installed: {listed}){hint}"
