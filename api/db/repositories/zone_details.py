"""One zone's facts and histories (boundary versions, footprints, uploads) and its metrics."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.sql import query


def zone(session: Session, code: str) -> dict[str, Any] | None:
    """The zone's facts, extent (``xmin``…``ymax``) and inner point (``lon``, ``lat``), or None."""
    row = session.execute(query("zone_detail"), {"code": code}).mappings().first()
    return _plain(row) if row else None


def boundary_history(session: Session, zone_id: int) -> list[dict[str, Any]]:
    """Every planning-boundary version, newest first (areas in ha)."""
    return _rows(session, "zone_boundary_history", {"zone_id": zone_id})


def footprint_history(session: Session, zone_id: int) -> list[dict[str, Any]]:
    """Every actual-footprint observation, newest first (areas in ha)."""
    return _rows(session, "zone_footprint_history", {"zone_id": zone_id})


def upload_history(session: Session, zone_id: int) -> list[dict[str, Any]]:
    """The uploads that changed the zone, newest first."""
    return _rows(session, "zone_upload_history", {"zone_id": zone_id})


def metrics(session: Session, run_id: int, code: str) -> dict[str, Any] | None:
    """The zone's footprint metrics in run ``run_id``, or None when the run did not cover it."""
    row = session.execute(query("zone_metrics_of_run"), {"run": run_id, "code": code})
    found = row.mappings().first()
    return _plain(found) if found else None


def _rows(session: Session, sql_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [_plain(r) for r in session.execute(query(sql_name), params).mappings()]


def _plain(row: Any) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in dict(row).items()}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def province(session: Session, version: str, code: str) -> dict[str, Any] | None:
    """A province of admin ``version`` with its extent (``xmin``…``ymax``), or None."""
    row = session.execute(query("province_detail"), {"version": version, "code": code})
    found = row.mappings().first()
    return _plain(found) if found else None


def province_names(session: Session, version: str) -> list[dict[str, Any]]:
    """``code``, ``name_vi``, ``name_en`` of every province of admin ``version``, by code."""
    rows = session.execute(
        text("SELECT code, name_vi, name_en FROM provinces WHERE admin_version = :v ORDER BY code"),
        {"v": version},
    )
    return [dict(r) for r in rows.mappings()]
