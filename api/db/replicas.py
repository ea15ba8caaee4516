"""Reads routed to hot-standby replicas, with read-your-writes and fallback to the primary.

``ZONEMAP_READ_DATABASE_URLS`` lists the replicas. A read goes to a replica that is up, lags by
at most ``replica_max_lag_s`` and, when the client wrote recently, has replayed that write:
after a write request the app gives the client the primary's WAL position (the
``zonemap_lsn`` cookie, see ``api.auth.middleware``), and a read carrying it is served only by
a replica whose replay position has reached it. Otherwise, or when a replica cannot be reached,
the read goes to the primary and a warning names the replica and why: never an error page.

Each replica's health (``pg_last_wal_replay_lsn()`` and its replay lag) is checked at most
once per ``HEALTH_TTL_S`` per process; a replica that failed is skipped for ``DOWN_FOR_S``.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from api.db.engine import make_engine, redacted

log = logging.getLogger("zonemap.replicas")
LSN_COOKIE = "zonemap_lsn"
LSN_COOKIE_MAX_AGE_S = 600
HEALTH_TTL_S = 1.0
DOWN_FOR_S = 5.0
# Lag is 0 while the replica has replayed all it received; else the age of the last replayed
# commit (an idle primary sends nothing, so replay-timestamp age alone would grow forever).
_HEALTH = text(
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
    "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)
_REPLAYED = text("SELECT pg_last_wal_replay_lsn()::text")


def lsn_value(lsn: str | None) -> int | None:
    """A ``pg_lsn`` text ('16/B374D848') as a comparable integer; None when absent or bad."""
    if not lsn:
        return None
    high, sep, low = lsn.partition("/")
    try:
        return (int(high, 16) << 32) + int(low, 16) if sep else None
    except ValueError:
        return None


@dataclass
class _Health:
    checked_at: float = -1e9
    down_until: float = 0.0
    replayed: int = 0
    lag_s: float = 0.0


class ReadRouter:
    """Chooses the engine of each read among the replicas and the primary."""

    def __init__(self, primary: Engine, urls: list[str], *, max_lag_s: float) -> None:
        self.primary = primary
        self.max_lag_s = max_lag_s
        self.replicas = [
            make_engine(u).execution_options(isolation_level="AUTOCOMMIT") for u in urls
        ]
        self._health = [_Health() for _ in urls]
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def engine_for(self, min_lsn: int | None = None) -> Engine:
        """A replica fit to serve a read that must see ``min_lsn``, else the primary."""
        if not self.replicas:
            return self.primary
        start = next(self._turn)
        reasons = []
        for i in range(len(self.replicas)):
            index = (start + i) % len(self.replicas)
            reason = self._unfit(index, min_lsn)
            if reason is None:
                return self.replicas[index]
            reasons.append(f"{self._name(index)}: {reason}")
        if any(not r.endswith("behind this client's last write") for r in reasons):
            log.warning("reading from the primary: %s", "; ".join(reasons))
        return self.primary

    def mark_down(self, engine: Engine, exc: Exception) -> None:
        """Skip ``engine``'s replica for a while after a failed read."""
        for index, replica in enumerate(self.replicas):
            if replica is engine:
                self._health[index].down_until = time.monotonic() + DOWN_FOR_S
                log.warning(
                    "replica %s failed (%s): reading from the primary",
                    self._name(index),
                    _first_line(exc),
                )

    def dispose(self) -> None:
        for replica in self.replicas:
            replica.dispose()

    def _unfit(self, index: int, min_lsn: int | None) -> str | None:
        health = self._checked(index)
        now = time.monotonic()
        if health.down_until > now:
            return "unreachable"
        if health.lag_s > self.max_lag_s:
            return f"replay lag {health.lag_s:.1f} s > {self.max_lag_s:g} s"
        if min_lsn is not None and health.replayed < min_lsn:
            health.replayed = self._replayed_now(index) or health.replayed
            if health.replayed < min_lsn:
                return "behind this client's last write"
        return None

    def _checked(self, index: int) -> _Health:
        health = self._health[index]
        now = time.monotonic()
        if now - health.checked_at < HEALTH_TTL_S or health.down_until > now:
            return health
        with self._lock:
            if now - health.checked_at < HEALTH_TTL_S:
                return health
            health.checked_at = now
            try:
                with self.replicas[index].connect() as conn:
                    recovering, replayed, lag_s = conn.execute(_HEALTH).one()
            except DBAPIError as exc:
                health.down_until = now + DOWN_FOR_S
                log.warning("replica %s is unreachable (%s)", self._name(index), _first_line(exc))
                return health
            health.replayed = lsn_value(replayed) or 0
            health.lag_s = float(lag_s) if recovering else 0.0
        return health

    def _replayed_now(self, index: int) -> int | None:
        try:
            with self.replicas[index].connect() as conn:
                return lsn_value(conn.execute(_REPLAYED).scalar_one())
        except DBAPIError:
            return None

    def _name(self, index: int) -> str:
        return redacted(self.replicas[index].url.render_as_string(hide_password=False))


def _first_line(exc: Exception) -> str:
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
