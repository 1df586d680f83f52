"""The link rules as smguard lists them: ids, severities, messages, reasons and examples.

The examples are run by the test suite and shown in the rule catalogue.
"""

from __future__ import annotations

from typing import Any

from smguard.guard.rule import Example, Rule
from smguard.types import Severity

from .rules import (
    BrandRule,
    DenyRule,
    DisguisedRule,
    IpRule,
    KeywordRule,
    LookalikeRule,
    PlainLoginRule,
    ShortenerRule,
    has_links,
)
from .settings import LinkSettings

__all__ = ["PLUGIN", "build_rules"]

PLUGIN = "links"

_ex = Example.of


def build_rules(settings: LinkSettings) -> list[Rule]:
    """The link rules, configured."""
    common: dict[str, Any] = {
        "engine": PLUGIN,
        "category": "link",
        "settings": settings,
        "gate": has_links,
    }
    return [
        ShortenerRule(
            id="SMG-LINK-001",
            name="shortened-link",
            severity=Severity.MEDIUM,
            message={
                "en": "This is a shortened link: readers cannot see where it really goes.",
                "id": "Ini tautan pendek (shortlink): pembaca tidak bisa melihat ke mana "
                "tautan itu sebenarnya mengarah.",
            },
            suggestion={
                "en": "Use the full address of the page, or your organisation's own short "
                "domain, so readers can trust it.",
                "id": "Gunakan alamat lengkap halamannya, atau domain pendek milik instansi "
                "sendiri, agar pembaca bisa memercayainya.",
            },
            why={
                "en": "Hijacked accounts and scammers hide gambling, porn and phishing pages "
                "behind shorteners such as bit.ly and s.id. A reviewer cannot vouch for a "
                "link whose destination is hidden.",
                "id": "Akun yang diretas dan penipu menyembunyikan situs judi, pornografi, dan "
                "phishing di balik shortlink seperti bit.ly dan s.id. Peninjau tidak bisa "
                "menjamin tautan yang tujuannya tersembunyi.",
            },
            examples=(
                _ex("Daftar sekarang di bit.ly/daftar-vaksin2026 ya!", True),
                _ex("Info lengkap: https://s.id/promo-akhir-tahun", True),
                _ex("Info lengkap: https://www.kemkes.go.id/article/view/2026", False),
                _ex("Jadwal layanan 08.00-15.00 WIB, e.g. Senin s.d. Jumat.", False),
            ),
            **common,
        ),
        DenyRule(
            id="SMG-LINK-002",
            name="denied-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link goes to a domain on your organisation's deny list.",
                "id": "Tautan ini mengarah ke domain yang masuk daftar larangan instansi Anda.",
            },
            suggestion={
                "en": "Remove the link. If the domain is now safe, take it off plugins.links.deny.",
                "id": "Hapus tautannya. Jika domain itu kini aman, keluarkan dari "
                "plugins.links.deny.",
            },
            why={
                "en": "Your team listed this domain as one never to link to (a scam, a "
                "competitor, a site that was compromised).",
                "id": "Tim Anda mencatat domain ini sebagai domain yang tidak boleh ditautkan "
                "(penipuan, pesaing, atau situs yang pernah diretas).",
            },
            # No examples: it fires only for domains listed in plugins.links.deny (none by default),
            # and an example cannot carry configuration. tests/plugins/test_links.py covers it.
            **common,
        ),
        KeywordRule(
            id="SMG-LINK-003",
            name="gambling-or-porn-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link points to what looks like an online gambling or porn site.",
                "id": "Tautan ini mengarah ke situs yang tampaknya judi online atau pornografi.",
            },
            suggestion={
                "en": "Do not publish this. If the account did not write it, treat it as a "
                "hijack: change the password and check who has access.",
                "id": "Jangan terbitkan. Jika bukan tim Anda yang menulisnya, anggap akun "
                "diretas: ganti kata sandi dan periksa siapa saja yang punya akses.",
            },
            why={
                "en": "Gambling (judi online) and porn links are what hijacked Indonesian "
                "accounts post most; both are illegal content under the ITE law.",
                "id": "Tautan judi online dan pornografi adalah konten yang paling sering "
                "diunggah akun yang diretas; keduanya konten terlarang menurut UU ITE.",
            },
            examples=(
                _ex("Situs gacor hari ini: https://slot88-gacor.xyz/daftar", True),
                _ex("Link alternatif: bokepindo.site", True),
                _ex("Link resmi kami: s.id/slotgacor88", True),
                _ex("Atur jadwal kunjungan di https://timeslot.kemkes.go.id", False),
                _ex("Baca selengkapnya di https://www.detik.com/berita", False),
            ),
            **common,
        ),
        LookalikeRule(
            id="SMG-LINK-004",
            name="lookalike-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link goes to a domain made to look like a well-known one.",
                "id": "Tautan ini mengarah ke domain yang dibuat mirip domain terkenal.",
            },
            suggestion={
                "en": "Do not publish this link. Link only to the official domain, typed by "
                "hand or copied from the official site.",
                "id": "Jangan terbitkan tautan ini. Tautkan hanya ke domain resmi, diketik "
                "sendiri atau disalin dari situs resmi.",
            },
            why={
                "en": "Phishing sites copy the domains of banks, e-wallets, ministries and of "
                "your own organisation with swapped letters (kemkess.go.id), lookalike letters "
                "from other alphabets, other endings (klikbca.co) or tricks like "
                "kemkes.go.id.verify-login.com. Publishing one sends followers to a fake page.",
                "id": "Situs phishing meniru domain bank, dompet digital, kementerian, dan "
                "instansi Anda sendiri dengan huruf yang ditukar (kemkess.go.id), huruf mirip "
                "dari abjad lain, akhiran lain (klikbca.co), atau trik seperti "
                "kemkes.go.id.verify-login.com. Menerbitkannya menggiring pengikut ke situs "
                "palsu.",
            },
            examples=(
                _ex("Cek saldo Anda di https://klikbca.co/login sekarang", True),
                _ex("Verifikasi data di kemkes.go.id.verify-login.com", True),
                _ex("Daftar vaksin: kemkess.go.id/daftar", True),
                _ex("Login: https://klikbсa.com", True),
                _ex("Informasi resmi ada di https://www.klikbca.com dan kemkes.go.id", False),
                _ex("Selengkapnya: https://www.kompas.com/tren", False),
            ),
            **common,
        ),
        BrandRule(
            id="SMG-LINK-005",
            name="brand-impersonation-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link uses the name of a bank, e-wallet or government service, but "
                "is not its official site.",
                "id": "Tautan ini memakai nama bank, dompet digital, atau layanan pemerintah, "
                "tetapi bukan situs resminya.",
            },
            suggestion={
                "en": "Do not publish this link. Link to the official site instead.",
                "id": "Jangan terbitkan tautan ini. Gunakan tautan situs resminya.",
            },
            why={
                "en": "Scams that imitate banks (BCA, BRI, BNI, Mandiri), e-wallets (DANA, OVO, "
                "GoPay) and services (BPJS, pajak, bansos) use domains like bca-id.com or "
                "cek-bansos-kemensos.xyz. Your own name is protected the same way.",
                "id": "Penipuan yang meniru bank (BCA, BRI, BNI, Mandiri), dompet digital "
                "(DANA, OVO, GoPay), dan layanan (BPJS, pajak, bansos) memakai domain seperti "
                "bca-id.com atau cek-bansos-kemensos.xyz. Nama instansi Anda dilindungi dengan "
                "cara yang sama.",
            },
            examples=(
                _ex("Klaim hadiah di bca-id.com sekarang!", True),
                _ex("Cek penerima bansos: https://cek-bansos-kemensos.xyz", True),
                _ex("Aktifkan akun: dana-kaget.site/klaim", True),
                _ex("Unduh aplikasi resmi di https://www.bri.co.id", False),
                _ex("Dana hibah cair, info di https://www.kemenkeu.go.id", False),
            ),
            **common,
        ),
        IpRule(
            id="SMG-LINK-006",
            name="ip-address-link",
            severity=Severity.HIGH,
            message={
                "en": "This link goes to a bare IP address instead of a named site.",
                "id": "Tautan ini mengarah ke alamat IP, bukan ke nama situs.",
            },
            suggestion={
                "en": "Link to the site's official domain name instead.",
                "id": "Gunakan nama domain resmi situs tersebut.",
            },
            why={
                "en": "Legitimate organisations link to their domain names. Links to raw IP "
                "addresses are typical of phishing pages and malware hosts.",
                "id": "Instansi yang sah menautkan nama domainnya. Tautan ke alamat IP "
                "mentah adalah ciri halaman phishing dan server malware.",
            },
            examples=(
                _ex("Perbarui data rekening di http://103.12.4.5/login", True),
                _ex("Atur modem Anda lewat http://192.168.1.1 di browser.", False),
                _ex("Versi aplikasi 1.2.3.4 sudah tersedia.", False),
            ),
            **common,
        ),
        DisguisedRule(
            id="SMG-LINK-007",
            name="disguised-letters-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link's address mixes in letters from another alphabet that look "
                "like Latin letters.",
                "id": "Alamat tautan ini menyisipkan huruf dari abjad lain yang mirip huruf Latin.",
            },
            suggestion={
                "en": "Do not publish this link; retype the address by hand from the official "
                "source.",
                "id": "Jangan terbitkan tautan ini; ketik ulang alamatnya dari sumber resmi.",
            },
            why={
                "en": "A Cyrillic 'а' looks exactly like a Latin 'a'. Addresses that mix them "
                "(a homograph attack) exist only to deceive.",
                "id": "Huruf Kiril 'а' terlihat sama persis dengan huruf Latin 'a'. Alamat yang "
                "mencampurnya (serangan homograf) dibuat hanya untuk menipu.",
            },
            examples=(
                _ex("Promo spesial di https://аррӏе-promo.com", True),
                _ex("Kunjungi https://tokoрedia-promo.com/flash", True),
                _ex("Berita dari https://президент.рф dan https://café.fr", False),
            ),
            **common,
        ),
        PlainLoginRule(
            id="SMG-LINK-008",
            name="unencrypted-login-link",
            severity=Severity.MEDIUM,
            message={
                "en": "This link sends readers to a login or account page without encryption "
                "(http://, not https://).",
                "id": "Tautan ini mengarahkan pembaca ke halaman login atau akun tanpa "
                "enkripsi (http://, bukan https://).",
            },
            suggestion={
                "en": "Use the https:// address of the page.",
                "id": "Gunakan alamat https:// halaman tersebut.",
            },
            why={
                "en": "Passwords sent over http:// can be read by anyone on the network, and "
                "real login pages are always https://; such links are often phishing.",
                "id": "Kata sandi yang dikirim lewat http:// bisa dibaca siapa pun di jaringan, "
                "dan halaman login asli selalu memakai https://; tautan seperti ini sering "
                "kali phishing.",
            },
            examples=(
                _ex("Silakan login di http://portal-layanan.id/login untuk cek status.", True),
                _ex("Silakan login di https://portal-layanan.id/login untuk cek status.", False),
            ),
            **common,
        ),
    ]
