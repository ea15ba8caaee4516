"""Upload jobs: preview (prepare + stage), commit in one transaction, rollback, history (the
documents that describe an upload are in ``api.services.upload_documents``).

No FastAPI here: the routes and the ``zonemap import`` command both call these functions.
A commit takes one advisory lock that serialises all commits and rollbacks, so two uploads of
the same zones never mix: the second waits and is applied after the first (or is told to retry
when the wait exceeds ``COMMIT_LOCK_TIMEOUT_S``). Under that lock each commit gets its number in
the commit order (``commit_seq``), which orders all history; a rollback is refused while a
later commit builds on the upload (``api.db.repositories.commit_order`` says exactly when).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
import shapely.geometry
from sqlalchemy.orm import Session

from api.db.repositories import buildings as buildings_repo
from api.db.repositories import commit_order as order
from api.db.repositories import provinces as provinces_repo
from api.db.repositories import upload_changes as changes
from api.db.repositories import uploads as repo
from api.errors import ConflictError, NotFoundError, UploadRejectedError
from api.services import analysis_jobs, buildings
from api.services.upload_documents import (
    QUARANTINE_LISTED,
    diagnosis_details,
    quarantine_rows,
)
from api.services.upload_issues import issue_details
from geo.ingest.io import ReadLimits
from geo.ingest.upload import PreparedUpload, prepare_upload
from geo.vocabulary import ZONE_PROVINCE_VERSION

COMMIT_LOCK_TIMEOUT_S = 30.0
Progress = Callable[[str, float], None]


PREVIEW_LIFETIME = dt.timedelta(days=1)
"""A preview not committed within this time expires: the data may have changed since."""
PREVIEW_LIFETIME_TEXT = "a day"


class UploadInvalidError(UploadRejectedError):
    """The file was read but its content cannot be committed; ``details`` lists every error.

    ``prepared`` is the pipeline's result when there is one, so that a caller can still show
    the whole diagnosis (the CLI's ``--json`` document).
    """

    code = "upload_invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        prepared: PreparedUpload | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.details = details
        self.prepared = prepared


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
    constants: Mapping[str, str] = field(default_factory=dict)
    code_prefix: str | None = None
    swap_axes: bool = False


def load_provinces(session: Session, version: str = ZONE_PROVINCE_VERSION) -> gpd.GeoDataFrame:
    """Province boundaries (simplified where available) for CRS ranking and province codes."""
    return provinces_repo.simplified_frame(session, version)


def prepare(
    session: Session,
    path: Path,
    options: UploadOptions,
    *,
    max_bytes: int,
    progress: Progress | None = None,
) -> PreparedUpload:
    """Run the pure pipeline with the database's provinces; raise when it found errors."""
    prepared = prepare_upload(
        path,
        kind=options.kind,
        crs=options.crs,
        encoding=options.encoding,
        mapping=dict(options.mapping) or None,
        layer=options.layer,
        accept_crs_guess=options.accept_crs_guess,
        provinces=load_provinces(session),
        defaults=options.defaults,
        limits=ReadLimits(max_file_bytes=max_bytes),
        progress=progress,
        constants=dict(options.constants) or None,
        code_prefix=options.code_prefix,
        swap_axes=options.swap_axes,
    )
    if prepared.errors:
        raise UploadInvalidError(
            "The upload cannot be committed:\n"
            + "\n".join(f"- {e.message}" for e in prepared.errors),
            code=prepared.errors[0].code,
            prepared=prepared,
            details={**diagnosis_details(prepared), "issues": issue_details(prepared)},
        )
    return prepared


def stage(
    session: Session,
    path: Path,
    prepared: PreparedUpload,
    options: UploadOptions,
    *,
    filename: str,
) -> int:
    """Record the upload (status 'previewed') and stage its features; return the upload id."""
    upload_id = repo.create_upload(
        session,
        kind=options.kind,
        filename=filename,
        sha256=sha256_of(path),
        size_bytes=path.stat().st_size,
        uploaded_by=options.uploaded_by,
        source_crs=prepared.source_crs,
        encoding=prepared.encoding,
        counts={
            "features": prepared.feature_count,
            "repaired": len(prepared.repairs),
            "quarantined": len(prepared.quarantine),
        },
        warnings=[w.message for w in prepared.warnings],
        errors=[],
        area_ha=prepared.area_ha,
        options={"fields": _fields(prepared), "mapping": prepared.mapping, "layer": prepared.layer},
    )
    repo.stage_features(session, upload_id, prepared.features, prepared.originals)
    repo.stage_quarantine(session, upload_id, prepared.quarantine)
    if options.kind != "zones":
        _check_known_codes(session, upload_id)
    return upload_id


@dataclass(frozen=True)
class StagedUpload:
    """An upload read, checked and staged; ``counts`` is what a commit would do (None when it
    was not previewed)."""

    prepared: PreparedUpload
    upload_id: int
    counts: dict[str, int] | None


def stage_upload(
    session: Session,
    path: Path,
    options: UploadOptions,
    *,
    filename: str,
    max_bytes: int,
    progress: Progress | None = None,
    check: Callable[[int], None] | None = None,
    with_preview: bool = True,
) -> StagedUpload:
    """The one upload sequence before a commit, for the CLI and the route alike: prepare (the
    pure pipeline), stage (the upload and its features), ``check`` the staged upload (the
    route's province scope), preview (the counts a commit would give; a command that commits
    right away skips it with ``with_preview=False``, saving one application of the upload).

    ``commit`` then applies it, in this transaction (CLI) or a later request (web).
    """
    prepared = prepare(session, path, options, max_bytes=max_bytes, progress=progress)
    upload_id = stage(session, path, prepared, options, filename=filename)
    if check is not None:
        check(upload_id)
    counts = preview(session, upload_id) if with_preview else None
    return StagedUpload(prepared, upload_id, counts)


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
            code="unknown_zone_codes",
            details={"codes": unknown[:100]},
        )


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
    session: Session,
    upload_id: int,
    *,
    progress: Progress | None = None,
    accept_quarantine: bool = False,
    derive: bool = True,
) -> dict:
    """Apply a previewed upload in the caller's transaction; return its counts.

    Only the good features are staged; when some were quarantined, the commit needs
    ``accept_quarantine`` (the user saw the list and agrees to leave them out). A building
    upload's observation is committed, then (unless ``derive`` is False) the built-up footprints
    of every zone it covers are derived in the same transaction.

    Raises ConflictError when the upload is not in the 'previewed' state, or when another
    commit holds the lock too long (retry then); QuarantineNotAcceptedError when features are
    quarantined and the user did not accept.
    """
    report = progress or (lambda _s, _f: None)
    _lock_commits(session)
    upload = _get(session, upload_id, for_update=True)
    if upload["status"] == "previewed" and repo.is_stale(session, upload_id, PREVIEW_LIFETIME):
        raise ConflictError(
            f"The preview of upload {upload_id} is more than {PREVIEW_LIFETIME_TEXT} old and has "
            "expired: upload the file again to preview and commit it.",
            code="preview_expired",
        )
    if upload["status"] != "previewed":
        raise ConflictError(
            f"Upload {upload_id} is {upload['status']}; only a previewed upload "
            "can be committed. Upload the file again to re-apply it."
        )
    quarantined = int(upload["counts"].get("quarantined", 0))
    if quarantined and not accept_quarantine:
        raise QuarantineNotAcceptedError(
            f"{quarantined} feature(s) of upload {upload_id} are quarantined (listed with their "
            "reasons in the preview). Accept to commit the other features without them, or fix "
            "the file and upload it again.",
            details={
                "quarantined": quarantined,
                "quarantine": quarantine_rows(session, upload_id)[:QUARANTINE_LISTED],
            },
        )
    report("commit", 0.0)
    counts = _apply(session, upload_id)
    if upload["kind"] == "buildings" and derive and counts["inserted"]:
        counts["derived"] = buildings.derive_footprints(
            session, counts["observation_id"], progress=report
        )
    order.assign_commit_seq(session, upload_id)
    order.record_dependencies(session, upload_id)
    repo.mark(
        session, upload_id, status="committed", counts=counts, stage="committed", progress=1.0
    )
    analysis_jobs.mark_upload_dirty(session, upload_id)
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
        "features": features,
        "inserted": len(inserted),
        "updated": len(updated),
        "unchanged": features - len(inserted) - len(updated),
        "repaired": int(upload["counts"].get("repaired", 0)),
        "quarantined": int(upload["counts"].get("quarantined", 0)),
    }


class RollbackBlockedError(ConflictError):
    """Later commits build on the upload; ``details`` lists them, newest commit first."""

    code = "rollback_blocked"

    def __init__(self, upload_id: int, later: list[dict]) -> None:
        ids = ", ".join(str(u["id"]) for u in later)
        super().__init__(
            f"Upload {upload_id} cannot be rolled back: upload(s) {ids}, committed after it, "
            f"changed the same rows (or the zones it added). Roll back {ids} first, in that "
            "order (newest commit first), then this one. Nothing was changed."
        )
        self.details = [
            {
                "upload_id": u["id"],
                "commit_seq": u["commit_seq"],
                "filename": u["filename"],
                "uploaded_by": u["uploaded_by"],
                "committed_at": u["committed_at"].isoformat(),
                "message": f"{u['id']}: {u['filename']} ({u['uploaded_by'] or '?'}, "
                f"{u['committed_at']:%Y-%m-%d %H:%M})",
            }
            for u in later
        ]


class QuarantineNotAcceptedError(UploadRejectedError):
    """A commit of an upload with quarantined features that the user did not accept."""

    code = "quarantine_not_accepted"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.details = details


def quarantine_geojson(session: Session, upload_id: int) -> dict[str, Any]:
    """The quarantined features of an upload as a GeoJSON FeatureCollection (EPSG:4326).

    Each keeps the file's attributes plus ``_index``, ``_reason``, ``_message`` and
    ``_original_wkt`` (the geometry as read, in the upload's source CRS, also when it has no
    usable position), so the features can be fixed and uploaded again.
    """
    upload = _get(session, upload_id)
    features = repo.quarantine_features(session, upload_id)
    return {
        "type": "FeatureCollection",
        "name": f"upload-{upload_id}-quarantine",
        "source_crs": upload["source_crs"],
        "features": features,
    }


def rollback(session: Session, upload_id: int) -> dict[str, int]:
    """Undo a committed upload exactly; refuse while a later commit builds on it.

    Raises RollbackBlockedError (nothing written) naming every committed upload to roll back
    first, newest commit first.
    """
    _lock_commits(session)
    upload = _get(session, upload_id, for_update=True)
    if upload["status"] != "committed":
        raise ConflictError(
            f"Upload {upload_id} is {upload['status']}; only a committed upload can be rolled back."
        )
    later = order.committed_dependents(session, upload_id)
    if later:
        raise RollbackBlockedError(upload_id, later)
    analysis_jobs.mark_upload_dirty(session, upload_id)  # while its changes can still be read
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
    """The upload record with ``overwritten_by`` and ``builds_on`` (see ``list_uploads``)."""
    upload = repo.get_upload(session, upload_id, with_links=True)
    if upload is None:
        raise NotFoundError(f"No upload {upload_id}.")
    return upload


def list_uploads(session: Session, *, limit: int = 100, offset: int = 0) -> list[dict]:
    """Uploads newest commit first (``commit_seq``), then those never committed.

    ``overwritten_by`` names the committed uploads that changed this upload's rows after it
    (so a ``committed`` upload whose values are no longer all in place says who replaced them);
    ``builds_on`` the uploads whose rows this one changed.
    """
    expire_stale_previews(session)
    return repo.list_uploads(session, limit=limit, offset=offset)


def expire_stale_previews(session: Session) -> int:
    """Mark previews older than `PREVIEW_LIFETIME` ``expired`` and drop their staged features;
    return how many expired."""
    return repo.expire_previews(session, PREVIEW_LIFETIME)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
