"""The hate/SARA structure vocabulary: who can be attacked, what makes it an attack, and what
makes a post a condemnation or a report — read from ``rules/hate/structure.yaml`` and from an
organisation's own files of the same shape (``[plugins.hate] vocabulary``).

A file may add words to any list and take built-in ones away (``remove``); see
``docs/hate-rule.md``. A malformed file fails at start with its name and the problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smguard.errors import RulePackError
from smguard.guard.normalize import fold, normalize
from smguard.guard.packs.load import is_yaml_error, load_yaml_data
from smguard.types import Severity

__all__ = ["CUE_KINDS", "TARGETS", "Cue", "Target", "Vocabulary", "builtin_path", "load_vocabulary"]

#: The sub-targets, in rule order; each becomes one rule.
TARGETS = ("religion", "race", "gender", "physical", "group")
#: The kinds of attack, in the order a finding names them when several stand close.
CUE_KINDS = ("violence", "exclude", "dehumanise", "stereotype")
_TOP_KEYS = {"vocabulary", "window", "persons", "targets", "cues", "counter", "examples", "remove"}
_TARGET_KEYS = {"rule", "label", "terms", "places", "phrases"}
_CUE_KEYS = {"severity", "words", "phrases"}
_COUNTER_KEYS = {"words", "phrases", "reporting", "negations"}
_MAX_WINDOW = 20


def _words(value: Any, where: str, file: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulePackError(f"'{where}' must be a list of words", file=file)
    return [fold(v.strip()) for v in value]


def _phrases(value: Any, where: str, file: str) -> list[tuple[str, ...]]:
    out = []
    for phrase in _words(value, where, file):
        words = tuple(normalize(phrase).words)
        if words:
            out.append(words)
    return out


def _mapping(value: Any, where: str, keys: set[str], file: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RulePackError(f"'{where}' must be a mapping", file=file)
    extra = sorted(set(value) - keys)
    if extra:
        raise RulePackError(
            f"unknown key(s) in '{where}': {', '.join(map(str, extra))} "
            f"(known: {', '.join(sorted(keys))})",
            file=file,
        )
    return value


@dataclass
class Target:
    """One sub-target: its rule id, its words, and how a message names it."""

    name: str
    rule: str = ""
    label: dict[str, str] = field(default_factory=dict)
    terms: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    phrases: set[tuple[str, ...]] = field(default_factory=set)


@dataclass
class Cue:
    """One kind of attack and its words."""

    kind: str
    severity: Severity = Severity.HIGH
    words: set[str] = field(default_factory=set)
    phrases: set[tuple[str, ...]] = field(default_factory=set)


@dataclass
class Vocabulary:
    """Everything the structure rules read, merged from the built-in file and an organisation's."""

    window: int = 4
    persons: set[str] = field(default_factory=set)
    targets: dict[str, Target] = field(default_factory=dict)
    cues: dict[str, Cue] = field(default_factory=dict)
    counter_words: set[str] = field(default_factory=set)
    counter_phrases: set[tuple[str, ...]] = field(default_factory=set)
    reporting: set[str] = field(default_factory=set)
    negations: set[str] = field(default_factory=set)
    examples: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    #: Every word of every list and phrase: what a post's words are looked up against.
    known: frozenset[str] = frozenset()

    def seal(self) -> None:
        """Gather :attr:`known` once every file is merged."""
        words = set(self.persons) | self.counter_words | self.reporting | self.negations
        phrases = set(self.counter_phrases)
        for target in self.targets.values():
            words |= target.terms | target.places
            phrases |= target.phrases
        for cue in self.cues.values():
            words |= cue.words
            phrases |= cue.phrases
        for phrase in phrases:
            words.update(phrase)
        self.known = frozenset(words)

    def merge(self, raw: Any, file: str) -> None:
        """Add one file's words (and take away its ``remove`` list)."""
        top = _mapping(raw, "top level", _TOP_KEYS, file)
        if "window" in top:
            window = top["window"]
            if not isinstance(window, int) or isinstance(window, bool):
                raise RulePackError("'window' must be a whole number", file=file)
            if not 1 <= window <= _MAX_WINDOW:
                raise RulePackError(f"'window' must be from 1 to {_MAX_WINDOW}", file=file)
            self.window = window
        self.persons |= set(_words(top.get("persons"), "persons", file))
        targets = _mapping(top.get("targets"), "targets", set(TARGETS), file)
        for name, spec in targets.items():
            self._merge_target(name, _mapping(spec, f"targets.{name}", _TARGET_KEYS, file), file)
        cues = _mapping(top.get("cues"), "cues", set(CUE_KINDS), file)
        for kind, spec in cues.items():
            self._merge_cue(kind, _mapping(spec, f"cues.{kind}", _CUE_KEYS, file), file)
        counter = _mapping(top.get("counter"), "counter", _COUNTER_KEYS, file)
        self.counter_words |= set(_words(counter.get("words"), "counter.words", file))
        self.counter_phrases |= set(_phrases(counter.get("phrases"), "counter.phrases", file))
        self.reporting |= set(_words(counter.get("reporting"), "counter.reporting", file))
        self.negations |= set(_words(counter.get("negations"), "counter.negations", file))
        examples = _mapping(top.get("examples"), "examples", set(TARGETS), file)
        for name, spec in examples.items():
            if not isinstance(spec, Mapping):
                raise RulePackError(f"'examples.{name}' must be a mapping", file=file)
            self.examples[name] = {
                "bad": list(spec.get("bad") or []),
                "good": list(spec.get("good") or []),
            }
        self._remove(_words(top.get("remove"), "remove", file))
        self.files.append(file)

    def _merge_target(self, name: str, spec: Mapping[str, Any], file: str) -> None:
        target = self.targets.setdefault(name, Target(name))
        if "rule" in spec:
            if not isinstance(spec["rule"], str) or not spec["rule"].strip():
                raise RulePackError(f"'targets.{name}.rule' must be a rule id", file=file)
            target.rule = spec["rule"].strip()
        label = spec.get("label")
        if label is not None:
            if not isinstance(label, Mapping) or not all(
                isinstance(v, str) for v in label.values()
            ):
                raise RulePackError(f"'targets.{name}.label' must map en/id to texts", file=file)
            target.label.update({str(k): str(v) for k, v in label.items()})
        target.terms |= set(_words(spec.get("terms"), f"targets.{name}.terms", file))
        target.places |= set(_words(spec.get("places"), f"targets.{name}.places", file))
        target.phrases |= set(_phrases(spec.get("phrases"), f"targets.{name}.phrases", file))

    def _merge_cue(self, kind: str, spec: Mapping[str, Any], file: str) -> None:
        cue = self.cues.setdefault(kind, Cue(kind))
        if "severity" in spec:
            try:
                cue.severity = Severity.parse(str(spec["severity"]))
            except ValueError as exc:
                raise RulePackError(f"'cues.{kind}.severity': {exc}", file=file) from None
        cue.words |= set(_words(spec.get("words"), f"cues.{kind}.words", file))
        cue.phrases |= set(_phrases(spec.get("phrases"), f"cues.{kind}.phrases", file))

    def _remove(self, words: Iterable[str]) -> None:
        gone = set(words)
        if not gone:
            return
        for target in self.targets.values():
            target.terms -= gone
            target.places -= gone
            target.phrases = {p for p in target.phrases if " ".join(p) not in gone}
        for cue in self.cues.values():
            cue.words -= gone
            cue.phrases = {p for p in cue.phrases if " ".join(p) not in gone}
        self.counter_words -= gone
        self.counter_phrases = {p for p in self.counter_phrases if " ".join(p) not in gone}
        self.persons -= gone


def builtin_path() -> Path:
    """``rules/hate/structure.yaml`` (installed: ``smguard/rules/hate/structure.yaml``)."""
    import smguard.rules

    return Path(smguard.rules.__file__).resolve().parent / "hate" / "structure.yaml"


def _read(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulePackError(
            f"cannot read the vocabulary file: {exc.strerror}", file=str(path)
        ) from None
    # Through the rule packs' JSON cache: YAML is parsed (and imported) only for new content.
    try:
        return load_yaml_data(raw)
    except UnicodeDecodeError:
        raise RulePackError("not valid UTF-8 text", file=str(path)) from None
    except Exception as exc:
        if not is_yaml_error(exc):
            raise
        raise RulePackError(f"not valid YAML: {exc}", file=str(path)) from None


def load_vocabulary(extra: Iterable[str | Path] = (), window: int | None = None) -> Vocabulary:
    """The built-in vocabulary, then each extra file in order, then a window override."""
    vocab = Vocabulary()
    for path in (builtin_path(), *extra):
        vocab.merge(_read(Path(path)), str(path))
    for name in TARGETS:
        target = vocab.targets.get(name)
        if target is None or not target.rule:
            raise RulePackError(f"target {name!r} has no rule id", file=vocab.files[0])
    if window is not None:
        vocab.window = window
    vocab.seal()
    return vocab
