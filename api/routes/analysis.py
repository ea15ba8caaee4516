"""Analysis runs and their results: ``POST /api/analysis``, ``GET /api/flags``,
``GET /api/provinces/{code}/summary``."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.auth import audit
from api.db.repositories import analysis as repo
from api.db.repositories import live_analysis as live_repo
from api.deps import EditorDep, SessionDep, SettingsDep, client_ip
from api.errors import ForbiddenError, NotFoundError
from api.params import VersionDep, choice
from api.services.admin_area import check_admin_area
from api.services.analysis import run_analysis
from api.services.analysis_status import analysis_status, freshness, parse_as_of
from geo.vocabulary import SEVERITIES

router = APIRouter(prefix="/api", tags=["analysis"])


class AnalysisRequest(BaseModel):
    admin_version: str | None = Field(
        default=None, description="Default: the default_admin_version setting"
    )
    province: str | None = None
    thresholds: dict[str, Any] = Field(default_factory=dict, description="Overrides")


@router.post("/analysis", status_code=201, operation_id="analysis-create")
def create_analysis(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    editor: EditorDep,
    body: AnalysisRequest,
) -> dict:
    if body.thresholds and not editor.has_role("admin"):
        raise ForbiddenError("Overriding the flag thresholds needs the admin role.")
    version = body.admin_version or settings.default_admin_version
    outcome = run_analysis(
        session,
        version=version,
        province=body.province,
        overrides=body.thresholds or None,
        keep=False,
    )
    audit.record(
        session,
        "analysis.run",
        principal=editor,
        target=f"run:{outcome.run_id}",
        client_ip=client_ip(request),
        details=body.model_dump(),
    )
    return {
        "run_id": outcome.run_id,
        "admin_version": version,
        "province": body.province,
        "zones": outcome.zones,
        "flags": sum((outcome.flag_counts or {}).values()),
        "flag_counts": outcome.flag_counts,
        "fingerprint": outcome.fingerprint,
        "duration_s": round(outcome.duration_s, 3),
    }


@router.get("/flags", operation_id="flags-list")
def list_flags(
    session: SessionDep,
    version: VersionDep,
    province: Annotated[str | None, Query()] = None,
    code: Annotated[str | None, Query(description="Flag code, e.g. ENCROACHMENT")] = None,
    severity: Annotated[str | None, Query()] = None,
    zone: Annotated[str | None, Query(description="Zone code")] = None,
    as_of: Annotated[
        str | None, Query(description="The flags as they were on this date (YYYY-MM-DD)")
    ] = None,
) -> dict:
    check_admin_area(session, version, province)
    moment = parse_as_of(as_of)
    run = (
        _latest(session, version, province) if moment is None else _as_of(session, version, moment)
    )
    status = analysis_status(session, version)
    flags = repo.flags_of_run(
        session,
        run["id"],
        province=province,
        code=code,
        zone=zone,
        severity=choice(severity, SEVERITIES, "severity"),
    )
    return {
        "run_id": run["id"],
        "admin_version": version,
        "as_of": (None if moment else status["as_of"]) or _iso(run.get("finished_at")),
        "analysis": _freshness(status, province) if moment is None else None,
        "flags": flags,
        "numberReturned": len(flags),
    }


@router.get("/analysis/status", operation_id="analysis-status")
def get_analysis_status(session: SessionDep, version: VersionDep) -> dict:
    """When each province's flags were computed, and which are pending or failed."""
    return analysis_status(session, version)


def _freshness(status: dict, province: str | None) -> dict:
    """``pending``/``failed`` counts (of ``province`` alone when given) and failure messages."""
    fresh = freshness(status, province)
    return {k: fresh[k] for k in ("pending", "failed", "errors")}


def _as_of(session: SessionDep, version: str, moment: str) -> dict:
    run = live_repo.run_as_of(session, version, moment)
    if run is None:
        raise NotFoundError(f"no national analysis of admin version {version} before {moment}")
    return run


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@router.get("/provinces/{code}/summary", operation_id="provinces-summary")
def province_summary(session: SessionDep, code: str, version: VersionDep) -> dict:
    check_admin_area(session, version, code)
    run = _latest(session, version, code)
    stats = repo.province_stats(session, run["id"], code)
    flags = repo.flags_of_run(session, run["id"], province=code, code=None, severity=None)
    counts = {s: sum(1 for f in flags if f["severity"] == s) for s in SEVERITIES}
    return {
        "run_id": run["id"],
        "admin_version": version,
        "province": code,
        "stats": stats,
        "flag_counts": counts,
    }


def _latest(session: SessionDep, version: str, province: str | None) -> dict:
    run = repo.latest_run(session, version=version, province=province)
    if run is None:
        raise NotFoundError(
            f"no analysis run yet for admin version {version}: run `zonemap analyze` or "
            "POST /api/analysis first"
        )
    return run
