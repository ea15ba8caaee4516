"""API tokens: ``zm_`` + 43 random URL-safe characters (32 bytes). Only the SHA-256 of a token
is stored (a token is high-entropy, so a fast hash is enough), with a short prefix to show and
revoke it by; the plaintext is shown once when it is created."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.auth.users import get_user, principal_of
from api.db.repositories import tokens as repo
from api.errors import InvalidParameterError, NotFoundError

TOKEN_PREFIX = "zm_"
_SHOWN = 10  # characters kept as the display prefix ("zm_" + 7)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is the only copy of the plaintext."""

    token_id: int
    token: str
    prefix: str
    user: str
    expires_at: datetime | None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user_name: str, *, expires_days: float | None) -> IssuedToken:
    """Make a token for the active user ``user_name``, valid for ``expires_days`` (None: no
    expiry). Raises NotFoundError for an unknown or inactive user."""
    user = get_user(session, name=user_name)
    if user is None or not user["active"]:
        raise NotFoundError(f"no active user named {user_name!r}: add one with `zonemap user add`")
    if expires_days is not None and expires_days <= 0:
        raise InvalidParameterError("--expires-days must be positive", parameter="expires_days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id, expires_at = repo.insert_token(
        session, user["id"], token_digest(token), token[:_SHOWN], expires_days
    )
    return IssuedToken(token_id, token, token[:_SHOWN], user_name, expires_at)


def revoke_token(session: Session, ident: str) -> dict:
    """Revoke the token with this id or display prefix; return it. Raises NotFoundError when
    nothing matches and InvalidParameterError when a prefix matches several tokens."""
    if ident.isdigit():
        rows = repo.live_tokens(session, token_id=int(ident))
    else:
        rows = repo.live_tokens(session, prefix=ident)
    if not rows:
        raise NotFoundError(f"no live token with id or prefix {ident!r}")
    if len(rows) > 1:
        raise InvalidParameterError(
            f"{len(rows)} tokens start with {ident!r}: revoke by id", parameter="token"
        )
    repo.revoke(session, rows[0]["id"])
    return rows[0]


def resolve_token(session: Session, token: str) -> Principal | None:
    """The principal of a live token of an active user, or None (unknown, expired, revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    row = repo.holder_of(session, token_digest(token))
    if row is None:
        return None
    repo.note_use(session, row["token_id"])
    return principal_of(row, via="token", token_id=int(row["token_id"]))
