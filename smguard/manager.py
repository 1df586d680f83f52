"""The plugin manager: built-in plugins, third-party ones from the ``smguard`` entry-point group.

Which plugins load:

* ``DEFAULT_PLUGINS`` (modules under ``smguard.plugins``) and every distribution that declares
  ``[project.entry-points.smguard]``;
* minus those named in ``[plugins] disable = [...]`` or ``SMGUARD_DISABLE_PLUGINS=a,b``;
* ``SMGUARD_LOAD_PLUGINS=a,b`` loads *only* the named plugins (built-in short names or entry-point
  names); an empty value loads none, which tests and locked-down deployments use.

``SMGUARD_TRACE_PLUGINS=1`` prints every hook call to stderr.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

import pluggy

from smguard import hookspecs
from smguard._version import __version__
from smguard.errors import PluginError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

__all__ = ["DEFAULT_PLUGINS", "PluginInfo", "get_plugin_manager", "installed_plugins"]

ENTRY_POINT_GROUP = "smguard"

#: Built-in plugins, by short name, in registration order.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "packs",
    "links",
    "pii",
    "secrets",
    "spam",
    "tone",
    "hate",
    "timing",
    "toxicity",
    "webhooks",
    "connectors",
    "detectors",
    "policy",
)


#: Entry-point name → version of the distribution that provides it.
_DISTS: dict[str, str] = {}
#: The group's entry points, by ``sys.path``: reading every installed distribution's metadata
#: costs milliseconds, and one command may build more than one plugin manager.
_ENTRY_POINTS: dict[tuple[str, ...], tuple[EntryPoint, ...]] = {}


def _entry_points() -> tuple[EntryPoint, ...]:
    key = tuple(sys.path)
    if key not in _ENTRY_POINTS:
        if _group_surely_empty():
            _ENTRY_POINTS[key] = ()
        else:
            from importlib.metadata import entry_points

            _ENTRY_POINTS[key] = tuple(entry_points(group=ENTRY_POINT_GROUP))
    return _ENTRY_POINTS[key]


def _group_surely_empty() -> bool:
    """Whether no distribution on ``sys.path`` can declare the ``smguard`` group.

    Importing :mod:`importlib.metadata` and reading every distribution's metadata costs a cold
    start tens of milliseconds, and most installations have no third-party plugin. So the
    ``entry_points.txt`` files of the ``*.dist-info`` and ``*.egg-info`` folders are read first,
    the way :mod:`importlib.metadata` finds them; only when one has a ``[smguard]`` section, or
    when distributions may come from where this cannot look (a zip or egg on ``sys.path``,
    another finder of distributions), does :mod:`importlib.metadata` do the real work.
    """
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and getattr(finder, "find_distributions", None) is not None:
            return False
    header = f"[{ENTRY_POINT_GROUP}]"
    for entry in sys.path:
        root = entry or "."
        if root.lower().endswith(".egg"):
            return False
        try:
            names = os.listdir(root)
        except NotADirectoryError:
            return False  # a zip archive of packages may hold distributions
        except OSError:
            continue  # a missing folder holds none (importlib.metadata skips it too)
        for name in names:
            if not name.lower().endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(root, name, "entry_points.txt"), encoding="utf-8") as fh:
                    text = fh.read()
            except (FileNotFoundError, NotADirectoryError):
                continue
            except (OSError, UnicodeDecodeError):
                return False  # importlib.metadata will say what is wrong with it
            if header in text and any(line.strip() == header for line in text.splitlines()):
                return False
    return True


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    builtin: bool
    module: str


def _wanted(name: str, only: set[str] | None, disabled: Iterable[str]) -> bool:
    if name in set(disabled):
        return False
    return only is None or name in only


def get_plugin_manager(disabled: Iterable[str] = ()) -> pluggy.PluginManager:
    """Build a plugin manager with the built-ins and installed third-party plugins."""
    disabled = set(disabled)
    env_disabled = os.environ.get("SMGUARD_DISABLE_PLUGINS", "")
    disabled |= {p.strip() for p in env_disabled.split(",") if p.strip()}
    only: set[str] | None = None
    if "SMGUARD_LOAD_PLUGINS" in os.environ:
        only = {p.strip() for p in os.environ["SMGUARD_LOAD_PLUGINS"].split(",") if p.strip()}

    pm = pluggy.PluginManager("smguard")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        if not _wanted(name, only, disabled):
            continue
        try:
            module = importlib.import_module(f"smguard.plugins.{name}")
        except ImportError as exc:
            raise PluginError(
                f"built-in plugin {name!r} failed to load: {exc} (is smguard fully installed?)"
            ) from exc
        pm.register(module, name=name)
    for ep in _entry_points():
        if not _wanted(ep.name, only, disabled) or pm.get_plugin(ep.name) is not None:
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken third-party plugin must say who it is
            dist = ep.dist.name if ep.dist else ep.value
            raise PluginError(f"plugin {ep.name!r} ({dist}) failed to load: {exc}") from exc
        pm.register(plugin, name=ep.name)
        if ep.dist is not None:
            _DISTS[ep.name] = ep.dist.version
    if os.environ.get("SMGUARD_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda msg: sys.stderr.write(msg))
        pm.enable_tracing()
    return pm


def installed_plugins() -> frozenset[str]:
    """Names of every plugin installed, loaded or not: the built-ins and the entry points."""
    return frozenset(DEFAULT_PLUGINS) | {ep.name for ep in _entry_points()}


def plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Name, version and origin of every registered plugin."""
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__name__
        builtin = module.startswith("smguard.plugins.")
        version = __version__ if builtin else _DISTS.get(name, "?")
        infos.append(PluginInfo(name=name, version=version, builtin=builtin, module=module))
    return infos
