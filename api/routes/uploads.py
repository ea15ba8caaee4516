"""``/api/uploads``: upload a GIS file (preview), commit it, roll it back, list the history."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from api.auth import audit
from api.auth.principal import Principal
from api.auth.scope import check_rollback_scope, check_upload_scope, write_scope
from api.deps import EditorDep, SessionDep, SettingsDep, ViewerDep, client_ip
from api.errors import InvalidParameterError, RequestTooLargeError
from api.services import buildings
from api.services import upload_documents as docs
from api.services import upload_progress as progress
from api.services import uploads as svc
from geo.ingest.mapping import parse_mapping_args
from geo.vocabulary import UPLOAD_KINDS

router = APIRouter(prefix="/api", tags=["uploads"])
_CHUNK = 1 << 20


@router.post("/uploads", operation_id="uploads-create", status_code=201)
def create_upload(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    editor: EditorDep,
    file: Annotated[UploadFile, File(description="Zipped shapefile, GPKG, GeoJSON, KML/KMZ")],
    kind: Annotated[str, Form(description="zones | planned | actual | buildings")],
    crs: Annotated[str | None, Form()] = None,
    encoding: Annotated[str | None, Form()] = None,
    mapping: Annotated[str | None, Form(description="FIELD=COLUMN, comma-separated")] = None,
    layer: Annotated[str | None, Form()] = None,
    accept_crs_guess: Annotated[bool, Form()] = False,
    constants: Annotated[str | None, Form(description="FIELD=VALUE for every feature")] = None,
    code_prefix: Annotated[str | None, Form()] = None,
    swap_axes: Annotated[bool, Form()] = False,
    source: Annotated[str | None, Form(description="Source (actual, buildings)")] = None,
    observed_on: Annotated[
        dt.date | None, Form(description="YYYY-MM-DD (actual, buildings)")
    ] = None,
    progress_token: Annotated[
        str | None, Form(description="Token to read the progress under (GET .../progress/{token})")
    ] = None,
) -> dict:
    options = _options(
        kind,
        crs,
        encoding,
        mapping,
        layer,
        accept_crs_guess,
        editor.name,
        {"source": source or None, "observed_on": observed_on},
    )
    options = replace(
        options,
        constants=parse_mapping_args([constants]) if constants else {},
        code_prefix=code_prefix,
        swap_axes=swap_axes,
    )
    max_bytes = settings.max_upload_mb * 1024**2
    token = progress.check_token(progress_token)
    if kind == "buildings":
        return _create_buildings(request, session, editor, file, options, max_bytes, token)
    with (
        _saved(file, max_bytes) as path,
        progress.progress_writer(request.app.state.engine, token) as report,
        write_scope(session, editor),
    ):
        staged = svc.stage_upload(
            session,
            path,
            options,
            filename=file.filename or "upload",
            max_bytes=max_bytes,
            progress=report,
            check=lambda upload_id: check_upload_scope(session, upload_id, editor),
        )
    upload_id, counts = staged.upload_id, staged.counts or {}
    _audit(
        request,
        session,
        editor,
        "upload.preview",
        upload_id,
        {"kind": kind, "filename": file.filename, **counts},
    )
    preview = docs.preview_geojson(session, upload_id)
    return docs.report_document(staged.prepared, counts, upload_id=upload_id, preview=preview)


def _create_buildings(
    request: Request,
    session: SessionDep,
    editor: EditorDep,
    file: UploadFile,
    options: svc.UploadOptions,
    max_bytes: int,
    token: str | None,
) -> dict:
    with (
        _saved(file, max_bytes) as path,
        progress.progress_writer(request.app.state.engine, token) as report,
        write_scope(session, editor),
    ):
        upload_id, summary = buildings.stage_buildings(
            session,
            path,
            options,
            max_bytes=max_bytes,
            filename=file.filename or "upload",
            progress=report,
        )
        check_upload_scope(session, upload_id, editor)
        counts = svc.preview(session, upload_id)
    _audit(
        request,
        session,
        editor,
        "upload.preview",
        upload_id,
        {"kind": "buildings", "filename": file.filename, **counts},
    )
    return {**summary, **counts, "preview": {"type": "FeatureCollection", "features": []}}


@router.post("/uploads/{upload_id}/commit", operation_id="uploads-commit")
def commit_upload(
    request: Request,
    session: SessionDep,
    editor: EditorDep,
    upload_id: int,
    accept_quarantine: Annotated[bool, Form()] = False,
    progress_token: Annotated[str | None, Form()] = None,
) -> dict:
    token = progress.check_token(progress_token)
    with (
        progress.progress_writer(request.app.state.engine, token) as report,
        write_scope(session, editor),
    ):
        check_upload_scope(session, upload_id, editor)
        counts = svc.commit(
            session, upload_id, accept_quarantine=accept_quarantine, progress=report
        )
    _audit(request, session, editor, "upload.commit", upload_id, counts)
    return {"upload_id": upload_id, "status": "committed", **counts}


@router.post("/uploads/{upload_id}/rollback", operation_id="uploads-rollback")
def rollback_upload(
    request: Request, session: SessionDep, editor: EditorDep, upload_id: int
) -> dict:
    with write_scope(session, editor):
        check_rollback_scope(session, upload_id, editor)
        undone = svc.rollback(session, upload_id)
    _audit(request, session, editor, "upload.rollback", upload_id, undone)
    return {"upload_id": upload_id, "status": "rolled_back", "undone": undone}


def _audit(
    request: Request,
    session: SessionDep,
    who: Principal,
    action: str,
    upload_id: int,
    details: dict,
) -> None:
    audit.record(
        session,
        action,
        principal=who,
        target=f"upload:{upload_id}",
        client_ip=client_ip(request),
        details=details,
    )


@router.get("/uploads", operation_id="uploads-list")
def list_uploads(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    rows = svc.list_uploads(session, limit=limit, offset=offset)
    return {"uploads": [_jsonable(r) for r in rows]}


@router.get("/uploads/progress/{token}", operation_id="uploads-progress")
def get_progress(request: Request, _editor: EditorDep, token: str) -> dict:
    """How far the preview or commit started with ``progress_token=token`` is: stage, fraction
    done, features processed and total (building layers), time of the last report; stage
    ``waiting`` until the upload has arrived and reported its first stage."""
    return progress.read(request.app.state.engine, token)


@router.get("/uploads/{upload_id}/quarantine.geojson", operation_id="uploads-quarantine")
def get_quarantine(session: SessionDep, _viewer: ViewerDep, upload_id: int) -> JSONResponse:
    body = svc.quarantine_geojson(session, upload_id)
    name = f"upload-{upload_id}-quarantine.geojson"
    return JSONResponse(
        body,
        media_type="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/uploads/{upload_id}", operation_id="uploads-get")
def get_upload(session: SessionDep, upload_id: int) -> dict:
    return _jsonable(svc.get_upload(session, upload_id))


def _options(
    kind: str,
    crs: str | None,
    encoding: str | None,
    mapping: str | None,
    layer: str | None,
    accept_crs_guess: bool,
    uploaded_by: str | None,
    defaults: dict,
) -> svc.UploadOptions:
    if kind not in UPLOAD_KINDS:
        raise InvalidParameterError(
            f"kind must be one of {', '.join(UPLOAD_KINDS)}, not {kind!r}", parameter="kind"
        )
    return svc.UploadOptions(
        kind=kind,
        crs=crs or None,
        encoding=encoding or None,
        mapping=parse_mapping_args([mapping]) if mapping else {},
        layer=layer or None,
        accept_crs_guess=accept_crs_guess,
        uploaded_by=uploaded_by,
        defaults=defaults,
    )


@contextmanager
def _saved(file: UploadFile, max_bytes: int) -> Iterator[Path]:
    """Stream the upload to a temporary file, refusing it as soon as it passes the limit."""
    name = Path(file.filename or "upload").name
    with tempfile.TemporaryDirectory(prefix="zonemap-http-") as tmp:
        path = Path(tmp) / name
        written = 0
        with path.open("wb") as out:
            while chunk := file.file.read(_CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise RequestTooLargeError(
                        f"{name} is larger than the {max_bytes / 1024**2:,.0f} MB upload limit. "
                        "Split the data into several uploads.",
                    )
                out.write(chunk)
        yield path


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
