"""Registers smguard's built-in rule packs (``rules/common``, ``rules/en``, ``rules/id``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smguard import hookimpl


def _rules_dir() -> Path:
    # Installed: smguard/rules next to smguard/plugins; editable: the repo's rules/ folder.
    import smguard.rules

    return Path(smguard.rules.__file__).resolve().parent


@hookimpl
def register_rule_packs(register: Callable[[str], None]) -> None:
    base = _rules_dir()
    for sub in ("common", "en", "id"):
        folder = base / sub
        if folder.is_dir():
            register(str(folder))
