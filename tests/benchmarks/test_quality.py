"""The pure parts of benchmarks/quality.py: metrics, sub-labels, which findings count, output."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "quality.py"


@pytest.fixture(scope="module")
def quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("smguard_bench_quality", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_counts_give_precision_recall_f1_and_fpr(quality: ModuleType) -> None:
    c = quality.Counts()
    for label, flagged in [(1, True)] * 3 + [(1, False)] + [(0, True)] + [(0, False)] * 4:
        c.add(label, flagged)
    assert (c.tp, c.fn, c.fp, c.tn) == (3, 1, 1, 4)
    assert c.precision == pytest.approx(0.75)
    assert c.recall == pytest.approx(0.75)
    assert c.f1 == pytest.approx(0.75)
    assert c.fpr == pytest.approx(0.2)
    assert c.flagged_rate == pytest.approx(4 / 9)


def test_counts_without_positives_or_flags_have_no_ratio(quality: ModuleType) -> None:
    c = quality.Counts(tn=5)
    assert c.precision is None and c.recall is None and c.f1 is None
    assert c.fpr == 0.0
    missed = quality.Counts(fn=2, tn=1)
    assert missed.recall == 0.0 and missed.precision is None and missed.f1 is None


def test_sublabels_of_each_source_shape(quality: ModuleType) -> None:
    id_row = {"id": "a", "text": "x", "label": 1, "HS": 1, "HS_Religion": 1, "HS_Race": 0}
    assert quality.sublabels(id_row) == ["HS", "HS_Religion"]
    assert quality.sublabels({"text": "x", "label": 1, "class": 0, "count": 3}) == ["hate"]
    assert quality.sublabels({"text": "x", "label": 0, "class": 2, "neither": 3}) == ["neither"]
    assert quality.sublabels({"text": "x", "label": 1, "Label": "spam"}) == ["spam"]
    reply = {"text": "x", "label": 0, "company": "SomeBrand", "speaker": "agent", "split": "dev"}
    assert quality.sublabels(reply) == ["SomeBrand"]


def test_categories_by_dataset_and_override(quality: ModuleType) -> None:
    assert quality.categories_for("data/sms.jsonl") == ("spam", "link")
    assert quality.categories_for("x/customer_care_agent.jsonl") == ("*",)
    assert "hate" in quality.categories_for("other.jsonl")
    assert quality.categories_for("sms.jsonl", ["tone"]) == ("tone",)


def test_only_findings_of_the_dataset_categories_and_severity_count(quality: ModuleType) -> None:
    Hit = quality.Hit
    hits = [Hit("R-SPAM", "spam", 2), Hit("R-TONE", "tone", 2), Hit("R-INFO", "link", 0, False)]
    assert [h.rule for h in quality.relevant(hits, ("spam", "link"), 1)] == ["R-SPAM"]
    assert [h.rule for h in quality.relevant(hits, ("*",), 0)] == ["R-SPAM", "R-TONE", "R-INFO"]
    # by default only what the policy holds (review or block) counts
    assert [h.rule for h in quality.relevant(hits, ("*",))] == ["R-SPAM", "R-TONE"]


def test_result_counts_categories_rules_and_misses(quality: ModuleType) -> None:
    Hit = quality.Hit
    r = quality.Result("tiny", ("hate", "profanity"))
    r.add({"id": 1, "text": "a", "label": 1, "HS_Race": 1}, [Hit("H1", "hate", 3)])
    r.add({"id": 2, "text": "b", "label": 1, "HS_Race": 1}, [])
    r.add({"id": 3, "text": "c", "label": 1, "HS_Gender": 1}, [Hit("P1", "profanity", 2)])
    r.add({"id": 4, "text": "d", "label": 0}, [Hit("P1", "profanity", 2)])
    r.add({"id": 5, "text": "e", "label": 0}, [])
    assert (r.overall.tp, r.overall.fn, r.overall.fp, r.overall.tn) == (2, 1, 1, 1)
    hate, prof = r.by_category["hate"], r.by_category["profanity"]
    assert (hate.tp, hate.fp, hate.fn, hate.tn) == (1, 0, 2, 2)
    assert (prof.tp, prof.fp, prof.fn, prof.tn) == (1, 1, 2, 1)
    assert r.by_sublabel["HS_Race"].recall == 0.5
    assert r.false_alarm_rules == {"P1": 1}
    assert r.most_missed(5)[0] == ("HS_Race", 1, 2)
    assert [m["id"] for m in r.misses] == [2] and [f["id"] for f in r.false_alarms] == [4]
    data = r.to_dict(5)
    assert json.loads(json.dumps(data))["overall"]["f1"] == pytest.approx(2 / 3)


def test_misses_file_is_readable_text_or_jsonl(quality: ModuleType, tmp_path: Path) -> None:
    r = quality.Result("tiny", ("spam",))
    r.add({"id": "m", "text": "missed one", "label": 1, "Label": "spam"}, [])
    r.add({"id": "f", "text": "fine one", "label": 0}, [quality.Hit("S1", "spam", 2)])
    text, lines = tmp_path / "m.txt", tmp_path / "m.jsonl"
    quality.write_misses(text, [r])
    quality.write_misses(lines, [r])
    assert "false alarm f" in text.read_text() and "rules: S1" in text.read_text()
    rows = [json.loads(line) for line in lines.read_text().splitlines()]
    assert [(row["kind"], row["id"]) for row in rows] == [("false alarm", "f"), ("miss", "m")]


def test_main_measures_a_small_file_with_the_real_guard(
    quality: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "tiny.jsonl"
    rows = [
        {"id": "1", "text": "dasar anjing lu", "language": "id", "label": 1},
        {"id": "2", "text": "Terima kasih, Kak. Pesanan sudah kami kirim.", "language": "id",
         "label": 0},
    ]  # fmt: skip
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert quality.main([str(data), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    overall = out["datasets"][0]["overall"]
    assert (overall["tp"], overall["fp"]) == (1, 0)
    assert out["flagged"] == "held"
