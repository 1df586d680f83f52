"""Shared pieces of the account-security tests: a store on the test database, a controlled
clock, real TOTP codes from pyotp. Fixtures are in ``tests/security/conftest.py``."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp

from smguard.config import Config
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.types import Finding, Severity, Verdict

#: A step boundary (08:00:00 UTC), so "the current step" is unambiguous.
T0 = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
STEP = timedelta(seconds=30)
KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(bytes(range(100, 132))).decode()
#: A platform seed as an organisation would paste it (the vault's input).
PLATFORM_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

MIXED_CONFIG: dict[str, Any] = {
    "organisation": {"name": "Kementerian Contoh", "domains": ["kemenkeu.go.id"]},
    # Few backup codes keep the tests fast (each is a scrypt hash).
    "security": {"lockout_after": 3, "lockout_minutes": 10, "backup_codes": 4},
    "admins": {
        "ayu": {"email": "ayu@kemenkeu.go.id", "roles": ["owner", "author"]},
        "budi": {"email": "budi@kemenkeu.go.id", "phone": "+62 812 1111 2222"},
        "citra": {"roles": ["author@kemenkeu_ri"]},
    },
    "accounts": {
        "kemenkeu_ri": {
            "platform": "x",
            "handle": "@KemenkeuRI",
            "two_factor": "totp",
            "recovery_email": "socmed@kemenkeu.go.id",
            "approvers": ["budi"],
        },
        "djp_ig": {
            "platform": "instagram",
            "two_factor": "sms",
            "recovery_email": "djp.socmed@gmail.com",
            "recovery_phone": "0812-1111-2222",
        },
    },
}


def make_store(db: Database, config: dict[str, Any] | None = None) -> Store:
    return Store(Config.from_dict(config or {}), db)


def seed_of(uri: str) -> str:
    return parse_qs(urlsplit(uri).query)["secret"][0]


def code(seed: str, at: datetime, steps: int = 0) -> str:
    return pyotp.TOTP(seed).at(at + steps * STEP)


def enrol(store: Store, name: str, at: datetime = T0) -> tuple[str, list[str]]:
    """Enrol and activate ``name`` at ``at``; returns (base32 seed, backup codes)."""
    from smguard.security.enrolment import activate, enroll

    enrolment = enroll(store, name, now=at)
    seed = seed_of(enrolment.uri)
    backups = activate(store, name, code(seed, at), now=at)
    return seed, backups


def verdict(decision: str = "review", category: str = "link", severity: str = "medium") -> Verdict:
    finding = Finding(
        rule="SMG-TEST-001",
        category=category,
        severity=Severity.parse(severity),
        message={"en": "test finding", "id": "temuan uji"},
        engine="test",
    )
    return Verdict(decision=decision, findings=(finding,), engines={}, elapsed_ms=1.0)  # type: ignore[arg-type]


def record(
    store: Store,
    *,
    author: str | None = "citra",
    account: str | None = "kemenkeu_ri",
    decision: str = "review",
    text: str = "Info lengkap: bit.ly/abc123",
    **kw: Any,
) -> str:
    from smguard.records.checks import record_check

    post = {"text": text, "account": account} if account else {"text": text}
    return record_check(store, post, verdict(decision, **kw), author=author)


def audit_actions(store: Store) -> list[tuple[str, str, dict[str, Any]]]:
    from sqlalchemy import select

    from smguard.records.tables import AuditEvent

    with store.session() as s:
        return [
            (e.action, e.actor, e.details)
            for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
        ]
