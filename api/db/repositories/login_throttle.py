"""The ``login_throttle`` table: failed sign-in counts, delays and lockouts per key (an account
or an address); the rules live in api.auth.throttle."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.sql import query


def lock_key(session: Session, key: str) -> None:
    """Make sure ``key`` has a row and lock it for this transaction (one attempt at a time)."""
    session.execute(
        text("INSERT INTO login_throttle (key) VALUES (:k) ON CONFLICT DO NOTHING"), {"k": key}
    )
    session.execute(text("SELECT 1 FROM login_throttle WHERE key = :k FOR UPDATE"), {"k": key})


def waits(session: Session, keys: Sequence[str]) -> list[dict]:
    """``key``, ``locked`` and ``wait_s`` (whole seconds left of its delay) of each key."""
    rows = session.execute(
        text(
            "SELECT key, locked_at IS NOT NULL AS locked, GREATEST(0, CEIL(EXTRACT(EPOCH FROM "
            "blocked_until - now())))::int AS wait_s FROM login_throttle WHERE key = ANY(:k)"
        ),
        {"k": list(keys)},
    ).mappings()
    return [dict(r) for r in rows]


def count_failure(session: Session, key: str, *, forget_after_s: float) -> int:
    """Add a failure to ``key`` (restarting the count after ``forget_after_s`` quiet seconds
    unless locked); return its failures."""
    params = {"key": key, "forget": forget_after_s}
    return int(session.execute(query("login_throttle_failure"), params).scalar_one())


def block(session: Session, key: str, *, wait_s: float, lock: bool) -> None:
    """Delay ``key``'s next attempt by ``wait_s`` seconds, and lock it when ``lock``."""
    session.execute(
        text(
            "UPDATE login_throttle SET blocked_until = now() + make_interval(secs => :w), "
            "locked_at = CASE WHEN :lock THEN COALESCE(locked_at, now()) ELSE locked_at END "
            "WHERE key = :key"
        ),
        {"w": wait_s, "lock": lock, "key": key},
    )


def clear(session: Session, keys: Sequence[str]) -> int:
    """Forget ``keys``; return the rows cleared."""
    result = session.execute(
        text("DELETE FROM login_throttle WHERE key = ANY(:k)"), {"k": list(keys)}
    )
    return int(result.rowcount or 0)


def throttled(session: Session) -> list[dict]:
    """Locked and delayed keys, newest failure first."""
    rows = session.execute(
        text(
            "SELECT key, failures, last_failure_at, blocked_until, locked_at FROM login_throttle "
            "WHERE locked_at IS NOT NULL OR blocked_until > now() ORDER BY last_failure_at DESC"
        )
    ).mappings()
    return [dict(r) for r in rows]
