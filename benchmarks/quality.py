"""Detection quality of the guard on labelled real posts: precision, recall, F1 and false alarms.

    python benchmarks/quality.py                         # every *.jsonl in ../shared/eval/data
    python benchmarks/quality.py ../shared/eval/data/sms.jsonl --misses /tmp/sms-misses.txt
    python benchmarks/quality.py --format json > quality.json
    python benchmarks/quality.py --model                 # with the toxicity engine, if installed

Each input file is JSONL, one record a line: ``{"id", "text", "kind", "language", "label"}`` (1: the
guard should flag it, 0: it should pass), ``in_reply_to`` for replies, plus the source's own label
columns, which become the *sub-labels* reported separately (``HS_Religion``, ``class`` 0/1/2 of the
English set as ``hate``/``offensive``/``neither``, ``spam``/``ham``, the brand of a customer-care
reply). ``../shared/eval/README.md`` describes the development sets and how they may be used.

A post counts as *flagged* when the guard holds it (its policy says review or block; ``low`` and
``info`` findings are shown but allowed) because of a finding in one of the categories that the
dataset is about (``--min-severity`` counts findings of at least that severity instead): the
content categories for the abuse sets, ``spam`` and ``link`` for the SMS set, every category for
the customer-care replies (all of which should pass). ``--categories`` overrides that.
Printed per dataset:

* precision, recall, F1 and the false-positive rate (FPR: share of the label-0 posts flagged);
* the same per guard category (which categories find the positives, which raise false alarms);
* per sub-label, how many of its posts were flagged (recall for the labels of bad posts, the
  false-alarm rate for the labels of good ones);
* the rules behind most false alarms, and the sub-labels with most misses.

``--misses FILE`` writes every miss and false alarm for reading (``.jsonl``: one JSON object a
line). The rules-only run ignores any ``./smguard.toml`` and disables the toxicity plugin, so
figures compare across checkouts; ``--model`` keeps the plugin and reads ``--config``.
This is not a test: the data is not part of the project.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONTENT = ("toxicity", "hate", "harassment", "sexual", "profanity")
SCAM = ("spam", "link")
ALL = ("*",)

#: Which guard categories count as "flagged" for each known dataset (by file stem).
DATASET_CATEGORIES: dict[str, tuple[str, ...]] = {
    "id_multilabel": CONTENT,
    "davidson": CONTENT,
    "customer_care_agent": ALL,
    "sms": SCAM,
}

#: Columns that carry no label (or repeat ``label``) and so are not sub-labels.
NOT_SUBLABELS = frozenset(
    {"id", "text", "kind", "language", "label", "in_reply_to", "count", "split", "source",
     "speaker", "hate_speech", "offensive_language", "neither"}
)  # fmt: skip
DAVIDSON_CLASSES = {0: "hate", 1: "offensive", 2: "neither"}
SEVERITIES = ("info", "low", "medium", "high", "critical")


# -- pure parts (tested in tests/benchmarks/test_quality.py) -------------------------------------


@dataclass
class Counts:
    """A confusion matrix: label 1 / 0 against flagged / not."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, label: int, flagged: bool) -> None:
        if label:
            if flagged:
                self.tp += 1
            else:
                self.fn += 1
        elif flagged:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        return self.fp + self.tn

    @property
    def precision(self) -> float | None:
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.positives if self.positives else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)

    @property
    def fpr(self) -> float | None:
        return self.fp / self.negatives if self.negatives else None

    @property
    def flagged_rate(self) -> float | None:
        n = self.positives + self.negatives
        return (self.tp + self.fp) / n if n else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.positives + self.negatives,
            "positives": self.positives,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "fpr": self.fpr,
            "flagged_rate": self.flagged_rate,
        }


def sublabels(record: Mapping[str, Any]) -> list[str]:
    """The source's own labels of a record, as names: ``HS_Religion``, ``offensive``, ``spam``.

    A 0/1 column counts when it is 1; the English set's ``class`` becomes its name; any other
    string column (``Label``, ``company``) becomes its value.
    """
    out: list[str] = []
    for key, value in record.items():
        if key in NOT_SUBLABELS:
            continue
        if key == "class" and isinstance(value, int):
            out.append(DAVIDSON_CLASSES.get(value, f"class {value}"))
        elif isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            if value:
                out.append(key)
        elif isinstance(value, str) and value:
            out.append(value)
    return out


def categories_for(path: str | Path, override: Sequence[str] | None = None) -> tuple[str, ...]:
    """The guard categories that count as flagged for this file (``("*",)``: all of them)."""
    if override:
        return tuple(override)
    return DATASET_CATEGORIES.get(Path(path).stem, CONTENT)


@dataclass(frozen=True)
class Hit:
    """The part of a finding the measurement needs; ``held``: the policy reviews or blocks it."""

    rule: str
    category: str
    severity: int
    held: bool = True


def relevant(
    hits: Iterable[Hit], categories: Sequence[str], min_severity: int | None = None
) -> list[Hit]:
    """The hits that count as flagging for a dataset of these categories: those the policy
    holds, or with ``min_severity``, those at least that severe."""
    every = "*" in categories
    return [
        h
        for h in hits
        if (h.held if min_severity is None else h.severity >= min_severity)
        and (every or h.category in categories)
    ]


@dataclass
class Result:
    """Everything measured on one dataset."""

    name: str
    categories: tuple[str, ...]
    overall: Counts = field(default_factory=Counts)
    category_tp: Counter[str] = field(default_factory=Counter)
    category_fp: Counter[str] = field(default_factory=Counter)
    by_sublabel: dict[str, Counts] = field(default_factory=dict)
    false_alarm_rules: Counter[str] = field(default_factory=Counter)
    caught_by_rule: Counter[str] = field(default_factory=Counter)
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_alarms: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def add(self, record: Mapping[str, Any], hits: Sequence[Hit]) -> None:
        """Count one record, given the hits that count for this dataset."""
        label = 1 if record.get("label") else 0
        flagged = bool(hits)
        self.overall.add(label, flagged)
        for cat in {h.category for h in hits}:
            (self.category_tp if label else self.category_fp)[cat] += 1
        for sub in sublabels(record):
            self.by_sublabel.setdefault(sub, Counts()).add(label, flagged)
        rules = sorted({h.rule for h in hits})
        if label and flagged:
            self.caught_by_rule.update(rules)
        elif label:
            self.misses.append(_entry(self.name, "miss", record, []))
        elif flagged:
            self.false_alarm_rules.update(rules)
            self.false_alarms.append(_entry(self.name, "false alarm", record, hits))

    @property
    def by_category(self) -> dict[str, Counts]:
        """Counts as if only this guard category flagged, for each category that did."""
        o = self.overall
        return {
            cat: Counts(
                tp=self.category_tp[cat],
                fp=self.category_fp[cat],
                fn=o.positives - self.category_tp[cat],
                tn=o.negatives - self.category_fp[cat],
            )
            for cat in sorted(set(self.category_tp) | set(self.category_fp))
        }

    def most_missed(self, top: int) -> list[tuple[str, int, int]]:
        """(sub-label, misses, posts) of the labels of bad posts, most misses first."""
        rows = [(s, c.fn, c.positives) for s, c in self.by_sublabel.items() if c.positives]
        return sorted(rows, key=lambda r: (-r[1], r[0]))[:top]

    def to_dict(self, top: int) -> dict[str, Any]:
        return {
            "dataset": self.name,
            "categories": list(self.categories),
            "overall": self.overall.to_dict(),
            "by_category": {c: v.to_dict() for c, v in sorted(self.by_category.items())},
            "by_sublabel": {s: v.to_dict() for s, v in sorted(self.by_sublabel.items())},
            "false_alarm_rules": self.false_alarm_rules.most_common(top),
            "caught_by_rule": self.caught_by_rule.most_common(top),
            "most_missed_sublabels": [
                {"sublabel": s, "misses": m, "posts": n} for s, m, n in self.most_missed(top)
            ],
            "skipped_engines": dict(self.skipped),
        }


def _entry(
    dataset: str, kind: str, record: Mapping[str, Any], hits: Sequence[Hit]
) -> dict[str, Any]:
    reply = record.get("in_reply_to")
    return {
        "dataset": dataset,
        "kind": kind,
        "id": record.get("id"),
        "sublabels": sublabels(record),
        "rules": sorted({h.rule for h in hits}),
        "text": record.get("text"),
        "in_reply_to": reply.get("text") if isinstance(reply, Mapping) else None,
    }


def read_jsonl(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if limit is not None and n > limit:
                return
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{n}: not JSON ({exc.msg})") from None


# -- running the guard ---------------------------------------------------------------------------


def build_guard(model: bool, config_path: str | None) -> Any:
    from smguard.config import Config
    from smguard.guard.engine import Guard

    if model:
        return Guard(Config.load(config_path) if config_path else Config())
    return Guard(Config.from_dict({"plugins": {"disable": ["toxicity"]}}))


def as_post(record: Mapping[str, Any], detect_language: bool) -> dict[str, Any]:
    post: dict[str, Any] = {"id": str(record.get("id")), "text": record["text"]}
    if record.get("kind"):
        post["kind"] = record["kind"]
    if record.get("in_reply_to"):
        post["in_reply_to"] = record["in_reply_to"]
    if record.get("language") and not detect_language:
        post["language"] = record["language"]
    return post


def measure(
    guard: Any,
    path: Path,
    categories: tuple[str, ...],
    min_severity: int | None,
    detect_language: bool,
    limit: int | None,
) -> tuple[Result, float]:
    records = [r for r in read_jsonl(path, limit) if str(r.get("text") or "").strip()]
    result = Result(path.stem, categories)
    started = time.perf_counter()
    verdicts = guard.check_many([as_post(r, detect_language) for r in records], batch_size=64)
    elapsed = time.perf_counter() - started
    policy = guard.config.policy
    for record, verdict in zip(records, verdicts, strict=True):
        hits = [
            Hit(f.rule, f.category, int(f.severity), policy.for_finding(f) != "allow")
            for f in verdict.findings
        ]
        result.add(record, relevant(hits, categories, min_severity))
        for name, status in verdict.engines.items():
            if status.status != "ok":
                result.skipped[f"{name}: {status.status}"] += 1
    return result, elapsed


# -- output --------------------------------------------------------------------------------------


def _f(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def render(result: Result, top: int, elapsed: float) -> str:
    o = result.overall
    cats = "all" if "*" in result.categories else ", ".join(result.categories)
    lines = [
        f"== {result.name}: {o.positives + o.negatives} posts ({o.positives} label 1), "
        f"flagged = held for a finding in {cats}; {elapsed:.1f} s",
        f"   precision {_f(o.precision)}  recall {_f(o.recall)}  F1 {_f(o.f1)}  "
        f"FPR {_f(o.fpr)}  flagged {_f(o.flagged_rate)}  "
        f"(tp {o.tp}, fp {o.fp}, fn {o.fn}, tn {o.tn})",
    ]
    if result.skipped:
        lines.append(
            "   engines not ok: " + ", ".join(f"{k} ×{v}" for k, v in result.skipped.items())
        )
    if result.by_category:
        lines.append("   per category    precision  recall   FPR     tp     fp")
        for cat, c in sorted(result.by_category.items(), key=lambda kv: -(kv[1].tp + kv[1].fp)):
            lines.append(
                f"     {cat:<14} {_f(c.precision):>9} {_f(c.recall):>7} {_f(c.fpr):>6} "
                f"{c.tp:>6} {c.fp:>6}"
            )
    lines.append("   per sub-label      posts  flagged  share")
    for sub, c in sorted(result.by_sublabel.items(), key=lambda kv: kv[0].lower()):
        n = c.positives + c.negatives
        lines.append(f"     {sub[:16]:<16} {n:>6} {c.tp + c.fp:>8}  {_f(c.flagged_rate)}")
    if result.false_alarm_rules:
        lines.append("   rules behind most false alarms:")
        lines += [f"     {rule:<22} {n}" for rule, n in result.false_alarm_rules.most_common(top)]
    missed = [row for row in result.most_missed(top) if row[1]]
    if missed:
        lines.append("   sub-labels with most misses:")
        lines += [f"     {s[:16]:<16} {m:>6} of {n}" for s, m, n in missed]
    return "\n".join(lines)


def write_misses(path: Path, results: Sequence[Result]) -> None:
    entries = [e for r in results for e in (*r.false_alarms, *r.misses)]
    with path.open("w", encoding="utf-8") as fh:
        if path.suffix == ".jsonl":
            for e in entries:
                fh.write(json.dumps(e, ensure_ascii=False) + "\n")
            return
        for e in entries:
            fh.write(f"[{e['dataset']}] {e['kind']} {e['id']}  {' '.join(e['sublabels'])}\n")
            if e["rules"]:
                fh.write(f"  rules: {', '.join(e['rules'])}\n")
            if e["in_reply_to"]:
                fh.write(f"  in reply to: {e['in_reply_to']}\n")
            fh.write(f"  {e['text']}\n\n")


def default_files() -> list[Path]:
    """``*.jsonl`` in ``$SMGUARD_EVAL_DIR``, else in the nearest ``shared/eval/data`` above."""
    env = os.environ.get("SMGUARD_EVAL_DIR")
    if env:
        return sorted(Path(env).glob("*.jsonl"))
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        data = folder / "shared" / "eval" / "data"
        if data.is_dir():
            return sorted(data.glob("*.jsonl"))
    return []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="JSONL files (default: the dev sets)")
    parser.add_argument("--model", action="store_true", help="keep the toxicity engine")
    parser.add_argument("--config", help="smguard.toml for --model (default: none)")
    parser.add_argument("--categories", help="comma-separated categories that count as flagged")
    parser.add_argument(
        "--min-severity", choices=SEVERITIES, help="count findings this severe (default: held)"
    )
    parser.add_argument("--detect-language", action="store_true", help="ignore the language field")
    parser.add_argument("--limit", type=int, help="only the first N records of each file")
    parser.add_argument("--top", type=int, default=10, help="rows in the top-N lists")
    parser.add_argument("--misses", type=Path, help="write misses and false alarms to this file")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)

    files = args.files or default_files()
    if not files:
        parser.error("no JSONL files given and no shared/eval/data found above this folder")
    for path in files:
        if not path.is_file():
            parser.error(f"{path}: no such file")
    override = [c.strip() for c in args.categories.split(",")] if args.categories else None
    guard = build_guard(args.model, args.config)
    results = []
    for path in files:
        result, elapsed = measure(
            guard,
            path,
            categories_for(path, override),
            None if args.min_severity is None else SEVERITIES.index(args.min_severity),
            args.detect_language,
            args.limit,
        )
        results.append(result)
        if args.format == "text":
            print(render(result, args.top, elapsed), flush=True)
    if args.format == "json":
        json.dump(
            {
                "model": args.model,
                "flagged": "held" if args.min_severity is None else f">= {args.min_severity}",
                "language": "detected" if args.detect_language else "given",
                "datasets": [r.to_dict(args.top) for r in results],
            },
            sys.stdout,
            indent=2,
        )
        print()
    if args.misses:
        write_misses(args.misses, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
