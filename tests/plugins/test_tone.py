"""Tone of replies: shouting, punctuation runs, blaming phrases and curt answers to complaints.

Every test goes through the real guard with the built-in packs, as an admin's tool would.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from smguard.cli.main import _add_commands, cli
from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.engine import Guard
from smguard.guard.ruletest import run_examples
from smguard.types import Finding, Severity, Verdict

PLUGINS = "packs,policy,tone,timing"
COMPLAINT = "Kok pesanan saya belum sampai?! Parah"

Check = Callable[..., Verdict]


@pytest.fixture
def load_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMGUARD_LOAD_PLUGINS", PLUGINS)


def make(config: dict[str, Any] | None = None) -> Guard:
    return Guard(Config.from_dict(config or {}))


@pytest.fixture
def guard(load_plugins: None) -> Guard:
    return make()


@pytest.fixture
def reply(guard: Guard) -> Check:
    """Check a reply: ``reply(text, reply_to=None, **fields)``."""

    def check(text: str, reply_to: str | None = None, **fields: Any) -> Verdict:
        post: dict[str, Any] = {"text": text, "kind": "reply", **fields}
        if reply_to is not None:
            post["in_reply_to"] = {"text": reply_to}
        verdict = guard.check(post)
        assert verdict.error is None, verdict.error
        return verdict

    return check


def tone(verdict: Verdict) -> dict[str, Finding]:
    return {f.rule: f for f in verdict.findings if f.category == "tone"}


# -- clean replies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reply_to"),
    [
        ("Mohon maaf atas ketidaknyamanannya, Kak. Boleh DM nomor pesanannya?", COMPLAINT),
        ("Halo Kak, mohon maaf 🙏 pesanan sudah kami cek ke kurir ya.", COMPLAINT),
        ("Makasih sudah menunggu, Kak. Paketnya tiba besok.", "Lama banget 😡"),
        ("Sorry for the wait! Your parcel arrives tomorrow.", "Still waiting for my order!"),
        ("Hi Sarah, thanks for flagging this. We've sent a replacement.", "Item arrived broken"),
        ("Silakan bawa KTP, KK dan NPWP ke kantor BPJS terdekat ya, Kak.", "Syaratnya apa?"),
    ],
)
def test_calm_replies_are_clean(reply: Check, text: str, reply_to: str) -> None:
    verdict = reply(text, reply_to)
    assert tone(verdict) == {}
    assert verdict.decision == "allow"


# -- blaming and condescending phrases (packs) ----------------------------------------------------


def test_blame_and_exclamations_fire_together(reply: Check) -> None:
    text = "Salah sendiri, makanya baca dulu!!!"
    found = tone(reply(text, "Kok voucher saya tidak bisa dipakai?"))
    # ... and it answers a complaint without a word of courtesy.
    assert set(found) == {"SMG-ID-TONE-101", "SMG-ID-TONE-102", "SMG-TONE-002", "SMG-TONE-003"}
    blame = found["SMG-ID-TONE-101"]
    assert blame.span is not None and text[blame.span[0] : blame.span[1]] == "Salah sendiri"
    assert blame.severity == Severity.MEDIUM
    lecture = found["SMG-ID-TONE-102"]
    assert lecture.span is not None and text[lecture.span[0] : lecture.span[1]] == "makanya baca"
    assert found["SMG-TONE-002"].evidence == "!!!"
    for finding in found.values():
        assert finding.suggestion and finding.suggestion.get("en") and finding.suggestion.get("id")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Mkny baca dl, Kak.", "SMG-ID-TONE-102"),  # slang: mkny → makanya
        ("Kan udah dibilang promonya sudah habis.", "SMG-ID-TONE-102"),
        ("Sudah dijelaskan berkali-kali di caption.", "SMG-ID-TONE-102"),
        ("Masa gitu aja gak bisa?", "SMG-ID-TONE-103"),
        ("Itu bukan urusan kami.", "SMG-ID-TONE-104"),
        ("Ga usah komplain, harganya sudah murah.", "SMG-ID-TONE-104"),
        ("Ya udah kalau gak mau.", "SMG-ID-TONE-104"),
        ("Terserah.", "SMG-ID-TONE-104"),
        ("Komplainnya lebay, cuma telat sehari.", "SMG-ID-TONE-105"),
        ("Jangan ngeyel ya.", "SMG-ID-TONE-105"),
    ],
)
def test_indonesian_blaming_and_lecturing(reply: Check, text: str, rule: str) -> None:
    found = tone(reply(text, language="id"))
    assert rule in found
    assert found[rule].severity == Severity.MEDIUM


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Dasar norak.", "SMG-ID-TONE-106"),
        ("Kakak lebay deh.", "SMG-ID-TONE-106"),
        ("Bodo amat.", "SMG-ID-TONE-107"),
        ("Derita lu.", "SMG-ID-TONE-107"),
    ],
)
def test_rude_labels_aimed_at_the_follower_block(reply: Check, text: str, rule: str) -> None:
    verdict = reply(text, language="id")
    found = tone(verdict)
    assert rule in found and found[rule].severity == Severity.HIGH
    assert "SMG-ID-TONE-105" not in found  # the milder rule stands back when 106 applies
    assert verdict.decision == "block"


@pytest.mark.parametrize(
    ("text", "rule", "severity"),
    [
        ("That's your problem, not ours.", "SMG-EN-TONE-101", Severity.MEDIUM),
        ("It’s your own fault for ordering the wrong size.", "SMG-EN-TONE-101", Severity.MEDIUM),
        ("Read the instructions before asking.", "SMG-EN-TONE-102", Severity.MEDIUM),
        ("As we already said, the sale ended.", "SMG-EN-TONE-102", Severity.MEDIUM),
        ("Calm down, your refund is coming.", "SMG-EN-TONE-103", Severity.MEDIUM),
        ("Obviously you need to log in first.", "SMG-EN-TONE-103", Severity.MEDIUM),
        ("Whatever.", "SMG-EN-TONE-104", Severity.MEDIUM),
        ("Learn to read.", "SMG-EN-TONE-105", Severity.HIGH),
        ("We don't care, the policy is final.", "SMG-EN-TONE-105", Severity.HIGH),
    ],
)
def test_english_blaming_and_condescension(
    reply: Check, text: str, rule: str, severity: Severity
) -> None:
    found = tone(reply(text, language="en"))
    assert rule in found
    assert found[rule].severity == severity


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Please read the instructions on the box, and message us if unsure.", "en"),
        ("Whatever you need, we're here to help!", "en"),
        ("Pilihan warnanya terserah Kakak, semua ready.", "id"),
        ("Makanya kami buka layanan 24 jam untuk Sobat semua.", "id"),
        ("Kalau ada yang salah pada pesanan, Kakak bisa retur dalam 7 hari.", "id"),
        ("Diskonnya bikin kaget, Kak!", "id"),
    ],
)
def test_ordinary_uses_of_the_same_words_pass(reply: Check, text: str, language: str) -> None:
    assert tone(reply(text, language=language)) == {}


def test_pack_phrases_leave_announcements_alone(guard: Guard) -> None:
    # "salah sendiri" in a post about a film, not aimed at a follower.
    verdict = guard.check({"text": "Nonton film 'Salah Sendiri' malam ini!", "kind": "post"})
    assert tone(verdict) == {}


def test_spans_point_into_the_original_text_after_emoji(reply: Check) -> None:
    text = "🙂🙂 Ｓａｌａｈ sendiri, Kak"
    found = tone(reply(text, language="id"))
    span = found["SMG-ID-TONE-101"].span
    assert span is not None
    assert text[span[0] : span[1]] == "Ｓａｌａｈ sendiri"


# -- shouting -----------------------------------------------------------------------------------


def test_shouting_reply_fires_with_a_calm_rewrite(reply: Check) -> None:
    text = "SUDAH KAMI BILANG, APLIKASI SEDANG DALAM PEMELIHARAAN. SILAKAN COBA LAGI NANTI."
    found = tone(reply(text, "Min, kok aplikasinya error terus??"))
    shout = found["SMG-TONE-001"]
    assert shout.severity == Severity.MEDIUM
    assert shout.span == (0, len(text) - 1)
    assert "100%" in shout.message["en"] and "100%" in shout.message["id"]
    assert shout.suggestion is not None
    assert "Sudah kami bilang, aplikasi sedang dalam pemeliharaan." in shout.suggestion["en"]
    assert "Silakan coba lagi nanti." in shout.suggestion["id"]


def test_a_capitalised_stretch_inside_a_normal_reply_fires(reply: Check) -> None:
    text = "Halo Kak, mohon maaf. JANGAN PERNAH BERIKAN KODE kepada siapa pun ya."
    shout = tone(reply(text))["SMG-TONE-001"]
    assert shout.span is not None
    assert text[shout.span[0] : shout.span[1]] == "JANGAN PERNAH BERIKAN KODE"


@pytest.mark.parametrize(
    "text",
    [
        "Halo Kak, data KTP, NIK dan BPJS bisa dicek di kantor PLN/PDAM terdekat. Kode OTP "
        "jangan dibagikan ya, hubungi CS kami lewat DM.",
        "Hi! Your OTP arrives by SMS within a minute; our CS team is on DM until 21:00 WIB.",
        "Terima kasih, Kak. Info COVID terbaru ada di @KEMENKES_RI dan #VAKSINASICOVID ya.",
        "Cek di HTTPS://WWW.BPJS-KESEHATAN.GO.ID/PROMO ya Kak, terima kasih.",
        "Transfer lewat BCA atau BRI bisa, Kak. Terima kasih!",
        "Layanan ada di RSJ, RSU, PMI dan UPT terdekat ya, Kak.",  # short names, not listed
        "OK",
        "SIAP KAK",  # too short to be shouting
    ],
)
def test_acronyms_links_mentions_and_short_replies_do_not_shout(reply: Check, text: str) -> None:
    assert "SMG-TONE-001" not in tone(reply(text))


def test_short_capitalised_words_count_when_they_are_part_of_shouting(reply: Check) -> None:
    assert "SMG-TONE-001" in tone(reply("OK KAK, SAYA CEK DULU YA, TUNGGU"))


def test_shouting_is_a_reply_rule_by_default(guard: Guard, load_plugins: None) -> None:
    announcement = {"text": "PENGUMUMAN: LAYANAN KANTOR TUTUP SEMENTARA HARI INI", "kind": "post"}
    assert "SMG-TONE-001" not in tone(guard.check(announcement))
    posts_too = make({"plugins": {"tone": {"kinds": ["post", "reply"]}}})
    assert "SMG-TONE-001" in tone(posts_too.check(announcement))


def test_configured_acronyms_and_thresholds(load_plugins: None) -> None:
    text = {"text": "Silakan cek aplikasi SIPADU DUKCAPIL JAKARTA ya, Kak.", "kind": "reply"}
    assert "SMG-TONE-001" in tone(make().check(text))
    names = make({"plugins": {"tone": {"acronyms": ["SIPADU", "Dukcapil"]}}})
    assert "SMG-TONE-001" not in tone(names.check(text))
    relaxed = make({"plugins": {"tone": {"caps_run": 4}}})
    assert "SMG-TONE-001" not in tone(relaxed.check(text))
    shouty = {"text": "TOLONG SABAR YA KAK", "kind": "reply"}
    assert "SMG-TONE-001" in tone(make().check(shouty))
    assert "SMG-TONE-001" not in tone(
        make({"plugins": {"tone": {"min_letters": 20}}}).check(shouty)
    )
    half = {"text": "Pesanan Kakak SUDAH DIKIRIM kemarin sore", "kind": "reply"}
    assert "SMG-TONE-001" not in tone(make().check(half))
    assert "SMG-TONE-001" in tone(make({"plugins": {"tone": {"caps_ratio": 0.3}}}).check(half))


# -- punctuation runs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reply_to", "severity"),
    [
        ("Promonya sudah mulai, Kak!!!", "Promonya kapan?", Severity.LOW),
        ("Promonya sudah mulai, Kak!!!", COMPLAINT, Severity.MEDIUM),
        ("Maksudnya apa???", "Halo min", Severity.MEDIUM),
        ("Sudah dikirim?!?! Cek lagi dong", "Halo min", Severity.MEDIUM),
        ("Sudah kami bilang‼‼", "Halo min", Severity.LOW),  # ‼ counts twice
    ],
)
def test_punctuation_runs(reply: Check, text: str, reply_to: str, severity: Severity) -> None:
    found = tone(reply(text, reply_to))
    assert found["SMG-TONE-002"].severity == severity


@pytest.mark.parametrize("text", ["Siap, Kak!", "Sudah diterima?!", "Terima kasih!! Sampai jumpa"])
def test_one_or_two_marks_are_fine(reply: Check, text: str) -> None:
    assert "SMG-TONE-002" not in tone(reply(text, "Halo min"))


def test_punctuation_run_length_is_configurable(load_plugins: None) -> None:
    post = {"text": "Terima kasih!! Sampai jumpa", "kind": "reply"}
    assert "SMG-TONE-002" in tone(make({"plugins": {"tone": {"punctuation_run": 2}}}).check(post))


# -- no courtesy when the follower complains ----------------------------------------------------


def test_bare_answer_to_a_complaint_fires_with_a_better_opening(reply: Check) -> None:
    verdict = reply("Sudah dikirim.", COMPLAINT, language="id")
    finding = tone(verdict)["SMG-TONE-003"]
    assert finding.severity == Severity.MEDIUM
    assert finding.span == (0, len("Sudah dikirim."))
    assert "belum sampai" in finding.message["en"] and "belum sampai" in finding.message["id"]
    assert finding.suggestion is not None
    better = "Mohon maaf atas ketidaknyamanannya, Kak. Sudah dikirim."
    assert better in finding.suggestion["en"] and better in finding.suggestion["id"]
    assert "Sorry" not in finding.suggestion["id"]  # an Indonesian reply gets an Indonesian opening
    assert verdict.decision == "review"


def test_same_bare_answer_to_a_neutral_question_is_fine(reply: Check) -> None:
    assert tone(reply("Sudah dikirim.", "Pesanan saya sudah dikirim belum?")) == {}
    assert tone(reply("Sudah dikirim.", "Kapan dikirim, Kak?")) == {}
    assert tone(reply("Sudah dikirim.")) == {}  # nothing to reply to


def test_english_reply_gets_an_english_opening(reply: Check) -> None:
    finding = tone(reply("It shipped yesterday.", "Still waiting, terrible!", language="en"))[
        "SMG-TONE-003"
    ]
    assert finding.suggestion is not None
    assert "Sorry for the trouble" in finding.suggestion["en"]
    assert "Mohon maaf" not in finding.suggestion["en"]


def test_unsure_language_suggests_both_openings(reply: Check) -> None:
    # A two-word reply is too short to tell English from Indonesian: both packs run.
    verdict = reply("Sudah dikirim.", COMPLAINT)
    assert set(verdict.languages) == {"en", "id"}
    suggestion = tone(verdict)["SMG-TONE-003"].suggestion
    assert suggestion is not None
    assert "Mohon maaf" in suggestion["en"] and "Sorry for the trouble" in suggestion["en"]


@pytest.mark.parametrize(
    "complaint",
    [
        "Kecewa banget sama pelayanannya",
        "Aplikasinya gak bisa dibuka dari pagi",  # slang: gak → tidak
        "Udah 5 hari belum nyampe juga 😡",
        "WHERE IS MY PARCEL, I PAID LAST WEEK",
        "My card is not working and nobody answers",
        "Refund saya mana???",
        "Lama bangettt",  # stretched letters
    ],
)
def test_complaints_are_recognised(reply: Check, complaint: str) -> None:
    assert "SMG-TONE-003" in tone(reply("Akan dicek.", complaint))


def test_the_message_quotes_the_followers_own_words(reply: Check) -> None:
    finding = tone(reply("Akan dicek.", "Aplikasinya gak bisa dibuka 😡"))["SMG-TONE-003"]
    assert "(“gak bisa”, “😡”)" in finding.message["en"]  # as written, not "tidak bisa"
    shouted = tone(reply("Akan dicek.", "WHERE IS MY PARCEL, I PAID LAST WEEK"))["SMG-TONE-003"]
    assert "written in capitals" in shouted.message["en"]
    assert "ditulis dengan huruf kapital" in shouted.message["id"]


@pytest.mark.parametrize(
    "answer",
    [
        "Maaf, sudah dikirim.",
        "Maap ya, sudah dikirim.",  # slang: maap → maaf
        "Makasih sudah menunggu, sudah dikirim.",  # slang: makasih → terimakasih
        "Terima kasih infonya. Sudah dikirim.",
        "Baik Bapak/Ibu, sudah dikirim.",
        "Selamat pagi, sudah dikirim.",
        "Sudah dikirim 🙏",
        "Sorry! It shipped.",
        "Thanks for your patience, it shipped.",
        "Sudah dikirim ya, Sis.",
    ],
)
def test_any_courtesy_is_enough(reply: Check, answer: str) -> None:
    assert "SMG-TONE-003" not in tone(reply(answer, COMPLAINT))


ANGRY_EN = "Still waiting for my refund, this is ridiculous!!"


@pytest.mark.parametrize(
    "answer",
    [
        # greetings and addresses, with or without a name
        "Hey there, the update is rolling out today.",
        "Hi Maya, the update is rolling out today.",
        "Halo Kak, pembaruannya dirilis hari ini.",
        # offers of help, in the forms desks write them
        "We'd love to take a look. Which phone are you using?",
        "Happy to help: the refund goes back to the original card.",
        "Let us know which order this is and we'll check.",
        "DM kami nomor pesanannya ya.",
        "Nomor pesanannya boleh dikirim lewat DM? Kami bantu cek.",
        # empathy and congratulations
        "Oh no! That's not the experience we want you to have.",
        "Congrats on the new phone! The transfer guide is here: https://example.org/guide",
        "Selamat ya atas kelulusannya! Sertifikat dikirim minggu depan.",
        # soft signs together: the follower's handle, "please", a personal sign-off
        "@rina_w Please send us an email at help@example.org. ^AB",
        "@rina_w The form is on our help page. /JS",
        "@budi99 Silakan isi formulir pengaduan di laman kami. -Tim CS",
        "@budi99 Formulirnya ada di laman kami ya 😊",
        "The steps are on our help page; could you try them and tell us? ~Mika",
        "@rina_w May we know which version you use? -Shie 2/3",
        "Mksh sdh menunggu, paketnya dikirim hari ini",  # abbreviated thanks
        "No worries, it shipped today.",
        # handing over the next step, with the follower's handle
        "@rina_w Here is the link: https://example.org/help/ce-34224",
        "@rina_w You can contact your carrier directly here: https://example.org/carrier",
        "@budi99 Berikut tautan formulirnya: https://example.org/form",
    ],
)
def test_courtesy_as_desks_write_it(reply: Check, answer: str) -> None:
    complaint = ANGRY_EN if answer.isascii() else COMPLAINT
    assert "SMG-TONE-003" not in tone(reply(answer, complaint))


@pytest.mark.parametrize(
    "answer",
    [
        "Read the FAQ.",
        "@rina_w Read the FAQ.",  # the handle alone is only the platform's reply format
        "Check the help page. ^AB",  # a signature alone does not soften it
        "@budi99 Sudah dijawab di FAQ.",
        "Akan dicek ya.",  # a soft particle alone neither
        "Not our problem, contact your bank.",
        "Please wait.",
        "Here is the link.",  # the next step alone, with no other sign, stays cold
        "Berikut linknya.",
    ],
)
def test_cold_answers_to_an_angry_follower_still_fire(reply: Check, answer: str) -> None:
    complaint = ANGRY_EN if answer.isascii() else COMPLAINT
    assert "SMG-TONE-003" in tone(reply(answer, complaint))


def test_sign_off_marks_are_configurable(load_plugins: None) -> None:
    post = {
        "text": "@rina_w The form is on our help page. [Humas]",
        "kind": "reply",
        "in_reply_to": {"text": ANGRY_EN},
    }
    assert "SMG-TONE-003" in tone(make().check(post))
    bracket = make({"plugins": {"tone": {"sign_off_marks": "["}}})
    # "[Humas]" is not a "[" mark followed by a name at the very end: the bracket closes it.
    assert "SMG-TONE-003" in tone(bracket.check(post))
    post["text"] = "@rina_w The form is on our help page. #Rina"
    assert "SMG-TONE-003" in tone(make().check(post))
    assert "SMG-TONE-003" not in tone(
        make({"plugins": {"tone": {"sign_off_marks": "#"}}}).check(post)
    )
    with pytest.raises(ConfigError, match="sign_off_marks"):
        make({"plugins": {"tone": {"sign_off_marks": "AB"}}})


def test_configured_complaint_and_courtesy_words(load_plugins: None) -> None:
    post = {"text": "Akan dicek.", "kind": "reply", "in_reply_to": {"text": "Saldo nyangkut"}}
    assert "SMG-TONE-003" not in tone(make().check(post))
    extra = make({"plugins": {"tone": {"complaint_words": ["nyangkut"]}}})
    assert "SMG-TONE-003" in tone(extra.check(post))
    wargi = {"text": "Wargi, akan dicek.", "kind": "reply", "in_reply_to": {"text": COMPLAINT}}
    assert "SMG-TONE-003" in tone(make().check(wargi))
    assert "SMG-TONE-003" not in tone(
        make({"plugins": {"tone": {"courtesy_words": ["wargi"]}}}).check(wargi)
    )


def test_dm_and_comment_answers_are_checked_too(guard: Guard) -> None:
    for kind in ("dm", "comment"):
        post = {"text": "Sudah dikirim.", "kind": kind, "in_reply_to": {"text": COMPLAINT}}
        assert "SMG-TONE-003" in tone(guard.check(post))


# -- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"caps_ratio": 1.5}, "plugins.tone.caps_ratio: must be a number over 0 and at most 1"),
        ({"caps_ratio": "high"}, "plugins.tone.caps_ratio: must be a number over 0 and at most 1"),
        ({"min_letters": 0}, "plugins.tone.min_letters: must be a whole number of at least 1"),
        ({"caps_run": True}, "plugins.tone.caps_run: must be a whole number of at least 2"),
        ({"acronyms": [1, 2]}, "plugins.tone.acronyms: must be a list of words"),
        ({"acronyms": ["B.P.J.S"]}, "plugins.tone.acronyms: 'B.P.J.S' must be letters only"),
        ({"kinds": ["tweet"]}, "plugins.tone.kinds: 'tweet' is not one of post, reply"),
        ({"complaint_words": ["!!"]}, "plugins.tone.complaint_words: '!!' has no words"),
        ({"caps_ration": 0.5}, "plugins.tone.caps_ration: unknown setting"),
    ],
)
def test_bad_options_are_one_clear_line(
    load_plugins: None, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        make({"plugins": {"tone": options}})
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def test_options_from_the_environment(monkeypatch: pytest.MonkeyPatch, load_plugins: None) -> None:
    monkeypatch.setenv("SMGUARD_PLUGINS__TONE__ACRONYMS", "SIPADU,DUKCAPIL")
    monkeypatch.setenv("SMGUARD_PLUGINS__TONE__CAPS_RATIO", "0.9")
    guard = Guard(Config.load(env=dict(os.environ)))
    text = {"text": "Silakan cek aplikasi SIPADU DUKCAPIL JAKARTA ya, Kak.", "kind": "reply"}
    assert "SMG-TONE-001" not in tone(guard.check(text))


# -- the rules' own examples, and the CLI ---------------------------------------------------------


def test_tone_rules_examples_hold(guard: Guard) -> None:
    rules = [r for r in guard.all_rules if r.category == "tone"]
    ids = {r.id for r in rules}
    assert {"SMG-TONE-001", "SMG-TONE-002", "SMG-TONE-003"} <= ids
    assert {f"SMG-ID-TONE-10{n}" for n in range(1, 8)} <= ids
    assert {f"SMG-EN-TONE-10{n}" for n in range(1, 6)} <= ids
    for rule in rules:
        assert rule.bad_examples and rule.good_examples, rule.id
        assert {"en", "id"} <= set(rule.message) and {"en", "id"} <= set(rule.why), rule.id
        assert rule.suggestion and {"en", "id"} <= set(rule.suggestion), rule.id
        failed = [r.describe() for r in run_examples(guard, rule) if not r.passed]
        assert failed == []


def test_tone_rules_skip_posts_cheaply(guard: Guard) -> None:
    post = guard._coerce({"text": "Pengumuman", "kind": "post"})
    rules = [r for r in guard.rules if r.category == "tone"]
    assert rules and not any(r.applies_to(post, frozenset({"en", "id"})) for r in rules)


def test_cli_reply_to_a_complaint(load_plugins: None) -> None:
    _add_commands()
    result = CliRunner().invoke(
        cli,
        ["--lang", "id", "check", "--kind", "reply", "--reply-to", COMPLAINT, "Sudah dikirim."],
    )
    assert result.exit_code == 1, result.output
    assert "SMG-TONE-003" in result.output
    assert "Mohon maaf atas ketidaknyamanannya, Kak. Sudah dikirim." in result.output
