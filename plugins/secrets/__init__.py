"""Secret rules: API keys and access tokens, private keys, passwords, PINs and one-time codes.

A secret published on a public account must be treated as stolen: the fix is to revoke or
change it, not only to delete the post. Evidence is masked to the first four characters
(``ghp_***``), so the secret is not copied into logs.

Options (``[plugins.secrets]`` in ``smguard.toml``)::

    min_entropy = 3.0            # bits per character a "token = ..." value needs to count
    allow       = ["AKIAIOSFODNN7EXAMPLE"]   # known dummy values used in your tutorials
"""

from __future__ import annotations

from collections.abc import Callable

from smguard import hookimpl
from smguard.config import Config
from smguard.config.schema import Table
from smguard.guard.rule import Rule

from .rules import PLUGIN, build_rules
from .settings import SecretSettings

__all__ = ["register_rules", "register_settings"]


@hookimpl
def register_settings(register: Callable[[str, type[Table]], None]) -> None:
    register(PLUGIN, SecretSettings)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    settings = config.plugin_settings(PLUGIN, SecretSettings)
    for rule in build_rules(settings):
        register(rule)
