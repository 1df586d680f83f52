"""smguard.guard.contacts: finding phone numbers and contacts in posts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smguard.guard.contacts import (
    _PHONE_RE,
    _phone_at,
    digit_runs,
    find_contacts,
    find_phone_numbers,
    has_contact,
    normalise_phone,
)


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


def _phones_read_in_full(text: str, regions: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """How numbers were found before: the exact pattern over each digit run of the text, as is."""
    out = []
    done = 0
    for start, end in digit_runs(text):
        if regions == ("ID",) and text[start] not in "06" and text[start - 1 : start] not in "+(":
            continue
        for m in _PHONE_RE.finditer(text, max(done, start - 2), end):
            found = _phone_at(text, m.start(), m.group(), regions)
            if found is not None:
                out.append((found.start, found.end, found.e164))
        done = end
    return out


_NUMBER_PIECES = st.sampled_from(
    ["0", "8", "12", "0812", "62", "+62", "(021)", "(+62)", "021", "3456", "7890", "123456",
     " ", "-", ".", "(", ")", "+", "x", "_", "ya ", "HP:", "Rp", "a", "\n", "８"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_NUMBER_PIECES, max_size=12).map("".join), st.sampled_from([("ID",), ("ID", "SG")]))
def test_numbers_are_found_as_the_exact_pattern_over_the_whole_text_found_them(
    text: str, regions: tuple[str, ...]
) -> None:
    """Runs of digits no number can hold are hidden from the pattern (issue 12: it tried every
    way of cutting a run of fifty digits into groups, 8 s for a post of 200 of them); the
    numbers found are those the pattern finds in the text as it is."""
    found = [(p.start, p.end, p.e164) for p in find_phone_numbers(text, regions)]
    assert found == _phones_read_in_full(text, regions)


def test_long_runs_of_digits_are_not_cut_into_every_group() -> None:
    text = ("hubungi 0812 " + "8" * 50 + " ya ") * 200 + "atau 0812-3456-7890"
    assert [p.raw for p in find_phone_numbers(text)] == ["0812-3456-7890"]
