"""The links plugin: shorteners, deny lists, gambling/porn domains, lookalikes, impersonation,
IP links, disguised letters and unencrypted login links."""

from __future__ import annotations

from typing import Any

import pytest
from smguard.plugins import links

from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.rule import CheckContext, Rule
from smguard.guard.ruletest import run_examples
from smguard.types import Finding, Post, Severity
from tests.support.guards import make_guard


def rules(config: dict[str, Any] | None = None) -> dict[str, Rule]:
    found: list[Rule] = []
    links.register_rules(found.append, Config.from_dict(config or {}))
    return {r.id: r for r in found}


def check(
    rule_id: str,
    text: str,
    config: dict[str, Any] | None = None,
    account: str | None = None,
    **fields: Any,
) -> list[Finding]:
    cfg = Config.from_dict(config or {})
    post = Post(text=text, account=account, **fields)
    updates = links.prepare_post(post)
    if updates:
        post = post.with_changes(**updates)
    ctx = CheckContext(post, frozenset({"id", "en"}), cfg, cfg.account(account))
    return list(rules(config)[rule_id].check(post, ctx))


def fired(rule_id: str, text: str, **kwargs: Any) -> bool:
    return bool(check(rule_id, text, **kwargs))


CLEAN_POSTS = [
    "Selamat pagi Sobat Sehat! Vaksinasi gratis pukul 08.00-15.00 WIB. Info: kemkes.go.id/berita",
    "Promo akhir tahun, harga mulai Rp 150.000, berlaku 17-08-2026 s.d. 31-08-2026.",
    "Read the changelog at https://example.com/blog/release-2-4-1, e.g. faster sync.",
    "Mohon maaf, Kak. Boleh DM nomor pesanan (INV/2026/08/001234)? Terima kasih.",
    "Unduh aplikasi resmi di https://www.bca.co.id dan https://www.bri.co.id/brimo",
    "Baca selengkapnya di https://www.detik.com/berita dan https://www.kompas.com/tren",
    "Informasi pajak ada di https://www.pajak.go.id, bantuan BPJS di bpjs-kesehatan.go.id",
    "Berita Kemendag di https://www.kemendag.go.id dan Kemenkeu di kemenkeu.go.id",
    "Atur modem Anda lewat http://192.168.1.1 di browser.",
]
ALL_IDS = [f"SMG-LINK-00{n}" for n in range(1, 9)]


@pytest.mark.parametrize("text", CLEAN_POSTS)
def test_clean_posts_raise_nothing(text: str) -> None:
    for rule_id in ALL_IDS:
        assert check(rule_id, text) == [], rule_id


def test_every_rule_is_documented_in_both_languages() -> None:
    for rule in rules().values():
        assert rule.engine == "links" and rule.category == "link"
        for field in (rule.message, rule.why, rule.suggestion):
            assert field and field.get("en", "").strip() and field.get("id", "").strip(), rule.id


def test_examples_hold_through_the_guard() -> None:
    guard = make_guard([links])
    for rule in guard.all_rules:
        failed = [r.describe() for r in run_examples(guard, rule) if not r.passed]
        assert failed == [], rule.id


# -- SMG-LINK-001 shorteners ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "link", ["bit.ly/abc", "https://s.id/promo", "tinyurl.com/x1", "cutt.ly/a", "lnkd.in/e"]
)
def test_shorteners_are_flagged_medium_with_the_span(link: str) -> None:
    text = f"Info lengkap di {link} ya Kak"
    (finding,) = check("SMG-LINK-001", text)
    assert finding.severity == Severity.MEDIUM
    assert finding.span is not None and text[finding.span[0] : finding.span[1]] == link


def test_a_link_written_again_is_reported_once_at_its_first_place() -> None:
    text = (
        "Klik bit.ly/abc sekarang, sekali lagi bit.ly/abc, dan s.id/promo. " + "bit.ly/abc " * 500
    )
    found = check("SMG-LINK-001", text)
    assert [text[f.span[0] : f.span[1]] for f in found if f.span] == ["bit.ly/abc", "s.id/promo"]
    assert found[0].span == (5, 15)
    # A link given in the post's links and also written is the written one, once.
    found = check("SMG-LINK-001", "Klik bit.ly/abc", links=("bit.ly/abc", "bit.ly/abc", "s.id/x"))
    assert [(f.span, f.evidence) for f in found] == [((5, 15), "bit.ly/abc"), (None, "s.id/x")]


def test_allowed_shortener_paths_and_domains_pass() -> None:
    config = {"plugins": {"links": {"allow": ["s.id/kemkes", "https://bit.ly/"]}}}
    assert not fired("SMG-LINK-001", "Daftar: s.id/kemkes-vaksin", config=config)
    assert not fired("SMG-LINK-001", "Daftar: bit.ly/apa-saja", config=config)
    assert fired("SMG-LINK-001", "Daftar: s.id/lain", config=config)


def test_extra_shorteners_from_config() -> None:
    config = {"plugins": {"links": {"shorteners": ["sur.ly"]}}}
    assert fired("SMG-LINK-001", "Lihat sur.ly/x", config=config)
    assert not fired("SMG-LINK-001", "Lihat sur.ly/x")


def test_defanged_shortener_in_a_warning_is_not_a_link() -> None:
    assert not fired("SMG-LINK-001", "Waspada tautan palsu bit[.]ly/hadiah-bca!")


def test_link_given_outside_the_text_is_checked_without_a_span() -> None:
    (finding,) = check("SMG-LINK-001", "Info lengkap di tautan berikut 👇", links=["bit.ly/xyz"])
    assert finding.span is None


# -- SMG-LINK-002 deny list ----------------------------------------------------------------------


def test_denied_domains_and_their_subdomains() -> None:
    config = {"plugins": {"links": {"deny": ["judi-online.xyz", "https://www.bad-site.com/"]}}}
    text = "Main di judi-online.xyz/daftar"
    (finding,) = check("SMG-LINK-002", text, config=config)
    assert finding.severity == Severity.HIGH
    assert finding.span == (8, len(text))
    assert fired("SMG-LINK-002", "Main di https://m.judi-online.xyz", config=config)
    assert fired("SMG-LINK-002", "Lihat bad-site.com", config=config)
    assert fired("SMG-LINK-002", "Lihat judi-online[.]xyz", config=config)  # defanged too
    assert not fired("SMG-LINK-002", "Lihat not-bad-site.com", config=config)
    assert not fired("SMG-LINK-002", "Main di judi-online.xyz/daftar")  # nothing denied


def test_allow_wins_over_deny() -> None:
    config = {"plugins": {"links": {"deny": ["a-site.com"], "allow": ["ok.a-site.com"]}}}
    assert not fired("SMG-LINK-002", "https://ok.a-site.com/x", config=config)
    assert fired("SMG-LINK-002", "https://no.a-site.com/x", config=config)


# -- SMG-LINK-003 gambling and porn --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Situs gacor: https://slot88-gacor.xyz/daftar", "gambling"),
        ("Daftar di rajaslot.online sekarang", "gambling"),
        ("Bonus new member di bet365-indo.com", "gambling"),
        ("Togel hari ini: togelonline88.site", "gambling"),
        ("Video viral: bokepindo.site", "porn"),
        ("Full video https://xxx-hot-cam.com", "porn"),
        ("Link resmi: s.id/slotgacor88", "gambling"),
        ("Link kami heylink.me/maxwin-gacor", "gambling"),
        ("Cek gacor77[.]xyz", "gambling"),
    ],
)
def test_gambling_and_porn_domains(text: str, kind: str) -> None:
    (finding,) = check("SMG-LINK-003", text)
    assert finding.severity == Severity.HIGH
    word = "gambling" if kind == "gambling" else "pornographic"
    assert word in finding.message["en"]
    assert ("judi" if kind == "gambling" else "pornografi") in finding.message["id"]


@pytest.mark.parametrize(
    "text",
    [
        "Atur jadwal di https://timeslot.kemkes.go.id",
        "Kuliah di https://www.sussex.ac.uk dan essex.ac.uk",
        "Saham https://abc.xyz dan https://www.alphabet.com",
        "Parkir: https://www.parkirslot.id",
        "Artikel bit.ly/tips-sehat-lebaran",
    ],
)
def test_innocent_domains_are_not_gambling_or_porn(text: str) -> None:
    assert check("SMG-LINK-003", text) == []


def test_extra_keywords_from_config() -> None:
    config = {"plugins": {"links": {"keywords": ["bandarq"]}}}
    assert fired("SMG-LINK-003", "Main di bandarqku.net", config=config)
    assert not fired("SMG-LINK-003", "Main di bandarqku.net")


# -- SMG-LINK-004 lookalikes ---------------------------------------------------------------------

OWN = {"plugins": {"links": {"own_domains": ["kemkes.go.id"]}}}


@pytest.mark.parametrize(
    ("link", "kind"),
    [
        ("kemkess.go.id/daftar", "typo"),
        ("https://kernkes.go.id", "homograph"),  # rn looks like m
        ("https://kemkes.go.id.verify-login.com/masuk", "subdomain"),
        ("kemkes-go.id/vaksin", "dashes"),
        ("https://www-kemkes-go-id.xyz", "dashes"),
        ("https://kemkes.id", "suffix"),
        ("https://kеmkes.go.id", "homograph"),  # Cyrillic е
    ],
)
def test_lookalikes_of_the_own_domain_are_critical(link: str, kind: str) -> None:
    text = f"Daftar vaksin di {link} sekarang"
    (finding,) = check("SMG-LINK-004", text, config=OWN)
    assert finding.severity == Severity.CRITICAL, kind
    assert "kemkes.go.id" in (finding.evidence or "")
    assert finding.span is not None and text[finding.span[0] : finding.span[1]] == link


def test_own_domains_per_account() -> None:
    config = {"accounts": {"bank": {"own_domains": ["bankku.co.id"]}}}
    text = "Login di https://bankku-co.id/login"
    (finding,) = check("SMG-LINK-004", text, config=config, account="bank")
    assert finding.severity == Severity.CRITICAL
    assert not fired("SMG-LINK-004", text, config=config)  # another account: not protected
    assert not fired("SMG-LINK-004", "Login di https://www.bankku.co.id", config=config,
                     account="bank")  # fmt: skip


@pytest.mark.parametrize(
    "link",
    [
        "https://klikbca.co/login",
        "https://klikbсa.com",  # Cyrillic с
        "https://kl1kbca.com",
        "tokopedla.com/promo",
        "https://bankmandlri.co.id",
    ],
)
def test_lookalikes_of_well_known_domains(link: str) -> None:
    (finding,) = check("SMG-LINK-004", f"Cek di {link}")
    assert finding.severity >= Severity.HIGH


@pytest.mark.parametrize(
    "host",
    [
        "www.klikbca.com", "kemkes.go.id", "sehatnegeriku.kemkes.go.id", "www.kemendag.go.id",
        "genius.com", "dana.com", "www.bni.co.id", "www.bri.co.id", "www.kompas.com",
        "www.danamon.co.id", "lazard.com", "tokopedia.com",
    ],
)  # fmt: skip
def test_real_and_unrelated_domains_are_not_lookalikes(host: str) -> None:
    assert check("SMG-LINK-004", f"Lihat https://{host}/info") == []


def test_own_domain_links_are_never_flagged() -> None:
    config = {"plugins": {"links": {"own_domains": ["s.id"]}}}
    for rule_id in ALL_IDS:
        assert not fired(rule_id, "Daftar: http://s.id/login", config=config), rule_id


# -- SMG-LINK-005 impersonation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "brand"),
    [
        ("bca-id.com", "bca"),
        ("https://cek-bansos-kemensos.xyz", "bansos"),
        ("dana-kaget.site/klaim", "dana"),
        ("https://bri-promo.online/login", "bri"),
        ("https://bpjs.login-secure.com", "bpjs"),
        ("http://klikbcapromo.com", "klikbca"),
        ("https://gopay-bonus.top", "gopay"),
    ],
)
def test_brand_names_in_foreign_domains(link: str, brand: str) -> None:
    (finding,) = check("SMG-LINK-005", f"Klaim hadiah di {link} sekarang!")
    assert finding.severity == Severity.HIGH
    assert f"({brand})" in (finding.evidence or "")
    assert brand.upper() in finding.message["en"]


@pytest.mark.parametrize(
    "link",
    [
        "https://www.bca.co.id/promo", "https://www.danamon.co.id", "https://www.bsigroup.com",
        "https://www.cnbcindonesia.com/market", "https://dana.org", "https://pajak.jatengprov.go.id",
        "https://www.klikpajak.id", "https://www.bsi.ac.id", "https://www.ovoid-art.com",
    ],
)  # fmt: skip
def test_brand_rule_leaves_real_and_unrelated_sites_alone(link: str) -> None:
    assert check("SMG-LINK-005", f"Baca di {link}") == []


def test_own_name_is_protected_like_a_brand() -> None:
    config = {"plugins": {"links": {"own_domains": ["kemkes.go.id"]}}}
    assert fired("SMG-LINK-005", "Daftar di https://kemkes-bansos-2026.xyz", config=config)


def test_extra_brands_from_config() -> None:
    config = {"plugins": {"links": {"brands": {"bankku": ["bankku.co.id"]}}}}
    assert fired("SMG-LINK-005", "Login di bankku-login.com", config=config)
    assert not fired("SMG-LINK-005", "Login di bankku.co.id/login", config=config)


def test_a_lookalike_is_reported_once() -> None:
    text = "Cek https://klikbca.co/login"
    assert fired("SMG-LINK-004", text)
    assert not fired("SMG-LINK-005", text)


# -- SMG-LINK-006 IP links, 007 disguised letters, 008 unencrypted logins -----------------------


def test_public_ip_links_are_high_private_ones_pass() -> None:
    (finding,) = check("SMG-LINK-006", "Perbarui data di http://103.12.4.5/login")
    assert finding.severity == Severity.HIGH
    assert fired("SMG-LINK-006", "Perbarui data di 103.12.4.5/login")
    assert not fired("SMG-LINK-006", "Buka http://192.168.1.1 atau http://10.0.0.1/setup")
    assert not fired("SMG-LINK-006", "Versi 1.2.3.4 tersedia")


def test_disguised_letters() -> None:
    assert fired("SMG-LINK-007", "Promo di https://аррӏе-promo.com")  # all Cyrillic, Latin TLD
    assert fired("SMG-LINK-007", "Promo di https://tokoрedia-promo.com")
    assert fired("SMG-LINK-007", "Promo di http://xn--80ak6aa92e.com")
    assert not fired("SMG-LINK-007", "Berita https://президент.рф, https://café.fr")
    # A lookalike of a known domain is reported by SMG-LINK-004 instead.
    assert not fired("SMG-LINK-007", "Login https://klikbсa.com")


def test_small_capitals_and_other_scripts_in_domains() -> None:
    (small,) = check("SMG-LINK-004", "Daftar di ᴋᴇᴍᴋᴇꜱ.go.id", {"plugins": {"links": {
        "own_domains": ["kemkes.go.id"]}}})  # fmt: skip
    assert small.severity == Severity.CRITICAL and small.evidence == "ᴋᴇᴍᴋᴇꜱ.go.id ~ kemkes.go.id"
    assert fired("SMG-LINK-004", "Login di https://ᴋʟɪᴋʙᴄᴀ.com")  # small capitals
    assert fired("SMG-LINK-004", "Login di https://кӏікbса.com")  # Cyrillic
    assert fired("SMG-LINK-007", "Promo https://ꓑꓲꓠꓰ.com")  # Lisu capitals that look Latin
    assert not fired("SMG-LINK-004", "Cek ｋｌｉｋｂｃａ.com")  # full-width: the real domain


def test_letters_of_european_alphabets_are_not_disguised() -> None:
    assert not fired("SMG-LINK-007", "Info https://søren.dk dan https://łódź.pl")
    assert fired("SMG-LINK-007", "Info https://ɑpple-promo.com")  # Latin alpha, a phonetic letter


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("https://klikbca.myshopify.com/login", "klikbca.com"),
        ("https://kemkes.azurestaticapps.net", "kemkes.go.id"),
        ("https://kemkes.s3.ap-southeast-1.amazonaws.com/form.pdf", "kemkes.go.id"),
        ("https://tokopedia.ngrok.app", "tokopedia.com"),
    ],
)
def test_a_name_on_a_hosting_platform_is_a_lookalike(link: str, target: str) -> None:
    # The Public Suffix List's private section: the shop, static site, bucket or tunnel is the
    # registrable domain, so its name is compared with the real one like klikbca.co is.
    (found,) = check("SMG-LINK-004", f"Silakan buka {link}")
    assert found.evidence.endswith(f"~ {target}")
    assert not fired("SMG-LINK-005", f"Silakan buka {link}")  # reported once


def test_unencrypted_login_links() -> None:
    (finding,) = check("SMG-LINK-008", "Login: http://portal-layanan.id/login")
    assert finding.severity == Severity.MEDIUM
    assert fired("SMG-LINK-008", "Verifikasi: http://contoh.id/akun/verifikasi")
    assert not fired("SMG-LINK-008", "Login: https://portal-layanan.id/login")
    assert not fired("SMG-LINK-008", "Berita: http://portal-layanan.id/berita")


# -- prepare_post and the guard ------------------------------------------------------------------


def test_prepare_post_fills_links() -> None:
    post = Post(text="Info di kemkes.go.id/berita dan hxxp://evil[.]com")
    assert links.prepare_post(post) == {"links": ("kemkes.go.id/berita",)}
    assert links.prepare_post(Post(text="Tanpa tautan.")) is None
    given = Post(text="Info di kemkes.go.id", links=("https://a.example",))
    assert links.prepare_post(given) is None


def test_guard_routes_a_shortener_to_review_and_gambling_to_block() -> None:
    guard = make_guard([links])
    review = guard.check("Daftar beasiswa di bit.ly/beasiswa-2026 ya!")
    assert review.decision == "review"
    assert [f.rule for f in review.findings] == ["SMG-LINK-001"]
    blocked = guard.check("Main di slot88-gacor.xyz, maxwin hari ini")
    assert blocked.decision == "block"
    assert guard.check("Info resmi di https://www.kemkes.go.id").decision == "allow"


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"alow": []}, "plugins.links.alow: unknown setting"),
        ({"allow": 5}, "plugins.links.allow: must be a list of domains"),
        ({"deny": ["not a domain"]}, "plugins.links.deny: 'not a domain' is not a domain"),
        ({"own_domains": ["kemkes.go.id/berita"]}, "plugins.links.own_domains: "),
        ({"shorteners": [1]}, "plugins.links.shorteners: must be a list of domains"),
        ({"keywords": ["two words"]}, "plugins.links.keywords: 'two words' must be one word"),
        ({"brands": ["bca"]}, "plugins.links.brands: must be a table"),
        ({"brands": {"x": ["x.com"]}}, "plugins.links.brands.x: a brand name is one word"),
        ({"brands": {"bankku": "nope nope"}}, "plugins.links.brands.bankku: 'nope nope'"),
    ],
)
def test_config_errors_name_the_key(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        rules({"plugins": {"links": options}})
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_config_error_surfaces_when_the_guard_starts() -> None:
    with pytest.raises(ConfigError, match=r"plugins\.links\.deny"):
        make_guard([links], config={"plugins": {"links": {"deny": "bad value!"}}})
