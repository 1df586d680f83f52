"""Secrets at rest: every TOTP seed is stored as an AES-256-GCM token bound to its record.

Token format (one text column)::

    smg1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>

* the key id is the first 8 bytes of SHA-256 over a fixed label and the key: it names the key
  without revealing it, so rotation and ``smguard keys status`` know which rows use which key;
* the nonce is 12 random bytes, fresh for every encryption;
* the associated data is ``smg1|<table>.<column>#<row key>``: a token copied into another
  admin's row, another column or another account's vault entry fails to decrypt.

Where the key comes from, first match wins:

1. ``SMGUARD_SECRET_KEY``: 32 random bytes in base64 (``smguard keys generate`` makes one);
   older keys still needed while rotating go in ``SMGUARD_OLD_SECRET_KEYS`` (comma-separated);
2. the key file: ``[security] key_file`` or ``SMGUARD_KEY_FILE``, else ``secret.key`` in the
   user's data folder. It is created only by ``smguard keys init`` (:func:`create_key_file`),
   with mode 0600 (its folder 0700), never silently: a key file that went missing while secrets
   are sealed must be restored from a backup, since a new key cannot open them. It is refused
   when other users can read it. One base64 key per line; the first line is the current key,
   later lines are older keys kept only during a rotation.

:func:`rotate` re-encrypts every sealed field with the current key in one transaction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.config.security import SecuritySettings
from smguard.records.tables import SecAdminTotp, SecVaultSeed
from smguard.security.errors import KeyConfigError, SecretError

__all__ = [
    "SEALED_FIELDS",
    "KeyRing",
    "SealedField",
    "create_key_file",
    "default_key_file",
    "field_aad",
    "generate_key",
    "key_id",
    "load_keyring",
    "rotate",
    "sealed_key_ids",
]

VERSION = "smg1"
KEY_BYTES = 32
NONCE_BYTES = 12
ENV_KEY = "SMGUARD_SECRET_KEY"
ENV_OLD_KEYS = "SMGUARD_OLD_SECRET_KEYS"
ENV_KEY_FILE = "SMGUARD_KEY_FILE"


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"smguard key id\x00" + key).hexdigest()[:16]


def generate_key() -> str:
    """A new random key, base64-encoded (for ``SMGUARD_SECRET_KEY`` or a key file)."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def field_aad(table: str, column: str, row_key: object) -> str:
    """What a sealed value is bound to: its table, column and row."""
    return f"{table}.{column}#{row_key}"


def _decode_key(text: str, where: str) -> bytes:
    raw = text.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        # Never echo the value: it may be a real key with a typo.
        raise KeyConfigError(
            f"{where}: not a key (must be 32 random bytes in base64; make one with "
            "`smguard keys generate`)",
            f"{where}: bukan kunci (harus 32 byte acak dalam base64; buat dengan "
            "`smguard keys generate`)",
        )
    return key


@dataclass(frozen=True)
class KeyRing:
    """The current key (encrypts) and older keys (only decrypt, during a rotation)."""

    primary: bytes = field(repr=False)
    older: tuple[bytes, ...] = field(default=(), repr=False)
    #: Where the keys came from: the environment variable or the key file's path.
    source: str = ""
    key_file: Path | None = None

    @property
    def primary_id(self) -> str:
        return key_id(self.primary)

    def ids(self) -> list[str]:
        return [key_id(k) for k in (self.primary, *self.older)]

    def _key(self, kid: str) -> bytes | None:
        for key in (self.primary, *self.older):
            if key_id(key) == kid:
                return key
        return None

    def encrypt(self, plaintext: bytes, aad: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = secrets.token_bytes(NONCE_BYTES)
        kid = self.primary_id
        sealed = AESGCM(self.primary).encrypt(nonce, plaintext, f"{VERSION}|{aad}".encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{VERSION}.{kid}.{body}"

    def decrypt(self, token: str, aad: str) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        version, kid, body = _split(token, aad)
        key = self._key(kid)
        if key is None:
            raise SecretError(
                f"the secret of {aad} was encrypted with key {kid}, which is not available "
                f"(restore that key in the key file or {ENV_OLD_KEYS})",
                f"rahasia {aad} dienkripsi dengan kunci {kid} yang tidak tersedia "
                f"(pulihkan kunci itu di berkas kunci atau {ENV_OLD_KEYS})",
            )
        try:
            blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            return AESGCM(key).decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], f"{version}|{aad}".encode()
            )
        except (InvalidTag, binascii.Error, ValueError):
            raise SecretError(
                f"the secret of {aad} does not decrypt: the record was changed or copied "
                "from another record",
                f"rahasia {aad} tidak dapat didekripsi: catatan diubah atau disalin dari "
                "catatan lain",
            ) from None


def _split(token: str, aad: str) -> tuple[str, str, str]:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        raise SecretError(
            f"the secret of {aad} is not an encrypted token",
            f"rahasia {aad} bukan token terenkripsi",
        )
    return parts[0], parts[1], parts[2]


def token_key_id(token: str) -> str | None:
    parts = token.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == VERSION else None


# -- where the key lives -----------------------------------------------------------------------


def default_key_file() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("smguard", appauthor=False)) / "secret.key"


def _key_file_path(settings: SecuritySettings | None, env: Mapping[str, str]) -> Path:
    if env.get(ENV_KEY_FILE):
        return Path(env[ENV_KEY_FILE]).expanduser()
    if settings is not None and settings.key_file is not None:
        return settings.key_file
    return default_key_file()


def _check_private(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover - permissions are POSIX-only
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyConfigError(
            f"key file {path} can be read by other users; run: chmod 600 {path}",
            f"berkas kunci {path} dapat dibaca pengguna lain; jalankan: chmod 600 {path}",
        )


def _write_private(path: Path, keys: Sequence[bytes], *, exclusive: bool = False) -> None:
    """Write ``keys`` (first = current) to ``path`` with mode 0600, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = "".join(base64.b64encode(k).decode("ascii") + "\n" for k in keys)
    header = "# smguard secret key: first line current, later lines older. Keep it private.\n"
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(header + text)
            fh.flush()
            os.fsync(fh.fileno())
        return
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(header + text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_key_file(path: Path) -> list[bytes]:
    _check_private(path)
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyConfigError(
            f"cannot read key file {path}: {getattr(exc, 'strerror', None) or 'not text'}",
            f"berkas kunci {path} tidak dapat dibaca",
        ) from None
    keys = [
        _decode_key(line, f"key file {path} line {n}")
        for n, line in enumerate(lines, 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not keys:
        raise KeyConfigError(f"key file {path} holds no key", f"berkas kunci {path} kosong")
    return keys


def load_keyring(
    settings: SecuritySettings | None = None,
    env: Mapping[str, str] | None = None,
) -> KeyRing:
    """The keys to use now; a missing key file is an error (``smguard keys init`` creates one)."""
    env = os.environ if env is None else env
    if env.get(ENV_KEY):
        primary = _decode_key(env[ENV_KEY], ENV_KEY)
        older = tuple(
            _decode_key(k, ENV_OLD_KEYS) for k in env.get(ENV_OLD_KEYS, "").split(",") if k.strip()
        )
        return KeyRing(primary, older, source=ENV_KEY)
    path = _key_file_path(settings, env)
    if not path.exists():
        raise KeyConfigError(
            f"no encryption key: set {ENV_KEY}, or create the key file {path} with "
            "`smguard keys init` (if secrets were stored before, restore that file from a backup "
            "instead: a new key cannot open them)",
            f"tidak ada kunci enkripsi: isi {ENV_KEY}, atau buat berkas kunci {path} dengan "
            "`smguard keys init` (jika rahasia pernah disimpan, pulihkan berkas itu dari cadangan: "
            "kunci baru tidak dapat membukanya)",
        )
    keys = _read_key_file(path)
    return KeyRing(keys[0], tuple(keys[1:]), source=str(path), key_file=path)


def create_key_file(
    settings: SecuritySettings | None,
    sealed: Mapping[str, int],
    env: Mapping[str, str] | None = None,
) -> KeyRing:
    """Create the key file (the explicit act of ``smguard keys init``) and return its ring.

    ``sealed`` is :func:`sealed_key_ids` of the database: when any secret is already sealed, a
    new key would silently orphan it, so creation is refused and the message names the keys the
    stored secrets need. An existing key file is never overwritten.
    """
    env = os.environ if env is None else env
    if env.get(ENV_KEY):
        raise KeyConfigError(
            f"{ENV_KEY} is set: smguard uses that key and no key file is needed",
            f"{ENV_KEY} sudah diisi: smguard memakai kunci itu dan tidak perlu berkas kunci",
        )
    path = _key_file_path(settings, env)
    if sealed:
        needed = ", ".join(sorted(sealed))
        raise KeyConfigError(
            f"refusing to create a new key: {sum(sealed.values())} stored secret(s) are sealed "
            f"with key {needed}; restore the key file {path} from a backup",
            f"kunci baru tidak dibuat: {sum(sealed.values())} rahasia tersimpan dikunci dengan "
            f"kunci {needed}; pulihkan berkas kunci {path} dari cadangan",
        )
    try:
        _write_private(path, [secrets.token_bytes(KEY_BYTES)], exclusive=True)
    except FileExistsError:
        raise KeyConfigError(
            f"the key file {path} already exists; it was left as it is",
            f"berkas kunci {path} sudah ada; berkas itu tidak diubah",
        ) from None
    except OSError as exc:
        raise KeyConfigError(
            f"cannot create key file {path}: {exc.strerror}",
            f"berkas kunci {path} tidak dapat dibuat: {exc.strerror}",
        ) from None
    keys = _read_key_file(path)
    return KeyRing(keys[0], (), source=str(path), key_file=path)


# -- what is sealed, and rotation --------------------------------------------------------------


@dataclass(frozen=True)
class SealedField:
    """A column holding sealed tokens, and how to name the row its AAD is bound to."""

    model: Any
    column: str
    row_key: Callable[[Any], object]

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)

    def aad(self, row: Any) -> str:
        return field_aad(self.table, self.column, self.row_key(row))


#: Every place a secret is stored. A new secret column must be added here (rotation, status).
SEALED_FIELDS: tuple[SealedField, ...] = (
    SealedField(SecAdminTotp, "seed_ciphertext", lambda r: r.admin_id),
    SealedField(SecAdminTotp, "pending_ciphertext", lambda r: r.admin_id),
    SealedField(SecVaultSeed, "seed_ciphertext", lambda r: r.account_id),
)


def seal(ring: KeyRing, model: Any, column: str, row_key: object, plaintext: bytes) -> str:
    return ring.encrypt(plaintext, field_aad(model.__tablename__, column, row_key))


def unseal(ring: KeyRing, model: Any, column: str, row_key: object, token: str) -> bytes:
    return ring.decrypt(token, field_aad(model.__tablename__, column, row_key))


def _rows(session: Session, fields: Iterable[SealedField], lock: bool) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    seen: dict[Any, list[Any]] = {}
    for f in fields:
        if f.model not in seen:
            query = select(f.model)
            if lock:
                query = query.with_for_update()
            seen[f.model] = list(session.execute(query).scalars())
        out.extend((f, row) for row in seen[f.model])
    return out


def sealed_key_ids(session: Session) -> dict[str, int]:
    """How many stored secrets use each key id."""
    counts: dict[str, int] = {}
    for f, row in _rows(session, SEALED_FIELDS, lock=False):
        token = getattr(row, f.column)
        if token:
            kid = token_key_id(token) or "not-a-token"
            counts[kid] = counts.get(kid, 0) + 1
    return counts


def rotate(session: Session, ring: KeyRing) -> int:
    """Re-encrypt every sealed value not yet under ``ring.primary`` (in the caller's transaction).

    Every value is first decrypted (with whichever key of the ring sealed it) and checked,
    so a missing key or a tampered record stops the rotation before anything is written.
    """
    plan: list[tuple[SealedField, Any, bytes]] = []
    current = ring.primary_id
    for f, row in _rows(session, SEALED_FIELDS, lock=True):
        token = getattr(row, f.column)
        if token and token_key_id(token) != current:
            plan.append((f, row, ring.decrypt(token, f.aad(row))))
    for f, row, plaintext in plan:
        setattr(row, f.column, ring.encrypt(plaintext, f.aad(row)))
    session.flush()
    return len(plan)


def start_file_rotation(ring: KeyRing) -> KeyRing:
    """Key file: add a new key as the current one, keeping the old ones to decrypt with.

    The file is rewritten (atomically) before the database is touched, so a crash at any point
    leaves every stored secret decryptable with the keys in the file.
    """
    if ring.key_file is None:
        raise KeyConfigError(
            f"the key comes from {ENV_KEY}: put the new key there and the old one in "
            f"{ENV_OLD_KEYS}, then run `smguard keys rotate` again",
            f"kunci berasal dari {ENV_KEY}: isi kunci baru di sana dan kunci lama di "
            f"{ENV_OLD_KEYS}, lalu jalankan `smguard keys rotate` lagi",
        )
    new = secrets.token_bytes(KEY_BYTES)
    # The new key goes last first (still decrypt-only), then becomes the first line once the
    # database is re-encrypted: see finish_file_rotation.
    _write_private(ring.key_file, [ring.primary, *ring.older, new])
    return KeyRing(new, (ring.primary, *ring.older), source=ring.source, key_file=ring.key_file)


def finish_file_rotation(ring: KeyRing) -> None:
    """After the database commit: keep only the current key in the file."""
    if ring.key_file is not None:
        _write_private(ring.key_file, [ring.primary])
