"""No seed is stored, logged or shown in plain text — proven on the database files themselves.

SQLite: the raw bytes of the database file and its WAL. PostgreSQL: every text, JSON and
binary column of every table in the test schema. Searched for: every seed in base32 (as typed,
upper and lower case), as raw bytes, hex and base64, and every backup code.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from smguard.records.db import Database
from smguard.records.store import Store
from smguard.security import enrolment, second_factor, vault
from smguard.security.errors import SecurityProblem
from smguard.security.sync import sync_inventory
from tests.support.security import (
    MIXED_CONFIG,
    PLATFORM_SEED,
    STEP,
    T0,
    code,
    enrol,
    make_store,
    seed_of,
)

VAULT_URI_SEED = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ"  # given as an otpauth:// link


def _needles(seeds: list[str], backups: list[str]) -> list[bytes]:
    out: list[bytes] = []
    for seed in seeds:
        raw = base64.b32decode(seed + "=" * (-len(seed) % 8))
        out += [
            seed.encode(),
            seed.lower().encode(),
            seed[:16].encode(),  # a fragment long enough to matter
            raw,
            raw.hex().encode(),
            base64.b64encode(raw).rstrip(b"="),
            base64.urlsafe_b64encode(raw).rstrip(b"="),
        ]
    for code_ in backups:
        out += [code_.encode(), code_.replace("-", "").encode()]
    return out


def _populate(store: Store) -> tuple[list[str], list[str]]:
    sync_inventory(store, now=T0)
    ayu, ayu_backups = enrol(store, "ayu")
    citra, citra_backups = enrol(store, "citra")
    pending = seed_of(enrolment.enroll(store, "budi", now=T0).uri)  # never activated
    vault.add_seed(
        store, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(ayu, T0, 1), now=T0 + STEP
    )
    link = (
        f"otpauth://totp/Instagram:djp_ig?secret={VAULT_URI_SEED}&issuer=Instagram"
        "&digits=6&period=30&algorithm=SHA1"
    )
    # ayu owns every account: the second seed, given as a link, goes in too.
    vault.add_seed(store, "djp_ig", link, by="ayu", code=code(ayu, T0, 2), now=T0 + 2 * STEP)
    # Use the vault and a backup code, and fail a few times, so every table has rows.
    issued = vault.issue_code(
        store, "kemenkeu_ri", admin="citra", code=code(citra, T0, 1), now=T0 + STEP
    )
    with pytest.raises(SecurityProblem):
        vault.issue_code(store, "kemenkeu_ri", admin="budi", code="000000", now=T0 + STEP)
    second_factor.verify(store, "ayu", ayu_backups[0], now=T0 + 3 * STEP)
    assert issued.code
    return [ayu, citra, pending, PLATFORM_SEED, VAULT_URI_SEED], ayu_backups + citra_backups


def _sqlite_bytes(db: Database) -> bytes:
    path = Path(make_url(db.url).database or "")
    db.dispose()
    data = b""
    for p in [path, path.with_name(path.name + "-wal")]:
        if p.exists():
            data += p.read_bytes()
    assert len(data) > 10_000
    return data


def _postgres_text(db: Database) -> bytes:
    """Every value of every column (as text) of every table smguard created."""
    chunks: list[str] = []
    with db.engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                rows = conn.execute(text(f'SELECT "{column["name"]}"::text FROM "{table}"'))
                chunks += [r[0] for r in rows if r[0] is not None]
    assert chunks
    return "\n".join(chunks).encode()


def test_no_seed_or_backup_code_is_stored_in_plain_text(db: Database, secret_key: str) -> None:
    store = make_store(db, MIXED_CONFIG)
    seeds, backups = _populate(store)
    haystack = _sqlite_bytes(db) if db.dialect == "sqlite" else _postgres_text(db)
    for needle in _needles(seeds, backups):
        assert needle not in haystack, f"a secret ({needle[:4]!r}…) is in the database"
    # The scan can see: the tokens and names it must find are there.
    assert b"smg1." in haystack and b"kemenkeu_ri" in haystack


def test_the_scan_would_catch_a_plain_seed(db: Database, secret_key: str) -> None:
    """The scan is not vacuous: a seed written in clear is found."""
    store = make_store(db, MIXED_CONFIG)
    sync_inventory(store, now=T0)
    with store.session() as s:
        store.audit(s, "test.leak", actor="test", details={"oops": PLATFORM_SEED.lower()})
    haystack = _sqlite_bytes(db) if db.dialect == "sqlite" else _postgres_text(db)
    assert any(n in haystack for n in _needles([PLATFORM_SEED], []))


def test_seeds_do_not_reach_logs_even_with_sql_logging(
    db: Database, secret_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    try:
        store = make_store(db, MIXED_CONFIG)
        seeds, backups = _populate(store)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logged = caplog.text.encode()
    assert b"INSERT INTO sec_vault_seeds" in logged  # SQL logging really was on
    for needle in _needles(seeds, backups):
        assert needle not in logged


def test_errors_about_a_seed_never_quote_it() -> None:
    for bad in [
        "JBSWY3DPEHPK3PX!",
        "JBSWY3DP",
        "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=12",
    ]:
        with pytest.raises(SecurityProblem) as info:
            vault.parse_seed(bad)
        for lang in ("en", "id"):
            assert "JBSWY3DP" not in info.value.text(lang)
    parsed = vault.parse_seed(PLATFORM_SEED)
    assert PLATFORM_SEED not in repr(parsed) and "JBSW" not in repr(parsed)


def test_audit_events_carry_no_secrets(db: Database, secret_key: str) -> None:
    from smguard.records.tables import AuditEvent

    store = make_store(db, MIXED_CONFIG)
    seeds, backups = _populate(store)
    with store.session() as s:
        events: list[Any] = list(s.execute(select(AuditEvent)).scalars())
    dumped = repr([(e.action, e.details) for e in events]).encode()
    for needle in _needles(seeds, backups):
        assert needle not in dumped
    issued = [e for e in events if e.action == "vault.code_issued"]
    assert issued and "code" not in issued[0].details
