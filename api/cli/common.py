"""What every command shares: settings, engine, and errors printed as one clear line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from api.db.engine import DatabaseUnavailableError, make_engine, make_session_factory
from api.db.server import DatabaseServerError
from api.errors import ZonemapError
from api.settings import Settings, get_settings
from geo.errors import GeoError

UserFacingErrors = (
    DatabaseServerError,
    DatabaseUnavailableError,
    ZonemapError,
    GeoError,
)


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"zonemap: error: {message}", file=sys.stderr)
    sys.exit(code)


def settings() -> Settings:
    return get_settings()


@contextmanager
def transaction() -> Iterator[Session]:
    """One transaction on the configured database, committed on success."""
    engine = make_engine(settings().resolved_database_url())
    try:
        with make_session_factory(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
