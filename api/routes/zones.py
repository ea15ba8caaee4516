"""``GET /api/zones``: zones as GeoJSON with filters and paging."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.db.repositories.zones import ZoneFilter, zones_geojson
from api.deps import ReadSessionDep
from api.params import (
    BBoxDep,
    PaginationDep,
    VersionDep,
    choice,
    province_code,
)
from geo.vocabulary import ZONE_KINDS, ZONE_STATUSES

router = APIRouter(prefix="/api", tags=["zones"])


@router.get("/zones", operation_id="zones-list")
def list_zones(
    session: ReadSessionDep,
    version: VersionDep,
    bbox: BBoxDep,
    page: PaginationDep,
    province: Annotated[str | None, Query(description="Province code in `version`")] = None,
    kind: Annotated[str | None, Query(description="KKT, KCN or CCN")] = None,
    status: Annotated[str | None, Query()] = None,
    simplify_m: Annotated[float, Query(ge=0, le=10_000, description="Simplify tolerance")] = 0,
) -> dict:
    flt = ZoneFilter(
        province=province_code(session, version, province),
        version=version,
        kind=choice(kind, ZONE_KINDS, "kind"),
        status=choice(status, ZONE_STATUSES, "status"),
        bbox=bbox,
        limit=page.limit,
        offset=page.offset,
        simplify_deg=simplify_m / 111_000,
    )
    features, total = zones_geojson(session, flt)
    return {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": total,
        "numberReturned": len(features),
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
        "admin_version": version,
    }
