"""Secrets at rest: AES-GCM tokens bound to their row, the key file, key rotation."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from smguard.config import Config
from smguard.records.db import Database
from smguard.records.store import Store
from smguard.records.tables import SecAdmin, SecAdminTotp, SecVaultSeed
from smguard.security import crypto, enrolment, second_factor, vault
from smguard.security.errors import KeyConfigError, SecretError
from smguard.security.sync import sync_inventory
from tests.support.security import (
    KEY,
    MIXED_CONFIG,
    OTHER_KEY,
    PLATFORM_SEED,
    STEP,
    T0,
    code,
    enrol,
    make_store,
)


def _ring(key: str = KEY) -> crypto.KeyRing:
    return crypto.load_keyring(env={"SMGUARD_SECRET_KEY": key})


def test_tokens_round_trip_and_name_their_key() -> None:
    ring = _ring()
    token = ring.encrypt(b"seed bytes", "sec_admin_totp.seed_ciphertext#1")
    version, kid, body = token.split(".")
    assert version == "smg1" and kid == ring.primary_id and len(kid) == 16
    assert b"seed bytes" not in base64.urlsafe_b64decode(body + "==")
    assert ring.decrypt(token, "sec_admin_totp.seed_ciphertext#1") == b"seed bytes"
    # A fresh nonce each time: the same secret never gives the same token.
    assert ring.encrypt(b"seed bytes", "x#1") != ring.encrypt(b"seed bytes", "x#1")


@pytest.mark.parametrize(
    "aad", ["sec_admin_totp.seed_ciphertext#2", "sec_admin_totp.pending_ciphertext#1", "x"]
)
def test_a_token_moved_to_another_row_or_column_does_not_decrypt(aad: str) -> None:
    ring = _ring()
    token = ring.encrypt(b"seed", "sec_admin_totp.seed_ciphertext#1")
    with pytest.raises(SecretError, match="changed or copied"):
        ring.decrypt(token, aad)


def test_a_tampered_token_or_a_wrong_key_does_not_decrypt() -> None:
    ring = _ring()
    token = ring.encrypt(b"seed", "a#1")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(SecretError):
        ring.decrypt(flipped, "a#1")
    with pytest.raises(SecretError, match="not available"):
        _ring(OTHER_KEY).decrypt(token, "a#1")


def test_a_bad_environment_key_is_one_line_that_does_not_echo_it() -> None:
    for value in ["not-a-key", base64.b64encode(b"short").decode(), "x" * 44]:
        with pytest.raises(KeyConfigError) as info:
            crypto.load_keyring(env={"SMGUARD_SECRET_KEY": value})
        message = str(info.value)
        assert "SMGUARD_SECRET_KEY" in message and value not in message and "\n" not in message
    urlsafe = base64.urlsafe_b64encode(bytes(range(200, 232))).decode().rstrip("=")
    assert crypto.load_keyring(env={"SMGUARD_SECRET_KEY": urlsafe}).primary == bytes(
        range(200, 232)
    )


def test_the_key_file_is_created_private_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "smguard" / "secret.key"
    ring = crypto.load_keyring(env={"SMGUARD_KEY_FILE": str(path)})
    assert ring.key_file == path and ring.source == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = crypto.load_keyring(env={"SMGUARD_KEY_FILE": str(path)})
    assert again.primary == ring.primary
    os.chmod(path, 0o644)
    with pytest.raises(KeyConfigError, match="chmod 600"):
        crypto.load_keyring(env={"SMGUARD_KEY_FILE": str(path)})


def test_the_key_file_comes_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "smguard.toml").write_text('[security]\nkey_file = "keys/smguard.key"\n')
    config = Config.load(tmp_path / "smguard.toml", env={})
    ring = crypto.load_keyring(config.security, env={})
    assert ring.key_file == tmp_path / "keys" / "smguard.key"
    with pytest.raises(KeyConfigError, match="no encryption key"):
        crypto.load_keyring(env={"SMGUARD_KEY_FILE": str(tmp_path / "none")}, create=False)


def test_a_seed_copied_into_another_admins_row_is_useless(store: Store) -> None:
    """An attacker who can write the database cannot give budi ayu's authenticator."""
    ayu, _ = enrol(store, "ayu")
    enrol(store, "budi")
    with store.session() as s:
        rows = {
            a.name: s.get(SecAdminTotp, a.id)
            for a in s.execute(select(SecAdmin).where(SecAdmin.name.in_(["ayu", "budi"]))).scalars()
        }
        rows["budi"].seed_ciphertext = rows["ayu"].seed_ciphertext  # type: ignore[union-attr]
    now = T0 + 2 * STEP
    with pytest.raises(SecretError, match="changed or copied"):
        second_factor.verify(store, "budi", code(ayu, now), now=now)
    # ayu is unaffected.
    assert second_factor.verify(store, "ayu", code(ayu, now), now=now).method == "totp"


def _vault_code(st: Store, seed_ayu: str, at_steps: int) -> str:
    now = T0 + at_steps * STEP
    return vault.issue_code(st, "kemenkeu_ri", admin="ayu", code=code(seed_ayu, now), now=now).code


def test_rotation_with_a_key_file(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "secret.key"
    monkeypatch.setenv("SMGUARD_KEY_FILE", str(key_file))
    st = make_store(db, MIXED_CONFIG)
    sync_inventory(st, now=T0)
    ayu, _ = enrol(st, "ayu")
    enrolment.enroll(st, "budi", now=T0)  # a pending seed is sealed too
    vault.add_seed(st, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(ayu, T0, 1), now=T0 + STEP)
    old = crypto.load_keyring()
    with st.session() as s:
        assert crypto.sealed_key_ids(s) == {old.primary_id: 3}

    new = crypto.start_file_rotation(old)
    assert crypto.load_keyring().primary == old.primary  # not current before the database is
    with st.session() as s:
        assert crypto.rotate(s, new) == 3
    crypto.finish_file_rotation(new)

    current = crypto.load_keyring()
    assert current.primary == new.primary and current.older == ()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with st.session() as s:
        assert crypto.sealed_key_ids(s) == {new.primary_id: 3}
        tokens = [e.seed_ciphertext for e in s.execute(select(SecVaultSeed)).scalars()]
    # The old key alone opens nothing any more; the new key alone opens everything.
    with pytest.raises(SecretError, match="not available"):
        old.decrypt(tokens[0], "whatever")
    assert _vault_code(st, ayu, 3) == code(PLATFORM_SEED, T0, 3)
    assert second_factor.verify(st, "ayu", code(ayu, T0, 5), now=T0 + 5 * STEP).method == "totp"


def test_rotation_with_the_environment_key(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMGUARD_SECRET_KEY", KEY)
    st = make_store(db, MIXED_CONFIG)
    sync_inventory(st, now=T0)
    ayu, _ = enrol(st, "ayu")
    vault.add_seed(st, "kemenkeu_ri", PLATFORM_SEED, by="ayu", code=code(ayu, T0, 1), now=T0 + STEP)
    with pytest.raises(KeyConfigError, match="SMGUARD_OLD_SECRET_KEYS"):
        crypto.start_file_rotation(crypto.load_keyring())

    # The new key without the old one: nothing opens, and rotation stops before writing.
    monkeypatch.setenv("SMGUARD_SECRET_KEY", OTHER_KEY)
    with pytest.raises(SecretError, match="not available"), st.session() as s:
        crypto.rotate(s, crypto.load_keyring())
    monkeypatch.setenv("SMGUARD_OLD_SECRET_KEYS", KEY)
    with st.session() as s:
        assert crypto.rotate(s, crypto.load_keyring()) == 2
    monkeypatch.delenv("SMGUARD_OLD_SECRET_KEYS")
    assert _vault_code(st, ayu, 3) == code(PLATFORM_SEED, T0, 3)
    with st.session() as s:
        assert crypto.rotate(s, crypto.load_keyring()) == 0  # all under the current key now


def test_every_secret_column_is_registered_for_rotation() -> None:
    """A new secret column must join SEALED_FIELDS, or rotation would leave it behind.

    A one-way hash of a secret (an API token's ``secret_hash``) is not sealed: there is nothing
    to decrypt, so nothing to rotate.
    """
    from smguard.records.tables import Base

    registered = {(f.table, f.column) for f in crypto.SEALED_FIELDS}
    secret_like = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if "ciphertext" in column.name
        or ("secret" in column.name and not column.name.endswith("_hash"))
    }
    assert secret_like == registered
