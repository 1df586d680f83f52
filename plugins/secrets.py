"""Secret rules: API keys and access tokens, private keys, passwords, PINs and one-time codes.

A secret published on a public account must be treated as stolen: the fix is to revoke or
change it, not only to delete the post. Evidence is masked to the first four characters
(``ghp_***``), so the secret is not copied into logs.

Options (``[plugins.secrets]`` in ``smguard.toml``)::

    min_entropy = 3.0            # bits per character a "token = ..." value needs to count
    allow       = ["AKIAIOSFODNN7EXAMPLE"]   # known dummy values used in your tutorials
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from smguard import hookimpl
from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.rule import CheckContext, Example, Rule
from smguard.types import Finding, Post, Severity

PLUGIN = "secrets"

# Known token formats: (name shown to people, pattern). Checked only inside long tokens of the
# text (a combined pattern over the whole text would cost ~80 µs a post in Python's engine).
_TOKEN_FORMATS: tuple[tuple[str, str], ...] = (
    ("an AWS access key",
     r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
    ("a GitHub token", r"gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,}"),
    ("a GitLab token", r"glpat-[A-Za-z0-9_-]{20,}"),
    ("a Slack token", r"xox[baprse]-[A-Za-z0-9-]{10,}"),
    ("a Slack webhook", r"hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+"),
    ("a Discord webhook", r"discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{20,}"),
    ("a Google API key", r"AIza[0-9A-Za-z_-]{35}"),
    ("a Google OAuth token", r"ya29\.[0-9A-Za-z_-]{20,}"),
    ("a Stripe key", r"[sr]k_(?:live|test)_[0-9A-Za-z]{16,}"),
    ("an OpenAI / AI service key",
     r"sk-(?:proj-|svcacct-|admin-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{32,}"),
    ("a Telegram bot token", r"(?<!\d)\d{8,10}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])"),
    ("a Twilio key", r"SK[0-9a-fA-F]{32}(?![0-9a-fA-F])"),
    ("a SendGrid key", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    ("a login token (JWT)", r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    ("an npm token", r"npm_[A-Za-z0-9]{36}"),
    ("a Hugging Face token", r"hf_[A-Za-z0-9]{34}"),
    ("a Meta (Facebook/Instagram) access token", r"EAA[A-Za-z0-9]{80,}"),
    ("a Shopify token", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),
    ("a Mailgun key", r"key-[0-9a-f]{32}"),
)  # fmt: skip
_TOKEN_RE = re.compile(
    "|".join(f"(?P<t{i}>{pattern})" for i, (_, pattern) in enumerate(_TOKEN_FORMATS))
)
_TOKEN_NAMES_ID = {
    "an AWS access key": "kunci akses AWS",
    "a GitHub token": "token GitHub",
    "a GitLab token": "token GitLab",
    "a Slack token": "token Slack",
    "a Slack webhook": "webhook Slack",
    "a Discord webhook": "webhook Discord",
    "a Google API key": "kunci API Google",
    "a Google OAuth token": "token OAuth Google",
    "a Stripe key": "kunci Stripe",
    "an OpenAI / AI service key": "kunci layanan AI (OpenAI dan sejenisnya)",
    "a Telegram bot token": "token bot Telegram",
    "a Twilio key": "kunci Twilio",
    "a SendGrid key": "kunci SendGrid",
    "a login token (JWT)": "token login (JWT)",
    "an npm token": "token npm",
    "a Hugging Face token": "token Hugging Face",
    "a Meta (Facebook/Instagram) access token": "token akses Meta (Facebook/Instagram)",
    "a Shopify token": "token Shopify",
    "a Mailgun key": "kunci Mailgun",
}
_MIN_TOKEN = 16
_KEY_RUN_RE = re.compile(r"[\w-]{20}")

_PRIVATE_KEY_RE = re.compile(
    r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----"
    r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?"
)

# Password leaks, English and Indonesian. Matched on the lower-cased text.
_PASSWORD_RE = re.compile(
    r"""
    (?<![a-z])
    (?:
        (?P<kw>password|passwd|passcode|kata\s?sandi|katasandi|sandi)(?:-?nya)?
        (?:
            (?:\s+[\w@.]+){0,5}?\s*(?P<sep>[:=]|\bis\b|\badalah\b|\bialah\b)\s*  # wifi: x
          | (?:\s+(?:kamu|anda|kakak|kak|baru|lama|saya|aku|akun|nya))*\s+  # kata sandinya X
        )
      | (?P<short>pass|pwd|pw)\s*[:=]\s*                                    # pwd=x, pass: x
    )
    ["'`]?(?P<value>[^\s"'`]{4,64})
    """,
    re.VERBOSE,
)
_CODE_RE = re.compile(
    r"""
    (?<![a-z])
    (?P<kw>
        (?:kode\s+)?(?:otp|pin|m-?pin|cvv2?|cvc)
      | kode\s+(?:verifikasi|keamanan|akses|aktivasi)
      | (?:verification|security|access|activation|one[- ]time)\s+(?:code|pin|password)
    )
    (?:-?nya)?(?![a-z])
    (?:\s*(?:kamu|anda|kakak|kak|adalah|ialah|is|your|yours|baru|new|atm|:|=|-))*
    \s*(?P<value>\d{3,8})(?![\d,.]?\d)
    """,
    re.VERBOSE,
)
# "Example / avoid / weak" nearby: a post teaching good passwords, not leaking one.
_TEACHING_RE = re.compile(
    r"contoh|misal|seperti|hindari|jangan|lemah|bukan|example|e\.g\.|such as|avoid|never|"
    r"don'?t|do not|weak|instead of|ganti|bagikan|share"
)
_TEACHING_AFTER_RE = re.compile(
    r"contoh|lemah|weak|example|mudah ditebak|easy to guess|terlalu (?:pendek|mudah|umum)|"
    r"too (?:short|simple|common|weak)|paling (?:umum|banyak)|most common"
)
_PW_STOPWORDS = frozenset("""
    kamu anda yang baru lama ini itu dan harus wajib jangan minimal maksimal minimum maximum
    must should will your the and with without never please kami kita saya sudah belum bisa
    akan untuk dengan reset lupa forgot berisi terdiri mengandung contain contains karakter
    characters diganti changed diubah secara berkala rutin salah wrong benar correct kuat
    strong lemah weak
""".split())  # fmt: skip
_ASSIGN_RE = re.compile(
    r"""
    (?<![a-z])
    (?:api[_-]?key|apikey|api[_-]?secret|secret[_-]?key|client[_-]?secret|app[_-]?secret
      |access[_-]?token|auth[_-]?token|refresh[_-]?token|bearer[_-]?token|private[_-]?key
      |secret|token)
    ["']?\s*(?:[:=]|=>)\s*["']?
    (?P<value>[a-z0-9_\-/+.=]{16,})
    | (?<![a-z])bearer\s+(?P<bearer>[a-z0-9_\-.~+/]{20,}=*)
    """,
    re.VERBOSE,
)


def mask_secret(value: str) -> str:
    """``"ghp_abcdef..."`` → ``"ghp_***"``: the first four characters only (they name the
    kind of key, not the key)."""
    return value[:4] + "***"


def mask_password(value: str) -> str:
    """``"Rahasia123"`` → ``"Ra***"``: a password is short, so only two characters show."""
    return value[:2] + "***"


def mask_code(value: str) -> str:
    """``"482913"`` → ``"******"``: nothing of a PIN or one-time code is shown."""
    return "*" * len(value)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character: random keys score high, words low."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


# --------------------------------------------------------------------------------------------
# Settings


@dataclass(frozen=True, eq=False)
class SecretSettings:
    min_entropy: float = 3.0
    allow: frozenset[str] = frozenset()


_KNOWN_KEYS = ("min_entropy", "allow")


def parse_settings(options: Mapping[str, Any]) -> SecretSettings:
    """Validate ``[plugins.secrets]``; raise :class:`ConfigError` naming the bad key."""
    for key in options:
        if key not in _KNOWN_KEYS:
            raise ConfigError(
                f"plugins.secrets.{key}: unknown setting (known: {', '.join(_KNOWN_KEYS)})"
            )
    min_entropy = options.get("min_entropy", 3.0)
    if isinstance(min_entropy, bool) or not isinstance(min_entropy, int | float):
        raise ConfigError("plugins.secrets.min_entropy: must be a number between 1 and 6")
    if not 1 <= min_entropy <= 6:
        raise ConfigError("plugins.secrets.min_entropy: must be a number between 1 and 6")
    allow = options.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(v, str) and v for v in allow):
        raise ConfigError("plugins.secrets.allow: must be a list of strings (dummy values)")
    return SecretSettings(min_entropy=float(min_entropy), allow=frozenset(allow))


# --------------------------------------------------------------------------------------------
# Shared per-post helpers


def long_tokens(text: str) -> tuple[tuple[int, str], ...]:
    """Whitespace-separated tokens of at least 16 characters, with their offsets."""
    return _long_tokens(text)


@lru_cache(maxsize=1024)
def _long_tokens(text: str) -> tuple[tuple[int, str], ...]:
    out: list[tuple[int, str]] = []
    cursor = 0
    for tok in [t for t in text.split() if len(t) >= _MIN_TOKEN]:
        idx = text.find(tok, cursor)
        out.append((idx, tok))
        cursor = idx + len(tok)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TokenMatch:
    start: int
    end: int
    value: str
    kind: str


@lru_cache(maxsize=1024)
def _known_tokens(text: str) -> tuple[TokenMatch, ...]:
    out: list[TokenMatch] = []
    for offset, tok in _long_tokens(text):
        # Every known format holds a run of 20+ key characters; URLs and long words rarely do,
        # and this cheap test spares them the 19-way pattern.
        if _KEY_RUN_RE.search(tok) is None:
            continue
        for m in _TOKEN_RE.finditer(tok):
            kind = _TOKEN_FORMATS[int(str(m.lastgroup)[1:])][0]
            out.append(TokenMatch(offset + m.start(), offset + m.end(), m.group(), kind))
    return tuple(out)


def _teaching(low: str, start: int, end: int) -> bool:
    """Whether the words around a match say it is an example or advice."""
    before = low[max(0, start - 40) : start]
    return bool(_TEACHING_RE.search(before) or _TEACHING_AFTER_RE.search(low, end, end + 30))


def _looks_like_password(value: str) -> bool:
    if value.lower() in _PW_STOPWORDS:
        return False
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    has_inner_upper = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    return has_digit or has_symbol or has_inner_upper


# --------------------------------------------------------------------------------------------
# Rules


@dataclass(eq=False)
class SecretRule(Rule):
    settings: SecretSettings = field(default_factory=SecretSettings)


@dataclass(eq=False)
class TokenRule(SecretRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        out = []
        for tok in _known_tokens(post.text):
            if tok.value in self.settings.allow:
                continue
            kind_id = _TOKEN_NAMES_ID.get(tok.kind, tok.kind)
            message = {
                "en": f"This post contains {tok.kind}. Anyone who sees it can use it.",
                "id": f"Unggahan ini memuat {kind_id}. Siapa pun yang melihatnya bisa memakainya.",
            }
            out.append(
                self.finding(
                    span=(tok.start, tok.end), evidence=mask_secret(tok.value), message=message
                )
            )
        return out


@dataclass(eq=False)
class PrivateKeyRule(SecretRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        if "PRIVATE KEY" not in text:
            return ()
        return [
            self.finding(span=m.span(), evidence=f"-----BEGIN {m.group(1)}PRIVATE KEY-----")
            for m in _PRIVATE_KEY_RE.finditer(text)
        ]


@dataclass(eq=False)
class PasswordRule(SecretRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        low = ctx.lower
        if not ("pass" in low or "sandi" in low or "pw" in low):
            return ()
        if len(low) == len(text):
            matches: Iterable[re.Match[str]] = _at_keywords(_PASSWORD_RE, low, _PW_KEYWORDS)
        else:  # lower() changed the offsets (rare: "İ"); match the original text instead
            matches = _PASSWORD_CI_RE.finditer(text)
            low = text
        out = []
        for m in matches:
            start, end = m.span("value")
            value = text[start:end].rstrip(".,;:!?)]}\"'")
            end = start + len(value)
            explicit = m.group("sep") is not None or m.group("short") is not None
            if len(value) < 4 or not _looks_like_password(value):
                continue
            if not explicit and (m.group("kw") == "sandi" and "nya" not in m.group()):
                continue  # "Bang Sandi 2024" is a name, "sandinya X" or "sandi: X" a password
            if not explicit and value.isdigit():
                continue  # "password 123456 masih paling banyak dipakai" is a statistic
            if value.isdigit() and re.search(
                r"one[- ]time\s*$", low[max(0, m.start() - 10) : m.start()]
            ):
                continue  # "one-time password is 839201" is a code: SMG-SECRET-004
            if value in self.settings.allow or _teaching(low, m.start(), end):
                continue
            out.append(self.finding(span=(start, end), evidence=mask_password(value)))
        return out


_PASSWORD_CI_RE = re.compile(_PASSWORD_RE.pattern, re.VERBOSE | re.IGNORECASE)
_PW_KEYWORDS = ("pass", "pwd", "pw", "kata", "sandi")


@dataclass(eq=False)
class CodeRule(SecretRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        low = ctx.lower
        if not ("otp" in low or "pin" in low or "kode" in low or "code" in low or "cv" in low
                or "one-time" in low or "one time" in low):  # fmt: skip
            return ()
        if len(low) != len(text):
            return ()
        out = []
        for m in _at_keywords(_CODE_RE, low, _CODE_KEYWORDS):
            start, end = m.span("value")
            kw = m.group("kw")
            if len(m.group("value")) == 3 and not kw.startswith("cv"):
                continue  # only card security codes are three digits
            if _teaching(low, m.start(), end):
                continue
            out.append(self.finding(span=(start, end), evidence=mask_code(text[start:end])))
        return out


_CODE_KEYWORDS = ("otp", "pin", "m-pin", "mpin", "cvv", "cvc", "kode", "verification",
                  "security", "access", "activation", "one")  # fmt: skip


def _at_keywords(
    pattern: re.Pattern[str], low: str, keywords: Iterable[str]
) -> list[re.Match[str]]:
    """Matches of ``pattern`` that start where one of ``keywords`` starts a word.

    Scanning a whole post with a pattern that begins with a look-behind costs Python's engine
    at every position; finding the keywords with ``str.find`` and matching only there is an
    order of magnitude cheaper.
    """
    starts: set[int] = set()
    for kw in keywords:
        i = low.find(kw)
        while i != -1:
            if i == 0 or not low[i - 1].isalpha():
                starts.add(i)
            i = low.find(kw, i + 1)
    out: list[re.Match[str]] = []
    done = 0
    for i in sorted(starts):
        if i < done:
            continue
        m = pattern.match(low, i)
        if m is not None:
            out.append(m)
            done = m.end()
    return out


@dataclass(eq=False)
class AssignmentRule(SecretRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        tokens = _long_tokens(text)
        if not tokens:
            return ()
        low = ctx.lower
        if len(low) != len(text):
            return ()
        known = _known_tokens(text)
        out = []
        seen_end = -1
        for offset, tok in tokens:
            window_start = max(0, offset - 40, seen_end)
            window = low[window_start : offset + len(tok)]
            if not (
                "key" in window or "secret" in window or "token" in window or "bearer" in window
            ):
                continue
            for m in _ASSIGN_RE.finditer(low, window_start, offset + len(tok)):
                group = "value" if m.group("value") else "bearer"
                start, end = m.span(group)
                if start < offset:
                    continue  # the value must be this long token
                value = text[start:end].rstrip(".,;:!?)]}\"'")
                end = start + len(value)
                if value in self.settings.allow or any(
                    k.start < end and start < k.end for k in known
                ):
                    continue  # a known format is reported by SMG-SECRET-001
                if not _random_enough(value, self.settings.min_entropy):
                    continue
                out.append(self.finding(span=(start, end), evidence=mask_secret(value)))
                seen_end = end
        return out


def _random_enough(value: str, min_entropy: float) -> bool:
    if value.startswith(("http", "www.")) or "://" in value:
        return False
    has_alpha = any(c.isalpha() for c in value)
    has_digit = any(c.isdigit() for c in value)
    if not has_alpha or (not has_digit and len(value) < 32):
        return False
    return entropy(value) >= min_entropy


_ex = Example.of


_REVOKE = {
    "en": "Delete the post and revoke (rotate) the key now: once published, treat it as stolen.",
    "id": "Hapus unggahan dan cabut (ganti) kuncinya sekarang: begitu terbit, anggap sudah dicuri.",
}


def build_rules(settings: SecretSettings) -> list[Rule]:
    """The secret rules, configured."""
    common: dict[str, Any] = {"engine": PLUGIN, "category": "secret", "settings": settings}
    return [
        TokenRule(
            id="SMG-SECRET-001",
            name="api-key-or-token",
            severity=Severity.CRITICAL,
            message={
                "en": "This post contains an API key, access token or webhook address.",
                "id": "Unggahan ini memuat kunci API, token akses, atau alamat webhook.",
            },
            suggestion=_REVOKE,
            why={
                "en": "Keys and tokens (AWS, GitHub, Slack, Google, Stripe, OpenAI, Telegram "
                "bots, Meta …) let anyone act as your organisation: read data, spend money, "
                "post from your bots. Bots scan social media for them within minutes.",
                "id": "Kunci dan token (AWS, GitHub, Slack, Google, Stripe, OpenAI, bot "
                "Telegram, Meta …) memungkinkan siapa pun bertindak atas nama instansi Anda: "
                "membaca data, memakai dana, mengirim pesan lewat bot Anda. Bot pemindai "
                "menemukannya di media sosial dalam hitungan menit.",
            },
            examples=(
                _ex("Token bot kita: 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq", True),
                _ex("export AWS_ACCESS_KEY_ID=AKIA2E0A8F3B244C9986", True),
                _ex("Repo baru: https://github.com/kemkes/panduan-vaksinasi-2026", False),
            ),
            **common,
        ),
        PrivateKeyRule(
            id="SMG-SECRET-002",
            name="private-key",
            severity=Severity.CRITICAL,
            message={
                "en": "This post contains a private key.",
                "id": "Unggahan ini memuat kunci privat (private key).",
            },
            suggestion={
                "en": "Delete the post, replace the key pair and revoke the old one "
                "everywhere it is trusted.",
                "id": "Hapus unggahan, buat pasangan kunci baru, dan cabut kunci lama di semua "
                "tempat yang memercayainya.",
            },
            why={
                "en": "A private key (SSH, TLS, PGP) lets anyone impersonate your servers or "
                "staff and decrypt your traffic.",
                "id": "Kunci privat (SSH, TLS, PGP) memungkinkan siapa pun menyamar sebagai "
                "server atau staf Anda dan membuka lalu lintas terenkripsi Anda.",
            },
            examples=(
                _ex(
                    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                    "-----END OPENSSH PRIVATE KEY-----",
                    True,
                ),
                _ex("Jangan pernah membagikan private key server kepada siapa pun.", False),
            ),
            **common,
        ),
        PasswordRule(
            id="SMG-SECRET-003",
            name="password-in-post",
            severity=Severity.HIGH,
            message={
                "en": "This post seems to reveal a password.",
                "id": "Unggahan ini tampaknya membocorkan kata sandi.",
            },
            suggestion={
                "en": "Remove it and change that password now; share passwords only through "
                "your team's password manager or vault.",
                "id": "Hapus dan segera ganti kata sandi tersebut; bagikan kata sandi hanya "
                "lewat pengelola kata sandi (password manager) tim.",
            },
            why={
                "en": "Posts meant for a colleague (a Wi-Fi or account password) sometimes go "
                "to the public account instead. Advice about strong passwords and examples "
                "('contoh', 'hindari', 'e.g.') are not flagged.",
                "id": "Pesan untuk rekan kerja (kata sandi Wi-Fi atau akun) kadang terkirim ke "
                "akun publik. Tips kata sandi yang kuat dan contoh ('contoh', 'hindari', "
                "'misalnya') tidak ditandai.",
            },
            examples=(
                _ex("Password: Rahasia123", True),
                _ex("Tim, kata sandinya Jakarta2024! ya, jangan lupa logout.", True),
                _ex("Password wifi kantor: humas#2026", True),
                _ex("Password minimal 8 karakter dan wajib diganti tiap 90 hari.", False),
                _ex("Hindari password seperti Jakarta123 yang mudah ditebak.", False),
                _ex("Lupa kata sandi? Klik 'Lupa Password' di halaman login.", False),
            ),
            **common,
        ),
        CodeRule(
            id="SMG-SECRET-004",
            name="pin-or-otp-code",
            severity=Severity.HIGH,
            message={
                "en": "This post seems to reveal a PIN, one-time code (OTP) or card security code.",
                "id": "Unggahan ini tampaknya membocorkan PIN, kode sekali pakai (OTP), atau "
                "kode keamanan kartu.",
            },
            suggestion={
                "en": "Remove the code. If it is a real PIN or CVV, block or change it.",
                "id": "Hapus kodenya. Jika itu PIN atau CVV sungguhan, blokir atau ganti.",
            },
            why={
                "en": "OTP and PIN theft is the core of Indonesian account-takeover scams. "
                "Warnings such as 'jangan bagikan kode OTP' are good advice and are not "
                "flagged.",
                "id": "Pencurian OTP dan PIN adalah inti penipuan pengambilalihan akun di "
                "Indonesia. Peringatan seperti 'jangan bagikan kode OTP' adalah nasihat yang "
                "baik dan tidak ditandai.",
            },
            examples=(
                _ex("Kode OTP kamu 482913, masukkan di aplikasi ya Kak.", True),
                _ex("PIN: 123456", True),
                _ex("Jangan bagikan kode OTP kepada siapa pun, termasuk petugas bank.", False),
                _ex("OTP berlaku 5 menit. PIN terdiri dari 6 digit angka.", False),
            ),
            **common,
        ),
        AssignmentRule(
            id="SMG-SECRET-005",
            name="secret-assignment",
            severity=Severity.HIGH,
            message={
                "en": "This post contains what looks like a secret value (token=…, api_key=…).",
                "id": "Unggahan ini memuat nilai yang tampaknya rahasia (token=…, api_key=…).",
            },
            suggestion=_REVOKE,
            why={
                "en": "Configuration snippets pasted into a post carry keys whose format "
                "smguard does not know; a long random value after 'token=' or 'secret:' is "
                "treated as one.",
                "id": "Potongan konfigurasi yang ditempel ke unggahan membawa kunci yang "
                "formatnya tidak dikenal smguard; nilai acak panjang setelah 'token=' atau "
                "'secret:' dianggap kunci.",
            },
            examples=(
                _ex("config: api_key=9f8e7d6c5b4a39281706f5e4d3c2b1a0", True),
                _ex("Authorization: Bearer 4fK9xQ2mZr7TbW1nLp8sYv3cH6jD0aEu", True),
                _ex("Token antrean Anda: A-0123, silakan tunggu dipanggil.", False),
            ),
            **common,
        ),
    ]


@hookimpl
def register_rules(register: Callable[[Rule], None], config: Config) -> None:
    settings = parse_settings(config.plugin(PLUGIN))
    for rule in build_rules(settings):
        register(rule)
