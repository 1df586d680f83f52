"""``[policy]``: the thresholds that turn findings into a decision (allow / review / block).

The defaults suit an organisation's public account: anything ``high`` or worse blocks, ``medium``
goes to a person for review, ``low`` and ``info`` are shown but allowed. Categories and accounts
can tighten or loosen that; an engine failure (``integrity``) follows ``on_engine_error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from smguard.errors import ConfigError
from smguard.types import CATEGORIES, DECISIONS, Decision, Finding, Severity

__all__ = ["CategoryPolicy", "PolicySettings", "parse_policy"]


@dataclass(frozen=True)
class CategoryPolicy:
    """Thresholds for one category; ``None`` falls back to the policy-wide threshold."""

    block_at: Severity | None = None
    review_at: Severity | None = None


@dataclass(frozen=True)
class PolicySettings:
    block_at: Severity = Severity.HIGH
    review_at: Severity = Severity.MEDIUM
    categories: Mapping[str, CategoryPolicy] = field(default_factory=dict)
    #: What an engine that crashed or is required but unavailable does to the decision.
    on_engine_error: Decision = "review"

    def for_finding(self, finding: Finding) -> Decision:
        if finding.category == "integrity":
            return self.on_engine_error
        cat = self.categories.get(finding.category, CategoryPolicy())
        block_at = cat.block_at if cat.block_at is not None else self.block_at
        review_at = cat.review_at if cat.review_at is not None else self.review_at
        if finding.severity >= block_at:
            return "block"
        if finding.severity >= review_at:
            return "review"
        return "allow"

    def merged(self, overrides: Mapping[str, Any], where: str) -> PolicySettings:
        """Return a copy with ``overrides`` (a ``[policy]``-shaped table) applied."""
        return parse_policy(overrides, where, base=self)


def _severity(value: Any, key: str) -> Severity:
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None


def parse_policy(
    table: Mapping[str, Any], where: str, base: PolicySettings | None = None
) -> PolicySettings:
    """Validate a ``[policy]`` table; errors name the offending key (``where.key``)."""
    policy = base or PolicySettings()
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: must be a table")
    known = {"block_at", "review_at", "categories", "on_engine_error"}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}.{key}: unknown setting (known: {', '.join(sorted(known))})")
    changes: dict[str, Any] = {}
    if "block_at" in table:
        changes["block_at"] = _severity(table["block_at"], f"{where}.block_at")
    if "review_at" in table:
        changes["review_at"] = _severity(table["review_at"], f"{where}.review_at")
    if "on_engine_error" in table:
        value = table["on_engine_error"]
        if value not in DECISIONS:
            raise ConfigError(
                f"{where}.on_engine_error: {value!r} is not one of {', '.join(DECISIONS)}"
            )
        changes["on_engine_error"] = value
    if "categories" in table:
        cats = table["categories"]
        if not isinstance(cats, Mapping):
            raise ConfigError(f"{where}.categories: must be a table of category names")
        merged = dict(policy.categories)
        for name, spec in cats.items():
            key = f"{where}.categories.{name}"
            if name not in CATEGORIES:
                raise ConfigError(f"{key}: unknown category (one of {', '.join(CATEGORIES)})")
            if not isinstance(spec, Mapping):
                raise ConfigError(f"{key}: must be a table with block_at and/or review_at")
            for sub in spec:
                if sub not in ("block_at", "review_at"):
                    raise ConfigError(f"{key}.{sub}: unknown setting (block_at, review_at)")
            current = merged.get(name, CategoryPolicy())
            merged[name] = CategoryPolicy(
                block_at=_severity(spec["block_at"], f"{key}.block_at")
                if "block_at" in spec
                else current.block_at,
                review_at=_severity(spec["review_at"], f"{key}.review_at")
                if "review_at" in spec
                else current.review_at,
            )
        changes["categories"] = merged
    return replace(policy, **changes)
