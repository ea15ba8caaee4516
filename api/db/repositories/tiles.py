"""Mapbox vector tiles (``ST_AsMVT``) of the GiST-indexed layers, and their TileJSON fields."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from api.db.repositories.read_cache import VERSION_SQL, LruCache, data_version, usable_version
from api.db.sql import query
from geo.vocabulary import ADMIN_VERSIONS

WEB_MERCATOR_WORLD_M = 2 * math.pi * 6_378_137
TILE_EXTENT = 4096
MAX_ZOOM = 22
METRES_PER_DEGREE = 111_320.0
TILE_CACHE = LruCache(max_entries=4096, max_weight=128 * 1024 * 1024)


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
        *(_provinces(version) for version in reversed(ADMIN_VERSIONS)),  # the newest first
    )
}


def tolerance_m(z: int) -> float:
    """Simplification tolerance at zoom ``z``: half a tile-grid cell, in Web Mercator metres."""
    return WEB_MERCATOR_WORLD_M / (TILE_EXTENT * 2**z) / 2


@dataclass(frozen=True)
class Tile:
    data: bytes  # MVT bytes, empty when no feature touches the tile
    etag: str  # strong ETag (quoted BLAKE2b digest of ``data``)


def tile(session: Session | Connection, layer: TileLayer, z: int, x: int, y: int) -> Tile:
    """One MVT tile, from ``TILE_CACHE`` when the data have not changed since it was built.

    The lookup uses the snapshot of a first cheap statement; a built tile is stored under the
    snapshot of the statement that built it (see ``read_cache``).
    """
    version = data_version(session)
    if version is not None:
        cached = TILE_CACHE.get((layer.id, z, x, y, version))
        if cached is not None:
            return cached
    # Simplified in EPSG:4326 before projecting: metres → degrees of latitude (at 8–23°N a
    # degree of longitude is 0.92–0.99 of that, so the tolerance stays under half a cell).
    tolerance_deg = tolerance_m(z) / METRES_PER_DEGREE
    params = {"z": z, "x": x, "y": y, "tolerance_deg": tolerance_deg, **layer.params}
    data, raw_version = session.execute(_versioned(layer.sql_name), params).one()
    data = bytes(data) if data else b""
    built = Tile(data, '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"')
    version = usable_version(raw_version)
    if version is not None:
        TILE_CACHE.put((layer.id, z, x, y, version), built, weight=len(data) + 200)
    return built


@cache
def _versioned(sql_name: str) -> TextClause:
    """The layer's tile statement with the snapshot version as a second column."""
    return text(f"SELECT t.*, {VERSION_SQL} FROM (\n{query(sql_name).text}\n) t")


def bounds(session: Session | Connection, layer: TileLayer) -> list[float] | None:
    """The layer's extent in CRS84 degrees, or None when it is empty."""
    sql = f"SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM ({layer.extent_sql}) e(b)"
    row = session.execute(text(sql)).one()
    if row[0] is None:
        return None
    return [round(float(v), 6) for v in row]
