"""Analysis runs: read the inputs as GeoDataFrames, store a result, read the latest run."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.repositories import bulk
from api.db.repositories.frames import read_frame
from api.db.sql import query
from geo.analysis.footprint import METRIC_COLUMNS as FOOTPRINT_METRICS
from geo.vocabulary import SEVERITY_RANK

METRIC_COLUMNS = ("status", *FOOTPRINT_METRICS)


def read_zones(session: Session, *, version: str, province: str | None) -> gpd.GeoDataFrame:
    params = {"version": version, "province": province}
    return read_frame(session, query("analysis_zones"), params)


def read_actual(session: Session, codes: list[str]) -> gpd.GeoDataFrame:
    return read_frame(session, query("analysis_actual"), {"codes": codes})


def read_provinces(session: Session, version: str) -> gpd.GeoDataFrame:
    return read_frame(session, query("analysis_provinces"), {"version": version})


def start_run(session: Session, *, version: str, province: str | None, thresholds: dict) -> int:
    """A new run (status ``running``; a trigger makes it a part of itself in ``run_parts``)."""
    return session.execute(
        text(
            "INSERT INTO analysis_runs (admin_version, province_code, thresholds) "
            "VALUES (:v, :p, CAST(:t AS jsonb)) RETURNING id"
        ),
        {"v": version, "p": province, "t": json.dumps(thresholds, default=str)},
    ).scalar_one()


def add_parts(session: Session, run_id: int, parts: Iterable[int]) -> None:
    """Make the rows of the runs ``parts`` part of run ``run_id`` (nothing is copied)."""
    session.execute(
        text(
            "INSERT INTO run_parts (run_id, part_id) SELECT :r, p "
            "FROM unnest(CAST(:ps AS bigint[])) p ON CONFLICT DO NOTHING"
        ),
        {"r": run_id, "ps": list(parts)},
    )


def finish_run(
    session: Session,
    run_id: int,
    *,
    fingerprint: str,
    zone_count: int,
    duration_s: float,
    status: str = "complete",
) -> None:
    """Close a run: ``complete`` (readable) or ``part`` (read only as part of a national run)."""
    session.execute(
        text(
            "UPDATE analysis_runs SET status = :s, finished_at = now(), "
            "inputs_fingerprint = :f, zone_count = :n, duration_s = :d WHERE id = :id"
        ),
        {"s": status, "f": fingerprint, "n": zone_count, "d": duration_s, "id": run_id},
    )


def store_metrics(
    session: Session, run_id: int, metrics: pd.DataFrame, worst: dict[str, str]
) -> int:
    """COPY one row per zone; columns are converted once (no per-value checks)."""
    columns = (
        "run_id",
        "zone_code",
        "kind",
        "province_code",
        *METRIC_COLUMNS,
        "worst_severity",
        "encroachment_geom",
    )
    codes = metrics["code"].astype(str).tolist()
    values = [
        [run_id] * len(codes),
        codes,
        _nullable(metrics["kind"]),
        _nullable(metrics["province_code"]),
        *(_nullable(metrics[c]) for c in METRIC_COLUMNS),
        [worst.get(code) for code in codes],
        _ewkb_hex(metrics.get("encroachment_geom"), codes),
    ]
    rows = zip(*values, strict=True)
    return bulk.copy_rows(session, "zone_metrics", columns, rows, plain=True)


def store_flags(session: Session, run_id: int, flags: list) -> int:
    columns = (
        "run_id",
        "zone_code",
        "province_code",
        "code",
        "severity",
        "value",
        "threshold",
        "unit",
        "message_vi",
        "message_en",
        "details",
    )
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    rows = (
        (
            run_id,
            f.zone_code,
            f.province_code,
            f.code,
            f.severity,
            _finite(f.value),
            _finite(f.threshold),
            f.unit,
            f.message_vi,
            f.message_en,
            dumps(f.details),
        )
        for f in flags
    )
    return bulk.copy_rows(session, "flags", columns, rows, plain=True)


def _nullable(values: pd.Series) -> list[Any]:
    """A column as Python values, NaN/NaT/NA as None."""
    array = np.array(values.to_numpy(dtype=object), dtype=object)  # a writable copy, always
    array[pd.isna(array)] = None
    return array.tolist()


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _finite_or_none(value: float | None) -> float | None:
    return None if value is None else _finite(float(value))


def _ewkb_hex(geoms: Any, codes: list[str]) -> list[str | None]:
    """Hex EWKB (SRID 4326, polygons promoted to multipolygons), vectorised; None if empty."""
    if geoms is None:
        return [None] * len(codes)
    return bulk.ewkb_hex_array(geoms, as_multi=True).tolist()


def store_provinces(session: Session, run_id: int, stats: list[dict]) -> int:
    rows = ([run_id, s["code"], json.dumps(s, ensure_ascii=False, default=str)] for s in stats)
    columns = ("run_id", "province_code", "stats")
    return bulk.copy_rows(session, "province_stats", columns, rows, plain=True)


def store_clusters(session: Session, run_id: int, clusters: list) -> int:
    columns = (
        "run_id",
        "cluster_id",
        "province_code",
        "members",
        "total_area_ha",
        "mean_occupancy",
        "hull",
    )
    rows = (
        [
            run_id,
            c.cluster_id,
            c.province_code,
            bulk.text_array([str(m) for m in c.members]),
            c.total_area_ha,
            c.mean_occupancy,
            _hull_hex(c.hull),
        ]
        for c in clusters
    )
    return bulk.copy_rows(session, "clusters", columns, rows, plain=True)


def _hull_hex(geom: Any) -> str:
    return bulk.ewkb_hex_array([geom])[0]


def latest_run(session: Session, *, version: str, province: str | None = None) -> dict | None:
    """The newest complete run covering ``province`` (a national run covers every province)."""
    row = (
        session.execute(
            text(
                "SELECT * FROM analysis_runs WHERE status = 'complete' AND admin_version = :v "
                "AND (province_code IS NULL OR province_code = :p) ORDER BY id DESC LIMIT 1"
            ),
            {"v": version, "p": province},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def flags_of_run(
    session: Session,
    run_id: int,
    *,
    province: str | None,
    code: str | None,
    severity: str | None,
    zone: str | None = None,
) -> list[dict]:
    rows = session.execute(
        query("flags_of_run"),
        {
            "run": run_id,
            "province": province,
            "code": code,
            "severity": severity,
            "zone": zone,
        },
    ).mappings()
    return [dict(r) for r in rows]


CLUSTER_IDS = "cluster_ids"
"""The key of a clusters part's province row: the ids of the province's clusters in that run."""


def province_stats(session: Session, run_id: int, province: str) -> dict | None:
    """The province's statistics in run ``run_id``: its parts' rows merged (density, clusters).

    A row that names its clusters by id (``CLUSTER_IDS``) gets their documents (members, total
    area, mean occupancy) from ``clusters``, as a run stored whole holds them.
    """
    rows = session.execute(
        text(
            "SELECT run_id, stats FROM province_stats WHERE province_code = :p "
            "AND run_id IN (SELECT part_id FROM run_parts WHERE run_id = :r) ORDER BY run_id"
        ),
        {"r": run_id, "p": province},
    )
    merged: dict = {}
    for part_id, stats in rows:
        if CLUSTER_IDS in stats:
            stats = {**stats, "clusters": _cluster_documents(session, part_id, stats)}
            del stats[CLUSTER_IDS]
        merged |= stats
    return merged or None


def _cluster_documents(session: Session, run_id: int, stats: dict) -> list[dict]:
    rows = session.execute(
        text(
            "SELECT cluster_id, members, total_area_ha, mean_occupancy FROM clusters "
            "WHERE run_id = :r AND cluster_id = ANY(:ids)"
        ),
        {"r": run_id, "ids": stats[CLUSTER_IDS]},
    ).mappings()
    by_id = {r["cluster_id"]: r for r in rows}
    return [
        {
            "cluster_id": i,
            "members": list(by_id[i]["members"]),
            "total_area_ha": _finite_or_none(by_id[i]["total_area_ha"]),
            "mean_occupancy": _finite_or_none(by_id[i]["mean_occupancy"]),
        }
        for i in stats[CLUSTER_IDS]
    ]


def worst_severity(flags: list) -> dict[str, str]:
    worst: dict[str, str] = {}
    for flag in flags:
        if flag.zone_code is None:
            continue
        current = worst.get(flag.zone_code)
        if current is None or SEVERITY_RANK[flag.severity] > SEVERITY_RANK[current]:
            worst[flag.zone_code] = flag.severity
    return worst


def count_flags(session: Session, run_id: int) -> int:
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM flags "
                "WHERE run_id IN (SELECT part_id FROM run_parts WHERE run_id = :r)"
            ),
            {"r": run_id},
        ).scalar_one()
    )
