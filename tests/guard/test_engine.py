"""The engine: every rule runs, failures are isolated, policy decides, batches keep order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from smguard import hookimpl
from smguard.config import Config
from smguard.errors import ModelUnavailable, PluginError
from smguard.guard.engine import Guard
from smguard.guard.rule import CheckContext, Rule
from smguard.types import Finding, Post, Severity
from tests.support.guards import make_guard, write_pack

MSG = {"en": "found", "id": "ditemukan"}


class WordRule(Rule):
    """Fires on a fixed word (raw substring); enough to drive the engine."""

    def __init__(self, rule_id: str, word: str, severity: Severity = Severity.HIGH, **kw: Any):
        super().__init__(
            id=rule_id,
            name=word,
            category=kw.pop("category", "profanity"),
            severity=severity,
            engine=kw.pop("engine", "test"),
            message=MSG,
            **kw,
        )
        self.word = word

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        i = post.text.find(self.word)
        return [self.finding(span=(i, i + len(self.word)))] if i >= 0 else []


class CrashRule(Rule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        raise ZeroDivisionError("boom")


class MissingModelRule(Rule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        raise ModelUnavailable("model X is not installed", fix="smguard models pull X")


class BatchRule(Rule):
    batch = True

    def __post_init__(self) -> None:
        super().__post_init__()
        self.calls: list[int] = []

    def check_batch(self, items: Sequence[tuple[Post, CheckContext]]) -> list[list[Finding]]:
        self.calls.append(len(items))
        return [[self.finding(score=0.9)] if "toxic" in p.text else [] for p, _ in items]


def rules_plugin(*rules: Rule) -> object:
    class Plugin:
        @hookimpl
        def register_rules(self, register: Callable[[Rule], None], config: Config) -> None:
            for rule in rules:
                register(rule)

    return Plugin()


def base_rule(cls: type[Rule], rule_id: str, **kw: Any) -> Rule:
    return cls(
        id=rule_id,
        name=rule_id.lower(),
        category=kw.pop("category", "toxicity"),
        severity=kw.pop("severity", Severity.HIGH),
        engine=kw.pop("engine", rule_id.lower()),
        message=MSG,
        **kw,
    )


def test_clean_post_is_allowed_and_engines_reported() -> None:
    guard = make_guard([rules_plugin(WordRule("T-1", "bad"))])
    verdict = guard.check("a perfectly fine post")
    assert verdict.decision == "allow"
    assert verdict.findings == ()
    assert verdict.engines["test"].status == "ok"


def test_severity_maps_to_decision() -> None:
    guard = make_guard(
        [
            rules_plugin(
                WordRule("T-HIGH", "awful", Severity.HIGH),
                WordRule("T-MED", "meh", Severity.MEDIUM),
                WordRule("T-LOW", "hmm", Severity.LOW),
            )
        ]
    )
    assert guard.check("this is awful").decision == "block"
    assert guard.check("this is meh").decision == "review"
    low = guard.check("hmm okay")
    assert low.decision == "allow"
    assert [f.rule for f in low.findings] == ["T-LOW"]


def test_crashing_rule_becomes_integrity_finding_and_others_still_run() -> None:
    guard = make_guard(
        [rules_plugin(base_rule(CrashRule, "T-CRASH"), WordRule("T-1", "hello", Severity.LOW))]
    )
    verdict = guard.check("hello there")
    rules = {f.rule for f in verdict.findings}
    assert rules == {"SMG-INT-001", "T-1"}
    assert verdict.decision == "review"  # never a silent pass
    status = verdict.engines["t-crash"]
    assert status.status == "error"
    assert status.reason is not None and "ZeroDivisionError" in status.reason


def test_engine_failure_can_fail_closed() -> None:
    guard = make_guard(
        [rules_plugin(base_rule(CrashRule, "T-CRASH"))],
        config={"policy": {"on_engine_error": "block"}},
    )
    assert guard.check("anything").decision == "block"


def test_missing_model_is_skipped_with_fix_and_only_required_engines_add_a_finding() -> None:
    optional = base_rule(MissingModelRule, "T-MODEL")
    guard = make_guard([rules_plugin(optional)])
    verdict = guard.check("anything")
    status = verdict.engines["t-model"]
    assert (status.status, status.fix) == ("skipped", "smguard models pull X")
    assert verdict.findings == ()
    assert verdict.decision == "allow"

    required = base_rule(MissingModelRule, "T-MODEL2", required=True)
    verdict = make_guard([rules_plugin(required)]).check("anything")
    assert [f.rule for f in verdict.findings] == ["SMG-INT-002"]
    assert "model X is not installed" in verdict.findings[0].message["en"]
    assert verdict.decision == "review"


def test_batched_rule_sees_whole_batches_and_results_keep_order() -> None:
    rule = base_rule(BatchRule, "T-BATCH")
    guard = make_guard([rules_plugin(rule)])
    texts = [f"post {i} {'toxic' if i % 3 == 0 else 'fine'}" for i in range(10)]
    verdicts = guard.check_many(texts, batch_size=4)
    assert rule.calls == [4, 4, 2]  # type: ignore[attr-defined]
    assert [v.decision for v in verdicts] == ["block" if i % 3 == 0 else "allow" for i in range(10)]
    assert verdicts[0].findings[0].score == 0.9


def test_malformed_inputs_get_error_verdicts_and_the_batch_goes_on() -> None:
    guard = make_guard([rules_plugin(WordRule("T-1", "bad"))])
    verdicts = guard.check_many(
        [
            {"id": "a", "text": "bad post"},
            {"id": "b"},
            {"id": "c", "text": "   "},
            {"id": "d", "text": "fine", "kind": "tweet"},
            {"id": "e", "text": "fine", "scheduled_at": "2026-06-01T07:00:00"},
            {"id": "f", "text": "fine"},
        ]
    )
    assert [v.id for v in verdicts] == ["a", "b", "c", "d", "e", "f"]
    assert verdicts[0].decision == "block"
    assert verdicts[1].error == "missing required field 'text'"
    assert verdicts[2].error == "the text is empty"
    assert verdicts[3].error is not None and "'kind' must be one of" in verdicts[3].error
    assert verdicts[4].error is not None and "time zone" in verdicts[4].error
    assert verdicts[5].decision == "allow" and verdicts[5].error is None
    assert all(v.decision == "review" for v in verdicts[1:5])


def test_check_many_never_raises_on_hostile_python_inputs() -> None:
    """Regression (issue 12): a non-string key or a huge integer id made check_many raise."""
    guard = make_guard([rules_plugin(WordRule("T-1", "bad"))])
    huge = 10**5_000
    hostile: list[Any] = [
        {1: "x", "text": "bad"},
        {"id": huge, "text": "bad"},
        {"id": huge, "text": ""},
        {"id": True, "text": "bad"},
        {"text": "bad \ud800"},
        {"text": "ok", "scheduled_at": "9999-12-31T23:59:59-05:00"},
        None,
        3.5,
        {"id": "last", "text": "bad post"},
    ]
    verdicts = guard.check_many(hostile)
    assert len(verdicts) == len(hostile)
    assert all(v.decision == "review" and v.error for v in verdicts[:-1])
    assert verdicts[2].id is not None and len(verdicts[2].id) < 60
    assert verdicts[-1].id == "last" and verdicts[-1].decision == "block"


def test_very_long_text_is_bounded_and_says_so() -> None:
    guard = make_guard(
        [rules_plugin(WordRule("T-1", "bad"))], config={"guard": {"max_chars": 1000}}
    )
    verdict = guard.check("x" * 1_000_000 + " bad")
    assert [f.rule for f in verdict.findings] == ["SMG-INT-003"]
    assert verdict.decision == "review"


def test_lone_surrogates_are_rejected() -> None:
    verdict = make_guard().check("caf\udce9")
    assert verdict.error == "the text is not valid UTF-8"


def test_duplicate_rule_ids_are_an_error() -> None:
    with pytest.raises(PluginError, match="T-1 is registered twice"):
        make_guard([rules_plugin(WordRule("T-1", "a"), WordRule("T-1", "b"))])


def test_disabling_an_unknown_rule_names_it() -> None:
    from smguard.errors import ConfigError

    with pytest.raises(ConfigError, match=r"rules\.disable: unknown rule id T-NOPE"):
        make_guard([rules_plugin(WordRule("T-1", "a"))], config={"rules": {"disable": ["T-NOPE"]}})


def test_disabled_rule_does_not_run_but_is_listed() -> None:
    guard = make_guard(
        [rules_plugin(WordRule("T-1", "bad"))], config={"rules": {"disable": ["T-1"]}}
    )
    assert guard.check("bad").decision == "allow"
    assert [r.id for r in guard.all_rules] == ["T-1"]


def test_per_account_policy_override() -> None:
    guard = make_guard(
        [rules_plugin(WordRule("T-MED", "meh", Severity.MEDIUM))],
        config={"accounts": {"ministry": {"policy": {"block_at": "medium"}}}},
    )
    assert guard.check({"text": "meh", "account": "ministry"}).decision == "block"
    assert guard.check({"text": "meh", "account": "shop"}).decision == "review"


def test_category_policy_override() -> None:
    guard = make_guard(
        [rules_plugin(WordRule("T-LOW", "hmm", Severity.LOW, category="spam"))],
        config={"policy": {"categories": {"spam": {"review_at": "low"}}}},
    )
    assert guard.check("hmm").decision == "review"


def test_decide_hook_of_a_plugin_wins_over_the_default() -> None:
    class Strict:
        @hookimpl
        def decide(self, post: Post, findings: Sequence[Finding], policy: Any) -> str | None:
            return "block" if findings else None

    guard = make_guard([Strict(), rules_plugin(WordRule("T-LOW", "hmm", Severity.LOW))])
    assert guard.check("hmm").decision == "block"
    assert guard.check("fine").decision == "allow"


def test_prepare_post_updates_are_applied() -> None:
    seen: list[str | None] = []

    class Enricher:
        @hookimpl
        def prepare_post(self, post: Post, config: Config) -> Mapping[str, Any] | None:
            return {"platform": "mastodon"}

    class Spy(Rule):
        def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
            seen.append(post.platform)
            return []

    make_guard([Enricher(), rules_plugin(base_rule(Spy, "T-SPY"))]).check("hi")
    assert seen == ["mastodon"]


def test_language_explicit_forced_and_detected() -> None:
    langs: list[frozenset[str]] = []

    class Spy(Rule):
        def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
            langs.append(ctx.languages)
            return []

    guard = make_guard([rules_plugin(base_rule(Spy, "T-SPY"))])
    guard.check({"text": "hello", "language": "id"})
    guard.check("Mohon maaf atas ketidaknyamanannya, pesanan Kakak sedang kami proses hari ini")
    guard.check("Thank you for your patience, our team is looking into your order today")
    guard.check("ok siap")  # too short to tell: both packs run
    assert langs == [frozenset({"id"}), frozenset({"id"}), frozenset({"en"}), {"en", "id"}]

    forced = make_guard(
        [rules_plugin(base_rule(Spy, "T-SPY"))], config={"guard": {"language": "en"}}
    )
    langs.clear()
    forced.check("Mohon maaf atas ketidaknyamanannya, pesanan Kakak sedang kami proses hari ini")
    assert langs == [frozenset({"en"})]


def test_rules_only_run_for_their_languages_and_kinds(tmp_path: Path) -> None:
    pack = """
rules:
  - id: SMG-ID-T-001
    name: id-only
    category: profanity
    severity: high
    languages: [id]
    message: {en: found, id: ketemu}
    why: {en: why}
    match: {terms: [kasar]}
  - id: SMG-XX-T-002
    name: replies-only
    category: tone
    severity: medium
    kinds: [reply]
    message: {en: found}
    why: {en: why}
    match: {terms: [whatever]}
"""
    write_pack(tmp_path, "p.yaml", pack)
    guard = make_guard(packs=[tmp_path])
    assert guard.check({"text": "kasar", "language": "id"}).decision == "block"
    assert guard.check({"text": "kasar", "language": "en"}).decision == "allow"
    assert guard.check({"text": "whatever", "kind": "post"}).decision == "allow"
    reply = {"text": "whatever", "kind": "reply", "in_reply_to": {"text": "hi"}}
    assert guard.check(reply).decision == "review"


def test_verdict_json_shape_follows_the_contract() -> None:
    guard = make_guard([rules_plugin(WordRule("T-1", "bad"))])
    out = guard.check({"id": 7, "text": "so bad"}).to_dict("id")
    assert out["id"] == "7"
    assert out["decision"] == "block"
    finding = out["findings"][0]
    assert set(finding) >= {"rule", "category", "severity", "message", "span", "suggestion",
                            "engine", "score"}  # fmt: skip
    assert finding["message"] == "ditemukan"
    assert finding["span"] == [3, 6]
    assert out["engines"]["test"]["status"] == "ok"


def test_plugin_config_errors_name_the_config_file(tmp_path: Path) -> None:
    from smguard.errors import ConfigError

    class Picky:
        @hookimpl
        def register_rules(self, register: Callable[[Rule], None], config: Config) -> None:
            raise ConfigError("plugins.picky.level: must be a number")

    path = tmp_path / "smguard.toml"
    path.write_text("[plugins.picky]\nlevel = 'x'\n", encoding="utf-8")
    from tests.support.guards import plugin_manager

    with pytest.raises(ConfigError) as info:
        Guard(Config.load(path), plugin_manager([Picky()]))
    assert str(info.value) == f"{path}: plugins.picky.level: must be a number"


def test_a_rule_may_decide_per_post_whether_it_applies() -> None:
    class LongOnly(WordRule):
        def applies_to(self, post: Post, languages: frozenset[str]) -> bool:
            return len(post.text) > 20

    guard = make_guard([rules_plugin(LongOnly("T-LONG", "bad"))])
    assert guard.check("bad").decision == "allow"
    assert guard.check("bad, and this post is long").decision == "block"


def test_elapsed_ms_is_each_posts_own_time() -> None:
    class Slow(Rule):
        def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
            if "slow" in post.text:
                import time

                time.sleep(0.05)
            return []

    guard = make_guard([rules_plugin(base_rule(Slow, "T-SLOW"))])
    fast, slow = guard.check_many(["fast one", "slow one"])
    assert slow.elapsed_ms >= 50
    assert fast.elapsed_ms < 50  # not charged for its slow neighbour


def test_a_batched_rule_can_mark_single_posts_unavailable() -> None:
    class HalfModel(Rule):
        batch = True

        def check_batch(
            self, items: Sequence[tuple[Post, CheckContext]]
        ) -> list[list[Finding] | ModelUnavailable]:
            return [
                [self.finding(score=0.9)]
                if p.language == "en"
                else ModelUnavailable("no model for id", fix="smguard models pull multilingual")
                for p, _ in items
            ]

    guard = make_guard([rules_plugin(base_rule(HalfModel, "T-HALF", required=True))])
    en, id_ = guard.check_many(
        [{"text": "toxic", "language": "en"}, {"text": "beracun", "language": "id"}]
    )
    assert en.engines["t-half"].status == "ok" and en.decision == "block"
    assert id_.engines["t-half"].status == "skipped"
    assert id_.engines["t-half"].fix == "smguard models pull multilingual"
    assert [f.rule for f in id_.findings] == ["SMG-INT-002"]


def test_a_gate_is_asked_once_per_post_and_skips_every_rule_behind_it() -> None:
    asked: list[str] = []

    def has_digit(post: Post, ctx: CheckContext) -> bool:
        asked.append(post.text)
        return any(c.isdigit() for c in post.text)

    gated = [WordRule(f"T-G{i}", "bad", gate=has_digit) for i in range(3)]
    guard = make_guard([rules_plugin(*gated, WordRule("T-FREE", "bad"))])
    verdict = guard.check("bad words, no number")
    assert [f.rule for f in verdict.findings] == ["T-FREE"]
    assert asked == ["bad words, no number"]
    verdict = guard.check("bad words and 1 number")
    assert sorted(f.rule for f in verdict.findings) == ["T-FREE", "T-G0", "T-G1", "T-G2"]
    assert asked == ["bad words, no number", "bad words and 1 number"]


def test_a_gate_that_raises_lets_its_rules_run() -> None:
    def broken(post: Post, ctx: CheckContext) -> bool:
        raise RuntimeError("gate bug")

    guard = make_guard([rules_plugin(WordRule("T-G", "bad", gate=broken))])
    verdict = guard.check("bad")
    assert [f.rule for f in verdict.findings] == ["T-G"]
    assert verdict.engines["test"].status == "ok"


def test_gates_apply_to_rules_of_one_language_too() -> None:
    def never(post: Post, ctx: CheckContext) -> bool:
        return False

    rule = WordRule("T-ID", "bad", gate=never, languages=frozenset({"id"}))
    guard = make_guard([rules_plugin(rule)])
    assert guard.check({"text": "bad", "language": "id"}).findings == ()


def test_hooks_registered_after_the_guard_was_built_are_called() -> None:
    guard = make_guard([rules_plugin(WordRule("T-LOW", "hmm", Severity.LOW))])
    assert guard.check("hmm").decision == "allow"

    class Strict:
        @hookimpl
        def decide(self, post: Post, findings: Sequence[Finding], policy: Any) -> str | None:
            return "block" if findings else None

    guard.pm.register(Strict())
    assert guard.check("hmm").decision == "block"
    assert guard.check("fine").decision == "allow"


def test_a_hook_wrapper_is_honoured() -> None:
    class Wrapper:
        @hookimpl(wrapper=True)
        def decide(self, post: Post, findings: Sequence[Finding], policy: Any) -> Any:
            decision = yield
            return "review" if decision == "allow" and "flag" in post.text else decision

    guard = make_guard([Wrapper(), rules_plugin(WordRule("T-1", "bad"))])
    assert guard.check("flag me").decision == "review"
    assert guard.check("fine").decision == "allow"
    assert guard.check("bad").decision == "block"
