"""The guard: runs every rule on every post, isolates failures, and asks policy for a decision.

    guard = Guard.from_config()                # smguard.toml, env overrides, installed plugins
    verdict = guard.check("Terima kasih, Kak!")
    verdicts = guard.check_many(posts)         # batched: model engines see whole batches

Rules are looped over here rather than through a pluggy hook, so that one crashing rule becomes an
``integrity`` finding (and policy decides what that means) instead of silently ending the check.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pluggy

from smguard import safejson
from smguard.config import Config
from smguard.config.plugins import check_settings
from smguard.errors import (
    ConfigError,
    InputError,
    ModelUnavailable,
    PluginError,
    SmguardError,
)
from smguard.guard.packs import PackRule, PackSet, load_packs
from smguard.guard.policy import default_decision
from smguard.guard.rule import CheckContext, Rule
from smguard.manager import get_plugin_manager
from smguard.types import EngineStatus, Finding, Post, Severity, Verdict

__all__ = ["Guard", "PostInput"]

PostInput = str | Post | Mapping[str, Any]

_INTEGRITY_MESSAGES = {
    "crash": {
        "en": "The '{engine}' check failed on this post, so it was not fully checked.",
        "id": "Pemeriksaan '{engine}' gagal, jadi unggahan ini belum diperiksa penuh.",
    },
    "unavailable": {
        "en": "The required '{engine}' check could not run: {reason}",
        "id": "Pemeriksaan wajib '{engine}' tidak dapat berjalan: {reason}",
    },
    "too_long": {
        "en": "The text is longer than {limit} characters; only the first {limit} were checked.",
        "id": "Teks lebih dari {limit} karakter; hanya {limit} karakter pertama yang diperiksa.",
    },
}
_INTEGRITY_SUGGESTIONS = {
    "crash": {
        "en": "Have a person review this post; report the error to whoever runs smguard.",
        "id": "Minta seseorang meninjau unggahan ini; laporkan galat ke pengelola smguard.",
    },
    "unavailable": {
        "en": "Install the missing model or engine (see the engine status), then check again.",
        "id": "Pasang model atau mesin yang belum ada (lihat status mesin), lalu periksa ulang.",
    },
    "too_long": {
        "en": "Split the text into shorter posts; platforms cut long posts anyway.",
        "id": "Pecah teks menjadi beberapa unggahan yang lebih pendek.",
    },
}
_INTEGRITY_IDS = {"crash": "SMG-INT-001", "unavailable": "SMG-INT-002", "too_long": "SMG-INT-003"}


def _integrity(kind: str, engine: str, **fields: Any) -> Finding:
    message = {k: v.format(engine=engine, **fields) for k, v in _INTEGRITY_MESSAGES[kind].items()}
    return Finding(
        rule=_INTEGRITY_IDS[kind],
        category="integrity",
        severity=Severity.MEDIUM,
        message=message,
        engine=engine,
        suggestion=_INTEGRITY_SUGGESTIONS[kind],
    )


@dataclass
class _Step:
    """One engine's share of a plan: rules always called, and pack rules called on a hit."""

    engine: str
    rules: list[Rule]
    by_hit: dict[str, Rule]
    conditional: list[Rule]


@dataclass
class _Item:
    """A post on its way through the engine."""

    post: Post
    ctx: CheckContext
    findings: list[Finding]
    engines: dict[str, EngineStatus]
    #: This post's own time so far (ms), not counting the other posts of its batch.
    own_ms: float


class Guard:
    """Checks posts against every registered rule and returns verdicts."""

    def __init__(self, config: Config | None = None, pm: pluggy.PluginManager | None = None):
        self.config = config or Config()
        self.pm = pm or get_plugin_manager(self.config.disabled_plugins)
        check_settings(self.pm, self.config)
        self.pack_paths: list[Path] = []
        self.registered: dict[str, list[str]] = {}  # plugin name → rule ids and packs it added

        def add_pack(path: str | Path) -> None:
            self.pack_paths.append(Path(path))

        self.pm.hook.register_rule_packs(register=add_pack)
        self.packs: PackSet = load_packs([*self.pack_paths, *self.config.rule_paths])
        rules: list[Rule] = list(self.packs.rules)

        def add_rule(rule: Rule) -> None:
            if not isinstance(rule, Rule):
                raise PluginError(f"register_rules got {rule!r}, which is not a smguard Rule")
            rules.append(rule)

        try:
            self.pm.hook.register_rules(register=add_rule, config=self.config)
        except ConfigError as exc:
            # A plugin's own check of its settings: say which file the key is in.
            message = str(exc)
            if not message.startswith(self.config.source):
                message = f"{self.config.source}: {message}"
            raise ConfigError(message) from None
        seen: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in seen:
                raise PluginError(
                    f"rule id {rule.id} is registered twice "
                    f"({seen[rule.id].source or seen[rule.id].engine} and "
                    f"{rule.source or rule.engine})"
                )
            seen[rule.id] = rule
        unknown = sorted(self.config.disabled_rules - set(seen))
        if unknown:
            raise ConfigError(f"{self.config.source}: rules.disable: unknown rule id {unknown[0]}")
        #: Every known rule, enabled or not (for ``smguard rules list``).
        self.all_rules: list[Rule] = rules
        self.rules: list[Rule] = [r for r in rules if r.id not in self.config.disabled_rules]
        self._index = self.packs.build_index(
            r for r in self.packs.rules if r.id not in self.config.disabled_rules
        )
        # Grouped by engine so that each engine's time is measured with few clock reads.
        self._forms_cache: dict[str, tuple[str, ...]] = {}
        self._single = sorted((r for r in self.rules if not r.batch), key=lambda r: r.engine)
        self._batched = [r for r in self.rules if r.batch]
        self._plans: dict[tuple[frozenset[str], str], list[_Step]] = {}

    @classmethod
    def from_config(
        cls, path: str | Path | None = None, config: Config | None = None, **_: Any
    ) -> Guard:
        """Build a guard from ``smguard.toml`` (found or given) plus environment overrides."""
        return cls(config if config is not None else Config.load(path))

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.all_rules if r.id == rule_id), None)

    # -- checking ------------------------------------------------------------------------------

    def check(self, post: PostInput) -> Verdict:
        """Check one post (a text, a :class:`Post` or a JSON-contract mapping)."""
        return self.check_many([post])[0]

    def check_many(self, posts: Iterable[PostInput], batch_size: int = 64) -> list[Verdict]:
        """Check many posts; model engines receive them in batches of ``batch_size``."""
        return list(self.iter_check(posts, batch_size))

    def iter_check(self, posts: Iterable[PostInput], batch_size: int = 64) -> Iterator[Verdict]:
        """Like :meth:`check_many`, yielding verdicts in input order as batches complete.

        An input that is not a valid post yields an error verdict (decision ``review``) rather
        than stopping the batch.
        """
        batch: list[_Item | Verdict] = []
        for raw in posts:
            batch.append(self._start(raw))
            if len(batch) >= batch_size:
                yield from self._finish(batch)
                batch = []
        if batch:
            yield from self._finish(batch)

    def _start(self, raw: PostInput) -> _Item | Verdict:
        started = time.perf_counter()
        try:
            post = self._coerce(raw)
        except (InputError, TypeError, ValueError, RecursionError) as exc:
            # The contract: check_many never raises for what a caller passed in.
            message = str(exc) if isinstance(exc, InputError) else "not a valid post"
            return error_verdict(message, _input_id(raw))
        findings: list[Finding] = []
        limit = self.config.guard.max_chars
        if len(post.text) > limit:
            post = post.with_changes(text=post.text[:limit])
            findings.append(_integrity("too_long", "guard", limit=limit))
        for updates in self.pm.hook.prepare_post(post=post, config=self.config):
            if updates:
                post = post.with_changes(**updates)
        account = self.config.account(post.account)
        ctx = CheckContext(post, self._languages(post, account.language), self.config, account)
        ctx.slang = self.packs.slang
        ctx.forms_cache = self._forms_cache
        return _Item(post, ctx, findings, {}, (time.perf_counter() - started) * 1000)

    def _coerce(self, raw: PostInput) -> Post:
        if isinstance(raw, Post):
            post = raw
        elif isinstance(raw, str):
            post = Post(text=raw)
        elif isinstance(raw, Mapping):
            post = Post.from_dict(raw)
        else:
            raise InputError(f"cannot check a {type(raw).__name__}; give a text or a post")
        if not post.text.strip():
            raise InputError("the text is empty")
        try:
            post.text.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError("the text is not valid UTF-8") from None
        return post

    def _languages(self, post: Post, account_language: str | None) -> frozenset[str]:
        if post.language:
            return frozenset({post.language})
        if self.config.guard.language != "auto":
            return frozenset({self.config.guard.language})
        if account_language:
            return frozenset({account_language})
        from smguard.guard.language import detect

        return frozenset(detect(post.text, self.config.guard.language_confidence))

    def _finish(self, batch: Sequence[_Item | Verdict]) -> Iterator[Verdict]:
        items = [b for b in batch if isinstance(b, _Item)]
        for item in items:
            self._run_single(item)
        for rule in self._batched:
            self._run_batched(rule, items)
        for entry in batch:
            yield entry if isinstance(entry, Verdict) else self._verdict(entry)

    def _plan(self, languages: frozenset[str], kind: str) -> list[_Step]:
        """The rules that apply to posts of this language set and kind, grouped by engine.

        Pack rules that only match terms are looked up through the shared lexicon index, so
        they are called only for the posts whose words hit them.
        """
        key = (languages, kind)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        probe = Post(text=".", kind=kind)
        plan = []
        for rule in self._single:
            # A rule that overrides applies_to() may look at more than language and kind:
            # ask it for every post.
            custom = type(rule).applies_to is not Rule.applies_to
            if not custom and not rule.applies_to(probe, languages):
                continue
            if not plan or plan[-1].engine != rule.engine:
                plan.append(_Step(rule.engine, [], {}, []))
            if custom:
                plan[-1].conditional.append(rule)
            elif isinstance(rule, PackRule) and rule.terms and not rule.regexes:
                plan[-1].by_hit[rule.id] = rule
            else:
                plan[-1].rules.append(rule)
        self._plans[key] = plan
        return plan

    def _run_single(self, item: _Item) -> None:
        post, ctx, engines = item.post, item.ctx, item.engines
        findings = item.findings
        clock = time.perf_counter
        started = clock()
        for step in self._plan(ctx.languages, post.kind):
            t0 = clock()
            rules = step.rules
            if step.by_hit:
                hit = self._index.hits(ctx)
                if hit:
                    rules = rules + [step.by_hit[r] for r in hit if r in step.by_hit]
            if step.conditional:
                rules = rules + [r for r in step.conditional if r.applies_to(post, ctx.languages)]
            for rule in rules:
                try:
                    findings.extend(rule.check(post, ctx))
                except ModelUnavailable as exc:
                    self._unavailable(item, rule, exc)
                except Exception as exc:
                    self._crashed(item, rule, exc)
            _add_time(engines, step.engine, (clock() - t0) * 1000)
        item.own_ms += (clock() - started) * 1000

    def _run_batched(self, rule: Rule, items: Sequence[_Item]) -> None:
        todo = [it for it in items if rule.applies_to(it.post, it.ctx.languages)]
        if not todo:
            return
        t0 = time.perf_counter()
        try:
            results = rule.check_batch([(it.post, it.ctx) for it in todo])
            if len(results) != len(todo):
                raise SmguardError(
                    f"rule {rule.id} returned {len(results)} results for {len(todo)} posts"
                )
        except ModelUnavailable as exc:
            for it in todo:
                self._unavailable(it, rule, exc)
            return
        except Exception as exc:
            for it in todo:
                self._crashed(it, rule, exc)
            return
        share = (time.perf_counter() - t0) * 1000 / len(todo)
        for it, found in zip(todo, results, strict=True):
            it.own_ms += share
            if isinstance(found, ModelUnavailable):
                self._unavailable(it, rule, found)
                continue
            it.findings.extend(found)
            _add_time(it.engines, rule.engine, share)

    @staticmethod
    def _detailed(name: str, status: EngineStatus, item: _Item) -> EngineStatus:
        """An engine may say which model or backend it used: ``ctx.cache["engine_detail:NAME"]``."""
        detail = item.ctx.cache.get(f"engine_detail:{name}")
        if detail is None or status.detail is not None:
            return status
        return replace(status, detail=str(detail))

    def _unavailable(self, item: _Item, rule: Rule, exc: ModelUnavailable) -> None:
        item.engines[rule.engine] = EngineStatus("skipped", reason=exc.reason, fix=exc.fix)
        if getattr(rule, "required", False):
            item.findings.append(_integrity("unavailable", rule.engine, reason=exc.reason))

    def _crashed(self, item: _Item, rule: Rule, exc: Exception) -> None:
        reason = f"rule {rule.id} raised {type(exc).__name__}: {exc}"[:300]
        item.engines[rule.engine] = EngineStatus("error", reason=reason)
        if not any(f.rule == "SMG-INT-001" and f.engine == rule.engine for f in item.findings):
            item.findings.append(_integrity("crash", rule.engine))

    def _verdict(self, item: _Item) -> Verdict:
        started = time.perf_counter()
        findings = sorted(
            item.findings,
            key=lambda f: (f.span[0] if f.span else -1, -f.severity, f.rule),
        )
        policy = item.ctx.account.policy
        decision = self.pm.hook.decide(post=item.post, findings=findings, policy=policy)
        if decision is None:
            decision = default_decision(findings, policy)
        return Verdict(
            decision=decision,
            findings=tuple(findings),
            engines={
                name: self._detailed(name, st, item) for name, st in sorted(item.engines.items())
            },
            elapsed_ms=item.own_ms + (time.perf_counter() - started) * 1000,
            id=item.post.id,
            languages=tuple(sorted(item.ctx.languages)),
        )


def _add_time(engines: dict[str, EngineStatus], name: str, ms: float) -> None:
    status = engines.get(name)
    if status is None:
        engines[name] = EngineStatus("ok", elapsed_ms=ms)
    elif status.status == "ok":
        engines[name] = EngineStatus("ok", elapsed_ms=status.elapsed_ms + ms)


def error_verdict(message: str, post_id: str | None = None) -> Verdict:
    """The verdict for an input that could not be checked at all (decision ``review``)."""
    return Verdict(
        decision="review",
        findings=(),
        engines={},
        elapsed_ms=0.0,
        id=post_id,
        error=message,
    )


def _input_id(raw: object) -> str | None:
    """The id to echo on an error verdict: only a plain string or a bounded number."""
    post_id = raw.get("id") if isinstance(raw, Mapping) else None
    if isinstance(post_id, bool) or not isinstance(post_id, str | int):
        return None
    if isinstance(post_id, int):
        return safejson.short(post_id)
    return post_id if len(post_id) <= 200 and post_id.isprintable() else None
