"""Province boundaries: bulk load and GeoJSON reads."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import shapely
from geoalchemy2.shape import from_shape
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from api.db.models import Province
from api.db.sql import query


def count_by_version(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Province.admin_version, func.count()).group_by(Province.admin_version)
    )
    return dict(rows.all())


def codes(session: Session, version: str) -> set[str]:
    return set(session.scalars(select(Province.code).where(Province.admin_version == version)))


def insert_provinces(session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    values = [
        {
            **row,
            "geom": from_shape(row["geom"], srid=4326),
            "geom_simplified": from_shape(row["geom_simplified"], srid=4326)
            if row.get("geom_simplified") is not None
            else None,
        }
        for row in rows
    ]
    if values:
        session.execute(insert(Province), values)
    return len(values)


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
