"""What the database server says about itself: PostGIS version, WAL position, row counts."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

COUNTED_TABLES = (
    "provinces",
    "zones",
    "planning_boundaries",
    "actual_footprints",
    "uploads",
    "analysis_runs",
    "flags",
)


def postgis_version(session: Session) -> str:
    return str(session.execute(text("SELECT postgis_lib_version()")).scalar_one())


def wrote_in_transaction(session: Session) -> bool:
    """Whether the session's transaction has written anything (it has a transaction id)."""
    return bool(session.scalar(text("SELECT txid_current_if_assigned()")))


def wal_insert_lsn(session: Session) -> str | None:
    """The WAL insert position: after a commit, at or past that commit's record."""
    return session.scalar(text("SELECT pg_current_wal_insert_lsn()::text"))


def row_counts(session: Session, tables: Iterable[str] = COUNTED_TABLES) -> dict[str, int]:
    """Rows per table; ``tables`` come from ``COUNTED_TABLES`` (identifiers, never input)."""
    allowed = [t for t in tables if t in COUNTED_TABLES]
    count = "SELECT count(*) FROM {}"
    return {t: int(session.execute(text(count.format(t))).scalar_one()) for t in allowed}
