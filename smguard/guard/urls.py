"""Find links and domains in a post — small, fast and dependency-light.

The link rules, the PII rules and the rule-pack engine ("fires only when the post also has a
link") all ask the same questions of a post's text, so they share this module:

* :func:`extract_urls` — every URL and bare domain (``https://…``, ``bit.ly/abc``,
  ``promo-bca.com``, ``kemkes.go.id/berita``, ``103.12.4.5/login``) with its span in the
  original text. E-mail addresses, ``e.g.``, ``Rp.10.000``, ``jam 10.30``, ``file.pdf``,
  ``M.Sc`` are not links. Defanged links (``hxxp://``, ``bit[.]ly``) are found and marked.
  Punycode hosts (``xn--…``) are decoded with ``idna``.
* :func:`registrable_domain` / :func:`public_suffix` / :func:`host_in` — domains by the Public
  Suffix List (the ``publicsuffixlist`` package's offline copy, private section included), so
  ``kemkes.go.id`` is told from ``kemkes-go.id`` and ``evil.myshopify.com`` or
  ``bucket.s3.amazonaws.com`` belong to whoever took that name, not to the platform.

Phone numbers and chat links are :mod:`smguard.guard.contacts`' business.

Results are memoised per text (a small LRU cache), so several rules asking about the same post
pay once. Everything returned is immutable.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from smguard.guard.memo import per_post

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

__all__ = [
    "TLDS",
    "UrlMatch",
    "extract_urls",
    "has_link",
    "host_in",
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
#: The longest domain name DNS allows (RFC 1035: 255 octets on the wire, 253 characters).
MAX_DOMAIN = 253
_BRACKETS = "".join(_CLOSERS) + "".join(_CLOSERS.values())


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


@per_post
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
    """The path without trailing punctuation, but with a closing bracket that closes one in
    the path (``wiki/Foo_(bar)``). The brackets are counted once and the count kept as the end
    moves back: counting (and slicing) again for each character made a link followed by
    20,000 ``)`` cost 0.6 s."""
    end = len(path)
    if not end or path[-1] not in _TRAILING:
        return path
    counts = {c: path.count(c) for c in _BRACKETS}
    while end and path[end - 1] in _TRAILING:
        last = path[end - 1]
        opener = _CLOSERS.get(last)
        if opener is not None:
            if counts[opener] >= counts[last]:
                break  # balanced
            counts[last] -= 1
        end -= 1
    return path[:end]


@lru_cache(maxsize=4096)
def _normalise_host(raw: str) -> str:
    host = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    host = host.lower().strip(".")
    return _decode_idn(host) if "xn--" in host else host


def _decode_idn(host: str) -> str:
    """Punycode labels (``xn--…``) in Unicode, as IDNA 2008 reads them. A label that is not a
    valid IDN (``xn--i-7iq``, an emoji) stays as written, the way browsers show it."""
    import idna  # only for hosts written in punycode

    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError):  # idna.IDNAError is one
                label = idna.decode(label)
        labels.append(label)
    return ".".join(labels)


# --------------------------------------------------------------------------------------------
# Domains


@cache
def _suffix_list() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    # The package's own copy of the list (no network), private section included: each
    # subdomain of myshopify.com, ngrok.app or s3.amazonaws.com belongs to someone else. Hosts
    # are decoded from punycode before they are looked up, so the list's punycode twins, which
    # take most of the loading time, are not built.
    return PublicSuffixList(accept_encoded_idn=False)


@lru_cache(maxsize=4096)
def public_suffix(host: str) -> str:
    """The public suffix of ``host`` by the Public Suffix List: ``"go.id"`` for
    ``www.kemkes.go.id``, ``"com"`` for ``verify-login.com``, ``"myshopify.com"`` for
    ``evil.myshopify.com``. An unknown top-level domain is its own suffix."""
    host = _prepare(host)
    return _suffix_list().publicsuffix(host) or host.rsplit(".", 1)[-1]


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The part of ``host`` someone registered: ``kemkes.go.id`` for ``www.kemkes.go.id``,
    ``verify-login.com`` for ``kemkes.go.id.verify-login.com``, ``evil.myshopify.com`` for
    ``shop.evil.myshopify.com``. IP literals and public suffixes come back as they are."""
    host = _prepare(host)
    if host.startswith("[") or host.replace(".", "").isdigit():
        return host
    return _suffix_list().privatesuffix(host) or host


def _prepare(host: str) -> str:
    host = host.lower().strip(".")
    return _decode_idn(host) if "xn--" in host else host


def host_in(host: str, domains: frozenset[str] | tuple[str, ...] | set[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one (``www.bca.co.id`` is in
    ``{"bca.co.id"}``; ``bca.co.id.evil.com`` is not).

    Only the parent domains a name can have are tried: at most 253 characters, the longest
    name DNS allows (each try copies the rest of the host: a host of 10,000 labels took 0.2 s).
    """
    if host in domains:
        return True
    dot = host.find(".", max(0, len(host) - MAX_DOMAIN - 1))
    while dot != -1:
        if host[dot + 1 :] in domains:
            return True
        dot = host.find(".", dot + 1)
    return False
