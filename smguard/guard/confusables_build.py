"""Build :mod:`smguard.guard._confusables_data` from Unicode's confusables data (UTS #39).

    pip install -e ".[test]"      # brings confusable-homoglyphs, which ships the data
    python -m smguard.guard.confusables_build --output smguard/guard/_confusables_data.py

The data comes from the ``confusable-homoglyphs`` package (MIT), which ships Unicode's
``confusables.txt`` as JSON, pairs in both directions. smguard never imports that package at run
time: loading its JSON costs about 200 ms, so the table is generated once into a small module of
the package (a few kilobytes, loaded in well under a millisecond). The test suite regenerates it
and fails when the committed module is out of date with the installed package.

What the table keeps. Two characters are confusable when they have the same prototype in
``confusables.txt`` (each line maps one character to its prototype, so the pairs form stars
around the prototypes). A character goes in the table when its star holds a basic Latin letter
or digit, and it is:

* a letter or number (not a symbol or mark: ``©`` stays ``©``, not ``c``);
* not ASCII, and without a compatibility decomposition: fullwidth ``ａ``, mathematical ``𝐚``
  and ``𝚨`` are NFKD's job, done by both users of the table before they look a letter up;
* looked up lower-cased or case-folded, since that is how both users look a letter up (for
  Cherokee the two differ). A capital that looks Latin while its small letter does not (``В``
  and ``в``) gives the small letter an entry in ``OTHER_CASE``, which
  :mod:`smguard.guard.confusables` ranks below its own additions;
* of a script that disguises Latin text — Latin's own phonetic and rare letters, Greek, Coptic,
  Cyrillic, Armenian, Cherokee, Canadian syllabics, Lisu and the common characters. Letters of
  scripts that people write every day in smguard's region or right to left (Arabic ``ا`` looks
  like ``l``, Myanmar ``ဝ`` like ``o``) are left out, so that their genuine text is not read as
  Latin.

A star whose prototype is a multi-letter sequence maps to the single letter with that
prototype (``rn`` → ``m``). Marks on a prototype are dropped (``ł`` → ``l̸`` → ``l``).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path

__all__ = ["COMMAND", "build_table", "main", "render_module"]

COMMAND = "python -m smguard.guard.confusables_build --output smguard/guard/_confusables_data.py"
PACKAGE = "confusable-homoglyphs"

#: Scripts whose letters are used to disguise Latin text (ISO 15924 names, as the package
#: spells them).
SCRIPTS = frozenset({
    "LATIN", "COMMON", "INHERITED", "GREEK", "COPTIC", "CYRILLIC", "ARMENIAN", "CHEROKEE",
    "CANADIAN_ABORIGINAL", "LISU",
})  # fmt: skip

_DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f")
_PER_LINE = 40


def _fold(text: str) -> str:
    """NFKD without marks, case-folded: how smguard compares letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _stars(pairs: Mapping[str, Iterable[Mapping[str, str]]]) -> list[tuple[str, set[str]]]:
    """The groups of mutually confusable strings, each with its prototype: the string that the
    others map to, so the one linked to most (a pair of two is its own prototype either way)."""
    linked: dict[str, set[str]] = defaultdict(set)
    for key, entries in pairs.items():
        a = key.translate(_DIRECTION_MARKS)
        for entry in entries:
            b = entry["c"].translate(_DIRECTION_MARKS)
            linked[a].add(b)
            linked[b].add(a)
    seen: set[str] = set()
    stars: list[tuple[str, set[str]]] = []
    for start in sorted(linked):
        if start in seen:
            continue
        group = {start}
        todo = [start]
        while todo:
            for other in linked[todo.pop()]:
                if other not in group:
                    group.add(other)
                    todo.append(other)
        seen |= group
        stars.append((max(sorted(group), key=lambda s: len(linked[s])), group))
    return stars


def build_table(
    pairs: Mapping[str, Iterable[Mapping[str, str]]],
    script_of: Callable[[str], str],
    category_of: Callable[[str], str],
) -> tuple[dict[str, str], dict[str, str]]:
    """``{character: Latin letter or digit}`` from the package's pairs and script data: the
    letters that look Latin themselves, and the small letters whose capital does (``в`` for
    ``В``, which looks like ``B``), where the small letter has no look-alike of its own."""
    table: dict[str, str] = {}
    by_capital: dict[str, str] = {}
    for prototype, group in _stars(pairs):
        latin = {f for f in map(_fold, group) if len(f) == 1 and f.isascii() and f.isalnum()}
        if not latin:
            continue
        # The prototype's letter if it is one, else a letter before a digit ("O" before "0").
        target = _fold(prototype)
        if target not in latin:
            target = min(latin, key=lambda f: (f.isdigit(), f))
        for char in group:
            if len(char) != 1 or char.isascii():
                continue
            if script_of(char) not in SCRIPTS or category_of(char)[0] not in "LN":
                continue
            if unicodedata.normalize("NFKD", char) != char:
                continue  # NFKD's job (both users decompose first): 𝐚, ａ, ⓐ
            # Users look a letter up lower-cased (link skeletons) or case-folded (the
            # normaliser; for Cherokee that gives the capital), so a letter is entered under
            # those forms.
            for key in {char.lower(), char.casefold()}:
                if len(key) == 1 and not key.isascii():
                    (table if key == char else by_capital).setdefault(key, target)
    return table, {k: v for k, v in by_capital.items() if k not in table}


def _load() -> tuple[tuple[dict[str, str], dict[str, str]], str]:
    try:
        from confusable_homoglyphs import categories, utils
    except ImportError:
        raise SystemExit(
            f"{PACKAGE} is not installed: pip install -e '.[test]' (it ships the data)"
        ) from None
    with open(utils.path("confusables.json"), encoding="utf-8") as fh:
        pairs = json.load(fh)
    version = metadata.version(PACKAGE)
    return build_table(pairs, categories.alias, categories.category), version


def _render_dict(name: str, comment: str, table: Mapping[str, str]) -> list[str]:
    by_target: dict[str, str] = defaultdict(str)
    for char in sorted(table):
        by_target[table[char]] += char
    lines = ["", f"#: {comment}", f"{name}: dict[str, str] = {{"]
    for target in sorted(by_target, key=lambda t: (t.isdigit(), t)):
        chars = by_target[target]
        if len(chars) <= _PER_LINE:
            lines.append(f'    "{target}": "{chars}",')
            continue
        lines.append(f'    "{target}": (')
        for i in range(0, len(chars), _PER_LINE):
            lines.append(f'        "{chars[i : i + _PER_LINE]}"')
        lines.append("    ),")
    lines.append("}")
    return lines


def render_module(tables: tuple[Mapping[str, str], Mapping[str, str]], version: str) -> str:
    """The source of :mod:`smguard.guard._confusables_data`."""
    own, by_capital = tables
    lines = [
        '"""Letters that look like basic Latin ones, from Unicode\'s confusables data (UTS #39).',
        "",
        f"Generated from {PACKAGE} {version} by",
        f"``{COMMAND}``;",
        "do not edit by hand. :mod:`smguard.guard.confusables_build` says what is kept.",
        '"""',
        "",
        "#: Python's Unicode version when this was generated (NFKD and case folding depend on it).",
        f'UNICODE_VERSION = "{unicodedata.unidata_version}"',
    ]
    lines += _render_dict(
        "LOOKALIKES", "For each Latin letter or digit, the letters that look like it.", own
    )
    lines += _render_dict(
        "OTHER_CASE",
        "Letters that do not look Latin while their other case does (в: В looks like B).",
        by_capital,
    )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m smguard.guard.confusables_build",
        description="Generate the look-alike letters table from Unicode's confusables data.",
    )
    parser.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    tables, version = _load()
    text = render_module(tables, version)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({sum(map(len, tables))} letters)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
