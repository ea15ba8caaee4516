"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.auth.middleware import (
    BodyLimitMiddleware,
    CsrfCookieMiddleware,
    RateLimitMiddleware,
    WrittenLsnMiddleware,
)
from api.auth.secret import resolve_secret_key
from api.db.engine import make_engine, make_session_factory
from api.db.replicas import ReadRouter
from api.deps import LoginRedirect, require_read, require_read_page
from api.error_handlers import add_error_handlers
from api.ogc import items as ogc_items
from api.ogc import routes as ogc
from api.routes import (
    admin,
    analysis,
    auth,
    health,
    layers,
    pages,
    provinces,
    report_documents,
    reports,
    tiles,
    uploads,
    zone_details,
    zones,
)
from api.settings import Settings, get_settings
from web.assets import STATIC_DIR, STATIC_URL

# Reads are guarded by `require_read` unless ZONEMAP_PUBLIC_READ is true; writes carry their own
# role dependencies (EditorDep, AdminDep) in the route modules. The OGC and tile routers come
# first: they take the most requests, and routes are matched in order.
API_ROUTERS = (
    ogc_items,
    tiles,
    ogc,
    provinces,
    zones,
    analysis,
    uploads,
    reports,
    report_documents,
    layers,
    zone_details,
)
PAGE_ROUTERS = (pages,)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.resolved_database_url())
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        replicas = settings.read_urls()
        app.state.read_router = (
            ReadRouter(
                engine.execution_options(isolation_level="AUTOCOMMIT"),
                replicas,
                max_lag_s=settings.replica_max_lag_s,
            )
            if replicas
            else None
        )
        yield
        if app.state.read_router is not None:
            app.state.read_router.dispose()
        engine.dispose()

    app = FastAPI(title="zonemap", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.secret_key = resolve_secret_key(settings)
    add_error_handlers(app)
    app.add_exception_handler(LoginRedirect, _login_redirect)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(admin.router)
    # public reads carry no guard at all: no session to open and close per request
    read_guard = [] if settings.public_read else [Depends(require_read)]
    for module in API_ROUTERS:
        app.include_router(module.router, dependencies=read_guard)
    for module in PAGE_ROUTERS:
        app.include_router(module.router, dependencies=[Depends(require_read_page)])
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
    # Added last runs first: size cap, then rate limit, then the CSRF cookie.
    app.add_middleware(CsrfCookieMiddleware, key=app.state.secret_key, settings=settings)
    if settings.read_urls():
        app.add_middleware(WrittenLsnMiddleware)
    app.add_middleware(RateLimitMiddleware, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(BodyLimitMiddleware, max_upload_mb=settings.max_upload_mb)
    return app


async def _login_redirect(_request: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, LoginRedirect)
    return RedirectResponse(exc.next_url, status_code=303)
