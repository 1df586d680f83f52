"""Toxicity with detoxify: a machine-learning second opinion next to the word lists.

One batched rule, ``SMG-TOX-001``, scores every post with a detoxify model and reports each
label over its threshold as a finding in smguard's own categories:

    toxicity, severe_toxicity -> toxicity      insult, threat -> harassment
    identity_attack           -> hate          obscene        -> profanity
    sexual_explicit           -> sexual

This module holds the hook; behind it:

- :mod:`.rule`      the rule: which model and engine score a post, batching, findings
- :mod:`.labels`    how each label becomes a finding (category, severity, threshold, wording)
- :mod:`.scoring`   overlapping windows over long posts; the model's scores as lists
- :mod:`.settings`  ``[plugins.toxicity]``: its table and what the rule reads

Nothing heavy is imported here: torch, transformers and detoxify load at the first check, so
``smguard --help`` and rules-only checks stay fast. Settings live in ``[plugins.toxicity]``
(see ``docs/toxicity.md``); weights come from the model store (:mod:`smguard.toxicity`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from smguard import hookimpl
from smguard.guard.rule import Rule

from .rule import ToxicityRule
from .settings import PLUGIN, ToxicityTable, toxicity_settings

if TYPE_CHECKING:
    from smguard.config import Config
    from smguard.config.schema import Table

__all__ = ["register_rules", "register_settings"]


@hookimpl
def register_settings(register: Callable[[str, type[Table]], None]) -> None:
    register(PLUGIN, ToxicityTable)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    settings = toxicity_settings(config.plugin_settings(PLUGIN, ToxicityTable))
    if settings.mode == "off":
        return
    register(ToxicityRule.create(settings))
