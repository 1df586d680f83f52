"""smguard.guard.urls: finding links, domains, phone numbers and contacts in posts."""

from __future__ import annotations

import time

import pytest

from smguard.guard.urls import (
    digit_runs,
    extract_urls,
    find_contacts,
    find_phone_numbers,
    has_contact,
    has_link,
    host_in,
    normalise_phone,
    public_suffix,
    registrable_domain,
)


def urls_in(text: str) -> list[str]:
    return [u.url for u in extract_urls(text)]


# -- links ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url", "host"),
    [
        ("Daftar di bit.ly/abc123 ya!", "bit.ly/abc123", "bit.ly"),
        ("Klaim di promo-bca.com sekarang", "promo-bca.com", "promo-bca.com"),
        ("Info: kemkes.go.id/berita.", "kemkes.go.id/berita", "kemkes.go.id"),
        ("Link: s.id/beasiswa2026", "s.id/beasiswa2026", "s.id"),
        ("Kunjungi www.kemkes.go.id", "www.kemkes.go.id", "www.kemkes.go.id"),
        ("KUNJUNGI KEMKES.GO.ID SEKARANG", "KEMKES.GO.ID", "kemkes.go.id"),
        ("Gabung t.me/infovaksin", "t.me/infovaksin", "t.me"),
        ("Chat wa.me/6281234567890", "wa.me/6281234567890", "wa.me"),
        ("Read https://example.com/blog/release-2-4-1 today", None, "example.com"),
        ("See https://x.com/a?b=1#c, thanks", "https://x.com/a?b=1#c", "x.com"),
        ("Lihat...bit.ly/x", "bit.ly/x", "bit.ly"),
        ("Web:kemkes.go.id", "kemkes.go.id", "kemkes.go.id"),
        ("Versi baru di docs.python.py/3", "docs.python.py/3", "docs.python.py"),
    ],
)
def test_finds_links_and_bare_domains(text: str, url: str | None, host: str) -> None:
    (found,) = extract_urls(text)
    assert found.host == host
    assert text[found.start : found.end] == found.url
    if url is not None:
        assert found.url == url


@pytest.mark.parametrize(
    "text",
    [
        "Harga Rp.10.000 saja",
        "Mulai jam 10.30 WIB sampai 19.00 WIB",
        "Unduh file.pdf dan laporan.xlsx di bawah",
        "Jalankan setup.py atau baca readme.md",
        "Budi Santoso, M.Sc dan Siti, S.Ag hadir",
        "It's done.It was a long day",
        "PT.Bank Rakyat dan PT.BRI",
        "e.g. vaccines, i.e. free ones, etc.",
        "Hubungi cs@bca.co.id atau budi.santoso@gmail.com",
        "Follow @bpjs.kesehatan dan @kemkes_ri",
        "Versi aplikasi 1.2.3.4 sudah rilis",
        "Kasus COVID-19 turun 12% sejak 17-08-2026",
        "a.n. Budi, s.d. Jumat, No.5 Jl.Sudirman",
        "Kabel 3.5mm dan v2.0beta",
        "Bahasa Indonesia.Kita semua",
        "gacor77 . com",
        "",
    ],
)
def test_prose_numbers_and_emails_are_not_links(text: str) -> None:
    assert extract_urls(text) == []
    assert not has_link(text)


def test_trailing_punctuation_is_not_part_of_the_link() -> None:
    text = "Baca (https://en.wikipedia.org/wiki/Foo_(bar)). Lalu kemkes.go.id/a?, dan bit.ly/x!"
    assert urls_in(text) == [
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "kemkes.go.id/a",
        "bit.ly/x",
    ]


def test_emoji_ends_a_link() -> None:
    assert urls_in("Cek s.id/gacor88🔥🔥 sekarang") == ["s.id/gacor88"]


def test_scheme_ip_path_and_flags() -> None:
    (ip,) = extract_urls("Login di http://103.12.4.5:8080/login?u=1")
    assert (ip.scheme, ip.host, ip.is_ip, ip.path) == ("http", "103.12.4.5", True, "/login?u=1")
    (bare_ip,) = extract_urls("buka 103.12.4.5/admin")
    assert bare_ip.is_ip and bare_ip.scheme is None
    (v6,) = extract_urls("http://[2001:db8::1]/x")
    assert v6.is_ip and v6.host == "[2001:db8::1]"
    (local,) = extract_urls("http://localhost:8000/x")
    assert local.host == "localhost"
    assert extract_urls("999.1.1.1/x") == []


def test_userinfo_trick_reports_the_real_host() -> None:
    (url,) = extract_urls("Verifikasi: http://kemkes.go.id@evil.example.com/login")
    assert url.host == "evil.example.com"


def test_defanged_links_are_found_and_marked() -> None:
    found = extract_urls("Jangan klik hxxp://evil[.]com/x atau bit[.]ly/abc atau judi(dot)xyz")
    assert [(u.host, u.scheme, u.defanged) for u in found] == [
        ("evil.com", "http", True),
        ("bit.ly", None, True),
        ("judi.xyz", None, True),
    ]
    assert not extract_urls("Kunjungi https://kemkes.go.id")[0].defanged


def test_internationalised_and_punycode_hosts() -> None:
    (cyr,) = extract_urls("Login di bса.co.id")  # Cyrillic с and а
    assert cyr.host == "bса.co.id" and not cyr.host.isascii()
    (puny,) = extract_urls("http://xn--80ak6aa92e.com/login")
    assert puny.punycode and puny.host == "аррӏе.com"
    (wide,) = extract_urls("ｂｃａ.co.id")  # full-width letters, as a browser reads them
    assert wide.host == "bca.co.id"


def test_several_links_in_order_with_exact_spans() -> None:
    text = "Info kemkes.go.id, daftar di https://s.id/vaksin lalu cek bit.ly/abc."
    found = extract_urls(text)
    assert [u.url for u in found] == ["kemkes.go.id", "https://s.id/vaksin", "bit.ly/abc"]
    for u in found:
        assert text[u.start : u.end] == u.url


def test_results_are_fresh_lists() -> None:
    text = "Daftar di bit.ly/abc"
    first = extract_urls(text)
    first.clear()
    assert urls_in(text) == ["bit.ly/abc"]


def test_long_and_hostile_input_stays_fast() -> None:
    hostile = ["a." * 10000, "a-" * 10000 + "x", "1." * 10000, "a" * 20000, "a@" * 10000]
    started = time.perf_counter()
    for text in hostile:
        extract_urls(text)
        find_phone_numbers(text)
    assert time.perf_counter() - started < 2.0


# -- domains -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "registrable", "suffix"),
    [
        ("www.kemkes.go.id", "kemkes.go.id", "go.id"),
        ("kemkes.go.id.verify-login.com", "verify-login.com", "com"),
        ("kemkes-go.id", "kemkes-go.id", "id"),
        ("bit.ly", "bit.ly", "ly"),
        ("news.bbc.co.uk", "bbc.co.uk", "co.uk"),
        ("bca-login.github.io", "bca-login.github.io", "github.io"),
        ("103.12.4.5", "103.12.4.5", "5"),
    ],
)
def test_registrable_domain(host: str, registrable: str, suffix: str) -> None:
    assert registrable_domain(host) == registrable
    if not host[0].isdigit():
        assert public_suffix(host) == suffix


def test_host_in_matches_subdomains_only() -> None:
    own = frozenset({"kemkes.go.id"})
    assert host_in("kemkes.go.id", own)
    assert host_in("sehatnegeriku.kemkes.go.id", own)
    assert not host_in("kemkes.go.id.verify-login.com", own)
    assert not host_in("fakekemkes.go.id", own)


# -- phone numbers and contacts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "raw", "e164", "kind"),
    [
        ("Hubungi 0812-3456-7890 ya", "0812-3456-7890", "+6281234567890", "mobile"),
        ("WA 081234567890.", "081234567890", "+6281234567890", "mobile"),
        ("Telp +62 812 3456 7890", "+62 812 3456 7890", "+6281234567890", "mobile"),
        ("Telp (+62) 812.3456.7890", "(+62) 812.3456.7890", "+6281234567890", "mobile"),
        ("Kantor (021) 5790-1234", "(021) 5790-1234", "+622157901234", "fixed"),
        ("Call +1 415 555 2671 now", "+1 415 555 2671", "+14155552671", "mobile"),
        ("Hubungi 0812-3456-7890 (08.00-17.00)", "0812-3456-7890", "+6281234567890", "mobile"),
        ("WA 0812-3456-7890 2024", "0812-3456-7890", "+6281234567890", "mobile"),
    ],
)
def test_finds_phone_numbers(text: str, raw: str, e164: str, kind: str) -> None:
    (phone,) = find_phone_numbers(text)
    assert (phone.raw, phone.e164, phone.kind) == (raw, e164, kind)
    assert text[phone.start : phone.end] == raw


@pytest.mark.parametrize(
    "text",
    [
        "Harga mulai Rp 150.000.000 saja",
        "Cicilan Rp150.000.000/bulan, DP 62.500.000",
        "Berlaku 17-08-2026 s.d. 31-08-2026 pukul 19.00 WIB",
        "Tahun 2023-2024 dan 2025-2026",
        "Nomor pesanan INV/2026/08/001234567 kami proses",
        "Order #081234567890 sudah dikirim",
        "NIK 3174012505900001",
        "Hotline 1500-567 dan 14045",
        "Kasus COVID-19 turun 12% pada 2025",
        "Versi 10.2.14.1021 tersedia",
        "No. rekening 0123456789",
    ],
)
def test_prices_dates_and_codes_are_not_phone_numbers(text: str) -> None:
    assert find_phone_numbers(text) == []


def test_contacts_are_chat_links_and_numbers() -> None:
    text = "Chat wa.me/6281234567890, Telegram t.me/kemkes atau telp 0812 3456 7890."
    contacts = find_contacts(text)
    assert [c.kind for c in contacts] == ["whatsapp", "telegram", "phone"]
    assert contacts[2].value == "+6281234567890"
    assert has_contact(text)
    assert has_contact("DM kami di https://api.whatsapp.com/send?phone=6281234567890")
    assert not has_contact("Harga Rp 150.000, promo 17-08-2026 pukul 19.00 WIB.")
    assert not has_contact("Info di kemkes.go.id/berita")


def test_normalise_phone() -> None:
    assert normalise_phone("0812-3456-7890") == "+6281234567890"
    assert normalise_phone("+62 21 5790 1234") == "+622157901234"
    assert normalise_phone("12345") is None


def test_digit_runs_hold_eight_or_more_digits() -> None:
    text = "Rp 150.000 saja, NIK 3174012505900001, tgl 17-08-2026"
    runs = [text[s:e].strip() for s, e in digit_runs(text)]
    assert runs == ["3174012505900001", "17-08-2026"]
