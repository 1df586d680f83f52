"""Personal data rules: e-mail addresses, phone numbers, Indonesian ID numbers (NIK), payment
card numbers and bank account numbers.

Evidence is always masked (``0812****7890``, ``3174********0001``, ``a***@gmail.com``): smguard
must not copy personal data into logs, alerts or reports.

Options (``[plugins.pii]`` in ``smguard.toml``)::

    own_domains    = ["kemkes.go.id"]        # e-mail at these domains is the organisation's own
    allow_emails   = ["humas@partner.or.id"] # published addresses that are fine
    allow_numbers  = ["1500-567", "0812-1000-2000"]  # your published hotline / WhatsApp numbers
    allow_accounts = ["1234567890"]          # your published donation / payment accounts
    regions        = ["ID"]                  # how numbers without +country code are read

Each account's ``own_domains`` and the ``own_domains`` of ``[plugins.links]`` count as own too.
"""

from __future__ import annotations

from collections.abc import Callable

from smguard import hookimpl
from smguard.config import Config
from smguard.config.schema import Table
from smguard.guard.rule import Rule

from .rules import PLUGIN, build_rules
from .settings import PiiTable, pii_settings

__all__ = ["register_rules", "register_settings"]


@hookimpl
def register_settings(register: Callable[[str, type[Table]], None]) -> None:
    register(PLUGIN, PiiTable)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    # The links plugin's own domains, as written: that plugin checks its table (it may be off).
    links = config.plugin("links").get("own_domains", [])
    also_own = [d for d in links if isinstance(d, str)] if isinstance(links, list) else []
    settings = pii_settings(config.plugin_settings(PLUGIN, PiiTable), also_own)
    for rule in build_rules(settings):
        register(rule)
