"""smguard.guard.urls: finding links and domains in posts."""

from __future__ import annotations

import time

import pytest

from smguard.guard.contacts import find_phone_numbers
from smguard.guard.urls import extract_urls, has_link, host_in, public_suffix, registrable_domain


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


@pytest.mark.parametrize(
    ("host", "registrable", "suffix"),
    [
        ("evil.myshopify.com", "evil.myshopify.com", "myshopify.com"),
        ("x.ngrok.app", "x.ngrok.app", "ngrok.app"),
        ("something.azurestaticapps.net", "something.azurestaticapps.net", "azurestaticapps.net"),
        ("bucket.s3.amazonaws.com", "bucket.s3.amazonaws.com", "s3.amazonaws.com"),
        (
            "bucket.s3.ap-southeast-1.amazonaws.com",
            "bucket.s3.ap-southeast-1.amazonaws.com",
            "s3.ap-southeast-1.amazonaws.com",
        ),
        ("www.shop.evil.myshopify.com", "evil.myshopify.com", "myshopify.com"),
        ("myshopify.com", "myshopify.com", "myshopify.com"),  # a suffix itself
    ],
)
def test_hosting_platforms_subdomains_are_their_owners(
    host: str, registrable: str, suffix: str
) -> None:
    # The Public Suffix List's private section: each shop, tunnel, static site or bucket belongs
    # to whoever took that name, not to the platform.
    assert registrable_domain(host) == registrable
    assert public_suffix(host) == suffix


def test_registrable_domain_of_idn_and_punycode_hosts() -> None:
    assert registrable_domain("www.президент.рф") == "президент.рф"
    assert registrable_domain("www.xn--d1abbgf6aiiy.xn--p1ai") == "президент.рф"
    assert public_suffix("kemkes.go.id.") == "go.id"
    assert registrable_domain("co.id") == "co.id"  # a public suffix is nobody's domain


def test_the_public_suffix_list_is_read_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from smguard.guard import urls

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the Public Suffix List must not be fetched")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    urls._suffix_list.cache_clear()
    urls.registrable_domain.cache_clear()
    assert registrable_domain("news.bbc.co.uk") == "bbc.co.uk"


def test_invalid_punycode_stays_as_written() -> None:
    # IDNA 2008 refuses emoji: the host is shown the way a browser shows it, in punycode.
    (emoji,) = extract_urls("Klik http://xn--i-7iq.ws/promo")
    assert emoji.punycode and emoji.host == "xn--i-7iq.ws"
    (broken,) = extract_urls("Klik http://xn--zz.com")
    assert broken.host == "xn--zz.com"


def test_host_in_matches_subdomains_only() -> None:
    own = frozenset({"kemkes.go.id"})
    assert host_in("kemkes.go.id", own)
    assert host_in("sehatnegeriku.kemkes.go.id", own)
    assert not host_in("kemkes.go.id.verify-login.com", own)
    assert not host_in("fakekemkes.go.id", own)


def test_host_in_looks_at_the_parent_domains_a_name_can_have() -> None:
    """A host of thousands of labels is a subdomain of a listed domain when it ends in it; only
    the last 253 characters (the longest name DNS allows) are tried (issue 12: each label
    copied the rest of the host, 0.2 s for 10,000 labels)."""
    own = frozenset({"kemkes.go.id", "a" * 60 + ".id"})
    assert host_in("www." * 50_000 + "kemkes.go.id", own)
    assert host_in("x." * 50_000 + "a" * 60 + ".id", own)
    assert not host_in("www." * 50_000 + "kemkes.go.id.evil.com", own)
    assert not host_in("kemkes.go.id." + "www." * 50_000 + "evil", own)
