"""Zones: filtered GeoJSON reads and bulk writes (COPY) of zones, boundaries and footprints."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.models import Zone
from api.db.repositories.bulk import ewkb_hex
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
    return session.execute(text("SELECT count(*) FROM zones")).scalar_one()


def counts(session: Session) -> tuple[int, int]:
    """All zones and the synthetic ones, in one scan."""
    total, synthetic = session.execute(
        text("SELECT count(*), count(*) FILTER (WHERE is_synthetic) FROM zones")
    ).one()
    return total, synthetic


def any_synthetic(session: Session) -> bool:
    return session.execute(
        text("SELECT EXISTS (SELECT 1 FROM zones WHERE is_synthetic)")
    ).scalar_one()


def delete_synthetic(session: Session) -> int:
    return session.execute(text("DELETE FROM zones WHERE is_synthetic")).rowcount or 0


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
    unknown = set(attrs) - _ZONE_COLUMNS
    if unknown:
        raise ValueError(f"not zone columns: {', '.join(sorted(unknown))}")
    columns = ", ".join(attrs)
    values = ", ".join(f":{name}" for name in attrs)
    with session.begin_nested():
        zone_id = session.execute(
            text(f"INSERT INTO zones ({columns}) VALUES ({values}) RETURNING id"), attrs
        ).scalar_one()
        if boundary is not None:
            session.execute(
                text(
                    "INSERT INTO planning_boundaries (zone_id, version, valid_from, decision_ref, "
                    "geom) VALUES (:zone_id, 1, :valid_from, :decision_ref, :geom)"
                ),
                {
                    "zone_id": zone_id,
                    "valid_from": attrs.get("established_on") or dt.date.today(),
                    "decision_ref": attrs.get("decision_ref"),
                    "geom": ewkb_hex(boundary),
                },
            )
    return zone_id


# the columns ``insert_zone`` may name (they are pasted into its SQL)
_ZONE_COLUMNS = frozenset(Zone.__table__.columns.keys())


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


def all_codes(session: Session) -> list[str]:
    """Every zone code in the register, sorted."""
    return list(session.execute(text("SELECT code FROM zones ORDER BY code")).scalars())
