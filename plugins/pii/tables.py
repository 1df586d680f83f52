"""Data tables of the personal-data rules: free webmail providers and Indonesian province
codes (for NIK checks)."""

from __future__ import annotations

__all__ = ["DAYS_IN_MONTH", "FREEMAIL", "PROVINCE_CODES"]

#: Free webmail providers: an address there is a person's, not an organisation's.
FREEMAIL: frozenset[str] = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.id", "ymail.com", "rocketmail.com",
    "hotmail.com", "outlook.com", "outlook.co.id", "live.com", "msn.com", "icloud.com", "me.com",
    "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.net", "mail.com",
    "yandex.com", "yandex.ru", "zoho.com", "tutanota.com", "qq.com", "163.com",
})  # fmt: skip

#: Indonesian province codes (the first two digits of a NIK), including the Papua provinces
#: created in 2022.
PROVINCE_CODES: frozenset[int] = frozenset({
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64,
    65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
})  # fmt: skip
DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
