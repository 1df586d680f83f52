"""smguard's exceptions.

    SmguardError            anything smguard raises on purpose; the CLI prints its message alone
    ├── ConfigError         smguard.toml or an environment override is wrong (names the key)
    ├── InputError          a post (or a line of a batch) is malformed
    ├── RulePackError       a rule pack cannot be loaded (names file, rule id and problem)
    ├── PluginError         a plugin failed to load or registered something invalid
    ├── ModelUnavailable    an engine's model is not installed (carries the command that fixes it)
    ├── StorageError        the database cannot be reached or used
    └── AuthError           an admin could not prove who they are, or may not do this

Every message is one line written for the person who has to fix the problem.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "ConfigError",
    "InputError",
    "ModelUnavailable",
    "PluginError",
    "RulePackError",
    "SmguardError",
    "StorageError",
]


class SmguardError(Exception):
    """Base class: an expected failure with a message meant for a person."""


class ConfigError(SmguardError):
    """The configuration is invalid."""


class InputError(SmguardError):
    """A post or batch line is malformed."""


class RulePackError(SmguardError):
    """A rule pack is malformed."""

    def __init__(self, problem: str, *, file: str | None = None, rule: str | None = None) -> None:
        self.file = file
        self.rule = rule
        self.problem = problem
        where = ", ".join(p for p in (file, f"rule {rule}" if rule else None) if p)
        super().__init__(f"{where}: {problem}" if where else problem)


class PluginError(SmguardError):
    """A plugin could not be loaded or registered something invalid."""


class ModelUnavailable(SmguardError):
    """A model an engine needs is not available; ``fix`` is the command that installs it."""

    def __init__(self, reason: str, fix: str | None = None) -> None:
        self.reason = reason
        self.fix = fix
        super().__init__(reason if not fix else f"{reason} (fix: {fix})")


class StorageError(SmguardError):
    """The database cannot be reached or used (says where, password hidden, and why)."""


class AuthError(SmguardError):
    """A second factor was wrong, reused or locked out, or the admin lacks the role (says which)."""
