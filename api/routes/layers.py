"""``/api/layers/*``: the web map's layers as GeoJSON simplified to the zoom, heat-map points and
the flagged-zone list of the side panel. Large answers are gzip-compressed when the browser
accepts it."""

from __future__ import annotations

import gzip
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from api.db.repositories import analysis as analysis_repo
from api.db.repositories import layers as repo
from api.db.repositories.read_cache import LruCache
from api.deps import ReadSessionDep
from api.params import BBoxDep, VersionDep, choice, province_code
from api.services.flagged_export import EXPORT_FORMATS, export_flagged
from geo.types import ZONE_KINDS
from geo.vocabulary import ZONE_PROVINCE_VERSION
from web.i18n import normalize_lang
from web.i18n.flags import FLAG_CODES, SEVERITIES

router = APIRouter(prefix="/api/layers", tags=["layers"])
GZIP_MIN_BYTES = 1400


def layer_query(
    session: ReadSessionDep,
    bbox: BBoxDep,
    zoom: Annotated[int | None, Query(ge=0, le=22, description="Map zoom; none = full")] = None,
    province: Annotated[str | None, Query(description="Province code (2025-34)")] = None,
    kind: Annotated[str | None, Query(description="KKT, KCN or CCN")] = None,
    zone: Annotated[str | None, Query(description="Zone code")] = None,
    all_versions: Annotated[bool, Query(description="History, not only the current")] = False,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 50_000,
) -> repo.LayerQuery:
    return repo.LayerQuery(
        zoom=zoom,
        bbox=bbox,
        province=province_code(session, ZONE_PROVINCE_VERSION, province),
        kind=choice(kind, ZONE_KINDS, "kind"),
        zone=zone,
        all_versions=all_versions,
        limit=limit,
    )


LayerQueryDep = Annotated[repo.LayerQuery, Depends(layer_query)]


def json_response(
    request: Request, payload: Any, *, media_type: str = "application/geo+json"
) -> Response:
    """Compact JSON, gzip-compressed when the client accepts it and it is worth it."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers = {"Vary": "Accept-Encoding"}
    if len(body) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, compresslevel=5)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=media_type, headers=headers)


def _collection(request: Request, features: list[dict], **extra: Any) -> Response:
    return json_response(
        request,
        {
            "type": "FeatureCollection",
            "features": features,
            "numberReturned": len(features),
            **extra,
        },
    )


def _run_id(session: ReadSessionDep, version: str, province: str | None) -> int | None:
    run = analysis_repo.latest_run(session, version=version, province=province)
    return run["id"] if run else None


@router.get("/zones", operation_id="layers-zones")
def zones(
    request: Request, session: ReadSessionDep, q: LayerQueryDep, version: VersionDep
) -> Response:
    run_id = _run_id(session, version, q.province)
    return _collection(request, repo.zones(session, q, run_id=run_id), run_id=run_id)


@router.get("/planning-boundaries", operation_id="layers-planning-boundaries")
def planning_boundaries(request: Request, session: ReadSessionDep, q: LayerQueryDep) -> Response:
    return _collection(request, repo.planning_boundaries(session, q))


@router.get("/footprints", operation_id="layers-footprints")
def footprints(request: Request, session: ReadSessionDep, q: LayerQueryDep) -> Response:
    return _collection(request, repo.footprints(session, q))


@router.get("/encroachments", operation_id="layers-encroachments")
def encroachments(
    request: Request, session: ReadSessionDep, q: LayerQueryDep, version: VersionDep
) -> Response:
    run_id = _run_id(session, version, q.province)
    return _collection(request, repo.encroachments(session, q, run_id=run_id), run_id=run_id)


@router.get("/clusters", operation_id="layers-clusters")
def clusters(
    request: Request, session: ReadSessionDep, q: LayerQueryDep, version: VersionDep
) -> Response:
    run_id = _run_id(session, version, q.province)
    return _collection(request, repo.clusters(session, q, run_id=run_id), run_id=run_id)


@router.get("/provinces", operation_id="layers-provinces")
def provinces(
    request: Request, session: ReadSessionDep, q: LayerQueryDep, version: VersionDep
) -> Response:
    return _collection(request, repo.provinces(session, version, q), admin_version=version)


_HEAT_CACHE = LruCache(max_entries=64)


@router.get("/heat", operation_id="layers-heat")
def heat(request: Request, session: ReadSessionDep, q: LayerQueryDep) -> Response:
    return json_response(
        request,
        {"fields": ["lat", "lon", "zones", "area_ha"], "points": _heat_points(session, q)},
        media_type="application/json",
    )


def _heat_points(session: ReadSessionDep, q: repo.LayerQuery) -> list:
    """The heat grid is the same for every visitor until the zones change: cache it by query
    and data fingerprint (aggregating 250,000 zones takes a second or more)."""
    version = repo.data_fingerprint(session)
    if version is None:
        return repo.heat_points(session, q)
    points = _HEAT_CACHE.get((q, version))
    if points is None:
        points = repo.heat_points(session, q)
        _HEAT_CACHE.put((q, version), points)
    return points


@router.get("/flagged-zones", operation_id="layers-flagged-zones")
def flagged_zones(
    request: Request,
    session: ReadSessionDep,
    version: VersionDep,
    province: Annotated[str | None, Query()] = None,
    kind: Annotated[str | None, Query()] = None,
    flag: Annotated[str | None, Query(description="Flag code, e.g. ENCROACHMENT")] = None,
    severity: Annotated[str | None, Query()] = None,
    sort: Annotated[str, Query(description=", ".join(repo.FLAGGED_SORTS))] = "severity",
    limit: Annotated[int, Query(ge=1, le=5000)] = 300,
    offset: Annotated[int, Query(ge=0, description="Rows to skip (paging)")] = 0,
    format: Annotated[str, Query(description="json, or a file: csv, xlsx, geojson")] = "json",
    lang: Annotated[str | None, Query(description="vi or en: flag names in files")] = None,
) -> Response:
    fmt = choice(format, ("json", *EXPORT_FORMATS), "format") or "json"
    province = province_code(session, ZONE_PROVINCE_VERSION, province)
    run_id = _run_id(session, version, province)
    page = {"limit": limit, "offset": offset} if fmt == "json" else {"limit": 1_000_000}
    rows, total = (
        ([], 0)
        if run_id is None
        else repo.flagged_zones(
            session,
            run_id=run_id,
            province=province,
            kind=choice(kind, ZONE_KINDS, "kind"),
            flag=choice(flag, FLAG_CODES, "flag"),
            severity=choice(severity, SEVERITIES, "severity"),
            sort=choice(sort, repo.FLAGGED_SORTS, "sort") or "severity",
            with_geometry=fmt == "geojson",
            **page,
        )
    )
    if fmt != "json":
        return _export_file(rows, fmt=fmt, lang=normalize_lang(lang), version=version)
    payload = {"run_id": run_id, "total": total, "offset": offset, "zones": rows}
    return json_response(request, payload, media_type="application/json")


def _export_file(rows: list[dict], *, fmt: str, lang: str, version: str) -> Response:
    name = f"flagged_zones_{version}.{fmt}"
    return Response(
        export_flagged(rows, fmt=fmt, lang=lang),
        media_type=EXPORT_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
