"""The data version that keys the read caches: writers never wait on it, and every committed
writing transaction moves it by one for the snapshots that see it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from api.db.repositories.read_cache import VERSION_SQL, data_version

# A statement trigger fires even when the statement changes no row.
TOUCH_ZONES = text("UPDATE zones SET code = code WHERE false")
TOUCH_FLAGS = text("DELETE FROM flags WHERE false")


def _committed_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT {VERSION_SQL}")).scalar_one())


def _write(conn: Connection, statement) -> None:  # noqa: ANN001
    conn.execute(text("SET LOCAL lock_timeout = '3s'"))
    conn.execute(statement)


def test_two_open_writing_transactions_do_not_wait_on_the_version(engine: Engine) -> None:
    before = _committed_version(engine)
    with engine.connect() as first, engine.connect() as second:
        _write(first, TOUCH_ZONES)
        _write(second, TOUCH_FLAGS)  # a lock on one counter row would time out here
        _write(second, TOUCH_ZONES)
        assert data_version(first) is None  # a transaction that wrote does not use the caches
        assert _committed_version(engine) == before  # nothing committed yet
        first.commit()
        after_first = _committed_version(engine)
        second.commit()
        after_second = _committed_version(engine)
    assert before < after_first < after_second


def test_rolled_back_write_leaves_the_version(engine: Engine) -> None:
    before = _committed_version(engine)
    with engine.connect() as conn:
        _write(conn, TOUCH_ZONES)
        conn.rollback()
    assert _committed_version(engine) == before


def test_committed_changes_are_folded_into_the_counter(engine: Engine) -> None:
    for _ in range(5):
        with engine.begin() as conn:
            conn.execute(TOUCH_ZONES)
    with engine.connect() as conn:
        pending = conn.execute(text("SELECT count(*) FROM zonemap_data_changes")).scalar_one()
    assert pending <= 1  # each writer folds the rows committed before it
