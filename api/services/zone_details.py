"""One zone as the map's popup and the zone page see it: facts, metrics, flags and histories.

No FastAPI here; the routes and the page builders both call `zone_detail`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.db.repositories import analysis as analysis_repo
from api.db.repositories import buildings as buildings_repo
from api.db.repositories import zone_details as repo
from api.errors import NotFoundError
from geo.vocabulary import ZONE_PROVINCE_VERSION

_EXTENT_KEYS = ("xmin", "ymin", "xmax", "ymax")


def zone_detail(
    session: Session, code: str, *, version: str = ZONE_PROVINCE_VERSION
) -> dict[str, Any]:
    """Everything known about zone ``code``; NotFoundError when there is no such zone.

    Flags and metrics come from the newest complete analysis run of admin ``version`` that
    covers the zone's province (a national run or one of that province).
    """
    facts = repo.zone(session, code)
    if facts is None:
        raise NotFoundError(f"no zone with code '{code}'", parameter="code", code="zone_not_found")
    zone_id = facts.pop("id")
    extent = [facts.pop(k) for k in _EXTENT_KEYS]
    point = [facts.pop("lon"), facts.pop("lat")]
    run = analysis_repo.latest_run(session, version=version, province=facts["province_code"])
    metrics = repo.metrics(session, run["id"], code) if run else None
    flags = (
        analysis_repo.flags_of_run(
            session, run["id"], province=None, code=None, severity=None, zone=code
        )
        if run
        else []
    )
    if metrics is not None:  # its flags, the national DENSE_CLUSTER included, decide the worst
        worst = analysis_repo.worst_severity([_Severity(code, f["severity"]) for f in flags])
        metrics["worst_severity"] = worst.get(code)
    return {
        "zone": {**facts, "occupancy": occupancy(facts)},
        "bbox": extent if extent[0] is not None else None,
        "point": point if point[0] is not None else None,
        "run": _run_summary(run),
        "metrics": metrics,
        "flags": [_flag(f) for f in flags],
        "boundaries": repo.boundary_history(session, zone_id),
        "footprints": repo.footprint_history(session, zone_id),
        "buildings": [_plain(r) for r in buildings_repo.zone_stats(session, zone_id)],
        "uploads": repo.upload_history(session, zone_id),
    }


def occupancy(facts: dict[str, Any]) -> float | None:
    """Leased / industrial land (0–1), or None when the denominator is missing or 0."""
    leased, industrial = facts.get("leased_land_ha"), facts.get("industrial_land_ha")
    if leased is None or not industrial:
        return None
    return leased / industrial


def _run_summary(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    finished = run.get("finished_at")
    return {
        "id": run["id"],
        "admin_version": run["admin_version"],
        "province_code": run["province_code"],
        "finished_at": finished.isoformat() if finished else None,
    }


def _flag(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("code", "severity", "value", "threshold", "unit", "message_vi", "message_en", "details")
    return {k: row.get(k) for k in keys}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}


@dataclass(frozen=True)
class _Severity:
    zone_code: str
    severity: str
