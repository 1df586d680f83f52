"""``[policy]``: the thresholds that turn findings into a decision (allow / review / block).

The defaults suit an organisation's public account: anything ``high`` or worse blocks, ``medium``
goes to a person for review, ``low`` and ``info`` are shown but allowed. Categories and accounts
can tighten or loosen that; an engine failure (``integrity``) follows ``on_engine_error``.
:mod:`smguard.guard.policy` applies the thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, TypeAlias

from smguard.config.schema import Table, choice, convert
from smguard.types import CATEGORIES, DECISIONS, Decision, Finding, Severity

__all__ = ["CategoryPolicy", "PolicySettings", "PolicyTable", "parse_policy"]

SEVERITY: TypeAlias = Annotated[str, choice("a severity", tuple(s.label for s in Severity))]
DECISION: TypeAlias = Annotated[str, choice("a decision", DECISIONS)]


class CategoryTable(Table, frozen=True):
    """``[policy.categories.NAME]``: thresholds for one category (unset: the policy's own)."""

    block_at: SEVERITY | None = None
    review_at: SEVERITY | None = None


class CategoriesTable(Table, frozen=True):
    """``[policy.categories]``: one optional table per finding category (``CATEGORIES``)."""

    unknown_key = "unknown category"

    toxicity: CategoryTable | None = None
    hate: CategoryTable | None = None
    harassment: CategoryTable | None = None
    sexual: CategoryTable | None = None
    profanity: CategoryTable | None = None
    spam: CategoryTable | None = None
    link: CategoryTable | None = None
    pii: CategoryTable | None = None
    secret: CategoryTable | None = None
    tone: CategoryTable | None = None
    timing: CategoryTable | None = None
    brand: CategoryTable | None = None
    integrity: CategoryTable | None = None


class PolicyTable(Table, frozen=True):
    """``[policy]`` (or ``[accounts.NAME.policy]``, which overrides it key by key)."""

    block_at: SEVERITY | None = None
    review_at: SEVERITY | None = None
    #: What an engine that crashed or is required but unavailable does to the decision.
    on_engine_error: DECISION | None = None
    categories: CategoriesTable | None = None


@dataclass(frozen=True)
class CategoryPolicy:
    """Thresholds for one category; ``None`` falls back to the policy-wide threshold."""

    block_at: Severity | None = None
    review_at: Severity | None = None


_NO_OVERRIDE = CategoryPolicy()


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
        cat = self.categories.get(finding.category, _NO_OVERRIDE)
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

    def applied(self, table: PolicyTable) -> PolicySettings:
        """This policy with the keys ``table`` sets replaced."""

        def sev(value: str | None, current: Severity | None) -> Severity | None:
            return current if value is None else Severity.parse(value)

        categories = dict(self.categories)
        if table.categories is not None:
            for name in CATEGORIES:
                spec: CategoryTable | None = getattr(table.categories, name)
                if spec is None:
                    continue
                current = categories.get(name, CategoryPolicy())
                categories[name] = CategoryPolicy(
                    sev(spec.block_at, current.block_at), sev(spec.review_at, current.review_at)
                )
        decision = table.on_engine_error
        return replace(
            self,
            block_at=sev(table.block_at, self.block_at) or self.block_at,
            review_at=sev(table.review_at, self.review_at) or self.review_at,
            categories=categories,
            on_engine_error=decision.lower() if decision else self.on_engine_error,  # type: ignore[arg-type]
        )


def parse_policy(
    table: Mapping[str, Any], where: str, base: PolicySettings | None = None
) -> PolicySettings:
    """Check a ``[policy]``-shaped table; errors name the offending key (``where.key``)."""
    return (base or PolicySettings()).applied(convert(table, PolicyTable, where))
