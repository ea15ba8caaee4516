"""Bring a database to a usable state: cluster up (when private), database, PostGIS, schema,
boundaries. Every step is idempotent, so a second run only checks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from api.db import migrate
from api.db.databases import drop_database, ensure_database
from api.db.engine import check_postgis, make_engine, make_session_factory
from api.db.server import DatabaseServer
from api.services.boundaries import load_boundaries
from api.settings import Settings

__all__ = [
    "Prepared",
    "drop_database",
    "ensure_database",
    "prepare_database",
    "start_private_server",
]


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
