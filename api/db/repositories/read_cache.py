"""Small in-process caches for the OGC/tile read paths, keyed on the database's data version.

The data version is ``zonemap_data_version.version`` plus the rows of ``zonemap_data_changes``:
a statement trigger on every table these reads depend on adds one row per writing transaction,
and writers fold committed rows into the counter without waiting on one another (migrations 0008
and 0017). A statement sees the version grow by one with each committed write it sees, so a
statement that sees version ``v`` sees exactly the same writes as every other statement that
sees ``v``: a value computed under version ``v`` is right for all of them, in this process, in
another worker, on another app server or on a replica (which replays both tables with the
data). A commit changes the version: that costs a miss, never a stale answer. Writes to other
tables (sessions, audit log, rate-limit buckets) leave it alone, so they do not empty the caches.

Rules: a value is stored under the version selected by the statement that computed it; a
transaction that has written (``txid_current_if_assigned()`` set) sees its own uncommitted rows,
so it neither reads nor fills a cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

VERSION_SQL = (
    "((SELECT version FROM zonemap_data_version)"
    " + (SELECT count(*) FROM zonemap_data_changes))::text || "
    "CASE WHEN txid_current_if_assigned() IS NULL THEN '' ELSE '*' END"
)
_VERSION = text(f"SELECT {VERSION_SQL}")


def data_version(db: Session | Connection) -> str | None:
    """The current data version, or None when this transaction has written (do not cache)."""
    return usable_version(db.execute(_VERSION).scalar_one())


def usable_version(raw: str | None) -> str | None:
    """``raw`` as selected with ``VERSION_SQL``: None when it must not be used as a key."""
    if not raw or raw.endswith("*"):
        return None
    return raw


class LruCache:
    """A thread-safe LRU map bounded by entry count and by total ``weight`` (bytes)."""

    def __init__(self, *, max_entries: int, max_weight: int = 0) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any, *, weight: int = 0) -> None:
        if self.max_weight and weight > self.max_weight // 4:
            return  # one huge value would evict everything else
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._items[key] = (value, weight)
            self._weight += weight
            while len(self._items) > self.max_entries or (
                self.max_weight and self._weight > self.max_weight
            ):
                _, (_, dropped) = self._items.popitem(last=False)
                self._weight -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._weight = 0

    def __len__(self) -> int:
        return len(self._items)
