"""Analysis runs: analyse province by province, store each province's rows in a part run.

:func:`run_analysis` runs the partitioned analysis in the caller's transaction (one province,
or all of them and the national snapshot); :func:`run_whole` is the single-process analysis of
the whole country in one run, kept as the reference the partitioned one must equal.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from api.db.repositories import analysis as repo
from api.db.repositories import live_analysis as live_repo
from api.services.admin_area import check_admin_area
from geo.analysis.partitions import ClusterResult, PartitionResult, combine
from geo.analysis.run import analyze, provinces_json, result_to_json
from geo.flags.rules import json_safe
from geo.flags.thresholds import Thresholds, load_thresholds
from geo.types import AnalysisResult

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunOutcome:
    """A stored national run (or, for one province, the snapshot holding its new result).

    ``result`` is the analysis of the partitions just run, combined (None unless kept);
    ``zones`` and ``flag_counts`` (per severity) are those analysed (of the province, if one).
    """

    run_id: int
    result: AnalysisResult | None
    duration_s: float
    zones: int = 0
    flag_counts: dict[str, int] | None = None
    fingerprint: str = ""

    def to_json(self) -> dict[str, Any]:
        document = result_to_json(self.result) if self.result is not None else {}
        return {
            "run_id": self.run_id,
            "admin_version": self.result.admin_version if self.result is not None else None,
            "fingerprint": self.fingerprint,
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
    keep: bool = True,
) -> RunOutcome:
    """Analyse ``province`` (default: every province) partition by partition in this process,
    store each partition's part run and a new national snapshot, in the caller's transaction.

    With ``keep`` the outcome carries the combined result of the partitions analysed.
    """
    from api.services import live_analysis as live

    check_admin_area(session, version, province)
    thresholds = load_thresholds(thresholds_path, overrides)
    full, parts = live.analyze_in_session(
        session,
        version=version,
        provinces=None if province is None else [province],
        thresholds=thresholds,
        today=today,
        progress=progress,
        keep=keep,
    )
    result = combine(parts, thresholds=thresholds, admin_version=version) if parts else None
    snap = full.snapshot
    if province is None:
        zones, counts = snap.zones, snap.flag_counts
    else:
        zones, counts = full.zones, live_repo.flag_counts(session, snap.run_id, province)
    return RunOutcome(snap.run_id, result, full.duration_s, zones, counts, snap.fingerprint)


def run_whole(
    session: Session,
    *,
    version: str,
    thresholds_path: str | Path | None = None,
    today: dt.date | None = None,
) -> RunOutcome:
    """The whole country analysed at once in this process and stored as one run (reference)."""
    check_admin_area(session, version, None)
    thresholds = load_thresholds(thresholds_path)
    started = time.perf_counter()
    zones = repo.read_zones(session, version=version, province=None)
    actual = repo.read_actual(session, list(zones["code"]))
    provinces = repo.read_provinces(session, version)
    result = analyze(
        zones, actual, provinces, thresholds=thresholds, today=today or dt.date.today()
    )
    run_id = _store(
        session, result, version=version, province=None, thresholds=thresholds.as_dict()
    )
    duration = time.perf_counter() - started
    repo.finish_run(
        session, run_id, fingerprint=result.fingerprint, zone_count=len(zones), duration_s=duration
    )
    return RunOutcome(run_id, result, duration, len(zones), None, result.fingerprint)


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


def store_part(
    session: Session,
    result: PartitionResult,
    *,
    version: str,
    thresholds: Thresholds,
    duration_s: float,
) -> int:
    """One partition's metrics, flags and density row as a part run; returns its id."""
    settings = json_safe(thresholds.as_dict())
    run_id = repo.start_run(session, version=version, province=result.province, thresholds=settings)
    repo.store_metrics(session, run_id, result.metrics, repo.worst_severity(result.flags))
    repo.store_flags(session, run_id, result.flags)
    repo.store_provinces(session, run_id, density_stats(result.density))
    repo.finish_run(
        session,
        run_id,
        fingerprint=result.fingerprint,
        zone_count=result.zone_count,
        duration_s=duration_s,
        status="part",
    )
    return run_id


def store_clusters_part(
    session: Session, found: ClusterResult, *, version: str, thresholds: dict
) -> int:
    """The nation's dense clusters, their flags and each province's cluster ids as a part.

    A province's row names its clusters by id only: a cluster spanning many provinces keeps
    its member list once, in ``clusters`` (``province_stats`` reads the documents from there).
    """
    run_id = repo.start_run(session, version=version, province=None, thresholds=thresholds)
    repo.store_clusters(session, run_id, found.clusters)
    repo.store_flags(session, run_id, found.flags)
    rows = [
        {"code": code, repo.CLUSTER_IDS: [int(i) for i in ids]}
        for code, ids in zip(found.provinces, found.by_province, strict=True)
    ]
    repo.store_provinces(session, run_id, rows)
    repo.finish_run(
        session, run_id, fingerprint="clusters", zone_count=0, duration_s=0.0, status="part"
    )
    return run_id


def density_stats(density: pd.DataFrame) -> list[dict]:
    """Each province's density row as stored JSON (the summary keys of ``provinces_json``)."""
    rows = density.drop(columns=["clusters"], errors="ignore").to_dict("records")
    return [
        {**json_safe(row), "density_per_1000km2": json_safe(row.get("zones_per_1000km2"))}
        for row in rows
    ]


def province_stats(result: AnalysisResult) -> list[dict]:
    """Each province's density row with its JSON summary (clusters as documents) on top."""
    rows = result.provinces.drop(columns=["clusters"], errors="ignore").to_dict("records")
    by_code = {row["code"]: json_safe(row) for row in rows}
    return [{**by_code[s["code"]], **s} for s in provinces_json(result)]
