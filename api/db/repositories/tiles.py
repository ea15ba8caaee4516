"""Mapbox vector tiles (``ST_AsMVT``) of the GiST-indexed layers, and their TileJSON fields."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.sql import query

WEB_MERCATOR_WORLD_M = 2 * math.pi * 6_378_137
TILE_EXTENT = 4096
MAX_ZOOM = 22
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class TileLayer:
    id: str
    sql_name: str
    fields: dict[str, str]  # attribute → TileJSON type description (String / Number)
    description: str
    params: dict[str, Any] = field(default_factory=dict)
    extent_sql: str = ""


_ZONE_FIELDS = {
    "code": "String",
    "kind": "String",
    "name": "String",
    "status": "String",
    "province_code": "String",
    "area_ha": "Number",
    "worst_flag": "String",
}
_PROVINCE_FIELDS = {
    "code": "String",
    "name_vi": "String",
    "name_en": "String",
    "admin_version": "String",
    "area_km2": "Number",
}


def _provinces(version: str) -> TileLayer:
    layer = f"provinces-{version}"
    return TileLayer(
        layer,
        "tile_provinces",
        _PROVINCE_FIELDS,
        f"Province boundaries ({version})",
        {"version": version, "layer": layer},
        f"SELECT ST_Extent(geom) FROM provinces WHERE admin_version = '{version}'",
    )


TILE_LAYERS: dict[str, TileLayer] = {
    t.id: t
    for t in (
        TileLayer(
            "zones",
            "tile_zones",
            _ZONE_FIELDS,
            "Zones with their current planning boundary and worst flag (latest run)",
            extent_sql="SELECT ST_Extent(geom) FROM current_planning_boundaries",
        ),
        TileLayer(
            "actual-footprints",
            "tile_actual_footprints",
            {
                "zone_code": "String",
                "kind": "String",
                "source": "String",
                "observed_on": "String",
                "area_ha": "Number",
            },
            "Observed footprints of the zones",
            extent_sql="SELECT ST_Extent(geom) FROM actual_footprints",
        ),
        _provinces("2025-34"),
        _provinces("2008-63"),
    )
}


def tolerance_m(z: int) -> float:
    """Simplification tolerance at zoom ``z``: half a tile-grid cell, in Web Mercator metres."""
    return WEB_MERCATOR_WORLD_M / (TILE_EXTENT * 2**z) / 2


def tile(session: Session, layer: TileLayer, z: int, x: int, y: int) -> bytes:
    """The MVT bytes of one tile (empty bytes when no feature touches it)."""
    # Simplified in EPSG:4326 before projecting: metres → degrees of latitude (at 8–23°N a
    # degree of longitude is 0.92–0.99 of that, so the tolerance stays under half a cell).
    tolerance_deg = tolerance_m(z) / METRES_PER_DEGREE
    params = {"z": z, "x": x, "y": y, "tolerance_deg": tolerance_deg, **layer.params}
    data = session.execute(query(layer.sql_name), params).scalar()
    return bytes(data) if data else b""


def bounds(session: Session, layer: TileLayer) -> list[float] | None:
    """The layer's extent in CRS84 degrees, or None when it is empty."""
    sql = f"SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM ({layer.extent_sql}) e(b)"
    row = session.execute(text(sql)).one()
    if row[0] is None:
        return None
    return [round(float(v), 6) for v in row]
