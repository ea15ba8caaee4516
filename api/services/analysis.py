"""Analysis runs: read the inputs, run ``geo.analysis.run``, store everything in one transaction."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from api.db.repositories import analysis as repo
from api.services.admin_area import check_admin_area
from geo.analysis.run import analyze, provinces_json, result_to_json
from geo.flags.rules import json_safe
from geo.flags.thresholds import load_thresholds
from geo.types import AnalysisResult

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    result: AnalysisResult
    duration_s: float

    def to_json(self) -> dict[str, Any]:
        document = result_to_json(self.result)
        return {
            "run_id": self.run_id,
            "admin_version": self.result.admin_version,
            "fingerprint": self.result.fingerprint,
            "duration_s": round(self.duration_s, 3),
            **document,
        }


def run_analysis(
    session: Session,
    *,
    version: str,
    province: str | None = None,
    thresholds_path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    progress: Progress = lambda _msg: None,
) -> RunOutcome:
    """Run and store one analysis; the caller's transaction makes it visible all at once."""
    check_admin_area(session, version, province)
    thresholds = load_thresholds(thresholds_path, overrides)
    started = time.perf_counter()
    progress("reading zones, footprints and provinces")
    zones = repo.read_zones(session, version=version, province=province)
    actual = repo.read_actual(session, list(zones["code"]))
    provinces = repo.read_provinces(session, version)
    if province is not None:
        provinces = provinces[provinces["code"] == province]
    progress(f"analysing {len(zones)} zones")
    result = analyze(
        zones, actual, provinces, thresholds=thresholds, today=today or dt.date.today()
    )
    progress(f"storing {len(result.flags)} flags")
    run_id = _store(
        session, result, version=version, province=province, thresholds=thresholds.as_dict()
    )
    duration = time.perf_counter() - started
    repo.finish_run(
        session, run_id, fingerprint=result.fingerprint, zone_count=len(zones), duration_s=duration
    )
    return RunOutcome(run_id, result, duration)


def _store(
    session: Session,
    result: AnalysisResult,
    *,
    version: str,
    province: str | None,
    thresholds: dict,
) -> int:
    run_id = repo.start_run(
        session, version=version, province=province, thresholds=json_safe(thresholds)
    )
    repo.store_metrics(session, run_id, result.metrics, repo.worst_severity(result.flags))
    repo.store_flags(session, run_id, result.flags)
    repo.store_clusters(session, run_id, result.clusters)
    repo.store_provinces(session, run_id, province_stats(result))
    return run_id


def province_stats(result: AnalysisResult) -> list[dict]:
    """Each province's density row with its JSON summary (clusters as documents) on top."""
    rows = result.provinces.drop(columns=["clusters"], errors="ignore").to_dict("records")
    by_code = {row["code"]: json_safe(row) for row in rows}
    return [{**by_code[s["code"]], **s} for s in provinces_json(result)]
