"""API tokens: ``zm_`` + 43 random URL-safe characters (32 bytes). Only the SHA-256 of a token
is stored (a token is high-entropy, so a fast hash is enough), with a short prefix to show and
revoke it by; the plaintext is shown once when it is created."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.auth.users import get_user, principal_of
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
    row = session.execute(
        text(
            "INSERT INTO api_tokens (user_id, token_sha256, prefix, expires_at) VALUES "
            "(:u, :h, :p, CASE WHEN CAST(:d AS double precision) IS NULL THEN NULL "
            "ELSE now() + make_interval(secs => CAST(:d AS double precision) * 86400) END) "
            "RETURNING id, expires_at"
        ),
        {"u": user["id"], "h": token_digest(token), "p": token[:_SHOWN], "d": expires_days},
    ).one()
    return IssuedToken(int(row.id), token, token[:_SHOWN], user_name, row.expires_at)


def revoke_token(session: Session, ident: str) -> dict:
    """Revoke the token with this id or display prefix; return it. Raises NotFoundError when
    nothing matches and InvalidParameterError when a prefix matches several tokens."""
    column = "id" if ident.isdigit() else "prefix"
    value: int | str = int(ident) if ident.isdigit() else ident
    rows = session.execute(
        text(f"SELECT t.id, t.prefix, u.name AS user FROM api_tokens t JOIN users u "
             f"ON u.id = t.user_id WHERE t.{column} = :v AND t.revoked_at IS NULL"),
        {"v": value},
    ).mappings().all()  # fmt: skip
    if not rows:
        raise NotFoundError(f"no live token with id or prefix {ident!r}")
    if len(rows) > 1:
        raise InvalidParameterError(
            f"{len(rows)} tokens start with {ident!r}: revoke by id", parameter="token"
        )
    session.execute(text("UPDATE api_tokens SET revoked_at = now() WHERE id = :i"),
                    {"i": rows[0]["id"]})  # fmt: skip
    return dict(rows[0])


def resolve_token(session: Session, token: str) -> Principal | None:
    """The principal of a live token of an active user, or None (unknown, expired, revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    row = session.execute(
        text(
            "SELECT t.id AS token_id, u.id, u.name, u.role, u.provinces FROM api_tokens t "
            "JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = :h AND u.active "
            "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())"
        ),
        {"h": token_digest(token)},
    ).mappings().first()  # fmt: skip
    if row is None:
        return None
    session.execute(
        text("UPDATE api_tokens SET last_used_at = now() WHERE id = :i AND "
             "(last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"),
        {"i": row["token_id"]},
    )  # fmt: skip
    return principal_of(dict(row), via="token", token_id=int(row["token_id"]))
