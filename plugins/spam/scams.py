"""SMG-SPAM-056: a scam by its structure — a lure, a way to reach the scammer, and a push.

:mod:`.scam_signals` finds the parts; this module decides. The rule fires when the post has

* a **lure** (a prize or win, something free, a loan, a code or blocked account, a relative
  asking for credit, a premium-rate service, "customer service"), a **way to reach** the sender
  (a number or short code, a keyword to text back, a chat or web link that is not the
  organisation's) and a **push** (a call to action, money, urgency) — when the only way to reach
  is a web link, two pushes and a lure stronger than "free", since honest promotions link to
  their shop with free shipping, prices and "today only";
* or a call to act now on a short code or a number that is not an ordinary phone number
  ("call 0871… now", "txt 80086 today");
* or a relative asking for credit or money ("ini mama, ganti nomor … beliin pulsa 100rb");
* or a request for a code or password ("reply with the OTP", "kirimkan kode verifikasi");
* or premium-rate small print ("150p/msg", "std txt rate") next to a prize, a free offer or a
  service and a call to action;

and never when the post warns about scams or reports one ("waspada", "beware", "we will never
ask for your OTP"). It is ``high`` when the post gives a number, short code, keyword or chat link
and has two pushes, ``medium`` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from smguard.guard.contacts import find_contacts
from smguard.guard.rule import CheckContext, Rule
from smguard.guard.urls import extract_urls, host_in
from smguard.types import Finding, Post, Severity

from .scam_signals import LURES, ScamSignals, may_be_scam, scam_signals

__all__ = ["PUSHES", "REACH", "ScamRule", "is_scam", "scam_severity"]

REACH = frozenset({"number", "keyword", "contact", "link"})
PUSHES = frozenset({"action", "money", "urgency"})
_DIRECT = frozenset({"number", "keyword", "contact"})

_SHOWN = {
    "prize": ("a prize or win", "hadiah atau kemenangan"),
    "free": ("something free", "sesuatu yang gratis"),
    "loan": ("a loan", "pinjaman"),
    "credential": ("a code, PIN or blocked account", "kode, PIN, atau akun diblokir"),
    "family": ("a relative asking for credit", "kerabat yang meminta pulsa"),
    "premium": ("premium-rate charges", "tarif premium"),
    "service": ("a premium-rate service", "layanan berbayar premium"),
    "support": ("“customer service”", "“customer service”"),
    "asks_code": ("asks for a code or password", "meminta kode atau kata sandi"),
    "action": ("a call to act", "ajakan bertindak"),
    "money": ("money", "uang"),
    "urgency": ("urgency", "desakan waktu"),
    "number": ("a number", "nomor"),
    "shortcode": ("a short code", "kode pendek"),
    "keyword": ("a keyword to text back", "kata kunci untuk dibalas"),
    "contact": ("a phone or chat contact", "kontak telepon atau chat"),
    "link": ("a link", "tautan"),
}


def is_scam(signals: ScamSignals) -> bool:
    """Whether these parts together make a scam (see the module docstring)."""
    if signals.warning:
        return False
    parts = signals.parts
    lures, reach, pushes = parts & LURES, parts & REACH, parts & PUSHES
    # Brands give their customer-service number all the time; a fake one asks for a code or money.
    if "support" in parts and parts & {"credential", "money"}:
        lures |= {"support"}
    if lures and reach & _DIRECT and pushes:
        return True
    # Honest promotions link to their shop with "free", prices and "today only": through a web
    # link alone, only a stronger lure counts.
    if lures - {"free"} and "link" in reach and len(pushes) >= 2:
        return True
    # "Call 0871… now": a short code, or a number that is not an ordinary phone number
    # (premium-rate and service numbers), to act on at once.
    if {"action", "urgency"} <= parts and (
        "shortcode" in parts or ("number" in parts and "contact" not in parts)
    ):
        return True
    if "family" in parts and "money" in parts and pushes - {"money"}:
        return True
    if "asks_code" in parts:  # nobody honest asks followers for their OTP, PIN or password
        return True
    return "premium" in parts and bool(lures - {"premium"}) and "action" in parts


def scam_severity(signals: ScamSignals) -> Severity:
    direct = bool(signals.parts & _DIRECT)
    return Severity.HIGH if direct and len(signals.parts & PUSHES) >= 2 else Severity.MEDIUM


@dataclass(eq=False)
class ScamRule(Rule):
    """SMG-SPAM-056; the organisation's own numbers, short codes and domains do not count."""

    own_numbers: frozenset[str] = frozenset()
    own_domains: frozenset[str] = frozenset()

    def signals(self, post: Post, ctx: CheckContext) -> ScamSignals | None:
        """The scam parts of the post, or ``None`` when it cannot be a scam (most posts)."""
        text = post.text
        words = ctx.norm.words
        if not may_be_scam(frozenset(words), text):
            return None
        own_domains = self.own_domains | frozenset(ctx.account.own_domains or ())

        def link() -> bool:
            return any(not host_in(u.host, own_domains) for u in extract_urls(text))

        def contact() -> bool:
            return any(
                c.value.lstrip("+") not in self.own_numbers
                and _national(c.value) not in self.own_numbers
                for c in find_contacts(text)
            )

        return scam_signals(text, words, link=link, contact=contact, own_numbers=self.own_numbers)

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        signals = self.signals(post, ctx)
        if signals is None or not is_scam(signals):
            return ()
        shown = [_SHOWN[p] for p in sorted(signals.parts) if p in _SHOWN]
        stripped = post.text.strip()
        start = len(post.text) - len(post.text.lstrip())
        return [
            self.finding(
                span=(start, start + len(stripped)),
                evidence=", ".join(en for en, _ in shown),
                severity=scam_severity(signals),
                message={
                    "en": "Built like a scam: " + ", ".join(en for en, _ in shown) + ".",
                    "id": "Susunannya seperti penipuan: " + ", ".join(i for _, i in shown) + ".",
                },
            )
        ]


def _national(e164: str) -> str:
    """``+6281234567890`` → ``081234567890`` (how an Indonesian number is usually listed)."""
    return "0" + e164[3:] if e164.startswith("+62") else e164.lstrip("+")
