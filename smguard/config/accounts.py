"""``[accounts.NAME]``: one organisation account — its platform, time zone, hours, domains,
policy, inventory (:mod:`smguard.config.security`), approvals and where ``smguard watch`` reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Annotated, Any, TypeAlias
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from smguard.config.core import LANGUAGE, GuardSettings
from smguard.config.policy import PolicySettings, PolicyTable
from smguard.config.schema import clock, convert, hours, invalid, shaped, str_list, timezone
from smguard.config.security import (
    ACCOUNT_INVENTORY_KEYS,
    AccountInventory,
    ApprovalPolicy,
    InventoryTable,
    account_inventory,
    approval_policy,
)

__all__ = ["AccountSettings", "AccountTable", "AccountWatch", "in_window", "parse_account"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAMES: TypeAlias = str | tuple[str, ...]


def in_window(at: time, start: time, end: time) -> bool:
    """Whether ``at`` falls in ``[start, end)``; a window may wrap midnight (22:00–05:00).

    ``start == end`` is an empty window: that is how an account switches quiet hours off.
    """
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


class AccountTable(InventoryTable, frozen=True):
    """``[accounts.NAME]``: every key is optional; an account not listed gets the defaults.

    The inventory keys (handle, 2FA, recovery contacts, roles, approvals) come from
    :class:`~smguard.config.security.InventoryTable`.
    """

    platform: str | None = None
    timezone: str | None = None
    #: When the account must not post (local time; may wrap midnight), e.g. "00:00-05:00".
    quiet_hours: Annotated[str, shaped("00:00-05:00")] | None = None
    prime_time: _NAMES | None = None
    own_domains: _NAMES = ()
    #: Skip language detection for this account's posts.
    language: LANGUAGE | None = None
    #: When the team works on the account (local time), e.g. "07:00-19:00".
    working_hours: Annotated[str, shaped("07:00-19:00")] | None = None
    working_days: _NAMES | None = None
    policy: PolicyTable | None = None
    # Where ``smguard watch`` reads it.
    mastodon_url: str | None = None
    mastodon_id: str | None = None
    #: The NAME of the environment variable that holds the access token (never the token).
    token_env: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.timezone is not None:
            timezone(self.timezone, "timezone")
        if self.quiet_hours is not None:
            hours(self.quiet_hours, "quiet_hours", "00:00-05:00")
        if self.working_hours is not None:
            hours(self.working_hours, "working_hours", "07:00-19:00")
        for slot in str_list(self.prime_time or ()):
            clock(slot, "prime_time")
        if self.working_days is not None:
            names = str_list(self.working_days)
            bad = [d for d in names if d.lower() not in DAYS]
            if bad:
                invalid("working_days", f"{bad[0]!r} is not a day (use {', '.join(DAYS)})")
            if not names:
                invalid("working_days", 'name at least one day, e.g. ["mon"]')
        for key in ("mastodon_url", "mastodon_id", "token_env"):
            value = getattr(self, key)
            if value is not None and not value.strip():
                invalid(key, "must be a non-empty string")
        if self.mastodon_url is not None:
            parts = urlsplit(self.mastodon_url.strip())
            if parts.scheme not in ("https", "http") or not parts.hostname:
                invalid(
                    "mastodon_url",
                    f"{self.mastodon_url!r} is not a server address like https://mastodon.social",
                )
            if self.mastodon_id is None and not self.handle:
                invalid("mastodon_url", 'also set handle (e.g. "@kemcontoh") or mastodon_id')
        elif self.mastodon_id is not None:
            invalid("mastodon_id", "set mastodon_url too (the account's server)")
        if self.token_env is not None and not _ENV_NAME.fullmatch(self.token_env.strip()):
            invalid(
                "token_env",
                f"{self.token_env!r} must be the NAME of an environment variable holding the "
                "token (e.g. MASTODON_TOKEN), not the token itself",
            )


@dataclass(frozen=True)
class AccountWatch:
    """Where ``smguard watch`` reads an account (``mastodon_url`` + ``handle`` or ``mastodon_id``;
    the access token, if any, from the environment variable named by ``token_env``)."""

    mastodon_url: str | None = None
    mastodon_id: str | None = None
    token_env: str | None = None


@dataclass(frozen=True)
class AccountSettings:
    """Per-account settings (``[accounts.NAME]``); an unknown account gets the defaults."""

    name: str | None = None
    platform: str | None = None
    timezone: str = "Asia/Jakarta"
    quiet_hours: tuple[time, time] = (time(0, 0), time(5, 0))
    prime_time: tuple[str, ...] = ("07:00", "12:00", "19:00")
    own_domains: tuple[str, ...] = ()
    language: str | None = None
    #: When the team works on the account (local time; may wrap midnight); ``None``: the
    #: account-watch detectors treat only ``quiet_hours`` as off hours.
    working_hours: tuple[time, time] | None = None
    #: Working days, 0 = Monday … 6 = Sunday (every day unless ``working_days`` says otherwise).
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    policy: PolicySettings = field(default_factory=PolicySettings)
    #: Inventory (handle, platform 2FA, recovery contacts, roles): see smguard.security.
    inventory: AccountInventory = field(default_factory=AccountInventory)
    #: Which checks of this account need approval (``[approvals]`` unless overridden).
    approvals: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    #: Where ``smguard watch`` polls it (empty: not polled).
    watch: AccountWatch = field(default_factory=AccountWatch)
    #: The keys the file sets for this account (the rest are defaults).
    declared: frozenset[str] = frozenset()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_account(
    name: str,
    raw: Any,
    guard: GuardSettings,
    policy: PolicySettings,
    approvals: ApprovalPolicy | None = None,
) -> AccountSettings:
    """Check ``[accounts.NAME]`` and build its settings on the file-wide defaults."""
    where = f"accounts.{name}"
    table = convert(raw, AccountTable, where)
    defaults = AccountSettings()
    mastodon_url = table.mastodon_url.strip().rstrip("/") if table.mastodon_url else None
    return AccountSettings(
        name=name,
        platform=table.platform,
        timezone=table.timezone or guard.timezone,
        quiet_hours=hours(table.quiet_hours, "quiet_hours", "")
        if table.quiet_hours
        else defaults.quiet_hours,
        prime_time=str_list(table.prime_time)
        if table.prime_time is not None
        else defaults.prime_time,
        own_domains=tuple(d.lower() for d in str_list(table.own_domains)),
        language=table.language.lower() if table.language else None,
        working_hours=hours(table.working_hours, "working_hours", "")
        if table.working_hours
        else None,
        working_days=tuple(sorted({DAYS.index(d.lower()) for d in str_list(table.working_days)}))
        if table.working_days is not None
        else defaults.working_days,
        policy=policy.applied(table.policy) if table.policy is not None else policy,
        inventory=account_inventory(
            table, frozenset(k for k in raw if k in ACCOUNT_INVENTORY_KEYS)
        ),
        approvals=approval_policy(table.approvals, approvals)
        if table.approvals is not None
        else (approvals or ApprovalPolicy()),
        watch=AccountWatch(
            mastodon_url=mastodon_url,
            mastodon_id=table.mastodon_id.strip() if table.mastodon_id else None,
            token_env=table.token_env.strip() if table.token_env else None,
        ),
        declared=frozenset(raw),
    )
