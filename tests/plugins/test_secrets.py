"""The secrets plugin: API keys and tokens, private keys, passwords, PIN/OTP codes and
``token=...`` values, with masked evidence."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
from smguard.plugins import secrets
from smguard.plugins.secrets.find import entropy

from smguard.config import Config
from smguard.errors import ConfigError
from smguard.guard.rule import CheckContext, Rule
from smguard.guard.ruletest import run_examples
from smguard.types import Finding, Post, Severity
from tests.support.guards import make_guard

TOKEN, PRIVATE_KEY, PASSWORD, CODE, ASSIGNMENT = (f"SMG-SECRET-00{n}" for n in range(1, 6))
ALL_IDS = (TOKEN, PRIVATE_KEY, PASSWORD, CODE, ASSIGNMENT)

_rng = random.Random(20260817)


def rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    """Random key material, made up here so that no real-looking key sits in the repository."""
    return "".join(_rng.choice(alphabet) for _ in range(n))


UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"


def rules(config: dict[str, Any] | None = None) -> dict[str, Rule]:
    found: list[Rule] = []
    secrets.register_rules(found.append, Config.from_dict(config or {}))
    return {r.id: r for r in found}


def check(rule_id: str, text: str, config: dict[str, Any] | None = None) -> list[Finding]:
    cfg = Config.from_dict(config or {})
    post = Post(text=text)
    ctx = CheckContext(post, frozenset({"id", "en"}), cfg, cfg.account(None))
    return list(rules(config)[rule_id].check(post, ctx))


def spanned(text: str, finding: Finding) -> str:
    assert finding.span is not None
    return text[finding.span[0] : finding.span[1]]


CLEAN_POSTS = [
    "Waspada penipuan! Kami tidak pernah meminta kode OTP, PIN, atau password melalui telepon.",
    "Jangan bagikan kode OTP kepada siapa pun, termasuk petugas bank.",
    "Password minimal 8 karakter, kombinasi huruf dan angka, dan wajib diganti tiap 90 hari.",
    "Hindari password seperti Jakarta123 atau qwerty yang mudah ditebak.",
    "Lupa kata sandi? Klik 'Lupa Password' di halaman login aplikasi.",
    "OTP berlaku 5 menit. PIN terdiri dari 6 digit angka.",
    "Token antrean Anda: A-0123, silakan tunggu dipanggil.",
    "Repo panduan: https://github.com/kemkes/panduan-vaksinasi-2026",
    "Bang Sandi 2024 hadir di acara UMKM Naik Kelas.",
    "Password 123456 masih jadi yang paling banyak dipakai di Indonesia.",
    "Please keep your PIN and OTP to yourself; we will never ask for them.",
    "Pinjaman online ilegal marak, cek daftar resmi di https://www.ojk.go.id",
]


@pytest.mark.parametrize("text", CLEAN_POSTS)
def test_clean_posts_raise_nothing(text: str) -> None:
    for rule_id in ALL_IDS:
        assert check(rule_id, text) == [], rule_id


def test_every_rule_is_documented_in_both_languages() -> None:
    for rule in rules().values():
        assert rule.engine == "secrets" and rule.category == "secret"
        for field in (rule.message, rule.why, rule.suggestion):
            assert field and field.get("en", "").strip() and field.get("id", "").strip(), rule.id


def test_examples_hold_through_the_guard() -> None:
    guard = make_guard([secrets])
    for rule in guard.all_rules:
        failed = [r.describe() for r in run_examples(guard, rule) if not r.passed]
        assert failed == [], rule.id


# -- SMG-SECRET-001 known key formats -------------------------------------------------------------

SLACK_HOOK = f"https://hooks.slack.com/services/T{rand(8, UPPER_DIGITS)}/B{rand(8, UPPER_DIGITS)}/"
DISCORD_HOOK = f"https://discord.com/api/webhooks/{rand(18, string.digits)}/"
KEYS = [
    ("AWS", "AKIA" + rand(16, UPPER_DIGITS)),
    ("GitHub", "ghp_" + rand(36)),
    ("GitHub", "github_pat_" + rand(22) + "_" + rand(59)),
    ("GitLab", "glpat-" + rand(20)),
    ("Slack", "xoxb-" + rand(12, string.digits) + "-" + rand(24)),
    ("Slack webhook", SLACK_HOOK + rand(24)),
    ("Discord webhook", DISCORD_HOOK + rand(68)),
    ("Google API", "AIza" + rand(35)),
    ("Stripe", "sk_live_" + rand(24)),
    ("OpenAI", "sk-proj-" + rand(48)),
    ("Telegram", rand(9, string.digits) + ":AA" + rand(33)),
    ("SendGrid", "SG." + rand(22) + "." + rand(43)),
    ("JWT", "eyJ" + rand(30) + ".eyJ" + rand(40) + "." + rand(43)),
    ("npm", "npm_" + rand(36)),
    ("Hugging Face", "hf_" + rand(34)),
    ("Meta", "EAA" + rand(120)),
    ("Twilio", "SK" + rand(32, HEX)),
]


@pytest.mark.parametrize(("service", "key"), KEYS, ids=[s for s, _ in KEYS])
def test_known_keys_are_critical_and_masked(service: str, key: str) -> None:
    text = f"Tim, ini kuncinya ya: {key} jangan disebar"
    (finding,) = check(TOKEN, text)
    assert finding.severity == Severity.CRITICAL
    assert spanned(text, finding) in key
    assert finding.evidence == spanned(text, finding)[:4] + "***"
    assert key not in (finding.evidence or "")
    assert service.split()[0].lower() in finding.message["en"].lower() or service == "JWT"


def test_key_inside_an_assignment_is_reported_once() -> None:
    key = "AKIA" + rand(16, UPPER_DIGITS)
    text = f"export AWS_ACCESS_KEY_ID={key}"
    (finding,) = check(TOKEN, text)
    assert spanned(text, finding) == key
    assert check(ASSIGNMENT, f"api_key={key}") == []


def test_allowed_dummy_key() -> None:
    config = {"plugins": {"secrets": {"allow": ["AKIAIOSFODNN7EXAMPLE"]}}}
    assert check(TOKEN, "Contoh: AKIAIOSFODNN7EXAMPLE", config=config) == []
    assert check(TOKEN, "Contoh: AKIAIOSFODNN7EXAMPLE")


# -- SMG-SECRET-002 private keys -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["RSA ", "OPENSSH ", "EC ", "ENCRYPTED ", ""])
def test_private_key_blocks(kind: str) -> None:
    body = rand(64, string.ascii_letters + string.digits + "+/")
    begin, end = f"-----BEGIN {kind}PRIVATE KEY-----", f"-----END {kind}PRIVATE KEY-----"
    text = f"Ini key server:\n{begin}\n{body}\n{end}"
    (finding,) = check(PRIVATE_KEY, text)
    assert finding.severity == Severity.CRITICAL
    assert spanned(text, finding).startswith("-----BEGIN") and spanned(text, finding).endswith(
        "-----"
    )
    assert body not in (finding.evidence or "")


def test_public_key_is_not_a_private_key() -> None:
    assert check(PRIVATE_KEY, "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----") == []


# -- SMG-SECRET-003 passwords --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Password: Rahasia123", "Rahasia123"),
        ("Tim, kata sandinya Jakarta2024! ya, jangan lupa logout.", "Jakarta2024"),
        ("Password wifi kantor: humas#2026", "humas#2026"),
        ("user: admin pass: admin123", "admin123"),
        ("pwd=S3cr3tKey", "S3cr3tKey"),
        ("Sandi: Kemkes2026", "Kemkes2026"),
        ("The password is Hunter2", "Hunter2"),
        ("Password akun IG kita: KemkesRI#01", "KemkesRI#01"),
        ("kata sandi baru kamu adalah p@ssw0rd", "p@ssw0rd"),
        (
            "Tim medsos, password akun IG yang baru: Kemenkes#Sehat2026, jangan disebar ya",
            "Kemenkes#Sehat2026",
        ),
    ],
)
def test_passwords_are_high_and_masked(text: str, value: str) -> None:
    (finding,) = check(PASSWORD, text)
    assert finding.severity == Severity.HIGH
    assert spanned(text, finding) == value
    assert finding.evidence == value[:2] + "***"


@pytest.mark.parametrize(
    "text",
    [
        "Password 'qwerty123' termasuk yang paling lemah",
        "Contoh password kuat: Gunung#Biru2026",
        "password: Abc12345 adalah contoh password lemah",
        "Password kamu harus minimal 8 karakter",
        "Masukkan password lalu tekan Login",
    ],
)
def test_password_advice_is_not_a_leak(text: str) -> None:
    assert check(PASSWORD, text) == []


def test_quoted_password() -> None:
    text = "Password: 'Rahasia123' ya tim"
    (finding,) = check(PASSWORD, text)
    assert spanned(text, finding) == "Rahasia123"


# -- SMG-SECRET-004 PIN, OTP, CVV ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kode OTP kamu 482913, masukkan di aplikasi ya Kak.", "482913"),
        ("PIN: 123456", "123456"),
        ("kode OTP-nya 771204", "771204"),
        ("Kode verifikasi: 5521", "5521"),
        ("Your one-time password is 839201.", "839201"),
        ("Your verification code is 4417", "4417"),
        ("CVV 123", "123"),
        ("PIN ATM 9081", "9081"),
    ],
)
def test_codes_are_high_and_fully_masked(text: str, code: str) -> None:
    (finding,) = check(CODE, text)
    assert finding.severity == Severity.HIGH
    assert spanned(text, finding) == code
    assert finding.evidence == "*" * len(code)
    assert check(PASSWORD, text) == []  # reported once


@pytest.mark.parametrize(
    "text",
    [
        "PIN 6 digit wajib diganti berkala",
        "Kode OTP 123456 hanya contoh, jangan bagikan kode asli",
        "Reset PIN di ATM terdekat, buka 24 jam",
        "Pinjaman 5000000 cair hari ini",
        "Kode promo HEMAT50 berlaku sampai 31-08-2026",
        "Kode pos 40115",
    ],
)
def test_advice_and_other_numbers_are_not_codes(text: str) -> None:
    assert check(CODE, text) == []


# -- SMG-SECRET-005 key=value secrets ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "config: api_key=" + rand(32, HEX),
        "Authorization: Bearer " + rand(32),
        'client_secret: "' + rand(40) + '"',
        "SECRET_KEY = " + rand(24) + "9",
    ],
)
def test_random_values_after_secret_names(text: str) -> None:
    (finding,) = check(ASSIGNMENT, text)
    assert finding.severity == Severity.HIGH
    assert len(finding.evidence or "") == 7


@pytest.mark.parametrize(
    "text",
    [
        "token=aaaaaaaaaaaaaaaaaaaaaaaa",
        "api_key=https://example.com/docs/api-keys",
        "secret: rahasia-negara-yang-panjang",
        "Kirim token=" + "ab" * 4,
    ],
)
def test_plain_values_are_not_secrets(text: str) -> None:
    assert check(ASSIGNMENT, text) == []


def test_entropy() -> None:
    assert entropy("aaaaaaaa") == 0
    assert entropy(rand(32)) > 4


def test_guard_blocks_a_leaked_key() -> None:
    guard = make_guard([secrets])
    assert guard.check("Token bot: " + rand(9, string.digits) + ":AA" + rand(33)).decision == (
        "block"
    )
    assert guard.check(CLEAN_POSTS[0]).decision == "allow"


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"entropy": 3}, "plugins.secrets.entropy: unknown setting"),
        ({"min_entropy": "high"}, "plugins.secrets.min_entropy: must be a number"),
        ({"min_entropy": 9}, "plugins.secrets.min_entropy: must be a number from 1 to 6"),
        ({"allow": "AKIA"}, "plugins.secrets.allow: must be a list"),
    ],
)
def test_config_errors_name_the_key(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        rules({"plugins": {"secrets": options}})
    assert str(err.value).startswith(message)


def test_a_link_after_password_is_where_to_reset_it_not_a_password() -> None:
    assert check(PASSWORD, "You can reset your password here: https://example.com/forgot") == []
    assert check(PASSWORD, "Atur ulang kata sandi di: https://contoh.go.id/lupa-sandi") == []
    assert check(PASSWORD, "password: Rahasia123")
