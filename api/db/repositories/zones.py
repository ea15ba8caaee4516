"""Zones: filtered GeoJSON reads and bulk writes (COPY) of zones, boundaries and footprints."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import shapely
from geoalchemy2.shape import from_shape
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.db.models import PlanningBoundary, Zone
from api.db.sql import query
from geo.vocabulary import ZONE_PROVINCE_VERSION


@dataclass(frozen=True)
class ZoneFilter:
    province: str | None = None
    version: str = ZONE_PROVINCE_VERSION
    kind: str | None = None
    status: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    limit: int = 1000
    offset: int = 0
    simplify_deg: float = 0.0


def zones_geojson(session: Session, flt: ZoneFilter) -> tuple[list[dict], int]:
    """Return (features, total matching) for one page of zones."""
    xmin, ymin, xmax, ymax = flt.bbox if flt.bbox else (None, None, None, None)
    params = {
        "province": flt.province,
        "version": flt.version,
        "kind": flt.kind,
        "status": flt.status,
        "xmin": xmin,
        "ymin": ymin,
        "xmax": xmax,
        "ymax": ymax,
        "limit": flt.limit,
        "offset": flt.offset,
        "simplify_deg": flt.simplify_deg,
    }
    features, total = [], 0
    for row in session.execute(query("zones_geojson"), params).mappings():
        total = row["total"]
        props = {k: _jsonable(v) for k, v in row.items() if k not in ("geometry", "total")}
        geometry = json.loads(row["geometry"]) if row["geometry"] else None
        features.append(
            {"type": "Feature", "id": row["code"], "geometry": geometry, "properties": props}
        )
    if not features and flt.offset:
        total = count_zones(session, flt)
    return features, total


def count_zones(session: Session, flt: ZoneFilter) -> int:
    page = ZoneFilter(**{**flt.__dict__, "limit": 1, "offset": 0})
    features, total = zones_geojson(session, page)
    return total if features else 0


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Zone)) or 0


def counts(session: Session) -> tuple[int, int]:
    """All zones and the synthetic ones, in one scan."""
    total, synthetic = session.execute(
        select(func.count(), func.count().filter(Zone.is_synthetic)).select_from(Zone)
    ).one()
    return total, synthetic


def any_synthetic(session: Session) -> bool:
    return bool(session.scalar(select(select(Zone.id).where(Zone.is_synthetic).exists())))


def delete_synthetic(session: Session) -> int:
    result = session.execute(delete(Zone).where(Zone.is_synthetic))
    return result.rowcount or 0


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class GeometryRejectedError(ValueError):
    """A geometry that may not be stored (not polygonal, empty or invalid)."""


def insert_zone(session: Session, attrs: dict[str, Any], boundary: Any = None) -> int:
    """Insert one zone and, when given, its first planning-boundary version.

    ``boundary`` is a shapely Polygon/MultiPolygon in EPSG:4326; anything else is rejected
    before a row is written (the database CHECKs reject it again if this is bypassed).
    """
    if boundary is not None:
        _check_polygon(boundary)
    with session.begin_nested():
        zone = Zone(**attrs)
        session.add(zone)
        session.flush()
        if boundary is not None:
            session.add(
                PlanningBoundary(
                    zone_id=zone.id,
                    version=1,
                    valid_from=attrs.get("established_on") or dt.date.today(),
                    decision_ref=attrs.get("decision_ref"),
                    geom=from_shape(_as_multi(boundary), srid=4326),
                )
            )
            session.flush()
    return zone.id


def _check_polygon(geom: Any) -> None:
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryRejectedError(f"a planning boundary must be a polygon, got {geom.geom_type}")
    if geom.is_empty:
        raise GeometryRejectedError("a planning boundary must not be empty")
    if not geom.is_valid:
        raise GeometryRejectedError(
            f"the planning boundary is not a valid polygon ({shapely.is_valid_reason(geom)}): "
            "repair it (e.g. make_valid in QGIS) and try again"
        )


def _as_multi(geom: Any) -> Any:
    return shapely.MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom


def all_codes(session: Session) -> list[str]:
    """Every zone code in the register, sorted."""
    return list(session.execute(select(Zone.code).order_by(Zone.code)).scalars())
