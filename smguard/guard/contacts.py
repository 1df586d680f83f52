"""Phone numbers and contacts in a post: "is there a way to reach someone here?".

* :func:`find_phone_numbers` — phone numbers validated with ``phonenumbers`` (default region
  Indonesia), not prices, dates, times or order numbers.
* :func:`digit_runs` — where long numbers (phone, ID, card, account numbers) can be: one cheap
  scan shared by every rule that looks for them.
* :func:`find_contacts` / :func:`has_contact` — phone numbers plus chat links (``wa.me``,
  ``t.me``, ``api.whatsapp.com/send?phone=…``), found with :mod:`smguard.guard.urls`.
* :func:`normalise_phone` — a number in E.164 form.

Used by the PII and spam rules and by rule packs ("fires only when the post also has a phone
number"). ``phonenumbers`` is imported only when a post has a number worth parsing. Results are
memoised per text (small LRU caches); everything returned is immutable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from smguard.guard.memo import per_post
from smguard.guard.urls import extract_urls

__all__ = [
    "CHAT_HOSTS",
    "Contact",
    "PhoneMatch",
    "digit_runs",
    "find_contacts",
    "find_phone_numbers",
    "has_contact",
    "normalise_phone",
]

_PHONE_RE = re.compile(
    r"""
    (?:
        (?<![\w+/.,:\-=#@])                  # not glued to a word, price, URL or code
      | (?<=[A-Za-z][:.=])(?=\+)             # "HP:+65…", "Tel.+44…": "+" and a country code
    )                                        # are unambiguous after a label
    (?:\(\+?\d{1,4}\)|\+?\d{1,5})             # (021)  (+62)  +62  0812
    (?:[ .\-]?\(?\d{1,6}\)?){1,6}             # more groups, one separator between them
    (?![\w])
    """,
    re.VERBOSE,
)
# Runs of 8+ digits and number punctuation, never starting inside a run (possessive: linear).
_DIGIT_RUN_RE = re.compile(r"\d(?<!\d\d)[\d .()\-]{7,}+")
_GROUP_RE = re.compile(r"\d+")
_DATE_RE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{2,4}(?!\d)")
_CURRENCY_RE = re.compile(r"(?:rp|idr|usd|us\$|sgd|myr|eur|\$|€|£|¥)\s?\.?\s?$", re.I)
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_MIN_DIGITS = 9
_MAX_DIGITS = 15

PhoneKind = Literal["mobile", "fixed", "toll_free", "other"]
# phonenumbers.PhoneNumberType values (the library is imported only when a post has a number
# worth parsing: importing it costs tens of milliseconds of start-up).
_TYPE_KIND: dict[int, PhoneKind] = {0: "fixed", 1: "mobile", 2: "mobile", 3: "toll_free"}


@dataclass(frozen=True, slots=True)
class PhoneMatch:
    """A phone number in a text.

    :ivar start: offset of the first character.
    :ivar end: offset just past the last digit.
    :ivar raw: the number as written.
    :ivar e164: the number in E.164 form, ``+6281234567890``.
    :ivar kind: ``"mobile"``, ``"fixed"`` (landline), ``"toll_free"`` or ``"other"``.
    """

    start: int
    end: int
    raw: str
    e164: str
    kind: PhoneKind


def find_phone_numbers(text: str, regions: tuple[str, ...] = ("ID",)) -> list[PhoneMatch]:
    """Valid phone numbers in ``text``.

    A number written without ``+`` is read in the first of ``regions`` (default Indonesia:
    ``0812-3456-7890``, ``(021) 5790-1234``, ``62812…``); numbers written with ``+`` may be from
    anywhere. Prices (``Rp 150.000.000``), dates (``17-08-2026``), times, years and order numbers
    are not phone numbers. Results are memoised per text.
    """
    return list(_phones(text, regions))


def digit_runs(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of runs of digits and number punctuation (space, ``.``, ``-``, parentheses) that
    hold at least eight digits: where phone numbers, ID numbers, card and account numbers can
    be. Cheap, and memoised per text, so every rule looking for long numbers shares one scan."""
    return _digit_runs(text)


@per_post
def _digit_runs(text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for m in _DIGIT_RUN_RE.finditer(text):
        run = m.group()
        seps = run.count(" ") + run.count(".") + run.count("-") + run.count("(") + run.count(")")
        if len(run) - seps >= 8:
            out.append(m.span())
    return tuple(out)


@per_post
def _phones(text: str, regions: tuple[str, ...]) -> tuple[PhoneMatch, ...]:
    out: list[PhoneMatch] = []
    done = 0
    national_id = regions == ("ID",)
    for start, end in _digit_runs(text):
        if national_id and text[start] not in "06" and text[start - 1 : start] not in "+(":
            continue  # in Indonesia a number starts with 0, 62, + or "(": not a price or date
        # Step back over "+", "(" or "(+" so the exact pattern sees the whole number; the
        # pattern reads the run (and two characters before, for its look-behinds) as if the
        # text ended with it, as ``finditer(text, pos, end)`` would.
        pos = max(done, start - 2)
        lo = max(0, pos - 2)
        for m in _PHONE_RE.finditer(_without_dead_digits(text[lo:end]), pos - lo):
            found = _phone_at(text, lo + m.start(), m.group(), regions)
            if found is not None:
                out.append(found)
        done = end
    return tuple(out)


#: The most digits one match of :data:`_PHONE_RE` holds: 5, then 6 groups of 6.
_MOST_DIGITS = 41
_DIGITS_RE = re.compile(r"\d+")
#: A word character that is not a digit: a letter or ``_``.
_GLUE_RE = re.compile(r"[^\W\d]")


def _without_dead_digits(piece: str) -> str:
    """``piece`` with every run of digits that no match of :data:`_PHONE_RE` can hold written
    as ``_`` (the same length; a word character like a digit, but no letter).

    A match ends before a character that is not a word character, so it holds a run of
    digits whole or not at all: never one of more than 41 digits, nor one glued to a letter
    or ``_`` (at the end of ``piece`` the pattern sees the end of the text, so nothing is
    glued there). On such a run the pattern tried every way of cutting it into groups before
    giving up: 8 s for a post of 200 runs of fifty digits. As ``_`` it stops at once, and
    every match and look-around stays as it was (``_`` is no letter for the ``HP:+65`` one).
    """
    dead = [
        m.span()
        for m in _DIGITS_RE.finditer(piece)
        if m.end() - m.start() > _MOST_DIGITS
        or _GLUE_RE.match(piece, m.end())
        or (m.start() and _GLUE_RE.match(piece, m.start() - 1))
    ]
    if not dead:
        return piece
    out: list[str] = []
    done = 0
    for start, end in dead:
        out += (piece[done:start], "_" * (end - start))
        done = end
    out.append(piece[done:])
    return "".join(out)


def _phone_at(text: str, start: int, cand: str, regions: tuple[str, ...]) -> PhoneMatch | None:
    international = cand.startswith(("+", "(+"))
    lead = cand.lstrip("(")
    if not international:
        if _CURRENCY_RE.search(text, max(0, start - 5), start):
            return None
        if _DATE_RE.match(cand):
            return None
        # A number written nationally starts with 0 (or 62, Indonesia's country code) in ID;
        # "17082026" or "150.000.000" do not. Other configured regions may differ.
        if regions[:1] == ("ID",) and len(regions) == 1 and not lead.startswith(("0", "62")):
            return None
        if _THOUSANDS_RE.match(cand) and not lead.startswith("0"):
            return None
    # Try the whole candidate, then without trailing groups ("0812-3456-7890 2024").
    groups = list(_GROUP_RE.finditer(cand))
    # Indonesian numbers have at least nine digits; elsewhere eight (Singapore: 6123 4567).
    least = _MIN_DIGITS if regions == ("ID",) else _MIN_DIGITS - 1
    for keep in range(len(groups), 0, -1):
        end_in = groups[keep - 1].end()
        piece = cand[:end_in]
        digits = sum(len(g.group()) for g in groups[:keep])
        if digits < least:
            return None
        if digits > _MAX_DIGITS:
            continue
        parsed = _parse_phone(piece, regions)
        if parsed is not None:
            e164, kind = parsed
            return PhoneMatch(start, start + end_in, piece, e164, kind)
    return None


@lru_cache(maxsize=2048)
def _parse_phone(piece: str, regions: tuple[str, ...]) -> tuple[str, PhoneKind] | None:
    import phonenumbers

    for region in regions if not piece.startswith(("+", "(+")) else regions[:1]:
        try:
            number = phonenumbers.parse(piece, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
            kind: PhoneKind = _TYPE_KIND.get(int(phonenumbers.number_type(number)), "other")
            return e164, kind
    return None


def normalise_phone(number: str, region: str = "ID") -> str | None:
    """``"0812-3456-7890"`` → ``"+6281234567890"``; ``None`` when it is not a valid number."""
    parsed = _parse_phone(number.strip(), (region,))
    return None if parsed is None else parsed[0]


ContactKind = Literal["phone", "whatsapp", "telegram", "line", "messenger"]
_CHAT_KIND: dict[str, ContactKind] = {
    "wa.me": "whatsapp", "api.whatsapp.com": "whatsapp", "web.whatsapp.com": "whatsapp",
    "chat.whatsapp.com": "whatsapp", "whatsapp.com": "whatsapp", "wa.link": "whatsapp",
    "t.me": "telegram", "telegram.me": "telegram", "telegram.dog": "telegram",
    "line.me": "line", "m.me": "messenger",
}  # fmt: skip

#: Hosts of chat links that open a conversation with a number or account.
CHAT_HOSTS: frozenset[str] = frozenset(_CHAT_KIND)


@dataclass(frozen=True, slots=True)
class Contact:
    """A way to reach someone: a phone number or a chat link.

    :ivar start: offset of the first character.
    :ivar end: offset just past the last character.
    :ivar kind: ``"phone"``, ``"whatsapp"``, ``"telegram"``, ``"line"`` or ``"messenger"``.
    :ivar value: the number in E.164 form for phones, the link as written for chat links.
    """

    start: int
    end: int
    kind: ContactKind
    value: str


def find_contacts(text: str, regions: tuple[str, ...] = ("ID",)) -> list[Contact]:
    """Phone numbers and chat links (``wa.me/62812…``, ``t.me/…``) in ``text``, in order."""
    out = [
        Contact(u.start, u.end, _CHAT_KIND[_chat_host(u.host)], u.url)
        for u in extract_urls(text)
        if _chat_host(u.host) in _CHAT_KIND
    ]
    out.extend(Contact(p.start, p.end, "phone", p.e164) for p in _phones(text, regions))
    out.sort(key=lambda c: c.start)
    return out


def has_contact(text: str, regions: tuple[str, ...] = ("ID",)) -> bool:
    """Whether ``text`` gives a phone number or a chat link (cheap when it has neither)."""
    if any(_chat_host(u.host) in _CHAT_KIND for u in extract_urls(text)):
        return True
    return bool(_phones(text, regions))


def _chat_host(host: str) -> str:
    return host[4:] if host.startswith("www.") else host
