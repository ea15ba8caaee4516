"""Token buckets per key (API token or client address), shared by every worker and server.

Each key may burst ``per_minute`` requests and then gets one more every ``60 / per_minute``
seconds. The buckets live in PostgreSQL (``rate_limit_buckets``, UNLOGGED, and the function
``zonemap_take_token`` of migration 0008), so N workers behind one port, or N app servers behind
a load balancer, enforce one limit per key, not N. A crash of the database refills the buckets.
"""

from __future__ import annotations

import random

from sqlalchemy import Engine

from api.db.repositories.rate_limits import forget_full_buckets, take_token

# About one request in this many also deletes the buckets that are full again.
_SWEEP_EVERY = 1_000


class RateLimiter:
    """``take(engine, key)`` returns 0 when the request is allowed, else the wait in seconds."""

    def __init__(self, *, per_minute: int) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute

    def take(self, engine: Engine, key: str) -> float:
        with engine.begin() as conn:
            wait_s = take_token(conn, key, per_minute=self.per_minute)
            if random.random() < 1 / _SWEEP_EVERY:  # noqa: S311 (not security: load spreading)
                forget_full_buckets(conn)
        return wait_s
