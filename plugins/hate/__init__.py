"""Hate and SARA by structure: a group word next to an attack word, unless the post condemns it.

Five code rules, one per sub-target, registered through ``register_rules``:

* ``SMG-XX-SARA-101`` a religion or its followers;
* ``SMG-XX-SARA-102`` an ethnic group, race or nationality;
* ``SMG-XX-SARA-103`` women, men, gay or transgender people;
* ``SMG-XX-SARA-104`` disabled people or people's bodies;
* ``SMG-XX-SARA-105`` a political or ideological group (SARA's "antargolongan").

The words are data, in ``rules/hate/structure.yaml``; an organisation adds its own or removes
built-in ones with files of the same shape::

    [plugins.hate]
    vocabulary = ["hate-local.yaml"]   # merged after the built-in file, in order
    window = 4                         # words allowed between the group and the attack word

See ``docs/hate-rule.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from smguard import hookimpl
from smguard.config import Config
from smguard.config.schema import Table
from smguard.guard.rule import Rule

from .rules import make_rules
from .settings import HateTable, vocabulary_files
from .vocabulary import load_vocabulary

__all__ = ["register_rules", "register_settings"]

PLUGIN = "hate"


@hookimpl
def register_settings(register: Callable[[str, type[Table]], None]) -> None:
    register(PLUGIN, HateTable)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    table = config.plugin_settings(PLUGIN, HateTable)
    vocab = load_vocabulary(vocabulary_files(table), table.window)
    for rule in make_rules(vocab):
        register(rule)
