"""Engine and session factory (psycopg 3), plus the reachability check with clear errors."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be used; the message says which problem and how to fix it."""


def make_engine(url: str, **kwargs) -> Engine:
    """An engine sized for one app worker serving up to ~32 concurrent requests.

    No ``pool_pre_ping`` (a round trip per checkout): connections are recycled after
    ``pool_recycle`` seconds, and a connection found dead during a request invalidates the
    whole pool (SQLAlchemy's disconnect handling), so after a server restart one request
    fails and the next ones reconnect. Pass ``pool_pre_ping=True`` where that matters more.
    """
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 600)
    kwargs.setdefault("pool_size", 16)
    kwargs.setdefault("max_overflow", 24)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def unreachable(where: str, exc: OperationalError) -> DatabaseUnavailableError:
    """The one-line error for a database that does not answer."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return DatabaseUnavailableError(
        f"cannot reach the database at {where} ({reason}): check DATABASE_URL, or unset it "
        "to use the private cluster (`zonemap db up`)"
    )


def check_postgis(engine: Engine, *, create_extension: bool = True) -> str:
    """Return the PostGIS version, creating the extension when allowed.

    Raises DatabaseUnavailableError naming the problem: unreachable, or no PostGIS.
    """
    where = redacted(str(engine.url.render_as_string(hide_password=False)))
    try:
        with engine.connect() as conn:
            if create_extension:
                _create_postgis(conn, where)
            version = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
    except OperationalError as exc:
        raise unreachable(where, exc) from exc
    except ProgrammingError as exc:
        raise DatabaseUnavailableError(
            f"the database at {where} has no PostGIS: install postgresql-15-postgis-3 on its "
            "server and run `CREATE EXTENSION postgis;` as a superuser"
        ) from exc
    return str(version)


def _create_postgis(conn, where: str) -> None:  # noqa: ANN001
    has_ext = conn.execute(
        text("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")
    ).scalar_one()
    if not has_ext:
        raise DatabaseUnavailableError(
            f"the database server at {where} has no PostGIS available: install "
            "postgresql-15-postgis-3 on that server, or unset DATABASE_URL to use the private "
            "cluster"
        )
    installed = conn.execute(
        text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
    ).scalar_one()
    if not installed:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        conn.commit()
