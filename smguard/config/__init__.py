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
    alerts      ``[alerts]``: sinks, routes, retries; the built-in sink types' options
    clarify     ``[clarify]``
    detectors   ``[detectors]``
    plugins     the plugins' own tables (``[plugins.NAME]``, sink types' options), declared
                through the ``register_settings`` hook and checked where the plugins are known
    reports     ``[reports]``, ``[calendar]`` and ``[plan]``
    server      ``[server]``: ``smguard serve``
    file        the whole file's schema (``smguard schema config``)

The whole file is checked when it is loaded; the tables plugins declare, as soon as the plugin
manager meets the configuration (:func:`smguard.config.plugins.check_settings`).

May import only the kernel (:mod:`smguard.types`, :mod:`smguard.errors`, :mod:`smguard.manager`);
every other layer reads its settings from here.
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
