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
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re2
import yaml

from smguard.errors import RulePackError
from smguard.guard.lexicon import PhraseMatcher
from smguard.guard.normalize import fold
from smguard.guard.rule import ANY_LANGUAGE, CheckContext, Rule, examples_from
from smguard.types import CATEGORIES, LANGUAGES, POST_KINDS, Finding, Post, Severity

__all__ = ["LexiconIndex", "PackRule", "PackSet", "load_packs"]

_RULE_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
_WORD_RE = re.compile(r"^[@$]*[^\W_](?:[^\W_]|[@$])*$")
_WITH_CONDITIONS = ("link", "contact")
_MAX_FINDINGS_PER_RULE = 10
_MAX_REGEX_LEN = 2000
_RULE_KEYS = {
    "id", "name", "category", "severity", "languages", "kinds", "status", "message", "why",
    "suggestion", "false_positives", "match", "examples",
}  # fmt: skip
_MATCH_KEYS = {
    "terms", "phrases", "regex", "regex_on", "near", "not_near", "with", "min_distinct", "stem",
}  # fmt: skip
_STATUSES = ("stable", "test", "experimental", "deprecated")


@dataclass(frozen=True)
class Context:
    """Words that must (``near``) or must not (``not_near``) stand close to a match."""

    words: frozenset[str]
    window: int
    side: str = "both"


@dataclass(eq=False)
class PackRule(Rule):
    """A rule defined in a YAML pack; matched through the pack set's shared index."""

    terms: tuple[tuple[str, ...], ...] = ()
    regexes: tuple[Any, ...] = ()
    regex_on: str = "normalized"
    near: Context | None = None
    not_near: Context | None = None
    with_: tuple[str, ...] = ()
    min_distinct: int = 1
    stem: bool = False
    index: LexiconIndex | None = field(default=None, repr=False)

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        matches: list[tuple[int, int, str]] = []  # original start, end, matched key
        if self.terms and self.index is not None:
            hits = self.index.hits(ctx).get(self.id)
            if hits:
                forms = ctx.norm.forms
                spans = ctx.norm.spans
                for i, j, key in hits:
                    if self.near and not _context(forms, i, j, self.near):
                        continue
                    if self.not_near and _context(forms, i, j, self.not_near):
                        continue
                    matches.append((spans[i][0], spans[j][1], key))
        for pattern in self.regexes:
            if self.regex_on == "original":
                found = [(m.start(), m.end(), m.group()) for m in pattern.finditer(post.text)]
            else:
                norm = ctx.norm
                found = [
                    (*norm.span(m.start(), m.end()), m.group()) for m in pattern.finditer(norm.text)
                ]
            if found and (self.near or self.not_near):
                found = [m for m in found if self._regex_context_ok(ctx, m[0], m[1])]
            matches.extend(found)
        if not matches:
            return ()
        # Overlapping matches of one rule are one finding (and count once for min_distinct).
        matches.sort()
        kept: list[tuple[int, int, str]] = []
        for match in matches:
            if not kept or match[0] >= kept[-1][1]:
                kept.append(match)
        if self.min_distinct > 1 and len({k for _, _, k in kept}) < self.min_distinct:
            return ()
        if self.with_ and not _has_required(self.with_, ctx):
            return ()
        return [
            self.finding(span=(s, e), evidence=post.text[s:e])
            for s, e, _ in kept[:_MAX_FINDINGS_PER_RULE]
        ]

    def _regex_context_ok(self, ctx: CheckContext, start: int, end: int) -> bool:
        """Apply near / not_near to a regex match through the words it covers."""
        spans = ctx.norm.spans
        covered = [k for k, (s, e) in enumerate(spans) if s < end and e > start]
        if covered:
            i, j = covered[0], covered[-1]
        else:  # between words: its context is the words on either side
            i = j = bisect.bisect_left([s for s, _ in spans], start)
        forms = ctx.norm.forms
        if self.near and not _context(forms, i, j, self.near):
            return False
        return not (self.not_near and _context(forms, i, j, self.not_near))


def _context(forms: Sequence[tuple[str, ...]], i: int, j: int, ctx: Context) -> bool:
    lo = i - ctx.window if ctx.side in ("both", "before") else i
    hi = j + ctx.window if ctx.side in ("both", "after") else j
    for k in range(max(lo, 0), min(hi, len(forms) - 1) + 1):
        if i <= k <= j:
            continue
        for form in forms[k]:
            if form in ctx.words:
                return True
    return False


def _has_required(conditions: tuple[str, ...], ctx: CheckContext) -> bool:
    from smguard.guard import contacts, urls  # the URL and number finders, loaded when needed

    for cond in conditions:
        if cond == "link":
            if ctx.post.links or urls.extract_urls(ctx.post.text):
                return True
        elif cond == "contact":
            own = _own_numbers(ctx)
            for contact in contacts.find_contacts(ctx.post.text):
                digits = _DIGITS_RE.search(contact.value)
                if digits is None or digits.group() not in own:
                    return True
    return False


_DIGITS_RE = re.compile(r"\d{5,15}")


def _own_numbers(ctx: CheckContext) -> frozenset[str]:
    """The organisation's published numbers (``[plugins.pii] allow_numbers``), as digits: a
    scam phrase next to the official hotline is not a scam with a contact number."""
    cached: frozenset[str] | None = ctx.cache.get("own_numbers")
    if cached is not None:
        return cached
    from smguard.guard import contacts

    out: set[str] = set()
    values = ctx.config.plugin("pii").get("allow_numbers", [])
    for value in values if isinstance(values, list) else []:
        if isinstance(value, str):
            out.add(re.sub(r"\D", "", value))
            e164 = contacts.normalise_phone(value)
            if e164:
                out.add(re.sub(r"\D", "", e164))
    result = frozenset(out)
    ctx.cache["own_numbers"] = result
    return result


class LexiconIndex:
    """Every term and phrase of the pack rules that apply to a kind of post, in one
    :class:`~smguard.guard.lexicon.PhraseMatcher`,
    so a post's words are looked up once for all rules.

    One matcher per (languages, post kind): an English post is not looked up against the
    Indonesian packs, nor an announcement against the reply-only tone phrases.
    """

    def __init__(self, rules: Iterable[PackRule], slang: Mapping[str, str]) -> None:
        self.rules = [r for r in rules if r.terms]
        self.slang = slang
        self._matchers: dict[tuple[frozenset[str], str], PhraseMatcher[tuple[str, str]]] = {}
        self._cache_key = f"lexicon:{id(self)}"

    def matcher(self, languages: frozenset[str], kind: str) -> PhraseMatcher[tuple[str, str]]:
        key = (languages, kind)
        matcher = self._matchers.get(key)
        if matcher is None:
            probe = Post(text=".", kind=kind)
            matcher = PhraseMatcher(self.slang)
            for rule in self.rules:
                if rule.applies_to(probe, languages):
                    for term in rule.terms:
                        matcher.add(term, (rule.id, " ".join(term)), stem=rule.stem)
            self._matchers[key] = matcher
        return matcher

    def hits(self, ctx: CheckContext) -> dict[str, list[tuple[int, int, str]]]:
        """Rule id → matched word ranges ``(first, last, key)`` for this post (memoised)."""
        cached: dict[str, list[tuple[int, int, str]]] | None = ctx.cache.get(self._cache_key)
        if cached is not None:
            return cached
        found: dict[str, list[tuple[int, int, str]]] = {}
        matcher = self.matcher(ctx.languages, ctx.post.kind)
        for i, j, (rule_id, key) in matcher.find(ctx.norm):
            found.setdefault(rule_id, []).append((i, j, key))
        ctx.cache[self._cache_key] = found
        return found


@dataclass
class PackSet:
    """The rules and slang table of every loaded pack."""

    rules: list[PackRule]
    slang: dict[str, str]
    files: list[Path]

    def build_index(self, enabled: Iterable[PackRule] | None = None) -> LexiconIndex:
        rules = list(self.rules if enabled is None else enabled)
        index = LexiconIndex(rules, self.slang)
        for rule in rules:
            rule.index = index
        return index


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
    name = str(file)
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
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
    default_langs = _languages(data.get("languages"), name, None, default=(ANY_LANGUAGE,))
    slang_spec = data.get("slang") or {}
    if not isinstance(slang_spec, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in slang_spec.items()
    ):
        raise RulePackError("'slang' must map slang words to words (text: text)", file=name)
    slang = {fold(k): fold(v) for k, v in slang_spec.items()}
    raw_rules = data.get("rules") or []
    if not isinstance(raw_rules, list):
        raise RulePackError("'rules' must be a list", file=name)
    rules = [_parse_rule(raw, name, default_langs, n) for n, raw in enumerate(raw_rules, 1)]
    return rules, slang


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML that also refuses duplicate keys (a classic silent pack bug)."""


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _languages(
    value: Any, file: str, rule: str | None, default: tuple[str, ...]
) -> tuple[str, ...]:
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
                f"unknown language {lang!r} (one of {', '.join(LANGUAGES)} or '*')",
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
        return f'{value!r} (a YAML boolean: write the word in quotes, e.g. "no")'
    if isinstance(value, int | float):
        return f"{value!r} (a number: write it in quotes)"
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
            f"regex {pattern!r} is not valid RE2 syntax ({exc}); RE2 has no backreferences "
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
                f"{key[:-1]} {value!r}: {bad[0]!r} is not a word (use match.regex for symbols)",
                file=file,
                rule=rule,
            )
        if key == "terms" and len(words) != 1:
            raise RulePackError(
                f"term {value!r} has several words: put it under match.phrases",
                file=file,
                rule=rule,
            )
        out.append(words)
    return out


def _parse_rule(raw: Any, file: str, default_langs: tuple[str, ...], n: int) -> PackRule:
    if not isinstance(raw, Mapping):
        raise RulePackError(f"rule #{n} must be a mapping", file=file)
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID_RE.match(rule_id):
        raise RulePackError(
            f"rule #{n}: 'id' must look like SMG-ID-SARA-003 (capitals, digits, dashes), "
            f"got {rule_id!r}",
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
            f"'category' must be one of {', '.join(CATEGORIES)}, got {category!r}",
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
    languages = _languages(raw.get("languages"), file, rule_id, default=default_langs)

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
    if not isinstance(with_spec, list) or any(w not in _WITH_CONDITIONS for w in with_spec):
        raise RulePackError(
            f"'match.with' must list {' and/or '.join(_WITH_CONDITIONS)}", file=file, rule=rule_id
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
