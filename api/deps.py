"""Dependencies shared by the routes (``Annotated`` aliases keep signatures short).

Who is asking: ``get_principal`` reads a Bearer API token, else the login session cookie, else
(on a loopback request, when the ``local_user`` setting names one) the local user. ``ViewerDep``,
``EditorDep`` and ``AdminDep`` require a role; on a post authenticated by a cookie they also
require the CSRF token. ``require_read`` guards every read route when ``public_read`` is off.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.auth.middleware import UNSAFE_METHODS
from api.auth.principal import Principal
from api.auth.sessions import csrf_matches, read_state, sent_csrf
from api.auth.tokens import resolve_token
from api.auth.users import get_user, principal_of
from api.db.replicas import LSN_COOKIE, ReadRouter, lsn_value
from api.db.repositories import server_info
from api.errors import ForbiddenError, UnauthorizedError
from api.settings import Settings

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})
_UNSET = object()
T = TypeVar("T")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A request's ORM session, committed when the route returns, before the response is sent
    (``scope="function"`` in `SessionDep`), rolled back on an error.

    Async so that a request that never touches the session (a public read guarded by
    `require_read`) costs no threadpool hop: creating a session does no I/O, and the commit
    and close run in the threadpool only when the session holds a transaction or changes.
    With read replicas, a commit that wrote leaves the primary's WAL position in
    ``request.state.written_lsn`` (the ``zonemap_lsn`` cookie: read-your-writes).
    """
    session = request.app.state.session_factory()
    try:
        yield session
    except Exception:
        await _finish(request, session, commit=False)
        raise
    await _finish(request, session, commit=True)


async def _finish(request: Request, session: Session, *, commit: bool) -> None:
    if not (session.in_transaction() or session.new or session.dirty or session.deleted):
        session.close()  # nothing was read or written: no connection to release
        return
    track = commit and getattr(request.app.state, "read_router", None) is not None
    lsn = await run_in_threadpool(_commit_or_rollback, session, commit, track)
    if lsn:
        request.state.written_lsn = lsn


def _commit_or_rollback(session: Session, commit: bool, track_lsn: bool = False) -> str | None:
    with session:
        if not commit:
            session.rollback()
            return None
        session.flush()
        wrote = track_lsn and server_info.wrote_in_transaction(session)
        session.commit()
        if wrote:  # the WAL insert position after the commit is at or past its record
            return server_info.wal_insert_lsn(session)
    return None


class ReadDb:
    """Read-only database access for one request, opened lazily inside the route's thread.

    ``connect()`` checks out an AUTOCOMMIT connection (one round trip per statement, no
    BEGIN/COMMIT); in tests it hands out the test transaction's connection instead.
    """

    def __init__(
        self,
        engine: Engine | None = None,
        connection: Connection | None = None,
        limiter: anyio.CapacityLimiter | None = None,
        router: ReadRouter | None = None,
        min_lsn: int | None = None,
    ) -> None:
        self.engine = engine
        self.connection = connection
        self.limiter = limiter
        self.router = router
        self.min_lsn = min_lsn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """The test's connection, else a replica's (`ReadRouter`), else the primary's."""
        if self.connection is not None:
            yield self.connection
            return
        assert self.engine is not None
        engine = self.engine
        if self.router is not None:
            engine = self.router.engine_for(self.min_lsn)
        try:
            conn = engine.connect()
        except OperationalError as exc:
            if engine is self.engine or self.router is None:
                raise
            self.router.mark_down(engine, exc)
            conn = self.engine.connect()
        with conn:
            yield conn


# Database reads of the OGC/tile routes run in at most this many threads at once (per app),
# the rest wait in the limiter's FIFO queue. One per core plus one keeps PostgreSQL busy while a
# thread serialises its result; more only contend for the GIL and the cores, and requests
# overtake each other, which raises the tail latency at the same throughput (the figures are
# in bench/RESULTS.md).
READ_THREADS = (os.cpu_count() or 1) + 1


async def run_read(db: ReadDb, read: Callable[..., T], *args: Any) -> T:
    """``read(connection, *args)`` in one worker thread (at most `READ_THREADS` at once)."""

    def call() -> T:
        with db.connect() as conn:
            return read(conn, *args)

    return await anyio.to_thread.run_sync(call, limiter=db.limiter)


async def get_read_db(request: Request) -> ReadDb:
    """The `ReadDb` of the app's engine (AUTOCOMMIT); no I/O and no threadpool hop here."""
    state = request.app.state
    engine = getattr(state, "read_engine", None)
    if engine is None or engine.pool is not state.engine.pool:
        engine = state.engine.execution_options(isolation_level="AUTOCOMMIT")
        state.read_engine = engine
        state.read_threads = anyio.CapacityLimiter(READ_THREADS)
    router = getattr(state, "read_router", None)
    min_lsn = lsn_value(request.cookies.get(LSN_COOKIE)) if router is not None else None
    return ReadDb(engine, limiter=state.read_threads, router=router, min_lsn=min_lsn)


async def get_read_session(
    request: Request, session: Annotated[Session, Depends(get_session, scope="function")]
) -> AsyncIterator[Session]:
    """A session for map reads and pages: on a replica fit for this client when
    ``ZONEMAP_READ_DATABASE_URLS`` is set (see `ReadRouter`), else the request's session."""
    router = getattr(request.app.state, "read_router", None)
    if router is None:
        yield session
        return
    min_lsn = lsn_value(request.cookies.get(LSN_COOKIE))
    engine = await run_in_threadpool(router.engine_for, min_lsn)
    replica_session = Session(bind=engine)
    try:
        yield replica_session
    finally:
        await run_in_threadpool(replica_session.close)


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


# scope="function": the session commits before the response is sent, so a 200 means the
# write is committed and a request the client sends next sees it (with the default scope the
# commit ran after the response: a page reloading its history right after a commit or a
# rollback could read the old status, and a failed COMMIT would follow a 200).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
ReadDbDep = Annotated[ReadDb, Depends(get_read_db)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


class LoginRedirect(Exception):
    """A page needs a login: the app answers with a redirect to ``/login?next=...``."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_principal(request: Request, session: SessionDep, settings: SettingsDep) -> Principal | None:
    """The caller, or None when anonymous. A presented but bad token is a 401 at once."""
    cached = getattr(request.state, "principal", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    principal = _identify(request, session, settings)
    request.state.principal = principal
    return principal


def _identify(request: Request, session: Session, settings: Settings) -> Principal | None:
    auth = request.headers.get("authorization")
    if auth is not None:
        scheme, _, token = auth.partition(" ")
        principal = resolve_token(session, token.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            raise UnauthorizedError(
                "The API token is unknown, expired or revoked. Create a new one with "
                "`zonemap token create NAME` and send it as 'Authorization: Bearer <token>'.",
                code="invalid_token",
            )
        return principal
    state = read_state(request.cookies, request.app.state.secret_key, settings)
    if state is not None and state.user_id is not None:
        user = get_user(session, user_id=state.user_id)
        if user is not None and user["active"] and user["session_epoch"] == state.epoch:
            return principal_of(user, via="session", csrf=state.csrf)
    if state is not None and (state.is_invalid or state.user_id is not None):
        request.state.session_invalid = True
        return None
    if settings.local_user and client_ip(request) in _LOOPBACK:
        user = get_user(session, name=settings.local_user)
        if user is not None and user["active"]:
            return principal_of(user, via="local")
    return None


CurrentPrincipal = Annotated[Principal | None, Depends(get_principal)]


def _logged_in(request: Request, principal: Principal | None) -> Principal:
    if principal is not None:
        return principal
    if getattr(request.state, "session_invalid", False):
        raise UnauthorizedError(
            "Your session cookie is invalid or has expired: log in again at /login.",
            code="invalid_session",
        )
    raise UnauthorizedError(
        "Log in at /login, or send an API token as 'Authorization: Bearer <token>'.",
        code="not_authenticated",
    )


def check_csrf(request: Request, principal: Principal, form_value: str | None = None) -> None:
    """Refuse a cookie-authenticated post whose CSRF token is missing or wrong (403).

    A ``local`` principal is exempt for requests no browser would send (no Origin, no Fetch
    Metadata, no cookies): CSRF is an attack through a browser.
    """
    if principal.via == "local" and not _from_browser(request):
        return
    expected = getattr(request.state, "csrf_token", None)
    if not csrf_matches(expected, sent_csrf(request, form_value)):
        raise ForbiddenError(
            "The CSRF token is missing or does not match: reload the page and try again.",
            code="csrf_failed",
        )


def _from_browser(request: Request) -> bool:
    headers = request.headers
    return any(h in headers for h in ("origin", "sec-fetch-site", "cookie"))


def require_role(role: str) -> Callable[..., Principal]:
    """A dependency that admits ``role`` or stronger (and checks CSRF on cookie posts)."""

    def dependency(request: Request, principal: CurrentPrincipal) -> Principal:
        user = _logged_in(request, principal)
        if request.method in UNSAFE_METHODS and user.is_ambient:
            check_csrf(request, user)
        if not user.has_role(role):
            raise ForbiddenError(
                f"{user.name} is a {user.role}; this needs the {role} role.", code="forbidden_role"
            )
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


ViewerDep = Annotated[Principal, Depends(require_role("viewer"))]
EditorDep = Annotated[Principal, Depends(require_role("editor"))]
AdminDep = Annotated[Principal, Depends(require_role("admin"))]


def require_read(request: Request, session: SessionDep, settings: SettingsDep) -> None:
    """Router guard for the API, OGC and tile reads when ``public_read`` is off (``create_app``
    installs it only then): a logged-in user of any role."""
    _logged_in(request, get_principal(request, session, settings))


def require_read_page(request: Request, session: SessionDep, settings: SettingsDep) -> None:
    """Router guard for HTML pages: like `require_read`, but redirects to the login page."""
    if settings.public_read:
        return
    if get_principal(request, session, settings) is None:
        raise LoginRedirect(_here(request))


def require_editor_page(request: Request, principal: CurrentPrincipal) -> Principal:
    """For pages that write (``/upload``): an editor, or a redirect to the login page."""
    if principal is None:
        raise LoginRedirect(_here(request))
    if not principal.has_role("editor"):
        raise ForbiddenError(f"{principal.name} is a {principal.role}; this page needs an editor.")
    return principal


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return "/login?next=" + quote(request.url.path + query, safe="")
