"""The pii plugin: e-mail addresses, phone numbers, NIK, payment cards and bank accounts,
with masked evidence."""

from __future__ import annotations

import re
from typing import Any

import pytest
from smguard.plugins import pii
from smguard.plugins.pii.mask import mask_digits, mask_email

from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.rule import CheckContext, Rule
from smguard.guard.ruletest import run_examples
from smguard.types import Finding, Post, Severity
from tests.support.guards import make_guard

EMAIL, PHONE, NIK, CARD, ACCOUNT = (f"SMG-PII-00{n}" for n in range(1, 6))


def rules(config: dict[str, Any] | None = None) -> dict[str, Rule]:
    found: list[Rule] = []
    pii.register_rules(found.append, Config.from_dict(config or {}))
    return {r.id: r for r in found}


def check(
    rule_id: str, text: str, config: dict[str, Any] | None = None, account: str | None = None
) -> list[Finding]:
    cfg = Config.from_dict(config or {})
    post = Post(text=text, account=account)
    ctx = CheckContext(post, frozenset({"id", "en"}), cfg, cfg.account(account))
    return list(rules(config)[rule_id].check(post, ctx))


def spanned(text: str, finding: Finding) -> str:
    assert finding.span is not None
    return text[finding.span[0] : finding.span[1]]


CLEAN_POSTS = [
    "Harga mulai Rp 150.000, promo berlaku 17-08-2026 s.d. 31-08-2026 pukul 19.00 WIB.",
    "Kasus COVID-19 turun 12% pada 2025-2026, e.g. di 34 provinsi.",
    "Nomor pesanan INV/2026/08/001234567 sedang kami proses, Kak.",
    "Versi aplikasi 10.2.14.1021 sudah tersedia di Play Store.",
    "Follow @kemkes_ri dan @bpjs.kesehatan untuk info terbaru ya.",
    "Cicilan mulai Rp1.250.000/bulan selama 12 bulan, total Rp15.000.000.",
    "Hotline Halo Kemenkes 1500-567, buka 08.00-16.00 WIB.",
    "Buka rekening di 1.500 kantor cabang kami, gratis biaya admin.",
    "Nomor tiket Anda 1234567890123456, simpan baik-baik.",
]


@pytest.mark.parametrize("text", CLEAN_POSTS)
def test_clean_posts_raise_nothing(text: str) -> None:
    for rule_id in (EMAIL, PHONE, NIK, CARD, ACCOUNT):
        assert check(rule_id, text) == [], rule_id


def test_every_rule_is_documented_in_both_languages() -> None:
    for rule in rules().values():
        assert rule.engine == "pii" and rule.category == "pii"
        for field in (rule.message, rule.why, rule.suggestion):
            assert field and field.get("en", "").strip() and field.get("id", "").strip(), rule.id


def test_examples_hold_through_the_guard() -> None:
    guard = make_guard([pii])
    for rule in guard.all_rules:
        failed = [r.describe() for r in run_examples(guard, rule) if not r.passed]
        assert failed == [], rule.id


# -- e-mail --------------------------------------------------------------------------------------


def test_personal_email_is_medium_and_masked() -> None:
    text = "Kirim berkas ke budi.santoso87@gmail.com ya, Kak."
    (finding,) = check(EMAIL, text)
    assert finding.severity == Severity.MEDIUM
    assert spanned(text, finding) == "budi.santoso87@gmail.com"
    assert finding.evidence == "b***@gmail.com"


def test_other_organisations_email_is_low() -> None:
    (finding,) = check(EMAIL, "Pertanyaan media: humas@partner.or.id")
    assert finding.severity == Severity.LOW


@pytest.mark.parametrize(
    "config",
    [
        {"plugins": {"pii": {"own_domains": ["kemkes.go.id"]}}},
        {"plugins": {"links": {"own_domains": ["kemkes.go.id"]}}},
        {"plugins": {"pii": {"allow_emails": ["Humas@Kemkes.go.id"]}}},
    ],
)
def test_own_and_allowed_addresses_pass(config: dict[str, Any]) -> None:
    assert check(EMAIL, "Hubungi humas@kemkes.go.id", config=config) == []


def test_own_domains_per_account() -> None:
    config = {"accounts": {"kemkes": {"own_domains": ["kemkes.go.id"]}}}
    text = "Kirim ke kontak@sehatnegeriku.kemkes.go.id"
    assert check(EMAIL, text, config=config, account="kemkes") == []
    assert check(EMAIL, text, config=config)


# -- phone numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Hubungi Pak Budi di 0812-3456-7890.", "0812-3456-7890"),
        ("WA: +62 812 3456 7890", "+62 812 3456 7890"),
        ("Telp 0812.3456.789 ya", "0812.3456.789"),
        ("(Pak Andi 087812345678)", "087812345678"),
    ],
)
def test_mobile_numbers_are_medium_and_masked(text: str, number: str) -> None:
    (finding,) = check(PHONE, text)
    assert finding.severity == Severity.MEDIUM
    assert spanned(text, finding) == number
    digits = re.sub(r"\D", "", number)
    assert finding.evidence is not None and digits not in finding.evidence
    assert finding.evidence.startswith(digits[:4]) and "*" in finding.evidence


def test_landline_is_low() -> None:
    (finding,) = check(PHONE, "Kantor kami: (021) 5790-1234")
    assert finding.severity == Severity.LOW


def test_whatsapp_link_number() -> None:
    text = "Chat admin: wa.me/6281234567890"
    (finding,) = check(PHONE, text)
    assert spanned(text, finding) == "wa.me/6281234567890"
    assert "6281234567890" not in (finding.evidence or "")


@pytest.mark.parametrize("allowed", ["0812-1000-2000", "+6281210002000", "6281210002000"])
def test_published_hotline_is_allowed_in_any_format(allowed: str) -> None:
    config = {"plugins": {"pii": {"allow_numbers": [allowed]}}}
    for text in ("Hotline: 0812 1000 2000", "WA wa.me/6281210002000", "Telp +62-812-1000-2000"):
        assert check(PHONE, text, config=config) == [], text
    assert check(PHONE, "Hotline: 0812 1000 2001", config=config)


def test_foreign_numbers_need_a_country_code_or_a_region() -> None:
    assert check(PHONE, "Call +65 6123 4567 for help")
    assert check(PHONE, "Call 6123 4567 for help") == []
    sg = {"plugins": {"pii": {"regions": ["SG"]}}}
    assert check(PHONE, "Call 6123 4567 for help", config=sg)


# -- NIK -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nik",
    [
        "3174012505900001",  # DKI Jakarta, born 25-05-1990
        "3273016508950002",  # Bandung, a woman born 25-08-1995 (day + 40)
        "9101010101010001",  # Papua
        "3174 0125 0590 0001",
        "317401-250590-0001",
    ],
)
def test_nik_is_high_and_masked(nik: str) -> None:
    text = f"Data pemohon: NIK {nik} a.n. Budi"
    (finding,) = check(NIK, text)
    assert finding.severity == Severity.HIGH
    assert spanned(text, finding) == nik
    digits = re.sub(r"\D", "", nik)
    assert finding.evidence == digits[:4] + "*" * 8 + digits[-4:]


@pytest.mark.parametrize(
    "number",
    [
        "9901012505900001",  # no province 99
        "3100012505900001",  # regency 00
        "3174013205900001",  # day 32
        "3174012513900001",  # month 13
        "3174013102900001",  # 31 February
        "3174012505900000",  # serial 0000
        "31740125059000012",  # 17 digits
    ],
)
def test_implausible_numbers_are_not_nik(number: str) -> None:
    assert check(NIK, f"Nomor {number}") == []


# -- payment cards -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4111 1111 1111 1111", "Visa"),
        ("5500-0000-0000-0004", "Mastercard"),
        ("3400 000000 00009", "American Express"),
        ("4539148803436467", "Visa"),
        ("3530111333300000", "JCB"),
    ],
)
def test_card_numbers_are_critical_and_masked(number: str, brand: str) -> None:
    text = f"Refund ke kartu {number} exp 09/27"
    (finding,) = check(CARD, text)
    assert finding.severity == Severity.CRITICAL
    assert spanned(text, finding) == number
    assert brand in finding.message["en"] and brand in finding.message["id"]
    digits = re.sub(r"\D", "", number)
    assert finding.evidence == digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def test_not_cards() -> None:
    assert check(CARD, "Resi 4111 1111 1111 1112") == []  # fails the Luhn check
    assert check(CARD, "Telp +62 812 3456 7890 1") == []
    assert check(CARD, "Kode 0000 0000 0000 0000") == []


def test_a_card_is_not_also_a_nik_or_a_phone() -> None:
    text = "Kartu 5232 0125 0590 0005"  # Mastercard, Luhn-valid, NIK-shaped (province 52)
    assert check(CARD, text)
    assert check(NIK, text) == []
    assert check(PHONE, text) == []


# -- bank accounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Transfer biaya admin ke rekening BCA 1234567890 a.n. Andi.", "1234567890"),
        ("No. rek: 123-456-7890 (Mandiri)", "123-456-7890"),
        ("norek bri 0023 0101 1234 509", "0023 0101 1234 509"),
        ("Please pay to account number 9876543210", "9876543210"),
    ],
)
def test_bank_account_numbers(text: str, number: str) -> None:
    (finding,) = check(ACCOUNT, text)
    assert finding.severity == Severity.MEDIUM
    assert spanned(text, finding) == number
    assert re.sub(r"\D", "", number) not in (finding.evidence or "")


def test_published_account_and_amounts_pass() -> None:
    config = {"plugins": {"pii": {"allow_accounts": ["123-456-7890"]}}}
    assert check(ACCOUNT, "Donasi ke rekening BSI 1234567890", config=config) == []
    assert check(ACCOUNT, "Saldo rekening minimal Rp 10.000.000") == []


# -- evidence never leaks the data ---------------------------------------------------------------


def test_no_finding_copies_the_personal_data() -> None:
    text = (
        "NIK 3174012505900001, kartu 4111 1111 1111 1111, HP 0812-3456-7890, "
        "e-mail budi.santoso87@gmail.com, rekening BCA 1234567890."
    )
    found = [f for rule_id in (EMAIL, PHONE, NIK, CARD, ACCOUNT) for f in check(rule_id, text)]
    assert {f.rule for f in found} == {EMAIL, PHONE, NIK, CARD, ACCOUNT}
    for secret in ("3174012505900001", "4111111111111111", "081234567890", "budi.santoso87",
                   "1234567890"):  # fmt: skip
        for f in found:
            assert secret not in re.sub(r"[\s-]", "", f.evidence or ""), f.rule


def test_masking_helpers() -> None:
    assert mask_digits("0812-3456-7890") == "0812****7890"
    assert mask_digits("3174012505900001") == "3174********0001"
    assert mask_digits("0123456789") == "0123****89"
    assert mask_email("a@b.co") == "a***@b.co"


def test_guard_decisions() -> None:
    guard = make_guard([pii])
    assert guard.check("Hubungi 0812-3456-7890 ya").decision == "review"
    assert guard.check("NIK 3174012505900001").decision == "block"
    assert guard.check("Kartu 4111 1111 1111 1111").decision == "block"
    assert guard.check("Harga Rp 150.000, 17-08-2026 pukul 19.00 WIB").decision == "allow"


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"allow_number": []}, "plugins.pii.allow_number: unknown setting"),
        ({"allow_numbers": "12"}, "plugins.pii.allow_numbers: '12' is not a phone number"),
        ({"allow_numbers": [812]}, "plugins.pii.allow_numbers: must be a list"),
        ({"allow_emails": ["humas"]}, "plugins.pii.allow_emails: 'humas' is not an e-mail"),
        ({"allow_accounts": ["abc"]}, "plugins.pii.allow_accounts: 'abc' is not an account"),
        ({"regions": ["XX"]}, "plugins.pii.regions: 'XX' is not a region code"),
        ({"own_domains": 3}, "plugins.pii.own_domains: must be a list"),
    ],
)
def test_config_errors_name_the_key(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        rules({"plugins": {"pii": options}})
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


# -- real inputs (issue 11) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("HP:+6591234567 (Singapura)", "+6591234567"),
        ("Tel.+44 20 7946 0958", "+442079460958"),
        ("WA:+1 415 555 0132", "+14155550132"),
        ("hubungi:+60 12-345 6789", "+60123456789"),
        ("Hubungi +61 412 345 678 untuk info", "+61412345678"),
    ],
)
def test_international_numbers_are_found_under_the_default_region(text: str, e164: str) -> None:
    [found] = check(PHONE, text)
    assert spanned(text, found).replace(" ", "").replace("-", "").endswith(e164[-6:])


def test_a_price_after_a_label_is_still_not_a_phone() -> None:
    assert check(PHONE, "harga:150.000.000 nett") == []


def test_punycode_email_addresses() -> None:
    text = "Tulis ke info@kemenkes.xn--p1ai atau budi@xn--mnchen-3ya.de"
    found = check(EMAIL, text)
    assert [spanned(text, f) for f in found] == [
        "info@kemenkes.xn--p1ai",
        "budi@xn--mnchen-3ya.de",
    ]


def test_uatp_airline_card_numbers_need_the_luhn_check() -> None:
    text = "Kartu maskapai 1220 0000 0000 003 untuk tiket dinas"
    [card] = check(CARD, text)
    assert card.severity == Severity.CRITICAL and "UATP" in card.message["en"]
    assert check(CARD, "Kartu maskapai 1220 0000 0000 004 untuk tiket dinas") == []


def test_digits_in_a_link_are_not_a_card_number() -> None:
    card = "4539148803436467"
    assert check(CARD, f"See https://help.example.com/answer/1?visit_id={card}-16809&rd=1") == []
    assert check(CARD, f"Refund sent to card {card}")


@pytest.mark.parametrize(
    ("rule_id", "text", "first", "other"),
    [
        (
            EMAIL,
            "budi.santoso87@gmail.com, BUDI.SANTOSO87@gmail.com, sari@yahoo.com, "
            "budi.santoso87@gmail.com",
            "budi.santoso87@gmail.com",
            "sari@yahoo.com",
        ),
        (
            PHONE,
            "0812-3456-7890 lalu 0812-3456-7890, 0813-9876-5432; lagi 0812-3456-7890",
            "0812-3456-7890",
            "0813-9876-5432",
        ),
        (
            NIK,
            "NIK 3174012505900001, NIK 3174012505900001, NIK 3273014107880002",
            "3174012505900001",
            "3273014107880002",
        ),
        (
            CARD,
            "kartu 4111 1111 1111 1111, 4111 1111 1111 1111, 5555 5555 5555 4444",
            "4111 1111 1111 1111",
            "5555 5555 5555 4444",
        ),
        (
            ACCOUNT,
            "Transfer ke rekening BCA 1234567890, ya rekening BCA 1234567890, "
            "atau rekening BNI 9876543210",
            "1234567890",
            "9876543210",
        ),
    ],
)
def test_a_value_written_again_is_reported_once_at_its_first_place(
    rule_id: str, text: str, first: str, other: str
) -> None:
    found = check(rule_id, text)
    assert [spanned(text, f) for f in found] == [first, other]
    assert found[0].span is not None and found[0].span[0] == text.index(first)


def test_the_same_number_written_two_ways_is_one_finding() -> None:
    # The same mobile number as 0812…, as +62 812… and in a WhatsApp link: one number.
    text = "Hubungi 0812-3456-7890 atau +62 812 3456 7890, wa.me/6281234567890"
    found = check(PHONE, text)
    assert len(found) == 1 and spanned(text, found[0]) == "0812-3456-7890"
