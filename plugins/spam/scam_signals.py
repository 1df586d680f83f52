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
from collections.abc import Collection, Sequence
from dataclasses import dataclass

__all__ = ["ScamSignals", "scam_signals"]


def _phrases(spec: str) -> tuple[str, ...]:
    return tuple(" " + p.strip() + " " for p in spec.split("|") if p.strip())


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
#: "free" as an offer ("free entry", "for free"), not as in "are you free tonight".
FREE_RE = re.compile(
    r"(?<! are)(?<! you)(?<! u)(?<! i m)(?<! im)(?<! am)(?<! be)(?<! is)"
    r"(?<! re)(?<! feel)(?<! get)(?<! when) free "
)
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
    r"\b(?:valid|within|only|just|berlaku|dalam|hanya)\s+(?:for\s+)?(?:\d+\s?x\s?)?\d+\s?"
    r"(?:hrs?|hours?|mins?|minutes?|days?|jam|menit|hari)\b|\b\d+\s?(?:hrs?|hours?|jam)\s+only\b",
    re.IGNORECASE,
)
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
    r"\b(?:ini|aku|saya|sy)\s+(?:mama|mamah|mami|papa|papah|ayah|bapak|ibu|bunda|om|tante|"
    r"kakak|adik|anakmu)\b"
    r"|\b(?:nomor|no|nomer)\s+baru\b|\bganti\s+(?:nomor|no|nomer)\b"
    r"|\b(?:minta|mnta|beliin|belikan|kirimin|kirimkan|isiin|isikan|tolong)\b(?:\s+\w+){0,4}"
    r"\s+pulsa\b"
    r"|\bthis is (?:mum|mom|dad)\b|\bnew number\b"
)
#: Asking for a code or password: "send us the OTP", "reply with your PIN", "kirimkan kode".
ASKS_CODE = re.compile(
    r"\b(?:send|reply with|share|tell us|give us|kirim|kirimkan|berikan|sebutkan|bagikan|"
    r"infokan|balas dengan)\b(?:\s+\w+){0,4}?\s+(?:otp|pin|password|passcode|cvv|kode|code|"
    r"kata sandi)\b",
    re.IGNORECASE,
)
#: Premium-rate small print: "150p/msg", "£1.50/wk", "std txt rate", "T&C", "18+", "opt out".
PREMIUM = re.compile(
    r"\b\d{1,4}p\b|\b\d{1,4}p/|[£$€]\s?\d+(?:[.,]\d+)?\s?(?:/|per\s)\s?(?:msg|txt|text|min|wk|"
    r"week|day|mth|month|call)\b|\b(?:per|/)\s?(?:msg|min)\b|\bstd\.?\s+(?:txt|text|msg|sms|"
    r"network)?\s*(?:rate|rates|chg|chgs|charges?)\b|\bts?\s?&\s?cs?\b|\b1[68]\s?\+|\bopt[\s-]?out\b"
    r"|\b\d+\s?ppm\b|\bgbp\s?\d*(?:[.,]\d+)?\s?(?:/|per\s)\s?\w+|\d(?:[.,]\d+)?\s?gbp\s?(?:/|per\s)"
    r"|\bbox\s?\d{3,}"
    r"|\bunsubscribe\b|\bpo\s?box\s?\d|\bstop\s+(?:to|2)\s+\d{3,}|\bsend\s+stop\b|\btxt\s+stop\b"
    r"|\btext\s+stop\b",
    re.IGNORECASE,
)
#: Amounts: "£1000", "$500", "Rp5.000.000", "Rp 50rb", "100rb", "5jt", "2 juta", "500k".
MONEY_RE = re.compile(
    r"[£$€¥₹]\s?\d|\brp\.?\s?\d|\b\d+(?:[.,]\d+)*\s?(?:rb|ribu|jt|juta|k|m|gbp|usd|idr|pounds?|"
    r"dollars?)\b",
    re.IGNORECASE,
)
#: A short code or long number to act on: "txt WIN to 80086", "call 09061701461", "ke 0812…".
NUMBER_RE = re.compile(
    r"(?:\b(?:to|txt|text|sms|call|ring|dial|on|at|ke|ketik|kirim|hubungi|telp|tlp|wa|cs)\b"
    r"[\s:.\-]*(?:[a-z]+\s+(?:to|ke|2)\s+)?)(\d{4,6})\b(?![\s.\-]?\d)"
    r"|(?<![\d\w])(\+?\(?0?\d[\d\s.\-()]{8,16}\d)(?![\d])"
    r"|(?<=[a-z])(0\d{9,10})(?!\d)",
    re.IGNORECASE,
)
#: A keyword to text back: "txt WIN to 80086", "reply STOP", "ketik REG SPASI".
KEYWORD_RE = re.compile(
    r"\b(?i:reply|txt|text|send|sms|ketik|balas)\s+(?i:with\s+)?[A-Z][A-Z0-9]{1,}\b"
)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*", re.IGNORECASE)
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


def _any(padded: str, phrases: Sequence[str]) -> bool:
    return any(p in padded for p in phrases)


def scam_signals(
    text: str,
    words: Sequence[str],
    *,
    link: bool,
    contact: bool,
    own_numbers: Collection[str] = (),
) -> ScamSignals:
    """The parts of a scam in a post, from its text, its normalised words, and whether it has
    a link or a contact (phone number, chat link) the organisation does not own."""
    padded = " " + " ".join(words) + " "
    lower = text.lower()
    parts: set[str] = set()
    if _any(padded, PRIZE):
        parts.add("prize")
    if _any(padded, FREE) or FREE_RE.search(padded):
        parts.add("free")
    if _any(padded, LOAN):
        parts.add("loan")
    if _any(padded, CREDENTIAL):
        parts.add("credential")
    if _any(padded, SERVICE):
        parts.add("service")
    if ASKS_CODE.search(text):
        parts.add("asks_code")
    if _any(padded, NOTICE):
        parts.add("notice")
    if _any(padded, SUPPORT):
        parts.add("support")
    if FAMILY.search(lower):
        parts.add("family")
    if PREMIUM.search(text):
        parts.add("premium")
    if _any(padded, ACTION):
        parts.add("action")
    if _any(padded, URGENCY) or URGENCY_RE.search(text):
        parts.add("urgency")
    if MONEY_RE.search(text) or _any(padded, MONEY_WORDS):
        parts.add("money")
    # Digits inside links (dates in archive links, ids) are not numbers to call.
    bare = _URL_RE.sub(" ", text) if ("/" in text or "www" in lower) else text
    for m in NUMBER_RE.finditer(bare):
        if _real_number(m, own_numbers):
            parts.add("number")
            if m.group(1):
                parts.add("shortcode")
    if KEYWORD_RE.search(text):
        parts.add("keyword")
    if link:
        parts.add("link")
    if contact:
        parts.add("contact")
    return ScamSignals(frozenset(parts), _any(padded, WARNING))


def _real_number(m: re.Match[str], own_numbers: Collection[str]) -> bool:
    """A short code or long number that is not a year, not spaced single digits ("1 2 3 4"),
    and not one of the organisation's own."""
    if m.group(1):
        digits = m.group(1)
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return False
    else:
        raw = m.group(2) or m.group(3)
        if not re.search(r"\d{3}", raw):
            return False
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 9:
            return False
    return digits not in own_numbers and digits.lstrip("0") not in own_numbers
