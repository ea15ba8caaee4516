"""Flag rules for industrial clusters (CCN): size band, Decree 32/2024 and the moratorium.

``CCN_SIZE_RULE`` (10–75 ha, 5 ha in mountainous areas and for craft villages, 50 ha under
Decision 105/2009/QĐ-TTg), ``CCN_NEW_OR_EXPANSION_RULE`` (Decree 32/2024/NĐ-CP) and
``MORATORIUM`` (Directive 07/CT-TTg). Same conventions as :mod:`geo.flags.rules`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geo.flags.common import (
    ZoneTable,
    decimal_year,
    ha,
    hits,
    make_flag,
    pct,
    ts,
    vi_date,
)
from geo.flags.thresholds import Thresholds
from geo.types import Flag


def ccn_size(tab: ZoneTable, thr: Thresholds) -> list[Flag]:
    """``CCN_SIZE_RULE``: CCNs outside the legal size band (declared area, else boundary)."""
    c, t = thr.ccn_size, tab.frame
    declared = t["planned_area_ha"].to_numpy()
    area = np.where(np.isfinite(declared), declared, t["planned_ha"].to_numpy())
    lowest = np.where(
        t["is_mountainous"] | t["is_craft_village"], c.min_ha_mountain_or_craft, c.min_ha
    )
    est = t["established_on_ts"]
    in_2009 = (est >= ts(c.regime_2009_from)) & (est < ts(c.regime_2009_until))
    cap_2009 = in_2009.to_numpy() & t["expanded_on_ts"].isna().to_numpy()
    outside = (area < lowest) | (area > c.max_ha) | (cap_2009 & (area > c.regime_2009_max_ha))
    texts = _size_texts(c)
    flags = []
    for i in hits((t["kind"] == "CCN").to_numpy() & outside):
        value, low = float(area[i]), float(lowest[i])
        if value < low:
            severity, limit = "warning", low
            en, vi = f"below the {ha(low)} minimum", f"dưới mức tối thiểu {ha(low, vi=True)}"
        else:
            severity, limit, vi, en = texts["max" if value > c.max_ha else "2009"]
        details = {
            "area_ha": value,
            "area_source": "declared" if np.isfinite(declared[i]) else "boundary",
            "min_ha": low,
            "max_ha": c.regime_2009_max_ha if cap_2009[i] else c.max_ha,
        }
        messages = (
            f"Cụm công nghiệp có diện tích {ha(value, vi=True)}, {vi}.",
            f"The industrial cluster covers {ha(value)}, {en}.",
        )
        flags.append(
            make_flag("CCN_SIZE_RULE", severity, tab, i, (value, limit, "ha"), messages, details)
        )
    return flags


def _size_texts(c: Any) -> dict[str, tuple[str, float, str, str]]:
    cap = c.regime_2009_max_ha
    return {
        "max": (
            "critical",
            c.max_ha,
            f"vượt mức tối đa {ha(c.max_ha, vi=True)}",
            f"above the {ha(c.max_ha)} maximum",
        ),
        "2009": (
            "warning",
            cap,
            f"vượt mức trần {ha(cap, vi=True)} theo Quyết định 105/2009/QĐ-TTg",
            f"above the {ha(cap)} cap of Decision 105/2009/QĐ-TTg",
        ),
    }


def ccn_new(tab: ZoneTable, thr: Thresholds, peers: pd.DataFrame | None = None) -> list[Flag]:
    """Decree 32 rule for new CCNs, against the earlier CCNs of the same province.

    The existing CCNs of a new one are the live CCNs of its province established
    before it (or on an unknown date) with a known occupancy; running sums over the CCNs
    sorted by date give every new CCN's mean occupancy and unleased area at once.
    ``peers`` (a zone table frame) adds zones that are not flagged here but count as existing
    CCNs (the rest of the province when only part of it is analysed).
    """
    c, t = thr.ccn_decree_32, tab.frame
    new = _live_ccn(t) & (t["established_on_ts"] >= ts(c.effective_from)).to_numpy()
    if not new.any():
        return []
    pool = t
    if peers is not None and len(peers):
        extra = peers[~peers["code"].isin(set(t["code"]))]
        pool = pd.concat([t, extra], ignore_index=True).sort_values("code", kind="stable")
    known = _live_ccn(pool) & np.isfinite(pool["occupancy"].to_numpy(dtype=float))
    count, occ_sum, unleased = _earlier_peers(pool, known, t[new])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_occ = occ_sum / count
    fires = (
        (count > 0) & ~(mean_occ > c.new_min_mean_occupancy) & ~(unleased <= c.new_max_unleased_ha)
    )
    return [
        _ccn_new_flag(tab, int(i), c, int(count[k]), float(mean_occ[k]), float(unleased[k]))
        for k, i in enumerate(np.flatnonzero(new))
        if fires[k]
    ]


def _live_ccn(t: pd.DataFrame) -> np.ndarray:
    return ((t["kind"] == "CCN") & (t["status"] != "cancelled")).to_numpy()


def _earlier_peers(
    t: pd.DataFrame, known: np.ndarray, new: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per new CCN: count, occupancy sum and unleased ha of the known earlier peers."""
    peers = pd.DataFrame(
        {
            "province": t["province_code"].to_numpy(dtype=object)[known],
            "day": t["established_on_ts"].to_numpy()[known],
            "occ": t["occupancy"].to_numpy(dtype=float)[known],
            "unleased": np.clip(
                (t["industrial_land_ha"] - t["leased_land_ha"]).to_numpy(dtype=float)[known],
                0,
                None,
            ),
        }
    )
    # an unknown date counts as earlier than every date
    peers["day"] = peers["day"].fillna(pd.Timestamp.min)
    provinces = new["province_code"].to_numpy(dtype=object)
    days = new["established_on_ts"].to_numpy()
    count, occ, unleased = (np.zeros(len(days)) for _ in range(3))
    for province, group in peers.groupby("province", sort=False):
        group = group.sort_values("day", kind="stable")
        ask = np.flatnonzero(provinces == province)
        n = np.searchsorted(group["day"].to_numpy(), days[ask], side="left")
        count[ask] = n
        occ[ask] = np.r_[0.0, np.cumsum(group["occ"].to_numpy())][n]
        unleased[ask] = np.r_[0.0, np.cumsum(group["unleased"].to_numpy())][n]
    return count, occ, unleased


def _ccn_new_flag(
    tab: ZoneTable, i: int, c: Any, existing: int, mean_occ: float, unleased: float
) -> Flag:
    est, prov = tab.value("established_on", i), tab.value("province_code", i)
    return make_flag(
        "CCN_NEW_OR_EXPANSION_RULE",
        "warning",
        tab,
        i,
        (mean_occ, c.new_min_mean_occupancy, "fraction"),
        (
            f"Cụm công nghiệp mới thành lập ngày {vi_date(est)} trong khi các cụm hiện có "
            f"của tỉnh {prov} có tỷ lệ lấp đầy bình quân {pct(mean_occ, vi=True)} (không quá "
            f"{pct(c.new_min_mean_occupancy, vi=True)}) và còn {ha(unleased, vi=True)} chưa "
            f"cho thuê (quá {ha(c.new_max_unleased_ha, vi=True)}).",
            f"New industrial cluster established on {est.isoformat()} although the existing "
            f"clusters of province {prov} average {pct(mean_occ)} occupancy (not above "
            f"{pct(c.new_min_mean_occupancy)}) and have {ha(unleased)} unleased (more than "
            f"{ha(c.new_max_unleased_ha)}).",
        ),
        {
            "rule": "new",
            "established_on": est,
            "existing_clusters": existing,
            "mean_occupancy": mean_occ,
            "unleased_ha": unleased,
        },
    )


def ccn_expansion(tab: ZoneTable, thr: Thresholds) -> list[Flag]:
    """Decree 32 rule for expansions: occupancy ≥ 60 % and ≤ 75 ha in total."""
    c, t = thr.ccn_decree_32, tab.frame
    expanded = (t["kind"] == "CCN") & (t["expanded_on_ts"] >= ts(c.effective_from))
    flags = []
    for i in hits(expanded):
        day, occ = tab.value("expanded_on", i), tab.value("occupancy", i)
        area = tab.value("planned_area_ha", i)
        area = area if np.isfinite(area) else tab.value("planned_ha", i)
        if np.isfinite(occ) and occ < c.expansion_min_occupancy:
            measured = (occ, c.expansion_min_occupancy, "fraction")
            limit = pct(c.expansion_min_occupancy)
            en = f"at {pct(occ)} occupancy, below the {limit} required"
            vi = (
                f"khi tỷ lệ lấp đầy mới đạt {pct(occ, vi=True)}, dưới mức "
                f"{pct(c.expansion_min_occupancy, vi=True)} theo yêu cầu"
            )
        elif np.isfinite(area) and area > c.expansion_max_total_ha:
            measured = (area, c.expansion_max_total_ha, "ha")
            en = f"to {ha(area)}, above the {ha(c.expansion_max_total_ha)} allowed"
            cap_vi = ha(c.expansion_max_total_ha, vi=True)
            vi = f"lên {ha(area, vi=True)}, vượt mức {cap_vi} cho phép"
        else:
            continue
        messages = (
            f"Cụm công nghiệp mở rộng ngày {vi_date(day)} {vi}.",
            f"Industrial cluster expanded on {day.isoformat()} {en}.",
        )
        details = {"rule": "expansion", "expanded_on": day, "occupancy": occ, "area_ha": area}
        flags.append(
            make_flag("CCN_NEW_OR_EXPANSION_RULE", "warning", tab, i, measured, messages, details)
        )
    return flags


def moratorium(tab: ZoneTable, thr: Thresholds) -> list[Flag]:
    """``MORATORIUM``: CCNs established or expanded during the Directive 07 freeze."""
    c, t = thr.moratorium, tab.frame
    start, end = ts(c.start), ts(c.end)
    frozen = {
        name: ((t[f"{name}_on_ts"] >= start) & (t[f"{name}_on_ts"] < end)).to_numpy()
        for name in ("established", "expanded")
    }
    hit = (t["kind"] == "CCN").to_numpy() & (frozen["established"] | frozen["expanded"])
    span_en = f"{c.start.isoformat()} to {c.end.isoformat()}"
    span_vi = f"{vi_date(c.start)} – {vi_date(c.end)}"
    limit = decimal_year(c.start)
    flags = []
    for i in hits(hit):
        events = {name: tab.value(f"{name}_on", i) for name in frozen if frozen[name][i]}
        event, day = next(iter(events.items()))
        verb_vi = "được thành lập" if event == "established" else "được mở rộng"
        messages = (
            f"Cụm công nghiệp {verb_vi} ngày {vi_date(day)}, trong thời gian tạm dừng theo "
            f"Chỉ thị 07/CT-TTg ({span_vi}).",
            f"Industrial cluster {event} on {day.isoformat()}, during the Directive 07/CT-TTg "
            f"freeze ({span_en}).",
        )
        details = {"events": events, "start": c.start, "end": c.end}
        measured = (decimal_year(day), limit, "year")
        flags.append(make_flag("MORATORIUM", "warning", tab, i, measured, messages, details))
    return flags
