"""Guards built from chosen plugins and packs, and packs written on the fly."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pluggy

from smguard import hookspecs
from smguard.config import Config
from smguard.guard.engine import Guard


def plugin_manager(plugins: Iterable[Any] = ()) -> pluggy.PluginManager:
    """A plugin manager holding only ``plugins`` plus the default policy."""
    from smguard.plugins import policy

    pm = pluggy.PluginManager("smguard")
    pm.add_hookspecs(hookspecs)
    for n, plugin in enumerate(plugins):
        pm.register(plugin, name=f"test-plugin-{n}")
    pm.register(policy, name="policy")
    return pm


def make_guard(
    plugins: Iterable[Any] = (),
    packs: Iterable[Path] = (),
    config: dict[str, Any] | None = None,
) -> Guard:
    cfg = Config.from_dict(config or {})
    if packs:
        from dataclasses import replace

        cfg = replace(cfg, rule_paths=tuple(packs))
    return Guard(cfg, plugin_manager(plugins))


def write_pack(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
