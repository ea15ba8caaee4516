"""``GET /api/health``: is the database reachable, which PostGIS, which worker process answered."""

import os

from fastapi import APIRouter

from api.db.repositories import server_info
from api.deps import SessionDep

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", operation_id="health-get")
def health(session: SessionDep) -> dict:
    version = server_info.postgis_version(session)
    return {"status": "ok", "database": "reachable", "postgis": version, "worker_pid": os.getpid()}
