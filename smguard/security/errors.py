"""Errors of account security, each with its message in English and Indonesian.

``str(error)`` is the English line (what logs and other callers see); the CLI shows
``error.text(lang)``. No message ever contains a seed, a code or a key.
"""

from __future__ import annotations

from smguard.errors import AuthError, ConfigError, SmguardError

__all__ = ["InventoryError", "KeyConfigError", "Refused", "SecretError", "SecurityProblem"]


class SecurityProblem(SmguardError):
    """A one-line problem with an English and an Indonesian wording."""

    def __init__(self, en: str, id: str | None = None) -> None:
        self.texts = {"en": en, "id": id or en}
        super().__init__(en)

    def text(self, lang: str) -> str:
        return self.texts.get(lang, self.texts["en"])


class Refused(SecurityProblem, AuthError):
    """The admin could not prove who they are, is locked out, or lacks the role."""


class InventoryError(SecurityProblem):
    """An account or admin does not exist, or an inventory change is not allowed."""


class SecretError(SecurityProblem):
    """A stored secret cannot be decrypted (wrong or missing key, or a tampered record)."""


class KeyConfigError(SecurityProblem, ConfigError):
    """The encryption key is missing, malformed or unsafe (names the variable or file)."""
