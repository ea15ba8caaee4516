"""Flag rules of DESIGN.md: which zones need a planner's attention, and why.

Each rule turns the footprint metrics, the zone attributes, the clusters and the province
outlines into :class:`geo.types.Flag` objects carrying the measured value, the threshold it
crossed (the same units as ``geo/thresholds.yaml``: ha, m, fractions 0–1, decimal years) and
one sentence in Vietnamese and English. Conditions are vectorised; Python loops run over the
flagged rows only.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.density import split_by_province, zone_occupancy
from geo.footprint import STATUS_NO_PLANNED, STATUS_OK, find_overlaps
from geo.thresholds import Thresholds
from geo.types import Cluster, Flag

_DAYS_PER_YEAR = 365.2425
_DATE_COLUMNS = ("established_on", "expanded_on")


def evaluate_flags(
    zones: gpd.GeoDataFrame,
    metrics: pd.DataFrame,
    clusters: list[Cluster],
    provinces: gpd.GeoDataFrame,
    *,
    thresholds: Thresholds,
    today: dt.date,
) -> list[Flag]:
    """Apply every flag rule and return the flags sorted by zone code, then flag code.

    Parameters
    ----------
    zones : GeoDataFrame
        The zones (EPSG:4326) with the attributes of the data contract.
    metrics : DataFrame
        :func:`geo.footprint.compare_footprints` of the same zones.
    clusters : list of Cluster
        :func:`geo.density.find_dense_clusters` of the same zones.
    provinces : GeoDataFrame
        Province outlines (EPSG:4326) of the admin version used for ``CROSS_PROVINCE``.
    thresholds : Thresholds
    today : datetime.date
        The reference date for ages (years since establishment).

    Returns
    -------
    list of Flag
    """
    table = _zone_table(zones, metrics, today)
    flags = [
        *_footprint_mismatch(table, thresholds),
        *_encroachment(table, thresholds),
        *_outside_planning(table, thresholds),
        *_slow_deployment(table, thresholds),
        *_low_occupancy(table, thresholds),
        *_dense_cluster(table, clusters, thresholds),
        *_ccn_size(table, thresholds),
        *_ccn_new(table, thresholds),
        *_ccn_expansion(table, thresholds),
        *_moratorium(table, thresholds),
        *_overlap(zones, table, thresholds),
        *_cross_province(zones, provinces, table, thresholds),
    ]
    return sorted(flags, key=_flag_order)


def _flag_order(flag: Flag) -> tuple:
    # the only codes a zone can carry twice: OVERLAP (per other zone) and the Decree 32 rule
    tie = (str(flag.details.get("other_zone", "")), str(flag.details.get("rule", "")))
    return (flag.zone_code or "", flag.code, *tie)


@dataclass(frozen=True)
class _Table:
    """Zone attributes joined with footprint metrics, sorted by code: a frame for vectorised
    conditions, plain dict rows for the few flagged zones, and each code's row position."""

    frame: pd.DataFrame
    rows: list[dict[str, Any]]
    pos: dict[str, int]


def _zone_table(zones: pd.DataFrame, metrics: pd.DataFrame, today: dt.date) -> _Table:
    attrs = pd.DataFrame({"code": zones["code"].astype(str).to_numpy()})
    for name in ("kind", "province_code", "status"):
        attrs[name] = zones[name].to_numpy(dtype=object) if name in zones else None
    for name in ("planned_area_ha", "industrial_land_ha", "leased_land_ha"):
        values = zones[name] if name in zones else pd.Series(np.nan, index=zones.index)
        attrs[name] = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    for name in ("is_mountainous", "is_craft_village"):
        attrs[name] = zones[name].fillna(False).astype(bool).to_numpy() if name in zones else False
    for name in _DATE_COLUMNS:
        attrs[name] = [_as_date(v) for v in zones[name]] if name in zones else None
    attrs["age_years"] = [_years_between(d, today) for d in attrs["established_on"]]
    attrs["occupancy"] = zone_occupancy(zones)
    measured = pd.DataFrame(metrics).rename(columns={"status": "footprint_status"})
    extra = [c for c in measured.columns if c in attrs.columns and c != "code"]
    measured = measured.drop(columns=["encroachment_geom", *extra], errors="ignore")
    table = attrs.merge(measured, on="code").sort_values("code", kind="stable")
    table = table.reset_index(drop=True)
    rows = table.to_dict("records")
    for name in _DATE_COLUMNS:  # datetime64 copies for vectorised comparisons
        table[f"{name}_ts"] = pd.to_datetime(table[name], errors="coerce")
    return _Table(table, rows, {code: i for i, code in enumerate(table["code"])})


def _footprint_mismatch(tab: _Table, thr: Thresholds) -> list[Flag]:
    c, t = thr.footprint_mismatch, tab.frame
    ok = (t["footprint_status"] == STATUS_OK).to_numpy()
    tests = {
        "iou": ok & (t["iou"] < c.iou_min).to_numpy(),
        "share": ok & (t["encroachment_share"] > c.encroachment_share_max).to_numpy(),
        "ha": ok & (t["encroachment_ha"] > c.encroachment_ha_max).to_numpy(),
    }
    flags = []
    for i in np.flatnonzero(tests["iou"] | tests["share"] | tests["ha"]):
        r = tab.rows[i]
        reasons = [name for name, hit in tests.items() if hit[i]]
        measured, vi, en = _mismatch_reason(r, c, reasons[0])
        flags.append(
            _flag(
                "FOOTPRINT_MISMATCH",
                "critical" if r["iou"] < c.critical_iou_below else "warning",
                r,
                measured,
                f"Ranh giới quy hoạch và hiện trạng không khớp: {vi}.",
                f"Planned and actual footprints differ: {en}.",
                {"reasons": reasons, **_pick(r, "iou", "encroachment_ha", "encroachment_share")},
            )
        )
    return flags


def _mismatch_reason(r: dict, c: Any, reason: str) -> tuple[tuple, str, str]:
    if reason == "iou":
        value, limit = r["iou"], c.iou_min
        return (
            (value, limit, "fraction"),
            f"chỉ số IoU là {_num(value, 2, vi=True)}, thấp hơn ngưỡng {_num(limit, 2, vi=True)}",
            f"the IoU is {_num(value, 2)}, below {_num(limit, 2)}",
        )
    outside_vi = "phần xây dựng ngoài ranh giới"
    if reason == "share":
        value, limit = r["encroachment_share"], c.encroachment_share_max
        return (
            (value, limit, "fraction"),
            f"{outside_vi} bằng {_pct(value, vi=True)} diện tích quy hoạch, "
            f"vượt ngưỡng {_pct(limit, vi=True)}",
            f"{_pct(value)} of the planned area is built outside the boundary, above {_pct(limit)}",
        )
    value, limit = r["encroachment_ha"], c.encroachment_ha_max
    return (
        (value, limit, "ha"),
        f"{outside_vi} là {_ha(value, vi=True)}, vượt ngưỡng {_ha(limit, vi=True)}",
        f"{_ha(value)} is built outside the boundary, above {_ha(limit)}",
    )


def _encroachment(tab: _Table, thr: Thresholds) -> list[Flag]:
    c, t = thr.encroachment, tab.frame
    hit = (t["footprint_status"] == STATUS_OK) & (t["encroachment_ha"] > c.min_ha)
    flags = []
    for r in _rows(tab, hit):
        ha, share = r["encroachment_ha"], r["encroachment_share"]
        severity = "info"
        if ha > c.warning_ha or share > c.warning_share:
            severity = "warning"
        if ha > c.critical_ha or share > c.critical_share:
            severity = "critical"
        flags.append(
            _flag(
                "ENCROACHMENT",
                severity,
                r,
                (ha, c.min_ha, "ha"),
                f"{_ha(ha, vi=True)} ({_pct(share, vi=True)} diện tích quy hoạch) của hiện trạng "
                "nằm ngoài ranh giới được phê duyệt.",
                f"{_ha(ha)} ({_pct(share)} of the planned area) of the actual footprint lies "
                "outside the approved boundary.",
                _pick(r, "encroachment_ha", "encroachment_share", "planned_ha"),
            )
        )
    return flags


def _outside_planning(tab: _Table, thr: Thresholds) -> list[Flag]:
    tol, t = thr.outside_planning.inside_tolerance_ha, tab.frame
    flags = []
    for r in _rows(tab, t["footprint_status"] == STATUS_NO_PLANNED):
        actual = _ha(r["actual_ha"])
        flags.append(
            _flag(
                "OUTSIDE_PLANNING",
                "warning",
                r,
                (r["actual_ha"], 0.0, "ha"),
                f"Khu có hiện trạng {_ha(r['actual_ha'], vi=True)} nhưng không có ranh giới "
                "quy hoạch được phê duyệt.",
                f"The zone has an actual footprint of {actual} but no approved planning boundary.",
                {"reason": "no_planned_boundary", **_pick(r, "actual_ha")},
            )
        )
    outside = (t["footprint_status"] == STATUS_OK) & (t["intersection_ha"] <= tol)
    for r in _rows(tab, outside):
        flags.append(
            _flag(
                "OUTSIDE_PLANNING",
                "critical",
                r,
                (r["intersection_ha"], tol, "ha"),
                f"Hiện trạng ({_ha(r['actual_ha'], vi=True)}) nằm hoàn toàn ngoài ranh giới "
                f"được phê duyệt: chỉ {_ha(r['intersection_ha'], 2, vi=True)} trùng với ranh giới.",
                f"The actual footprint ({_ha(r['actual_ha'])}) lies entirely outside the approved "
                f"boundary: only {_ha(r['intersection_ha'], 2)} overlaps it.",
                {"reason": "entirely_outside", **_pick(r, "actual_ha", "intersection_ha")},
            )
        )
    return flags


def _slow_deployment(tab: _Table, thr: Thresholds) -> list[Flag]:
    c, t = thr.slow_deployment, tab.frame
    built = t["intersection_ha"] / t["planned_ha"]
    hit = (
        (t["footprint_status"] == STATUS_OK)
        & (t["status"] != "cancelled")
        & (t["age_years"] > c.min_age_years)
        & (built < c.min_built_share)
    )
    flags = []
    for r in _rows(tab, hit):
        share, age = r["intersection_ha"] / r["planned_ha"], r["age_years"]
        flags.append(
            _flag(
                "SLOW_DEPLOYMENT",
                "critical" if share < c.critical_built_share else "warning",
                r,
                (share, c.min_built_share, "fraction"),
                f"Thành lập {_num(age, 1, vi=True)} năm trước nhưng mới xây dựng "
                f"{_pct(share, vi=True)} diện tích quy hoạch, dưới ngưỡng "
                f"{_pct(c.min_built_share, vi=True)}.",
                f"Established {_num(age, 1)} years ago, yet only {_pct(share)} of the planned area "
                f"is built, below {_pct(c.min_built_share)}.",
                {
                    "built_share": share,
                    "age_years": age,
                    **_pick(r, "planned_ha", "intersection_ha"),
                },
            )
        )
    return flags


def _low_occupancy(tab: _Table, thr: Thresholds) -> list[Flag]:
    c, t = thr.low_occupancy, tab.frame
    hit = (
        (t["status"] == "operating")
        & (t["age_years"] > c.min_operating_years)
        & (t["occupancy"] < c.min_occupancy)
    )
    flags = []
    for r in _rows(tab, hit):
        occ, age = r["occupancy"], r["age_years"]
        flags.append(
            _flag(
                "LOW_OCCUPANCY",
                "critical" if occ < c.critical_occupancy else "warning",
                r,
                (occ, c.min_occupancy, "fraction"),
                f"Hoạt động {_num(age, 1, vi=True)} năm nhưng tỷ lệ lấp đầy chỉ "
                f"{_pct(occ, vi=True)}, dưới ngưỡng {_pct(c.min_occupancy, vi=True)}.",
                f"Operating for {_num(age, 1)} years with an occupancy of {_pct(occ)}, "
                f"below {_pct(c.min_occupancy)}.",
                {"age_years": age, **_pick(r, "occupancy", "leased_land_ha", "industrial_land_ha")},
            )
        )
    return flags


def _dense_cluster(tab: _Table, clusters: list[Cluster], thr: Thresholds) -> list[Flag]:
    c = thr.dense_cluster
    flags = []
    for cluster in clusters:
        occ = cluster.mean_occupancy
        if occ is None or not occ < c.max_mean_occupancy:
            continue
        n, dist = len(cluster.members), c.distance_m
        details = {
            "cluster_id": cluster.cluster_id,
            "members": len(cluster.members),
            "total_area_ha": cluster.total_area_ha,
            "mean_occupancy": occ,
            "distance_m": dist,
        }
        for code in cluster.members:
            flags.append(
                _flag(
                    "DENSE_CLUSTER",
                    "critical" if occ < c.critical_mean_occupancy else "warning",
                    tab.rows[tab.pos[code]],
                    (occ, c.max_mean_occupancy, "fraction"),
                    f"Thuộc cụm {n} khu nằm cách nhau không quá {_num(dist, 0, vi=True)} m "
                    f"(cụm {cluster.cluster_id}) có tỷ lệ lấp đầy bình quân {_pct(occ, vi=True)}, "
                    f"dưới ngưỡng {_pct(c.max_mean_occupancy, vi=True)}.",
                    f"One of {n} zones within {_num(dist, 0)} m of each other (cluster "
                    f"{cluster.cluster_id}) whose mean occupancy is {_pct(occ)}, below "
                    f"{_pct(c.max_mean_occupancy)}.",
                    details,
                )
            )
    return flags


def _ccn_size(tab: _Table, thr: Thresholds) -> list[Flag]:
    c, t = thr.ccn_size, tab.frame
    declared = t["planned_area_ha"].to_numpy()
    area = np.where(np.isfinite(declared), declared, t["planned_ha"].to_numpy())
    lowest = np.where(
        t["is_mountainous"] | t["is_craft_village"], c.min_ha_mountain_or_craft, c.min_ha
    )
    est = t["established_on_ts"]
    cap_2009 = ((est >= _ts(c.regime_2009_from)) & (est < _ts(c.regime_2009_until))).to_numpy() & t[
        "expanded_on_ts"
    ].isna().to_numpy()
    outside = (area < lowest) | (area > c.max_ha) | (cap_2009 & (area > c.regime_2009_max_ha))
    flags = []
    for i in np.flatnonzero((t["kind"] == "CCN").to_numpy() & outside):
        r, low = tab.rows[i], float(lowest[i])
        if area[i] < low:
            severity, limit = "warning", low
            en, vi = f"below the {_ha(low)} minimum", f"dưới mức tối thiểu {_ha(low, vi=True)}"
        elif area[i] > c.max_ha:
            severity, limit = "critical", c.max_ha
            en, vi = (
                f"above the {_ha(c.max_ha)} maximum",
                f"vượt mức tối đa {_ha(c.max_ha, vi=True)}",
            )
        else:
            severity, limit = "warning", c.regime_2009_max_ha
            en = f"above the {_ha(limit)} cap of Decision 105/2009/QĐ-TTg"
            vi = f"vượt mức trần {_ha(limit, vi=True)} theo Quyết định 105/2009/QĐ-TTg"
        details = {
            "area_ha": area[i],
            "area_source": "declared" if np.isfinite(declared[i]) else "boundary",
            "min_ha": low,
            "max_ha": c.regime_2009_max_ha if cap_2009[i] else c.max_ha,
        }
        flags.append(
            _flag(
                "CCN_SIZE_RULE",
                severity,
                r,
                (area[i], limit, "ha"),
                f"Cụm công nghiệp có diện tích {_ha(area[i], vi=True)}, {vi}.",
                f"The industrial cluster covers {_ha(area[i])}, {en}.",
                details,
            )
        )
    return flags


def _ccn_new(tab: _Table, thr: Thresholds) -> list[Flag]:
    c, t = thr.ccn_decree_32, tab.frame
    live = (t["kind"] == "CCN") & (t["status"] != "cancelled")
    peers_by_province = dict(list(t[live].groupby("province_code")))
    new = live & (t["established_on_ts"] >= _ts(c.effective_from))
    flags = []
    for r in _rows(tab, new):
        peers = peers_by_province.get(r["province_code"])
        if peers is None:
            continue
        est = _ts(r["established_on"])
        earlier = peers["established_on_ts"].isna() | (peers["established_on_ts"] < est)
        known = peers[earlier & (peers["code"] != r["code"]) & np.isfinite(peers["occupancy"])]
        if known.empty:
            continue  # nothing to compare with: the rule cannot be decided
        mean_occ = float(known["occupancy"].mean())
        unleased = float((known["industrial_land_ha"] - known["leased_land_ha"]).clip(0).sum())
        if mean_occ > c.new_min_mean_occupancy or unleased <= c.new_max_unleased_ha:
            continue
        flags.append(_ccn_new_flag(r, c, len(known), mean_occ, unleased))
    return flags


def _ccn_new_flag(r: dict, c: Any, existing: int, mean_occ: float, unleased: float) -> Flag:
    est, prov = r["established_on"], r["province_code"]
    return _flag(
        "CCN_NEW_OR_EXPANSION_RULE",
        "warning",
        r,
        (mean_occ, c.new_min_mean_occupancy, "fraction"),
        f"Cụm công nghiệp mới thành lập ngày {_vi_date(est)} trong khi các cụm hiện có "
        f"của tỉnh {prov} có tỷ lệ lấp đầy bình quân {_pct(mean_occ, vi=True)} (không quá "
        f"{_pct(c.new_min_mean_occupancy, vi=True)}) và còn {_ha(unleased, vi=True)} chưa "
        f"cho thuê (quá {_ha(c.new_max_unleased_ha, vi=True)}).",
        f"New industrial cluster established on {est.isoformat()} although the existing "
        f"clusters of province {prov} average {_pct(mean_occ)} occupancy (not above "
        f"{_pct(c.new_min_mean_occupancy)}) and have {_ha(unleased)} unleased (more than "
        f"{_ha(c.new_max_unleased_ha)}).",
        {
            "rule": "new",
            "established_on": est,
            "existing_clusters": existing,
            "mean_occupancy": mean_occ,
            "unleased_ha": unleased,
        },
    )


def _ccn_expansion(tab: _Table, thr: Thresholds) -> list[Flag]:
    c, t = thr.ccn_decree_32, tab.frame
    expanded = (t["kind"] == "CCN") & (t["expanded_on_ts"] >= _ts(c.effective_from))
    flags = []
    for r in _rows(tab, expanded):
        day, occ = r["expanded_on"], r["occupancy"]
        area = r["planned_area_ha"] if np.isfinite(r["planned_area_ha"]) else r["planned_ha"]
        if np.isfinite(occ) and occ < c.expansion_min_occupancy:
            measured = (occ, c.expansion_min_occupancy, "fraction")
            limit = _pct(c.expansion_min_occupancy)
            en = f"at {_pct(occ)} occupancy, below the {limit} required"
            vi = (
                f"khi tỷ lệ lấp đầy mới đạt {_pct(occ, vi=True)}, dưới mức "
                f"{_pct(c.expansion_min_occupancy, vi=True)} theo yêu cầu"
            )
        elif np.isfinite(area) and area > c.expansion_max_total_ha:
            measured = (area, c.expansion_max_total_ha, "ha")
            en = f"to {_ha(area)}, above the {_ha(c.expansion_max_total_ha)} allowed"
            cap_vi = _ha(c.expansion_max_total_ha, vi=True)
            vi = f"lên {_ha(area, vi=True)}, vượt mức {cap_vi} cho phép"
        else:
            continue
        flags.append(
            _flag(
                "CCN_NEW_OR_EXPANSION_RULE",
                "warning",
                r,
                measured,
                f"Cụm công nghiệp mở rộng ngày {_vi_date(day)} {vi}.",
                f"Industrial cluster expanded on {day.isoformat()} {en}.",
                {"rule": "expansion", "expanded_on": day, "occupancy": occ, "area_ha": area},
            )
        )
    return flags


def _moratorium(tab: _Table, thr: Thresholds) -> list[Flag]:
    c, t = thr.moratorium, tab.frame
    start, end = _ts(c.start), _ts(c.end)
    frozen = {
        name: (t[f"{name}_on_ts"] >= start) & (t[f"{name}_on_ts"] < end)
        for name in ("established", "expanded")
    }
    hit = (t["kind"] == "CCN") & (frozen["established"] | frozen["expanded"])
    span_en = f"{c.start.isoformat()} to {c.end.isoformat()}"
    span_vi = f"{_vi_date(c.start)} – {_vi_date(c.end)}"
    flags = []
    for i in np.flatnonzero(hit.to_numpy()):
        r = tab.rows[i]
        events = {name: r[f"{name}_on"] for name in frozen if frozen[name].iloc[i]}
        event, day = next(iter(events.items()))
        verb_vi = "được thành lập" if event == "established" else "được mở rộng"
        flags.append(
            _flag(
                "MORATORIUM",
                "warning",
                r,
                (_decimal_year(day), _decimal_year(c.start), "year"),
                f"Cụm công nghiệp {verb_vi} ngày {_vi_date(day)}, trong thời gian tạm dừng theo "
                f"Chỉ thị 07/CT-TTg ({span_vi}).",
                f"Industrial cluster {event} on {day.isoformat()}, during the Directive 07/CT-TTg "
                f"freeze ({span_en}).",
                {"events": events, "start": c.start, "end": c.end},
            )
        )
    return flags


def _overlap(zones: gpd.GeoDataFrame, tab: _Table, thr: Thresholds) -> list[Flag]:
    c = thr.overlap
    pairs = find_overlaps(zones, min_ha=c.min_ha)
    if c.ignore_inside_kkt:
        lawful = (pairs["kind_a"] == "KKT") ^ (pairs["kind_b"] == "KKT")
        pairs = pairs[~lawful]
    flags = []
    for p in pairs.to_dict("records"):
        ha = p["overlap_ha"]
        critical = ha > c.critical_ha or max(p["share_a"], p["share_b"]) > c.critical_share
        for me, other, share in (("a", "b", p["share_a"]), ("b", "a", p["share_b"])):
            other_code = p[f"code_{other}"]
            flags.append(
                _flag(
                    "OVERLAP",
                    "critical" if critical else "warning",
                    tab.rows[tab.pos[p[f"code_{me}"]]],
                    (ha, c.min_ha, "ha"),
                    f"Ranh giới quy hoạch chồng lấn với khu {other_code} {_ha(ha, vi=True)} "
                    f"({_pct(share, vi=True)} diện tích khu này).",
                    f"The planning boundary overlaps zone {other_code} by {_ha(ha)} "
                    f"({_pct(share)} of this zone).",
                    {"other_zone": other_code, "overlap_ha": ha, "share": share},
                )
            )
    return flags


def _cross_province(
    zones: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, tab: _Table, thr: Thresholds
) -> list[Flag]:
    c = thr.cross_province
    pieces = split_by_province(zones, provinces)
    flags = []
    for code, group in pieces.groupby("code", sort=True):
        main = group.loc[group["share"].idxmax()]
        outside_share = 1.0 - float(main["share"])
        outside_ha = float(main["area_ha"] / main["share"]) * outside_share
        if not (outside_share > c.max_outside_share and outside_ha > c.min_outside_ha):
            continue
        n, prov = len(group), main["province_code"]
        flags.append(
            _flag(
                "CROSS_PROVINCE",
                "critical" if outside_share > c.critical_outside_share else "warning",
                tab.rows[tab.pos[code]],
                (outside_share, c.max_outside_share, "fraction"),
                f"Ranh giới quy hoạch trải trên {n} tỉnh: {_pct(outside_share, vi=True)} "
                f"({_ha(outside_ha, vi=True)}) nằm ngoài tỉnh {prov}, nơi chứa phần lớn diện tích.",
                f"The planning boundary spans {n} provinces: {_pct(outside_share)} "
                f"({_ha(outside_ha)}) lies outside province {prov}, which holds most of it.",
                {
                    "main_province": prov,
                    "outside_ha": outside_ha,
                    "shares": dict(zip(group["province_code"], group["share"], strict=True)),
                },
            )
        )
    return flags


def _flag(
    code: str,
    severity: str,
    row: dict[str, Any],
    measured: tuple[float, float, str],
    message_vi: str,
    message_en: str,
    details: dict[str, Any],
) -> Flag:
    value, threshold, unit = measured
    province = row.get("province_code")
    return Flag(
        code=code,
        severity=severity,  # type: ignore[arg-type]
        zone_code=str(row["code"]),
        province_code=None if _missing(province) else str(province),
        value=float(value),
        threshold=float(threshold),
        unit=unit,
        message_vi=message_vi,
        message_en=message_en,
        details=json_safe(details),
    )


def json_safe(value: Any) -> Any:
    """Recursively replace NaN/inf by None, numpy scalars by Python ones, dates by ISO text."""
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if value is None or kind in (str, int, bool):
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def _rows(tab: _Table, mask: pd.Series | np.ndarray) -> list[dict[str, Any]]:
    return [tab.rows[i] for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


def _pick(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: row.get(name) for name in names}


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _as_date(value: Any) -> dt.date | None:
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _years_between(start: dt.date | None, end: dt.date) -> float:
    return math.nan if start is None else (end - start).days / _DAYS_PER_YEAR


def _decimal_year(day: dt.date) -> float:
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def _num(value: float, digits: int, *, vi: bool = False) -> str:
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if vi else text


def _pct(value: float, *, vi: bool = False) -> str:
    return f"{_num(100.0 * value, 1, vi=vi)} %"


def _ha(value: float, digits: int = 1, *, vi: bool = False) -> str:
    return f"{_num(value, digits, vi=vi)} ha"


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _vi_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
