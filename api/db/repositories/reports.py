"""Reads for the province reports: the province, its zones with the metrics of a run, flags,
clusters, neighbours, national statistics and data sources. Geometry is EPSG:4326."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.repositories.frames import read_frame
from api.db.sql import query


def province(session: Session, *, code: str, version: str) -> gpd.GeoDataFrame:
    """The province ``code`` of ``version`` (zero rows when unknown), full-resolution outline."""
    return _read(session, "report_province", {"code": code, "version": version})


def province_outlines(session: Session, *, version: str) -> gpd.GeoDataFrame:
    """Every province of ``version``, simplified outlines (neighbours and the inset map)."""
    return _read(session, "report_province_outlines", {"version": version})


def zones(session: Session, *, province: str, version: str, run_id: int | None) -> gpd.GeoDataFrame:
    """Zones of a province with the metrics of ``run_id``; ``encroachment`` is a shapely
    geometry column (None when there is none)."""
    frame = _read(
        session, "report_zones", {"province": province, "version": version, "run": run_id}
    )
    wkb = frame.pop("encroachment_wkb")
    frame["encroachment"] = [shapely.from_wkb(bytes(w)) if w is not None else None for w in wkb]
    return frame


def flags(session: Session, *, run_id: int, codes: list[str], province: str) -> list[dict]:
    rows = session.execute(
        query("report_flags"), {"run": run_id, "codes": codes, "province": province}
    )
    return [dict(r) for r in rows.mappings()]


def clusters(session: Session, *, run_id: int, codes: list[str]) -> gpd.GeoDataFrame:
    return _read(session, "report_clusters", {"run": run_id, "codes": codes})


def national_stats(session: Session, *, version: str) -> dict[str, dict]:
    """``{province code: stats}`` of the newest complete national run (empty when none)."""
    rows = session.execute(query("report_national_stats"), {"version": version})
    return {r.province_code: r.stats for r in rows}


def sources(session: Session, codes: list[str]) -> list[dict]:
    rows = session.execute(query("report_sources"), {"codes": codes})
    return [dict(r) for r in rows.mappings()]


def run(session: Session, run_id: int) -> dict[str, Any] | None:
    row = (
        session.execute(
            text(
                "SELECT id, admin_version, province_code, finished_at, zone_count, thresholds "
                "FROM analysis_runs WHERE id = :id"
            ),
            {"id": run_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _read(session: Session, name: str, params: dict) -> gpd.GeoDataFrame:
    return read_frame(session, query(name), params)
