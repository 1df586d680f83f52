"""Structural spam rules: hashtag and mention flooding, repeated lines and words, hidden
characters inside words, and link flooding.

These look at the *shape* of a post, not its words. Scam and gambling vocabulary ("slot gacor",
"transfer dulu", giveaways) lives in the rule packs (``rules/``), which can require a link or a
phone number with :func:`smguard.guard.urls.has_link` / :func:`smguard.guard.contacts.has_contact`.

Options (``[plugins.spam]`` in ``smguard.toml``)::

    max_hashtags       = 8   # more hashtags than this is flagged (low; medium at twice as many)
    max_mentions       = 5   # more @mentions than this is flagged (low; medium at twice as many)
    max_links          = 4   # more distinct links than this is flagged (low)
    min_repeated_lines = 3   # the same line this many times is flagged (medium)
    min_repeated_words = 5   # the same word this many times in a row is flagged (low)
    own_numbers = ["14045", "0812-1000-2000"]   # your short codes and hotlines: not a scam contact
    own_domains = ["tokobatik.co.id"]            # your web domains: their links are not a scam's

``SMG-SPAM-056`` (:mod:`.scams`) recognises scams by their structure — a lure, a way to reach the
sender and a push to act — from the parts :mod:`.scam_signals` finds.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from msgspec import Meta

from smguard import hookimpl
from smguard.config import Config
from smguard.config.schema import NAMES, Table, invalid, listing, str_list
from smguard.guard.rule import CheckContext, Example, Rule
from smguard.guard.urls import extract_urls
from smguard.types import Finding, Post, Severity

from .scams import ScamRule

PLUGIN = "spam"

_HASHTAG_RE = re.compile(r"(?<![\w&/#])#[^\W_][\w]*")
_MENTION_RE = re.compile(r"(?<![\w@.])@[\w](?:[\w.]*\w)?")
# Invisible characters that split a word without showing: zero-width space, word joiner,
# zero-width no-break space (BOM), zero-width non-joiner, soft hyphen. The zero-width joiner
# (U+200D) is left alone: emoji sequences such as 👩‍💻 need it.
_HIDDEN_CHARS = "\u200b\u2060\ufeff\u200c\u00ad\u180e"
_HIDDEN_RE = re.compile(r"(?<=[^\W\d_])[\u200b\u2060\ufeff\u200c\u00ad\u180e]+(?=[^\W\d_])")
_WORD_STRIP = ".,;:!?()[]{}\"'*_~…-"
# Laughter and chants are repeated on purpose.
_REPEAT_OK = frozenset({
    "ha", "haha", "hahaha", "he", "hehe", "hi", "hihi", "wk", "wkwk", "wkwkwk", "xixi", "lol",
    "merdeka", "amin", "aamiin", "amiin", "aamin", "hidup", "ayo", "yuk", "go", "semangat",
})  # fmt: skip


def _limit(low: int, description: str) -> Meta:
    return Meta(ge=low, le=1000, description=description)


class SpamSettings(Table, frozen=True):
    """``[plugins.spam]``: how much of one thing a post may have before it looks like spam."""

    max_hashtags: Annotated[int, _limit(1, "More hashtags than this is flagged.")] = 8
    max_mentions: Annotated[int, _limit(1, "More @mentions than this is flagged.")] = 5
    max_links: Annotated[int, _limit(1, "More distinct links than this is flagged.")] = 4
    min_repeated_lines: Annotated[int, _limit(2, "The same line this many times is flagged.")] = 3
    min_repeated_words: Annotated[
        int, _limit(2, "The same word this many times in a row is flagged.")
    ] = 5
    own_numbers: Annotated[
        NAMES,
        listing('a list of numbers like "14045" or "0812-1000-2000"'),
        Meta(description="The organisation's own short codes and numbers: not a scam contact."),
    ] = ()
    own_domains: Annotated[
        NAMES,
        listing('a list of domains like "kemkes.go.id"'),
        Meta(description="The organisation's own web domains: their links are not a scam's."),
    ] = ()

    def __post_init__(self) -> None:
        for number in str_list(self.own_numbers):
            if not _digits(number):
                invalid("own_numbers", f"{number!r} has no digits")


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


def own_numbers(settings: SpamSettings) -> frozenset[str]:
    """The own numbers as digits, also without the leading 0 or 62, as posts may write them."""
    out: set[str] = set()
    for number in str_list(settings.own_numbers):
        digits = _digits(number)
        out |= {digits, digits.lstrip("0")}
        if digits.startswith("62"):
            out |= {"0" + digits[2:], digits[2:]}
    return frozenset(out)


@dataclass(eq=False)
class SpamRule(Rule):
    settings: SpamSettings = field(default_factory=SpamSettings)


def _flood(
    rule: Rule, matches: list[re.Match[str]], limit: int, what: Mapping[str, str]
) -> list[Finding]:
    count = len(matches)
    if count <= limit:
        return []
    severity = Severity.MEDIUM if count > 2 * limit else Severity.LOW
    message = {
        "en": f"This post has {count} {what['en']}; more than {limit} looks like spam.",
        "id": f"Unggahan ini memuat {count} {what['id']}; lebih dari {limit} terlihat seperti "
        "spam.",
    }
    span = (matches[limit].start(), matches[-1].end())
    return [
        rule.finding(
            span=span, evidence=f"{count} {what['en']}", severity=severity, message=message
        )
    ]


@dataclass(eq=False)
class HashtagRule(SpamRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        limit = self.settings.max_hashtags
        if post.text.count("#") <= limit:
            return ()
        matches = list(_HASHTAG_RE.finditer(post.text))
        return _flood(self, matches, limit, {"en": "hashtags", "id": "tagar"})


@dataclass(eq=False)
class MentionRule(SpamRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        limit = self.settings.max_mentions
        if post.text.count("@") <= limit:
            return ()
        matches = list(_MENTION_RE.finditer(post.text))
        return _flood(self, matches, limit, {"en": "mentions", "id": "mention (@akun)"})


@dataclass(eq=False)
class RepeatedLinesRule(SpamRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        need = self.settings.min_repeated_lines
        if text.count("\n") < need - 1:
            return ()
        seen: dict[str, list[tuple[int, int]]] = {}
        offset = 0
        for line in text.split("\n"):
            key = " ".join(line.split()).lower()
            if len(key) >= 12 and sum(c.isalnum() for c in key) >= 8:
                start = offset + (len(line) - len(line.lstrip()))
                seen.setdefault(key, []).append((start, offset + len(line.rstrip())))
            offset += len(line) + 1
        out = []
        for key, spans in seen.items():
            if len(spans) >= need:
                out.append(
                    self.finding(
                        span=(spans[0][0], spans[-1][1]),
                        evidence=f"{len(spans)}x {key[:40]}",
                        message={
                            "en": f"The same line appears {len(spans)} times in this post.",
                            "id": f"Baris yang sama muncul {len(spans)} kali dalam unggahan ini.",
                        },
                    )
                )
        return out


@dataclass(eq=False)
class RepeatedWordsRule(SpamRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        need = self.settings.min_repeated_words
        # Cheap first (C-level maps): a run has equal neighbours even before punctuation is
        # stripped ("slot, slot, slot"); most posts have none at all.
        low = text.lower().split()
        if len(low) < need or not any(map(operator.eq, low, low[1:])):
            return ()
        bare = list(map(str.strip, low, itertools.repeat(_WORD_STRIP)))
        if sum(map(operator.eq, bare, bare[1:])) < need - 1:
            return ()
        run = 1
        for i in range(1, len(bare)):
            word = bare[i]
            if word and word == bare[i - 1]:
                run += 1
                if run == need and len(word) >= 2 and word not in _REPEAT_OK:
                    return [self._found(text, text.split(), i - need + 1, i, word)]
            else:
                run = 1
        return ()

    def _found(self, text: str, words: list[str], first: int, last: int, word: str) -> Finding:
        cursor = 0
        start = end = 0
        for i, raw in enumerate(words[: last + 1]):
            pos = text.find(raw, cursor)
            if i == first:
                start = pos
            cursor = end = pos + len(raw)
        # Extend over the rest of the run.
        for raw in words[last + 1 :]:
            if raw.strip(_WORD_STRIP).lower() != word:
                break
            pos = text.find(raw, cursor)
            cursor = end = pos + len(raw)
        return self.finding(span=(start, end), evidence=f"{word} x{len(text[start:end].split())}")


@dataclass(eq=False)
class HiddenCharsRule(SpamRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        if text.isascii() or not any(c in text for c in _HIDDEN_CHARS):
            return ()
        matches = list(_HIDDEN_RE.finditer(text))
        if not matches:
            return ()
        names = sorted({f"U+{ord(c):04X}" for m in matches for c in m.group()})
        return [
            self.finding(
                span=(matches[0].start(), matches[-1].end()),
                evidence=f"{len(matches)} hidden character(s) inside words ({', '.join(names)})",
            )
        ]


@dataclass(eq=False)
class LinkFloodRule(SpamRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        limit = self.settings.max_links
        urls = extract_urls(post.text)
        if len(urls) + len(post.links) <= limit:
            return ()
        extra = [link for link in post.links if link not in {u.url for u in urls}]
        distinct = {u.url.lower() for u in urls} | {link.lower() for link in extra}
        count = len(distinct)
        if count <= limit:
            return ()
        span = (urls[limit].start, urls[-1].end) if len(urls) > limit else None
        return [
            self.finding(
                span=span,
                evidence=f"{count} links",
                message={
                    "en": f"This post has {count} different links; more than {limit} looks "
                    "like spam.",
                    "id": f"Unggahan ini memuat {count} tautan berbeda; lebih dari {limit} "
                    "terlihat seperti spam.",
                },
            )
        ]


_ex = Example.of


_TAGS_BAD = (
    "Info vaksin hari ini! #sehat #vaksin #covid #indonesia #jakarta #bandung #surabaya "
    "#medan #bali #info #viral #fyp"
)


def build_rules(settings: SpamSettings) -> list[Rule]:
    """The structural spam rules, configured."""
    common: dict[str, Any] = {"engine": PLUGIN, "category": "spam", "settings": settings}
    return [
        HashtagRule(
            id="SMG-SPAM-050",
            name="hashtag-flood",
            severity=Severity.LOW,
            message={
                "en": "This post has too many hashtags.",
                "id": "Unggahan ini memuat terlalu banyak tagar.",
            },
            suggestion={
                "en": "Keep the two to five hashtags that matter for this post.",
                "id": "Pakai dua sampai lima tagar yang paling relevan saja.",
            },
            why={
                "en": "Hashtag stuffing is how spam and hijacked accounts push content into "
                "trends; platforms also rank stuffed posts lower. Twice the limit is medium.",
                "id": "Menjejalkan tagar adalah cara spam dan akun yang diretas mendorong "
                "konten ke trending; platform juga menurunkan jangkauan unggahan seperti ini. "
                "Dua kali batas bernilai sedang.",
            },
            examples=(
                _ex(_TAGS_BAD, True),
                _ex("Selamat Hari Kemerdekaan! #HUTRI81 #Dirgahayu #IndonesiaMaju", False),
                _ex("Fitur C# dan F# dibahas di &#8220;webinar&#8221; hari ini.", False),
            ),
            **common,
        ),
        MentionRule(
            id="SMG-SPAM-051",
            name="mention-flood",
            severity=Severity.LOW,
            message={
                "en": "This post mentions too many accounts.",
                "id": "Unggahan ini menyebut (mention) terlalu banyak akun.",
            },
            suggestion={
                "en": "Mention only the accounts the post is really about.",
                "id": "Sebut hanya akun yang memang terkait dengan unggahan ini.",
            },
            why={
                "en": "Mass-tagging strangers is a spam and giveaway-scam pattern and can get "
                "the account restricted. Twice the limit is medium.",
                "id": "Menandai banyak akun sekaligus adalah pola spam dan penipuan giveaway, "
                "dan bisa membuat akun dibatasi platform. Dua kali batas bernilai sedang.",
            },
            examples=(
                _ex("Giveaway! @andi @budi @citra @dewi @eko @fajar @gita ikut ya", True),
                _ex("Terima kasih @kemkes_ri dan @bpjs.kesehatan, info: humas@kemkes.go.id", False),
            ),
            **common,
        ),
        RepeatedLinesRule(
            id="SMG-SPAM-052",
            name="repeated-lines",
            severity=Severity.MEDIUM,
            message={
                "en": "The same line is repeated several times in this post.",
                "id": "Baris yang sama diulang beberapa kali dalam unggahan ini.",
            },
            suggestion={
                "en": "Say it once. If you did not write this, check who has access to the "
                "account.",
                "id": "Cukup tulis sekali. Jika bukan tim Anda yang menulisnya, periksa siapa "
                "yang punya akses ke akun.",
            },
            why={
                "en": "Copy-pasted floods are typical of spam bots and hijacked accounts.",
                "id": "Teks yang ditempel berulang-ulang adalah ciri bot spam dan akun yang "
                "diretas.",
            },
            examples=(
                _ex("DAFTAR SEKARANG JUGA\nDAFTAR SEKARANG JUGA\nDAFTAR SEKARANG JUGA", True),
                _ex("MERDEKA!\nMERDEKA!\nMERDEKA!\nDirgahayu Republik Indonesia ke-81", False),
            ),
            **common,
        ),
        RepeatedWordsRule(
            id="SMG-SPAM-053",
            name="repeated-words",
            severity=Severity.LOW,
            message={
                "en": "The same word is repeated many times in a row.",
                "id": "Kata yang sama diulang berkali-kali berturut-turut.",
            },
            suggestion={
                "en": "Write it once; repetition reads as spam.",
                "id": "Tulis sekali saja; pengulangan terbaca sebagai spam.",
            },
            why={
                "en": "Word floods ('gacor gacor gacor …') game search and look like bot "
                "output. Laughter and chants ('wkwk', 'merdeka', 'aamiin') are not flagged.",
                "id": "Kata yang diulang-ulang ('gacor gacor gacor …') dipakai untuk mengakali "
                "pencarian dan terlihat seperti bot. Tawa dan seruan ('wkwk', 'merdeka', "
                "'aamiin') tidak ditandai.",
            },
            examples=(
                _ex("promo promo promo promo promo cek sekarang", True),
                _ex("Hati-hati di jalan ya, Kak. Haha haha haha haha haha!", False),
            ),
            **common,
        ),
        HiddenCharsRule(
            id="SMG-SPAM-054",
            name="hidden-characters",
            severity=Severity.MEDIUM,
            message={
                "en": "This post hides invisible characters inside words.",
                "id": "Unggahan ini menyembunyikan karakter tak terlihat di dalam kata.",
            },
            suggestion={
                "en": "Retype the text by hand. Invisible characters are used to slip banned "
                "words past filters.",
                "id": "Ketik ulang teksnya. Karakter tak terlihat dipakai untuk meloloskan "
                "kata terlarang dari filter.",
            },
            why={
                "en": "Zero-width characters inside a word ('sl\\u200bot') are invisible to "
                "readers but break word filters: a common evasion in gambling spam.",
                "id": "Karakter tanpa lebar di dalam kata ('sl\\u200bot') tidak terlihat oleh "
                "pembaca tetapi mengelabui filter kata: trik umum spam judi online.",
            },
            examples=(
                _ex("Main sl\u200bot ga\u200bcor malam ini", True),
                _ex("Tim kami 👩\u200d💻 siap membantu", False),
            ),
            **common,
        ),
        LinkFloodRule(
            id="SMG-SPAM-055",
            name="link-flood",
            severity=Severity.LOW,
            message={
                "en": "This post has many different links.",
                "id": "Unggahan ini memuat banyak tautan berbeda.",
            },
            suggestion={
                "en": "Keep one link (or a few) that readers need.",
                "id": "Sisakan satu (atau beberapa) tautan yang dibutuhkan pembaca.",
            },
            why={
                "en": "Link farms and hijacked accounts post many links at once to spread "
                "gambling, porn or phishing sites.",
                "id": "Jaringan tautan dan akun yang diretas mengunggah banyak tautan sekaligus "
                "untuk menyebarkan situs judi, pornografi, atau phishing.",
            },
            examples=(
                _ex("a.xyz/1 b.xyz/2 c.xyz/3 d.xyz/4 e.xyz/5 daftar sekarang", True),
                _ex("Baca di kemkes.go.id/berita dan https://sehatnegeriku.kemkes.go.id", False),
            ),
            **common,
        ),
        ScamRule(
            id="SMG-SPAM-056",
            name="scam-structure",
            engine=PLUGIN,
            category="spam",
            severity=Severity.MEDIUM,
            own_numbers=own_numbers(settings),
            own_domains=frozenset(d.lower() for d in str_list(settings.own_domains)),
            message={
                "en": "This post is built like a scam: a lure, a way to reach the sender, and a "
                "push to act now.",
                "id": "Unggahan ini tersusun seperti penipuan: umpan, cara menghubungi pengirim, "
                "dan desakan untuk segera bertindak.",
            },
            suggestion={
                "en": "Do not publish. If nobody on the team wrote it, treat the account as "
                "compromised. If it is your own promotion, list your short codes and domains in "
                "[plugins.spam] own_numbers and own_domains.",
                "id": "Jangan diunggah. Bila tidak ada anggota tim yang menulisnya, anggap akun "
                "dibobol. Bila ini promosi Anda sendiri, daftarkan kode pendek dan domain Anda di "
                "[plugins.spam] own_numbers dan own_domains.",
            },
            why={
                "en": "Prize, loan, OTP and 'mama minta pulsa' scams change their words all the "
                "time but keep one shape: something to win or lose, a number, short code or link "
                "to reach the scammer, and money or urgency. Hijacked accounts post exactly this. "
                "Warnings about scams ('we never ask for your OTP') are not flagged.",
                "id": "Penipuan hadiah, pinjaman, OTP, dan 'mama minta pulsa' selalu berganti kata "
                "tetapi bentuknya sama: sesuatu untuk didapat atau hilang, nomor, kode pendek, "
                "atau tautan untuk menghubungi penipu, lalu uang atau desakan waktu. Akun yang "
                "dibajak mengunggah persis ini. Peringatan tentang penipuan ('kami tidak pernah "
                "meminta OTP') tidak ditandai.",
            },
            false_positives=(
                "Your own contests and promotions that give a short code or hotline: list them "
                "in [plugins.spam] own_numbers (and your web domains in own_domains).",
            ),
            examples=(
                _ex(
                    "Selamat! Nomor Anda terpilih sebagai pemenang undian Rp100 juta. Segera "
                    "hubungi 0812-3456-7890 untuk klaim hadiah.",
                    True,
                ),
                _ex(
                    "WINNER! You have been chosen for a £500 cash award. Call 09061234567 now "
                    "to claim it.",
                    True,
                ),
                _ex(
                    "Txt PLAY to 80808 for free entry to our weekly draw. 150p/msg, T&C apply", True
                ),
                _ex(
                    "Ma, ini aku ganti nomor baru. Tolong beliin pulsa 100rb dulu ya, penting", True
                ),
                _ex(
                    "Akun Anda akan diblokir hari ini. Kirim kode OTP yang masuk ke WA "
                    "0813-1111-2222 sekarang.",
                    True,
                ),
                _ex("Pinjaman dana tunai tanpa jaminan, cair 1 jam! Chat WA 0857-1234-5678", True),
                _ex(
                    "Your account has been suspended. Verify your account now: "
                    "https://secure-verify-login.xyz/acc",
                    True,
                ),
                _ex(
                    "Waspada penipuan! Kami tidak pernah meminta kode OTP atau biaya admin untuk "
                    "hadiah. Laporkan nomor 0812-3456-7890 bila Anda menerimanya.",
                    False,
                ),
                _ex(
                    "Congratulations to the 10 winners of our photo contest, listed on our site.",
                    False,
                ),
                _ex("Are you free tonight? Call me at 0812-3456-7890 when you get home.", False),
                _ex("Gratis ongkir hari ini untuk semua pesanan di https://tokobatik.co.id", False),
                _ex(
                    "Polisi menangkap komplotan modus 'mama minta pulsa' yang menipu 40 warga.",
                    False,
                ),
            ),
        ),
    ]


@hookimpl
def register_settings(register: Callable[[str, type[Table]], None]) -> None:
    register(PLUGIN, SpamSettings)


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    for rule in build_rules(config.plugin_settings(PLUGIN, SpamSettings)):
        register(rule)
