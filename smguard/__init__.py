"""smguard: a security and moderation guard for organisations' social-media accounts.

from smguard import Guard
guard = Guard.from_config()
verdict = guard.check("Terima kasih, Kak!")
verdict.decision  # "allow" | "review" | "block"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

from smguard._version import __version__

hookimpl = pluggy.HookimplMarker("smguard")

__all__ = [
    "Finding",
    "Guard",
    "Post",
    "Rule",
    "Severity",
    "Verdict",
    "__version__",
    "hookimpl",
]

if TYPE_CHECKING:
    from smguard.guard.engine import Guard
    from smguard.guard.rule import Rule
    from smguard.types import Finding, Post, Severity, Verdict


def __getattr__(name: str) -> Any:
    # Lazy, so that `import smguard` (done by every plugin for `hookimpl`) stays cheap.
    if name == "Guard":
        from smguard.guard.engine import Guard

        return Guard
    if name == "Rule":
        from smguard.guard.rule import Rule

        return Rule
    if name in ("Finding", "Post", "Severity", "Verdict"):
        from smguard import types

        return getattr(types, name)
    raise AttributeError(f"module 'smguard' has no attribute {name!r}")
