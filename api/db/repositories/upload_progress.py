"""``upload_progress``: how far a running upload is (migration 0015), keyed by a page token."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection


def record(
    conn: Connection,
    token: str,
    *,
    stage: str,
    fraction: float,
    processed: int | None,
    total: int | None,
) -> None:
    """Upsert the token's progress (the caller's connection autocommits)."""
    conn.execute(
        text(
            "INSERT INTO upload_progress (token, stage, fraction, processed, total) "
            "VALUES (:t, :s, :f, :p, :n) ON CONFLICT (token) DO UPDATE SET stage = :s, "
            "fraction = :f, processed = :p, total = :n, updated_at = now()"
        ),
        {"t": token, "s": stage, "f": fraction, "p": processed, "n": total},
    )


def forget_old(conn: Connection) -> None:
    """Remove progress rows older than a day (uploads long finished or abandoned)."""
    conn.execute(text("DELETE FROM upload_progress WHERE updated_at < now() - interval '1 day'"))


def get(conn: Connection, token: str) -> dict | None:
    row = (
        conn.execute(
            text(
                "SELECT stage, fraction, processed, total, updated_at FROM upload_progress "
                "WHERE token = :t"
            ),
            {"t": token},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None
