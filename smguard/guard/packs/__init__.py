"""Rule packs: declarative YAML rules, validated at load, matched through one shared index.

A pack file (see ``docs/rule-packs.md`` for the full reference)::

    pack: smguard-id-profanity
    languages: [id]              # default for the pack's rules
    slang: {gw: gue, lo: lu}     # optional: slang spellings → the words the rules use
    rules:
      - id: SMG-ID-PROF-001
        name: umpatan-kasar
        category: profanity
        severity: medium
        message: {en: "...", id: "..."}
        why: {en: "...", id: "..."}
        suggestion: {en: "...", id: "..."}
        match:
          terms: [bangsat, bajingan]
          near: {words: [dasar, lu], window: 2}
        examples:
          bad: ["dasar bangsat lu"]
          good: ["bangsawan"]

A malformed pack raises :class:`~smguard.errors.RulePackError` naming the file, the rule id and
the problem; it is never skipped silently. Regexes use RE2 (linear time), so a user's pattern
cannot hang the guard.

Modules: :mod:`.rule` (a pack rule and its context matching), :mod:`.index` (the loaded pack set
and the lexicon index over its rules), :mod:`.load` (pack files), :mod:`.validate` (one rule),
:mod:`.yaml_loader` (YAML that refuses duplicate keys). The names below are the public API.

May import: the rest of :mod:`smguard.guard`, :mod:`smguard.types` and :mod:`smguard.errors`.
"""

from __future__ import annotations

from smguard.guard.packs.index import LexiconIndex, PackSet
from smguard.guard.packs.load import load_pack_file, load_packs
from smguard.guard.packs.rule import PackRule

__all__ = ["LexiconIndex", "PackRule", "PackSet", "load_pack_file", "load_packs"]
