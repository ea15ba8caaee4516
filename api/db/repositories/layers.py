"""Map layers as GeoJSON features, simplified to the zoom they are drawn at (EPSG:4326).

Every query lives in ``api/db/sql/layer_*.sql``; values go in as bind parameters. A ``zoom`` of
None means full detail. Tolerances are half a screen pixel at that zoom (256-px Web Mercator
tiles, measured at the equator), so the simplification is invisible on screen.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from api.db.repositories.read_cache import data_version
from api.db.sql import query

FULL_DETAIL_ZOOM: Final = 17
FLAGGED_SORTS: Final = ("severity", "name", "province", "area", "flags")
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class LayerQuery:
    """What part of a layer to read: zoom (None = full detail), extent and filters."""

    zoom: int | None = None
    bbox: BBox | None = None
    province: str | None = None
    kind: str | None = None
    zone: str | None = None
    all_versions: bool = False
    limit: int = 50_000


def tolerance_deg(zoom: int | None) -> float:
    """Half a 256-px screen pixel at ``zoom`` in degrees of longitude at the equator (0 = none)."""
    if zoom is None or zoom >= FULL_DETAIL_ZOOM:
        return 0.0
    return 360.0 / (256 * 2**zoom) / 2


def coordinate_digits(zoom: int | None) -> int:
    """Decimals that keep coordinates within a tenth of a pixel at ``zoom`` (3 to 6)."""
    if zoom is None:
        return 6
    pixels_per_degree = 256 * 2**zoom / 360.0
    return min(6, max(3, math.ceil(math.log10(pixels_per_degree)) + 1))


def _params(q: LayerQuery, **extra: Any) -> dict[str, Any]:
    xmin, ymin, xmax, ymax = q.bbox if q.bbox else (None, None, None, None)
    return {
        "tolerance_deg": tolerance_deg(q.zoom),
        "digits": coordinate_digits(q.zoom),
        "xmin": xmin,
        "ymin": ymin,
        "xmax": xmax,
        "ymax": ymax,
        "province": q.province,
        "kind": q.kind,
        "zone": q.zone,
        "all_versions": q.all_versions,
        "limit": q.limit,
        **extra,
    }


def _features(session: Session, sql_name: str, params: dict[str, Any], id_key: str) -> list[dict]:
    features = []
    for row in session.execute(query(sql_name), params).mappings():
        props = {k: _jsonable(v) for k, v in row.items() if k != "geometry"}
        geometry = json.loads(row["geometry"]) if row["geometry"] else None
        features.append(
            {"type": "Feature", "id": row[id_key], "geometry": geometry, "properties": props}
        )
    return features


def zones(session: Session, q: LayerQuery, *, run_id: int | None) -> list[dict]:
    """Zones with their worst flag severity (``worst``) and flag codes in run ``run_id``."""
    return _features(session, "layer_zones", _params(q, run=run_id), "code")


def planning_boundaries(session: Session, q: LayerQuery) -> list[dict]:
    """Current planning boundaries, or every version with ``q.all_versions``."""
    features = _features(session, "layer_planning_boundaries", _params(q), "code")
    for feature in features:
        feature["id"] = f"{feature['id']}@{feature['properties']['version']}"
    return features


def footprints(session: Session, q: LayerQuery) -> list[dict]:
    """Latest actual footprint per zone, or every observation with ``q.all_versions``."""
    return _features(session, "layer_footprints", _params(q), "code")


def encroachments(session: Session, q: LayerQuery, *, run_id: int | None) -> list[dict]:
    """Encroachment geometries of run ``run_id`` (empty before the first run)."""
    if run_id is None:
        return []
    return _features(session, "layer_encroachments", _params(q, run=run_id), "code")


def clusters(session: Session, q: LayerQuery, *, run_id: int | None) -> list[dict]:
    """Density-cluster hulls of run ``run_id`` (empty before the first run)."""
    if run_id is None:
        return []
    return _features(session, "layer_clusters", _params(q, run=run_id), "cluster_id")


def provinces(session: Session, version: str, q: LayerQuery) -> list[dict]:
    """Province boundaries of admin ``version``, from the pre-simplified geometry below z9."""
    use_simplified = q.zoom is not None and q.zoom < 9
    params = _params(q, version=version, use_simplified=use_simplified)
    return _features(session, "layer_provinces", params, "code")


def heat_points(session: Session, q: LayerQuery) -> list[list[float]]:
    """``[lat, lon, zones, area_ha]`` per grid cell of four pixels at ``q.zoom``."""
    cell_deg = max(4 * 2 * tolerance_deg(q.zoom if q.zoom is not None else 12), 1e-4)
    rows = session.execute(query("layer_heat"), _params(q, cell_deg=cell_deg))
    return [
        [float(r.lat), float(r.lon), int(r.zones), round(float(r.area_ha or 0), 1)] for r in rows
    ]


def flagged_zones(
    session: Session,
    *,
    run_id: int,
    province: str | None,
    kind: str | None,
    flag: str | None,
    severity: str | None,
    sort: str,
    limit: int,
    offset: int = 0,
    with_geometry: bool = False,
) -> tuple[list[dict], int]:
    """Flagged zones of run ``run_id`` for the side panel (one page: ``limit`` rows from
    ``offset``), and how many match in total; ``with_geometry`` adds each zone's GeoJSON."""
    if sort not in FLAGGED_SORTS:
        raise ValueError(f"sort must be one of {FLAGGED_SORTS}")
    params = {
        "run": run_id,
        "province": province,
        "kind": kind,
        "flag": flag,
        "severity": severity,
        "sort": sort,
        "limit": limit,
        "offset": offset,
        "with_geometry": with_geometry,
    }
    rows = [dict(r) for r in session.execute(query("layer_flagged_zones"), params).mappings()]
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset > 0:  # past the last page: the total still says how many there are
        _, total = flagged_zones(
            session,
            run_id=run_id,
            province=province,
            kind=kind,
            flag=flag,
            severity=severity,
            sort=sort,
            limit=1,
        )
    skip = {"total"} if with_geometry else {"total", "geometry"}
    return [{k: _jsonable(v) for k, v in r.items() if k not in skip} for r in rows], total


def search_zones(session: Session, folded: str, *, limit: int) -> list[dict]:
    """Zones whose folded name contains the words of ``folded`` in order, or whose code starts
    with it. ``folded`` must already be lower-case without diacritics."""
    words = [_escape_like(w) for w in folded.split()]
    if not words:
        return []
    params = {
        "pattern": "%" + "%".join(words) + "%",
        "prefix_pattern": "%".join(words) + "%",
        "code_prefix": _escape_like(folded.strip()) + "%",
        "exact": folded.strip(),
        "limit": limit,
    }
    rows = session.execute(query("zone_search"), params).mappings()
    return [{k: _jsonable(v) for k, v in r.items()} for r in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def data_fingerprint(session: Session) -> str | None:
    """The data version keying cached aggregate layers (the heat map); None when this
    transaction has written, so its own uncommitted rows are neither read from nor put in a
    cache."""
    return data_version(session)
