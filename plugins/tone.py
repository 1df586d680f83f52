"""Tone of replies: no shouting, no exasperated punctuation, no curt answer to a complaint.

Three code rules, registered through ``register_rules``; blaming and condescending *phrases* live
in the rule packs ``rules/en/tone.yaml`` and ``rules/id/tone.yaml``.

* ``SMG-TONE-001`` shouting: most letters in capitals, or several capitalised words in a row.
* ``SMG-TONE-002`` punctuation runs: ``!!!``, ``???``, ``?!?!``.
* ``SMG-TONE-003`` no courtesy: the follower complains and the reply has no greeting or address,
  no apology and no thanks.

By default they look at replies, comments and direct messages only (``[plugins.tone] kinds``):
a public announcement with a capitalised headline ("PENGUMUMAN") is a house-style choice, while
capitals aimed at one follower read as shouting at them. Options, all optional::

    [plugins.tone]
    caps_ratio = 0.6            # share of capital letters that counts as shouting
    min_letters = 12            # shorter replies are never "shouting"
    caps_run = 3                # this many capitalised words in a row is shouting too
    punctuation_run = 3         # "!!!" and longer
    acronyms = ["BSI", "KJP"]   # added to the built-in list (BPJS, KTP, NIK, OTP, ...)
    complaint_words = ["nyangkut"]   # added to the built-in complaint markers
    courtesy_words = ["Sobat Pajak"] # added to the built-in greetings, apologies and thanks
    kinds = ["reply", "comment", "dm"]

See ``docs/tone-and-timing.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smguard import hookimpl
from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.lexicon import PhraseMatcher
from smguard.guard.normalize import NormalizedText, normalize
from smguard.guard.rule import CheckContext, Example, Rule
from smguard.types import POST_KINDS, Finding, Post, Severity

__all__ = [
    "DEFAULT_ACRONYMS",
    "CapsReport",
    "NoCourtesyRule",
    "PunctuationRule",
    "ShoutingRule",
    "ToneOptions",
    "analyse_caps",
    "complaint_markers",
    "register_rules",
]

ENGINE = "tone"

_ACRONYMS = """
    ID EN UK US USA UN EU ASEAN RI NKRI DKI DIY NTB NTT
    BPJS KTP EKTP NIK KK NPWP SIM STNK BPKB SKCK KIS KIP KJP NIB SPT PPN PPH PBB
    OTP PIN CVV PLN PDAM PGN BBM LPG KRL MRT LRT KAI TJ BUMN ASN PNS CPNS TNI POLRI
    DPR DPRD MPR KPK OJK BI BPK BPOM MUI KPU BAWASLU BMKG BNPB BPBD KOMINFO KOMDIGI
    BCA BRI BNI BSI BTN CIMB OCBC UOB HSBC DBS BPD ATM EDC QR QRIS VA KUR UMKM IDR USD RP
    CS DM PM WA SMS HP TV PC URL FAQ PDF APK IOS API IT OS SOP
    PT CV TBK CEO CFO CTO HRD GM PR PO COD ETA SKU JNE JNT SPX POS
    WIB WITA WIT GMT UTC AM PM OK
    COVID HIV AIDS DBD TBC ISPA WHO RSUD RS UGD IGD
    SD SMP SMA SMK PTN PTS UI ITB UGM IPB ITS UNAIR SNBP SNBT UTBK
"""
#: Capitalised words that are names, not shouting. ``[plugins.tone] acronyms`` adds to these.
DEFAULT_ACRONYMS: frozenset[str] = frozenset(_ACRONYMS.split())

_DEFAULT_KINDS = frozenset({"reply", "comment", "dm"})
_OPTION_KEYS = (
    "caps_ratio", "min_letters", "caps_run", "punctuation_run", "acronyms",
    "complaint_words", "courtesy_words", "kinds",
)  # fmt: skip


# -- options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToneOptions:
    """The tone rules' thresholds and word lists, from ``[plugins.tone]``."""

    caps_ratio: float = 0.6
    min_letters: int = 12
    caps_run: int = 3
    punctuation_run: int = 3
    acronyms: frozenset[str] = DEFAULT_ACRONYMS
    complaint_words: tuple[str, ...] = ()
    courtesy_words: tuple[str, ...] = ()
    kinds: frozenset[str] = _DEFAULT_KINDS

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], where: str = "plugins.tone") -> ToneOptions:
        """Validate a ``[plugins.tone]`` table; raise a one-line ``ConfigError`` naming the key."""
        for key in table:
            if key not in _OPTION_KEYS:
                raise ConfigError(
                    f"{where}.{key}: unknown setting (known: {', '.join(sorted(_OPTION_KEYS))})"
                )
        d = cls()
        ratio = table.get("caps_ratio", d.caps_ratio)
        if not _is_number(ratio) or not 0 < ratio <= 1:
            raise ConfigError(f"{where}.caps_ratio: must be between 0 and 1")
        acronyms = _words(table.get("acronyms", []), f"{where}.acronyms")
        for word in acronyms:
            if not word.isalpha():
                raise ConfigError(f"{where}.acronyms: {word!r} must be letters only, like BPJS")
        kinds = _words(table.get("kinds", sorted(d.kinds)), f"{where}.kinds")
        for kind in kinds:
            if kind not in POST_KINDS:
                raise ConfigError(f"{where}.kinds: {kind!r} is not one of {', '.join(POST_KINDS)}")
        if not kinds:
            raise ConfigError(f"{where}.kinds: must name at least one of {', '.join(POST_KINDS)}")
        complaint = _phrases(table.get("complaint_words", []), f"{where}.complaint_words")
        courtesy = _phrases(table.get("courtesy_words", []), f"{where}.courtesy_words")
        return cls(
            caps_ratio=float(ratio),
            min_letters=_whole(table, "min_letters", d.min_letters, 1, where),
            caps_run=_whole(table, "caps_run", d.caps_run, 2, where),
            punctuation_run=_whole(table, "punctuation_run", d.punctuation_run, 2, where),
            acronyms=DEFAULT_ACRONYMS | {w.upper() for w in acronyms},
            complaint_words=complaint,
            courtesy_words=courtesy,
            kinds=frozenset(kinds),
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(table: Mapping[str, Any], key: str, default: int, low: int, where: str) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{where}.{key}: must be a whole number of at least {low}")
    return value


def _words(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):  # environment overrides give "a,b" or a single word
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{key}: must be a list of words")
    return tuple(v.strip() for v in value)


def _phrases(value: Any, key: str) -> tuple[str, ...]:
    phrases = _words(value, key)
    for phrase in phrases:
        if not _phrase_words(phrase):
            raise ConfigError(f"{key}: {phrase!r} has no words to match")
    return phrases


def _phrase_words(phrase: str) -> tuple[str, ...]:
    """A phrase as the words a post's tokens are compared with (same tokeniser as posts)."""
    return tuple(normalize(phrase).words)


# -- word lists ---------------------------------------------------------------------------------

# Complaint markers in the follower's message, with a weight: the message counts as a complaint
# at 2 points, so one strong marker is enough and a lone "kok" or "why" is not.
_STRONG = 2
_WEAK = 1
_COMPLAINT_ID_STRONG = """
    kecewa | mengecewakan | dikecewakan | parah | rusak | gagal | komplain | complain | refund |
    lama banget | lama sekali | lama bener | lambat banget | lemot | lelet |
    belum sampai | belum nyampe | tidak nyampe | belum datang | belum diterima | belum masuk |
    belum diproses | belum dikirim |
    belum dibalas | belum ada kabar | belum ada balasan | belum juga | tidak bisa | gabisa |
    tidak sampai | tidak datang | tidak masuk | tidak dibalas | tidak ada respon |
    tidak ada balasan | tidak sesuai | tidak jelas | tidak becus | error | eror | hilang |
    kapok | nyesel | menyesal | penipuan | nipu | ditipu | tipu | zonk | bohong | cacat | pecah |
    telat | terlambat | terpotong | dibatalkan | mana tanggung jawab | mana janji | mana nih |
    mana ini | gimana sih | gimana nih | bagaimana ini | payah | buruk | jelek | ribet |
    susah banget | viralkan | laporkan | lapor ylki | ombudsman | berhari hari | berminggu minggu |
    dari kemarin | sampai kapan
"""
_COMPLAINT_ID_WEAK = "kok | tolong | mana | kenapa | masa | belum | batal | gimana | sih"
_COMPLAINT_EN_STRONG = """
    disappointed | disappointing | unacceptable | ridiculous | worst | terrible | awful |
    horrible | useless | pathetic | scam | scammed | still waiting | still not | not working |
    doesn t work | does not work | isn t working | stopped working | never arrived |
    hasn t arrived | has not arrived | not arrived | not received | haven t received |
    have not received | never received | broken | damaged | wrong item | wrong order | complaint |
    charged twice | overcharged | fed up | sick of | waste of | no response | no reply |
    been waiting | fix this | unhappy | frustrated | frustrating | furious | annoyed | rude |
    can t log | cannot log | unable to | failed | missing
"""
_COMPLAINT_EN_WEAK = "why | help | what happened | how long | where is | seriously | again | anyone"

# Courtesy in the reply: an address or greeting, an apology, thanks, or acknowledgement.
_COURTESY = """
    kak | kakak | sis | sist | gan | agan | juragan | mas | mbak | mba | bang | bapak | ibu | pak |
    bu | bpk | sobat | sahabat | rekan | yth | terhormat | halo | hallo | hai | hi | hello |
    dear | selamat pagi | selamat siang | selamat sore | selamat malam | selamat datang |
    assalamualaikum | salam | good morning | good afternoon | good evening |
    maaf | maafkan | maap | mohon maaf | sorry | sori | apologise | apologize | apologies |
    apology | apologising | apologizing | regret | ketidaknyamanan | inconvenience | pardon |
    terima kasih | terimakasih | makasih | trims | thx | thanks | thank | tq | appreciate |
    hatur nuhun | matur nuwun
"""
_COURTESY_SYMBOLS = ("🙏",)
_ANGRY_EMOJI = ("😡", "🤬", "😠", "👎", "😤", "💢")
_SAD_EMOJI = ("😭", "😢", "🙄", "😞", "😩", "😒")


def _split(spec: str) -> list[str]:
    return [p.strip() for p in spec.split("|") if p.strip()]


class PhraseSet:
    """Phrases (word sequences) each carrying a weight, matched with the shared
    :class:`~smguard.guard.lexicon.PhraseMatcher`: forms (leetspeak, slang), stretched letters
    (``maaaaf``) and Indonesian suffixes (``kecewanya``) all count."""

    def __init__(self, phrases: Iterable[tuple[str, int]], slang: Mapping[str, str]) -> None:
        self._matcher: PhraseMatcher[tuple[str, int]] = PhraseMatcher(slang)
        for phrase, weight in phrases:
            words = _phrase_words(phrase)
            if words:
                self._matcher.add(words, (" ".join(words), weight))

    def find(
        self, norm: NormalizedText, first_only: bool = False
    ) -> list[tuple[int, int, str, int]]:
        """Every match as ``(first word, last word, phrase, weight)``; with ``first_only``,
        stop at the first one."""
        return [(i, j, key, w) for i, j, (key, w) in self._matcher.find(norm, first_only)]


# -- shouting -----------------------------------------------------------------------------------

_SKIP_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|[@#][\w.]+"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b(?:[\w-]+\.)+(?:com|id|net|org|co|go|ac|or|sch|io|ly|me|gov|edu|info|biz|app|link|"
    r"site|online|store|shop|my|sg|uk|us)\b(?:/\S*)?",
    re.IGNORECASE,
)
_LETTERS_RE = re.compile(r"[^\W\d_]{2,}")
# Prefilter: capitals count only from a capitalised word of 4+ letters that is not an acronym
# (short ones count only beside such a word), so a text without one cannot shout.
_CAPS_WORD_RE = re.compile(r"(?<![\w#@])[A-ZÀ-ÖØ-Þ]{4,}(?![^\W\d_])")


@dataclass(frozen=True)
class CapsReport:
    """How much of a text is in capitals, over the words that count (see :func:`analyse_caps`)."""

    letters: int = 0
    upper: int = 0
    #: The longest run of consecutive capitalised words, and its span in the text.
    run: int = 0
    run_span: tuple[int, int] | None = None
    #: From the first to the last capitalised word.
    caps_span: tuple[int, int] | None = None

    @property
    def ratio(self) -> float:
        return self.upper / self.letters if self.letters else 0.0

    def shouting(self, options: ToneOptions) -> bool:
        if self.letters < options.min_letters:
            return False
        return self.ratio >= options.caps_ratio or self.run >= options.caps_run


_NO_CAPS = CapsReport()


def analyse_caps(text: str, acronyms: frozenset[str]) -> CapsReport:
    """Measure capitals over words of 2+ letters, ignoring URLs, @mentions, #hashtags, acronyms.

    A short capitalised word (up to 3 letters) that stands alone among normal words is read as an
    acronym too (``transfer lewat BCA``); next to a longer capitalised word it is part of the
    shouting (``SAYA CEK DULU YA``).
    """
    if not any(m.group() not in acronyms for m in _CAPS_WORD_RE.finditer(text)):
        return _NO_CAPS
    masked = _SKIP_RE.sub(lambda m: " " * len(m.group()), text)
    words = [
        (m.start(), m.end(), m.group())
        for m in _LETTERS_RE.finditer(masked)
        if not (m.group().isupper() and m.group().upper() in acronyms)
    ]
    n = len(words)
    caps = [w.isupper() for _, _, w in words]
    long_caps = [c and len(w) >= 4 for c, (_, _, w) in zip(caps, words, strict=True)]
    letters = upper = run = best = 0
    best_span: tuple[int, int] | None = None
    run_start = first = last = -1
    for i, (start, end, word) in enumerate(words):
        if caps[i] and len(word) <= 3:
            beside_shouting = (i > 0 and long_caps[i - 1]) or (i + 1 < n and long_caps[i + 1])
            if not beside_shouting:
                continue  # a lone short capitalised word: an acronym or a name
        letters += len(word)
        if caps[i]:
            upper += len(word)
            if first < 0:
                first = start
            last = end
            if run == 0:
                run_start = start
            run += 1
            if run > best:
                best, best_span = run, (run_start, end)
        else:
            upper += sum(1 for c in word if c.isupper())
            run = 0
    return CapsReport(
        letters=letters,
        upper=upper,
        run=best,
        run_span=best_span,
        caps_span=(first, last) if first >= 0 else None,
    )


def calm_version(text: str, acronyms: frozenset[str]) -> str:
    """The text in sentence case with single punctuation: a concrete "say it like this"."""
    masked = _SKIP_RE.sub(lambda m: " " * len(m.group()), text)
    chars = list(text)
    for m in _LETTERS_RE.finditer(masked):
        word = m.group()
        if word.isupper() and word not in acronyms:
            chars[m.start() : m.end()] = word.lower()
    out = "".join(chars)
    out = _PUNCT_RUN_RE.sub(lambda m: "?" if "?" in m.group() else "!", out)
    out = re.sub(r"(^|[.!?]\s+)([^\W\d_])", lambda m: m.group(1) + m.group(2).upper(), out.strip())
    return _clip(out)


def _clip(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- punctuation --------------------------------------------------------------------------------

_PUNCT = "!?！？‼⁇⁈⁉❗❕❓❔"
_DOUBLE_PUNCT = frozenset("‼⁇⁈⁉")
_QUESTION = frozenset("?？⁇⁈⁉❓❔")
_EXCLAIM = frozenset("!！‼⁈⁉❗❕")
_ASCII_PAIRS = ("!!", "??", "?!", "!?")
_PUNCT_RUN_RE = re.compile(f"[{_PUNCT}]{{2,}}")


def _punct_weight(run: str) -> int:
    return sum(2 if c in _DOUBLE_PUNCT else 1 for c in run)


# -- complaints ---------------------------------------------------------------------------------

_COMPLAINT_CACHE = "tone:complaint"
#: The complaint marker for a follower's message written in capitals.
CAPITALS = "\x00capitals"
_CAPITALS_SHOWN = {"en": "written in capitals", "id": "ditulis dengan huruf kapital"}


def complaint_markers(norm: NormalizedText, phrases: PhraseSet, options: ToneOptions) -> list[str]:
    """What in the follower's message says "complaint", strongest first, or ``[]`` when it is
    not a complaint (less than two points: one strong marker or two weak ones)."""
    text = norm.original
    spans = norm.spans
    matches = phrases.find(norm)
    found: list[tuple[int, str]] = []  # (weight, marker)
    seen: set[str] = set()
    for i, j, key, weight in sorted(matches, key=lambda m: m[0]):
        # "belum sampai" says more than the "belum" inside it: keep the longest match at a place.
        inside = any(o[0] <= i and j <= o[1] and o[1] - o[0] > j - i for o in matches)
        if not inside and key not in seen:
            seen.add(key)
            # Quote the follower's own words ("gak bisa"), not the canonical form.
            found.append((weight, text[spans[i][0] : spans[j][1]]))
    runs = [m.group() for m in _PUNCT_RUN_RE.finditer(text)]
    angry = [r for r in runs if not _QUESTION.isdisjoint(r) and not _EXCLAIM.isdisjoint(r)]
    if angry:
        found.append((_STRONG, angry[0]))
    elif runs:
        found.append((_WEAK, runs[0]))
    if analyse_caps(text, options.acronyms).shouting(options):
        found.append((_STRONG, CAPITALS))
    emoji = next((e for e in _ANGRY_EMOJI if e in text), None)
    if emoji is not None:
        found.append((_STRONG, emoji))
    else:
        emoji = next((e for e in _SAD_EMOJI if e in text), None)
        if emoji is not None:
            found.append((_WEAK, emoji))
    if sum(weight for weight, _ in found) < _STRONG:
        return []
    found.sort(key=lambda f: -f[0])  # stable: strongest first, then in reading order
    return [marker for _, marker in found]


# -- rules --------------------------------------------------------------------------------------


@dataclass(eq=False)
class _ToneRule(Rule):
    options: ToneOptions = field(default_factory=ToneOptions)

    def _complaint(self, ctx: CheckContext) -> list[str]:
        """The complaint markers of the follower's message (memoised per post)."""
        cached: list[str] | None = ctx.cache.get(_COMPLAINT_CACHE)
        if cached is not None:
            return cached
        markers: list[str] = []
        reply_to = ctx.post.in_reply_to
        if reply_to is not None and reply_to.text.strip():
            norm = ctx.reply_norm
            if norm is not None:
                phrases = _phrase_sets(self.options, ctx.slang)[0]
                markers = complaint_markers(norm, phrases, self.options)
        ctx.cache[_COMPLAINT_CACHE] = markers
        return markers


@dataclass(eq=False)
class ShoutingRule(_ToneRule):
    """SMG-TONE-001: a reply written mostly in capitals."""

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        report = analyse_caps(post.text, self.options.acronyms)
        if not report.shouting(self.options):
            return ()
        by_ratio = report.ratio >= self.options.caps_ratio
        span = report.caps_span if by_ratio else report.run_span
        pct = round(report.ratio * 100)
        calm = calm_version(post.text, self.options.acronyms)
        run_en = f", {report.run} capitalised words in a row" if report.run > 1 else ""
        run_id = f", {report.run} kata kapital berturut-turut" if report.run > 1 else ""
        return [
            self.finding(
                span=span,
                evidence=post.text[span[0] : span[1]] if span else None,
                score=round(report.ratio, 4),
                message={
                    "en": f"The reply is written in capitals ({pct}% of its letters{run_en}), "
                    "which reads as shouting.",
                    "id": f"Balasan ditulis dengan huruf kapital ({pct}% hurufnya{run_id}), "
                    "terbaca seperti membentak.",
                },
                suggestion={
                    "en": "Write in sentence case and keep capitals for acronyms such as BPJS "
                    f"or KTP, e.g. “{calm}”",
                    "id": "Tulis dengan huruf biasa; huruf kapital hanya untuk singkatan seperti "
                    f"BPJS atau KTP, misalnya “{calm}”",
                },
            )
        ]


@dataclass(eq=False)
class PunctuationRule(_ToneRule):
    """SMG-TONE-002: runs of ``!`` and ``?`` in a reply."""

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        if text.isascii() and not any(pair in text for pair in _ASCII_PAIRS):
            return ()
        findings: list[Finding] = []
        for m in _PUNCT_RUN_RE.finditer(text):
            run = m.group()
            if _punct_weight(run) < self.options.punctuation_run:
                continue
            asks = not _QUESTION.isdisjoint(run)
            # "???" and "?!" sound exasperated with the follower; "!!!" is loud, and worse when
            # the follower is already upset.
            severity = Severity.MEDIUM if asks or self._complaint(ctx) else Severity.LOW
            one = "?" if asks else "!"
            findings.append(
                self.finding(
                    span=m.span(),
                    evidence=run,
                    severity=severity,
                    message={
                        "en": f"“{run}” in a reply reads as "
                        + ("exasperation with the follower." if asks else "shouting."),
                        "id": f"“{run}” dalam balasan terbaca "
                        + ("seperti kesal kepada pengikut." if asks else "seperti berteriak."),
                    },
                    suggestion={
                        "en": f"Use a single “{one}” (or a full stop); a calm reply settles an "
                        "upset follower faster.",
                        "id": f"Cukup satu “{one}” (atau titik); balasan yang tenang lebih cepat "
                        "meredakan pengikut yang kesal.",
                    },
                )
            )
            if len(findings) >= 3:
                break
        return findings


_OPENINGS = {
    "id": "Mohon maaf atas ketidaknyamanannya, Kak.",
    "en": "Sorry for the trouble, and thank you for your patience.",
}


@dataclass(eq=False)
class NoCourtesyRule(_ToneRule):
    """SMG-TONE-003: a reply to a complaint without greeting, apology or thanks."""

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        if post.in_reply_to is None:
            return ()
        # Courtesy first: the reply's tokens are already there (the packs need them), while the
        # follower's message still has to be normalised, and most replies are courteous.
        if any(s in post.text for s in _COURTESY_SYMBOLS):
            return ()
        norm = ctx.norm
        if _phrase_sets(self.options, ctx.slang)[1].find(norm, True):
            return ()
        markers = self._complaint(ctx)
        if not markers:
            return ()
        stripped = post.text.strip()
        start = len(post.text) - len(post.text.lstrip())
        shown = {
            lang: ", ".join(
                _CAPITALS_SHOWN[lang] if m == CAPITALS else f"“{m}”" for m in markers[:3]
            )
            for lang in ("en", "id")
        }
        langs = [lang for lang in ("id", "en") if lang in ctx.languages] or ["id", "en"]
        body = _clip(stripped, 70)
        better = [f"“{_OPENINGS[lang]} {body}”" for lang in langs]
        return [
            self.finding(
                span=(start, start + len(stripped)),
                evidence=_clip(stripped, 80),
                message={
                    "en": f"The follower is complaining ({shown['en']}) and this reply has no "
                    "greeting, apology or thanks.",
                    "id": f"Pengikut sedang mengeluh ({shown['id']}) dan balasan ini tanpa sapaan, "
                    "permintaan maaf, atau ucapan terima kasih.",
                },
                suggestion={
                    "en": "Acknowledge the follower before answering, e.g. "
                    + " or ".join(better)
                    + ", then offer the next step.",
                    "id": "Sapa dan akui keluhannya sebelum menjawab, misalnya "
                    + " atau ".join(better)
                    + ", lalu tawarkan langkah berikutnya.",
                },
            )
        ]


_phrase_cache: dict[
    tuple[int, int], tuple[ToneOptions, Mapping[str, str], PhraseSet, PhraseSet]
] = {}


def _phrase_sets(options: ToneOptions, slang: Mapping[str, str]) -> tuple[PhraseSet, PhraseSet]:
    """The complaint and courtesy phrase sets for these options and this slang table."""
    key = (id(options), id(slang))
    hit = _phrase_cache.get(key)
    if hit is not None and hit[0] is options and hit[1] is slang:
        return hit[2], hit[3]
    complaint = [(p, _STRONG) for p in _split(_COMPLAINT_ID_STRONG) + _split(_COMPLAINT_EN_STRONG)]
    complaint += [(p, _WEAK) for p in _split(_COMPLAINT_ID_WEAK) + _split(_COMPLAINT_EN_WEAK)]
    complaint += [(p, _STRONG) for p in options.complaint_words]
    courtesy = [(p, 1) for p in [*_split(_COURTESY), *options.courtesy_words]]
    sets = PhraseSet(complaint, slang), PhraseSet(courtesy, slang)
    if len(_phrase_cache) > 32:
        _phrase_cache.clear()
    _phrase_cache[key] = (options, slang, *sets)
    return sets


# -- registration -------------------------------------------------------------------------------


def _reply(text: str, reply_to: str, language: str | None = None) -> dict[str, Any]:
    post: dict[str, Any] = {"text": text, "kind": "reply", "in_reply_to": {"text": reply_to}}
    if language:
        post["language"] = language
    return post


def _examples(
    bad: Sequence[Mapping[str, Any]], good: Sequence[Mapping[str, Any]]
) -> tuple[Example, ...]:
    return tuple(Example(p, bad=True) for p in bad) + tuple(Example(p, bad=False) for p in good)


def make_rules(options: ToneOptions) -> list[Rule]:
    """The tone code rules for these options."""
    common: dict[str, Any] = {
        "engine": ENGINE,
        "category": "tone",
        "kinds": options.kinds,
        "source": __name__,
        "options": options,
    }
    complaint = "Kok pesanan saya belum sampai?! Parah"
    return [
        ShoutingRule(
            id="SMG-TONE-001",
            name="shouting",
            severity=Severity.MEDIUM,
            message={
                "en": "The reply is written in capital letters, which reads as shouting.",
                "id": "Balasan ditulis dengan huruf kapital, terbaca seperti membentak.",
            },
            why={
                "en": "Capitals aimed at one follower read as shouting at them, in public, under "
                "the organisation's name. Acronyms (BPJS, KTP, OTP), links, @mentions and "
                "#hashtags do not count.",
                "id": "Huruf kapital yang ditujukan kepada seorang pengikut terbaca seperti "
                "membentaknya di depan umum atas nama lembaga. Singkatan (BPJS, KTP, OTP), "
                "tautan, @mention, dan #tagar tidak dihitung.",
            },
            suggestion={
                "en": "Write in sentence case; keep capitals for acronyms such as BPJS or KTP.",
                "id": "Tulis dengan huruf biasa; huruf kapital hanya untuk singkatan seperti "
                "BPJS atau KTP.",
            },
            false_positives=(
                "Names of institutions written in capitals (BANK RAKYAT INDONESIA): add their "
                "words to [plugins.tone] acronyms.",
            ),
            examples=_examples(
                [
                    _reply("SUDAH KAMI JAWAB DI DM, SILAKAN CEK DULU", "Min, kok belum dibalas?"),
                    _reply("PLEASE READ OUR PINNED POST BEFORE ASKING", "How do I reset my PIN?"),
                ],
                [
                    _reply(
                        "Halo Kak, silakan kirim foto KTP dan NIK lewat DM ya. Terima kasih!",
                        "Cara daftar BPJS gimana?",
                    ),
                    _reply(
                        "Hi! Your OTP is sent by SMS; please check your inbox. Thanks!",
                        "No OTP received",
                    ),
                ],
            ),
            **common,
        ),
        PunctuationRule(
            id="SMG-TONE-002",
            name="punctuation-run",
            severity=Severity.LOW,
            message={
                "en": "The reply uses runs of “!” or “?”, which read as shouting or exasperation.",
                "id": "Balasan memakai “!” atau “?” berderet, terbaca seperti berteriak atau "
                "kesal.",
            },
            why={
                "en": "“!!!” sounds loud and “???” or “?!” sounds exasperated with the follower. "
                "“!!!” is low severity, raised to medium when the follower is complaining; "
                "“???” and “?!” are medium.",
                "id": "“!!!” terdengar keras, sedangkan “???” atau “?!” terdengar kesal kepada "
                "pengikut. “!!!” bertingkat rendah, naik ke sedang bila pengikut sedang "
                "mengeluh; “???” dan “?!” bertingkat sedang.",
            },
            suggestion={
                "en": "Use a single “!” or “?”, or a full stop.",
                "id": "Cukup satu “!” atau “?”, atau titik.",
            },
            examples=_examples(
                [
                    _reply("Sudah dijawab di atas Kak???", "Kapan promonya mulai?"),
                    _reply("We told you already!!!", "Any update on my order?"),
                ],
                [
                    _reply("Terima kasih, Kak! Promonya mulai besok.", "Kapan promonya mulai?"),
                    _reply("Is the app updated? Try again, please.", "App crashes"),
                ],
            ),
            **common,
        ),
        NoCourtesyRule(
            id="SMG-TONE-003",
            name="no-courtesy-to-complaint",
            severity=Severity.MEDIUM,
            message={
                "en": "A reply to a complaint has no greeting, apology or thanks.",
                "id": "Balasan atas keluhan tanpa sapaan, permintaan maaf, atau ucapan terima "
                "kasih.",
            },
            why={
                "en": "A bare answer to an upset follower reads as cold and dismissive, and "
                "complaints are where the public watches how the organisation treats people. "
                "Address them (Kak, Bapak/Ibu), apologise where due, thank them for reporting.",
                "id": "Jawaban singkat kepada pengikut yang kesal terkesan dingin dan "
                "meremehkan, dan di keluhanlah publik melihat cara lembaga memperlakukan orang. "
                "Sapa (Kak, Bapak/Ibu), minta maaf bila perlu, terima kasih atas laporannya.",
            },
            suggestion={
                "en": "Open with an apology and an address, e.g. “Mohon maaf atas "
                "ketidaknyamanannya, Kak.” or “Sorry for the trouble!”",
                "id": "Awali dengan permintaan maaf dan sapaan, misalnya “Mohon maaf atas "
                "ketidaknyamanannya, Kak.” atau “Sorry for the trouble!”",
            },
            examples=_examples(
                [
                    _reply("Sudah dikirim.", complaint, "id"),
                    _reply("It shipped yesterday.", "Still waiting for my order, terrible!", "en"),
                ],
                [
                    _reply(
                        "Mohon maaf atas ketidaknyamanannya, Kak. Boleh DM nomor pesanannya?",
                        complaint,
                        "id",
                    ),
                    _reply("Sudah dikirim.", "Pesanan saya sudah dikirim belum?", "id"),
                    _reply(
                        "Sorry for the wait! It shipped yesterday.",
                        "Still waiting for my order, terrible!",
                        "en",
                    ),
                ],
            ),
            **common,
        ),
    ]


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    try:
        options = ToneOptions.from_mapping(config.plugin("tone"))
    except ConfigError as exc:
        raise ConfigError(f"{config.source}: {exc}") from None
    for rule in make_rules(options):
        register(rule)
