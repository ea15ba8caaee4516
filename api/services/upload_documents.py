"""What an upload looks like to the person who sent it: the JSON document of a preview or an
import (the CLI's ``--json`` and the upload page read the same keys), its quarantined
features, and the staged features as GeoJSON. Reads only; the upload jobs are in
``api.services.uploads``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import shapely
import shapely.geometry
from sqlalchemy.orm import Session

from api.db.repositories import uploads as repo
from api.services.upload_issues import warning_details
from geo.flags.thresholds import load_thresholds
from geo.ingest.area_checks import summarise_areas
from geo.ingest.upload import PreparedUpload

PREVIEW_FEATURES = 5000
QUARANTINE_LISTED = 1000


def diagnosis_details(prepared: PreparedUpload) -> dict[str, Any]:
    """The errors, the counts per reason and the quarantined features, for an error body."""
    return {
        "errors": [
            {"code": e.code, "message": e.message, "features": list(e.features[:100])}
            for e in prepared.errors
        ],
        "diagnosis": prepared.diagnosis,
        "quarantine": quarantine_list(prepared)[:QUARANTINE_LISTED],
        "columns": prepared.columns,
    }


def quarantine_list(prepared: PreparedUpload) -> list[dict[str, Any]]:
    """Every quarantined feature: position in the file, id, code, reason and message."""
    return [
        {
            "index": q.index,
            "feature_id": q.fid,
            "code": q.code,
            "reason": q.reason,
            "detail": q.detail,
            "message": q.message,
        }
        for q in prepared.quarantine
    ]


def quarantine_rows(session: Session, upload_id: int) -> list[dict[str, Any]]:
    """The quarantined features of a stored upload (position, id, code, reason, message)."""
    return [
        {
            "index": f["properties"]["_index"],
            "feature_id": f["properties"]["_feature_id"],
            "code": f["properties"]["_code"],
            "reason": f["properties"]["_reason"],
            "message": f["properties"]["_message"],
        }
        for f in repo.quarantine_features(session, upload_id)
    ]


def preview_geojson(session: Session, upload_id: int, *, limit: int = PREVIEW_FEATURES) -> dict:
    """The first ``limit`` staged features as a GeoJSON FeatureCollection (EPSG:4326).

    ``numberMatched``/``numberReturned`` (as in OGC API Features) tell when it was cut.
    """
    features = repo.staged_geojson(session, upload_id, limit=limit)
    return {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": repo.staged_count(session, upload_id),
        "numberReturned": len(features),
    }


def report_document(
    prepared: PreparedUpload,
    counts: Mapping[str, int] | None,
    *,
    upload_id: int | None = None,
    preview: dict | None = None,
) -> dict[str, Any]:
    """The JSON document of an import or preview (keys of the CLI's ``--json``)."""
    counts = counts or {}
    doc: dict[str, Any] = {
        "upload_id": upload_id,
        "kind": prepared.kind,
        "features": prepared.feature_count,
        "features_read": prepared.read_count,
        "quarantined": len(prepared.quarantine),
        "inserted": counts.get("inserted", 0),
        "updated": counts.get("updated", 0),
        "unchanged": counts.get("unchanged", 0),
        "repaired": len(prepared.repairs),
        "crs": prepared.source_crs,
        "encoding": prepared.encoding,
        "area_ha": round(prepared.area_ha, 4),
        "layer": prepared.layer,
        "mapping": prepared.mapping,
        "file_columns": list(prepared.file_columns),
        "first_rows": list(prepared.first_rows),
        "warning_details": warning_details(prepared),
        **_area_checks(prepared),
        "warnings": [w.message for w in prepared.warnings],
        "errors": [e.message for e in prepared.errors],
        "error_codes": [e.code for e in prepared.errors],
        "diagnosis": prepared.diagnosis,
        "quarantine": quarantine_list(prepared)[:QUARANTINE_LISTED],
        "quarantine_preview": _quarantine_preview(prepared),
        "columns": prepared.columns,
        "repairs": [
            {
                "feature": r.feature,
                "reason": r.reason,
                "area_before_ha": round(r.area_before_ha, 4),
                "area_after_ha": round(r.area_after_ha, 4),
                "area_change_pct": round(r.area_change_pct, 3),
            }
            for r in prepared.repairs
        ],
        "encoding_samples": [
            {"field": s.field, "before": s.before, "after": s.after}
            for s in prepared.encoding_samples
        ],
    }
    if preview is not None:
        doc["preview"] = preview
    return doc


def _area_checks(prepared: PreparedUpload) -> dict[str, Any]:
    """The area findings: the first ``QUARANTINE_LISTED`` in full, and how many of each code
    (a file of 100,000 zones with wrong declared areas has ~185,000 findings: listing them all
    made a 94 MB document that took longer to write than the import)."""
    findings, by_code = summarise_areas(
        prepared.features, ccn_size=load_thresholds().ccn_size, listed=QUARANTINE_LISTED
    )
    return {
        "checks": [asdict(f) for f in findings],
        "checks_total": sum(by_code.values()),
        "checks_by_code": by_code,
    }


def _quarantine_preview(prepared: PreparedUpload) -> dict[str, Any]:
    """Quarantined features that have a position, as GeoJSON to draw apart on the map."""
    features = [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(q.geometry),
            "properties": {
                "index": q.index,
                "code": q.code,
                "reason": q.reason,
                "message": q.message,
            },
        }
        for q in prepared.quarantine[:PREVIEW_FEATURES]
        if q.geometry is not None
    ]
    return {"type": "FeatureCollection", "features": features}
