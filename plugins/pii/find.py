"""Finding personal data in a post: e-mail addresses, payment card numbers (network prefix and
Luhn checksum), NIKs (province, district and birth date), bank account numbers after their
keywords, and the number in a WhatsApp link. Results are cached per text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from smguard.guard.contacts import digit_runs
from smguard.guard.memo import per_post

from .tables import DAYS_IN_MONTH, PROVINCE_CODES

__all__ = [
    "ACCOUNT_RE",
    "EMAIL_DOMAIN_RE",
    "EmailMatch",
    "NumberMatch",
    "card_brand",
    "digits_only",
    "email_matches",
    "find_emails",
    "long_numbers",
    "luhn_ok",
    "nik_ok",
    "whatsapp_number",
]

#: A domain: labels, then a top-level domain of letters or in punycode (``xn--p1ai``).
EMAIL_DOMAIN_RE = re.compile(
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{2,59})(?![\w-])", re.I
)
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-%")


@dataclass(frozen=True, slots=True)
class EmailMatch:
    start: int
    end: int
    address: str
    domain: str


def find_emails(text: str) -> list[EmailMatch]:
    """E-mail addresses in ``text`` (cheap when the text has no ``@``)."""
    return list(email_matches(text))


@per_post
def email_matches(text: str) -> tuple[EmailMatch, ...]:
    """E-mail addresses in ``text``, cached per text (what the rules call)."""
    out: list[EmailMatch] = []
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and text[start - 1] in _LOCAL_CHARS:
            start -= 1
        while start < at and text[start] in "._-+":
            start += 1  # "(budi@..." or "...budi@" after punctuation
        m = EMAIL_DOMAIN_RE.match(text, at + 1)
        if start < at and m is not None:
            end = m.end()
            out.append(EmailMatch(start, end, text[start:end], m.group().lower()))
            at = text.find("@", end)
        else:
            at = text.find("@", at + 1)
    return tuple(out)


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """The card network a number's prefix (IIN) and length belong to, or ``None``."""
    n = len(digits)
    if not 13 <= n <= 19:
        return None
    p2, p3, p4 = int(digits[:2]), int(digits[:3]), int(digits[:4])
    if digits[0] == "4" and n in (13, 16, 19):
        return "Visa"
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16:
        return "Mastercard"
    if p2 in (34, 37) and n == 15:
        return "American Express"
    if (p4 == 6011 or 644 <= p3 <= 649 or p2 == 65) and n >= 16:
        return "Discover"
    if 3528 <= p4 <= 3589 and n >= 16:
        return "JCB"
    if (300 <= p3 <= 305 or p2 in (36, 38, 39)) and n >= 14:
        return "Diners Club"
    if p4 == 9360 and n >= 16:
        return "GPN"
    if digits[0] == "1" and n == 15:
        return "UATP"  # airline cards (Universal Air Travel Plan)
    if p2 == 62 and n >= 16:
        return "UnionPay"
    if (p2 == 50 or 56 <= p2 <= 69) and n >= 13:
        return "Maestro"
    return None


def nik_ok(digits: str) -> bool:
    """Whether 16 digits are a plausible NIK: a real province code, regency and district codes,
    a birth date (day + 40 for women) and a non-zero serial."""
    if len(digits) != 16 or not digits.isdigit():
        return False
    if int(digits[:2]) not in PROVINCE_CODES:
        return False
    regency, district = int(digits[2:4]), int(digits[4:6])
    if not (1 <= regency <= 49 or 71 <= regency <= 79) or district == 0:
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    if day > 40:
        day -= 40
    if not 1 <= month <= 12 or not 1 <= day <= DAYS_IN_MONTH[month]:
        return False
    return digits[12:] != "0000"


_CARD_RE = re.compile(
    r"(?<![\d+])(?:\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}|\d{4}[ -]?\d{6}[ -]?\d{4,5})(?!\d)"
)
# 16 digits, written together or as 6-6-4 / 4-4-4-4 groups.
_NIK_RE = re.compile(r"(?<!\d)(?:\d{6}[ .-]?\d{6}[ .-]?\d{4}|\d{4}(?:[ .-]?\d{4}){3})(?!\d)")


@dataclass(frozen=True, slots=True)
class NumberMatch:
    start: int
    end: int
    digits: str
    kind: str


@per_post
def long_numbers(text: str) -> tuple[NumberMatch, ...]:
    """Card numbers and NIKs in the text's long digit runs (a card wins over a NIK)."""
    out: list[NumberMatch] = []
    for start, end in digit_runs(text):
        if end - start < 13:
            continue
        cards: list[tuple[int, int]] = []
        for m in _CARD_RE.finditer(text, start, end):
            digits = m.group().replace(" ", "").replace("-", "")
            brand = card_brand(digits)
            if brand and luhn_ok(digits) and len(set(digits)) > 1:
                out.append(NumberMatch(m.start(), m.end(), digits, brand))
                cards.append(m.span())
        for m in _NIK_RE.finditer(text, start, end):
            if any(s <= m.start() < e for s, e in cards):
                continue
            digits = "".join(c for c in m.group() if c.isdigit())
            if nik_ok(digits):
                out.append(NumberMatch(m.start(), m.end(), digits, "NIK"))
    return tuple(out)


# Bank account numbers after "rekening", "no. rek", "norek", "a/c", "account number", "VA".
ACCOUNT_RE = re.compile(
    r"(?:\bno(?:mor)?\.?\s*rek(?:ening)?\b\.?|\bnorek\b|\brekening\b|\brek\.|\ba/c\b"
    r"|\baccount\s*(?:no\.?|number|#)|\bvirtual\s+account\b|\bno\.?\s*va\b|\bva\b)"
    r"[^\d\n]{0,30}?((?:\d[ .\-]?){7,17}\d)(?![\d])"
)


_WA_PATH = re.compile(r"/(\d{8,15})\b|[?&]phone=\+?(\d{8,15})")


def whatsapp_number(host: str, path: str) -> str | None:
    """The phone number in a WhatsApp link (``wa.me/6281234567890``), or ``None``."""
    if host not in ("wa.me", "api.whatsapp.com", "www.wa.me", "web.whatsapp.com"):
        return None
    m = _WA_PATH.search(path)
    return None if m is None else (m.group(1) or m.group(2))


def digits_only(value: str) -> str:
    """The digits of ``value``, nothing else."""
    return "".join(c for c in value if c.isdigit())
