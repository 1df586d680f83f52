"""What a rule is: metadata every rule carries, and the ``check`` the engine calls.

Rules come from two places: rule packs (YAML, see :mod:`smguard.guard.packs`) and plugins that
register code rules through the ``register_rules`` hook. Both are :class:`Rule` objects, so the
engine, ``smguard rules list/show`` and the example tests treat them the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from smguard.errors import ModelUnavailable, RulePackError
from smguard.safejson import short
from smguard.types import CATEGORIES, LANGUAGES, Finding, Post, Severity

if TYPE_CHECKING:
    from smguard.config import AccountSettings, Config
    from smguard.guard.normalize import NormalizedText

__all__ = ["CheckContext", "Example", "Gate", "Rule"]

ANY_LANGUAGE = "*"

#: A rule's precondition (:attr:`Rule.gate`): may any rule behind it flag this post?
Gate = Callable[[Post, "CheckContext"], bool]


@dataclass(frozen=True)
class Example:
    """A rule example: the post input (at least ``text``) and whether the rule must fire."""

    post: Mapping[str, Any]
    bad: bool

    @classmethod
    def of(cls, text: str, bad: bool, **post: Any) -> Example:
        """An example post: ``Example.of("dasar goblok", True, kind="reply")``."""
        return cls({"text": text, **post}, bad=bad)

    @property
    def text(self) -> str:
        return str(self.post.get("text", ""))

    def to_post(self, rule: Rule) -> Post:
        data = dict(self.post)
        if "language" not in data and ANY_LANGUAGE not in rule.languages:
            data["language"] = sorted(rule.languages)[0]
        if "kind" not in data and rule.kinds and "post" not in rule.kinds:
            data["kind"] = sorted(rule.kinds)[0]
        return Post.from_dict(data)


class CheckContext:
    """Per-post state shared by every rule: normalised text, languages, account settings.

    Normalisation is computed once, on first use, and shared by all rules that need it.
    ``cache`` lets an engine memoise work across its rules for the same post; an engine that
    wants the verdict to say which model or backend it used puts that text under
    ``cache["engine_detail:<engine>"]`` (shown as the engine status's ``detail``).
    """

    def __init__(
        self,
        post: Post,
        languages: frozenset[str] | None,
        config: Config,
        account: AccountSettings,
        detect: Callable[[CheckContext], frozenset[str]] | None = None,
    ) -> None:
        self.post = post
        self._languages = languages
        self._detect = detect
        self.config = config
        self.account = account
        self.cache: dict[str, Any] = {}
        #: Slang spellings → lexicon words, from the loaded rule packs (set by the engine).
        self.slang: Mapping[str, str] = {}
        #: Word → lexicon forms, shared by the posts of one guard (set by the engine).
        self.forms_cache: dict[str, tuple[str, ...]] | None = None

    @property
    def languages(self) -> frozenset[str]:
        """The post's languages. When the post did not say and nothing decided it, they are
        detected on first use: the engine asks only when a rule of one language found
        something, so most posts are never detected at all."""
        languages = self._languages
        if languages is None:
            languages = self._detect(self) if self._detect is not None else frozenset(LANGUAGES)
            self._languages = languages
        return languages

    @languages.setter
    def languages(self, value: frozenset[str]) -> None:
        self._languages = value

    @property
    def languages_known(self) -> bool:
        """Whether :attr:`languages` is settled (given, configured or already detected)."""
        return self._languages is not None

    @cached_property
    def lower(self) -> str:
        """The post's text lower-cased, computed once and shared by code rules."""
        return self.post.text.lower()

    @cached_property
    def norm(self) -> NormalizedText:
        from smguard.guard.normalize import normalize

        return normalize(self.post.text, self.slang, self.forms_cache)

    @cached_property
    def reply_norm(self) -> NormalizedText | None:
        from smguard.guard.normalize import normalize

        if self.post.in_reply_to is None:
            return None
        return normalize(self.post.in_reply_to.text, self.slang, self.forms_cache)


@dataclass(eq=False)
class Rule:
    """Base class of every rule. Subclasses implement :meth:`check` (and may batch).

    ``languages`` holds language codes the rule applies to, or ``"*"`` for every language;
    ``kinds`` limits the rule to some post kinds (``None``: all kinds). ``engine`` names the group
    the rule's time and health are reported under in a verdict.
    """

    id: str
    name: str
    category: str
    severity: Severity
    engine: str
    message: Mapping[str, str]
    why: Mapping[str, str] = field(default_factory=dict)
    suggestion: Mapping[str, str] | None = None
    languages: frozenset[str] = frozenset({ANY_LANGUAGE})
    kinds: frozenset[str] | None = None
    examples: tuple[Example, ...] = ()
    status: str = "stable"
    false_positives: tuple[str, ...] = ()
    source: str = ""
    #: A batched rule gets :meth:`check_batch` with all applicable posts at once (a class
    #: attribute, so a subclass just says ``batch = True``).
    batch: ClassVar[bool] = False
    #: A required rule that cannot run (``ModelUnavailable``) adds an integrity finding.
    required: bool = field(default=False, kw_only=True)
    #: A cheap test the post must pass for this rule to find anything (``None``: no test).
    #: Rules that share one gate share its answer: the engine asks it once per post and skips
    #: all of them when it says no, so a plugin's rules cost one test on the posts they cannot
    #: flag. A gate must never say no to a post that one of its rules would flag; a gate that
    #: raises counts as yes (the rules run and report their own errors).
    gate: Gate | None = field(default=None, kw_only=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise RulePackError(
                f"unknown category {short(self.category)} (one of {', '.join(CATEGORIES)})",
                file=self.source or None,
                rule=self.id,
            )
        if "en" not in self.message:
            raise RulePackError("message needs at least an 'en' text", rule=self.id)

    def applies_to(self, post: Post, languages: frozenset[str]) -> bool:
        if self.kinds is not None and post.kind not in self.kinds:
            return False
        return ANY_LANGUAGE in self.languages or not self.languages.isdisjoint(languages)

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        """Return the findings of this rule for one post (empty when it does not fire)."""
        raise NotImplementedError

    def check_batch(
        self, items: Sequence[tuple[Post, CheckContext]]
    ) -> Sequence[list[Finding] | ModelUnavailable]:
        """Check many posts at once; the default calls :meth:`check` for each.

        An entry may be a :class:`~smguard.errors.ModelUnavailable` instead of findings when
        that post alone cannot be checked (say, no model for its language); raising it instead
        marks the whole batch.
        """
        return [list(self.check(post, ctx)) for post, ctx in items]

    def finding(
        self,
        *,
        span: tuple[int, int] | None = None,
        evidence: str | None = None,
        score: float | None = None,
        severity: Severity | None = None,
        message: Mapping[str, str] | None = None,
        suggestion: Mapping[str, str] | None = None,
        category: str | None = None,
    ) -> Finding:
        """Build a finding carrying this rule's id, category, severity, message and suggestion."""
        return Finding(
            rule=self.id,
            category=category or self.category,
            severity=self.severity if severity is None else severity,
            message=self.message if message is None else message,
            engine=self.engine,
            span=span,
            evidence=evidence,
            suggestion=self.suggestion if suggestion is None else suggestion,
            score=score,
        )

    @property
    def bad_examples(self) -> list[Example]:
        return [e for e in self.examples if e.bad]

    @property
    def good_examples(self) -> list[Example]:
        return [e for e in self.examples if not e.bad]


def examples_from(
    spec: Mapping[str, Any] | None, *, rule: str = "", file: str = ""
) -> tuple[Example, ...]:
    """Parse ``{"bad": [...], "good": [...]}`` where each item is a text or a post object."""
    if not spec:
        return ()
    if not isinstance(spec, Mapping):
        raise RulePackError(
            "'examples' must be a mapping with 'bad' and/or 'good' lists",
            file=file or None,
            rule=rule or None,
        )
    out: list[Example] = []
    for key in ("bad", "good"):
        items = spec.get(key) or []
        if not isinstance(items, list):
            raise RulePackError(
                f"'examples.{key}' must be a list", file=file or None, rule=rule or None
            )
        for item in items:
            if isinstance(item, str):
                out.append(Example.of(item, key == "bad"))
            elif isinstance(item, Mapping) and isinstance(item.get("text"), str):
                out.append(Example(dict(item), bad=key == "bad"))
            else:
                raise RulePackError(
                    f"'examples.{key}' items must be texts or objects with a 'text'",
                    file=file or None,
                    rule=rule or None,
                )
    extra = sorted(set(spec) - {"bad", "good"})
    if extra:
        raise RulePackError(
            f"unknown key(s) in examples: {', '.join(extra)}", file=file or None, rule=rule or None
        )
    return tuple(out)
