"""Loading packs: finding the pack files under the registered paths, reading each file and
checking its top level (keys, default languages, slang); each rule is checked by
:mod:`smguard.guard.packs.validate`. A rule id defined twice is an error."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import yaml

from smguard.errors import RulePackError
from smguard.guard.normalize import fold
from smguard.guard.packs.index import PackSet
from smguard.guard.packs.rule import PackRule
from smguard.guard.packs.validate import parse_languages, parse_rule
from smguard.guard.packs.yaml_loader import load_pack_yaml
from smguard.guard.rule import ANY_LANGUAGE

__all__ = ["load_pack_file", "load_packs"]


def _pack_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every pack file under ``paths``, each once even when registered twice."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        elif path.is_file():
            files = [path]
        else:
            raise RulePackError("rule pack not found", file=str(path))
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file


def load_packs(paths: Iterable[str | Path]) -> PackSet:
    """Load and validate every pack file under ``paths`` (files or folders)."""
    rules: list[PackRule] = []
    slang: dict[str, str] = {}
    files: list[Path] = []
    where: dict[str, Path] = {}
    for file in _pack_files(Path(p) for p in paths):
        pack_rules, pack_slang = load_pack_file(file)
        files.append(file)
        for rule in pack_rules:
            if rule.id in where:
                raise RulePackError(
                    f"duplicate rule id (also defined in {where[rule.id]})",
                    file=str(file),
                    rule=rule.id,
                )
            where[rule.id] = file
            rules.append(rule)
        slang.update(pack_slang)
    return PackSet(rules=rules, slang=slang, files=files)


def load_pack_file(file: Path) -> tuple[list[PackRule], dict[str, str]]:
    """Read and validate one pack file: its rules and its slang table."""
    name = str(file)
    try:
        data = load_pack_yaml(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = (getattr(exc, "problem", None) or str(exc).splitlines()[0])[:200]
        raise RulePackError(f"not valid YAML{at}: {problem}", file=name) from None
    except UnicodeDecodeError:
        raise RulePackError("not valid UTF-8 text", file=name) from None
    except OSError as exc:
        raise RulePackError(f"cannot read: {exc.strerror}", file=name) from None
    if data is None:
        return [], {}
    if not isinstance(data, Mapping):
        raise RulePackError("a pack must be a mapping with 'rules' (and/or 'slang')", file=name)
    unknown = sorted(set(data) - {"pack", "description", "languages", "version", "rules", "slang"})
    if unknown:
        raise RulePackError(f"unknown top-level key(s): {', '.join(unknown)}", file=name)
    default_langs = parse_languages(data.get("languages"), name, None, default=(ANY_LANGUAGE,))
    slang_spec = data.get("slang") or {}
    if not isinstance(slang_spec, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in slang_spec.items()
    ):
        raise RulePackError("'slang' must map slang words to words (text: text)", file=name)
    slang = {fold(k): fold(v) for k, v in slang_spec.items()}
    raw_rules = data.get("rules") or []
    if not isinstance(raw_rules, list):
        raise RulePackError("'rules' must be a list", file=name)
    rules = [parse_rule(raw, name, default_langs, n) for n, raw in enumerate(raw_rules, 1)]
    return rules, slang
