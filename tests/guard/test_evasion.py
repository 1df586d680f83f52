"""Evasions are caught, ordinary words are not: the rule packs through the full guard.

Each evasion the normaliser handles (Unicode compatibility forms, case, zero-width characters,
homoglyphs, leetspeak, stretched letters, spaced or dotted letters, Indonesian slang spelling) is
shown catching a real rule, and the finding's span must point at the evasive spelling *as
written* in the original text, so that an admin sees exactly what was flagged.

Just as important, the other half of the matrix: words that contain a bad word (the Scunthorpe
problem: "class", "Essex", "pantai", "asuransi"), bank and shop vocabulary that looks like scam
or gambling jargon ("deposito", "slot iklan", "hadiah undian resmi"), and animal words in their
ordinary sense ("anjing peliharaan", "daging babi") must produce no finding in either language.
"""

from __future__ import annotations

import importlib.util

import pytest

from smguard.config import Config
from smguard.guard.engine import Guard
from smguard.manager import DEFAULT_PLUGINS
from smguard.types import Finding, Verdict

#: Finding categories the rule packs under test produce.
PACK_CATEGORIES = frozenset({"profanity", "harassment", "hate", "sexual", "spam"})


@pytest.fixture(scope="module")
def guard() -> Guard:
    plugins = [
        name
        for name in DEFAULT_PLUGINS
        if name != "toxicity" and importlib.util.find_spec(f"smguard.plugins.{name}") is not None
    ]
    with pytest.MonkeyPatch.context() as mp:
        for name in ("SMGUARD_CONFIG", "SMGUARD_DISABLE_PLUGINS"):
            mp.delenv(name, raising=False)
        mp.setenv("SMGUARD_LOAD_PLUGINS", ",".join(plugins))
        return Guard(Config())


def _check(guard: Guard, text: str, language: str | None) -> Verdict:
    post: dict[str, str] = {"text": text}
    if language:
        post["language"] = language
    return guard.check(post)


def _finding(verdict: Verdict, rule: str) -> Finding:
    found = [f for f in verdict.findings if f.rule == rule]
    fired = [(f.rule, f.evidence) for f in verdict.findings]
    assert found, f"{rule} did not fire; findings: {fired or 'none'}"
    return found[0]


# (what is evaded, text, language, rule that must fire, the evasive spelling the span covers)
EVASIONS = [
    ("fullwidth", "dasar ｂａｂｉ lu", "id", "SMG-ID-HAR-002", "ｂａｂｉ"),
    ("fullwidth", "ｓｌｏｔ ｇａｃｏｒ malam ini", None, "SMG-XX-SPAM-001", "ｓｌｏｔ ｇａｃｏｒ"),
    ("case", "BANGSAT", "id", "SMG-ID-PROF-003", "BANGSAT"),
    ("case", "DASAR GOBLOK LU", "id", "SMG-ID-HAR-001", "GOBLOK"),
    ("zero-width", "ban\u200bgsat", "id", "SMG-ID-PROF-003", "ban\u200bgsat"),
    ("zero-width", "bo\u200bkep viral terbaru", "id", "SMG-XX-SEX-001", "bo\u200bkep"),
    ("soft hyphen", "kon\u00adtol", "id", "SMG-ID-PROF-007", "kon\u00adtol"),
    ("homoglyph", "b\u0430ngs\u0430t", "id", "SMG-ID-PROF-003", "b\u0430ngs\u0430t"),
    ("homoglyph", "b\u043ek\u0435p gratis", "id", "SMG-XX-SEX-001", "b\u043ek\u0435p"),
    ("homoglyph", "\u0440orn videos here", "en", "SMG-XX-SEX-001", "\u0440orn"),
    ("leetspeak", "dasar 4nj1ng lu", "id", "SMG-ID-HAR-002", "4nj1ng"),
    ("leetspeak", "g0bl0k lu", "id", "SMG-ID-HAR-001", "g0bl0k"),
    ("leetspeak", "b4ngs4t", "id", "SMG-ID-PROF-003", "b4ngs4t"),
    ("leetspeak", "$hit happens", "en", "SMG-EN-PROF-002", "$hit"),
    ("leetspeak", "5L0T G4C0R m4xw1n", None, "SMG-XX-SPAM-001", "5L0T G4C0R"),
    ("leetspeak", "what a f4gg0t", "en", "SMG-EN-HATE-002", "f4gg0t"),
    ("stretched", "anjiiiing lu", "id", "SMG-ID-HAR-003", "anjiiiing"),
    ("stretched", "bangsaaat", "id", "SMG-ID-PROF-003", "bangsaaat"),
    ("stretched", "fuuuuck", "en", "SMG-EN-PROF-003", "fuuuuck"),
    ("leet + stretched", "g0bl0kkk bgt sih lu", "id", "SMG-ID-HAR-001", "g0bl0kkk"),
    ("spaced", "dasar a n j i n g", "id", "SMG-ID-HAR-002", "a n j i n g"),
    ("spaced", "a n j i n g lu", "id", "SMG-ID-HAR-003", "a n j i n g"),
    ("dotted", "b.a.n.g.s.a.t", "id", "SMG-ID-PROF-003", "b.a.n.g.s.a.t"),
    ("dotted", "j-a-n-c-o-k", "id", "SMG-ID-PROF-005", "j-a-n-c-o-k"),
    ("spaced", "s l o t g a c o r hari ini", None, "SMG-XX-SPAM-001", "s l o t g a c o r"),
    # separators that change from word to word: each word is found on its own
    ("dots then spaces", "b.a.n.g.s.a.t g o b l o k lu", "id", "SMG-ID-PROF-003", "b.a.n.g.s.a.t"),
    ("dots then spaces", "b.a.n.g.s.a.t g o b l o k lu", "id", "SMG-ID-HAR-001", "g o b l o k"),
    (
        "spaces after dots",
        "dasar g.o.b.l.o.k b a n g s a t",
        "id",
        "SMG-ID-PROF-003",
        "b a n g s a t",
    ),
    ("dashes then spaces", "f-u-c-k y o u", "en", "SMG-EN-PROF-003", "f-u-c-k"),
    ("dots then spaces", "s.h.i.t f u c k this", "en", "SMG-EN-PROF-003", "f u c k"),
    ("emoji between letters", "k🔥o🔥n🔥t🔥o🔥l", "id", "SMG-ID-PROF-007", "k🔥o🔥n🔥t🔥o🔥l"),
    ("mixed emoji", "dasar b💥a🔥b💥i", "id", "SMG-ID-HAR-002", "b💥a🔥b💥i"),
    ("spaced + stretched", "g o o o b l o k lu", "id", "SMG-ID-HAR-001", "g o o o b l o k"),
    ("dashed + stretched", "b-a-a-a-n-g-s-a-t", "id", "SMG-ID-PROF-003", "b-a-a-a-n-g-s-a-t"),
    ("dotted after words", "you are a b.i.t.c.h", "en", "SMG-EN-PROF-002", "b.i.t.c.h"),
    ("self-censored", "We don't give a f*ck", "en", "SMG-EN-PROF-003", "f*ck"),
    ("self-censored", "what a sh*t show", "en", "SMG-EN-PROF-004", "sh*t"),
    ("slang", "anjing lo", "id", "SMG-ID-HAR-003", "anjing"),
    ("slang", "dasar anjing lo", "id", "SMG-ID-HAR-002", "anjing"),
    ("slang", "gblk lu", "id", "SMG-ID-HAR-001", "gblk"),
    ("slang", "gw bunuh lu", "id", "SMG-ID-HAR-007", "gw bunuh"),
    ("slang", "nanya kok gak punya otak", "id", "SMG-ID-HAR-005", "gak punya otak"),
    ("slang", "Read it again, u dumb jerk", "en", "SMG-EN-HAR-002", "dumb"),
    ("suffix", "dasar bangsatnya", "id", "SMG-ID-PROF-003", "bangsatnya"),
    ("alay z for s", "jijik bangzat", "id", "SMG-ID-PROF-003", "bangzat"),
    ("alay z for s", "b4ngz4t lu", "id", "SMG-ID-PROF-003", "b4ngz4t"),
]


@pytest.mark.parametrize(
    ("text", "language", "rule", "spelling"),
    [pytest.param(*case[1:], id=f"{case[0]}:{case[1]}") for case in EVASIONS],
)
def test_evasion_is_caught_and_span_points_at_it(
    guard: Guard, text: str, language: str | None, rule: str, spelling: str
) -> None:
    finding = _finding(_check(guard, text, language), rule)
    assert finding.span is not None
    start, end = finding.span
    assert text[start:end] == spelling
    assert finding.evidence == spelling


CLEAN = [
    # English words that contain a bad word
    "We're hiring a class assistant in Essex.",
    "Scunthorpe and Middlesex councils signed the agreement.",
    "Cocktail hour at the Charles Dickens museum this Friday.",
    "Our therapist recommends shiitake soup; see the analysis on our blog.",
    "Hello from the bassist of our office band!",
    "Assassin's Creed tournament at the mall, sign up at the desk.",
    "Matsushita and Hancock visited the Penistone factory.",
    "Cockburn Street is closed for the parade.",
    "Shiite and Sunni leaders met at the interfaith dialogue.",
    "The bobbies on the beat in London wear new uniforms.",
    "Ferry timetable for Lesbos and the other Greek islands.",
    # Indonesian words that contain a bad word
    "Promo asuransi dan deposito bulan ini.",
    "Liburan santai di pantai bersama keluarga.",
    "Sate petai enak di warung dekat kantor.",
    "Kaum bangsawan Jawa pada abad ke-19.",
    "Tips foto bokeh dengan kamera ponsel.",
    "Cukup sekian informasi dari kami, terima kasih.",
    "Pancuran air di taman kota sudah diperbaiki.",
    "Asumsi makro APBN tahun depan sudah dibahas.",
    "Kontrol kualitas produk dilakukan setiap hari.",
    "Malu bertanya sesat di jalan.",
    "Tahi lalat yang berubah bentuk perlu diperiksa dokter.",
    "Perekonomian daerah tumbuh lima persen tahun ini.",
    "Tumis pakis khas Minang.",
    "Jual peeler sayur stainless, gratis ongkir.",
    "Hasil uji air sumur: tercemar bakteri E. coli.",
    "Pendidikan seks sejak dini penting bagi anak.",
    "Layanan kesehatan seksual dan reproduksi gratis di puskesmas.",
    "Sexual harassment awareness training for all staff this Friday.",
    "Gerhana matahari jangan dilihat dengan mata telanjang.",
    # bank, shop and government vocabulary that looks like scam or gambling jargon
    "Slot waktu wawancara tersedia Senin sampai Jumat.",
    "Slot iklan televisi untuk kampanye sudah penuh.",
    "Deposit tabungan minimal Rp100.000 di kantor cabang.",
    "Deposito dengan bunga 5% per tahun, dijamin LPS.",
    "Bonus akhir tahun karyawan dibayarkan bersama gaji Desember.",
    "Link pendaftaran resmi: https://sscasn.bkn.go.id",
    "Selamat kepada pemenang hadiah undian resmi Tabungan Untung periode Juni!",
    "Gratis biaya admin bulanan untuk rekening baru.",
    "Burung kenari gacor juara lomba kicau tingkat provinsi.",
    "Depo BBM Plumpang beroperasi normal.",
    # animals, food and faith in their ordinary sense
    "Anjing peliharaan kami baru saja divaksin rabies.",
    "Dinas menyita daging babi yang dijual sebagai daging sapi.",
    "Monyet ekor panjang di kebun binatang mendapat pakan buah.",
    "Kampret atau kelelawar kecil hidup di goa kapur.",
    "Selamat Hari Raya Idul Fitri bagi umat Muslim.",
    "Selamat Natal bagi umat Kristiani yang merayakan.",
    "Selamat Tahun Baru Imlek bagi warga Tionghoa.",
    "Festival budaya Papua digelar di Jayapura.",
    "Kementerian menghormati semua agama.",
    "Happy Lunar New Year to our Chinese community!",
    "Eid Mubarak to all Muslims celebrating today.",
    "Our pet adoption day is this Saturday: 12 dogs and 8 cats need a home.",
    # initials, abbreviations and spaced emphasis: letters with separators that spell nothing bad
    "J. R. R. Tolkien and C. S. Lewis wrote for children too.",
    "Sambutan Dr. H. A. S. Rahman, S.H., M.H. di pembukaan acara.",
    "P T P N  X I I membuka lowongan hari ini.",
    "S A L E  T O D A Y at all our branches.",
    "I ❤ U, Jakarta!",
    "The a.s.s.e.s.s.m.e.n.t results are out.",
    "Lowongan c l a s s  a s s i s t a n t untuk sekolah internasional.",
    "Visa U.S.A. dan U.K. bisa diurus di kantor kami.",
    # words with z: their s-reading is no bad word either
    "Pizza party for the lazy crazy amazing zoo team!",
    "Izin usaha, zakat dan rezeki: zaman now semua bisa diurus online.",
]


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("text", CLEAN)
def test_ordinary_text_is_not_flagged(guard: Guard, text: str, language: str) -> None:
    verdict = _check(guard, text, language)
    flagged = [(f.rule, f.evidence) for f in verdict.findings if f.category in PACK_CATEGORIES]
    assert flagged == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("dasar anjing lu", "SMG-ID-HAR-002"),
        ("Muka lu kayak monyet", "SMG-ID-HAR-002"),
        ("Dasar babi", "SMG-ID-HAR-002"),
        ("babi lo", "SMG-ID-HAR-003"),
    ],
)
def test_animal_word_aimed_at_a_person_is_an_insult(guard: Guard, text: str, rule: str) -> None:
    _finding(_check(guard, text, "id"), rule)


def test_context_decides_for_the_same_word(guard: Guard) -> None:
    insult = _check(guard, "dasar anjing lu", "id")
    pet = _check(guard, "anjing peliharaan kami", "id")
    food = _check(guard, "daging babi", "id")
    assert insult.decision == "block"
    assert not [f for f in pet.findings if f.category in PACK_CATEGORIES]
    assert not [f for f in food.findings if f.category in PACK_CATEGORIES]


def test_language_detection_routes_posts_to_the_right_pack(guard: Guard) -> None:
    """No explicit language: short posts run both packs, longer ones the detected language."""
    assert _check(guard, "dasar goblok lu", None).decision == "block"
    assert _check(guard, "you absolute moron", None).decision == "block"
    long_id = "Tolong jangan komentar lagi di sini ya, dasar goblok lu, bikin capek saja."
    assert any(f.rule == "SMG-ID-HAR-001" for f in _check(guard, long_id, None).findings)
