"""Bulk writes with COPY: zones, planning-boundary versions and actual footprints.

Geometries go in as hex EWKB (SRID 4326), which COPY casts straight into geometry columns.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.types import ZONE_FIELDS

ZONE_COLUMNS = (
    *ZONE_FIELDS,
    "investor",
    "workers",
    "wastewater_status",
    "wastewater_capacity_m3_day",
    "has_worker_housing",
    "location",
)
BOUNDARY_COLUMNS = (
    "zone_id",
    "version",
    "decision_ref",
    "approved_on",
    "valid_from",
    "valid_to",
    "geom",
    "upload_id",
)
FOOTPRINT_COLUMNS = ("zone_id", "source", "observed_on", "geom", "upload_id")


def ewkb_hex(geom: Any) -> str | None:
    """Hex EWKB with SRID 4326, promoting polygons to multipolygons; None for missing."""
    if geom is None or (isinstance(geom, float) and math.isnan(geom)) or geom.is_empty:
        return None
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    return shapely.to_wkb(shapely.set_srid(geom, 4326), hex=True, include_srid=True)


def copy_rows(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    plain: bool = False,
) -> int:
    """COPY ``rows`` into ``table`` (the one text-COPY writer); return how many were written.

    ``table`` and ``columns`` come from the calling repository, never from input. Values are
    cleaned (NaN/NaT to NULL, numpy scalars and timestamps to Python) unless ``plain`` says
    they already are plain Python with None for NULL, which saves a call per value.
    """
    raw = session.connection().connection.driver_connection
    written = 0
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row if plain else [_clean(v) for v in row])
            written += 1
    return written


def zone_ids(session: Session, codes: Sequence[str]) -> dict[str, int]:
    rows = session.execute(
        text("SELECT code, id FROM zones WHERE code = ANY(:codes)"), {"codes": list(codes)}
    )
    return dict(rows.all())


def _clean(value: Any) -> Any:
    if value is None or (not isinstance(value, str | bytes) and _is_missing(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
