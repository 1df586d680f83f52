"""The parts of a scam post, in English and Indonesian, found by shape rather than by one word.

A scam message is built the same way whatever it sells: a *lure* (a prize or win, something
free, a loan, a blocked account that needs a code, a relative who needs credit, a premium-rate
service), a *call to action* (claim, call, text WIN to 80086, klik, hubungi, transfer), *money*
(£1000, Rp5.000.000, 100rb, pulsa), *urgency* (now, today only, valid 12 hours, segera) and a
*contact* to act on (a phone or premium number, a short code, a chat or web link). Each of these
on its own is ordinary; :func:`scam_signals` says which of them a post has, and
:mod:`.scams` decides from their combination.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from smguard.guard.urls import extract_urls

__all__ = ["LURES", "PARTS", "ScamSignals", "may_be_scam", "scam_signals"]


class _Phrases:
    """Words and phrases, looked up through the post's set of words: a one-word entry is a set
    lookup, a longer phrase is searched in the padded text only when its first word is there."""

    __slots__ = ("firsts", "multi", "seconds", "single")

    def __init__(self, spec: str) -> None:
        self.single: frozenset[str] = frozenset(
            p.strip() for p in spec.split("|") if p.strip() and " " not in p.strip()
        )
        multi: dict[str, list[str]] = {}
        seconds: dict[str, set[str]] = {}
        for p in spec.split("|"):
            words = p.split()
            if len(words) > 1:
                multi.setdefault(words[0], []).append(" " + " ".join(words) + " ")
                seconds.setdefault(words[0], set()).add(words[1])
        self.multi: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in multi.items()}
        #: The first words of the phrases, and per first word the words that follow it: a
        #: phrase's words are all words of the post, so a post with "are" but not "selected"
        #: or "chosen" holds no "are selected" (common first words decide nothing alone).
        self.firsts = frozenset(multi)
        self.seconds = {k: frozenset(v) for k, v in seconds.items()}

    def maybe(self, words: frozenset[str]) -> bool:
        """Whether a word, or the first two words of a phrase, are there (cheap)."""
        if not words.isdisjoint(self.single):
            return True
        seconds = self.seconds
        return any(not words.isdisjoint(seconds[first]) for first in words & self.firsts)

    def found(self, words: frozenset[str], padded: str) -> bool:
        if not words.isdisjoint(self.single):
            return True
        return any(p in padded for first in words & self.firsts for p in self.multi[first])


def _phrases(spec: str) -> _Phrases:
    return _Phrases(spec)


# Words and phrases are matched on the normalised words of the post joined by single spaces
# (so "T&C" is "t c", "you've" is "you ve"), each padded with spaces to match whole words.

#: Winning something one did not enter for: the core of prize and lottery scams.
PRIZE = _phrases("""
    won | win | winner | winning | prize | prizes | award | awarded | jackpot | lucky |
    been selected | been chosen | are selected | reward | bonus | cash | guaranteed |
    hadiah | menang | memenangkan | pemenang | undian | terpilih | beruntung | selamat anda |
    anda mendapatkan | kamu mendapatkan | mendapat hadiah | dapat hadiah | rezeki
""")
#: Something for nothing: weaker than a prize, common in honest promotions too.
FREE = _phrases("""
    freemsg | gift | voucher | entry | gratis | cuma cuma | percuma | bonus
""")
#: "free" after these words is "available", not an offer ("are you free tonight").
_FREE_NOT_OFFER = frozenset("are you u m im am be is re feel get when".split())
#: Money the reader gets or pays, in words.
MONEY_WORDS = _phrases("""
    cash | pounds | dollars | pulsa | saldo | uang | duit | dana | tunai | tf |
    rekening | juta | ribu | jt | rb | biaya admin | biaya | fee | payment | pay | bayar
""")
#: Do something now.
ACTION = _phrases("""
    claim | call | txt | text | reply | send | click | visit | collect | redeem | dial | ring |
    go to | log on | log in | login | sign up | register | subscribe | apply | order |
    klaim | hubungi | ketik | kirim | balas | klik | kunjungi | daftar | transfer | tf |
    konfirmasi | chat | wa | whatsapp | sms | telp | telepon | tlp | cek | ambil | tukarkan
""")
URGENCY = _phrases("""
    now | today | tonight | urgent | urgently | immediately | asap | expires | expire | expiry |
    expiring | limited time | last chance | final | hurry | quick | quickly | deadline |
    segera | sekarang | hari ini | batas waktu | terakhir | cepat | buruan | penting | darurat |
    secepatnya | jangan sampai | hangus
""")
#: Time limits: "valid 12 hrs", "within 24 hours", "only 2 days left", "berlaku 1x24 jam".
URGENCY_RE = re.compile(
    r"(?:valid|within|only|just|berlaku|dalam|hanya)\s+(?:for\s+)?(?:\d+\s?x\s?)?\d+\s?"
    r"(?:hrs?|hours?|mins?|minutes?|days?|jam|menit|hari)\b|\d\s?(?:hrs?|hours?|jam)\s+only\b"
)
_URGENCY_GATE = frozenset("valid within only just berlaku dalam hanya".split())
#: Lures of their own kind: loans, accounts and codes, family in trouble, fake support.
LOAN = _phrases("""
    loan | loans | debt | debts | credit | pre approved | approved |
    pinjaman | pinjol | pinjam | dana cepat | dana tunai | tanpa jaminan | tanpa agunan |
    bi checking | cair | kredit | bunga rendah | bunga 0
""")
CREDENTIAL = _phrases("""
    otp | pin | password | passcode | cvv | verification code | security code | kode otp |
    kode verifikasi | kode aktivasi | kata sandi | verify your | verify account |
    account suspended | account blocked | account locked | account will be | akun anda |
    akun kamu | diblokir | terblokir | dinonaktifkan | dibekukan | verifikasi data |
    update data | pembaruan data
""")
#: Premium-rate content services: ringtones, dating and chat lines, horoscopes.
SERVICE = _phrases("""
    ringtone | ringtones | polyphonic | wallpaper | wallpapers | dating | singles | chat line |
    chatline | horoscope | sexy | video clip | new tones | top tones
""")
#: Fake notices: a message, parcel, statement or fine waiting for the reader to call about.
NOTICE = _phrases("""
    important message | urgent message | messages waiting | message waiting | voicemail |
    tried to contact | trying to contact | attempt to contact | final attempt | contact attempt |
    delivery attempt | unable to deliver | failed delivery | un redeemed | unredeemed |
    account statement | paket anda tertahan | paket tertahan | paket kakak tertahan |
    gagal dikirim | gagal kirim | tagihan anda | denda tilang | e tilang | surat tilang
""")
SUPPORT = _phrases("""
    customer service | customer care | cust care | customer support | call center | call centre |
    helpdesk | layanan pelanggan | cs resmi | admin resmi | pusat bantuan | official support
""")
#: Someone close asking for credit or money from a new number ("mama minta pulsa").
FAMILY = re.compile(
    r"\b(?:ini|aku|saya|sy)\s+(?:mama|mamah|mami|papa|papah|ayah|bunda|om|tante|anakmu)\b"
    r"|\b(?:nomor|no|nomer)\s+baru\b|\bganti\s+(?:nomor|no|nomer)\b"
    r"|\b(?:minta|mnta|beliin|belikan|kirimin|kirimkan|isiin|isikan|tolong)\b(?:\s+\w+){0,4}"
    r"\s+pulsa\b"
    r"|\bthis is (?:mum|mom|dad)\b|\bnew number\b"
)
#: Asking for a code or password: "send us the OTP", "reply with your PIN", "kirimkan kode".
ASKS_CODE = re.compile(
    r"\b(?:send|reply with|share|tell us|give us|kirim|kirimkan|berikan|sebutkan|bagikan|"
    r"infokan|balas dengan)\b(?:\s+\w+){0,4}?\s+(?:otp|pin|password|passcode|cvv|kode|code|"
    r"kata sandi)\b"
)
#: Premium-rate small print with a number: "150p", "£1.50/wk", "150ppm", "GBP4.50/week", "18+",
#: "PO Box 1234", "stop to 87239".
PREMIUM_NUMBERS = re.compile(
    r"\d(?:p\b|p/|\s?ppm\b)|[£$€]\s?\d+(?:[.,]\d+)?\s?(?:/|per\s)\s?(?:msg|txt|text|min|wk|"
    r"week|day|mth|month|call)\b|gbp\s?\d*(?:[.,]\d+)?\s?(?:/|per\s)|\d\s?gbp\s?(?:/|per\s)"
    r"|1[68]\s?\+|box\s?\d{3}|stop\s+(?:to|2)\s+\d{3}"
)
#: Premium-rate small print in words: "std txt rate", "T&C", "opt out", "unsubscribe".
PREMIUM_WORDS = _phrases("""
    per msg | per min | std rate | std rates | std txt | std text | std msg | std sms |
    std network | std chg | std chgs | std charge | std charges | t c | t cs | ts cs |
    opt out | optout | unsubscribe | send stop | txt stop | text stop
""")
_MONEY_WORD_GATE = frozenset("ribu juta rb jt gbp usd idr pound pounds dollar dollars".split())
_CURRENCY = ("£", "$", "€", "¥", "₹")
#: Amounts: "£1000", "$500", "Rp5.000.000", "Rp 50rb", "100rb", "5jt", "2 juta", "500k".
#: A number with a unit is matched from its first digit only (not after a digit, nor after a
#: digit and a separator), and its digits are never given back: a run of ".0.0.0…" thousands
#: long is then one pass, where trying every digit of it as a start cost time quadratic in its
#: length (830 ms for a 29,547-character post in the fuzz campaign).
MONEY_RE = re.compile(
    r"[£$€¥₹]\s?\d|rp\.?\s?\d|(?<!\d)(?<!\d[.,])\d++(?:[.,]\d+)*+\s?"
    r"(?:rb|ribu|jt|juta|k|m|gbp|usd|idr|pounds?|dollars?)\b"
)
#: Runs of digits with the punctuation numbers are written with ("0812-3456-7890"), four
#: characters or more: a shorter run is neither a number to call (nine digits) nor a short code
#: (four to six), and a long random token holds thousands of them. A run of four or more is
#: found whole, as ``\d[\d.\-() ]*\d`` finds it; a shorter one is not found at all.
_DIGIT_RUN = re.compile(r"\d[\d.\-() ]{2,}\d")
#: What a digit run holds besides digits: dropping it leaves the digits (in C, not per digit).
_RUN_PUNCTUATION = str.maketrans("", "", ".-() ")
#: What comes before a short code: "txt WIN to 80086", "call 83110", "ketik REG kirim ke 9889".
_BEFORE_CODE = re.compile(
    r"(?:^|[^a-z])(?:to|txt|text|sms|call|ring|dial|on|at|ke|ketik|kirim|hubungi|telp|tlp|wa|cs)"
    r"[\s:.\-]*(?:[a-z]+\s+(?:to|ke|2)\s+)?$"
)
#: A keyword to text back: "txt WIN to 80086", "reply STOP", "ketik REG SPASI".
KEYWORD_RE = re.compile(
    r"\b(?i:reply|txt|text|send|sms|ketik|balas)\s+(?i:with\s+)?[A-Z][A-Z0-9]{1,}\b"
)
#: Words that make the post a warning about scams, or a report of one, not a scam.
WARNING = _phrases("""
    beware | scam | scams | scammer | scammers | fraud | fraudulent | phishing | never ask |
    will never | do not share | don t share | never share | fake | hoax |
    waspada | hati hati | penipuan | penipu | modus | hoaks | palsu | jangan berikan |
    jangan bagikan | jangan pernah | tidak pernah | tdk pernah | bukan dari kami | laporkan
""")


@dataclass(frozen=True, slots=True)
class ScamSignals:
    """Which parts of a scam a post has (names as in :data:`PARTS`)."""

    parts: frozenset[str]
    warning: bool

    @property
    def lures(self) -> frozenset[str]:
        return self.parts & LURES


#: The kinds of lure; every scam has at least one.
#: "support" (customer service) is a lure only with a code or money asked: see .scams.
LURES = frozenset({"prize", "free", "loan", "credential", "family", "premium", "service", "notice"})
PARTS = (
    *sorted(LURES),
    "support",
    "asks_code",
    "action",
    "money",
    "urgency",
    "number",
    "shortcode",
    "keyword",
    "link",
    "contact",
)


#: Words without which the "relative asking for credit" pattern cannot match.
_FAMILY_GATE = frozenset(
    "mama mamah mami papa papah ayah bunda om tante anakmu pulsa ganti baru mum mom dad new".split()
)
_HAS_DIGIT = re.compile(r"\d")
_CODE_GATE = frozenset("otp pin password passcode cvv kode code sandi".split())
_KEYWORD_GATE = frozenset("reply txt text send sms ketik balas".split())
_EMPTY = frozenset[str]()


def _first_words(*groups: _Phrases) -> frozenset[str]:
    words: set[str] = set()
    for group in groups:
        words |= group.single | group.multi.keys()
    return frozenset(words)


#: Every word :func:`may_be_scam` looks for: a post with none of them is decided by its
#: premium-rate hint alone (one set test instead of a dozen, for most posts).
_ANY_GATE = (
    _first_words(PRIZE, FREE, LOAN, CREDENTIAL, SERVICE, NOTICE, SUPPORT, ACTION, PREMIUM_WORDS)
    | _FAMILY_GATE
    | _CODE_GATE
    | {"free"}
)


def may_be_scam(words: frozenset[str], text: str) -> bool:
    """A quick necessary condition for :func:`.scams.is_scam`: a lure, "customer service",
    a relative asking or a code asked for, or a call to action with urgency or a number.

    Each test is a necessary condition of a part :func:`scam_signals` would find: common
    words ("baru", "are", "sandi") send a post on only when the pattern they gate matches.
    """
    if words.isdisjoint(_ANY_GATE):
        return _premium_hint(words, text)
    if any(g.maybe(words) for g in (PRIZE, FREE, LOAN, CREDENTIAL, SERVICE, NOTICE, SUPPORT)):
        return True
    if "free" in words:
        return True
    family = not words.isdisjoint(_FAMILY_GATE)
    code = not words.isdisjoint(_CODE_GATE)
    if family or code:
        lower = text.lower()
        if (family and FAMILY.search(lower)) or (code and ASKS_CODE.search(lower)):
            return True
    if ACTION.maybe(words):
        return URGENCY.maybe(words) or _HAS_DIGIT.search(text) is not None
    return PREMIUM_WORDS.maybe(words) or _premium_hint(words, text)


#: The parts found by words and phrases alone (the patterns add to some of them).
_WORD_PARTS: tuple[tuple[str, _Phrases], ...] = (
    ("prize", PRIZE),
    ("free", FREE),
    ("loan", LOAN),
    ("credential", CREDENTIAL),
    ("service", SERVICE),
    ("notice", NOTICE),
    ("support", SUPPORT),
    ("premium", PREMIUM_WORDS),
    ("action", ACTION),
    ("urgency", URGENCY),
    ("money", MONEY_WORDS),
)


def scam_signals(
    text: str,
    words: Sequence[str],
    *,
    link: Callable[[], bool],
    contact: Callable[[], bool],
    own_numbers: Collection[str] = (),
) -> ScamSignals:
    """The parts of a scam in a post, from its text, its normalised words, and whether it has
    a link or a contact (phone number, chat link) the organisation does not own (asked only
    when the other parts could make a scam)."""
    padded = " " + " ".join(words) + " "
    wset = frozenset(words)
    lower = text.lower()
    digits = _HAS_DIGIT.search(text) is not None
    parts = {name for name, group in _WORD_PARTS if group.found(wset, padded)}
    if "free" in wset and _free_offer(padded):
        parts.add("free")
    if not wset.isdisjoint(_CODE_GATE) and ASKS_CODE.search(lower):
        parts.add("asks_code")
    if not wset.isdisjoint(_FAMILY_GATE) and FAMILY.search(lower):
        parts.add("family")
    if digits and _premium_hint(words, text) and PREMIUM_NUMBERS.search(lower):
        parts.add("premium")
    if digits and not wset.isdisjoint(_URGENCY_GATE) and URGENCY_RE.search(lower):
        parts.add("urgency")
    if digits and _money_hint(words, wset, text, lower) and MONEY_RE.search(lower):
        parts.add("money")
    if not wset.isdisjoint(_KEYWORD_GATE) and KEYWORD_RE.search(text):
        parts.add("keyword")
    warning = WARNING.found(wset, padded)
    if warning or not _could_be_scam(parts):
        return ScamSignals(frozenset(parts), warning)
    # The ways to reach the sender cost the most (links, phone numbers): only when needed.
    if digits:
        parts |= _numbers(text, lower, own_numbers)
    if link():
        parts.add("link")
    if contact():
        parts.add("contact")
    return ScamSignals(frozenset(parts), WARNING.found(wset, padded))


def _could_be_scam(parts: set[str]) -> bool:
    """Whether some way to reach the sender could still make these parts a scam (see
    :func:`.scams.is_scam`, whose every branch needs one of these)."""
    lures = not parts.isdisjoint(LURES) or "support" in parts
    pushes = not parts.isdisjoint(("action", "money", "urgency"))
    return (
        "asks_code" in parts
        or ("family" in parts and "money" in parts)
        or ("premium" in parts and "action" in parts)
        or (lures and pushes)
        or {"action", "urgency"} <= parts
    )


def _premium_hint(words: Collection[str], text: str) -> bool:
    """Cheap test before the premium-rate pattern: "150p", "ppm", a currency, "gbp", "+", a box."""
    if any(c in text for c in _CURRENCY) or "+" in text:
        return True
    if not _PREMIUM_HINT_WORDS.isdisjoint(words):
        return True
    # "150p": only words that end in "p" can be one; most posts have none worth a loop.
    return "p " in " ".join(words) + " " and any(
        w[-1] == "p" and w[:-1].isdigit() for w in words if w
    )


_PREMIUM_HINT_WORDS = frozenset(("ppm", "gbp", "box", "pobox", "stop"))


def _money_hint(words: Sequence[str], wset: frozenset[str], text: str, lower: str) -> bool:
    """Cheap test before the amount pattern: a currency, "rp", "rb"/"jt"/"k" after digits."""
    if any(c in text for c in _CURRENCY) or "rp" in lower or not wset.isdisjoint(_MONEY_WORD_GATE):
        return True
    return any(w[0].isdigit() and w.endswith(("rb", "jt", "k", "m")) for w in words)


def _free_offer(padded: str) -> bool:
    """ "free" as an offer: not after "are you", "I'm", "feel" and the like."""
    at = padded.find(" free ")
    while at >= 0:
        if padded[:at].rpartition(" ")[2] not in _FREE_NOT_OFFER:
            return True
        at = padded.find(" free ", at + 1)
    return False


def _numbers(text: str, lower: str, own_numbers: Collection[str]) -> set[str]:
    """``{"number"}`` for a long number to call, plus ``"shortcode"`` for a 4–6 digit code after
    "txt … to", "call", "ketik … ke"; digits inside links do not count."""
    links = [(u.start, u.end) for u in extract_urls(text)] if "/" in text or "." in text else []
    found: set[str] = set()
    # Runs and links both come in reading order (links never overlap), so one pointer walks
    # the links: a post of many links and many numbers costs their sum, not their product.
    k, n = 0, len(links)
    for m in _DIGIT_RUN.finditer(text):
        start, run = m.start(), m.group()
        while k < n and links[k][1] <= start:
            k += 1
        if k < n and links[k][0] <= start:
            continue
        digits = run.translate(_RUN_PUNCTUATION)
        if digits in own_numbers or digits.lstrip("0") in own_numbers:
            continue
        before = text[start - 1 : start]
        if len(digits) >= 9 and _has_group(run):
            if not before.isalpha() or (run.isdigit() and run[0] == "0" and len(run) in (10, 11)):
                found.add("number")
        elif (
            run.isdigit()
            and 4 <= len(run) <= 6
            and not _year(run)
            and _BEFORE_CODE.search(lower, max(0, start - 30), start)
        ):
            found |= {"number", "shortcode"}
    return found


def _has_group(run: str) -> bool:
    """At least three digits together: "1 2 3 4 5 6 7 8 9" is a list, not a number."""
    return any(len(g) >= 3 for g in re.split(r"\D", run))


def _year(digits: str) -> bool:
    return len(digits) == 4 and digits[:2] in ("19", "20")
