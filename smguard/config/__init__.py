"""Configuration: ``smguard.toml`` plus environment overrides, checked when it is loaded.

Modules:

    loader      :class:`Config`: finding and reading the file, ``SMGUARD_<SECTION>__<KEY>``
                overrides
    schema      the declarative checking (msgspec structs) and its one-line errors
    core        ``[guard]``, ``[rules]``, ``[plugins]``, ``[storage]``, ``[incidents]``, ``[watch]``
    policy      ``[policy]`` and per-account policy overrides
    security    ``[organisation]``, ``[security]``, ``[approvals]``, ``[admins.NAME]`` and the
                inventory keys of ``[accounts.NAME]``
    accounts    ``[accounts.NAME]``
    file        the whole file's schema (``smguard schema config``)

May import only the kernel (:mod:`smguard.types`, :mod:`smguard.errors`); every other layer reads
its settings from here.
"""

from __future__ import annotations

from smguard.config.accounts import AccountSettings, AccountWatch
from smguard.config.core import GuardSettings, WatchSettings
from smguard.config.loader import CONFIG_FILE, Config

__all__ = [
    "CONFIG_FILE",
    "AccountSettings",
    "AccountWatch",
    "Config",
    "GuardSettings",
    "WatchSettings",
]
