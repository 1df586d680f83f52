"""Recall and false alarms of the secret rules, per secret type, on a generated corpus.

The corpus covers the formats of the published rule sets (gitleaks, detect-secrets): for each
type, posts that leak a value of that format (positives) and posts that look alike but leak
nothing (negatives: placeholders, documentation keys, fillers, near misses). Every value is made
up here from a fixed seed; nothing is copied from anyone's data.

A positive counts as *found* when the guard reports a secret finding of severity high or
critical in it (what blocks a post); a negative is a *false alarm* when it does. A placeholder
lowered to a note is not a false alarm.

    python benchmarks/secrets_corpus.py              # table
    python benchmarks/secrets_corpus.py --json       # one JSON object
    python benchmarks/secrets_corpus.py --per-type 40 --seed 7
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import string
import sys
from collections.abc import Callable
from dataclasses import dataclass

from smguard.config import Config
from smguard.guard.engine import Guard

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "_-"
B64 = ALNUM + "+/"

#: Sentences a post wraps a value in (the value is ``{}``).
WRAPS = (
    "Tim, ini kuncinya: {} tolong dipakai untuk deploy nanti malam.",
    "Here is the key for the staging box {} thanks!",
    "config:\n{}\nsudah saya update ya",
    "{}",
    "Pakai ini dulu ya {} nanti diganti",
)


@dataclass(frozen=True)
class Case:
    kind: str
    text: str
    positive: bool


def run_of(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def mixed(rng: random.Random, alphabet: str, n: int) -> str:
    """A random run with at least one digit and one letter (as real keys have)."""
    while True:
        value = run_of(rng, alphabet, n)
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


def b64url(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# -- positives: one generator per type -----------------------------------------------------------

Gen = Callable[[random.Random], str]


def _aws_id(r: random.Random) -> str:
    return r.choice(["AKIA", "ASIA", "ABIA", "ACCA", "A3T" + r.choice(UPPER)]) + mixed(
        r, UPPER + "234567", 16
    )


def _aws_secret(r: random.Random) -> str:
    value = mixed(r, B64, 40)
    return r.choice(
        [
            f"aws_secret_access_key = {value}",
            f"AWS_SECRET_ACCESS_KEY={value}",
            f'"aws_secret_access_key": "{value}"',
            f"export AWS_SECRET_ACCESS_KEY='{value}'",
        ]
    )


def _github(r: random.Random) -> str:
    if r.random() < 0.2:
        return "github_pat_" + mixed(r, ALNUM, 22) + "_" + mixed(r, ALNUM, 59)
    return "gh" + r.choice("pousr") + "_" + mixed(r, ALNUM, 36)


def _gitlab(r: random.Random) -> str:
    return r.choice(
        [
            "glpat-" + mixed(r, URLSAFE, 20),
            "gldt-" + mixed(r, URLSAFE, 20),
            "glrt-" + mixed(r, URLSAFE, 20),
            "glptt-" + mixed(r, HEX, 40),
            "GR1348941" + mixed(r, URLSAFE, 20),
            "glcbt-" + mixed(r, URLSAFE, 20),
            "glft-" + mixed(r, URLSAFE, 20),
            "glimt-" + mixed(r, URLSAFE, 25),
            "glagent-" + mixed(r, URLSAFE, 50),
            "gloas-" + mixed(r, URLSAFE, 64),
            "glsoat-" + mixed(r, URLSAFE, 20),
        ]
    )


def _slack(r: random.Random) -> str:
    n = lambda k: run_of(r, DIGITS, k)  # noqa: E731
    return r.choice(
        [
            f"xoxb-{n(12)}-{n(13)}-{mixed(r, ALNUM, 24)}",
            f"xoxp-{n(12)}-{n(12)}-{n(13)}-{mixed(r, HEX, 32)}",
            f"xapp-1-A{mixed(r, UPPER + DIGITS, 10)}-{n(13)}-{mixed(r, HEX, 64)}",
            f"xoxo-{n(12)}-{mixed(r, ALNUM, 24)}",
            f"xoxe.xoxp-1-{mixed(r, ALNUM, 140)}",
            f"xoxa-2-{n(12)}-{mixed(r, ALNUM, 24)}",
        ]
    )


def _slack_webhook(r: random.Random) -> str:
    return (
        f"https://hooks.slack.com/services/T{mixed(r, UPPER + DIGITS, 10)}/"
        f"B{mixed(r, UPPER + DIGITS, 10)}/{mixed(r, ALNUM, 24)}"
    )


def _discord_bot(r: random.Random) -> str:
    first = r.choice("MNO") + mixed(r, ALNUM, 23)
    return f"{first}.{mixed(r, URLSAFE, 6)}.{mixed(r, URLSAFE, 27)}"


def _discord_webhook(r: random.Random) -> str:
    return f"https://discord.com/api/webhooks/{run_of(r, DIGITS, 18)}/{mixed(r, URLSAFE, 68)}"


def _google(r: random.Random) -> str:
    return "AIza" + mixed(r, URLSAFE, 35)


def _stripe(r: random.Random) -> str:
    return r.choice(["sk", "rk"]) + "_" + r.choice(["live", "test"]) + "_" + mixed(r, ALNUM, 24)


def _openai(r: random.Random) -> str:
    return "sk-proj-" + mixed(r, URLSAFE, 48) if r.random() < 0.5 else "sk-" + mixed(r, ALNUM, 48)


def _telegram(r: random.Random) -> str:
    return f"{r.randint(10**8, 10**10 - 1)}:AA{mixed(r, URLSAFE, 33)}"


def _twilio(r: random.Random) -> str:
    return "SK" + mixed(r, HEX, 32)


def _sendgrid(r: random.Random) -> str:
    return f"SG.{mixed(r, URLSAFE, 22)}.{mixed(r, URLSAFE, 43)}"


def _jwt(r: random.Random) -> str:
    head = b64url({"alg": "HS256", "typ": "JWT"})
    body = b64url({"sub": run_of(r, DIGITS, 8), "iat": r.randint(1.6e9, 1.8e9)})
    return f"{head}.{body}.{mixed(r, URLSAFE, 43)}"


def _jwt_unsigned(r: random.Random) -> str:
    head = b64url({"alg": "none", "typ": "JWT"})
    body = b64url({"sub": run_of(r, DIGITS, 8), "role": r.choice(["admin", "editor"])})
    return f"{head}.{body}." if r.random() < 0.5 else f"{head}.{body}"


def _npm(r: random.Random) -> str:
    return "npm_" + mixed(r, ALNUM, 36)


def _huggingface(r: random.Random) -> str:
    return "hf_" + mixed(r, ALNUM, 34)


def _pypi(r: random.Random) -> str:
    return "pypi-AgEIcHlwaS5vcmc" + mixed(r, URLSAFE, 70)


def _mailchimp(r: random.Random) -> str:
    return mixed(r, HEX, 32) + f"-us{r.randint(1, 21)}"


def _mailgun(r: random.Random) -> str:
    return "key-" + mixed(r, HEX, 32)


def _shopify(r: random.Random) -> str:
    return r.choice(["shpat_", "shpss_", "shpca_", "shppa_"]) + mixed(r, HEX, 32)


def _url_credentials(r: random.Random) -> str:
    user = r.choice(["admin", "deploy", "humas", "svc_bot", "root"])
    secret = mixed(r, ALNUM + "!$*", 14)
    host = r.choice(["db.kemcontoh.example", "10.20.1.5:5432", "ftp.dinas.example"])
    scheme = r.choice(["https", "postgres", "ftp", "mongodb+srv", "redis"])
    return f"{scheme}://{user}:{secret}@{host}/"


def _generic(r: random.Random) -> str:
    key = r.choice(
        ["api_key", "client_secret", "SECRET_KEY", "auth_token", "app_secret", "db_password",
         "apiKey", "access_token", "DJANGO_SECRET_KEY", "private_key_id"]
    )  # fmt: skip
    value = mixed(r, ALNUM + "_-", r.randint(24, 48))
    return r.choice(
        [f"{key} = {value}", f'{key}: "{value}"', f"{key}={value}", f'"{key}":"{value}"']
    )


def _private_key(r: random.Random) -> str:
    kind = r.choice(["RSA ", "EC ", "OPENSSH ", ""])
    body = "\n".join(mixed(r, B64, 64) for _ in range(3))
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"


def _password(r: random.Random) -> str:
    value = (
        r.choice(["Humas", "Kemen", "Layanan", "Admin"])
        + str(r.randint(10, 9999))
        + r.choice("!#@$")
    )
    return r.choice(
        [f"Password: {value}", f"password wifi kantor: {value}", f"kata sandinya {value} ya",
         f"pwd={value}"]
    )  # fmt: skip


POSITIVES: dict[str, Gen] = {
    "aws-access-key": _aws_id,
    "aws-secret-key": _aws_secret,
    "github-token": _github,
    "gitlab-token": _gitlab,
    "slack-token": _slack,
    "slack-webhook": _slack_webhook,
    "discord-bot-token": _discord_bot,
    "discord-webhook": _discord_webhook,
    "google-api-key": _google,
    "stripe-key": _stripe,
    "openai-key": _openai,
    "telegram-bot-token": _telegram,
    "twilio-key": _twilio,
    "sendgrid-key": _sendgrid,
    "jwt": _jwt,
    "jwt-unsigned": _jwt_unsigned,
    "npm-token": _npm,
    "huggingface-token": _huggingface,
    "pypi-token": _pypi,
    "mailchimp-key": _mailchimp,
    "mailgun-key": _mailgun,
    "shopify-token": _shopify,
    "url-credentials": _url_credentials,
    "generic-assignment": _generic,
    "private-key": _private_key,
    "password": _password,
}

# -- negatives: look-alikes that leak nothing ----------------------------------------------------


def _fill(prefix: str, char: str, n: int) -> str:
    return prefix + char * n


NEGATIVES: dict[str, list[Callable[[random.Random], str]]] = {
    "aws-access-key": [
        lambda r: "AKIAIOSFODNN7EXAMPLE",
        lambda r: _fill("AKIA", "X", 16),
        lambda r: "AKIA" + "0" * 16,
        lambda r: "Format kunci AWS diawali AKIA lalu 16 karakter.",
    ],
    "aws-secret-key": [
        lambda r: "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        lambda r: "AWS_SECRET_ACCESS_KEY=your-secret-access-key-here",
        lambda r: "AWS_SECRET_ACCESS_KEY=" + "x" * 40,
        lambda r: "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}",
    ],
    "github-token": [
        lambda r: _fill("ghp_", "x", 36),
        lambda r: _fill("ghp_", "X", 36),
        lambda r: "ghp_" + "0" * 36,
        lambda r: "Token GitHub diawali ghp_ dan jangan pernah dibagikan.",
    ],
    "gitlab-token": [
        lambda r: _fill("glpat-", "x", 20),
        lambda r: "glrt-" + "X" * 20,
        lambda r: "GR1348941" + "x" * 20,
    ],
    "slack-token": [
        lambda r: "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx",
        lambda r: "xoxp-000000000000-000000000000-000000000000-" + "0" * 32,
        lambda r: "xoxb-your-bot-token-here",
    ],
    "slack-webhook": [
        lambda r: "https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX",
    ],
    "discord-bot-token": [
        lambda r: "Token bot Discord bentuknya tiga bagian dipisah titik.",
        lambda r: "MTEx" + "x" * 20 + ".xxxxxx." + "x" * 27,
    ],
    "discord-webhook": [
        lambda r: "https://discord.com/api/webhooks/000000000000000000/" + "x" * 68,
    ],
    "google-api-key": [
        lambda r: "AIza" + "x" * 35,
        lambda r: "AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    ],
    "stripe-key": [
        lambda r: "sk_test_" + "x" * 24,
        lambda r: "sk_live_" + "0" * 24,
    ],
    "openai-key": [
        lambda r: "sk-" + "x" * 48,
        lambda r: "sk-proj-" + "X" * 48,
        lambda r: "OPENAI_API_KEY=sk-...",
    ],
    "telegram-bot-token": [
        lambda r: "123456789:" + "x" * 35,
        lambda r: "Jam layanan 08:00-16:00, antrean nomor 123456789.",
    ],
    "twilio-key": [lambda r: "SK" + "x" * 32, lambda r: "SK" + "0" * 32],
    "jwt": [
        lambda r: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ.xxx",
        lambda r: "Token JWT diawali eyJ, simpan di tempat aman.",
    ],
    "jwt-unsigned": [
        lambda r: "eyJhbGciOiJub25lIn0.eyJ",
        lambda r: "Header JWT eyJhbGciOi... diikuti titik dan isi token.",
    ],
    "npm-token": [lambda r: "npm_" + "x" * 36],
    "mailgun-key": [lambda r: "key-" + "x" * 32, lambda r: "key-" + "0" * 32],
    "sendgrid-key": [lambda r: "SG." + "x" * 22 + "." + "x" * 43],
    "shopify-token": [lambda r: "shpat_" + "0" * 32, lambda r: "shpat_" + "x" * 32],
    "huggingface-token": [lambda r: "hf_" + "x" * 34, lambda r: "hf_" + "X" * 34],
    "pypi-token": [lambda r: "pypi-AgEIcHlwaS5vcmc" + "x" * 70],
    "mailchimp-key": [
        lambda r: "0" * 32 + "-us6",
        lambda r: "Commit " + mixed(r, HEX, 40) + " memperbaiki jadwal.",
        lambda r: "md5 berkas: " + mixed(r, HEX, 32),
    ],
    "url-credentials": [
        lambda r: "https://user:password@example.com/",
        lambda r: "https://username:pass@host/path",
        lambda r: "https://kemcontoh.example/@humas:berita",
        lambda r: "Kirim surel ke humas@kemcontoh.example atau https://kemcontoh.example/kontak",
        lambda r: "postgres://postgres:postgres@localhost:5432/db",
    ],
    "generic-assignment": [
        lambda r: "api_key = YOUR_API_KEY_HERE",
        lambda r: "client_secret: <your-client-secret>",
        lambda r: "SECRET_KEY=changeme",
        lambda r: "token = " + "x" * 32,
        lambda r: "secret_key = " + "0" * 32,
        lambda r: "access_token=${ACCESS_TOKEN}",
        lambda r: "Token antrean Anda: A-0123, silakan tunggu.",
        lambda r: "api_key=" + "abcdef" * 5,
    ],
    "private-key": [
        lambda r: "Jangan pernah membagikan private key server kepada siapa pun.",
        lambda r: "-----BEGIN PUBLIC KEY-----\n" + mixed(r, B64, 64) + "\n-----END PUBLIC KEY-----",
    ],
    "password": [
        lambda r: "Password:\nKami akan mengirim tautan reset ke surel Anda.",
        lambda r: "Lupa password:\nhttps://kemcontoh.example/reset untuk mengatur ulang.",
        lambda r: "Password minimal 8 karakter dan wajib diganti tiap 90 hari.",
        lambda r: "Hindari password seperti Jakarta123 yang mudah ditebak.",
        lambda r: "Lupa kata sandi? Klik 'Lupa Password' di halaman login.",
        lambda r: "password: ********",
        lambda r: "Password: <your password>",
    ],
}


def corpus(per_type: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    for kind, gen in POSITIVES.items():
        for i in range(per_type):
            cases.append(Case(kind, WRAPS[i % len(WRAPS)].format(gen(rng)), True))
    for kind, gens in NEGATIVES.items():
        for i in range(per_type):
            value = gens[i % len(gens)](rng)
            cases.append(Case(kind, WRAPS[i % len(WRAPS)].format(value), False))
    return cases


def score(cases: list[Case]) -> dict[str, dict[str, float]]:
    guard = Guard(Config.from_dict({"plugins": {"disable": ["toxicity"]}}))
    verdicts = guard.check_many([c.text for c in cases])
    table: dict[str, dict[str, float]] = {}
    for case, verdict in zip(cases, verdicts, strict=True):
        row = table.setdefault(case.kind, {"positives": 0, "found": 0, "negatives": 0, "alarms": 0})
        hit = any(
            f.category == "secret" and f.severity.name in ("HIGH", "CRITICAL")
            for f in verdict.findings
        )
        if case.positive:
            row["positives"] += 1
            row["found"] += hit
        else:
            row["negatives"] += 1
            row["alarms"] += hit
    for row in table.values():
        row["recall"] = row["found"] / row["positives"] if row["positives"] else float("nan")
        row["false_alarm_rate"] = (
            row["alarms"] / row["negatives"] if row["negatives"] else float("nan")
        )
    return table


def totals(table: dict[str, dict[str, float]]) -> dict[str, float]:
    pos = sum(r["positives"] for r in table.values())
    neg = sum(r["negatives"] for r in table.values())
    found = sum(r["found"] for r in table.values())
    alarms = sum(r["alarms"] for r in table.values())
    return {"positives": pos, "found": found, "recall": found / pos,
            "negatives": neg, "alarms": alarms, "false_alarm_rate": alarms / neg}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-type", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    table = score(corpus(args.per_type, args.seed))
    total = totals(table)
    if args.json:
        print(json.dumps({"per_type": table, "total": total}, indent=1))
        return 0
    print(f"{'type':22} {'recall':>12} {'false alarms':>14}")
    for kind, row in sorted(table.items()):
        rec = f"{row['found']:.0f}/{row['positives']:.0f}" if row["positives"] else "-"
        fa = f"{row['alarms']:.0f}/{row['negatives']:.0f}" if row["negatives"] else "-"
        print(f"{kind:22} {rec:>12} {fa:>14}")
    print(
        f"{'TOTAL':22} {total['found']:.0f}/{total['positives']:.0f} ({total['recall']:.0%})"
        f"  {total['alarms']:.0f}/{total['negatives']:.0f} ({total['false_alarm_rate']:.0%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
