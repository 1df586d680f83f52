"""The team vault: shared accounts' own platform 2FA seeds, handed out only as current codes.

A platform seed (the secret behind the account's authenticator QR code) is given to smguard once
(:func:`add_seed`, by an owner of the account who proves themself with their own TOTP) and is
stored encrypted. After that nobody needs the seed on their phone: an admin who needs to log in
asks for the current code (:func:`issue_code`), which smguard gives only to an active admin
holding a vault role (``[security] vault_roles``, default owner and author) on that account who
passes their own second factor. Every hand-out is a ``vault.code_issued`` audit event, and every
refusal a ``vault.code_refused`` one; :func:`codes_issued` answers "a login happened on this
account at 10:02 — did any admin ask for a code shortly before?".
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from smguard.records.tables import AuditEvent, SecAccount, SecVaultSeed
from smguard.security import crypto
from smguard.security.clock import aware
from smguard.security.errors import InventoryError, Refused
from smguard.security.inventory import account_row, declared_account_fields
from smguard.security.second_factor import CodeCheck, committed, prove
from smguard.security.totp import code_at

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "CodeIssue",
    "IssuedCode",
    "ParsedSeed",
    "VaultEntry",
    "add_seed",
    "codes_issued",
    "issue_code",
    "list_seeds",
    "parse_seed",
    "remove_seed",
]

_ALGORITHMS = {"SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}
MIN_SEED_BYTES = 10  # 80 bits: the shortest seeds platforms still hand out


class SeedInputError(InventoryError):
    """The seed text is not a TOTP seed. Never quotes the text (it may be most of a seed)."""


@dataclass(frozen=True)
class ParsedSeed:
    seed: bytes
    digits: int = 6
    period: int = 30
    algorithm: str = "sha1"

    def __repr__(self) -> str:  # never show the seed
        return (
            f"ParsedSeed(<{len(self.seed)} bytes>, {self.digits}, {self.period}, {self.algorithm})"
        )


def _b32(text: str) -> bytes:
    clean = "".join(text.split()).replace("-", "").upper().rstrip("=")
    try:
        seed = base64.b32decode(clean + "=" * (-len(clean) % 8))
    except (binascii.Error, ValueError):
        raise SeedInputError(
            "the seed is not valid base32 (letters A-Z and digits 2-7) nor an otpauth:// link",
            "seed bukan base32 yang sah (huruf A-Z dan angka 2-7) maupun tautan otpauth://",
        ) from None
    if len(seed) < MIN_SEED_BYTES:
        raise SeedInputError(
            f"the seed is too short ({len(seed) * 8} bits; at least {MIN_SEED_BYTES * 8})",
            f"seed terlalu pendek ({len(seed) * 8} bit; minimal {MIN_SEED_BYTES * 8})",
        )
    return seed


def parse_seed(text: str) -> ParsedSeed:
    """A base32 seed or an ``otpauth://totp/…?secret=…`` URI (digits, period, algorithm)."""
    text = text.strip()
    if not text:
        raise SeedInputError("no seed was given", "seed tidak diberikan")
    if not text.lower().startswith("otpauth://"):
        return ParsedSeed(_b32(text))
    parts = urlsplit(text)
    if parts.netloc.lower() != "totp":
        raise SeedInputError(
            "only time-based (otpauth://totp/…) seeds are supported",
            "hanya seed berbasis waktu (otpauth://totp/…) yang didukung",
        )
    query = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
    if "secret" not in query:
        raise SeedInputError(
            "the otpauth link has no secret= parameter", "tautan otpauth tidak punya secret="
        )
    try:
        digits = int(query.get("digits", "6"))
        period = int(query.get("period", "30"))
    except ValueError:
        raise SeedInputError(
            "the otpauth link has a digits or period that is not a number",
            "digits atau period pada tautan otpauth bukan angka",
        ) from None
    algorithm = _ALGORITHMS.get(unquote(query.get("algorithm", "SHA1")).upper())
    if algorithm is None or digits not in (6, 7, 8) or not 10 <= period <= 120:
        raise SeedInputError(
            "the otpauth link asks for an unsupported algorithm, digits or period",
            "tautan otpauth meminta algoritma, digits, atau period yang tidak didukung",
        )
    return ParsedSeed(_b32(unquote(query["secret"])), digits, period, algorithm)


def _code(entry: SecVaultSeed, seed: bytes, now: datetime) -> tuple[str, int]:
    """The platform code at ``now``, and the seconds it stays valid."""
    ts = int(now.timestamp())
    code = code_at(seed, ts // entry.period, digits=entry.digits, digest=entry.algorithm)
    return code, entry.period - ts % entry.period


def _subject(account: str) -> str:
    return f"account:{account}"


def _owner_proof(
    store: Store, s: Session, account: str, by: str, code: str, now: datetime, act: str
) -> tuple[SecAccount, CodeCheck | Refused]:
    """``account``'s row, and whether ``by`` proved to be an owner of it (``vault.ACT``)."""
    acc = account_row(s, account, lock=True)
    _admin, proof = prove(
        store,
        s,
        by,
        code,
        now=now,
        purpose=f"vault.{act}:{account}",
        account=account,
        roles=("owner",),
    )
    return acc, proof


def add_seed(
    store: Store,
    account: str,
    seed_text: str,
    *,
    by: str,
    code: str,
    now: datetime | None = None,
    replace: bool = False,
) -> None:
    """Store ``account``'s platform seed; ``by`` must own the account and pass their TOTP."""
    now = aware(now)
    parsed = parse_seed(seed_text)

    def work(s: Session) -> Refused | None:
        acc, proof = _owner_proof(store, s, account, by, code, now, "add")
        if isinstance(proof, Refused):
            store.audit(
                s,
                "vault.seed_refused",
                actor=by,
                subject=_subject(account),
                details={"reason": proof.texts["en"]},
            )
            return proof
        existing = s.get(SecVaultSeed, acc.id)
        was_present = existing is not None
        if existing is not None and not replace:
            return Refused(
                f"{account} already has a seed in the vault; use --replace after setting up "
                "the platform's 2FA again",
                f"{account} sudah punya seed di vault; pakai --replace setelah 2FA platform "
                "diatur ulang",
            )
        token = crypto.seal(
            crypto.load_keyring(store.config.security),
            SecVaultSeed,
            "seed_ciphertext",
            acc.id,
            parsed.seed,
        )
        if existing is None:
            existing = SecVaultSeed(
                account_id=acc.id,
                seed_ciphertext=token,
                added_by=by,
                added_at=now,
                digits=6,
                period=30,
                algorithm="sha1",
            )
            s.add(existing)
        existing.seed_ciphertext = token
        existing.digits, existing.period = parsed.digits, parsed.period
        existing.algorithm = parsed.algorithm
        existing.added_by, existing.added_at, existing.last_code_at = by, now, None
        marked = False
        if acc.two_factor is None and "two_factor" not in declared_account_fields(
            store.config, account
        ):
            acc.two_factor, acc.updated_at, marked = "totp", now, True
        store.audit(
            s,
            "vault.seed_replaced" if was_present else "vault.seed_added",
            actor=by,
            subject=_subject(account),
            details={
                "account": account,
                "digits": parsed.digits,
                "period": parsed.period,
                "algorithm": parsed.algorithm,
                "method": proof.method if isinstance(proof, CodeCheck) else None,
                "two_factor_set_to_totp": marked,
            },
        )
        return None

    committed(store, work)


def remove_seed(
    store: Store, account: str, *, by: str, code: str, now: datetime | None = None
) -> None:
    now = aware(now)

    def work(s: Session) -> Refused | None:
        acc, proof = _owner_proof(store, s, account, by, code, now, "remove")
        if isinstance(proof, Refused):
            return proof
        entry = s.get(SecVaultSeed, acc.id)
        if entry is None:
            return Refused(f"{account} has no seed in the vault", f"{account} tidak punya seed")
        s.delete(entry)
        store.audit(
            s,
            "vault.seed_removed",
            actor=by,
            subject=_subject(account),
            details={"account": account},
        )
        return None

    committed(store, work)


@dataclass(frozen=True)
class IssuedCode:
    account: str
    admin: str
    code: str
    #: Seconds the code stays valid on the platform.
    valid_for: int

    def __repr__(self) -> str:
        return f"IssuedCode({self.account}, {self.admin}, valid_for={self.valid_for})"


def issue_code(
    store: Store,
    account: str,
    *,
    admin: str,
    code: str,
    now: datetime | None = None,
) -> IssuedCode:
    """The current platform code of ``account`` for ``admin``, who must hold a vault role on it
    and pass their own TOTP. Hand-outs and refusals are both audited."""
    now = aware(now)
    roles = store.config.security.vault_roles

    def work(s: Session) -> IssuedCode | Refused:
        acc = s.execute(select(SecAccount).where(SecAccount.name == account)).scalar_one_or_none()
        entry = None if acc is None else s.get(SecVaultSeed, acc.id)
        if acc is None or entry is None:
            refusal = Refused(
                f"no seed for {account} in the vault (an owner adds it with "
                f"`smguard vault add {account}`)",
                f"tidak ada seed untuk {account} di vault (owner menambahkannya dengan "
                f"`smguard vault add {account}`)",
            )
            store.audit(
                s,
                "vault.code_refused",
                actor=admin,
                subject=_subject(account),
                details={"account": account, "admin": admin, "reason": "no_seed"},
            )
            return refusal
        _row, proof = prove(
            store,
            s,
            admin,
            code,
            now=now,
            purpose=f"vault.code:{account}",
            account=account,
            roles=roles,
        )
        if isinstance(proof, Refused):
            store.audit(
                s,
                "vault.code_refused",
                actor=admin,
                subject=_subject(account),
                details={"account": account, "admin": admin, "reason": proof.texts["en"]},
            )
            return proof
        seed = crypto.unseal(
            crypto.load_keyring(store.config.security),
            SecVaultSeed,
            "seed_ciphertext",
            acc.id,
            entry.seed_ciphertext,
        )
        platform_code, valid_for = _code(entry, seed, now)
        entry.last_code_at = now
        store.audit(
            s,
            "vault.code_issued",
            actor=admin,
            subject=_subject(account),
            details={
                "account": account,
                "admin": admin,
                "method": proof.method,
                "valid_until": (now + timedelta(seconds=valid_for)).isoformat(),
            },
        )
        return IssuedCode(account, admin, platform_code, valid_for)

    return committed(store, work)


@dataclass(frozen=True)
class CodeIssue:
    """One hand-out of a platform code, from the audit log."""

    at: datetime
    account: str
    admin: str
    seq: int


def codes_issued(
    store: Store,
    account: str,
    since: datetime,
    until: datetime | None = None,
) -> list[CodeIssue]:
    """Codes handed out for ``account`` between ``since`` and ``until`` (inclusive), oldest first.

    For the watch detectors: a platform login with no code handed out shortly before it was not
    made through the vault.
    """
    since = aware(since)
    query = select(AuditEvent).where(
        AuditEvent.action == "vault.code_issued",
        AuditEvent.subject == _subject(account),
        AuditEvent.at >= since,
    )
    if until is not None:
        query = query.where(AuditEvent.at <= aware(until))
    with store.session() as s:
        rows = s.execute(query.order_by(AuditEvent.seq)).scalars()
        return [CodeIssue(r.at, account, r.actor, r.seq) for r in rows]


@dataclass(frozen=True)
class VaultEntry:
    account: str
    added_by: str
    added_at: datetime
    last_code_at: datetime | None
    digits: int
    period: int
    algorithm: str


def list_seeds(store: Store) -> list[VaultEntry]:
    """What the vault holds (no secrets)."""
    with store.session() as s:
        rows = s.execute(
            select(SecAccount.name, SecVaultSeed)
            .join(SecVaultSeed, SecVaultSeed.account_id == SecAccount.id)
            .order_by(SecAccount.name)
        ).all()
        return [
            VaultEntry(
                name, e.added_by, e.added_at, e.last_code_at, e.digits, e.period, e.algorithm
            )
            for name, e in rows
        ]
