"""``GET /api/provinces``: province boundaries of one admin version as GeoJSON."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.db.repositories import provinces as repo
from api.deps import ReadSessionDep
from api.params import VersionDep

router = APIRouter(prefix="/api", tags=["provinces"])


@router.get("/provinces", operation_id="provinces-list")
def list_provinces(
    session: ReadSessionDep,
    version: VersionDep,
    simplified: Annotated[bool, Query(description="Lighter geometry for web maps")] = False,
) -> dict:
    features = repo.provinces_geojson(session, version, simplified=simplified)
    return {
        "type": "FeatureCollection",
        "admin_version": version,
        "features": features,
        "numberReturned": len(features),
    }
