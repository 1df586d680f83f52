"""The five secret code rules (SMG-SECRET-001 … 005), with their texts and examples."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from smguard.guard.rule import CheckContext, Example, Rule
from smguard.types import Finding, Post, Severity

from .find import (
    at_keywords,
    known_tokens,
    long_tokens,
    looks_like_password,
    random_enough,
    teaching,
)
from .formats import placeholder
from .mask import mask_code, mask_password, mask_secret
from .patterns import (
    ASSIGN_RE,
    CODE_KEYWORDS,
    CODE_RE,
    MIN_TOKEN,
    PASSWORD_CI_RE,
    PASSWORD_RE,
    PRIVATE_KEY_RE,
    PW_KEYWORDS,
    token_names_id,
)
from .settings import SecretSettings

__all__ = ["PLUGIN", "build_rules", "has_long_token"]

PLUGIN = "secrets"

# A run of non-space characters as long as the shortest token the finders look at
# (``str.split`` and ``\s`` agree on what a space is).
_LONG_RUN_RE = re.compile(rf"\S{{{MIN_TOKEN}}}")


def has_long_token(post: Post, ctx: CheckContext) -> bool:
    """The gate of the token and assignment rules: both look only at long tokens."""
    return _LONG_RUN_RE.search(post.text) is not None


@dataclass(eq=False)
class SecretRule(Rule):
    settings: SecretSettings = field(default_factory=SecretSettings)


_PLACEHOLDER_SUGGESTION = {
    "en": "Nothing to revoke if this is a documentation example; check it is not a real key.",
    "id": "Tidak perlu dicabut jika ini contoh dokumentasi; pastikan ini bukan kunci asli.",
}


def _placeholder_message(kind_en: str, kind_id: str) -> dict[str, str]:
    return {
        "en": f"This post shows {kind_en} that looks like a placeholder or documentation "
        "example (not a real key).",
        "id": f"Unggahan ini menampilkan {kind_id} yang tampaknya contoh atau pengganti "
        "(bukan kunci asli).",
    }


@dataclass(eq=False)
class TokenRule(SecretRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        out = []
        for tok in known_tokens(post.text):
            if tok.value in self.settings.allow:
                continue
            kind_id = token_names_id().get(tok.kind, tok.kind)
            if tok.placeholder:
                out.append(
                    self.finding(
                        span=(tok.start, tok.end),
                        evidence=mask_secret(tok.value),
                        severity=Severity.INFO,
                        message=_placeholder_message(tok.kind, kind_id),
                        suggestion=_PLACEHOLDER_SUGGESTION,
                    )
                )
                continue
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
            for m in PRIVATE_KEY_RE.finditer(text)
        ]


@dataclass(eq=False)
class PasswordRule(SecretRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        low = ctx.lower
        if not ("pass" in low or "sandi" in low or "pw" in low):
            return ()
        if len(low) == len(text):
            matches: Iterable[re.Match[str]] = at_keywords(PASSWORD_RE, low, PW_KEYWORDS)
        else:  # lower() changed the offsets (rare: "İ"); match the original text instead
            matches = PASSWORD_CI_RE.finditer(text)
            low = text
        out = []
        for m in matches:
            start, end = m.span("value")
            value = text[start:end].rstrip(".,;:!?)]}\"'")
            end = start + len(value)
            explicit = m.group("sep") is not None or m.group("short") is not None
            if len(value) < 4 or not looks_like_password(value):
                continue
            if value.lower().startswith(("http://", "https://", "www.")):
                continue  # "reset your password here: https://…" points to a page
            if not explicit and (m.group("kw") == "sandi" and "nya" not in m.group()):
                continue  # "Bang Sandi 2024" is a name, "sandinya X" or "sandi: X" a password
            if not explicit and value.isdigit():
                continue  # "password 123456 masih paling banyak dipakai" is a statistic
            if value.isdigit() and re.search(
                r"one[- ]time\s*$", low[max(0, m.start() - 10) : m.start()]
            ):
                continue  # "one-time password is 839201" is a code: SMG-SECRET-004
            if value in self.settings.allow or teaching(low, m.start(), end):
                continue
            if placeholder(value):
                continue  # "password: ********", "<your password>", "${DB_PASSWORD}"
            out.append(self.finding(span=(start, end), evidence=mask_password(value)))
        return out


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
        for m in at_keywords(CODE_RE, low, CODE_KEYWORDS):
            start, end = m.span("value")
            kw = m.group("kw")
            if len(m.group("value")) == 3 and not kw.startswith("cv"):
                continue  # only card security codes are three digits
            if teaching(low, m.start(), end):
                continue
            out.append(self.finding(span=(start, end), evidence=mask_code(text[start:end])))
        return out


@dataclass(eq=False)
class AssignmentRule(SecretRule):
    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        text = post.text
        tokens = long_tokens(text)
        if not tokens:
            return ()
        low = ctx.lower
        if len(low) != len(text):
            return ()
        known = known_tokens(text)
        out = []
        seen_end = -1
        for offset, tok in tokens:
            window_start = max(0, offset - 40, seen_end)
            window = low[window_start : offset + len(tok)]
            if not (
                "key" in window or "secret" in window or "token" in window or "bearer" in window
            ):
                continue
            for m in ASSIGN_RE.finditer(low, window_start, offset + len(tok)):
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
                if not random_enough(value, self.settings.min_entropy):
                    continue
                if placeholder(value):
                    out.append(
                        self.finding(
                            span=(start, end),
                            evidence=mask_secret(value),
                            severity=Severity.INFO,
                            message=_placeholder_message("a secret value", "nilai rahasia"),
                            suggestion=_PLACEHOLDER_SUGGESTION,
                        )
                    )
                    seen_end = end
                    continue
                out.append(self.finding(span=(start, end), evidence=mask_secret(value)))
                seen_end = end
        return out


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
            gate=has_long_token,
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
            gate=has_long_token,
            **common,
        ),
    ]
