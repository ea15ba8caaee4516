"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.db.engine import make_engine, make_session_factory
from api.error_handlers import add_error_handlers
from api.routes import (
    analysis,
    health,
    layers,
    ogc,
    ogc_items,
    pages,
    provinces,
    reports,
    tiles,
    uploads,
    zone_details,
    zones,
)
from api.settings import Settings, get_settings
from web.assets import STATIC_DIR, STATIC_URL


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.resolved_database_url())
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        yield
        engine.dispose()

    app = FastAPI(title="zonemap", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    add_error_handlers(app)
    for module in (
        health,
        provinces,
        zones,
        analysis,
        uploads,
        pages,
        ogc,
        ogc_items,
        tiles,
        reports,
        layers,
        zone_details,
    ):
        app.include_router(module.router)
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
    return app
