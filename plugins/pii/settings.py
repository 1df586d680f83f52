"""``[plugins.pii]``: the organisation's own domains and published addresses, numbers and
accounts, and the regions phone numbers are read in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smguard.errors import ConfigError
from smguard.guard.contacts import normalise_phone

from .find import EMAIL_DOMAIN_RE

__all__ = ["PiiSettings", "bare_domain", "parse_settings"]


@dataclass(frozen=True, eq=False)
class PiiSettings:
    own_domains: frozenset[str] = frozenset()
    allow_emails: frozenset[str] = frozenset()
    allow_numbers: frozenset[str] = frozenset()
    allow_accounts: frozenset[str] = frozenset()
    regions: tuple[str, ...] = ("ID",)


_KNOWN_KEYS = ("own_domains", "allow_emails", "allow_numbers", "allow_accounts", "regions")


def _strings(options: Mapping[str, Any], key: str, what: str) -> list[str]:
    raw = options.get(key, [])
    if isinstance(raw, str):
        raw = [v.strip() for v in raw.split(",") if v.strip()]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ConfigError(f"plugins.pii.{key}: must be a list of {what}")
    return [v.strip() for v in raw]


def parse_settings(
    options: Mapping[str, Any], links: Mapping[str, Any] | None = None
) -> PiiSettings:
    """Validate ``[plugins.pii]``; raise :class:`ConfigError` naming the bad key."""
    for key in options:
        if key not in _KNOWN_KEYS:
            raise ConfigError(
                f"plugins.pii.{key}: unknown setting (known: {', '.join(_KNOWN_KEYS)})"
            )
    regions = tuple(r.upper() for r in _strings(options, "regions", 'region codes like "ID"'))
    if regions:  # phonenumbers is imported only when needed: it is slow to import
        from phonenumbers import SUPPORTED_REGIONS

        for region in regions:
            if region not in SUPPORTED_REGIONS:
                raise ConfigError(
                    f'plugins.pii.regions: {region!r} is not a region code (e.g. "ID", "SG")'
                )
    regions = regions or ("ID",)
    own = {bare_domain(d) for d in _strings(options, "own_domains", 'domains like "kemkes.go.id"')}
    if links is not None:
        extra = links.get("own_domains", [])
        if isinstance(extra, list):
            own |= {bare_domain(d) for d in extra if isinstance(d, str)}
    emails = set()
    for value in _strings(options, "allow_emails", "e-mail addresses"):
        if "@" not in value or not EMAIL_DOMAIN_RE.fullmatch(value.rsplit("@", 1)[1]):
            raise ConfigError(f"plugins.pii.allow_emails: {value!r} is not an e-mail address")
        emails.add(value.lower())
    numbers = set()
    for value in _strings(options, "allow_numbers", 'phone numbers like "0812-3456-7890"'):
        digits = re.sub(r"\D", "", value)
        if not 3 <= len(digits) <= 15:
            raise ConfigError(f"plugins.pii.allow_numbers: {value!r} is not a phone number")
        numbers.add(digits)
        e164 = normalise_phone(value, regions[0])
        if e164:
            numbers.add(e164)
    accounts = set()
    for value in _strings(options, "allow_accounts", "account numbers"):
        digits = re.sub(r"[\s.\-]", "", value)
        if not digits.isdigit() or not 6 <= len(digits) <= 20:
            raise ConfigError(f"plugins.pii.allow_accounts: {value!r} is not an account number")
        accounts.add(digits)
    return PiiSettings(
        own_domains=frozenset(own),
        allow_emails=frozenset(emails),
        allow_numbers=frozenset(numbers),
        allow_accounts=frozenset(accounts),
        regions=regions,
    )


def bare_domain(value: str) -> str:
    value = value.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).rstrip("/")
    return value[4:] if value.startswith("www.") else value
