"""Shared fixtures: paths, the throwaway test database (real PostGIS), per-test rollback.

``make test`` sets REQUIRE_DB=1: then a database that cannot be reached fails the run instead
of skipping the tests that need it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
TESTS_DIR = ROOT / "tests"
DATA_DIR = TESTS_DIR / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"
DEMO_TODAY = dt.date(2026, 1, 1)
DEMO_SCALE = 0.1
DEMO_SEED = 7

_MARKERS_BY_FOLDER = {"integration": "db", "browser": "browser"}
# Access control: a request acts as someone only through explicit credentials. The `client`
# fixture and `admin_headers` carry an API token of a real admin (TEST_ADMIN), browser pages
# sign in with its password (`admin_page`); nothing trusts loopback requests (local_user stays
# unset).
TEST_ADMIN = "zonemap-test-admin"
TEST_ADMIN_PASSWORD = "test-admin-password-1234"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(TESTS_DIR).parts
        marker = _MARKERS_BY_FOLDER.get(parts[0]) if parts else None
        if marker:
            item.add_marker(getattr(pytest.mark, marker))
        if parts and parts[0] == "browser":
            item.add_marker(pytest.mark.db)


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test when this clone has none."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (a user's clone has no ../shared)")
    return path


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_DB") == "1":
        pytest.fail(f"REQUIRE_DB=1 but the test database is unavailable: {reason}")
    pytest.skip(f"no test database: {reason}")


def scratch_database_url(base_url: str, suffix: str) -> str:
    """``base_url`` with a database name of its own for this test process."""
    base = make_url(base_url)
    name = f"{base.database}_test_{os.getpid()}{suffix}"
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def test_database_url() -> Iterator[str]:
    """A throwaway database on the private cluster (or on DATABASE_URL's server), named after
    this process so that concurrent runs never share one; dropped at the end."""
    from api.db.engine import DatabaseUnavailableError
    from api.db.server import DatabaseServerError
    from api.services.bootstrap import drop_database, prepare_database, start_private_server
    from api.settings import Settings

    settings = Settings()
    try:
        start_private_server(settings)
        url = scratch_database_url(settings.resolved_database_url(), "")
        prepare_database(url, recreate=True)
    except (DatabaseServerError, DatabaseUnavailableError) as exc:
        _unavailable(str(exc))
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def admin_headers(test_database_url: str) -> dict[str, str]:
    """``Authorization`` of TEST_ADMIN (an admin with a password, committed in the test
    database) for requests that write: the explicit credentials of the apps the tests drive."""
    from api.auth.tokens import create_token
    from api.auth.users import create_user
    from api.db.engine import make_engine, make_session_factory

    eng = make_engine(test_database_url)
    try:
        with make_session_factory(eng).begin() as session:
            create_user(session, TEST_ADMIN, role="admin", password=TEST_ADMIN_PASSWORD)
            token = create_token(session, TEST_ADMIN, expires_days=1).token
    finally:
        eng.dispose()
    return {"Authorization": f"Bearer {token}"}


def issue_token(
    session: Session, name: str, *, role: str = "admin", provinces: tuple[str, ...] = ()
) -> str:
    """Add a user ``name`` in ``session`` and return a fresh API token of theirs."""
    from api.auth.tokens import create_token
    from api.auth.users import create_user

    create_user(session, name, role=role, provinces=provinces)
    return create_token(session, name, expires_days=1).token


@pytest.fixture(scope="session")
def engine(test_database_url: str) -> Iterator[Engine]:
    from api.db.engine import make_engine

    eng = make_engine(test_database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_loaded(engine: Engine) -> dict[str, int]:
    """The synthetic demo at a small scale, committed once for the whole session."""
    from api.db.engine import make_session_factory
    from api.services.demo import load_demo

    with make_session_factory(engine).begin() as session:
        return load_demo(session, scale=DEMO_SCALE, seed=DEMO_SEED, today=DEMO_TODAY)


@contextmanager
def rolled_back_session(engine: Engine) -> Iterator[Session]:
    """A session whose every change is rolled back on exit (commits become savepoints), and
    whose connection is closed, so nothing is left idle in transaction holding locks."""
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session whose every change is rolled back after the test."""
    with rolled_back_session(engine) as session:
        yield session


def use_test_transaction(app, db_session: Session) -> None:  # noqa: ANN001
    """Make ``app``'s routes use the test's rolled-back transaction: the ORM session
    (`get_session`) and the read-only connection of the OGC/tile routes (`get_read_db`)."""
    from api.deps import ReadDb, get_read_db, get_session

    def _session() -> Iterator[Session]:
        yield db_session

    def _read_db() -> ReadDb:
        db_session.flush()  # the routes read through the connection: no autoflush there
        return ReadDb(connection=db_session.connection())

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_read_db] = _read_db


@pytest.fixture
def test_settings(test_database_url: str):  # noqa: ANN201
    from api.settings import Settings

    return Settings(database_url=test_database_url)


@pytest.fixture
def client(test_settings, db_session: Session):  # noqa: ANN001, ANN201
    """A TestClient whose requests run inside the test's rolled-back transaction."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(test_settings)
    use_test_transaction(app, db_session)
    token = issue_token(db_session, "zonemap-test-client")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as test_client:
        yield test_client


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(test_database_url: str, demo_loaded: dict[str, int]) -> Iterator[str]:
    """The real app served by uvicorn on a free loopback port, over the committed demo data."""
    import threading
    import time

    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    app = create_app(Settings(database_url=test_database_url))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
