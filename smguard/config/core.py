"""The guard-wide tables of ``smguard.toml``: ``[guard]``, ``[rules]``, ``[plugins]``,
``[storage]``, ``[incidents]`` and ``[watch]``.

Each table is a :class:`~smguard.config.schema.Table`; where the file's shape is also the shape
the rest of smguard reads (``[guard]``, ``[watch]``), the table *is* the settings object.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from msgspec import Meta

from smguard.config.schema import Table, choice, invalid, timezone
from smguard.errors import ConfigError
from smguard.types import LANGUAGES

__all__ = [
    "GuardSettings",
    "IncidentsTable",
    "PluginsTable",
    "RulesTable",
    "StorageTable",
    "WatchSettings",
    "plugin_tables",
]

LANGUAGE: TypeAlias = Annotated[str, choice("a language", LANGUAGES)]
LANGUAGE_OR_AUTO: TypeAlias = Annotated[str, choice("a language", ("auto", *LANGUAGES))]
_NAMES: TypeAlias = str | tuple[str, ...]


class GuardSettings(Table, frozen=True):
    """``[guard]``: languages, the size limit of a post, the default time zone."""

    #: ``auto`` detects each post's language; ``en`` / ``id`` forces one.
    language: LANGUAGE_OR_AUTO = "auto"
    #: Language of messages and suggestions shown to people.
    ui_language: LANGUAGE = "en"
    #: Below this detection confidence both the English and Indonesian packs run.
    language_confidence: Annotated[float, Meta(ge=0, le=1)] = 0.95
    #: Longer texts are checked up to this many characters and get an integrity finding.
    max_chars: Annotated[int, Meta(ge=1)] = 20_000
    #: Time zone of accounts that do not name their own.
    timezone: str = "Asia/Jakarta"

    def __post_init__(self) -> None:
        timezone(self.timezone, "timezone")

    def normalised(self) -> GuardSettings:
        """The languages lower-cased and the confidence a float (TOML may give ``1``)."""
        return GuardSettings(
            language=self.language.lower(),
            ui_language=self.ui_language.lower(),
            language_confidence=float(self.language_confidence),
            max_chars=self.max_chars,
            timezone=self.timezone,
        )


class RulesTable(Table, frozen=True):
    """``[rules]``: your own rule packs (relative to the file) and rules turned off."""

    paths: _NAMES = ()
    disable: _NAMES = ()


class PluginsTable(Table, frozen=True, forbid_unknown_fields=False):
    """``[plugins]``: ``disable`` lists plugins not to load; ``[plugins.NAME]`` holds one
    plugin's options, checked by that plugin's own schema."""

    disable: _NAMES = ()


class StorageTable(Table, frozen=True):
    """``[storage]``: where the database is, and whether checked texts are kept."""

    #: A SQLAlchemy URL; ``SMGUARD_DATABASE_URL`` wins. Default: SQLite in the user data folder.
    url: Annotated[str, Meta(min_length=1)] | None = None
    #: Keep the full text of recorded checks (default: a fingerprint only).
    store_text: bool = False


class IncidentsTable(Table, frozen=True):
    """``[incidents]``: which check decisions open a ``blocked_post`` incident."""

    open_on: Annotated[str, choice("a decision", ("block", "review", "never"))] = "block"


class WatchSettings(Table, frozen=True):
    """``[watch]``: how ``smguard watch`` polls accounts (see docs/watch.md)."""

    #: Seconds between two polling cycles.
    interval_s: Annotated[float, Meta(ge=1, le=86_400)] = 60.0
    #: Seconds to wait for a platform's answer.
    timeout_s: Annotated[float, Meta(ge=0.1, le=300)] = 10.0
    #: Tries after a failed request (server error, 429, network), with growing pauses.
    retries: Annotated[int, Meta(ge=0, le=10)] = 3
    #: The longest ``Retry-After`` pause smguard honours; a longer one fails this cycle.
    retry_after_max_s: Annotated[float, Meta(ge=0, le=3600)] = 120.0
    #: Posts read on an account's first poll (older ones: ingest an export).
    backfill: Annotated[int, Meta(ge=0, le=10_000)] = 40
    #: Pages read per account and cycle; the rest waits for the next cycle.
    max_pages: Annotated[int, Meta(ge=1, le=1000)] = 10
    #: The newest posts read again each cycle to catch edits (0: do not look for edits).
    recheck_edits: Annotated[int, Meta(ge=0, le=40)] = 20
    #: Failed cycles in a row before the account's watch failure opens an incident.
    failures_before_incident: Annotated[int, Meta(ge=1, le=1000)] = 3
    #: How long one watcher holds an account (PostgreSQL: several watchers share the accounts).
    lease_s: Annotated[float, Meta(ge=10, le=86_400)] = 300.0

    def __post_init__(self) -> None:
        if self.lease_s < 4 * self.timeout_s:
            invalid("lease_s", "must be at least 4 × watch.timeout_s")


def plugin_tables(table: PluginsTable, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``[plugins.NAME]`` tables of ``raw`` (the ``[plugins]`` table as written)."""
    options: dict[str, dict[str, Any]] = {}
    for name, value in raw.items():
        if name == "disable":
            continue
        if not isinstance(value, dict):
            raise ConfigError(f"plugins.{name}: must be a table ([plugins.{name}])")
        options[name] = value
    return options
