"""Bring a database to a usable state: cluster up (when private), database, PostGIS, schema,
boundaries. Every step is idempotent, so a second run only checks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from api.db import migrate
from api.db.engine import (
    DatabaseUnavailableError,
    check_postgis,
    make_engine,
    make_session_factory,
    redacted,
    unreachable,
)
from api.db.server import DatabaseServer
from api.services.boundaries import load_boundaries
from api.settings import Settings


@dataclass(frozen=True)
class Prepared:
    url: str
    postgis_version: str
    boundaries_inserted: dict[str, int]


def start_private_server(settings: Settings) -> str | None:
    """Start the private cluster unless DATABASE_URL points elsewhere."""
    if settings.database_url:
        return None
    return DatabaseServer.from_settings(settings).up()


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


def prepare_database(url: str, *, recreate: bool = False, load_admin: bool = True) -> Prepared:
    """Database, PostGIS, migrations and boundaries for ``url``."""
    ensure_database(url, recreate=recreate)
    engine = make_engine(url)
    try:
        version = check_postgis(engine)
        migrate.upgrade(engine)
        inserted = _load_boundaries(engine) if load_admin else {}
    finally:
        engine.dispose()
    return Prepared(url, version, inserted)


def _load_boundaries(engine: Engine) -> dict[str, int]:
    with make_session_factory(engine).begin() as session:
        return load_boundaries(session)
