"""``GET /api/zones/{code}`` (facts, metrics, flags, boundary and upload history) and
``GET /api/search?q=`` (zones by name, with or without Vietnamese diacritics)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.db.repositories import layers as layers_repo
from api.deps import ReadSessionDep
from api.params import VersionDep
from api.services.zone_details import zone_detail
from geo.text import fold_diacritics

router = APIRouter(prefix="/api", tags=["zones"])


@router.get("/zones/{code}", operation_id="zones-get")
def get_zone(session: ReadSessionDep, code: str, version: VersionDep) -> dict:
    return zone_detail(session, code, version=version)


@router.get("/search", operation_id="zones-search")
def search(
    session: ReadSessionDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Name or code")],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict:
    results = layers_repo.search_zones(session, fold_diacritics(q), limit=limit)
    return {"query": q, "results": results, "numberReturned": len(results)}
