"""The shared rate-limit buckets (``rate_limit_buckets``; see ``api.auth.ratelimit``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.engine import Connection

_TAKE = text("SELECT zonemap_take_token(:key, :per_minute, COALESCE(:at, clock_timestamp()))")
_FORGET = text("SELECT zonemap_forget_full_buckets()")


def take_token(
    conn: Connection, key: str, *, per_minute: int, at: dt.datetime | None = None
) -> float:
    """Spend one request of ``key`` at ``at`` (default: now): 0.0, or the seconds to wait."""
    return float(conn.execute(_TAKE, {"key": key, "per_minute": per_minute, "at": at}).scalar_one())


def forget_full_buckets(conn: Connection) -> int:
    """Delete the buckets untouched for a minute (they are full again); how many went."""
    return int(conn.execute(_FORGET).scalar_one())
