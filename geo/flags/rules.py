"""Flag rules of DESIGN.md: which zones need a planner's attention, and why.

Each rule turns the footprint metrics, the zone attributes, the clusters and the province outlines
into :class:`geo.types.Flag` objects carrying the measured value, the threshold it crossed (the same
units as ``geo/flags/thresholds.yaml``: ha, m, fractions 0–1, decimal years) and one sentence in
Vietnamese and English. Conditions are vectorised masks over the zone table; Python loops run over
the flagged rows only and read just the values their message needs. The cluster (CCN) rules live in
:mod:`geo.flags.ccn`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.density import split_by_province
from geo.analysis.footprint import STATUS_NO_PLANNED, STATUS_OK, find_overlaps
from geo.flags.ccn import ccn_expansion, ccn_new, ccn_size, moratorium
from geo.flags.common import ZoneTable, ha, hits, json_safe, make_flag, num, pct, zone_table
from geo.flags.thresholds import Thresholds
from geo.types import Cluster, Flag

__all__ = ["cluster_flags", "evaluate_flags", "flag_order", "json_safe"]


def evaluate_flags(
    zones: gpd.GeoDataFrame,
    metrics: pd.DataFrame,
    clusters: list[Cluster],
    provinces: gpd.GeoDataFrame,
    *,
    thresholds: Thresholds,
    today: dt.date,
    neighbours: gpd.GeoDataFrame | None = None,
) -> list[Flag]:
    """Apply every flag rule and return the flags sorted by zone code, then flag code.

    Parameters
    ----------
    zones : GeoDataFrame
        The zones (EPSG:4326) with the attributes of the data contract.
    metrics : DataFrame
        :func:`geo.analysis.footprint.compare_footprints` of the same zones.
    clusters : list of Cluster
        :func:`geo.analysis.density.find_dense_clusters` of the same zones.
    provinces : GeoDataFrame
        Province outlines (EPSG:4326) of the admin version used for ``CROSS_PROVINCE``.
    thresholds : Thresholds
    today : datetime.date
        The reference date for ages (years since establishment).
    neighbours : GeoDataFrame, optional
        Zones around ``zones`` (a partition's halo and the other zones of the same stored
        provinces) that count as the other side of an ``OVERLAP`` and as the existing clusters
        of the Decree 32 rule; they get no flag of their own.

    Returns
    -------
    list of Flag
    """
    table = zone_table(zones, metrics, today)
    peers = None
    if neighbours is not None and len(neighbours):
        codes = pd.DataFrame({"code": neighbours["code"].astype(str).to_numpy()})
        peers = zone_table(neighbours.reset_index(drop=True), codes, today).frame
    flags = [
        *_footprint_mismatch(table, thresholds),
        *_encroachment(table, thresholds),
        *_outside_planning(table, thresholds),
        *_slow_deployment(table, thresholds),
        *_low_occupancy(table, thresholds),
        *_dense_cluster(table, clusters, thresholds),
        *ccn_size(table, thresholds),
        *ccn_new(table, thresholds, peers),
        *ccn_expansion(table, thresholds),
        *moratorium(table, thresholds),
        *_overlap(_with(zones, neighbours), table, thresholds),
        *_cross_province(zones, provinces, table, thresholds),
    ]
    return sorted(flags, key=_flag_order)


def cluster_flags(
    clusters: list[Cluster], provinces: dict[str, str | None], *, thresholds: Thresholds
) -> list[Flag]:
    """The ``DENSE_CLUSTER`` flags of clusters found over several partitions, sorted.

    ``provinces`` maps each member's code to its stored province code.
    """
    codes = sorted({code for cluster in clusters for code in cluster.members})
    values: dict[str, list[Any]] = {
        "code": codes,
        "province_code": [provinces.get(c) for c in codes],
    }
    table = ZoneTable(pd.DataFrame(), values, {code: i for i, code in enumerate(codes)})
    return sorted(_dense_cluster(table, clusters, thresholds), key=flag_order)


def _with(zones: gpd.GeoDataFrame, neighbours: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if neighbours is None or neighbours.empty:
        return zones
    both = pd.concat([zones, neighbours[neighbours.columns.intersection(zones.columns)]])
    return gpd.GeoDataFrame(both, geometry=zones.geometry.name, crs=zones.crs)


def flag_order(flag: Flag) -> tuple:
    """Sort key of flags: zone code, flag code, then what tells two flags of one zone apart."""
    return _flag_order(flag)


def _flag_order(flag: Flag) -> tuple:
    # the only codes a zone can carry twice: OVERLAP (per other zone) and the Decree 32 rule
    tie = (str(flag.details.get("other_zone", "")), str(flag.details.get("rule", "")))
    return (flag.zone_code or "", flag.code, *tie)


def _footprint_mismatch(tab: ZoneTable, thr: Thresholds) -> list[Flag]:
    c, t = thr.footprint_mismatch, tab.frame
    ok = (t["footprint_status"] == STATUS_OK).to_numpy()
    tests = {
        "iou": ok & (t["iou"] < c.iou_min).to_numpy(),
        "share": ok & (t["encroachment_share"] > c.encroachment_share_max).to_numpy(),
        "ha": ok & (t["encroachment_ha"] > c.encroachment_ha_max).to_numpy(),
    }
    flags = []
    for i in hits(tests["iou"] | tests["share"] | tests["ha"]):
        r = tab.pick(i, "iou", "encroachment_ha", "encroachment_share")
        reasons = [name for name, hit in tests.items() if hit[i]]
        measured, vi, en = _mismatch_reason(r, c, reasons[0])
        flags.append(
            make_flag(
                "FOOTPRINT_MISMATCH",
                "critical" if r["iou"] < c.critical_iou_below else "warning",
                tab,
                i,
                measured,
                (
                    f"Ranh giới quy hoạch và hiện trạng không khớp: {vi}.",
                    f"Planned and actual footprints differ: {en}.",
                ),
                {"reasons": reasons, **r},
            )
        )
    return flags


def _mismatch_reason(r: dict, c: Any, reason: str) -> tuple[tuple, str, str]:
    if reason == "iou":
        value, limit = r["iou"], c.iou_min
        return (  # IoU is read as a 0–1 index (as the message and the zone facts write it)
            (value, limit, "ratio"),
            f"chỉ số IoU là {num(value, 2, vi=True)}, thấp hơn ngưỡng {num(limit, 2, vi=True)}",
            f"the IoU is {num(value, 2)}, below {num(limit, 2)}",
        )
    outside_vi = "phần xây dựng ngoài ranh giới"
    if reason == "share":
        value, limit = r["encroachment_share"], c.encroachment_share_max
        return (
            (value, limit, "fraction"),
            f"{outside_vi} bằng {pct(value, vi=True)} diện tích quy hoạch, "
            f"vượt ngưỡng {pct(limit, vi=True)}",
            f"{pct(value)} of the planned area is built outside the boundary, above {pct(limit)}",
        )
    value, limit = r["encroachment_ha"], c.encroachment_ha_max
    return (
        (value, limit, "ha"),
        f"{outside_vi} là {ha(value, vi=True)}, vượt ngưỡng {ha(limit, vi=True)}",
        f"{ha(value)} is built outside the boundary, above {ha(limit)}",
    )


def _encroachment(tab: ZoneTable, thr: Thresholds) -> list[Flag]:
    c, t = thr.encroachment, tab.frame
    hit = (t["footprint_status"] == STATUS_OK) & (t["encroachment_ha"] > c.min_ha)
    flags = []
    for i in hits(hit):
        r = tab.pick(i, "encroachment_ha", "encroachment_share", "planned_ha")
        area, share = r["encroachment_ha"], r["encroachment_share"]
        severity = "info"
        if area > c.warning_ha or share > c.warning_share:
            severity = "warning"
        if area > c.critical_ha or share > c.critical_share:
            severity = "critical"
        vi = (
            f"{ha(area, vi=True)} ({pct(share, vi=True)} diện tích quy hoạch) của hiện trạng "
            "nằm ngoài ranh giới được phê duyệt."
        )
        en = (
            f"{ha(area)} ({pct(share)} of the planned area) of the actual footprint lies "
            "outside the approved boundary."
        )
        flags.append(
            make_flag("ENCROACHMENT", severity, tab, i, (area, c.min_ha, "ha"), (vi, en), r)
        )
    return flags


def _outside_planning(tab: ZoneTable, thr: Thresholds) -> list[Flag]:
    tol, t = thr.outside_planning.inside_tolerance_ha, tab.frame
    flags = []
    for i in hits(t["footprint_status"] == STATUS_NO_PLANNED):
        actual = tab.value("actual_ha", i)
        vi = (
            f"Khu có hiện trạng {ha(actual, vi=True)} nhưng không có ranh giới "
            "quy hoạch được phê duyệt."
        )
        en = f"The zone has an actual footprint of {ha(actual)} but no approved planning boundary."
        details = {"reason": "no_planned_boundary", "actual_ha": actual}
        flags.append(
            make_flag("OUTSIDE_PLANNING", "warning", tab, i, (actual, 0.0, "ha"), (vi, en), details)
        )
    outside = (t["footprint_status"] == STATUS_OK) & (t["intersection_ha"] <= tol)
    for i in hits(outside):
        r = tab.pick(i, "actual_ha", "intersection_ha")
        vi = (
            f"Hiện trạng ({ha(r['actual_ha'], vi=True)}) nằm hoàn toàn ngoài ranh giới "
            f"được phê duyệt: chỉ {ha(r['intersection_ha'], 2, vi=True)} trùng với ranh giới."
        )
        en = (
            f"The actual footprint ({ha(r['actual_ha'])}) lies entirely outside the approved "
            f"boundary: only {ha(r['intersection_ha'], 2)} overlaps it."
        )
        measured = (r["intersection_ha"], tol, "ha")
        details = {"reason": "entirely_outside", **r}
        flags.append(make_flag("OUTSIDE_PLANNING", "critical", tab, i, measured, (vi, en), details))
    return flags


def _slow_deployment(tab: ZoneTable, thr: Thresholds) -> list[Flag]:
    c, t = thr.slow_deployment, tab.frame
    built = t["intersection_ha"] / t["planned_ha"]
    hit = (
        (t["footprint_status"] == STATUS_OK)
        & (t["status"] != "cancelled")
        & (t["age_years"] > c.min_age_years)
        & (built < c.min_built_share)
    )
    flags = []
    for i in hits(hit):
        r = tab.pick(i, "planned_ha", "intersection_ha")
        share, age = r["intersection_ha"] / r["planned_ha"], tab.value("age_years", i)
        vi = (
            f"Thành lập {num(age, 1, vi=True)} năm trước nhưng mới xây dựng "
            f"{pct(share, vi=True)} diện tích quy hoạch, dưới ngưỡng "
            f"{pct(c.min_built_share, vi=True)}."
        )
        en = (
            f"Established {num(age, 1)} years ago, yet only {pct(share)} of the planned area "
            f"is built, below {pct(c.min_built_share)}."
        )
        flags.append(
            make_flag(
                "SLOW_DEPLOYMENT",
                "critical" if share < c.critical_built_share else "warning",
                tab,
                i,
                (share, c.min_built_share, "fraction"),
                (vi, en),
                {"built_share": share, "age_years": age, **r},
            )
        )
    return flags


def _low_occupancy(tab: ZoneTable, thr: Thresholds) -> list[Flag]:
    c, t = thr.low_occupancy, tab.frame
    hit = (
        (t["status"] == "operating")
        & (t["age_years"] > c.min_operating_years)
        & (t["occupancy"] < c.min_occupancy)
    )
    flags = []
    for i in hits(hit):
        occ, age = tab.value("occupancy", i), tab.value("age_years", i)
        vi = (
            f"Hoạt động {num(age, 1, vi=True)} năm nhưng tỷ lệ lấp đầy chỉ "
            f"{pct(occ, vi=True)}, dưới ngưỡng {pct(c.min_occupancy, vi=True)}."
        )
        en = (
            f"Operating for {num(age, 1)} years with an occupancy of {pct(occ)}, "
            f"below {pct(c.min_occupancy)}."
        )
        details = {"age_years": age, **tab.pick(i, "occupancy", "leased_land_ha")}
        details["industrial_land_ha"] = tab.value("industrial_land_ha", i)
        flags.append(
            make_flag(
                "LOW_OCCUPANCY",
                "critical" if occ < c.critical_occupancy else "warning",
                tab,
                i,
                (occ, c.min_occupancy, "fraction"),
                (vi, en),
                details,
            )
        )
    return flags


def _dense_cluster(tab: ZoneTable, clusters: list[Cluster], thr: Thresholds) -> list[Flag]:
    c, flags = thr.dense_cluster, list[Flag]()
    for cluster in clusters:
        occ = cluster.mean_occupancy
        if occ is None or not occ < c.max_mean_occupancy:
            continue
        n, dist, cid = len(cluster.members), c.distance_m, cluster.cluster_id
        details = {
            "cluster_id": cid,
            "members": n,
            "total_area_ha": cluster.total_area_ha,
            "mean_occupancy": occ,
            "distance_m": dist,
        }
        vi = (
            f"Thuộc cụm {n} khu nằm cách nhau không quá {num(dist, 0, vi=True)} m "
            f"(cụm {cid}) có tỷ lệ lấp đầy bình quân {pct(occ, vi=True)}, "
            f"dưới ngưỡng {pct(c.max_mean_occupancy, vi=True)}."
        )
        en = (
            f"One of {n} zones within {num(dist, 0)} m of each other (cluster "
            f"{cid}) whose mean occupancy is {pct(occ)}, below {pct(c.max_mean_occupancy)}."
        )
        severity = "critical" if occ < c.critical_mean_occupancy else "warning"
        measured = (occ, c.max_mean_occupancy, "fraction")
        flags.extend(
            make_flag("DENSE_CLUSTER", severity, tab, tab.pos[code], measured, (vi, en), details)
            for code in cluster.members
        )
    return flags


def _overlap(zones: gpd.GeoDataFrame, tab: ZoneTable, thr: Thresholds) -> list[Flag]:
    c = thr.overlap
    pairs = find_overlaps(zones, min_ha=c.min_ha)
    if c.ignore_inside_kkt:
        lawful = (pairs["kind_a"] == "KKT") ^ (pairs["kind_b"] == "KKT")
        pairs = pairs[~lawful]
    flags = []
    for p in pairs.to_dict("records"):
        area = p["overlap_ha"]
        critical = area > c.critical_ha or max(p["share_a"], p["share_b"]) > c.critical_share
        for me, other, share in (("a", "b", p["share_a"]), ("b", "a", p["share_b"])):
            if p[f"code_{me}"] not in tab.pos:  # a neighbour outside the partition
                continue
            other_code = p[f"code_{other}"]
            vi = (
                f"Ranh giới quy hoạch chồng lấn với khu {other_code} {ha(area, vi=True)} "
                f"({pct(share, vi=True)} diện tích khu này)."
            )
            en = (
                f"The planning boundary overlaps zone {other_code} by {ha(area)} "
                f"({pct(share)} of this zone)."
            )
            flags.append(
                make_flag(
                    "OVERLAP",
                    "critical" if critical else "warning",
                    tab,
                    tab.pos[p[f"code_{me}"]],
                    (area, c.min_ha, "ha"),
                    (vi, en),
                    {"other_zone": other_code, "overlap_ha": area, "share": share},
                )
            )
    return flags


def _cross_province(
    zones: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, tab: ZoneTable, thr: Thresholds
) -> list[Flag]:
    c = thr.cross_province
    pieces = split_by_province(zones, provinces)
    if pieces.empty:
        return []
    main = pieces.loc[pieces.groupby("code", sort=True)["share"].idxmax()]
    outside_share = 1.0 - main["share"].to_numpy(dtype=float)
    outside_ha = (main["area_ha"] / main["share"]).to_numpy(dtype=float) * outside_share
    keep = (outside_share > c.max_outside_share) & (outside_ha > c.min_outside_ha)
    groups = dict(list(pieces.groupby("code", sort=True)))
    flags = []
    for j in np.flatnonzero(keep).tolist():
        code, prov = str(main["code"].iloc[j]), main["province_code"].iloc[j]
        group, share, area = groups[code], float(outside_share[j]), float(outside_ha[j])
        n = len(group)
        vi = (
            f"Ranh giới quy hoạch trải trên {n} tỉnh: {pct(share, vi=True)} "
            f"({ha(area, vi=True)}) nằm ngoài tỉnh {prov}, nơi chứa phần lớn diện tích."
        )
        en = (
            f"The planning boundary spans {n} provinces: {pct(share)} "
            f"({ha(area)}) lies outside province {prov}, which holds most of it."
        )
        details = {
            "main_province": prov,
            "outside_ha": area,
            "shares": dict(zip(group["province_code"], group["share"], strict=True)),
        }
        flags.append(
            make_flag(
                "CROSS_PROVINCE",
                "critical" if share > c.critical_outside_share else "warning",
                tab,
                tab.pos[code],
                (share, c.max_outside_share, "fraction"),
                (vi, en),
                details,
            )
        )
    return flags
