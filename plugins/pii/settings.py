"""``[plugins.pii]``: the organisation's own domains and published addresses, numbers and
accounts, and the regions phone numbers are read in — the table (:class:`PiiTable`, checked when
the configuration is loaded) and the settings the rules read (:func:`pii_settings`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from msgspec import Meta

from smguard.config.schema import NAMES, Table, invalid, listing, str_list
from smguard.guard.contacts import normalise_phone

from .find import EMAIL_DOMAIN_RE

__all__ = ["PiiSettings", "PiiTable", "bare_domain", "pii_settings"]


class PiiTable(Table, frozen=True):
    """``[plugins.pii]``: personal data that is the organisation's own, or published on purpose."""

    own_domains: Annotated[
        NAMES,
        listing('a list of domains like "kemkes.go.id"'),
        Meta(description="E-mail at these domains is the organisation's own."),
    ] = ()
    allow_emails: Annotated[
        NAMES,
        listing("a list of e-mail addresses"),
        Meta(description="Published addresses that are fine to post."),
    ] = ()
    allow_numbers: Annotated[
        NAMES,
        listing('a list of phone numbers like "0812-3456-7890"'),
        Meta(description="Your published hotline and WhatsApp numbers."),
    ] = ()
    allow_accounts: Annotated[
        NAMES,
        listing("a list of account numbers"),
        Meta(description="Your published donation and payment accounts."),
    ] = ()
    regions: Annotated[
        NAMES,
        listing('a list of region codes like "ID"'),
        Meta(description="How numbers without a +country code are read (default: ID)."),
    ] = ()

    def __post_init__(self) -> None:
        regions = [r.upper() for r in _values(self.regions)]
        if regions:  # phonenumbers is imported only when needed: it is slow to import
            from phonenumbers import SUPPORTED_REGIONS

            for region in regions:
                if region not in SUPPORTED_REGIONS:
                    invalid("regions", f'{region!r} is not a region code (e.g. "ID", "SG")')
        for value in _values(self.allow_emails):
            if "@" not in value or not EMAIL_DOMAIN_RE.fullmatch(value.rsplit("@", 1)[1]):
                invalid("allow_emails", f"{value!r} is not an e-mail address")
        for value in _values(self.allow_numbers):
            if not 3 <= len(re.sub(r"\D", "", value)) <= 15:
                invalid("allow_numbers", f"{value!r} is not a phone number")
        for value in _values(self.allow_accounts):
            digits = re.sub(r"[\s.\-]", "", value)
            if not digits.isdigit() or not 6 <= len(digits) <= 20:
                invalid("allow_accounts", f"{value!r} is not an account number")


@dataclass(frozen=True, eq=False)
class PiiSettings:
    own_domains: frozenset[str] = frozenset()
    allow_emails: frozenset[str] = frozenset()
    allow_numbers: frozenset[str] = frozenset()
    allow_accounts: frozenset[str] = frozenset()
    regions: tuple[str, ...] = ("ID",)


def pii_settings(table: PiiTable, also_own: Iterable[str] = ()) -> PiiSettings:
    """The settings of a checked ``[plugins.pii]``; ``also_own``: more of the own domains."""
    regions = tuple(r.upper() for r in _values(table.regions)) or ("ID",)
    numbers: set[str] = set()
    for value in _values(table.allow_numbers):
        numbers.add(re.sub(r"\D", "", value))
        e164 = normalise_phone(value, regions[0])
        if e164:
            numbers.add(e164)
    return PiiSettings(
        own_domains=frozenset(bare_domain(d) for d in (*_values(table.own_domains), *also_own)),
        allow_emails=frozenset(v.lower() for v in _values(table.allow_emails)),
        allow_numbers=frozenset(numbers),
        allow_accounts=frozenset(re.sub(r"[\s.\-]", "", v) for v in _values(table.allow_accounts)),
        regions=regions,
    )


def _values(value: NAMES) -> list[str]:
    return [v.strip() for v in str_list(value)]


def bare_domain(value: str) -> str:
    value = value.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).rstrip("/")
    return value[4:] if value.startswith("www.") else value
