"""Stage an upload straight from rows (no file): the record and ``upload_features`` as
``services.uploads.stage`` writes them, so tests drive the real preview, commit and rollback
many times a second. Reading files has its own tests (test_uploads.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
from sqlalchemy.orm import Session

from api.db.repositories import uploads as repo
from api.services import uploads as svc

#: Columns of each kind's rows (besides ``geometry``).
ZONE_FIELDS = ("kind", "name", "province_code", "status")


def stage_rows(session: Session, kind: str, rows: Sequence[dict], *, editor: str) -> int:
    """Record a previewed upload of ``rows`` (dicts with ``code``, ``geometry`` in EPSG:4326
    and the kind's columns), run its preview, and return its id."""
    frame = gpd.GeoDataFrame(list(rows), geometry="geometry", crs=4326)
    frame["area_ha"] = 1.0
    fields = [f for f in ZONE_FIELDS if f in frame.columns] if kind == "zones" else []
    upload_id = repo.create_upload(
        session,
        kind=kind,
        filename=f"{kind}-{editor}.geojson",
        sha256="0" * 64,
        size_bytes=0,
        uploaded_by=editor,
        source_crs="EPSG:4326",
        encoding="utf-8",
        counts={"features": len(frame), "repaired": 0},
        warnings=[],
        errors=[],
        area_ha=1.0,
        options={"fields": fields, "mapping": {}, "layer": None},
    )
    repo.stage_features(session, upload_id, frame, gpd.GeoSeries([], crs=4326))
    svc.preview(session, upload_id)
    return upload_id
