"""The loaded packs (:class:`PackSet`) and the one lexicon index their rules share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smguard.guard.lexicon import PhraseMatcher
from smguard.guard.packs.rule import PackRule
from smguard.guard.rule import CheckContext
from smguard.types import LANGUAGES, Post

__all__ = ["LexiconIndex", "PackSet"]

_ALL_LANGUAGES = frozenset(LANGUAGES)


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
        #: Word → lexicon forms, and what each word can stand for: they depend on the slang
        #: table only, so every matcher of the index shares them (and the guard's posts too).
        self.forms_cache: dict[str, tuple[str, ...]] = {}
        self._candidates: dict[str, Any] = {}

    def matcher(self, languages: frozenset[str], kind: str) -> PhraseMatcher[tuple[str, str]]:
        key = (languages, kind)
        matcher = self._matchers.get(key)
        if matcher is None:
            probe = Post(text=".", kind=kind)
            matcher = PhraseMatcher(self.slang, forms=self.forms_cache, candidates=self._candidates)
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
        # Until something needs the post's language, every language's terms are looked up:
        # the engine then asks for the language only about the rules that found something.
        languages = ctx.languages if ctx.languages_known else _ALL_LANGUAGES
        matcher = self.matcher(languages, ctx.post.kind)
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
