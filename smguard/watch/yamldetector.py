"""YAML detectors at work: a :class:`YamlDetector` per detector of a file, and reading the files.

The format is :mod:`smguard.watch.yamlspec`'s; a detector matches an event
(:mod:`smguard.watch.yamlmatch`), then, for ``first_seen`` and ``correlation``, asks the account's
history through an index built once per batch.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

from smguard.config.detectors import DETECTOR_ID
from smguard.errors import ConfigError
from smguard.guard.packs.yaml_loader import load_bounded_yaml, yaml_problem
from smguard.types import EVENT_KINDS, ActivityEvent, Severity
from smguard.watch.detectors import (
    STATUSES,
    Detection,
    Detector,
    format_duration,
)
from smguard.watch.yamlexamples import parse_examples
from smguard.watch.yamlmatch import (
    DERIVED_FIELDS,
    DetectorFileError,
    as_list,
    compile_match,
    field_value,
    known_field,
    norm,
)
from smguard.watch.yamlspec import (
    KEYS,
    RENAMED,
    Correlation,
    FirstSeen,
    Spec,
    in_current_words,
    parse_correlation,
    parse_first_seen,
    texts,
)

if TYPE_CHECKING:
    from smguard.watch.context import DetectContext

__all__ = ["YamlDetector", "load_file", "load_paths"]


@dataclass
class _Index:
    """Matching events of one account: (time, id) keys per value, every key, and how each
    value looked (for the evidence)."""

    keys: dict[tuple[str, ...], list[tuple[datetime, str]]] = field(default_factory=dict)
    shown: dict[tuple[str, ...], str] = field(default_factory=dict)
    every: list[tuple[datetime, str]] = field(default_factory=list)


class YamlDetector(Detector):
    """A detector read from a YAML file (see the module docs for the format)."""

    engine = "yaml"
    option_types: ClassVar[Mapping[str, str]] = {
        "count": "int",
        "within": "duration",
        "min_history": "whole",
    }

    def __init__(self, spec: Mapping[str, Any], source: str) -> None:
        detector_id = str(spec.get("id") or "").strip()
        where = f"{source}: {detector_id or '(no id)'}"
        unknown = sorted(set(spec) - KEYS - set(RENAMED))
        if unknown:
            raise DetectorFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
        spec, said = in_current_words(spec, where)
        if not DETECTOR_ID.match(detector_id):
            raise DetectorFileError(f"{where}: 'id' must look like SMG-DET-020")
        self.id = detector_id
        self.source = source
        self.name = str(spec.get("name") or "").strip()
        if not self.name:
            raise DetectorFileError(f"{where}: 'name' is missing")
        try:
            self.level = Severity.parse(spec.get("severity", "medium"))
        except ValueError as exc:
            raise DetectorFileError(f"{where}: {said['severity']}: {exc}") from None
        status = spec.get("status", "stable")
        if status not in STATUSES:
            raise DetectorFileError(f"{where}: status {status!r} is not one of {STATUSES}")
        self.status = str(status)
        incident = spec.get("incident")
        if not isinstance(incident, str) or not re.fullmatch(r"[a-z][a-z0-9_]{1,49}", incident):
            raise DetectorFileError(
                f"{where}: 'incident' must be an incident kind such as suspicious_login"
            )
        self.incident = incident
        category = spec.get("category")
        self.category = None if category is None else str(category)
        self.description = texts(spec, "why", where, True, said["why"])
        self.message = texts(spec, "message", where, True)
        fps = spec.get("false_positives") or []
        if not isinstance(fps, list) or not all(isinstance(f, str) for f in fps):
            raise DetectorFileError(f"{where}: '{said['false_positives']}' must be a list of texts")
        self.falsepositives = tuple(fps)
        match = spec.get("match")
        if not isinstance(match, Mapping) or "kind" not in match:
            raise DetectorFileError(f"{where}: 'match' needs at least 'kind' (the event kinds)")
        kinds = as_list(match["kind"])
        bad = [k for k in kinds if k not in EVENT_KINDS]
        if bad or not kinds:
            raise DetectorFileError(
                f"{where}: match.kind: {bad[0] if bad else kinds!r} is not an event kind "
                f"(one of {', '.join(EVENT_KINDS)})"
            )
        self.kinds = frozenset(kinds)
        self.history_kinds = frozenset()
        rest = {k: v for k, v in match.items() if k != "kind"}
        test = compile_match(rest, f"{where}: match", top=True) if rest else (lambda e: True)
        options: dict[str, Any] = {}
        first_seen = parse_first_seen(spec.get("first_seen"), where, options)
        correlation = parse_correlation(spec.get("correlation"), where, options)
        if first_seen and correlation:
            raise DetectorFileError(f"{where}: use 'first_seen' or 'correlation', not both")
        if first_seen or correlation:
            self.history_kinds = self.kinds
        dedupe = spec.get("dedupe")
        if dedupe is None:
            dedupe = [first_seen.field] if first_seen else []
        if not isinstance(dedupe, list) or not all(isinstance(d, str) for d in dedupe):
            raise DetectorFileError(f"{where}: 'dedupe' must be a list of field names")
        for name in dedupe:
            if not known_field(name):
                raise DetectorFileError(f"{where}: dedupe: unknown field {name!r}")
        self.options = options
        self._spec = Spec(test, first_seen, correlation, tuple(dedupe))
        self.examples = parse_examples(spec.get("examples"), where)

    def validate_options(self, where: str) -> None:
        spec = self._spec
        if spec.correlation is not None:
            if self.options["count"] < 2:
                raise ConfigError(f"{where}.count: must be at least 2")
            spec = Spec(
                spec.match,
                None,
                Correlation(
                    self.options["count"], self.options["within"], spec.correlation.group_by
                ),
                spec.dedupe,
            )
        elif spec.first_seen is not None:
            spec = Spec(
                spec.match,
                FirstSeen(
                    spec.first_seen.field, self.options["min_history"], self.options["within"]
                ),
                None,
                spec.dedupe,
            )
        self._spec = spec

    @property
    def lookback(self) -> timedelta:
        if self._spec.first_seen is not None:
            return self._spec.first_seen.within
        if self._spec.correlation is not None:
            # Whether the previous event already crossed the threshold looks one window further.
            return self._spec.correlation.within * 2
        return timedelta(0)

    @property
    def kind_of_logic(self) -> str:
        if self._spec.first_seen is not None:
            return "first_seen"
        return "correlation" if self._spec.correlation is not None else "match"

    @property
    def spec_summary(self) -> dict[str, Any]:
        """The logic in words for ``smguard detectors show``."""
        out: dict[str, Any] = {"kinds": sorted(self.kinds)}
        if self._spec.first_seen is not None:
            fs = self._spec.first_seen
            out["first_seen"] = {
                "field": fs.field,
                "min_history": fs.min_history,
                "within": format_duration(fs.within),
            }
        if self._spec.correlation is not None:
            c = self._spec.correlation
            out["correlation"] = {
                "count": c.count,
                "within": format_duration(c.within),
                "group_by": list(c.group_by),
            }
        return out

    def matches(self, event: ActivityEvent) -> bool:
        return event.kind in self.kinds and self._spec.match(event)

    def detect(self, event: ActivityEvent, ctx: DetectContext) -> Sequence[Detection]:
        if not self.matches(event):
            return ()
        spec = self._spec
        facts: dict[str, Any] = {}
        if spec.first_seen is not None:
            found = self._first_seen_facts(event, ctx, spec.first_seen)
            if found is None:
                return ()
            facts.update(found)
        if spec.correlation is not None:
            found = self._correlation_facts(event, ctx, spec.correlation)
            if found is None:
                return ()
            facts.update(found)
        key = [norm(field_value(event, name)) for name in spec.dedupe]
        for name in spec.dedupe:  # the cause, as the incident's evidence names it
            value = field_value(event, name)
            if value not in (None, "", []):
                facts.setdefault(name, value)
        values = {name: field_value(event, name) for name in DERIVED_FIELDS}
        values["local_time"] = ctx.local_time(event)
        return (self.detection(event, key=key, facts=facts, values=values),)

    def _index(
        self, event: ActivityEvent, ctx: DetectContext, within: timedelta, fields: Sequence[str]
    ) -> _Index:
        """The account's loaded events that match, as (time, id) keys per value of ``fields``,
        built once per batch: every event then asks bisect, not the whole history."""
        ctx.history.ensure(event.account, self.kinds, event.at - within, event.at)

        def build() -> _Index:
            index = _Index()
            for e in ctx.history.loaded(event.account, self.kinds):
                if not self._spec.match(e):
                    continue
                values = [field_value(e, name) for name in fields]
                if any(v in (None, "", []) for v in values):
                    continue
                value = tuple(norm(v) for v in values)
                index.keys.setdefault(value, []).append((e.at, e.id))
                index.shown.setdefault(value, ", ".join(str(v) for v in values))
            index.every = sorted(k for ks in index.keys.values() for k in ks)
            return index

        return ctx.memo((self.id, event.account, tuple(fields), "index"), build)

    def _first_seen_facts(
        self, event: ActivityEvent, ctx: DetectContext, fs: FirstSeen
    ) -> dict[str, Any] | None:
        value = field_value(event, fs.field)
        if value in (None, "", []):
            return None
        index = self._index(event, ctx, fs.within, [fs.field])
        me, since = (event.at, event.id), (event.at - fs.within, "")

        def earlier(keys: list[tuple[datetime, str]]) -> int:
            return bisect.bisect_left(keys, me) - bisect.bisect_left(keys, since)

        seen = earlier(index.every)
        if seen < fs.min_history:
            return None  # still learning what is normal for this account
        if earlier(index.keys.get((norm(value),), [])) > 0:
            return None
        last_seen: list[tuple[tuple[datetime, str], str]] = []
        for known, keys in index.keys.items():
            n = bisect.bisect_left(keys, me)
            if n and keys[n - 1] >= since:
                last_seen.append((keys[n - 1], index.shown[known]))
        return {
            "value": value,
            "history": {
                "field": fs.field,
                "earlier_events": seen,
                "within": format_duration(fs.within),
                "known_values": [v for _, v in sorted(last_seen, reverse=True)[:5]],
            },
        }

    def _correlation_facts(
        self, event: ActivityEvent, ctx: DetectContext, c: Correlation
    ) -> dict[str, Any] | None:
        group = tuple(norm(field_value(event, g)) for g in c.group_by)
        keys = self._index(event, ctx, c.within * 2, list(c.group_by)).keys.get(group, [])
        me = (event.at, event.id)

        def window(end: tuple[datetime, str]) -> tuple[int, int]:
            """Positions of the group's events in (end - within, end], ``end`` counted once."""
            hi = bisect.bisect_right(keys, end)
            lo = bisect.bisect_right(keys, (end[0] - c.within, "\uffff"))
            return lo, hi

        lo, hi = window(me)
        stored = hi > 0 and keys[hi - 1] == me
        count = hi - lo + (0 if stored else 1)
        if count < c.count:
            return None
        # Fire when the threshold is crossed, not again for every event of the same burst.
        before = hi - 1 if stored else hi
        if before > lo:
            plo, phi = window(keys[before - 1])
            if phi - plo >= c.count:
                return None
        ids = [k[1] for k in keys[lo:hi]] + ([] if stored else [event.id])
        first = keys[lo][0] if hi > lo else event.at
        return {
            "count": count,
            "within": format_duration(c.within),
            "threshold": c.count,
            "group": dict(zip(c.group_by, group, strict=True)),
            "first_at": first.isoformat(),
            "event_ids": ids[-20:],
        }


# -- loading -----------------------------------------------------------------------------------


def load_file(path: Path) -> list[YamlDetector]:
    """Every detector of one YAML file; DetectorFileError names the file and the problem."""
    try:
        data = load_bounded_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DetectorFileError(f"{path}: not valid YAML{yaml_problem(exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DetectorFileError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("detectors"), list):
        raise DetectorFileError(f"{path}: must hold 'detectors:' with a list of detectors")
    out = []
    for i, spec in enumerate(data["detectors"]):
        if not isinstance(spec, Mapping):
            raise DetectorFileError(f"{path}: detectors[{i}] must be a mapping")
        out.append(YamlDetector(spec, str(path)))
    return out


def _files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def load_paths(paths: Iterable[Path]) -> list[YamlDetector]:
    """The detectors of YAML files and folders (searched recursively)."""
    return [d for f in _files(paths) for d in load_file(f)]
