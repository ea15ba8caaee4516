"""An in-process token bucket per key (API token or client address).

Each key may burst ``per_minute`` requests and then gets one more every ``60 / per_minute``
seconds. State lives in this process only: with several workers each enforces its own share.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

_MAX_KEYS = 100_000


class RateLimiter:
    """Token buckets keyed by string; ``take`` returns 0 when allowed, else the wait in s."""

    def __init__(self, *, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self._rate_per_s = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one request of ``key``'s bucket; 0.0 if allowed, else seconds until allowed."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * self._rate_per_s)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / self._rate_per_s
            if len(self._buckets) >= _MAX_KEYS and key not in self._buckets:
                self._forget_full(now)
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely (they behave like new ones)."""
        full_after_s = 60.0
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after_s}
