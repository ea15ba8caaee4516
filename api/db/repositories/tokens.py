"""The ``api_tokens`` table: insert, find live tokens, revoke, note their use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


def insert_token(
    session: Session, user_id: int, digest: str, prefix: str, expires_days: float | None
) -> tuple[int, datetime | None]:
    """Store a token's digest and display prefix; return its id and expiry time."""
    row = session.execute(
        text(
            "INSERT INTO api_tokens (user_id, token_sha256, prefix, expires_at) VALUES "
            "(:u, :h, :p, CASE WHEN CAST(:d AS double precision) IS NULL THEN NULL "
            "ELSE now() + make_interval(secs => CAST(:d AS double precision) * 86400) END) "
            "RETURNING id, expires_at"
        ),
        {"u": user_id, "h": digest, "p": prefix, "d": expires_days},
    ).one()
    return int(row.id), row.expires_at


def live_tokens(
    session: Session, *, token_id: int | None = None, prefix: str | None = None
) -> list[dict]:
    """The unrevoked tokens with this id, or with this display prefix (``id``, ``prefix``,
    ``user``)."""
    where = "t.id = :v" if token_id is not None else "t.prefix = :v"
    rows = session.execute(
        text(
            "SELECT t.id, t.prefix, u.name AS user FROM api_tokens t JOIN users u "
            f"ON u.id = t.user_id WHERE {where} AND t.revoked_at IS NULL"
        ),
        {"v": token_id if token_id is not None else prefix},
    ).mappings()
    return [dict(r) for r in rows]


def revoke(session: Session, token_id: int) -> None:
    session.execute(text("UPDATE api_tokens SET revoked_at = now() WHERE id = :i"), {"i": token_id})


def holder_of(session: Session, digest: str) -> dict | None:
    """The active user holding the live token with this digest (``token_id``, ``id``, ``name``,
    ``role``, ``provinces``), or None."""
    row = (
        session.execute(
            text(
                "SELECT t.id AS token_id, u.id, u.name, u.role, u.provinces FROM api_tokens t "
                "JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = :h AND u.active "
                "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())"
            ),
            {"h": digest},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def note_use(session: Session, token_id: int) -> None:
    """Record when a token was last used (at most one write a minute per token)."""
    session.execute(
        text(
            "UPDATE api_tokens SET last_used_at = now() WHERE id = :i AND "
            "(last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"
        ),
        {"i": token_id},
    )
