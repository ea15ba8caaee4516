"""Zones: filtered GeoJSON reads and bulk writes (COPY) of zones, boundaries and footprints."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.db.models import Zone
from api.db.sql import query


@dataclass(frozen=True)
class ZoneFilter:
    province: str | None = None
    version: str = "2025-34"
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
        "province": flt.province, "version": flt.version, "kind": flt.kind,
        "status": flt.status, "xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax,
        "limit": flt.limit, "offset": flt.offset, "simplify_deg": flt.simplify_deg,
    }
    features, total = [], 0
    for row in session.execute(query("zones_geojson"), params).mappings():
        total = row["total"]
        props = {k: _jsonable(v) for k, v in row.items() if k not in ("geometry", "total")}
        geometry = json.loads(row["geometry"]) if row["geometry"] else None
        features.append({"type": "Feature", "id": row["code"], "geometry": geometry,
                         "properties": props})
    if not features and flt.offset:
        total = count_zones(session, flt)
    return features, total


def count_zones(session: Session, flt: ZoneFilter) -> int:
    page = ZoneFilter(**{**flt.__dict__, "limit": 1, "offset": 0})
    features, total = zones_geojson(session, page)
    return total if features else 0


def count(session: Session, *, synthetic_only: bool = False) -> int:
    stmt = select(func.count()).select_from(Zone)
    if synthetic_only:
        stmt = stmt.where(Zone.is_synthetic)
    return session.scalar(stmt) or 0


def delete_synthetic(session: Session) -> int:
    result = session.execute(delete(Zone).where(Zone.is_synthetic))
    return result.rowcount or 0


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
