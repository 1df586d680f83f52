"""Look-alike and impersonating domains: what a name looks like, and whom it imitates.

* :func:`skeleton` — what a name looks like (letters of other scripts folded with Unicode's
  confusables data, :mod:`smguard.guard.confusables`; ``1`` → ``l``, ``rn`` → ``m``);
  :func:`disguised_letters` — a label that mixes in letters of another script.
* :class:`Protected` — the domains to protect (:data:`BRANDS` and the organisation's own), with
  :meth:`~Protected.find` for look-alikes (homographs, typos, other endings, dashes for dots,
  the real domain as a subdomain) and :meth:`~Protected.brand` for a brand's name in a foreign
  domain (:func:`brand_in`).

Registrable domains and public suffixes come from the Public Suffix List
(:func:`smguard.guard.urls.registrable_domain`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from smguard.guard.confusables import TRANSLATION, imitates_latin
from smguard.guard.urls import host_in, public_suffix, registrable_domain

from .hosts import TOKEN_SPLIT

__all__ = [
    "BRANDS",
    "Lookalike",
    "Protected",
    "brand_in",
    "disguised_letters",
    "host_tokens",
    "label_of",
    "own_names",
    "skeleton",
    "skeleton_ascii",
]

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

# What Latin letters and digits look like to each other (Unicode's data maps "1", "I" to "l").
_DIGIT_TABLE = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l"})


@lru_cache(maxsize=8192)
def skeleton(text: str) -> str:
    """What ``text`` looks like: ``bса`` (Cyrillic) → ``bca``, ``kl1kbca`` → ``kllkbca``,
    ``kernkes`` → ``kemkes``. Only for comparing two names, never for display."""
    return _latin(text).translate(_DIGIT_TABLE).replace("rn", "m").replace("vv", "w")


def _latin(text: str) -> str:
    """Lower case, accents dropped (NFKD), look-alike letters read as the Latin ones."""
    s = text.lower()
    if s.isascii():
        return s
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return s.lower().translate(TRANSLATION)


def disguised_letters(label: str) -> bool:
    """Whether a domain label uses letters of another script that imitate Latin letters
    (``bса`` with Cyrillic ``с`` and ``а``; all-Cyrillic ``аррӏе``). Accented Latin (``café``),
    letters of European languages (``søren``, ``łódź``) and genuine non-Latin names
    (``президент``) are not disguised."""
    if label.isascii():
        return False
    fake = sum(1 for c in label if imitates_latin(c))
    if not fake:
        return False
    others = sum(1 for c in label if not c.isascii() and not imitates_latin(c) and c.isalpha())
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


def label_of(domain: str) -> str:
    """The registered name without its suffix: ``kemkes`` for ``kemkes.go.id``."""
    reg = registrable_domain(domain)
    suffix = public_suffix(reg)
    return reg[: -len(suffix) - 1] if len(reg) > len(suffix) else reg


@dataclass(frozen=True)
class Lookalike:
    kind: str  # "homograph" | "typo" | "suffix" | "subdomain" | "dashes"
    target: str
    own: bool


class Protected:
    """Domains to protect against lookalikes, indexed for quick typo search."""

    def __init__(self, own: Iterable[str], brands: Mapping[str, tuple[str, ...]]) -> None:
        self.own = frozenset(own)
        self.brands = brands
        self.own_names = own_names(self.own)
        self._brand_found: dict[str, tuple[str, str] | None] = {}
        known = {d for domains in brands.values() for d in domains}
        self.real = frozenset(known | self.own)
        self.targets: list[tuple[str, str, str, bool]] = []  # (domain, label skeleton, flat, own)
        self.index: dict[str, set[int]] = {}
        self._found: dict[str, Lookalike | None] = {}
        for domain in sorted(self.real):
            label = label_of(domain)
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


def host_tokens(host: str) -> list[str]:
    """Words of a host name, without its public suffix: ``bca-promo88.xyz`` → bca, promo."""
    suffix = public_suffix(host)
    name = host[: -len(suffix) - 1] if len(host) > len(suffix) else host
    return [t for t in TOKEN_SPLIT.split(skeleton_ascii(name)) if t]


@lru_cache(maxsize=8192)
def skeleton_ascii(text: str) -> str:
    """``text`` with look-alike letters read as Latin ones (``bса`` → ``bca``), for words and
    evidence; unlike :func:`skeleton`, digits and ``rn`` stay as written."""
    return _latin(text)


def brand_in(
    host: str, brands: Mapping[str, tuple[str, ...]], extra: Mapping[str, str]
) -> tuple[str, str] | None:
    """The brand a host name uses without being that brand's site: ``("bca", "bca.co.id")``
    for ``bca-promo.xyz``. ``extra`` maps more names (the organisation's own) to domains."""
    tokens = host_tokens(host)
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


@lru_cache(maxsize=64)
def own_names(own: frozenset[str]) -> dict[str, str]:
    out = {}
    for domain in own:
        label = label_of(domain).replace("-", "")
        if len(label) >= 4 and label.isascii() and label.isalnum():
            out[label] = domain
    return out
