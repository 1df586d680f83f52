"""The default policy: severity thresholds per category and account (see smguard.guard.policy)."""

from __future__ import annotations

from collections.abc import Sequence

from smguard import hookimpl
from smguard.config.policy import PolicySettings
from smguard.guard.policy import default_decision
from smguard.types import Finding, Post


@hookimpl(trylast=True)
def decide(post: Post, findings: Sequence[Finding], policy: PolicySettings) -> str:
    return default_decision(findings, policy)
