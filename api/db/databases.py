"""Create and drop whole databases on a server (CREATE/DROP DATABASE run outside a transaction).

The name comes from the database URL and is quoted as an identifier; a name that cannot be
quoted safely is refused.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from api.db.engine import DatabaseUnavailableError, make_engine, redacted, unreachable


def ensure_database(url: str, *, recreate: bool = False) -> None:
    """Create the database named in ``url`` on its server if it does not exist."""
    target = make_url(url)
    admin = make_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = _identifier(target.database)
    try:
        with admin.connect() as conn:
            if recreate:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        raise unreachable(redacted(url), exc) from exc
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    """Drop the database named in ``url`` (used for throwaway test databases)."""
    target = make_url(url)
    admin = make_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(
                text(f'DROP DATABASE IF EXISTS "{_identifier(target.database)}" WITH (FORCE)')
            )
    finally:
        admin.dispose()


def _identifier(name: str | None) -> str:
    if not name or '"' in name or "\x00" in name:
        raise DatabaseUnavailableError(f"unusable database name {name!r} in the database URL")
    return name
