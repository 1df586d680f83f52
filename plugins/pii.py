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

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from smguard import hookimpl
from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.contacts import digit_runs, find_phone_numbers, normalise_phone
from smguard.guard.rule import CheckContext, Example, Rule
from smguard.guard.urls import extract_urls, host_in
from smguard.types import Finding, Post, Severity

PLUGIN = "pii"

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
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


# --------------------------------------------------------------------------------------------
# Settings


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
    own = {_domain(d) for d in _strings(options, "own_domains", 'domains like "kemkes.go.id"')}
    if links is not None:
        extra = links.get("own_domains", [])
        if isinstance(extra, list):
            own |= {_domain(d) for d in extra if isinstance(d, str)}
    emails = set()
    for value in _strings(options, "allow_emails", "e-mail addresses"):
        if "@" not in value or not _EMAIL_DOMAIN_RE.fullmatch(value.rsplit("@", 1)[1]):
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


def _domain(value: str) -> str:
    value = value.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).rstrip("/")
    return value[4:] if value.startswith("www.") else value


# --------------------------------------------------------------------------------------------
# Masking


def mask_digits(number: str) -> str:
    """``"0812-3456-7890"`` → ``"0812****7890"``; at least half of a short number is hidden."""
    digits = "".join(c for c in number if c.isdigit())
    n = len(digits)
    if n <= 4:
        return "*" * n
    back = min(4, max(0, n - 8))
    return digits[:4] + "*" * (n - 4 - back) + (digits[-back:] if back else "")


def mask_email(address: str) -> str:
    """``"budi.santoso@gmail.com"`` → ``"b***@gmail.com"``."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


# --------------------------------------------------------------------------------------------
# Detection helpers (shared per post through ctx.cache)

_EMAIL_DOMAIN_RE = re.compile(r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}(?![\w-])")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-%")


@dataclass(frozen=True, slots=True)
class EmailMatch:
    start: int
    end: int
    address: str
    domain: str


def find_emails(text: str) -> list[EmailMatch]:
    """E-mail addresses in ``text`` (cheap when the text has no ``@``)."""
    return list(_emails(text))


@lru_cache(maxsize=1024)
def _emails(text: str) -> tuple[EmailMatch, ...]:
    out: list[EmailMatch] = []
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and text[start - 1] in _LOCAL_CHARS:
            start -= 1
        while start < at and text[start] in "._-+":
            start += 1  # "(budi@..." or "...budi@" after punctuation
        m = _EMAIL_DOMAIN_RE.match(text, at + 1)
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
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month]:
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


@lru_cache(maxsize=1024)
def _long_numbers(text: str) -> tuple[NumberMatch, ...]:
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
_ACCOUNT_RE = re.compile(
    r"(?:\bno(?:mor)?\.?\s*rek(?:ening)?\b\.?|\bnorek\b|\brekening\b|\brek\.|\ba/c\b"
    r"|\baccount\s*(?:no\.?|number|#)|\bvirtual\s+account\b|\bno\.?\s*va\b|\bva\b)"
    r"[^\d\n]{0,30}?((?:\d[ .\-]?){7,17}\d)(?![\d])"
)


# --------------------------------------------------------------------------------------------
# Rules


@dataclass(eq=False)
class PiiRule(Rule):
    settings: PiiSettings = field(default_factory=PiiSettings)

    def own_domains(self, ctx: CheckContext) -> frozenset[str]:
        account = ctx.account.own_domains
        if not account:
            return self.settings.own_domains
        return _merge(self.settings.own_domains, tuple(account))


@lru_cache(maxsize=256)
def _merge(own: frozenset[str], account: tuple[str, ...]) -> frozenset[str]:
    return own | frozenset(_domain(d) for d in account)


@dataclass(eq=False)
class EmailRule(PiiRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        if "@" not in text:
            return ()
        out = []
        own = self.own_domains(ctx)
        for email in _emails(text):
            if host_in(email.domain, own) or email.address.lower() in self.settings.allow_emails:
                continue
            personal = email.domain in FREEMAIL
            out.append(
                self.finding(
                    span=(email.start, email.end),
                    evidence=mask_email(email.address),
                    severity=Severity.MEDIUM if personal else Severity.LOW,
                    message=_PERSONAL_EMAIL if personal else _OTHER_EMAIL,
                )
            )
        return out


_PERSONAL_EMAIL = {
    "en": "This post shows a personal e-mail address (a free webmail account).",
    "id": "Unggahan ini menampilkan alamat e-mail pribadi (akun webmail gratis).",
}
_OTHER_EMAIL = {
    "en": "This post shows an e-mail address that is not your organisation's.",
    "id": "Unggahan ini menampilkan alamat e-mail yang bukan milik instansi Anda.",
}


@dataclass(eq=False)
class PhoneRule(PiiRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        out = []
        allowed = self.settings.allow_numbers
        cards = [(n.start, n.end) for n in _long_numbers(text) if n.kind != "NIK"]
        for phone in find_phone_numbers(text, self.settings.regions):
            if phone.e164 in allowed or _digits(phone.raw) in allowed:
                continue
            if any(s <= phone.start < e for s, e in cards):
                continue
            mobile = phone.kind == "mobile"
            out.append(
                self.finding(
                    span=(phone.start, phone.end),
                    evidence=mask_digits(phone.raw),
                    severity=Severity.MEDIUM if mobile else Severity.LOW,
                    message=_MOBILE if mobile else _LANDLINE,
                )
            )
        # WhatsApp links carry the number too: wa.me/6281234567890.
        if "wa.me" in text or "whatsapp" in text:
            for url in extract_urls(text):
                number = _whatsapp_number(url.host, url.path)
                if number is None:
                    continue
                e164 = normalise_phone("+" + number, self.settings.regions[0])
                if e164 is None or e164 in allowed or number in allowed:
                    continue
                out.append(
                    self.finding(
                        span=(url.start, url.end),
                        evidence=mask_digits(number),
                        message=_MOBILE,
                        severity=Severity.MEDIUM,
                    )
                )
        return out


_WA_PATH = re.compile(r"/(\d{8,15})\b|[?&]phone=\+?(\d{8,15})")


def _whatsapp_number(host: str, path: str) -> str | None:
    if host not in ("wa.me", "api.whatsapp.com", "www.wa.me", "web.whatsapp.com"):
        return None
    m = _WA_PATH.search(path)
    return None if m is None else (m.group(1) or m.group(2))


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


_MOBILE = {
    "en": "This post shows a mobile phone number, which may be a person's private number.",
    "id": "Unggahan ini menampilkan nomor ponsel, yang bisa jadi nomor pribadi seseorang.",
}
_LANDLINE = {
    "en": "This post shows a phone number that is not on your list of published numbers.",
    "id": "Unggahan ini menampilkan nomor telepon yang tidak ada di daftar nomor resmi Anda.",
}


@dataclass(eq=False)
class NikRule(PiiRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        return [
            self.finding(span=(n.start, n.end), evidence=mask_digits(n.digits))
            for n in _long_numbers(post.text)
            if n.kind == "NIK"
        ]


@dataclass(eq=False)
class CardRule(PiiRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        out = []
        for n in _long_numbers(post.text):
            if n.kind == "NIK":
                continue
            message = {
                "en": f"This post shows what looks like a {n.kind} payment card number.",
                "id": f"Unggahan ini menampilkan nomor yang tampaknya nomor kartu {n.kind}.",
            }
            out.append(
                self.finding(span=(n.start, n.end), evidence=mask_digits(n.digits), message=message)
            )
        return out


@dataclass(eq=False)
class AccountRule(PiiRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        if not digit_runs(text):
            return ()
        low = ctx.lower
        if not ("rek" in low or "a/c" in low or "account" in low or "va" in low):
            return ()
        out = []
        for m in _ACCOUNT_RE.finditer(low):
            raw = m.group(1)
            digits = _digits(raw)
            if not 8 <= len(digits) <= 18 or digits in self.settings.allow_accounts:
                continue
            start = m.start(1)
            if re.search(r"(?:rp|idr)\s?\.?\s?$", low[max(0, start - 5) : start]):
                continue  # "rekening ... Rp 150.000.000" is an amount
            out.append(self.finding(span=(start, m.end(1)), evidence=mask_digits(digits)))
        return out


_ex = Example.of


def build_rules(settings: PiiSettings) -> list[Rule]:
    """The personal-data rules, configured."""
    common: dict[str, Any] = {"engine": PLUGIN, "category": "pii", "settings": settings}
    return [
        EmailRule(
            id="SMG-PII-001",
            name="email-address",
            severity=Severity.MEDIUM,
            message=_PERSONAL_EMAIL,
            suggestion={
                "en": "Remove the address, or use your organisation's official contact "
                "address instead.",
                "id": "Hapus alamat tersebut, atau gunakan alamat kontak resmi instansi Anda.",
            },
            why={
                "en": "Publishing someone's e-mail address exposes them to spam and scams and "
                "can breach personal data protection law (UU PDP). Addresses at your own "
                "domains are not flagged; other organisations' addresses are shown as low.",
                "id": "Menerbitkan alamat e-mail seseorang membuatnya rentan spam dan penipuan "
                "serta dapat melanggar UU Pelindungan Data Pribadi. Alamat di domain instansi "
                "sendiri tidak ditandai; alamat instansi lain ditandai rendah.",
            },
            examples=(
                _ex("Silakan kirim berkas ke budi.santoso87@gmail.com ya, Kak.", True),
                _ex("Follow juga @kemkes_ri dan @bpjs.kesehatan untuk info terbaru.", False),
                _ex("Versi 2.0 sudah rilis, e.g. fitur baru untuk pelaporan.", False),
            ),
            **common,
        ),
        PhoneRule(
            id="SMG-PII-002",
            name="phone-number",
            severity=Severity.MEDIUM,
            message=_MOBILE,
            suggestion={
                "en": "Remove the number, or publish only your official hotline (and list it "
                "in plugins.pii.allow_numbers).",
                "id": "Hapus nomor tersebut, atau cantumkan hanya nomor layanan resmi (dan "
                "daftarkan di plugins.pii.allow_numbers).",
            },
            why={
                "en": "A private number on a public account invites harassment and scams; fake "
                "'customer service' numbers are a common fraud. Mobile numbers are medium, "
                "other numbers low; your published numbers are never flagged.",
                "id": "Nomor pribadi di akun publik mengundang gangguan dan penipuan; nomor "
                "'CS' palsu adalah modus penipuan yang umum. Nomor ponsel bernilai sedang, "
                "nomor lain rendah; nomor resmi Anda tidak pernah ditandai.",
            },
            examples=(
                _ex("Info lebih lanjut hubungi Pak Budi di 0812-3456-7890.", True),
                _ex("Chat admin: wa.me/6281234567890", True),
                _ex("Harga mulai Rp 150.000.000, promo berlaku 17-08-2026 pukul 19.00 WIB.", False),
                _ex("Nomor pesanan INV/2026/08/001234567 sedang kami proses, Kak.", False),
                _ex("Kasus COVID-19 turun 12% pada 2025-2026.", False),
            ),
            **common,
        ),
        NikRule(
            id="SMG-PII-003",
            name="nik-id-number",
            severity=Severity.HIGH,
            message={
                "en": "This post shows what looks like an Indonesian ID number (NIK).",
                "id": "Unggahan ini menampilkan nomor yang tampaknya NIK (Nomor Induk "
                "Kependudukan).",
            },
            suggestion={
                "en": "Remove the number. Ask for it privately (DM or an official form) if you "
                "need it.",
                "id": "Hapus nomornya. Jika memang diperlukan, minta lewat DM atau formulir resmi.",
            },
            why={
                "en": "A NIK encodes where and when a person was born and is used to open "
                "loans and SIM cards in their name; leaked NIKs feed identity fraud.",
                "id": "NIK memuat tempat dan tanggal lahir seseorang dan dipakai untuk membuka "
                "pinjaman serta kartu SIM atas namanya; NIK yang bocor dipakai untuk penipuan "
                "identitas.",
            },
            examples=(
                _ex("Data pemohon: NIK 3174012505900001 a.n. Budi Santoso", True),
                _ex("Nomor tiket Anda 1234567890123456, simpan baik-baik.", False),
            ),
            **common,
        ),
        CardRule(
            id="SMG-PII-004",
            name="payment-card-number",
            severity=Severity.CRITICAL,
            message={
                "en": "This post shows what looks like a payment card number.",
                "id": "Unggahan ini menampilkan nomor yang tampaknya nomor kartu pembayaran.",
            },
            suggestion={
                "en": "Remove it now. If it is a real card, ask the card holder to block it.",
                "id": "Hapus sekarang. Jika itu kartu sungguhan, minta pemiliknya memblokir "
                "kartunya.",
            },
            why={
                "en": "A card number (checked with the Luhn checksum and the card network's "
                "prefix) is enough for online fraud; publishing one is a serious data leak.",
                "id": "Nomor kartu (dicek dengan checksum Luhn dan awalan jaringan kartu) sudah "
                "cukup untuk penipuan online; menerbitkannya adalah kebocoran data serius.",
            },
            examples=(
                _ex("Kartu saya 4111 1111 1111 1111 exp 12/28 kenapa ditolak?", True),
                _ex("Nomor resi JNE 4111 1111 1111 1112 sudah dikirim.", False),
            ),
            **common,
        ),
        AccountRule(
            id="SMG-PII-005",
            name="bank-account-number",
            severity=Severity.MEDIUM,
            message={
                "en": "This post shows a bank account number.",
                "id": "Unggahan ini menampilkan nomor rekening bank.",
            },
            suggestion={
                "en": "Check that this is your organisation's official account; if it is, add "
                "it to plugins.pii.allow_accounts. Otherwise remove it.",
                "id": "Pastikan ini rekening resmi instansi Anda; jika ya, daftarkan di "
                "plugins.pii.allow_accounts. Jika bukan, hapus.",
            },
            why={
                "en": "A personal account number is private data, and 'transfer to this "
                "account' is the core of most scams a hijacked account posts.",
                "id": "Nomor rekening pribadi adalah data pribadi, dan 'transfer ke rekening "
                "ini' adalah inti sebagian besar penipuan yang diunggah akun yang diretas.",
            },
            examples=(
                _ex("Transfer biaya admin ke rekening BCA 1234567890 a.n. Andi.", True),
                _ex("No. rek: 123-456-7890 (Mandiri)", True),
                _ex("Buka rekening di 1.500 kantor cabang kami, gratis biaya admin.", False),
            ),
            **common,
        ),
    ]


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    settings = parse_settings(config.plugin(PLUGIN), config.plugin("links"))
    for rule in build_rules(settings):
        register(rule)
