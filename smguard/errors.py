"""smguard's exceptions, and the bilingual message they carry.

Every exception smguard raises on purpose is a :class:`SmguardError` whose message is a
:class:`Text`: one line in English and, where someone wrote it, in Indonesian (a plain string is
an English-only message, shown in both languages). ``str(error)`` is the English line — what logs
and other callers see; ``error.text(lang)`` is the line in the user's language, which the records
and security commands print. Every message is one line written for the person who has to fix the
problem, and never contains a secret (seed, code, key, token).

The whole tree (where a class is defined outside this module, its package is named)::

    SmguardError                 anything smguard raises on purpose; the CLI prints its message
    ├── ConfigError              smguard.toml or an environment override is wrong (names the key)
    │   ├── KeyConfigError       security: the encryption key is missing, malformed or unsafe ⁽ˢ⁾
    │   └── DetectorFileError    plugins: a YAML detector file is unusable (file, detector, why)
    ├── InputError               a post (or a line of a batch) is malformed
    │   ├── ExportError          watch: an export cannot be read (file, line, column)
    │   └── RecordInputError     records: a name, reason or text a person must give is missing ⁽ʳ⁾
    ├── RulePackError            a rule pack cannot be loaded (names file, rule id and problem)
    ├── PluginError              a plugin failed to load or registered something invalid
    ├── ModelUnavailable         an engine's model is not installed (carries the fixing command)
    ├── StorageError             the database cannot be reached or used
    ├── AuthError                an admin could not prove who they are, or may not do this
    │   └── Refused              security: wrong, reused or locked-out code; missing role ⁽ˢ⁾
    ├── RecordError              records: a change to a record was refused
    │   ├── RecordInputError     (above)
    │   ├── IncidentNotFound     no incident with that number
    │   ├── InvalidTransition    the incident's status does not allow this step
    │   └── ClarificationError   a clarification step was refused or a template is unusable
    │       └── ClarificationNotFound
    ├── SecurityProblem          security: a problem of account security
    │   ├── Refused, KeyConfigError (above)
    │   ├── InventoryError       an account or admin does not exist, or the change is not allowed
    │   │   └── SeedInputError   the text given as a 2FA seed is not one (never quoted)
    │   └── SecretError          a stored secret cannot be decrypted (wrong key, tampered record)
    ├── DeliveryError            alerting: an alert could not be delivered (no secrets in it)
    │   └── TargetRefused        the target resolves to an address alerts may not go to
    ├── ConnectorError           watch: polling one account failed (server, token, account)
    ├── WatchStopped             watch: asked to stop while a connector waited
    ├── LeaseLost                watch: another watcher took the account over
    └── ModelStoreError          toxicity: a model cannot be found, installed or read
        ├── ModelInvalid         a file is not a usable detoxify checkpoint
        ├── DownloadError        a model could not be downloaded
        └── ExportRefused        an export's scores differ from torch's: nothing installed

    ⁽ʳ⁾ also a RecordError   ⁽ˢ⁾ also a SecurityProblem
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AuthError",
    "ConfigError",
    "InputError",
    "ModelUnavailable",
    "PluginError",
    "RulePackError",
    "SmguardError",
    "StorageError",
    "Text",
]


@dataclass(frozen=True)
class Text:
    """One message in English and Indonesian; ``id`` empty means "the English one".

    ``str(text)`` is the English line; :meth:`pick` chooses by language code.
    """

    en: str
    id: str = ""

    def pick(self, lang: str) -> str:
        """The message in ``lang`` (``"id"`` or ``"en"``), English for anything else."""
        return self.id if lang == "id" and self.id else self.en

    def as_dict(self) -> dict[str, str]:
        """``{"en": …, "id": …}``, both filled in."""
        return {"en": self.en, "id": self.id or self.en}

    def __str__(self) -> str:
        return self.en


class SmguardError(Exception):
    """Base class: an expected failure with a message meant for a person.

    ``SmguardError("English line")``, ``SmguardError("English line", "Kalimat Indonesia")`` or
    ``SmguardError(Text(en, id))``.
    """

    def __init__(self, message: str | Text = "", id: str | None = None) -> None:
        self.message = message if isinstance(message, Text) else Text(str(message), id or "")
        super().__init__(self.message.en)

    @property
    def texts(self) -> dict[str, str]:
        """The message in every language: ``{"en": …, "id": …}``."""
        return self.message.as_dict()

    def text(self, lang: str) -> str:
        """The message in ``lang``, English when it has no translation."""
        return self.message.pick(lang)


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
        # A damaged pack can make anything its rule id: the message quotes the start of it.
        shown = rule if rule is None or len(rule) <= 64 else rule[:64] + "…"
        where = ", ".join(p for p in (file, f"rule {shown}" if shown else None) if p)
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
