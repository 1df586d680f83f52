"""Loading packs: finding the pack files under the registered paths, reading each file and
checking its top level (keys, default languages, slang); each rule is checked by
:mod:`smguard.guard.packs.validate`. A rule id defined twice is an error."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from smguard.errors import RulePackError
from smguard.guard.normalize import fold
from smguard.guard.packs.index import PackSet
from smguard.guard.packs.rule import PackRule
from smguard.guard.packs.validate import parse_languages, parse_rule
from smguard.guard.rule import ANY_LANGUAGE

__all__ = ["is_yaml_error", "load_pack_file", "load_packs", "load_yaml_data"]


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
        data = load_yaml_data(file.read_bytes())
    except UnicodeDecodeError:
        raise RulePackError("not valid UTF-8 text", file=name) from None
    except OSError as exc:
        raise RulePackError(f"cannot read: {exc.strerror}", file=name) from None
    except Exception as exc:
        if not is_yaml_error(exc):
            raise
        from smguard.guard.packs.yaml_loader import yaml_problem

        raise RulePackError(f"not valid YAML{yaml_problem(exc)}", file=name) from None
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


def load_yaml_data(raw: bytes) -> Any:
    """The data of a YAML file (pack-file rules: no duplicate keys, aliases bounded), from the
    JSON cache below when this content was parsed before; parsed and cached otherwise.

    Raises :class:`UnicodeDecodeError`, or a ``yaml.YAMLError`` (:func:`is_yaml_error`): YAML
    itself is imported only on a cache miss, so a cold start with a warm cache never loads it.
    """
    data = _cache_get(raw)
    if data is _MISS:
        from smguard.guard.packs.yaml_loader import load_pack_yaml

        data = load_pack_yaml(raw.decode("utf-8"))
        _cache_put(raw, data)
    return data


def is_yaml_error(exc: BaseException) -> bool:
    """Whether ``exc`` is YAML's complaint about a file (false when YAML was never loaded)."""
    yaml = sys.modules.get("yaml")
    return yaml is not None and isinstance(exc, yaml.YAMLError)


# A pack file's parsed YAML is kept as JSON in the user's cache folder, named after the SHA-256
# of the file's bytes: JSON reads about twenty times faster than YAML, which is most of a cold
# start's pack loading. Only plain data is kept (never pickle), and it is validated exactly like
# freshly parsed YAML, so a stale or damaged entry cannot make a pack skip its checks; one that
# does not read back is ignored and the YAML parsed again. ``SMGUARD_PACK_CACHE`` names another
# folder, or ``off``.

_MISS: Any = object()


def _cache_dir() -> Path | None:
    setting = os.environ.get("SMGUARD_PACK_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    if sys.platform == "linux" and not os.environ.get("ANDROID_ROOT"):
        # What platformdirs answers on Linux (XDG), without importing it at every start.
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not base.strip():
            base = os.path.expanduser("~/.cache")
        return Path(base) / "smguard" / "packs"
    import platformdirs

    return Path(platformdirs.user_cache_dir("smguard", appauthor=False)) / "packs"


def _cache_file(raw: bytes) -> Path | None:
    folder = _cache_dir()
    if folder is None:
        return None
    return folder / f"{hashlib.sha256(raw).hexdigest()}.json"


def _cache_get(raw: bytes) -> Any:
    path = _cache_file(raw)
    if path is None:
        return _MISS
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return _MISS


def _cache_put(raw: bytes, data: Any) -> None:
    path = _cache_file(raw)
    if path is None:
        return
    # YAML aliases can make a small file stand for a huge value; such a value is not expanded
    # into JSON here (nor anywhere: validation refuses it).
    if not _plain_size_below(data, 4 * len(raw) + 1000):
        return
    try:
        text = json.dumps(data, ensure_ascii=False)
        if json.loads(text) != data:  # dates, number keys …: not plain JSON, not cached
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass  # a read-only or full cache folder only costs the next start its speed


def _plain_size_below(data: Any, limit: int) -> bool:
    """Whether ``data`` has fewer than ``limit`` values, counting a shared one each time."""
    todo = [data]
    seen = 0
    while todo:
        value = todo.pop()
        seen += 1
        if seen >= limit:
            return False
        if isinstance(value, Mapping):
            todo.extend(value.keys())
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return True
