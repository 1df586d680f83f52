"""Errors of account security, each with its message in English and Indonesian.

``str(error)`` is the English line (what logs and other callers see); the CLI shows
``error.text(lang)``. No message ever contains a seed, a code or a key. The whole tree of
smguard's errors is drawn in :mod:`smguard.errors`.
"""

from __future__ import annotations

from smguard.errors import AuthError, ConfigError, SmguardError

__all__ = ["InventoryError", "KeyConfigError", "Refused", "SecretError", "SecurityProblem"]


class SecurityProblem(SmguardError):
    """A problem of account security: a refusal, a missing admin, an unreadable secret."""


class Refused(SecurityProblem, AuthError):
    """The admin could not prove who they are, is locked out, or lacks the role."""


class InventoryError(SecurityProblem):
    """An account or admin does not exist, or an inventory change is not allowed."""


class SecretError(SecurityProblem):
    """A stored secret cannot be decrypted (wrong or missing key, or a tampered record)."""


class KeyConfigError(SecurityProblem, ConfigError):
    """The encryption key is missing, malformed or unsafe (names the variable or file)."""
