"""``GET /api/health``: is the database reachable, which PostGIS, which worker process answered."""

import os

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import SessionDep

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", operation_id="health-get")
def health(session: SessionDep) -> dict:
    version = session.execute(text("SELECT postgis_lib_version()")).scalar_one()
    return {"status": "ok", "database": "reachable", "postgis": version, "worker_pid": os.getpid()}
