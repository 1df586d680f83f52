"""Policy: how findings become a decision (allow / review / block).

The thresholds come from ``[policy]`` (:class:`smguard.config.policy.PolicySettings`); this module
applies them: the most severe outcome of any finding wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from smguard.config.policy import PolicySettings
from smguard.types import Decision, Finding

__all__ = ["default_decision"]

_RANK = {"allow": 0, "review": 1, "block": 2}


def default_decision(findings: Sequence[Finding], policy: PolicySettings) -> Decision:
    decision: Decision = "allow"
    for finding in findings:
        d = policy.for_finding(finding)
        if _RANK[d] > _RANK[decision]:
            decision = d
            if decision == "block":
                break
    return decision
