"""API tokens: one per tool, with scopes, stored as the SHA-256 of their secret.

A token reads ``smg_<id>_<secret>``: the id finds the row, the secret is compared with the stored
hash in constant time. The whole token is shown once, by ``smguard tokens create``; revoking
marks the row (it stays, so the audit log's ``token:NAME`` keeps meaning something). Creating and
revoking are audit events; *using* a token is counted by :mod:`smguard.server.usage`.

Scopes: ``check`` (``POST /v1/check``, ``GET /v1/rules``), ``record`` (``?record=1``, reading a
recorded check), ``review`` (approve, reject, incidents, clarifications) and ``admin`` (every
scope, and ``/metrics``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from smguard.errors import AuthError, InputError
from smguard.records.tables import ApiToken, utcnow

if TYPE_CHECKING:
    from smguard.records.store import Store

__all__ = [
    "SCOPES",
    "CreatedToken",
    "TokenInfo",
    "create_token",
    "find_token",
    "list_tokens",
    "revoke_token",
]

SCOPES = ("check", "record", "review", "admin")
PREFIX = "smg_"


@dataclass(frozen=True)
class TokenInfo:
    """A token as callers see it (never its secret)."""

    id: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "scopes": list(self.scopes),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
        }


@dataclass(frozen=True)
class CreatedToken:
    info: TokenInfo
    #: The whole token: shown once, never stored.
    token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.name,
        tuple(row.scopes),
        row.created_at,
        row.created_by,
        row.revoked_at,
        row.last_used_at,
    )


def _clean_scopes(scopes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(s.strip().lower() for s in scopes if s.strip()))
    if not wanted:
        raise InputError(
            f"give a token at least one scope ({', '.join(SCOPES)})",
            f"beri token setidaknya satu cakupan ({', '.join(SCOPES)})",
        )
    for scope in wanted:
        if scope not in SCOPES:
            raise InputError(
                f"{scope!r} is not a scope (one of {', '.join(SCOPES)})",
                f"{scope!r} bukan cakupan (salah satu dari {', '.join(SCOPES)})",
            )
    return wanted


def create_token(
    store: Store, name: str, scopes: tuple[str, ...] | list[str], *, actor: str
) -> CreatedToken:
    """A new token for the tool ``name``; the audit log records who made it, with which scopes."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("a token needs a name (the tool that uses it)", "token perlu nama")
    clean = _clean_scopes(scopes)
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    with store.session() as s:
        s.add(
            ApiToken(
                id=token_id,
                name=name,
                secret_hash=_digest(secret),
                scopes=list(clean),
                created_at=now,
                created_by=actor,
            )
        )
        s.flush()
        store.audit(
            s,
            "token.created",
            actor=actor,
            subject=f"token:{name}",
            details={"id": token_id, "scopes": list(clean)},
        )
    info = TokenInfo(token_id, name, clean, now, actor)
    return CreatedToken(info, f"{PREFIX}{token_id}_{secret}")


def list_tokens(store: Store, *, include_revoked: bool = False) -> list[TokenInfo]:
    with store.session() as s:
        query = select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)
        if not include_revoked:
            query = query.where(ApiToken.revoked_at.is_(None))
        return [_info(row) for row in s.execute(query).scalars()]


def revoke_token(store: Store, token_id: str, *, actor: str) -> TokenInfo:
    """Revoke by id (or by name, when one live token has it)."""
    with store.session() as s:
        row = s.get(ApiToken, token_id, with_for_update=True)
        if row is None:
            rows = list(
                s.execute(
                    select(ApiToken).where(ApiToken.name == token_id, ApiToken.revoked_at.is_(None))
                ).scalars()
            )
            if len(rows) != 1:
                raise InputError(
                    f"no token {token_id!r}"
                    if not rows
                    else f"several tokens are named "
                    f"{token_id!r}: give the id (smguard tokens list)",
                    f"tidak ada token {token_id!r}"
                    if not rows
                    else f"beberapa token bernama "
                    f"{token_id!r}: berikan id-nya (smguard tokens list)",
                )
            row = rows[0]
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            store.audit(
                s,
                "token.revoked",
                actor=actor,
                subject=f"token:{row.name}",
                details={"id": row.id},
            )
        return _info(row)


def _bad_token() -> AuthError:
    return AuthError(
        "the API token is missing, unknown or revoked (send: Authorization: Bearer smg_...)",
        "token API tidak ada, tidak dikenal atau sudah dicabut (kirim: Authorization: Bearer "
        "smg_...)",
    )


def find_token(store: Store, token: str) -> TokenInfo:
    """The live token ``token`` names; :class:`AuthError` for anything else."""
    if not token.startswith(PREFIX):
        raise _bad_token()
    token_id, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or not secret or len(token_id) > 16:
        raise _bad_token()
    with store.session() as s:
        row = s.get(ApiToken, token_id)
        if row is None or row.revoked_at is not None:
            raise _bad_token()
        if not hmac.compare_digest(row.secret_hash, _digest(secret)):
            raise _bad_token()
        return _info(row)
