"""What the secret rules look for: known key and token formats (with their names in English
and Indonesian), private key blocks, password and one-time code phrases, ``key = value``
assignments, and the words that mark a post as advice rather than a leak."""

from __future__ import annotations

import re

__all__ = [
    "ASSIGN_RE",
    "CODE_KEYWORDS",
    "CODE_RE",
    "KEY_RUN_RE",
    "MIN_TOKEN",
    "PASSWORD_CI_RE",
    "PASSWORD_RE",
    "PRIVATE_KEY_RE",
    "PW_KEYWORDS",
    "PW_STOPWORDS",
    "TEACHING_AFTER_RE",
    "TEACHING_RE",
    "TOKEN_FORMATS",
    "TOKEN_NAMES_ID",
    "TOKEN_RE",
]

# Known token formats: (name shown to people, pattern). Checked only inside long tokens of the
# text (a combined pattern over the whole text would cost ~80 µs a post in Python's engine).
TOKEN_FORMATS: tuple[tuple[str, str], ...] = (
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
TOKEN_RE = re.compile(
    "|".join(f"(?P<t{i}>{pattern})" for i, (_, pattern) in enumerate(TOKEN_FORMATS))
)
TOKEN_NAMES_ID = {
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
MIN_TOKEN = 16
KEY_RUN_RE = re.compile(r"[\w-]{20}")

PRIVATE_KEY_RE = re.compile(
    r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----"
    r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?"
)

# Password leaks, English and Indonesian. Matched on the lower-cased text.
PASSWORD_RE = re.compile(
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
CODE_RE = re.compile(
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
TEACHING_RE = re.compile(
    r"contoh|misal|seperti|hindari|jangan|lemah|bukan|example|e\.g\.|such as|avoid|never|"
    r"don'?t|do not|weak|instead of|ganti|bagikan|share"
)
TEACHING_AFTER_RE = re.compile(
    r"contoh|lemah|weak|example|mudah ditebak|easy to guess|terlalu (?:pendek|mudah|umum)|"
    r"too (?:short|simple|common|weak)|paling (?:umum|banyak)|most common"
)
PW_STOPWORDS = frozenset("""
    kamu anda yang baru lama ini itu dan harus wajib jangan minimal maksimal minimum maximum
    must should will your the and with without never please kami kita saya sudah belum bisa
    akan untuk dengan reset lupa forgot berisi terdiri mengandung contain contains karakter
    characters diganti changed diubah secara berkala rutin salah wrong benar correct kuat
    strong lemah weak
""".split())  # fmt: skip
ASSIGN_RE = re.compile(
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
# For the rare post whose lower-casing shifts the offsets ("İ"): match the original text.
PASSWORD_CI_RE = re.compile(PASSWORD_RE.pattern, re.VERBOSE | re.IGNORECASE)
# Where a password or code match may start (see find.at_keywords).
PW_KEYWORDS = ("pass", "pwd", "pw", "kata", "sandi")
CODE_KEYWORDS = ("otp", "pin", "m-pin", "mpin", "cvv", "cvc", "kode", "verification",
                 "security", "access", "activation", "one")  # fmt: skip
