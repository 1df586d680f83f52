"""What the secret rules look for: known key and token formats (with their names in English
and Indonesian), private key blocks, password and one-time code phrases, ``key = value``
assignments, and the words that mark a post as advice rather than a leak."""

from __future__ import annotations

import re
from functools import cache

from .formats import formats

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
    "token_names_id",
]

# Known token formats are read from rules/secrets/token_formats.yaml (.formats) on first use:
# most posts hold no long token, and a one-post check should not pay for compiling them. They
# are looked for only inside long tokens of the text (.find.known_tokens).


@cache
def token_names_id() -> dict[str, str]:
    """English format name → Indonesian name."""
    return {f.name_en: f.name_id for f in formats()}


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
            (?:[ \t]+[\w@.]+){0,5}?["']?[ \t]*(?P<sep>[:=]|\bis\b|\badalah\b|\bialah\b)[ \t]*
          | (?:[ \t]+(?:kamu|anda|kakak|kak|baru|lama|saya|aku|akun|nya))*[ \t]+  # sandinya X
        )
      | (?P<short>pass|pwd|pw)[ \t]*[:=][ \t]*                              # pwd=x, pass: x
    )
    # (a value ends at the line: "Password:" then a new line is a heading, not a leak)
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
    [\w.-]{0,24}?                 # aws_SECRET_access_key =, private_KEY_id:, SECRET_KEY_BASE=
    ["']?\s*(?:[:=]|=>|:=)\s*["']?
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
