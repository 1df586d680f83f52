"""Link rules: shortened, denied, gambling and porn links, lookalike and impersonating domains,
links to bare IP addresses and unencrypted login pages.

Options (``[plugins.links]`` in ``smguard.toml``)::

    allow       = ["s.id/kemkes", "partner.co.id"]  # never flagged by any link rule
    deny        = ["judi-online.example"]           # always flagged (high)
    own_domains = ["kemkes.go.id"]                  # protected against lookalikes (critical)
    shorteners  = ["sur.ly"]                        # extra link shorteners
    keywords    = ["bandarq"]                       # extra gambling / porn words for domains

    [plugins.links.brands]                          # extra names to protect, with real domains
    bankku = ["bankku.co.id", "bankku.com"]

Each account's ``own_domains`` (``[accounts.NAME]``) are protected too. See docs/rules-code.md.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from smguard import hookimpl
from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.rule import CheckContext, Example, Rule
from smguard.guard.urls import UrlMatch, extract_urls, host_in, public_suffix, registrable_domain
from smguard.types import Finding, Post, Severity

PLUGIN = "links"

#: Link shorteners: the reader cannot see where the link goes.
SHORTENERS: frozenset[str] = frozenset({
    "bit.ly", "bitly.com", "bit.do", "s.id", "tinyurl.com", "tiny.cc", "tiny.one", "t.ly",
    "cutt.ly", "cutt.us", "rebrand.ly", "ow.ly", "is.gd", "v.gd", "shorturl.at", "shorturl.asia",
    "lnkd.in", "buff.ly", "goo.gl", "rb.gy", "t.co", "ouo.io", "adf.ly", "shorte.st", "sfl.ink",
    "safelinku.com", "clck.ru", "qr.ae", "po.st", "x.co", "u.to", "soo.gd", "kutt.it", "gg.gg",
    "t2m.io", "surl.li", "short.gy", "shrtco.de", "wa.link", "urlz.fr", "l.ead.me", "tr.im",
    "bl.ink", "short.io", "dub.sh", "tny.sh",
})  # fmt: skip

#: Link-in-bio pages: not shorteners, but gambling sites hide behind them; their paths are
#: checked for gambling and porn words like shortener paths are.
LINK_HUBS: frozenset[str] = frozenset({
    "heylink.me", "linktr.ee", "lynk.id", "bio.link", "linkr.bio", "msha.ke", "beacons.ai",
    "taplink.cc", "linkin.bio", "many.link", "solo.to", "campsite.bio", "linkbio.co",
})  # fmt: skip

#: Real domains of brands that phishing in Indonesia imitates (banks, e-wallets, marketplaces,
#: government services). Keys are the names looked for in other domains.
BRANDS: dict[str, tuple[str, ...]] = {
    "bca": ("bca.co.id", "klikbca.com", "bca.id"),
    "klikbca": ("klikbca.com", "bca.co.id"),
    "mybca": ("bca.co.id",),
    "bri": ("bri.co.id", "bri.id"),
    "brimo": ("bri.co.id",),
    "bni": ("bni.co.id",),
    "bankmandiri": ("bankmandiri.co.id",),
    "mandiri": ("bankmandiri.co.id", "mandirisekuritas.co.id"),
    "livin": ("bankmandiri.co.id",),
    "bankbsi": ("bankbsi.co.id",),
    "bsi": ("bankbsi.co.id",),
    "btn": ("btn.co.id",),
    "cimbniaga": ("cimbniaga.co.id", "cimb.com"),
    "danamon": ("danamon.co.id",),
    "permatabank": ("permatabank.com",),
    "jenius": ("jenius.com",),
    "dana": ("dana.id",),
    "ovo": ("ovo.id",),
    "gopay": ("gopay.co.id", "gojek.com"),
    "gojek": ("gojek.com", "gopay.co.id"),
    "shopee": ("shopee.co.id", "shopee.com"),
    "shopeepay": ("shopee.co.id", "shopeepay.co.id"),
    "linkaja": ("linkaja.id",),
    "tokopedia": ("tokopedia.com",),
    "lazada": ("lazada.co.id", "lazada.com"),
    "pajak": ("pajak.go.id",),
    "djp": ("pajak.go.id",),
    "djponline": ("pajak.go.id",),
    "bpjs": ("bpjs-kesehatan.go.id", "bpjsketenagakerjaan.go.id"),
    "bpjskesehatan": ("bpjs-kesehatan.go.id",),
    "bpjsketenagakerjaan": ("bpjsketenagakerjaan.go.id",),
    "kemkes": ("kemkes.go.id",),
    "kemenkes": ("kemkes.go.id",),
    "kominfo": ("kominfo.go.id", "komdigi.go.id"),
    "komdigi": ("komdigi.go.id", "kominfo.go.id"),
    "kemensos": ("kemensos.go.id",),
    "bansos": ("kemensos.go.id",),
    "dukcapil": ("dukcapil.kemendagri.go.id", "kemendagri.go.id"),
    "prakerja": ("prakerja.go.id",),
    "ojk": ("ojk.go.id",),
    "polri": ("polri.go.id",),
    "pln": ("pln.co.id",),
    "pertamina": ("pertamina.com", "mypertamina.id"),
    "mypertamina": ("mypertamina.id", "pertamina.com"),
    "telkomsel": ("telkomsel.com",),
    "indihome": ("indihome.co.id", "telkom.co.id"),
    "posindonesia": ("posindonesia.co.id",),
    "jne": ("jne.co.id",),
}
# Names that are also ordinary words ("dana" = fund, "mandiri" = independent, "pajak" = tax):
# they count only next to a bait word ("dana-kaget.xyz", "pajak-online-resmi.com").
_GENERIC_BRANDS = frozenset({"dana", "mandiri", "pajak", "bsi", "livin", "bansos", "jenius"})
_BAIT = frozenset(
    """
    promo hadiah undian bonus login masuk verifikasi verify verification secure security aman
    update akun account resmi official cs care help bantuan layanan service support online mobile
    web app apps id indonesia co go gov cek klaim claim reward rewards poin point gratis free kuis
    giveaway kaget kado cashback diskon tunai pinjaman kredit blokir unblock aktivasi activation
    konfirmasi confirm pin otp sms portal center pusat info daftar registrasi register pendaftaran
    banking ibank net my signin auth limit upgrade prioritas priority vip tarif
""".split()
)
# Well-known domains whose labels are distinctive enough to look for typos of (edit distance).
_TYPO_MIN_LEN = 5

#: Words in a domain that mean gambling or porn. Substrings are distinctive wherever they
#: appear; tokens must be a whole word of the domain (``slot88`` yes, ``timeslot`` no).
_GAMBLING_SUBSTRINGS = ("gacor", "togel", "maxwin", "sbobet", "judol", "casino", "jackpot",
                        "poker", "pragmaticplay", "slot88", "slotgacor")  # fmt: skip
_GAMBLING_TOKENS = frozenset({"slot", "judi", "bet", "toto", "bandar", "rtp", "depo", "jp",
                              "scatter", "zeus", "mahjong", "spaceman", "qq"})  # fmt: skip
_PORN_SUBSTRINGS = ("bokep", "porn", "xxx", "xnxx", "xvideo", "hentai", "xhamster", "redtube",
                    "brazzers", "onlyfans", "chaturbate", "bugil", "ngentot", "memek", "colmek",
                    "nsfw", "mesum", "jilbabhot")  # fmt: skip
_PORN_TOKENS = frozenset({"sex", "jav", "porno", "seks", "ngewe", "sange", "abg", "hot"})
# Tokens that are gambling only with a partner word ("situsslot", "slotonline", "rajaslot").
_GAMBLING_PARTNERS = frozenset(
    """
    situs online gacor resmi terpercaya link login daftar alternatif toto vip maxwin demo pulsa
    deposit depo hoki win zeus olympus bet game games club king raja dewa mpo sultan indo terbaru
    rtp live asia bos boss gratis hari ini pg thailand server
""".split()
)
# The ambiguous tokens above ("jp", "hot", "qq", "abg", "zeus" …) only count together with
# another gambling / porn word in the same host.
_WEAK_TOKENS = frozenset({"jp", "hot", "qq", "abg", "zeus", "rtp", "depo", "scatter", "toto",
                          "bandar", "spaceman", "mahjong"})  # fmt: skip

_LOGIN_WORDS = ("login", "signin", "sign-in", "logon", "masuk", "verif", "akun", "account",
                "password", "sandi", "otp", "auth", "secure", "banking", "ibank")  # fmt: skip

_TOKEN_SPLIT = re.compile(r"[^a-z]+")


# --------------------------------------------------------------------------------------------
# Settings


@dataclass(frozen=True, eq=False)
class LinkSettings:
    """Validated ``[plugins.links]`` options."""

    allow: frozenset[str] = frozenset()
    allow_paths: tuple[tuple[str, str], ...] = ()
    deny: frozenset[str] = frozenset()
    own_domains: frozenset[str] = frozenset()
    shorteners: frozenset[str] = SHORTENERS
    keywords: tuple[str, ...] = ()
    brands: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(BRANDS))

    def allowed(self, url: UrlMatch) -> bool:
        if self.allow and host_in(url.host, self.allow):
            return True
        return bool(self.allow_paths) and any(
            (url.host == h or url.host == "www." + h) and url.path.startswith(p)
            for h, p in self.allow_paths
        )


_KNOWN_KEYS = ("allow", "deny", "own_domains", "shorteners", "keywords", "brands")


def parse_settings(options: Mapping[str, Any]) -> LinkSettings:
    """Validate ``[plugins.links]``; raise :class:`ConfigError` naming the bad key."""
    for key in options:
        if key not in _KNOWN_KEYS:
            raise ConfigError(
                f"plugins.links.{key}: unknown setting (known: {', '.join(_KNOWN_KEYS)})"
            )
    allow: set[str] = set()
    allow_paths: list[tuple[str, str]] = []
    for entry in _domain_list(options, "allow", paths=True):
        if "/" in entry:
            host, path = entry.split("/", 1)
            allow_paths.append((host, "/" + path))
        else:
            allow.add(entry)
    keywords = tuple(_word_list(options, "keywords"))
    brands = dict(BRANDS)
    raw_brands = options.get("brands", {})
    if not isinstance(raw_brands, Mapping):
        raise ConfigError(
            'plugins.links.brands: must be a table of name = ["domain", ...], '
            'e.g. bankku = ["bankku.co.id"]'
        )
    for name, domains in raw_brands.items():
        key = f"brands.{name}"
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9]{3,30}", name.lower()):
            raise ConfigError(f"plugins.links.{key}: a brand name is one word of 3-30 letters")
        brands[name.lower()] = tuple(_domain_list({key: domains}, key))
    return LinkSettings(
        allow=frozenset(allow),
        allow_paths=tuple(allow_paths),
        deny=frozenset(_domain_list(options, "deny")),
        own_domains=frozenset(_domain_list(options, "own_domains")),
        shorteners=SHORTENERS | frozenset(_domain_list(options, "shorteners")),
        keywords=keywords,
        brands=brands,
    )


_DOMAIN_RE = re.compile(
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}|(?:\d{1,3}\.){3}\d{1,3}"
)


def normalise_domain(value: str) -> str:
    """``"https://www.Kemkes.go.id/"`` → ``"kemkes.go.id"`` (paths kept: ``s.id/kemkes``)."""
    value = value.strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.rstrip("/")
    if value.startswith("www."):
        value = value[4:]
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return value


def _domain_list(options: Mapping[str, Any], key: str, paths: bool = False) -> list[str]:
    raw = options.get(key, [])
    if isinstance(raw, str):
        raw = [v for v in raw.split(",") if v.strip()]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ConfigError(f'plugins.links.{key}: must be a list of domains, e.g. ["kemkes.go.id"]')
    out = []
    for value in raw:
        domain = normalise_domain(value)
        host = domain.split("/", 1)[0] if paths else domain
        if not _DOMAIN_RE.fullmatch(host) or (not paths and "/" in domain):
            raise ConfigError(f"plugins.links.{key}: {value!r} is not a domain (e.g. kemkes.go.id)")
        out.append(domain)
    return out


def _word_list(options: Mapping[str, Any], key: str) -> list[str]:
    raw = options.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
        raise ConfigError(f'plugins.links.{key}: must be a list of words, e.g. ["bandarq"]')
    words = [v.strip().lower() for v in raw]
    for w in words:
        if not re.fullmatch(r"[a-z0-9]{3,40}", w):
            raise ConfigError(
                f"plugins.links.{key}: {w!r} must be one word of 3-40 letters or digits"
            )
    return words


# --------------------------------------------------------------------------------------------
# Lookalike analysis

# Letters of other scripts that look like Latin ones (a subset of Unicode's confusables that
# matters for domain names), mapped to the Latin letter they imitate.
_SCRIPT_CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "к": "k",
    "м": "m", "н": "h", "т": "t", "п": "n", "г": "r", "ь": "b", "ӏ": "l", "ո": "n", "ս": "u",
    "ց": "g", "օ": "o", "հ": "h", "ք": "p",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "ω": "w", "η": "n",
    # Latin lookalikes outside basic Latin
    "ı": "i", "ɑ": "a", "ɡ": "g", "ł": "l", "ɩ": "i", "ʟ": "l", "ɪ": "i", "ᴏ": "o", "ꞵ": "b",
}  # fmt: skip
_CONFUSABLE_TABLE = str.maketrans(_SCRIPT_CONFUSABLES)
_DIGIT_TABLE = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l"})


@lru_cache(maxsize=8192)
def skeleton(text: str) -> str:
    """What ``text`` looks like: ``bса`` (Cyrillic) → ``bca``, ``kl1kbca`` → ``kllkbca``,
    ``kernkes`` → ``kemkes``. Only for comparing two names, never for display."""
    s = text.lower()
    if not s.isascii():
        s = s.translate(_CONFUSABLE_TABLE)
        if not s.isascii():
            s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return s.translate(_DIGIT_TABLE).replace("rn", "m").replace("vv", "w")


def disguised_letters(label: str) -> bool:
    """Whether a domain label uses letters of another script that imitate Latin letters
    (``bса`` with Cyrillic ``с`` and ``а``; all-Cyrillic ``аррӏе``). Accented Latin (``café``)
    and genuine non-Latin names (``президент``) are not disguised."""
    if label.isascii():
        return False
    fake = sum(1 for c in label if c in _SCRIPT_CONFUSABLES)
    if not fake:
        return False
    others = sum(1 for c in label if not c.isascii() and c not in _SCRIPT_CONFUSABLES
                 and c.isalpha())  # fmt: skip
    return others == 0


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (edits and adjacent swaps), stopping above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _flat(domain: str) -> str:
    return domain.replace(".", "").replace("-", "")


def _label_of(domain: str) -> str:
    """The registered name without its suffix: ``kemkes`` for ``kemkes.go.id``."""
    reg = registrable_domain(domain)
    suffix = public_suffix(reg)
    return reg[: -len(suffix) - 1] if len(reg) > len(suffix) else reg


@dataclass(frozen=True)
class Lookalike:
    kind: str  # "homograph" | "typo" | "suffix" | "subdomain" | "dashes"
    target: str
    own: bool


class _Protected:
    """Domains to protect against lookalikes, indexed for quick typo search."""

    def __init__(self, own: Iterable[str], brands: Mapping[str, tuple[str, ...]]) -> None:
        self.own = frozenset(own)
        self.brands = brands
        self.own_names = _own_names(self.own)
        self._brand_found: dict[str, tuple[str, str] | None] = {}
        known = {d for domains in brands.values() for d in domains}
        self.real = frozenset(known | self.own)
        self.targets: list[tuple[str, str, str, bool]] = []  # (domain, label skeleton, flat, own)
        self.index: dict[str, set[int]] = {}
        self._found: dict[str, Lookalike | None] = {}
        for domain in sorted(self.real):
            label = _label_of(domain)
            own_flag = domain in self.own
            n = len(self.targets)
            self.targets.append((domain, skeleton(label), _flat(skeleton(domain)), own_flag))
            if len(label) >= _TYPO_MIN_LEN and (own_flag or label not in _GENERIC_BRANDS):
                for variant in _deletes(skeleton(label), 2 if len(label) >= 8 else 1):
                    self.index.setdefault(variant, set()).add(n)

    def find(self, host: str) -> Lookalike | None:
        """The protected domain ``host`` imitates, and how; ``None`` if it imitates none."""
        try:
            return self._found[host]
        except KeyError:
            pass
        if len(self._found) > 4096:
            self._found.clear()
        found = self._found[host] = self._find(host)
        return found

    def brand(self, host: str) -> tuple[str, str] | None:
        """The brand (or own name) ``host`` uses without being its site, memoised."""
        try:
            return self._brand_found[host]
        except KeyError:
            pass
        if len(self._brand_found) > 4096:
            self._brand_found.clear()
        if host_in(host, self.real) or self.find(host) is not None:
            found = None  # the real site, or reported as a lookalike (SMG-LINK-004)
        else:
            found = brand_in(host, self.brands, self.own_names)
        self._brand_found[host] = found
        return found

    def _find(self, host: str) -> Lookalike | None:
        if host_in(host, self.real):
            return None
        reg = registrable_domain(host)
        suffix = public_suffix(reg)
        label = reg[: -len(suffix) - 1] if len(reg) > len(suffix) else reg
        label_skel = skeleton(label)
        host_skel = skeleton(host)
        host_flat = _flat(host_skel)
        restricted = suffix in _RESTRICTED_SUFFIXES
        best: Lookalike | None = None
        for domain, t_skel, t_flat, own in self.targets:
            kind = None
            if ("." + domain + ".") in ("." + host + "."):
                kind = "subdomain"  # kemkes.go.id.verify-login.com
            elif host_skel == skeleton(domain) or host_skel.endswith("." + skeleton(domain)):
                kind = "homograph"  # bса.co.id, kl1kbca.com
            elif label_skel == t_skel and suffix != public_suffix(domain):
                # klikbca.co, kemkes.id. Registries that check who registers (co.id, go.id …)
                # and .com for short names (dana.com is another company) are left out.
                if own or (not restricted and (len(t_skel) >= 5 or _suspicious_suffix(suffix))):
                    kind = "suffix"
            elif len(t_flat) >= 7 and t_flat in host_flat:
                kind = "dashes"  # kemkes-go.id, www-klikbca-com.xyz
            if kind is not None:
                found = Lookalike(kind, domain, own)
                if best is None or (own and not best.own):
                    best = found
        if best is not None:
            return best
        # Typos of distinctive names: kemkess.go.id, klikbcca.com, tokopedla.com.
        if len(label_skel) >= _TYPO_MIN_LEN - 1:
            candidates: set[int] = set()
            for variant in _deletes(label_skel, 2 if len(label_skel) >= 7 else 1):
                hit = self.index.get(variant)
                if hit:
                    candidates |= hit
            for n in sorted(candidates):
                domain, t_skel, _, own = self.targets[n]
                # Two edits only between long names of equal length: "kemendag" (Trade) is
                # two letters short of "kemendagri" (Home Affairs) and both are real.
                limit = 2 if len(t_skel) >= 8 and len(t_skel) == len(label_skel) else 1
                if t_skel != label_skel and _osa_distance(label_skel, t_skel, limit) <= limit:
                    found = Lookalike("typo", domain, own)
                    if best is None or (own and not best.own):
                        best = found
        return best


_CHEAP_SUFFIXES = frozenset(
    """
    id co.id or.id web.id my.id biz.id net.id ac.id sch.id desa.id ponpes.id xyz top site online
    icu click link live shop store info cc tk ml ga cf gq buzz cyou sbs cfd vip club fun monster
    rest bond app io me co ws pw biz net org cloud space website digital
""".split()
)


# Registries that check who registers (government, schools, companies): scammers rarely get
# names there, while many genuine names are a letter apart.
_RESTRICTED_SUFFIXES = frozenset({"go.id", "mil.id", "ac.id", "sch.id", "desa.id", "ponpes.id",
                                  "co.id", "or.id", "net.id"})  # fmt: skip


def _suspicious_suffix(suffix: str) -> bool:
    return suffix in _CHEAP_SUFFIXES


def _host_tokens(host: str) -> list[str]:
    """Words of a host name, without its public suffix: ``bca-promo88.xyz`` → bca, promo."""
    suffix = public_suffix(host)
    name = host[: -len(suffix) - 1] if len(host) > len(suffix) else host
    return [t for t in _TOKEN_SPLIT.split(skeleton_ascii(name)) if t]


@lru_cache(maxsize=8192)
def skeleton_ascii(text: str) -> str:
    s = text.lower()
    if not s.isascii():
        s = s.translate(_CONFUSABLE_TABLE)
    return s


def brand_in(
    host: str, brands: Mapping[str, tuple[str, ...]], extra: Mapping[str, str]
) -> tuple[str, str] | None:
    """The brand a host name uses without being that brand's site: ``("bca", "bca.co.id")``
    for ``bca-promo.xyz``. ``extra`` maps more names (the organisation's own) to domains."""
    tokens = _host_tokens(host)
    if not tokens:
        return None
    suffix = public_suffix(registrable_domain(host))
    if suffix in _RESTRICTED_SUFFIXES - {"co.id"}:
        return None  # government, school, military names cannot be bought by scammers
    token_set = set(tokens)
    has_bait = bool(token_set & _BAIT) or _suspicious_suffix(suffix)

    def lookup(name: str) -> tuple[str, ...] | None:
        return brands.get(name) or ((extra[name],) if name in extra else None)

    for token in tokens:
        candidates: list[tuple[str, bool]] = []  # (brand, combined with bait inside the token)
        if lookup(token):
            candidates.append((token, False))
        elif len(token) > 4:
            for i in range(3, len(token) - 2):
                head, tail = token[:i], token[i:]
                if lookup(head) and _bait_part(tail):
                    candidates.append((head, True))
                elif lookup(tail) and _bait_part(head):
                    candidates.append((tail, True))
        for name, combined in candidates:
            real = lookup(name) or ()
            if host_in(host, frozenset(real)):
                continue
            if name in _GENERIC_BRANDS and not combined and not (token_set - {name}) & _BAIT:
                continue
            if not combined and len(tokens) == 1 and not has_bait and suffix == "com":
                continue  # dana.com, bri.com: a same-named company abroad, not a lookalike
            return name, real[0] if real else ""
    return None


def _bait_part(part: str) -> bool:
    # Inside one word only longer bait counts: "bcapromo", "danakaget", but not "ovoid".
    return part in _BAIT and (len(part) >= 4 or part == "cek")


def gambling_or_porn(words: Sequence[str], extra: Sequence[str] = ()) -> str | None:
    """``"gambling"`` or ``"porn"`` when the words of a host or path say so, else ``None``."""
    if not words:
        return None
    joined = "-".join(words)
    for sub in _GAMBLING_SUBSTRINGS:
        if sub in joined:
            return "gambling"
    for sub in _PORN_SUBSTRINGS:
        if sub in joined:
            return "porn"
    for word in extra:
        if word in joined:
            return "gambling"
    strong: str | None = None
    weak = 0
    for w in words:
        if w in _GAMBLING_TOKENS:
            if w in _WEAK_TOKENS:
                weak += 1
            else:
                strong = strong or "gambling"
        elif w in _PORN_TOKENS:
            if w in _WEAK_TOKENS:
                weak += 1
            else:
                strong = strong or "porn"
        elif len(w) > 5:
            for stem in ("slot", "judi"):
                if w.startswith(stem) and w[len(stem) :] in _GAMBLING_PARTNERS:
                    return "gambling"
                if w.endswith(stem) and w[: -len(stem)] in _GAMBLING_PARTNERS:
                    return "gambling"
    if strong:
        return strong
    if weak >= 2:
        return "gambling"
    return None


# --------------------------------------------------------------------------------------------
# The rules


_Todo = list[tuple[UrlMatch, "tuple[int, int] | None"]]


def _links(post: Post, ctx: CheckContext, settings: LinkSettings) -> _Todo:
    """Links of the post to check: those in its text (with spans) plus ``post.links`` that are
    not in the text (no span), minus allowed ones and the organisation's own. Computed once per
    post and shared by every link rule."""
    key = f"links.todo.{id(settings)}"
    cached: _Todo | None = ctx.cache.get(key)
    if cached is not None:
        return cached
    todo: _Todo = []
    urls = extract_urls(post.text)
    if urls or post.links:
        own = _own(settings, ctx)
        items: list[tuple[UrlMatch | None, tuple[int, int] | None]] = [
            (u, (u.start, u.end)) for u in urls
        ]
        if post.links:
            written = {u.url for u in urls}
            items.extend((_parse_link(link), None) for link in post.links if link not in written)
        for url, span in items:
            if url is None or settings.allowed(url) or (own and host_in(url.host, own)):
                continue
            todo.append((url, span))
    ctx.cache[key] = todo
    return todo


@lru_cache(maxsize=1024)
def _parse_link(link: str) -> UrlMatch | None:
    urls = extract_urls(link) or extract_urls("http://" + link)
    return urls[0] if urls else None


@dataclass(eq=False)
class LinkRule(Rule):
    """A rule that looks at each link of a post; subclasses implement :meth:`check_url`."""

    settings: LinkSettings = field(default_factory=LinkSettings)
    #: Also look at defanged links (``bit[.]ly``), which are not clickable.
    include_defanged: bool = False

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        todo = _links(post, ctx, self.settings)
        if not todo:
            return ()
        out: list[Finding] = []
        for url, span in todo:
            if url.defanged and not self.include_defanged:
                continue
            found = self.check_url(url, span, ctx)
            if found is not None:
                out.append(found)
        return out

    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        raise NotImplementedError


def _own(settings: LinkSettings, ctx: CheckContext) -> frozenset[str]:
    account = ctx.account.own_domains
    if not account:
        return settings.own_domains
    return _merge_own(settings.own_domains, tuple(account))


@lru_cache(maxsize=256)
def _merge_own(plugin_own: frozenset[str], account: tuple[str, ...]) -> frozenset[str]:
    return plugin_own | frozenset(normalise_domain(d) for d in account)


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _evidence(url: UrlMatch) -> str:
    return url.url if len(url.url) <= 120 else url.url[:117] + "..."


@dataclass(eq=False)
class ShortenerRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if _bare(url.host) in self.settings.shorteners:
            return self.finding(span=span, evidence=_evidence(url))
        return None


@dataclass(eq=False)
class DenyRule(LinkRule):
    include_defanged: bool = True

    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if self.settings.deny and host_in(url.host, self.settings.deny):
            return self.finding(span=span, evidence=_evidence(url))
        return None


_GAMBLING_MSG = {
    "en": "This link points to what looks like an online gambling site ({host}).",
    "id": "Tautan ini mengarah ke situs yang tampaknya judi online ({host}).",
}
_PORN_MSG = {
    "en": "This link points to what looks like a pornographic site ({host}).",
    "id": "Tautan ini mengarah ke situs yang tampaknya berisi pornografi ({host}).",
}


@dataclass(eq=False)
class KeywordRule(LinkRule):
    include_defanged: bool = True

    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        kind = _host_kind(url.host, self.settings.keywords)
        if kind is None:
            bare = _bare(url.host)
            if url.path and (bare in self.settings.shorteners or bare in LINK_HUBS):
                words = [w for w in _TOKEN_SPLIT.split(url.path.lower()) if w]
                kind = gambling_or_porn(words, self.settings.keywords)
        if kind is None:
            return None
        template = _GAMBLING_MSG if kind == "gambling" else _PORN_MSG
        message = {lang: text.format(host=url.host) for lang, text in template.items()}
        return self.finding(span=span, evidence=_evidence(url), message=message)


@lru_cache(maxsize=4096)
def _host_kind(host: str, extra: tuple[str, ...]) -> str | None:
    return gambling_or_porn(_host_tokens(host), extra)


_LOOKALIKE_MSG = {
    "homograph": {
        "en": "{host} is disguised to look like {target}: some of its letters are not what they"
        " seem. Readers would be sent to a fake site.",
        "id": "{host} disamarkan agar terlihat seperti {target}: sebagian hurufnya bukan huruf"
        " yang sebenarnya. Pembaca akan diarahkan ke situs palsu.",
    },
    "typo": {
        "en": "{host} is one or two letters away from {target}: a typical fake (phishing) site.",
        "id": "{host} hanya beda satu-dua huruf dari {target}: ciri khas situs palsu (phishing).",
    },
    "suffix": {
        "en": "{host} copies the name of {target} with a different ending: a typical fake site.",
        "id": "{host} meniru nama {target} dengan akhiran berbeda: ciri khas situs palsu.",
    },
    "subdomain": {
        "en": "{host} starts with {target} but belongs to someone else ({registrable}).",
        "id": "{host} diawali {target}, padahal situs itu milik pihak lain ({registrable}).",
    },
    "dashes": {
        "en": "{host} imitates {target} by swapping its dots for dashes or adding words.",
        "id": "{host} meniru {target} dengan mengganti titik menjadi tanda hubung atau"
        " menambahkan kata.",
    },
}


@dataclass(eq=False)
class LookalikeRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if url.is_ip:
            return None
        found = _protected(self.settings, _own(self.settings, ctx)).find(url.host)
        if found is None:
            return None
        fmt = {"host": url.host, "target": found.target,
               "registrable": registrable_domain(url.host)}  # fmt: skip
        message = {k: v.format(**fmt) for k, v in _LOOKALIKE_MSG[found.kind].items()}
        severity = Severity.CRITICAL if found.own or found.kind == "homograph" else Severity.HIGH
        return self.finding(
            span=span,
            evidence=f"{url.host} ~ {found.target}",
            message=message,
            severity=severity,
        )


@lru_cache(maxsize=64)
def _protected(settings: LinkSettings, own: frozenset[str]) -> _Protected:
    return _Protected(own, settings.brands)


@dataclass(eq=False)
class BrandRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if url.is_ip:
            return None
        found = _protected(self.settings, _own(self.settings, ctx)).brand(url.host)
        if found is None:
            return None
        name, real = found
        fmt = {"host": url.host, "brand": name.upper(), "real": real}
        message = {
            "en": "{host} uses the name {brand} but is not its real site ({real}): readers may "
            "be sent to a fake page that steals logins or money.".format(**fmt),
            "id": "{host} memakai nama {brand}, padahal bukan situs resminya ({real}): pembaca "
            "bisa diarahkan ke halaman palsu yang mencuri data login atau uang.".format(**fmt),
        }
        return self.finding(span=span, evidence=f"{url.host} ({name})", message=message)


@lru_cache(maxsize=64)
def _own_names(own: frozenset[str]) -> dict[str, str]:
    out = {}
    for domain in own:
        label = _label_of(domain).replace("-", "")
        if len(label) >= 4 and label.isascii() and label.isalnum():
            out[label] = domain
    return out


@dataclass(eq=False)
class DisguisedRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if url.host.isascii() or url.is_ip:
            return None
        if _protected(self.settings, _own(self.settings, ctx)).find(url.host) is not None:
            return None  # reported as a lookalike of a known domain
        if any(disguised_letters(label) for label in url.host.split(".")):
            return self.finding(span=span, evidence=f"{url.host} ({skeleton_ascii(url.host)})")
        return None


@dataclass(eq=False)
class IpRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if not url.is_ip:
            return None
        try:
            address = ipaddress.ip_address(url.host.strip("[]"))
        except ValueError:
            return None
        if address.is_private or address.is_loopback or address.is_link_local:
            return None  # "open 192.168.1.1 to set up your modem" is help, not a threat
        return self.finding(span=span, evidence=_evidence(url))


@dataclass(eq=False)
class PlainLoginRule(LinkRule):
    def check_url(
        self, url: UrlMatch, span: tuple[int, int] | None, ctx: CheckContext
    ) -> Finding | None:
        if url.scheme != "http" or not url.path:
            return None
        path = url.path.lower()
        if any(word in path for word in _LOGIN_WORDS):
            return self.finding(span=span, evidence=_evidence(url))
        return None


_ex = Example.of


def build_rules(settings: LinkSettings) -> list[Rule]:
    """The link rules, configured."""
    common: dict[str, Any] = {"engine": PLUGIN, "category": "link", "settings": settings}
    return [
        ShortenerRule(
            id="SMG-LINK-001",
            name="shortened-link",
            severity=Severity.MEDIUM,
            message={
                "en": "This is a shortened link: readers cannot see where it really goes.",
                "id": "Ini tautan pendek (shortlink): pembaca tidak bisa melihat ke mana "
                "tautan itu sebenarnya mengarah.",
            },
            suggestion={
                "en": "Use the full address of the page, or your organisation's own short "
                "domain, so readers can trust it.",
                "id": "Gunakan alamat lengkap halamannya, atau domain pendek milik instansi "
                "sendiri, agar pembaca bisa memercayainya.",
            },
            why={
                "en": "Hijacked accounts and scammers hide gambling, porn and phishing pages "
                "behind shorteners such as bit.ly and s.id. A reviewer cannot vouch for a "
                "link whose destination is hidden.",
                "id": "Akun yang diretas dan penipu menyembunyikan situs judi, pornografi, dan "
                "phishing di balik shortlink seperti bit.ly dan s.id. Peninjau tidak bisa "
                "menjamin tautan yang tujuannya tersembunyi.",
            },
            examples=(
                _ex("Daftar sekarang di bit.ly/daftar-vaksin2026 ya!", True),
                _ex("Info lengkap: https://s.id/promo-akhir-tahun", True),
                _ex("Info lengkap: https://www.kemkes.go.id/article/view/2026", False),
                _ex("Jadwal layanan 08.00-15.00 WIB, e.g. Senin s.d. Jumat.", False),
            ),
            **common,
        ),
        DenyRule(
            id="SMG-LINK-002",
            name="denied-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link goes to a domain on your organisation's deny list.",
                "id": "Tautan ini mengarah ke domain yang masuk daftar larangan instansi Anda.",
            },
            suggestion={
                "en": "Remove the link. If the domain is now safe, take it off plugins.links.deny.",
                "id": "Hapus tautannya. Jika domain itu kini aman, keluarkan dari "
                "plugins.links.deny.",
            },
            why={
                "en": "Your team listed this domain as one never to link to (a scam, a "
                "competitor, a site that was compromised).",
                "id": "Tim Anda mencatat domain ini sebagai domain yang tidak boleh ditautkan "
                "(penipuan, pesaing, atau situs yang pernah diretas).",
            },
            # No examples: it fires only for domains listed in plugins.links.deny (none by default),
            # and an example cannot carry configuration. tests/plugins/test_links.py covers it.
            **common,
        ),
        KeywordRule(
            id="SMG-LINK-003",
            name="gambling-or-porn-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link points to what looks like an online gambling or porn site.",
                "id": "Tautan ini mengarah ke situs yang tampaknya judi online atau pornografi.",
            },
            suggestion={
                "en": "Do not publish this. If the account did not write it, treat it as a "
                "hijack: change the password and check who has access.",
                "id": "Jangan terbitkan. Jika bukan tim Anda yang menulisnya, anggap akun "
                "diretas: ganti kata sandi dan periksa siapa saja yang punya akses.",
            },
            why={
                "en": "Gambling (judi online) and porn links are what hijacked Indonesian "
                "accounts post most; both are illegal content under the ITE law.",
                "id": "Tautan judi online dan pornografi adalah konten yang paling sering "
                "diunggah akun yang diretas; keduanya konten terlarang menurut UU ITE.",
            },
            examples=(
                _ex("Situs gacor hari ini: https://slot88-gacor.xyz/daftar", True),
                _ex("Link alternatif: bokepindo.site", True),
                _ex("Link resmi kami: s.id/slotgacor88", True),
                _ex("Atur jadwal kunjungan di https://timeslot.kemkes.go.id", False),
                _ex("Baca selengkapnya di https://www.detik.com/berita", False),
            ),
            **common,
        ),
        LookalikeRule(
            id="SMG-LINK-004",
            name="lookalike-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link goes to a domain made to look like a well-known one.",
                "id": "Tautan ini mengarah ke domain yang dibuat mirip domain terkenal.",
            },
            suggestion={
                "en": "Do not publish this link. Link only to the official domain, typed by "
                "hand or copied from the official site.",
                "id": "Jangan terbitkan tautan ini. Tautkan hanya ke domain resmi, diketik "
                "sendiri atau disalin dari situs resmi.",
            },
            why={
                "en": "Phishing sites copy the domains of banks, e-wallets, ministries and of "
                "your own organisation with swapped letters (kemkess.go.id), lookalike letters "
                "from other alphabets, other endings (klikbca.co) or tricks like "
                "kemkes.go.id.verify-login.com. Publishing one sends followers to a fake page.",
                "id": "Situs phishing meniru domain bank, dompet digital, kementerian, dan "
                "instansi Anda sendiri dengan huruf yang ditukar (kemkess.go.id), huruf mirip "
                "dari abjad lain, akhiran lain (klikbca.co), atau trik seperti "
                "kemkes.go.id.verify-login.com. Menerbitkannya menggiring pengikut ke situs "
                "palsu.",
            },
            examples=(
                _ex("Cek saldo Anda di https://klikbca.co/login sekarang", True),
                _ex("Verifikasi data di kemkes.go.id.verify-login.com", True),
                _ex("Daftar vaksin: kemkess.go.id/daftar", True),
                _ex("Login: https://klikbсa.com", True),
                _ex("Informasi resmi ada di https://www.klikbca.com dan kemkes.go.id", False),
                _ex("Selengkapnya: https://www.kompas.com/tren", False),
            ),
            **common,
        ),
        BrandRule(
            id="SMG-LINK-005",
            name="brand-impersonation-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link uses the name of a bank, e-wallet or government service, but "
                "is not its official site.",
                "id": "Tautan ini memakai nama bank, dompet digital, atau layanan pemerintah, "
                "tetapi bukan situs resminya.",
            },
            suggestion={
                "en": "Do not publish this link. Link to the official site instead.",
                "id": "Jangan terbitkan tautan ini. Gunakan tautan situs resminya.",
            },
            why={
                "en": "Scams that imitate banks (BCA, BRI, BNI, Mandiri), e-wallets (DANA, OVO, "
                "GoPay) and services (BPJS, pajak, bansos) use domains like bca-id.com or "
                "cek-bansos-kemensos.xyz. Your own name is protected the same way.",
                "id": "Penipuan yang meniru bank (BCA, BRI, BNI, Mandiri), dompet digital "
                "(DANA, OVO, GoPay), dan layanan (BPJS, pajak, bansos) memakai domain seperti "
                "bca-id.com atau cek-bansos-kemensos.xyz. Nama instansi Anda dilindungi dengan "
                "cara yang sama.",
            },
            examples=(
                _ex("Klaim hadiah di bca-id.com sekarang!", True),
                _ex("Cek penerima bansos: https://cek-bansos-kemensos.xyz", True),
                _ex("Aktifkan akun: dana-kaget.site/klaim", True),
                _ex("Unduh aplikasi resmi di https://www.bri.co.id", False),
                _ex("Dana hibah cair, info di https://www.kemenkeu.go.id", False),
            ),
            **common,
        ),
        IpRule(
            id="SMG-LINK-006",
            name="ip-address-link",
            severity=Severity.HIGH,
            message={
                "en": "This link goes to a bare IP address instead of a named site.",
                "id": "Tautan ini mengarah ke alamat IP, bukan ke nama situs.",
            },
            suggestion={
                "en": "Link to the site's official domain name instead.",
                "id": "Gunakan nama domain resmi situs tersebut.",
            },
            why={
                "en": "Legitimate organisations link to their domain names. Links to raw IP "
                "addresses are typical of phishing pages and malware hosts.",
                "id": "Instansi yang sah menautkan nama domainnya. Tautan ke alamat IP "
                "mentah adalah ciri halaman phishing dan server malware.",
            },
            examples=(
                _ex("Perbarui data rekening di http://103.12.4.5/login", True),
                _ex("Atur modem Anda lewat http://192.168.1.1 di browser.", False),
                _ex("Versi aplikasi 1.2.3.4 sudah tersedia.", False),
            ),
            **common,
        ),
        DisguisedRule(
            id="SMG-LINK-007",
            name="disguised-letters-domain",
            severity=Severity.HIGH,
            message={
                "en": "This link's address mixes in letters from another alphabet that look "
                "like Latin letters.",
                "id": "Alamat tautan ini menyisipkan huruf dari abjad lain yang mirip huruf Latin.",
            },
            suggestion={
                "en": "Do not publish this link; retype the address by hand from the official "
                "source.",
                "id": "Jangan terbitkan tautan ini; ketik ulang alamatnya dari sumber resmi.",
            },
            why={
                "en": "A Cyrillic 'а' looks exactly like a Latin 'a'. Addresses that mix them "
                "(a homograph attack) exist only to deceive.",
                "id": "Huruf Kiril 'а' terlihat sama persis dengan huruf Latin 'a'. Alamat yang "
                "mencampurnya (serangan homograf) dibuat hanya untuk menipu.",
            },
            examples=(
                _ex("Promo spesial di https://аррӏе-promo.com", True),
                _ex("Kunjungi https://tokoрedia-promo.com/flash", True),
                _ex("Berita dari https://президент.рф dan https://café.fr", False),
            ),
            **common,
        ),
        PlainLoginRule(
            id="SMG-LINK-008",
            name="unencrypted-login-link",
            severity=Severity.MEDIUM,
            message={
                "en": "This link sends readers to a login or account page without encryption "
                "(http://, not https://).",
                "id": "Tautan ini mengarahkan pembaca ke halaman login atau akun tanpa "
                "enkripsi (http://, bukan https://).",
            },
            suggestion={
                "en": "Use the https:// address of the page.",
                "id": "Gunakan alamat https:// halaman tersebut.",
            },
            why={
                "en": "Passwords sent over http:// can be read by anyone on the network, and "
                "real login pages are always https://; such links are often phishing.",
                "id": "Kata sandi yang dikirim lewat http:// bisa dibaca siapa pun di jaringan, "
                "dan halaman login asli selalu memakai https://; tautan seperti ini sering "
                "kali phishing.",
            },
            examples=(
                _ex("Silakan login di http://portal-layanan.id/login untuk cek status.", True),
                _ex("Silakan login di https://portal-layanan.id/login untuk cek status.", False),
            ),
            **common,
        ),
    ]


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    settings = parse_settings(config.plugin(PLUGIN))
    for rule in build_rules(settings):
        register(rule)


@hookimpl
def prepare_post(post: Post) -> dict[str, Any] | None:
    """Fill ``Post.links`` with the clickable links of the text, when the caller gave none."""
    if post.links:
        return None
    links = tuple(u.url for u in extract_urls(post.text) if not u.defanged)
    return {"links": links} if links else None


def iter_hosts(text: str) -> Iterator[str]:
    """Hosts of the links in ``text`` (a convenience for other plugins and tests)."""
    for url in extract_urls(text):
        yield url.host
