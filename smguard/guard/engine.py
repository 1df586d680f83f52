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
from smguard.guard.rule import ANY_LANGUAGE, CheckContext, Gate, Rule
from smguard.manager import get_plugin_manager
from smguard.types import LANGUAGES, POST_KINDS, EngineStatus, Finding, Post, Severity, Verdict

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


class _DirectHook:
    """Calls a per-post hook's implementations directly, as pluggy would, without pluggy's
    per-call machinery (a few microseconds a call, twice per post).

    The implementations are read again when the plugin manager's set of them changes; a set
    with a wrapper goes through pluggy itself.
    """

    def __init__(self, caller: pluggy.HookCaller) -> None:
        self._caller = caller
        self._impls: list[pluggy.HookImpl] | None = None
        self._calls: list[tuple[Any, tuple[str, ...]]] | None = None

    def _direct(self) -> list[tuple[Any, tuple[str, ...]]] | None:
        impls = self._caller.get_hookimpls()
        if impls != self._impls:
            self._impls = impls
            wrapped = any(i.hookwrapper or i.wrapper for i in impls)
            # pluggy calls the last registered (and tryfirst) implementation first.
            self._calls = None if wrapped else [(i.function, i.argnames) for i in reversed(impls)]
        return self._calls

    def all(self, **kwargs: Any) -> list[Any]:
        """Every implementation's non-``None`` result, in call order."""
        calls = self._direct()
        if calls is None:
            results: list[Any] = self._caller(**kwargs)
            return results
        out = []
        for function, argnames in calls:
            result = function(*[kwargs[name] for name in argnames])
            if result is not None:
                out.append(result)
        return out

    def first(self, **kwargs: Any) -> Any:
        """The first non-``None`` result (a ``firstresult`` hook)."""
        calls = self._direct()
        if calls is None:
            return self._caller(**kwargs)
        for function, argnames in calls:
            result = function(*[kwargs[name] for name in argnames])
            if result is not None:
                return result
        return None


@dataclass
class _Block:
    """Rules of one engine that share a gate (``None``: no gate), called in order."""

    gate: Gate | None
    rules: list[Rule]


@dataclass
class _Step:
    """One engine's share of a plan for a kind of post.

    ``blocks`` are always called, unless their gate says the post cannot be flagged by them;
    ``by_hit`` (term-only pack rules) when the lexicon index finds one of their terms;
    ``conditional`` rules decide for themselves (``applies_to``); ``one_language`` rules hold
    for some languages only, so they need the post's language — asked for only when it matters
    (a pack rule is asked after it found something).
    """

    engine: str
    blocks: list[_Block]
    by_hit: dict[str, Rule]
    conditional: list[Rule]
    one_language: list[Rule]
    #: Pack rules of some languages with regexes: run first, language asked on a find.
    late_language: list[PackRule]


@dataclass
class _Item:
    """A post on its way through the engine."""

    post: Post
    ctx: CheckContext
    findings: list[Finding]
    #: Engines that were skipped or failed on this post (``ok`` ones are in ``times``).
    engines: dict[str, EngineStatus]
    #: Milliseconds each engine spent on this post.
    times: dict[str, float]
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
        self._forms_cache: dict[str, tuple[str, ...]] = self._index.forms_cache
        self._single = sorted((r for r in self.rules if not r.batch), key=lambda r: r.engine)
        self._batched = [r for r in self.rules if r.batch]
        self._plans: dict[str, list[_Step]] = {}
        self._detect = self._detect_languages
        self._default_account = self.config.account(None)
        self._prepare_post = _DirectHook(self.pm.hook.prepare_post)
        self._decide = _DirectHook(self.pm.hook.decide)

    @classmethod
    def from_config(
        cls, path: str | Path | None = None, config: Config | None = None, **_: Any
    ) -> Guard:
        """Build a guard from ``smguard.toml`` (found or given) plus environment overrides."""
        return cls(config if config is not None else Config.load(path))

    def warm_up(self, kinds: Iterable[str] = POST_KINDS) -> None:
        """Build now what the guard otherwise builds on first use: the lexicon for each of
        ``kinds`` of post (all by default) and set of languages, the language detector, each
        rule's compiled patterns.

        For a process that checks many posts (a batch, the server): its first posts are then no
        slower than the rest, and :func:`smguard.guard.memo.settle` can set what was built
        aside from the garbage collector's work. A one-post check does not need it.
        """
        wanted = set(kinds)
        chosen = [k for k in POST_KINDS if k in wanted]
        languages = [frozenset(c) for c in ({"en"}, {"id"}, set(LANGUAGES))]
        for kind in chosen:
            for langs in languages:
                self._index.matcher(langs, kind)
        samples = (
            "Thanks for waiting, our team will check your order today",
            "Terima kasih sudah menunggu, tim kami cek pesananmu hari ini ya",
            # What rules read on first use: a phone number, an e-mail address, a link, an
            # amount, a long token (phone metadata, token formats, lookalike tables).
            "Info: 0812-3456-7890, cs@example.org, https://example.org/promo?id=1, Rp50.000, "
            "key AKIAIOSFODNN7EXAMPLE, token ghp_000000000000000000000000000000000000",
        )
        if self.config.guard.language == "auto":
            # The samples are decided without the detector (their function words tell), which
            # loads its models on the first post that needs it.
            from smguard.guard.language import warm_up

            warm_up()
        self.check_many(
            [{"text": text, "kind": kind} for kind in chosen for text in samples]
            + [
                {"text": text, "language": lang, "kind": kind}
                for kind in chosen
                for lang in LANGUAGES
                for text in samples
            ]
        )

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
        for updates in self._prepare_post.all(post=post, config=self.config):
            if updates:
                post = post.with_changes(**updates)
        account = (
            self._default_account if post.account is None else self.config.account(post.account)
        )
        ctx = CheckContext(
            post, self._languages(post, account.language), self.config, account, self._detect
        )
        ctx.slang = self.packs.slang
        ctx.forms_cache = self._forms_cache
        return _Item(post, ctx, findings, {}, {}, (time.perf_counter() - started) * 1000)

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
        if not post.text.isascii():  # only non-ASCII text can hold a lone surrogate
            try:
                post.text.encode("utf-8")
            except UnicodeEncodeError:
                raise InputError("the text is not valid UTF-8") from None
        return post

    def _languages(self, post: Post, account_language: str | None) -> frozenset[str] | None:
        """The post's languages when the post or the configuration says; ``None``: detect
        them if a rule needs them (:meth:`_detect_languages`)."""
        if post.language:
            return frozenset({post.language})
        if self.config.guard.language != "auto":
            return frozenset({self.config.guard.language})
        if account_language:
            return frozenset({account_language})
        return None

    def _detect_languages(self, ctx: CheckContext) -> frozenset[str]:
        from smguard.guard.language import detect

        return frozenset(detect(ctx.post.text, self.config.guard.language_confidence))

    def _finish(self, batch: Sequence[_Item | Verdict]) -> Iterator[Verdict]:
        items = [b for b in batch if isinstance(b, _Item)]
        for item in items:
            self._run_single(item)
        for rule in self._batched:
            self._run_batched(rule, items)
        for entry in batch:
            yield entry if isinstance(entry, Verdict) else self._verdict(entry)

    def _plan(self, kind: str) -> list[_Step]:
        """The rules that apply to posts of this kind, grouped by engine.

        Pack rules that only match terms are looked up through the shared lexicon index, so
        they are called only for the posts whose words hit them. Rules that always run are
        grouped by their gate, so one test decides for all of them.
        """
        plan = self._plans.get(kind)
        if plan is not None:
            return plan
        plan = []
        for rule in self._single:
            # A rule that overrides applies_to() may look at more than language and kind:
            # ask it for every post.
            custom = type(rule).applies_to is not Rule.applies_to
            if not custom and rule.kinds is not None and kind not in rule.kinds:
                continue
            if not plan or plan[-1].engine != rule.engine:
                plan.append(_Step(rule.engine, [], {}, [], [], []))
            step = plan[-1]
            if custom:
                step.conditional.append(rule)
            elif isinstance(rule, PackRule) and rule.terms and not rule.regexes:
                step.by_hit[rule.id] = rule
            elif ANY_LANGUAGE in rule.languages:
                block = next((b for b in step.blocks if b.gate is rule.gate), None)
                if block is None:
                    step.blocks.append(_Block(rule.gate, [rule]))
                else:
                    block.rules.append(rule)
            elif isinstance(rule, PackRule):
                step.late_language.append(rule)
            else:
                step.one_language.append(rule)
        self._plans[kind] = plan
        return plan

    def _run_single(self, item: _Item) -> None:
        post, ctx, times = item.post, item.ctx, item.times
        findings = item.findings
        gates: dict[Gate, bool] = {}
        clock = time.perf_counter
        started = t0 = clock()
        for step in self._plan(post.kind):
            rules: list[Rule] = []
            for block in step.blocks:
                if block.gate is None or _passes(block.gate, gates, post, ctx):
                    rules.extend(block.rules)
            late: list[Rule] = []
            if step.by_hit or step.conditional or step.one_language:
                more: list[Rule] = []
                if step.by_hit:
                    hit = self._index.hits(ctx)
                    if hit:
                        by_hit = step.by_hit
                        for rule_id in hit:
                            found_rule = by_hit.get(rule_id)
                            if found_rule is None:
                                continue
                            if ctx.languages_known or _any_language(found_rule):
                                if _language_ok(found_rule, ctx):
                                    more.append(found_rule)
                            else:
                                # A rule of one language whose terms are in the post: ask for
                                # the post's language only if the rule finds something.
                                late.append(found_rule)
                if step.conditional:
                    more.extend(r for r in step.conditional if r.applies_to(post, ctx.languages))
                if step.one_language:
                    more.extend(r for r in step.one_language if _language_ok(r, ctx))
                rules.extend(r for r in more if r.gate is None or _passes(r.gate, gates, post, ctx))
            for rule in rules:
                try:
                    findings.extend(rule.check(post, ctx))
                except ModelUnavailable as exc:
                    self._unavailable(item, rule, exc)
                except Exception as exc:
                    self._crashed(item, rule, exc)
            for late_rule in (*late, *step.late_language) if late else step.late_language:
                if late_rule.gate is not None and not _passes(late_rule.gate, gates, post, ctx):
                    continue
                try:
                    found = list(late_rule.check(post, ctx))
                    if found and _language_ok(late_rule, ctx):
                        findings.extend(found)
                except ModelUnavailable as exc:
                    self._unavailable(item, late_rule, exc)
                except Exception as exc:
                    self._crashed(item, late_rule, exc)
            t1 = clock()
            times[step.engine] = times.get(step.engine, 0.0) + (t1 - t0) * 1000
            t0 = t1
        item.own_ms += (t0 - started) * 1000

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
            it.times[rule.engine] = it.times.get(rule.engine, 0.0) + share

    def _engines(self, item: _Item) -> dict[str, EngineStatus]:
        """Each engine's status: skipped or failed as recorded, else ``ok`` with its time."""
        failed, times = item.engines, item.times
        out: dict[str, EngineStatus] = {}
        if failed:
            for name in sorted(times.keys() | failed.keys()):
                out[name] = failed.get(name) or EngineStatus("ok", times[name])
        else:
            for name in sorted(times):
                out[name] = EngineStatus("ok", times[name])
        for key in [k for k in item.ctx.cache if k.startswith("engine_detail:")]:
            name = key[len("engine_detail:") :]
            if name in out:
                out[name] = self._detailed(name, out[name], item)
        return out

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
        decision = self._decide.first(post=item.post, findings=findings, policy=policy)
        if decision is None:
            decision = default_decision(findings, policy)
        return Verdict(
            decision=decision,
            findings=tuple(findings),
            engines=self._engines(item),
            elapsed_ms=item.own_ms + (time.perf_counter() - started) * 1000,
            id=item.post.id,
            languages=tuple(sorted(item.ctx.languages)) if item.ctx.languages_known else LANGUAGES,
        )


def _language_ok(rule: Rule, ctx: CheckContext) -> bool:
    """Whether a rule holds for the post's languages, detecting them only when that decides.

    A post whose language nobody gave is detected as one of :data:`LANGUAGES` (or all of them),
    so a rule for all of those languages holds without asking.
    """
    languages = rule.languages
    if ANY_LANGUAGE in languages:
        return True
    if not ctx.languages_known and languages >= _ALL_LANGUAGES:
        return True
    return not languages.isdisjoint(ctx.languages)


_ALL_LANGUAGES = frozenset(LANGUAGES)


def _any_language(rule: Rule) -> bool:
    """Whether a rule holds whatever a post's (undetected) language turns out to be."""
    return ANY_LANGUAGE in rule.languages or rule.languages >= _ALL_LANGUAGES


def _passes(gate: Gate, seen: dict[Gate, bool], post: Post, ctx: CheckContext) -> bool:
    """A gate's answer for this post, asked once; a gate that fails lets its rules run."""
    answer = seen.get(gate)
    if answer is None:
        try:
            answer = bool(gate(post, ctx))
        except Exception:
            answer = True
        seen[gate] = answer
    return answer


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
