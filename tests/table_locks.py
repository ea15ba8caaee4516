"""Hold a table so that a process writing to it waits: tests stop a commit or a job at a known
point this way (no hook in the code under test), then kill it or let it go on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

_WAITING = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query ILIKE :q"
)


class HeldTable:
    """A table locked against writes (``EXCLUSIVE``: reads go on, writes wait)."""

    def __init__(self, connection, table: str) -> None:  # noqa: ANN001
        self._connection = connection
        self._table = table

    def wait_for_writer(self, timeout_s: float = 90.0) -> None:
        """Return once another backend waits to write the table; AssertionError on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            # pg_stat_activity is read once per transaction unless its snapshot is cleared
            self._connection.execute(text("SELECT pg_stat_clear_snapshot()"))
            waiting = self._connection.execute(_WAITING, {"q": f"%{self._table}%"}).scalar_one()
            if waiting:
                return
            time.sleep(0.1)
        raise AssertionError(f"nothing waited to write {self._table} within {timeout_s:.0f} s")


@contextmanager
def writes_held(database_url: str, table: str) -> Iterator[HeldTable]:
    """Lock ``table`` (a fixed name from the test) until the block ends."""
    engine = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            connection.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
            try:
                yield HeldTable(connection, table)
            finally:
                connection.rollback()
    finally:
        engine.dispose()
