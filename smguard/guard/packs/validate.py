"""Validating one pack rule: a rule's mapping from a pack file becomes a :class:`PackRule`, or a
:class:`~smguard.errors.RulePackError` names the file, the rule id and the problem.

Regexes are compiled with RE2 (linear time), so a user's pattern cannot hang the guard.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import re2

from smguard.errors import RulePackError
from smguard.guard.normalize import fold
from smguard.guard.packs.rule import WITH_CONDITIONS, Context, PackRule
from smguard.guard.rule import ANY_LANGUAGE, examples_from
from smguard.safejson import short
from smguard.types import CATEGORIES, LANGUAGES, POST_KINDS, Severity

__all__ = ["parse_languages", "parse_rule"]

_RULE_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
_WORD_RE = re.compile(r"^[@$]*[^\W_](?:[^\W_]|[@$])*$")
_MAX_REGEX_LEN = 2000
_RULE_KEYS = {
    "id", "name", "category", "severity", "languages", "kinds", "status", "message", "why",
    "suggestion", "false_positives", "match", "examples",
}  # fmt: skip
_MATCH_KEYS = {
    "terms", "phrases", "regex", "regex_on", "near", "not_near", "with", "min_distinct", "stem",
}  # fmt: skip
_STATUSES = ("stable", "test", "experimental", "deprecated")


def parse_languages(
    value: Any, file: str, rule: str | None, default: tuple[str, ...]
) -> tuple[str, ...]:
    """A pack's or a rule's ``languages`` (``default`` when absent)."""
    if value is None:
        return default
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise RulePackError(
            "'languages' must be a list such as [id] or [en, id]", file=file, rule=rule
        )
    for lang in value:
        if lang != ANY_LANGUAGE and lang not in LANGUAGES:
            raise RulePackError(
                f"unknown language {short(lang)} (one of {', '.join(LANGUAGES)} or '*')",
                file=file,
                rule=rule,
            )
    return tuple(value)


def _texts(value: Any, key: str, file: str, rule: str, required: bool) -> dict[str, str]:
    if value is None:
        if required:
            raise RulePackError(f"missing '{key}'", file=file, rule=rule)
        return {}
    if isinstance(value, str):
        return {"en": value}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise RulePackError(f"'{key}' must be a text or {{en: ..., id: ...}}", file=file, rule=rule)
    if required and "en" not in value:
        raise RulePackError(f"'{key}' needs an 'en' text", file=file, rule=rule)
    return {k: v.strip() for k, v in value.items()}


def _context_spec(value: Any, key: str, file: str, rule: str) -> Context | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = {"words": value}
    if not isinstance(value, Mapping) or not isinstance(value.get("words"), list):
        raise RulePackError(
            f"'match.{key}' must be a list of words or {{words: [...], window: N}}",
            file=file,
            rule=rule,
        )
    extra = sorted(set(value) - {"words", "window", "side"})
    if extra:
        raise RulePackError(
            f"unknown key(s) in match.{key}: {', '.join(extra)}", file=file, rule=rule
        )
    window = value.get("window", 3)
    if not isinstance(window, int) or not 1 <= window <= 20:
        raise RulePackError(
            f"'match.{key}.window' must be a whole number from 1 to 20", file=file, rule=rule
        )
    side = value.get("side", "both")
    if side not in ("both", "before", "after"):
        raise RulePackError(
            f"'match.{key}.side' must be both, before or after", file=file, rule=rule
        )
    words = value["words"]
    for w in words:
        if not isinstance(w, str) or not w.strip():
            raise RulePackError(
                f"'match.{key}.words' must be words, got {_yaml_value(w)}", file=file, rule=rule
            )
    return Context(words=frozenset(fold(w.strip()) for w in words), window=window, side=side)


def _yaml_value(value: Any) -> str:
    """Describe a non-text YAML value; unquoted yes/no/on/off/true/false become booleans."""
    if isinstance(value, bool):
        return f'{short(value)} (a YAML boolean: write the word in quotes, e.g. "no")'
    if isinstance(value, int | float):
        return f"{short(value)} (a number: write it in quotes)"
    return repr(value)


def _compile_regex(pattern: Any, file: str, rule: str) -> Any:
    if not isinstance(pattern, str) or not pattern:
        raise RulePackError("'match.regex' items must be non-empty texts", file=file, rule=rule)
    if len(pattern) > _MAX_REGEX_LEN:
        raise RulePackError(f"regex longer than {_MAX_REGEX_LEN} characters", file=file, rule=rule)
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 8 << 20
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        raise RulePackError(
            f"regex {short(pattern)} is not valid RE2 syntax ({exc}); RE2 has no backreferences "
            "or lookaround, which keeps matching linear-time",
            file=file,
            rule=rule,
        ) from None


def _terms(values: Any, key: str, file: str, rule: str) -> list[tuple[str, ...]]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise RulePackError(f"'match.{key}' must be a list", file=file, rule=rule)
    out = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise RulePackError(
                f"'match.{key}' items must be non-empty texts, got {_yaml_value(value)}",
                file=file,
                rule=rule,
            )
        words = tuple(fold(value).split())
        bad = [w for w in words if not _WORD_RE.match(w)]
        if bad:
            raise RulePackError(
                f"{key[:-1]} {short(value)}: {short(bad[0])} is not a word "
                "(use match.regex for symbols)",
                file=file,
                rule=rule,
            )
        if key == "terms" and len(words) != 1:
            raise RulePackError(
                f"term {short(value)} has several words: put it under match.phrases",
                file=file,
                rule=rule,
            )
        out.append(words)
    return out


def parse_rule(raw: Any, file: str, default_langs: tuple[str, ...], n: int) -> PackRule:
    """Check the ``n``-th rule of a pack file and build it (``default_langs``: the pack's)."""
    if not isinstance(raw, Mapping):
        raise RulePackError(f"rule #{n} must be a mapping", file=file)
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID_RE.match(rule_id):
        raise RulePackError(
            f"rule #{n}: 'id' must look like SMG-ID-SARA-003 (capitals, digits, dashes), "
            f"got {short(rule_id)}",
            file=file,
        )
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise RulePackError(f"unknown key(s): {', '.join(unknown)}", file=file, rule=rule_id)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RulePackError("missing 'name'", file=file, rule=rule_id)
    category = raw.get("category")
    if category not in CATEGORIES:
        raise RulePackError(
            f"'category' must be one of {', '.join(CATEGORIES)}, got {short(category)}",
            file=file,
            rule=rule_id,
        )
    try:
        severity = Severity.parse(raw.get("severity", ""))
    except ValueError as exc:
        raise RulePackError(f"'severity': {exc}", file=file, rule=rule_id) from None
    kinds = raw.get("kinds")
    if kinds is not None and (
        not isinstance(kinds, list) or not kinds or any(k not in POST_KINDS for k in kinds)
    ):
        raise RulePackError(
            f"'kinds' must be a list of {', '.join(POST_KINDS)}", file=file, rule=rule_id
        )
    status = raw.get("status", "stable")
    if status not in _STATUSES:
        raise RulePackError(
            f"'status' must be one of {', '.join(_STATUSES)}", file=file, rule=rule_id
        )
    fps = raw.get("false_positives", [])
    if not isinstance(fps, list) or not all(isinstance(f, str) for f in fps):
        raise RulePackError("'false_positives' must be a list of texts", file=file, rule=rule_id)
    languages = parse_languages(raw.get("languages"), file, rule_id, default=default_langs)

    match = raw.get("match")
    if not isinstance(match, Mapping):
        raise RulePackError(
            "missing 'match' (terms, phrases and/or regex)", file=file, rule=rule_id
        )
    extra = sorted(set(match) - _MATCH_KEYS)
    if extra:
        raise RulePackError(f"unknown key(s) in match: {', '.join(extra)}", file=file, rule=rule_id)
    terms = _terms(match.get("terms"), "terms", file, rule_id)
    terms += _terms(match.get("phrases"), "phrases", file, rule_id)
    regex_spec = match.get("regex") or []
    if isinstance(regex_spec, str):
        regex_spec = [regex_spec]
    if not isinstance(regex_spec, list):
        raise RulePackError("'match.regex' must be a list of patterns", file=file, rule=rule_id)
    regexes = tuple(_compile_regex(p, file, rule_id) for p in regex_spec)
    if not terms and not regexes:
        raise RulePackError("'match' needs terms, phrases or regex", file=file, rule=rule_id)
    regex_on = match.get("regex_on", "normalized")
    if regex_on not in ("normalized", "original"):
        raise RulePackError(
            "'match.regex_on' must be normalized or original", file=file, rule=rule_id
        )
    with_spec = match.get("with") or []
    if isinstance(with_spec, str):
        with_spec = [with_spec]
    if not isinstance(with_spec, list) or any(w not in WITH_CONDITIONS for w in with_spec):
        raise RulePackError(
            f"'match.with' must list {' and/or '.join(WITH_CONDITIONS)}", file=file, rule=rule_id
        )
    min_distinct = match.get("min_distinct", 1)
    if not isinstance(min_distinct, int) or min_distinct < 1:
        raise RulePackError(
            "'match.min_distinct' must be a whole number ≥ 1", file=file, rule=rule_id
        )
    stem = match.get("stem", languages != ("en",))
    if not isinstance(stem, bool):
        raise RulePackError("'match.stem' must be true or false", file=file, rule=rule_id)

    return PackRule(
        id=rule_id,
        name=name.strip(),
        category=category,
        severity=severity,
        engine="lexicon",
        message=_texts(raw.get("message"), "message", file, rule_id, True),
        why=_texts(raw.get("why"), "why", file, rule_id, True),
        suggestion=_texts(raw.get("suggestion"), "suggestion", file, rule_id, False) or None,
        languages=frozenset(languages),
        kinds=frozenset(kinds) if kinds else None,
        examples=examples_from(raw.get("examples"), rule=rule_id, file=file),
        status=status,
        false_positives=tuple(fps),
        source=file,
        terms=tuple(dict.fromkeys(terms)),
        regexes=regexes,
        regex_on=regex_on,
        near=_context_spec(match.get("near"), "near", file, rule_id),
        not_near=_context_spec(match.get("not_near"), "not_near", file, rule_id),
        with_=tuple(with_spec),
        min_distinct=min_distinct,
        stem=stem,
    )
