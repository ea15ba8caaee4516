"""Upload jobs: preview (prepare + stage), commit in one transaction, rollback, history.

No FastAPI here: the routes and the ``zonemap import`` command both call these functions.
A commit takes one advisory lock that serialises all commits and rollbacks, so two uploads of
the same zones never mix: the second waits and is applied after the first (or is told to retry
when the wait exceeds ``COMMIT_LOCK_TIMEOUT_S``).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.repositories import buildings as buildings_repo
from api.db.repositories import upload_changes as changes
from api.db.repositories import uploads as repo
from api.errors import ConflictError, NotFoundError, UploadRejectedError
from api.services import buildings
from geo.ingest.io import ReadLimits
from geo.ingest.upload import PreparedUpload, prepare_upload

COMMIT_LOCK_TIMEOUT_S = 30.0
PREVIEW_FEATURES = 5000
_PAUSE_ENV = "ZONEMAP_TEST_COMMIT_PAUSE_S"  # tests: sleep inside the commit transaction
Progress = Callable[[str, float], None]


class UploadInvalidError(UploadRejectedError):
    """The file was read but its content cannot be committed; ``details`` lists every error."""

    code = "upload_invalid"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message, code=code)
        self.details = details


@dataclass(frozen=True)
class UploadOptions:
    """What the user chose for an upload (all optional but ``kind``)."""

    kind: str
    crs: str | None = None
    encoding: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    layer: str | None = None
    accept_crs_guess: bool = False
    defaults: Mapping[str, Any] = field(default_factory=dict)
    uploaded_by: str | None = None


def load_provinces(session: Session, version: str = "2025-34") -> gpd.GeoDataFrame:
    """Province boundaries (simplified where available) for CRS ranking and province codes."""
    sql = text(
        "SELECT code, name_vi, array_to_string(merged_from, ';') AS merged_from, "
        "ST_AsBinary(COALESCE(geom_simplified, geom)) AS wkb FROM provinces "
        "WHERE admin_version = :v ORDER BY code"
    )
    rows = session.execute(sql, {"v": version}).mappings().all()
    geoms = shapely.from_wkb([bytes(r["wkb"]) for r in rows])
    data = {k: [r[k] for r in rows] for k in ("code", "name_vi", "merged_from")}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=4326)


def prepare(
    session: Session, path: Path, options: UploadOptions, *, max_bytes: int,
    progress: Progress | None = None,
) -> PreparedUpload:  # fmt: skip
    """Run the pure pipeline with the database's provinces; raise when it found errors."""
    prepared = prepare_upload(
        path, kind=options.kind, crs=options.crs, encoding=options.encoding,
        mapping=dict(options.mapping) or None, layer=options.layer,
        accept_crs_guess=options.accept_crs_guess, provinces=load_provinces(session),
        defaults=options.defaults, limits=ReadLimits(max_file_bytes=max_bytes), progress=progress,
    )  # fmt: skip
    if prepared.errors:
        raise UploadInvalidError(
            "The upload cannot be committed:\n"
            + "\n".join(f"- {e.message}" for e in prepared.errors),
            code=prepared.errors[0].code,
            details=[{"code": e.code, "message": e.message} for e in prepared.errors],
        )
    return prepared


def stage(
    session: Session, path: Path, prepared: PreparedUpload, options: UploadOptions,
    *, filename: str,
) -> int:  # fmt: skip
    """Record the upload (status 'previewed') and stage its features; return the upload id."""
    upload_id = repo.create_upload(
        session, kind=options.kind, filename=filename, sha256=sha256_of(path),
        size_bytes=path.stat().st_size, uploaded_by=options.uploaded_by,
        source_crs=prepared.source_crs, encoding=prepared.encoding,
        counts={"features": prepared.feature_count, "repaired": len(prepared.repairs)},
        warnings=[w.message for w in prepared.warnings], errors=[], area_ha=prepared.area_ha,
        options={"fields": _fields(prepared), "mapping": prepared.mapping, "layer": prepared.layer},
    )  # fmt: skip
    repo.stage_features(session, upload_id, prepared.features, prepared.originals)
    if options.kind != "zones":
        _check_known_codes(session, upload_id)
    return upload_id


def _fields(prepared: PreparedUpload) -> list[str]:
    fields = [c for c in prepared.features.columns if c in changes.ZONE_FIELDS]
    if (shapely.get_type_id(prepared.features.geometry.to_numpy()) == 0).any():
        fields.append("location")
    return fields


def _check_known_codes(session: Session, upload_id: int) -> None:
    unknown = repo.unknown_codes(session, upload_id)
    if unknown:
        shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        raise UploadInvalidError(
            f"{len(unknown)} feature(s) name zone codes that do not exist: {shown}. Upload the "
            "zones first (--kind zones), or fix the codes.",
            code="unknown_zone_codes", details={"codes": unknown[:100]},
        )  # fmt: skip


def preview(session: Session, upload_id: int) -> dict[str, int]:
    """What a commit would do, computed by applying it inside a savepoint that is undone."""
    if _get(session, upload_id)["kind"] == "buildings":
        return buildings.preview_counts(session, upload_id)
    savepoint = session.begin_nested()
    try:
        counts = _apply(session, upload_id)
    finally:
        savepoint.rollback()
    return counts


def commit(
    session: Session, upload_id: int, *, progress: Progress | None = None, derive: bool = True
) -> dict:
    """Apply a previewed upload in the caller's transaction; return its counts.

    A building upload's observation is committed, then (unless ``derive`` is False) the
    built-up footprints of every zone it covers are derived in the same transaction.

    Raises ConflictError when the upload is not in the 'previewed' state, or when another
    commit holds the lock too long (retry then).
    """
    report = progress or (lambda _s, _f: None)
    _lock_commits(session)
    upload = _get(session, upload_id, for_update=True)
    if upload["status"] != "previewed":
        raise ConflictError(f"Upload {upload_id} is {upload['status']}; only a previewed upload "
                            "can be committed. Upload the file again to re-apply it.")  # fmt: skip
    report("commit", 0.0)
    counts = _apply(session, upload_id)
    if upload["kind"] == "buildings" and derive and counts["inserted"]:
        counts["derived"] = buildings.derive_footprints(session, counts["observation_id"])
    _pause_for_tests()
    repo.mark(session, upload_id, status="committed", counts=counts, committed_at="now",
              stage="committed", progress=1.0)  # fmt: skip
    report("commit", 1.0)
    return counts


def _lock_commits(session: Session) -> None:
    """Take the commit lock (commits and rollbacks run one at a time), or a ConflictError."""
    try:
        changes.lock_commits(session, timeout_s=COMMIT_LOCK_TIMEOUT_S)
    except changes.CommitLockTimeoutError as exc:
        raise ConflictError("Another upload is being committed; retry in a moment.") from exc


def _apply(session: Session, upload_id: int) -> dict[str, int]:
    upload = _get(session, upload_id)
    kind, fields = upload["kind"], tuple(upload["options"].get("fields", ()))
    if kind == "buildings":
        return buildings.apply_upload(session, upload_id)
    inserted: set[int] = set()
    updated: set[int] = set()
    changes.tune_transaction(session)
    if kind in ("zones", "planned"):
        changes.match_zones(session, upload_id, assign_new_ids=kind == "zones")
    if kind == "zones":
        inserted, updated = changes.apply_zones(session, upload_id, fields)
        new, replaced = changes.apply_boundaries(
            session, upload_id, compare_decision="decision_ref" in fields
        )
        updated = (updated | new | replaced) - inserted
    elif kind == "planned":
        inserted, updated = changes.apply_boundaries(session, upload_id, compare_decision=True)
    else:
        inserted = changes.apply_footprints(session, upload_id)
    features = int(upload["counts"].get("features", 0))
    return {
        "features": features, "inserted": len(inserted), "updated": len(updated),
        "unchanged": features - len(inserted) - len(updated),
        "repaired": int(upload["counts"].get("repaired", 0)),
    }  # fmt: skip


def rollback(session: Session, upload_id: int) -> dict[str, int]:
    """Undo a committed upload exactly; refuse when a later commit changed the same zones."""
    _lock_commits(session)
    upload = _get(session, upload_id, for_update=True)
    if upload["status"] != "committed":
        raise ConflictError(f"Upload {upload_id} is {upload['status']}; only a committed upload "
                            "can be rolled back.")  # fmt: skip
    later = changes.later_uploads_on_same_zones(session, upload_id)
    if later:
        raise ConflictError(
            f"Uploads {', '.join(map(str, later))} changed the same zones after upload "
            f"{upload_id}; roll them back first (newest first)."
        )
    undone = changes.rollback_changes(session, upload_id)
    if upload["kind"] == "buildings":
        undone["observations_deleted"] = buildings_repo.delete_observations(session, upload_id)
    repo.mark(session, upload_id, status="rolled_back", rolled_back_at="now", stage="rolled_back")
    return undone


def _get(session: Session, upload_id: int, *, for_update: bool = False) -> dict:
    upload = repo.get_upload(session, upload_id, for_update=for_update)
    if upload is None:
        raise NotFoundError(f"No upload {upload_id}.")
    return upload


def get_upload(session: Session, upload_id: int) -> dict:
    return _get(session, upload_id)


def list_uploads(session: Session, *, limit: int = 100, offset: int = 0) -> list[dict]:
    return repo.list_uploads(session, limit=limit, offset=offset)


def preview_geojson(session: Session, upload_id: int, *, limit: int = PREVIEW_FEATURES) -> dict:
    """The first ``limit`` staged features as a GeoJSON FeatureCollection (EPSG:4326).

    ``numberMatched``/``numberReturned`` (as in OGC API Features) tell when it was cut.
    """
    features = repo.staged_geojson(session, upload_id, limit=limit)
    return {"type": "FeatureCollection", "features": features,
            "numberMatched": repo.staged_count(session, upload_id),
            "numberReturned": len(features)}  # fmt: skip


def report_document(
    prepared: PreparedUpload, counts: Mapping[str, int] | None, *, upload_id: int | None = None,
    preview: dict | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The JSON document of an import or preview (keys of the CLI's ``--json``)."""
    counts = counts or {}
    doc: dict[str, Any] = {
        "upload_id": upload_id, "kind": prepared.kind, "features": prepared.feature_count,
        "inserted": counts.get("inserted", 0), "updated": counts.get("updated", 0),
        "unchanged": counts.get("unchanged", 0), "repaired": len(prepared.repairs),
        "crs": prepared.source_crs, "encoding": prepared.encoding,
        "area_ha": round(prepared.area_ha, 4), "layer": prepared.layer,
        "mapping": prepared.mapping,
        "warnings": [w.message for w in prepared.warnings],
        "errors": [e.message for e in prepared.errors],
        "repairs": [{"feature": r.feature, "reason": r.reason,
                     "area_before_ha": round(r.area_before_ha, 4),
                     "area_after_ha": round(r.area_after_ha, 4),
                     "area_change_pct": round(r.area_change_pct, 3)} for r in prepared.repairs],
        "encoding_samples": [{"field": s.field, "before": s.before, "after": s.after}
                             for s in prepared.encoding_samples],
    }  # fmt: skip
    if preview is not None:
        doc["preview"] = preview
    return doc


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _pause_for_tests() -> None:
    pause_s = float(os.environ.get(_PAUSE_ENV, "0") or 0)
    if pause_s > 0:
        print("zonemap: commit paused inside the transaction", file=sys.stderr, flush=True)
        time.sleep(pause_s)
