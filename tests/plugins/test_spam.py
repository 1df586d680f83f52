"""The spam plugin: hashtag, mention and link floods, repeated lines and words, hidden
characters inside words."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smguard.plugins import spam
from smguard.plugins.spam import scam_signals, scams

from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.normalize import normalize
from smguard.guard.rule import CheckContext, Rule
from smguard.guard.ruletest import run_examples
from smguard.types import Finding, Post, Severity
from tests.support.guards import make_guard

HASHTAGS, MENTIONS, LINES, WORDS, HIDDEN, LINKS = (f"SMG-SPAM-05{n}" for n in range(6))
ALL_IDS = (HASHTAGS, MENTIONS, LINES, WORDS, HIDDEN, LINKS)


def rules(config: dict[str, Any] | None = None) -> dict[str, Rule]:
    found: list[Rule] = []
    spam.register_rules(found.append, Config.from_dict(config or {}))
    return {r.id: r for r in found}


def check(
    rule_id: str, text: str, config: dict[str, Any] | None = None, **fields: Any
) -> list[Finding]:
    cfg = Config.from_dict(config or {})
    post = Post(text=text, **fields)
    ctx = CheckContext(post, frozenset({"id", "en"}), cfg, cfg.account(None))
    return list(rules(config)[rule_id].check(post, ctx))


def tags(n: int) -> str:
    return " ".join(f"#tag{i}" for i in range(n))


CLEAN_POSTS = [
    "Selamat Hari Kemerdekaan! #HUTRI81 #Dirgahayu #IndonesiaMaju 🇮🇩",
    "MERDEKA!\nMERDEKA!\nMERDEKA!\nDirgahayu Republik Indonesia ke-81",
    "Hati-hati di jalan ya, Kak. Haha haha haha haha haha!",
    "Terima kasih @kemkes_ri, @bpjs.kesehatan dan @kominfo atas kolaborasinya.",
    "Tim kami 👩\u200d💻 siap membantu, hubungi kami di kemkes.go.id/kontak",
    "Fitur C# dan F# dibahas di &#8220;webinar&#8221; hari ini.",
    "Aamiin aamiin aamiin aamiin aamiin ya rabbal alamin",
    "Harga Rp 150.000, promo 17-08-2026 pukul 19.00 WIB, kupu-kupu dan hati-hati.",
]


@pytest.mark.parametrize("text", CLEAN_POSTS)
def test_clean_posts_raise_nothing(text: str) -> None:
    for rule_id in ALL_IDS:
        assert check(rule_id, text) == [], rule_id


def test_every_rule_is_documented_in_both_languages() -> None:
    for rule in rules().values():
        assert rule.engine == "spam" and rule.category == "spam"
        assert int(rule.id.rsplit("-", 1)[1]) >= 50  # packs use SMG-<LANG>-SPAM-001..049
        for field in (rule.message, rule.why, rule.suggestion):
            assert field and field.get("en", "").strip() and field.get("id", "").strip(), rule.id


def test_examples_hold_through_the_guard() -> None:
    guard = make_guard([spam])
    for rule in guard.all_rules:
        failed = [r.describe() for r in run_examples(guard, rule) if not r.passed]
        assert failed == [], rule.id


# -- hashtags and mentions -----------------------------------------------------------------------


def test_hashtag_flood_severity_grows_with_the_count() -> None:
    assert check(HASHTAGS, "Info " + tags(8)) == []
    (low,) = check(HASHTAGS, "Info " + tags(9))
    assert low.severity == Severity.LOW and low.evidence == "9 hashtags"
    (medium,) = check(HASHTAGS, "Info " + tags(17))
    assert medium.severity == Severity.MEDIUM
    assert "17" in medium.message["en"] and "17 tagar" in medium.message["id"]


def test_hashtag_span_covers_the_extra_hashtags() -> None:
    text = "Info " + tags(10)
    (finding,) = check(HASHTAGS, text)
    assert finding.span is not None
    assert text[finding.span[0] : finding.span[1]] == "#tag8 #tag9"


def test_hashtag_limit_is_configurable() -> None:
    config = {"plugins": {"spam": {"max_hashtags": 3}}}
    assert check(HASHTAGS, "Info " + tags(4), config=config)
    assert check(HASHTAGS, "Info " + tags(3), config=config) == []


def test_mention_flood_ignores_emails() -> None:
    text = "Giveaway! @andi @budi @citra @dewi @eko @fajar ikut ya"
    (finding,) = check(MENTIONS, text)
    assert finding.severity == Severity.LOW
    assert finding.span is not None and text[finding.span[0] : finding.span[1]] == "@fajar"
    emails = "Kirim ke a@x.id, b@x.id, c@x.id, d@x.id, e@x.id, f@x.id, g@x.id"
    assert check(MENTIONS, emails) == []


# -- repetition ----------------------------------------------------------------------------------


def test_repeated_lines() -> None:
    text = "DAFTAR SEKARANG JUGA\nInfo penting\ndaftar  sekarang juga \nDAFTAR SEKARANG JUGA"
    (finding,) = check(LINES, text)
    assert finding.severity == Severity.MEDIUM
    assert finding.span == (0, len(text))
    assert "3" in finding.message["en"]
    two = "DAFTAR SEKARANG JUGA\nDAFTAR SEKARANG JUGA"
    assert check(LINES, two) == []
    assert check(LINES, two, config={"plugins": {"spam": {"min_repeated_lines": 2}}})


def test_repeated_words() -> None:
    text = "Ayo promo promo promo promo promo! cek sekarang"
    (finding,) = check(WORDS, text)
    assert finding.severity == Severity.LOW
    assert finding.span is not None
    assert text[finding.span[0] : finding.span[1]] == "promo promo promo promo promo!"
    assert check(WORDS, "gacor gacor gacor gacor") == []  # four is fine by default
    assert check(WORDS, "Gacor GACOR gacor, gacor! gacor")
    assert check(WORDS, "slot, slot, slot, slot, slot, slot")


# -- hidden characters ---------------------------------------------------------------------------


def test_hidden_characters_inside_words() -> None:
    text = "Main sl\u200bot ga\u2060cor malam ini"
    (finding,) = check(HIDDEN, text)
    assert finding.severity == Severity.MEDIUM
    assert "U+200B" in (finding.evidence or "") and "U+2060" in (finding.evidence or "")
    assert finding.span == (7, 14)


def test_invisible_characters_outside_words_pass() -> None:
    assert check(HIDDEN, "Halo \u200b semua, 👨\u200d👩\u200d👧 keluarga") == []
    assert check(HIDDEN, "\ufeffBOM di awal teks") == []


# -- links ---------------------------------------------------------------------------------------


def test_link_flood() -> None:
    text = "a-promo.xyz/1 b-promo.xyz/2 c-promo.xyz/3 d-promo.xyz/4 e-promo.xyz/5 daftar"
    (finding,) = check(LINKS, text)
    assert finding.severity == Severity.LOW and finding.evidence == "5 links"
    assert finding.span is not None
    assert text[finding.span[0] : finding.span[1]] == "e-promo.xyz/5"
    assert check(LINKS, "kemkes.go.id/a kemkes.go.id/a kemkes.go.id/a kemkes.go.id/a x.id/b") == []
    extra = ("https://a.id/1", "https://a.id/2", "https://a.id/3")
    (attached,) = check(LINKS, "Baca kemkes.go.id/x dan y.id/z", links=extra)
    assert attached.evidence == "5 links"


def test_guard_decisions() -> None:
    guard = make_guard([spam])
    assert guard.check("Info " + tags(20)).decision == "review"
    assert guard.check("Info " + tags(9)).decision == "allow"  # low: shown, not held
    assert guard.check(CLEAN_POSTS[0]).decision == "allow"


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_tags": 3}, "plugins.spam.max_tags: unknown setting"),
        ({"max_hashtags": "8"}, "plugins.spam.max_hashtags: must be a whole number from 1"),
        ({"max_mentions": 0}, "plugins.spam.max_mentions: must be a whole number from 1"),
        ({"min_repeated_lines": 1}, "plugins.spam.min_repeated_lines: must be a whole number"),
        ({"max_links": True}, "plugins.spam.max_links: must be a whole number"),
    ],
)
def test_config_errors_name_the_key(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        rules({"plugins": {"spam": options}})
    assert str(err.value).startswith(message)


# -- scams by structure (SMG-SPAM-056) ----------------------------------------------------------

SCAM = "SMG-SPAM-056"


@pytest.mark.parametrize(
    "text",
    [
        # prizes and winnings, with a number or short code to call
        "Congratulations, you have won a $1,000 shopping voucher! Call 0877-2222-3333 today.",
        "You are our lucky winner of a £2000 award. Txt CLAIM to 81234 before midnight!",
        "Selamat! Anda pemenang undian berhadiah motor. Hubungi 0852-7777-8888 segera.",
        # free entry and premium-rate small print
        "FREE entry into our draw for a new phone! Text GO to 62468 now. 150p/msg 18+",
        # a premium number to call at once
        "URGENT: please call 09061112222 now about your delivery.",
        # loans
        "Need a loan? Fast approval, no credit check! WhatsApp 0813-2222-1111 today.",
        "Dana tunai cepat cair tanpa agunan, hubungi WA 0821-3333-4444 sekarang",
        # "mama minta pulsa" and relatives in need
        "Ini mama, ganti nomor. Tolong beliin pulsa 50rb sekarang ya, penting",
        # OTP and PIN phishing
        "Your account will be locked today. Reply with the OTP code we sent to keep it.",
        "Akun kamu terblokir. Segera kirim kode verifikasi ke WA 0812-9999-0000",
        # fake customer service asking for money or codes
        "Customer service: to refund your order, send your PIN to 0856-4444-5555 now",
        # a fake notice
        "Paket Anda tertahan di gudang. Segera hubungi kurir di 0813-5555-6666 sebelum hangus",
        # links with a strong lure and two pushes
        "You have won! Claim your cash prize now at https://win-claims.example.top/now",
    ],
)
def test_scams_are_found_by_their_structure(text: str) -> None:
    assert check(SCAM, text), text


@pytest.mark.parametrize(
    "text",
    [
        # warnings and reporting
        "Beware: we never ask for your OTP or PIN. Report scams to 0811-1500-111.",
        "Waspada penipuan berkedok hadiah undian! Jangan transfer biaya admin ke siapa pun.",
        "Polisi menangkap pelaku modus mama minta pulsa yang menipu puluhan warga.",
        # honest promotions and announcements
        "Flash sale today only: free shipping and 30% off, from Rp99.000 at https://shop.example.id",
        "Congratulations to our 5 winners! The list is on our website.",
        "Pemenang giveaway sudah kami umumkan, cek daftarnya di laman kami ya.",
        "Hubungi call center kami di 14045 untuk informasi lebih lanjut.",
        # people talking
        "Are you free tonight? Call me when you get home.",
        "I won the match today!! Call me later",
        "Mama sudah sampai rumah, nanti telepon ya",
        # numbers inside links are not numbers to call
        "Read the steps here: https://example.org/web/20200401224734/help and call us now.",
    ],
)
def test_ordinary_posts_are_not_scams(text: str) -> None:
    assert not check(SCAM, text), text


def test_severity_rises_with_a_direct_contact_and_two_pushes() -> None:
    strong = check(SCAM, "You have won £500 cash! Call 09061112222 now to claim.")
    assert [f.severity for f in strong] == [Severity.HIGH]
    assert "a prize or win" in strong[0].message["en"]
    assert "hadiah atau kemenangan" in strong[0].message["id"]
    weaker = check(SCAM, "You have won a prize, reply YES to claim it")
    assert [f.severity for f in weaker] == [Severity.MEDIUM]


def test_own_numbers_and_domains_are_not_a_scam_contact() -> None:
    contest = "Selamat, kamu pemenang kuis kami! Segera hubungi 0812-1000-2000 untuk klaim hadiah"
    assert check(SCAM, contest)
    own = {"plugins": {"spam": {"own_numbers": ["+62 812 1000 2000"]}}}
    assert not check(SCAM, contest, own)
    code = "Kamu pemenang kuis! Ketik KLAIM kirim ke 14045 sekarang"
    assert check(SCAM, code)
    # the keyword to text back still counts: an own short code does not hide a keyword campaign
    assert check(SCAM, code, {"plugins": {"spam": {"own_numbers": ["14045"]}}})
    link = "You have won a prize! Claim it today at https://promo.tokobatik.co.id/win"
    assert check(SCAM, link)
    assert not check(SCAM, link, {"plugins": {"spam": {"own_domains": ["tokobatik.co.id"]}}})


def test_own_numbers_need_digits() -> None:
    with pytest.raises(ConfigError, match="own_numbers"):
        rules({"plugins": {"spam": {"own_numbers": ["hotline"]}}})


def _scam_vocabulary() -> list[str]:
    """Every word and phrase the scam signals look for, and the other pieces a scam holds."""
    pieces = (
        "0812-3456-7890 81234 09061112222 https://win.example.top/claim 150p Rp50rb £500 now "
        "today mama t&c are go baru 50rb sekarang segera"
    ).split()
    pieces += ["ganti nomor baru", "kirim kode OTP", "send your PIN", "are you free"]
    pieces += ["we never ask", "ini mama", "tolong beliin pulsa", "this is mum", "send me the code"]
    groups = "PRIZE FREE LOAN CREDENTIAL SERVICE NOTICE SUPPORT ACTION URGENCY MONEY_WORDS"
    for name in (*groups.split(), "PREMIUM_WORDS", "WARNING"):
        group = getattr(scam_signals, name)
        pieces += sorted(group.single)
        pieces += sorted(p.strip() for phrases in group.multi.values() for p in phrases)
    return pieces


def _quick_test_holds(text: str) -> None:
    words = normalize(text).words
    signals = scam_signals.scam_signals(
        text, words, link=lambda: "http" in text, contact=lambda: "08" in text
    )
    if scams.is_scam(signals):
        assert scam_signals.may_be_scam(frozenset(words), text), text


def test_the_quick_scam_test_lets_every_single_piece_through() -> None:
    for piece in _scam_vocabulary():
        _quick_test_holds(piece)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_scam_vocabulary()), min_size=1, max_size=8))
def test_the_quick_scam_test_never_misses_a_scam(pieces: list[str]) -> None:
    """``may_be_scam`` decides most posts alone: whatever the full signals call a scam, it must
    let through (its tests are necessary conditions of the parts, not guesses)."""
    _quick_test_holds(" ".join(pieces))
