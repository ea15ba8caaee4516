"""Uploads: the upload record, its staged features (COPY) and history reads."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.repositories import bulk
from geo.vocabulary import ZONE_FILE_FIELDS

STAGED_FIELDS = (*ZONE_FILE_FIELDS, "source", "observed_on", "geom_province_code")
_COLUMNS = ("upload_id", "ord", *STAGED_FIELDS, "geom", "location", "original_geom", "area_ha")
_UPLOAD_COLUMNS = (
    "id, kind, filename, sha256, size_bytes, status, uploaded_by, source_crs, encoding, counts, "
    "warnings, errors, created_at, commit_seq, committed_at, rolled_back_at, stage, progress, "
    "area_ha, options"
)
# The committed uploads that later changed this upload's rows (newest commit first), and the
# uploads whose rows this one changed when it committed (see ``commit_order``).
_LINKS = (
    "ARRAY(SELECT d.upload_id FROM upload_dependencies d JOIN uploads l ON l.id = d.upload_id "
    "AND l.status = 'committed' WHERE d.earlier_upload_id = uploads.id ORDER BY l.commit_seq "
    "DESC) AS overwritten_by, ARRAY(SELECT d.earlier_upload_id FROM upload_dependencies d "
    "JOIN uploads e ON e.id = d.earlier_upload_id WHERE d.upload_id = uploads.id "
    "ORDER BY e.commit_seq DESC) AS builds_on"
)


def create_upload(session: Session, **values: Any) -> int:
    """Insert an upload record (status 'previewed') and return its id."""
    for key in ("counts", "warnings", "errors", "options"):
        values[key] = json.dumps(
            values.get(key) or ({} if key in ("counts", "options") else []),
            ensure_ascii=False,
            default=str,
        )
    row = session.execute(
        text(
            "INSERT INTO uploads (kind, filename, sha256, size_bytes, uploaded_by, source_crs, "
            "encoding, counts, warnings, errors, options, area_ha, stage, progress) VALUES "
            "(:kind, :filename, :sha256, :size_bytes, :uploaded_by, :source_crs, :encoding, "
            "CAST(:counts AS jsonb), CAST(:warnings AS jsonb), CAST(:errors AS jsonb), "
            "CAST(:options AS jsonb), :area_ha, 'previewed', 1) RETURNING id"
        ),
        values,
    )
    return int(row.scalar_one())


def stage_features(
    session: Session, upload_id: int, features: gpd.GeoDataFrame, originals: gpd.GeoSeries
) -> int:
    """COPY the prepared features (EPSG:4326) into ``upload_features``; return the count.

    Geometries go as hex EWKB built from GEOS's binary WKB (GEOS's own hex writer is ~5× slower),
    and only the join keys are analysed afterwards (the geometry statistics are not needed).
    """
    n = len(features)
    geoms = features.geometry.to_numpy()
    is_point = shapely.get_type_id(geoms) == 0
    polygons = np.where(is_point, None, geoms)
    points = np.where(is_point, geoms, None)
    original = np.full(n, None, dtype=object)
    if len(originals):
        original[originals.index.to_numpy()] = bulk.ewkb_hex_array(originals.to_numpy())
    columns = [
        [upload_id] * n,
        range(n),
        *(_column(features, name) for name in STAGED_FIELDS),
        bulk.ewkb_hex_array(polygons, as_multi=True),
        bulk.ewkb_hex_array(points),
        original,
        features["area_ha"].to_numpy().tolist(),
    ]
    bulk.copy_rows(session, "upload_features", _COLUMNS, zip(*columns, strict=True), plain=True)
    # Fresh statistics on the join keys: hash joins, not loops, in the commit.
    session.execute(text("ANALYZE upload_features (upload_id, ord, code)"))
    return n


def stage_quarantine(session: Session, upload_id: int, quarantine: Sequence[Any]) -> int:
    """Record the quarantined features of an upload (``geo.ingest.prepared.QuarantinedFeature``)."""
    rows = [
        {
            "u": upload_id,
            "ord": q.index,
            "fid": None if q.fid is None else str(q.fid),
            "code": q.code,
            "reason": q.reason,
            "detail": q.detail,
            "message": q.message,
            "props": json.dumps(q.properties, ensure_ascii=False, default=str),
            "geom": None
            if q.geometry is None
            else bulk.ewkb(shapely.to_wkb(q.geometry, byte_order=1, flavor="extended")).hex(),
            "wkt": q.original_wkt,
        }
        for q in quarantine
    ]
    if rows:
        session.execute(
            text(
                "INSERT INTO upload_quarantine (upload_id, ord, feature_id, code, reason, detail, "
                "message, properties, geom, original_wkt) VALUES (:u, :ord, :fid, :code, "
                ":reason, :detail, :message, CAST(:props AS jsonb), "
                "ST_GeomFromEWKB(decode(:geom, 'hex')), :wkt)"
            ),
            rows,
        )
    return len(rows)


def quarantine_features(
    session: Session, upload_id: int, *, limit: int | None = None
) -> list[dict]:
    """The quarantined features of an upload as GeoJSON features (EPSG:4326), in file order.

    Properties: the file's attributes plus ``_index`` (position in the file), ``_feature_id``,
    ``_reason``, ``_message`` and ``_original_wkt`` (the geometry as read, in the file's CRS).
    """
    rows = session.execute(
        text(
            "SELECT ord, feature_id, code, reason, detail, message, properties, original_wkt, "
            "ST_AsGeoJSON(geom) AS geometry FROM upload_quarantine WHERE upload_id = :u "
            "ORDER BY ord LIMIT :limit"
        ),
        {"u": upload_id, "limit": limit},
    ).mappings()
    return [
        {
            "type": "Feature",
            "geometry": json.loads(r["geometry"]) if r["geometry"] else None,
            "properties": {
                **(r["properties"] or {}),
                "_index": r["ord"],
                "_feature_id": r["feature_id"],
                "_code": r["code"],
                "_reason": r["reason"],
                "_detail": r["detail"],
                "_message": r["message"],
                "_original_wkt": r["original_wkt"],
            },
        }
        for r in rows
    ]


def _column(features: pd.DataFrame, name: str) -> np.ndarray:
    if name not in features:
        return np.full(len(features), None, dtype=object)
    values = features[name].astype(object)
    return values.where(values.notna(), None).to_numpy()


def get_upload(
    session: Session, upload_id: int, *, for_update: bool = False, with_links: bool = False
) -> dict | None:
    """The upload record as a dict, or None; ``for_update`` locks the row.

    ``with_links`` adds ``overwritten_by`` and ``builds_on`` (upload ids, newest commit first).
    """
    lock = " FOR UPDATE OF uploads" if for_update else ""
    links = f", {_LINKS}" if with_links else ""
    row = (
        session.execute(
            text(f"SELECT {_UPLOAD_COLUMNS}{links} FROM uploads WHERE id = :id{lock}"),
            {"id": upload_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def list_uploads(session: Session, *, limit: int = 100, offset: int = 0) -> list[dict]:
    """Uploads in commit order, newest commit first, then the never committed ones (newest
    first), each with ``overwritten_by`` and ``builds_on``."""
    rows = session.execute(
        text(
            f"SELECT {_UPLOAD_COLUMNS}, {_LINKS} FROM uploads "
            "ORDER BY commit_seq DESC NULLS LAST, id DESC LIMIT :limit OFFSET :offset"
        ),
        {"limit": limit, "offset": offset},
    )
    return [dict(r) for r in rows.mappings()]


def mark(session: Session, upload_id: int, **values: Any) -> None:
    """Update status/counts/stage/progress (and commit/rollback times) of an upload."""
    allowed = ("status", "counts", "stage", "progress", "committed_at", "rolled_back_at", "errors")
    sets = []
    for key in values:
        if key not in allowed:
            raise ValueError(f"cannot set {key}")
        cast = "CAST(:{0} AS jsonb)" if key in ("counts", "errors") else ":{0}"
        sets.append(f"{key} = " + ("now()" if values[key] == "now" else cast.format(key)))
    params = {
        k: json.dumps(v, default=str) if k in ("counts", "errors") else v for k, v in values.items()
    }
    session.execute(
        text(f"UPDATE uploads SET {', '.join(sets)} WHERE id = :id"), {**params, "id": upload_id}
    )


def unknown_codes(session: Session, upload_id: int) -> list[str]:
    """Staged codes that name no existing zone."""
    rows = session.execute(
        text(
            "SELECT s.code FROM upload_features s LEFT JOIN zones z ON z.code = s.code "
            "WHERE s.upload_id = :u AND z.id IS NULL ORDER BY s.ord"
        ),
        {"u": upload_id},
    )
    return [r[0] for r in rows]


def staged_geojson(session: Session, upload_id: int, *, limit: int) -> list[dict]:
    """Staged features as GeoJSON (EPSG:4326) for a map preview."""
    rows = session.execute(
        text(
            "SELECT code, kind, name, province_code, status, decision_ref, planned_area_ha, "
            "source, observed_on, area_ha, ST_AsGeoJSON(COALESCE(geom, location)) AS geometry "
            "FROM upload_features WHERE upload_id = :u ORDER BY ord LIMIT :limit"
        ),
        {"u": upload_id, "limit": limit},
    )
    return [
        {
            "type": "Feature",
            "geometry": json.loads(r["geometry"]) if r["geometry"] else None,
            "properties": {k: _plain(v) for k, v in r.items() if k != "geometry"},
        }
        for r in rows.mappings()
    ]


def staged_count(session: Session, upload_id: int) -> int:
    """Number of staged features of an upload."""
    return int(
        session.execute(
            text("SELECT count(*) FROM upload_features WHERE upload_id = :u"), {"u": upload_id}
        ).scalar_one()
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def table_counts(session: Session, tables: Sequence[str]) -> dict[str, int]:
    """Row counts of ``tables`` (names from a fixed allowlist)."""
    allowed = {
        "zones",
        "planning_boundaries",
        "actual_footprints",
        "uploads",
        "upload_features",
        "upload_changes",
        "provinces",
        "analysis_runs",
        "flags",
        "upload_quarantine",
        "login_throttle",
        "audit_log",
    }
    return {
        t: int(session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
        for t in tables
        if t in allowed
    }


def is_stale(session: Session, upload_id: int, lifetime: dt.timedelta) -> bool:
    """Whether upload ``upload_id`` was created more than ``lifetime`` ago."""
    return bool(
        session.execute(
            text("SELECT created_at < now() - :age FROM uploads WHERE id = :i"),
            {"i": upload_id, "age": lifetime},
        ).scalar_one()
    )


def expire_previews(session: Session, lifetime: dt.timedelta) -> int:
    """Previews older than ``lifetime`` become ``expired``; their staged features are deleted."""
    ids = (
        session.execute(
            text(
                "UPDATE uploads SET status = 'expired', stage = 'expired' WHERE status = "
                "'previewed' AND created_at < now() - :age RETURNING id"
            ),
            {"age": lifetime},
        )
        .scalars()
        .all()
    )
    if ids:
        session.execute(
            text("DELETE FROM upload_features WHERE upload_id = ANY(:ids)"), {"ids": list(ids)}
        )
    return len(ids)
