"""The five personal-data code rules (SMG-PII-001 … 005), with their texts and examples."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from smguard.guard.contacts import digit_runs, find_phone_numbers, normalise_phone
from smguard.guard.rule import CheckContext, Example, Rule
from smguard.guard.urls import extract_urls, host_in
from smguard.types import Finding, Post, Severity

from .find import (
    ACCOUNT_RE,
    digits_only,
    email_matches,
    long_numbers,
    whatsapp_number,
)
from .mask import mask_digits, mask_email
from .settings import PiiSettings, bare_domain
from .tables import FREEMAIL

__all__ = ["PLUGIN", "build_rules", "may_hold_pii"]

PLUGIN = "pii"


_DIGIT_RE = re.compile(r"\d")


def _first(seen: set[str], value: str) -> bool:
    """Whether ``value`` is new to this post (and note it): a value written several times is
    reported once, at its first place. A post repeating one address thousands of times got a
    finding for each (a verdict nobody can read), and paid for building them."""
    if value in seen:
        return False
    seen.add(value)
    return True


def may_hold_pii(post: Post, ctx: CheckContext) -> bool:
    """The personal-data rules' gate: each of them needs an ``@`` (e-mail) or a digit (phone,
    NIK, card and account numbers, and the number in a wa.me link)."""
    text = post.text
    return "@" in text or _DIGIT_RE.search(text) is not None


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
    return own | frozenset(bare_domain(d) for d in account)


@dataclass(eq=False)
class EmailRule(PiiRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        if "@" not in text:
            return ()
        out = []
        own = self.own_domains(ctx)
        seen: set[str] = set()
        for email in email_matches(text):
            address = email.address.lower()
            if not _first(seen, address):
                continue
            if host_in(email.domain, own) or address in self.settings.allow_emails:
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
        cards = [(n.start, n.end) for n in long_numbers(text) if n.kind != "NIK"]
        seen: set[str] = set()
        for phone in find_phone_numbers(text, self.settings.regions):
            if phone.e164 in allowed or digits_only(phone.raw) in allowed:
                continue
            if any(s <= phone.start < e for s, e in cards) or not _first(seen, phone.e164):
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
                number = whatsapp_number(url.host, url.path)
                if number is None:
                    continue
                e164 = normalise_phone("+" + number, self.settings.regions[0])
                if e164 is None or e164 in allowed or number in allowed:
                    continue
                if not _first(seen, e164):
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
        seen: set[str] = set()
        return [
            self.finding(span=(n.start, n.end), evidence=mask_digits(n.digits))
            for n in long_numbers(post.text)
            if n.kind == "NIK" and _first(seen, n.digits)
        ]


@dataclass(eq=False)
class CardRule(PiiRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        out = []
        links: list[tuple[int, int]] | None = None
        seen: set[str] = set()
        for n in long_numbers(post.text):
            if n.kind == "NIK":
                continue
            if links is None:
                links = [(u.start, u.end) for u in extract_urls(post.text)]
            if any(s <= n.start < e for s, e in links):
                continue  # an id in a link's query ("?visit_id=6372…"), not a card
            if not _first(seen, n.digits):
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
        seen: set[str] = set()
        for m in ACCOUNT_RE.finditer(low):
            raw = m.group(1)
            digits = digits_only(raw)
            if not 8 <= len(digits) <= 18 or digits in self.settings.allow_accounts:
                continue
            start = m.start(1)
            if re.search(r"(?:rp|idr)\s?\.?\s?$", low[max(0, start - 5) : start]):
                continue  # "rekening ... Rp 150.000.000" is an amount
            if not _first(seen, digits):
                continue
            out.append(self.finding(span=(start, m.end(1)), evidence=mask_digits(digits)))
        return out


_ex = Example.of


def build_rules(settings: PiiSettings) -> list[Rule]:
    """The personal-data rules, configured."""
    common: dict[str, Any] = {
        "engine": PLUGIN,
        "category": "pii",
        "settings": settings,
        "gate": may_hold_pii,
    }
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
