"""Analysis runs and their results: ``POST /api/analysis``, ``GET /api/flags``,
``GET /api/provinces/{code}/summary``."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.auth import audit
from api.db.repositories import analysis as repo
from api.deps import EditorDep, SessionDep, client_ip
from api.errors import ForbiddenError, NotFoundError
from api.params import VersionDep, choice
from api.services.analysis import run_analysis
from api.services.scope import check_scope

router = APIRouter(prefix="/api", tags=["analysis"])
SEVERITIES = ("info", "warning", "critical")


class AnalysisRequest(BaseModel):
    admin_version: str = "2025-34"
    province: str | None = None
    thresholds: dict[str, Any] = Field(default_factory=dict, description="Overrides")


@router.post("/analysis", status_code=201, operation_id="analysis-create")
def create_analysis(
    request: Request, session: SessionDep, editor: EditorDep, body: AnalysisRequest
) -> dict:
    if body.thresholds and not editor.has_role("admin"):
        raise ForbiddenError("Overriding the flag thresholds needs the admin role.")
    outcome = run_analysis(
        session,
        version=body.admin_version,
        province=body.province,
        overrides=body.thresholds or None,
    )
    flags = outcome.result.flags
    audit.record(session, "analysis.run", principal=editor, target=f"run:{outcome.run_id}",
                 client_ip=client_ip(request), details=body.model_dump())  # fmt: skip
    return {
        "run_id": outcome.run_id,
        "admin_version": body.admin_version,
        "province": body.province,
        "zones": len(outcome.result.metrics),
        "flags": len(flags),
        "fingerprint": outcome.result.fingerprint,
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
) -> dict:
    check_scope(session, version, province)
    run = _latest(session, version, province)
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
        "flags": flags,
        "numberReturned": len(flags),
    }


@router.get("/provinces/{code}/summary", operation_id="provinces-summary")
def province_summary(session: SessionDep, code: str, version: VersionDep) -> dict:
    check_scope(session, version, code)
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
