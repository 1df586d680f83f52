"""Find links, domains and contact numbers in a post — small, fast and dependency-light.

The link rules, the PII rules and the rule-pack engine ("fires only when the post also has a
link or a phone number") all ask the same questions of a post's text, so they share this module:

* :func:`extract_urls` — every URL and bare domain (``https://…``, ``bit.ly/abc``,
  ``promo-bca.com``, ``kemkes.go.id/berita``, ``103.12.4.5/login``) with its span in the
  original text. E-mail addresses, ``e.g.``, ``Rp.10.000``, ``jam 10.30``, ``file.pdf``,
  ``M.Sc`` are not links. Defanged links (``hxxp://``, ``bit[.]ly``) are found and marked.
* :func:`find_phone_numbers` — phone numbers validated with ``phonenumbers`` (default region
  Indonesia), not prices, dates, times or order numbers.
* :func:`find_contacts` / :func:`has_contact` — phone numbers plus chat links (``wa.me``,
  ``t.me``, ``api.whatsapp.com/send?phone=…``): "is there a way to contact someone here?".
* :func:`registrable_domain` / :func:`host_in` — a compact public-suffix approach
  (``co.id``, ``go.id``, ``co.uk`` …), good enough to tell ``kemkes.go.id`` from ``kemkes-go.id``
  without downloading the Public Suffix List.

Results are memoised per text (a small LRU cache), so several rules asking about the same post
pay once. Everything returned is immutable.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = [
    "CHAT_HOSTS",
    "TLDS",
    "Contact",
    "PhoneMatch",
    "UrlMatch",
    "digit_runs",
    "extract_urls",
    "find_contacts",
    "find_phone_numbers",
    "has_contact",
    "has_link",
    "host_in",
    "normalise_phone",
    "public_suffix",
    "registrable_domain",
]

# --------------------------------------------------------------------------------------------
# Top-level domains a *bare* domain (no scheme) may end with. With a scheme any host is a link.

_CCTLDS = """
ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq br bs
bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg
er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr
ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk
lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf
ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc
sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv
tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
"""

_GTLDS = """
com net org info biz edu gov mil int name pro mobi asia tel travel jobs cat coop aero museum
xyz top online site store shop club app dev page live link click vip win bet casino poker games
game fun icu cyou buzz lol monster sbs cfd rest bond quest today world news blog cloud tech space
website digital email life love social media agency studio design photo photos art wiki one zone
network solutions services support center company group global academy school university college
education care health clinic host press ink work works tools systems guru ninja rocks pub bar
cafe team run tips plus pink red blue black gold money finance financial capital credit loan
loans cash bid trade market markets exchange racing party review stream download date faith
science men accountant cricket xxx porn sex adult sexy promo deals sale discount gift gifts
lotto lottery bingo gratis video film movie tube show chat community forum events report ltd
inc llc fyi wtf how uno lat ngo ong charity foundation church legal law tax taxi ventures
holdings investments fund institute city country africa london tokyo berlin nyc io ai mov zip
"""

#: Every TLD a bare domain may end with (all ccTLDs and common generic ones).
TLDS: frozenset[str] = frozenset((_CCTLDS + _GTLDS).split())

# TLDs that are also common file extensions or abbreviations: a bare ``setup.py``,
# ``readme.md`` or ``logo.ai`` is a file, not a link. With a scheme, ``www.``, a path, a port or
# three labels (``docs.python.py``) they are still links.
_AMBIGUOUS_TLDS = frozenset({"py", "sh", "md", "ps", "pl", "rs", "pt", "ai", "ms", "mk", "ml",
                             "mm", "so", "mov", "zip", "tf"})  # fmt: skip

# Multi-label public suffixes (registrable domain = one label more). Indonesian second levels
# first; then the common ones elsewhere and a few hosting platforms where each subdomain belongs
# to a different person (so ``bca-login.github.io`` is not ``github.io``).
_SUFFIXES = frozenset(
    """
    co.id go.id ac.id or.id web.id my.id sch.id mil.id desa.id biz.id net.id ponpes.id
    co.uk org.uk ac.uk gov.uk ltd.uk plc.uk me.uk net.uk nhs.uk
    com.au net.au org.au edu.au gov.au id.au asn.au
    co.jp ne.jp or.jp ac.jp go.jp co.kr or.kr go.kr ac.kr
    com.sg edu.sg gov.sg org.sg net.sg com.my gov.my edu.my org.my net.my
    co.th go.th ac.th in.th or.th com.ph gov.ph edu.ph org.ph com.vn gov.vn edu.vn
    co.nz govt.nz org.nz ac.nz co.in gov.in ac.in org.in net.in
    com.br gov.br com.cn gov.cn edu.cn org.cn com.hk gov.hk edu.hk com.tw gov.tw edu.tw
    co.za gov.za ac.za com.tr gov.tr com.mx gob.mx com.ar gob.ar co.il gov.il ac.il
    com.sa gov.sa com.eg gov.eg com.pk gov.pk com.bd gov.bd com.ng gov.ng co.ke
    com.tl gov.tl com.bn gov.bn
    github.io gitlab.io blogspot.com wordpress.com herokuapp.com netlify.app vercel.app
    pages.dev workers.dev web.app firebaseapp.com appspot.com azurewebsites.net
    000webhostapp.com wixsite.com weebly.com glitch.me repl.co ngrok.io ngrok-free.app
    duckdns.org no-ip.org sites.google.com s3.amazonaws.com r2.dev
    """.split()
)

#: Hosts of chat links that open a conversation with a number or account.
CHAT_HOSTS: frozenset[str] = frozenset({
    "wa.me", "api.whatsapp.com", "web.whatsapp.com", "chat.whatsapp.com", "whatsapp.com",
    "wa.link", "t.me", "telegram.me", "telegram.dog", "line.me", "m.me",
})  # fmt: skip

# --------------------------------------------------------------------------------------------
# The candidate regex. Python's ``re`` is fine here: the pattern is ours, fixed and linear
# enough (labels are bounded); user-supplied patterns elsewhere go through re2.

_DOT = r"(?:\.|\[\.\]|\(\.\)|\[[dD][oO][tT]\]|\([dD][oO][tT]\)|\{\.\}|[\u3002\uff0e\uff61])"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_URL_RE = re.compile(
    rf"""
    (?:(?<=\.\.)|(?<![\w@.\-]))                    # not inside a word, e-mail or domain
    (?P<scheme>(?i:https?|hxxps?|ftps?)(?::|\[:\])//)?
    (?:(?<=//)[^\s/@<>"]{{1,64}}@)?                 # user:pass@ (only after a scheme)
    (?P<host>
        \[[0-9a-fA-F:.]{{2,45}}\]                   # IPv6 literal
      | (?:\d{{1,3}}\.){{3}}\d{{1,3}}(?![\w-]|\.\w)  # IPv4 literal
      | (?:{_LABEL}{_DOT})+(?:[^\W\d_]{{2,63}}|[xX][nN]--[a-zA-Z0-9-]{{1,59}})(?![\w-])
      | (?(scheme){_LABEL}|(?!))                    # single label (only after a scheme)
    )
    (?P<port>:\d{{1,5}}(?!\w))?
    (?:
        (?P<path>[/?\#][^\s<>"\u201c\u201d\u2018\u2019\u00ab\u00bb\u2600-\u27bf\U0001f000-\U0001faff]*)
      | (?!@)
    )
    """,
    re.VERBOSE,
)
# Where a link may be: ".x", "://", "[.]", "(dot)", "3.4/" (a bare IP with a path). It starts
# with a plain character set, so Python's engine skips to candidates quickly (a leading
# look-behind, an alternation or IGNORECASE make it pay per position).
_ANCHOR_RE = re.compile(
    r"[.\[({\u3002\uff0e\uff61:](?:(?<=[.\u3002\uff0e\uff61])(?:[^\W\d_]|\d{1,3}[/:])"
    r"|(?<=:)//|(?<=[\[({])(?:\.[\])}]|[dD][oO][tT][\])]))"
)
_DEFANGED_DOT = re.compile(r"\[\.\]|\(\.\)|\[dot\]|\(dot\)|\{\.\}|[\u3002\uff0e\uff61]", re.I)
_TRAILING = ".,;:!?'\"*…)]}>"
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}


@dataclass(frozen=True, slots=True)
class UrlMatch:
    """One link in a text.

    :ivar start: offset of the first character in the original text.
    :ivar end: offset just past the last character (trailing punctuation excluded).
    :ivar url: the link exactly as written (``text[start:end]``).
    :ivar host: the host name, lower-case, NFKC-normalised, defanged dots restored,
        punycode (``xn--``) labels decoded to Unicode; IPv6 literals keep their brackets.
    :ivar scheme: ``"http"``, ``"https"``, ``"ftp"`` … (``hxxp`` reads as ``http``), or
        ``None`` for a bare domain such as ``bit.ly/abc``.
    :ivar is_ip: the host is an IPv4 or IPv6 address.
    :ivar path: everything after the host and port (``/login?next=1``), possibly empty.
    :ivar defanged: written so that it is not clickable (``hxxp://``, ``bit[.]ly``).
    :ivar punycode: the host was written in punycode (an ``xn--`` label).
    """

    start: int
    end: int
    url: str
    host: str
    scheme: str | None
    is_ip: bool = False
    path: str = ""
    defanged: bool = False
    punycode: bool = False


def extract_urls(text: str) -> list[UrlMatch]:
    """Every URL and bare domain in ``text``, in order, with spans into ``text``.

    A bare domain (no scheme) needs a known top-level domain (:data:`TLDS`); with a scheme any
    host counts (``http://localhost:8000``). E-mail addresses are not links. Trailing
    punctuation (``.``, ``,``, an unbalanced ``)``) is not part of a link. Results are memoised,
    so calling this from several rules for the same post is cheap.
    """
    return list(_extract(text))


def has_link(text: str) -> bool:
    """Whether ``text`` contains at least one link (defanged links included)."""
    return bool(_extract(text))


@lru_cache(maxsize=1024)
def _extract(text: str) -> tuple[UrlMatch, ...]:
    # Python's regex engine pays per position for a pattern that starts with a look-behind, so
    # find cheap anchors first (a dot followed by a letter, "://", "[.]" …) and run the full
    # pattern only on the whitespace-delimited tokens that hold one. A link never spans spaces.
    out: list[UrlMatch] = []
    done = 0
    for anchor in _ANCHOR_RE.finditer(text):
        pos = anchor.start()
        if pos < done:
            continue
        start = max(text.rfind(" ", 0, pos), text.rfind("\n", 0, pos), done - 1) + 1
        end = len(text)
        for ws in (" ", "\n"):
            found = text.find(ws, pos)
            if found != -1 and found < end:
                end = found
        for m in _URL_RE.finditer(text, start, end):
            url = _accept(text, m)
            if url is not None:
                out.append(url)
        done = end
    return tuple(out)


def _accept(text: str, m: re.Match[str]) -> UrlMatch | None:
    scheme_raw, raw_host, port, path = m.group("scheme", "host", "port", "path")
    start, end = m.span()
    if path:
        trimmed = _trim(path)
        end -= len(path) - len(trimmed)
        path = trimmed
    else:
        path = ""
    defanged = False
    scheme: str | None = None
    if scheme_raw:
        s = scheme_raw.lower()
        defanged = s[1] == "x" or "[" in s
        scheme = s[: s.index(":") if "[" not in s else s.index("[")].replace("hxxp", "http")
    is_ip = False
    first = raw_host[0]
    if first == "[":
        if scheme is None:
            return None
        host = raw_host.lower()
        is_ip = True
    elif first.isdigit() and raw_host.count(".") == 3 and raw_host.replace(".", "").isdigit():
        if any(int(part) > 255 for part in raw_host.split(".")):
            return None
        if scheme is None and not (path.startswith("/") or port):
            return None  # "versi 1.2.3.4" is a version, "1.2.3.4/login" is a link
        host = raw_host
        is_ip = True
    else:
        if not raw_host.isascii() or "[" in raw_host or "(" in raw_host or "{" in raw_host:
            fixed = _DEFANGED_DOT.sub(".", raw_host)
            defanged = defanged or (fixed != raw_host and not _only_wide_dots(raw_host))
            raw_host = fixed
        if "." not in raw_host:
            if scheme is None:
                return None
            host = raw_host.lower()
        else:
            if scheme is None and not _bare_domain_ok(raw_host, path, port):
                return None
            host = _normalise_host(raw_host)
    return UrlMatch(
        start=start,
        end=end,
        url=text[start:end],
        host=host,
        scheme=scheme,
        is_ip=is_ip,
        path=path,
        defanged=defanged,
        punycode="xn--" in raw_host or "XN--" in raw_host.upper(),
    )


def _only_wide_dots(raw_host: str) -> bool:
    # Ideographic / full-width dots are real dots to a browser, not defanging.
    return "[" not in raw_host and "(" not in raw_host and "{" not in raw_host


def _bare_domain_ok(raw_host: str, path: str, port: str | None) -> bool:
    labels = raw_host.split(".")
    tld_raw = labels[-1]
    tld = tld_raw.lower()
    www = labels[0].lower() == "www"
    if not (www or tld in TLDS or tld.startswith("xn--")):
        return False
    if www or path or port:
        return True
    if tld in _AMBIGUOUS_TLDS and len(labels) < 3:
        return False  # setup.py, readme.md
    # "M.Sc", "S.Ag", "done.It", "PT.Bank": a Title-case TLD on two labels is prose.
    return not (len(labels) == 2 and tld_raw[0].isupper() and tld_raw[1:].islower())


def _trim(path: str) -> str:
    while path and path[-1] in _TRAILING:
        last = path[-1]
        opener = _CLOSERS.get(last)
        if opener is not None and path.count(opener) >= path.count(last):
            break  # balanced: "wiki/Foo_(bar)"
        path = path[:-1]
    return path


@lru_cache(maxsize=4096)
def _normalise_host(raw: str) -> str:
    host = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    host = host.lower().strip(".")
    if "xn--" in host:
        labels = []
        for label in host.split("."):
            if label.startswith("xn--"):
                with contextlib.suppress(UnicodeError, ValueError):
                    label = label[4:].encode("ascii").decode("punycode")
            labels.append(label)
        host = ".".join(labels)
    return host


# --------------------------------------------------------------------------------------------
# Domains


def public_suffix(host: str) -> str:
    """The public suffix of ``host``: ``"go.id"`` for ``www.kemkes.go.id``, ``"com"`` for
    ``bit.ly``'s cousins. Known multi-label suffixes come from a compact built-in table."""
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 4 and ".".join(labels[-3:]) in _SUFFIXES:
        return ".".join(labels[-3:])
    if len(labels) >= 3 and ".".join(labels[-2:]) in _SUFFIXES:
        return ".".join(labels[-2:])
    return labels[-1]


def registrable_domain(host: str) -> str:
    """The part of ``host`` someone registered: ``kemkes.go.id`` for ``www.kemkes.go.id``,
    ``verify-login.com`` for ``kemkes.go.id.verify-login.com``. IP literals come back as-is."""
    host = host.lower().strip(".")
    if host.startswith("[") or host.replace(".", "").isdigit():
        return host
    suffix = public_suffix(host)
    rest = host[: -len(suffix)].rstrip(".")
    if not rest:
        return host
    return rest.rsplit(".", 1)[-1] + "." + suffix


def host_in(host: str, domains: frozenset[str] | tuple[str, ...] | set[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one (``www.bca.co.id`` is in
    ``{"bca.co.id"}``; ``bca.co.id.evil.com`` is not)."""
    if host in domains:
        return True
    dot = host.find(".")
    while dot != -1:
        if host[dot + 1 :] in domains:
            return True
        dot = host.find(".", dot + 1)
    return False


# --------------------------------------------------------------------------------------------
# Phone numbers and contacts

_PHONE_RE = re.compile(
    r"""
    (?<![\w+/.,:\-=#@])                      # not glued to a word, price, URL or code
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


@lru_cache(maxsize=1024)
def _digit_runs(text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for m in _DIGIT_RUN_RE.finditer(text):
        run = m.group()
        seps = run.count(" ") + run.count(".") + run.count("-") + run.count("(") + run.count(")")
        if len(run) - seps >= 8:
            out.append(m.span())
    return tuple(out)


@lru_cache(maxsize=1024)
def _phones(text: str, regions: tuple[str, ...]) -> tuple[PhoneMatch, ...]:
    out: list[PhoneMatch] = []
    done = 0
    national_id = regions == ("ID",)
    for start, end in _digit_runs(text):
        if national_id and text[start] not in "06" and text[start - 1 : start] not in "+(":
            continue  # in Indonesia a number starts with 0, 62, + or "(": not a price or date
        # Step back over "+", "(" or "(+" so the exact pattern sees the whole number.
        for m in _PHONE_RE.finditer(text, max(done, start - 2), end):
            found = _phone_at(text, m.start(), m.group(), regions)
            if found is not None:
                out.append(found)
        done = end
    return tuple(out)


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
        for u in _extract(text)
        if _chat_host(u.host) in _CHAT_KIND
    ]
    out.extend(Contact(p.start, p.end, "phone", p.e164) for p in _phones(text, regions))
    out.sort(key=lambda c: c.start)
    return out


def has_contact(text: str, regions: tuple[str, ...] = ("ID",)) -> bool:
    """Whether ``text`` gives a phone number or a chat link (cheap when it has neither)."""
    if any(_chat_host(u.host) in _CHAT_KIND for u in _extract(text)):
        return True
    return bool(_phones(text, regions))


def _chat_host(host: str) -> str:
    return host[4:] if host.startswith("www.") else host
