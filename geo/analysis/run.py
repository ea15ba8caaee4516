"""One entry point for an analysis run: footprints, density, clusters and flags together.

All inputs are EPSG:4326 GeoDataFrames of the shared data contract (zones, actual footprints,
provinces of one admin version). The result is deterministic: the same inputs give the same
result and the same fingerprint, whatever the row order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.clusters import outline_anchor
from geo.analysis.density import assign_provinces, find_dense_clusters, province_density
from geo.analysis.footprint import compare_footprints
from geo.errors import AdminVersionError
from geo.flags.common import is_missing, json_safe
from geo.flags.rules import evaluate_flags
from geo.flags.thresholds import Thresholds
from geo.frames import object_column, require_columns
from geo.types import ZONE_FIELDS, AnalysisResult, Cluster

_ACTUAL_FIELDS = ("zone_code", "source", "observed_on")
_PROVINCE_FIELDS = ("code", "name_vi", "name_en", "admin_version", "area_km2")
_JSON_METRICS = (
    "planned_ha",
    "actual_ha",
    "intersection_ha",
    "iou",
    "encroachment_ha",
    "unbuilt_ha",
    "hausdorff_m",
)


def analyze(
    zones: gpd.GeoDataFrame,
    actual: gpd.GeoDataFrame,
    provinces: gpd.GeoDataFrame,
    *,
    thresholds: Thresholds,
    today: dt.date,
) -> AnalysisResult:
    """Compare footprints, measure density, find clusters and raise every flag.

    Parameters
    ----------
    zones, actual, provinces : GeoDataFrame
        EPSG:4326 frames of the shared data contract. ``provinces`` must hold one admin
        version (``2008-63`` or ``2025-34``); density, clusters per province and
        ``CROSS_PROVINCE`` use it.
    thresholds : Thresholds
        From :func:`geo.flags.thresholds.load_thresholds`.
    today : datetime.date
        Reference date for the age-based rules.

    Returns
    -------
    AnalysisResult
        ``metrics`` (one row per zone, with ``kind`` and ``province_code`` added), ``provinces``
        (density per province, plus ``clusters``: the ids of the clusters with a member in
        the province), ``clusters``, ``flags`` (sorted by zone code), ``fingerprint`` and
        ``admin_version``.
    """
    require_columns(zones, ("code", "kind"), "zones")
    require_columns(actual, ("zone_code",), "actual")
    require_columns(provinces, ("code",), "provinces")
    admin_version = _admin_version(provinces)
    ordered = zones.sort_values("code", kind="stable").reset_index(drop=True)
    metrics = compare_footprints(ordered, actual)
    metrics.insert(1, "kind", ordered["kind"].to_numpy(dtype=object))
    metrics.insert(2, "province_code", object_column(ordered, "province_code"))
    clusters, density = _clusters_and_density(ordered, provinces, thresholds)
    flags = evaluate_flags(
        ordered, metrics, clusters, provinces, thresholds=thresholds, today=today
    )
    return AnalysisResult(
        metrics=metrics,
        provinces=density,
        clusters=clusters,
        flags=flags,
        fingerprint=fingerprint_inputs(zones, actual, provinces),
        admin_version=admin_version,
    )


def result_to_json(result: AnalysisResult) -> dict[str, Any]:
    """Summarise a result as JSON-safe data (no NaN: undefined numbers are None).

    Shape: ``{"zones": [{"code", "kind", "province", "metrics": {...}, "flags": [{"code",
    "severity", "value", "threshold"}]}], "provinces": [{"code", "zones",
    "density_per_1000km2", "clark_evans_r", "clark_evans_p", "clusters"}]}``, where a
    province's ``clusters`` lists ``{"cluster_id", "members", "total_area_ha",
    "mean_occupancy"}`` of the clusters with a member in it.
    """
    return {"zones": zones_json(result), "provinces": provinces_json(result)}


def zones_json(result: AnalysisResult) -> list[dict[str, Any]]:
    """The ``zones`` part of :func:`result_to_json` (built column-wise, JSON-safe)."""
    flags_by_zone: dict[str, list[dict[str, Any]]] = {}
    for flag in result.flags:
        item: dict[str, Any] = {"code": flag.code, "severity": flag.severity}
        item |= {"value": _finite(flag.value), "threshold": _finite(flag.threshold)}
        flags_by_zone.setdefault(flag.zone_code or "", []).append(item)
    m = result.metrics
    codes = object_column(m, "code").tolist()
    metrics = {name: _finite_list(m[name]) for name in _JSON_METRICS}
    kinds = json_safe(object_column(m, "kind").tolist())
    provinces = json_safe(object_column(m, "province_code").tolist())
    rows = zip(codes, kinds, provinces, strict=True)
    return [
        {
            "code": json_safe(code),
            "kind": kind,
            "province": province,
            "metrics": {name: values[i] for name, values in metrics.items()},
            "flags": flags_by_zone.get(code, []),
        }
        for i, (code, kind, province) in enumerate(rows)
    ]


def provinces_json(result: AnalysisResult) -> list[dict[str, Any]]:
    """The ``provinces`` part of :func:`result_to_json` (JSON-safe)."""
    by_id = {c.cluster_id: c for c in result.clusters}
    p = result.provinces
    columns = {
        "code": "code",
        "zones": "zones",
        "density_per_1000km2": "zones_per_1000km2",
        "clark_evans_r": "clark_evans_r",
        "clark_evans_p": "clark_evans_p",
    }
    values = {key: json_safe(object_column(p, name).tolist()) for key, name in columns.items()}
    cluster_ids = object_column(p, "clusters").tolist()
    return [
        {
            **{key: column[i] for key, column in values.items()},
            "clusters": [json_safe(_cluster_json(by_id[c])) for c in cluster_ids[i]],
        }
        for i in range(len(p))
    ]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _finite_list(values: pd.Series) -> list[float | None]:
    array = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    return [v if ok else None for v, ok in zip(array.tolist(), np.isfinite(array), strict=True)]


def fingerprint_inputs(
    zones: gpd.GeoDataFrame, actual: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame
) -> str:
    """sha256 (hex) of the input data: codes, contract attributes and geometry WKB.

    Rows are sorted by their code first, so row order does not change the fingerprint; columns
    outside the data contract are ignored.
    """
    digest = hashlib.sha256()
    for name, frame, fields, key in (
        ("zones", zones, ZONE_FIELDS, "code"),
        ("actual", actual, _ACTUAL_FIELDS, "zone_code"),
        ("provinces", provinces, _PROVINCE_FIELDS, "code"),
    ):
        digest.update(name.encode())
        _hash_frame(digest, frame, fields, key)
    return digest.hexdigest()


def _hash_frame(digest: Any, frame: gpd.GeoDataFrame, fields: tuple[str, ...], key: str) -> None:
    wkb = shapely.to_wkb(frame.geometry.to_numpy(), hex=True, output_dimension=2, byte_order=1)
    table = pd.DataFrame({f: object_column(frame, f) for f in fields if f in frame.columns})
    table["__wkb"] = np.asarray(wkb, dtype=object)
    # the geometry only breaks ties: with unique keys, sorting by the key alone is the same order
    by = [key] if table[key].is_unique else [key, "__wkb"]
    table = table.sort_values(by, kind="stable", na_position="first")
    for name in table.columns:
        array = table[name].to_numpy(dtype=object)
        values: list[str | None] = [str(v) for v in array]
        for i in np.flatnonzero(pd.isna(array)):
            values[i] = None
        digest.update(json.dumps([name, values], ensure_ascii=False).encode("utf-8"))


def _clusters_and_density(
    ordered: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, thresholds: Thresholds
) -> tuple[list[Cluster], pd.DataFrame]:
    clusters = find_dense_clusters(
        ordered,
        distance_m=thresholds.dense_cluster.distance_m,
        min_zones=thresholds.dense_cluster.min_zones,
        anchor=outline_anchor(provinces) if len(provinces) else None,
    )
    located = assign_provinces(ordered, provinces)
    density = province_density(ordered, provinces, located=located)
    density["clusters"] = clusters_by_province(located, clusters, density["code"])
    return clusters, density


def clusters_by_province(
    located: pd.Series, clusters: list[Cluster], codes: pd.Series
) -> list[tuple[int, ...]]:
    """Per province code: the sorted ids of the clusters with a member located in it."""
    members = [code for cluster in clusters for code in cluster.members]
    ids = np.repeat([c.cluster_id for c in clusters], [len(c.members) for c in clusters])
    pairs = pd.DataFrame({"province": located.reindex(members).to_numpy(), "cluster": ids})
    pairs = pairs.dropna().drop_duplicates()
    found = {
        str(province): tuple(sorted(group.tolist()))
        for province, group in pairs.groupby("province")["cluster"]
    }
    return [found.get(str(code), ()) for code in codes]


def _cluster_json(cluster: Cluster) -> dict[str, Any]:
    return {
        "cluster_id": cluster.cluster_id,
        "members": list(cluster.members),
        "total_area_ha": cluster.total_area_ha,
        "mean_occupancy": cluster.mean_occupancy,
    }


def _admin_version(provinces: gpd.GeoDataFrame) -> str:
    versions = sorted(
        {str(v) for v in object_column(provinces, "admin_version") if not is_missing(v)}
    )
    if len(versions) != 1:
        raise AdminVersionError(
            f"The provinces must belong to exactly one admin version, found {versions or 'none'}; "
            "pass the 2008-63 or the 2025-34 provinces (column admin_version).",
            details={"admin_versions": versions},
        )
    return versions[0]
