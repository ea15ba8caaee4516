"""Province boundaries: bulk load and GeoJSON reads."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.repositories import bulk
from api.db.sql import query


def count_by_version(session: Session) -> dict[str, int]:
    rows = session.execute(
        text("SELECT admin_version, count(*) FROM provinces GROUP BY admin_version")
    )
    return dict(rows.all())


def codes(session: Session, version: str) -> set[str]:
    rows = session.execute(
        text("SELECT code FROM provinces WHERE admin_version = :version"), {"version": version}
    )
    return set(rows.scalars())


def insert_provinces(session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert province rows (``_PROVINCE_COLUMNS``; geometries as shapely, EPSG:4326)."""
    values = [
        {
            **{column: row.get(column) for column in _PROVINCE_COLUMNS},
            "geom": bulk.ewkb_hex(row["geom"]),
            "geom_simplified": bulk.ewkb_hex(row.get("geom_simplified")),
        }
        for row in rows
    ]
    if values:
        columns = ", ".join(_PROVINCE_COLUMNS)
        params = ", ".join(f":{c}" for c in _PROVINCE_COLUMNS)
        session.execute(text(f"INSERT INTO provinces ({columns}) VALUES ({params})"), values)
    return len(values)


_PROVINCE_COLUMNS = (
    "admin_version",
    "code",
    "name_vi",
    "name_vi_full",
    "name_en",
    "unit_type",
    "valid_from",
    "valid_to",
    "area_km2",
    "parent_code_2025",
    "merged_from",
    "geom",
    "geom_simplified",
)


def provinces_geojson(session: Session, version: str, *, simplified: bool) -> list[dict]:
    rows = session.execute(
        query("provinces_geojson"), {"version": version, "simplified": simplified}
    )
    features = []
    for row in rows.mappings():
        props = {k: _jsonable(v) for k, v in row.items() if k != "geometry"}
        features.append(
            {
                "type": "Feature",
                "id": row["code"],
                "geometry": json.loads(row["geometry"]),
                "properties": props,
            }
        )
    return features


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def simplified_frame(session: Session, version: str) -> gpd.GeoDataFrame:
    """The provinces of ``version`` (simplified where available) with ``code``, ``name_vi`` and
    ``merged_from`` (``;``-separated), EPSG:4326."""
    sql = text(
        "SELECT code, name_vi, array_to_string(merged_from, ';') AS merged_from, "
        "ST_AsBinary(COALESCE(geom_simplified, geom)) AS wkb FROM provinces "
        "WHERE admin_version = :v ORDER BY code"
    )
    rows = session.execute(sql, {"v": version}).mappings().all()
    geoms = shapely.from_wkb([bytes(r["wkb"]) for r in rows])
    data = {k: [r[k] for r in rows] for k in ("code", "name_vi", "merged_from")}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=4326)
