"""Run rules against their own examples (the packs' built-in tests).

``bad`` examples must make the rule fire; ``good`` examples must not. The test suite runs this for
every shipped rule, and ``smguard rules test PATH`` runs it for a user's own pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smguard.guard.rule import Example, Rule

if TYPE_CHECKING:
    from smguard.guard.engine import Guard

__all__ = ["ExampleResult", "run_examples"]


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    example: Example
    fired: bool

    @property
    def passed(self) -> bool:
        return self.fired == self.example.bad

    def describe(self) -> str:
        want = "should fire" if self.example.bad else "should not fire"
        got = "fired" if self.fired else "did not fire"
        return f"{self.rule}: {want} but {got} on {self.example.text!r}"


def run_examples(guard: Guard, rule: Rule) -> list[ExampleResult]:
    """Check each of the rule's examples with the full guard and see whether the rule fired."""
    results = []
    for example in rule.examples:
        verdict = guard.check(example.to_post(rule))
        if verdict.error:
            raise ValueError(
                f"{rule.id}: example {example.text!r} is not a valid post: {verdict.error}"
            )
        fired = any(f.rule == rule.id for f in verdict.findings)
        results.append(ExampleResult(rule.id, example, fired))
    return results
