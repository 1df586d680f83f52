"""Shared fixtures: a clean environment and guards built from chosen plugins and packs."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pluggy
import pytest

from smguard import hookspecs
from smguard.config import Config
from smguard.engine import Guard


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own smguard settings."""
    for name in list(os.environ):
        if name.startswith("SMGUARD_"):
            monkeypatch.delenv(name)


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
