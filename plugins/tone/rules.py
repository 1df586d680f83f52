"""The three tone code rules: shouting (SMG-TONE-001), punctuation runs (SMG-TONE-002) and no
courtesy to a complaint (SMG-TONE-003), with their texts and examples."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smguard.guard.rule import CheckContext, Example, Rule
from smguard.types import Finding, Post, Severity

from .complaints import (
    CAPITALS,
    CAPITALS_SHOWN,
    COMPLAINT_CACHE,
    complaint_markers,
    phrase_sets,
)
from .courtesy import courtesy_points
from .settings import ToneOptions
from .shouting import (
    ASCII_PAIRS,
    PUNCT_RUN_RE,
    QUESTION,
    analyse_caps,
    calm_version,
    clip,
    punct_weight,
)
from .words import STRONG

__all__ = ["ENGINE", "NoCourtesyRule", "PunctuationRule", "ShoutingRule", "make_rules"]

ENGINE = "tone"
#: Where the rules say they come from: the plugin (``smguard rules show``, the catalogue).
_SOURCE = __name__.rpartition(".")[0]


@dataclass(eq=False)
class _ToneRule(Rule):
    options: ToneOptions = field(default_factory=ToneOptions)

    def _complaint(self, ctx: CheckContext) -> list[str]:
        """The complaint markers of the follower's message (memoised per post)."""
        cached: list[str] | None = ctx.cache.get(COMPLAINT_CACHE)
        if cached is not None:
            return cached
        markers: list[str] = []
        reply_to = ctx.post.in_reply_to
        if reply_to is not None and reply_to.text.strip():
            norm = ctx.reply_norm
            if norm is not None:
                phrases = phrase_sets(self.options, ctx.slang)[0]
                markers = complaint_markers(norm, phrases, self.options)
        ctx.cache[COMPLAINT_CACHE] = markers
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
        if text.isascii() and not any(pair in text for pair in ASCII_PAIRS):
            return ()
        findings: list[Finding] = []
        for m in PUNCT_RUN_RE.finditer(text):
            run = m.group()
            if punct_weight(run) < self.options.punctuation_run:
                continue
            asks = not QUESTION.isdisjoint(run)
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
        courtesy = phrase_sets(self.options, ctx.slang)[1]
        if courtesy_points(ctx.norm, courtesy, self.options.sign_off_marks) >= STRONG:
            return ()
        markers = self._complaint(ctx)
        if not markers:
            return ()
        stripped = post.text.strip()
        start = len(post.text) - len(post.text.lstrip())
        shown = {
            lang: ", ".join(
                CAPITALS_SHOWN[lang] if m == CAPITALS else f"“{m}”" for m in markers[:3]
            )
            for lang in ("en", "id")
        }
        langs = [lang for lang in ("id", "en") if lang in ctx.languages] or ["id", "en"]
        body = clip(stripped, 70)
        better = [f"“{_OPENINGS[lang]} {body}”" for lang in langs]
        return [
            self.finding(
                span=(start, start + len(stripped)),
                evidence=clip(stripped, 80),
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
        "source": _SOURCE,
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
                    _reply("@dina_r Read the FAQ.", "Still waiting for my order, terrible!", "en"),
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
                    _reply(
                        "Hey there! We'd love to take a look: which order is it?",
                        "Still waiting for my order, terrible!",
                        "en",
                    ),
                    _reply("@dina_r Nomor resinya kami kirim lewat DM ya. ^AB", complaint, "id"),
                ],
            ),
            **common,
        ),
    ]
