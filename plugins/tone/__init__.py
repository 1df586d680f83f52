"""Tone of replies: no shouting, no exasperated punctuation, no curt answer to a complaint.

Three code rules, registered through ``register_rules``; blaming and condescending *phrases* live
in the rule packs ``rules/en/tone.yaml`` and ``rules/id/tone.yaml``.

* ``SMG-TONE-001`` shouting: most letters in capitals, or several capitalised words in a row.
* ``SMG-TONE-002`` punctuation runs: ``!!!``, ``???``, ``?!?!``.
* ``SMG-TONE-003`` no courtesy: the follower complains and the reply has no greeting or address,
  no apology, no thanks, no offer of help (``courtesy.py`` scores it; soft signs such as
  "please", the follower's @handle and a sign-off like ``^AB`` count when two come together).

By default they look at replies, comments and direct messages only (``[plugins.tone] kinds``):
a public announcement with a capitalised headline ("PENGUMUMAN") is a house-style choice, while
capitals aimed at one follower read as shouting at them. Options, all optional::

    [plugins.tone]
    caps_ratio = 0.6            # share of capital letters that counts as shouting
    min_letters = 12            # shorter replies are never "shouting"
    caps_run = 3                # this many capitalised words in a row is shouting too
    punctuation_run = 3         # "!!!" and longer
    acronyms = ["BSI", "KJP"]   # added to the built-in list (BPJS, KTP, NIK, OTP, ...)
    complaint_words = ["nyangkut"]   # added to the built-in complaint markers
    courtesy_words = ["Sobat Pajak"] # added to the built-in greetings, apologies and thanks
    sign_off_marks = "^*~/-"    # characters that start a sign-off ("^AB", "-Tim CS")
    kinds = ["reply", "comment", "dm"]

See ``docs/tone-and-timing.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from smguard import hookimpl
from smguard.config import Config
from smguard.config.schema import Table
from smguard.guard.rule import Rule

from .rules import make_rules
from .settings import ToneTable, tone_options

__all__ = ["register_rules", "register_settings"]

PLUGIN = "tone"


@hookimpl
def register_settings(register: Callable[[str, type[Table]], None]) -> None:
    register(PLUGIN, ToneTable)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    for rule in make_rules(tone_options(config.plugin_settings(PLUGIN, ToneTable))):
        register(rule)
