"""Checks of an upload's areas before it is committed: the declared area against the drawn one,
and the legal size band of industrial clusters (Decision 105/2009/QĐ-TTg, Decree 32/2024).

Each finding names the row of the file (1-based), the zone code and what to do, in Vietnamese
and English. Areas are in hectares, computed on the ellipsoid by the upload pipeline
(``area_ha``); declared areas come from the mapped ``planned_area_ha`` column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import geopandas as gpd

from geo.flags.common import ha
from geo.flags.thresholds import CcnSize

AREA_MISMATCH_SHARE: Final = 0.25
"""Warn when declared and drawn areas differ by more than this share of the larger one."""
AREA_MISMATCH_MIN_HA: Final = 1.0
"""… and by more than this many hectares (tiny zones round their declared areas)."""


@dataclass(frozen=True)
class AreaFinding:
    """One warning about one feature: ``row`` is 1-based, in the file's order."""

    code: str
    row: int
    zone_code: str | None
    message_vi: str
    message_en: str


def check_areas(
    features: gpd.GeoDataFrame, *, ccn_size: CcnSize, rows: list[int] | None = None
) -> list[AreaFinding]:
    """Declared-vs-drawn area and CCN size findings for the features of an upload.

    Parameters
    ----------
    features : GeoDataFrame
        The upload's features with ``area_ha`` (drawn) and optionally ``planned_area_ha``
        (declared), ``kind`` and ``code``.
    ccn_size : CcnSize
        The legal size band of industrial clusters (thresholds).
    rows : list of int, optional
        The file row (1-based) of each feature; by default its position plus one.

    Examples
    --------
    >>> from shapely import box
    >>> from geo.flags.thresholds import load_thresholds
    >>> f = gpd.GeoDataFrame({"code": ["C1"], "kind": ["CCN"], "planned_area_ha": [45.5],
    ...                       "area_ha": [184.0]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    >>> [x.code for x in check_areas(f, ccn_size=load_thresholds().ccn_size)]
    ['area_mismatch', 'ccn_size']
    """
    rows = rows if rows is not None else list(range(1, len(features) + 1))
    findings: list[AreaFinding] = []
    for position, record in enumerate(features.drop(columns="geometry").to_dict("records")):
        row, code = rows[position], _text(record.get("code"))
        drawn, declared = _number(record.get("area_ha")), _number(record.get("planned_area_ha"))
        if drawn is not None and declared is not None and _differs(declared, drawn):
            findings.append(_mismatch(row, code, declared, drawn))
        if record.get("kind") != "CCN":
            continue
        for source, area in (("declared", declared), ("drawn", drawn)):
            finding = _ccn_size(row, code, area, source, ccn_size) if area is not None else None
            if finding is not None:
                findings.append(finding)
    return findings


def _differs(declared: float, drawn: float) -> bool:
    gap = abs(declared - drawn)
    return gap > AREA_MISMATCH_MIN_HA and gap > AREA_MISMATCH_SHARE * max(declared, drawn)


def _where(row: int, code: str | None, *, vi: bool) -> str:
    if vi:
        return f"Dòng {row}" + (f" (khu {code})" if code else "")
    return f"Row {row}" + (f" (zone {code})" if code else "")


def _mismatch(row: int, code: str | None, declared: float, drawn: float) -> AreaFinding:
    return AreaFinding(
        "area_mismatch",
        row,
        code,
        f"{_where(row, code, vi=True)}: diện tích khai báo {ha(declared, vi=True)} khác diện "
        f"tích vẽ {ha(drawn, vi=True)}. Kiểm tra cột diện tích hoặc hình vẽ (và hệ tọa độ) "
        "trước khi ghi.",
        f"{_where(row, code, vi=False)}: the declared area {ha(declared)} differs from the drawn "
        f"area {ha(drawn)}. Check the area column or the drawing (and its CRS) before "
        "committing.",
    )


_SOURCE = {"declared": ("theo khai báo", "as declared"), "drawn": ("theo hình vẽ", "as drawn")}


def _ccn_size(
    row: int, code: str | None, area: float, source: str, c: CcnSize
) -> AreaFinding | None:
    if c.min_ha_mountain_or_craft <= area < c.min_ha:
        vi = (
            f"dưới mức tối thiểu {ha(c.min_ha, vi=True)}; chỉ được phép ở miền núi hoặc làng "
            f"nghề (tối thiểu {ha(c.min_ha_mountain_or_craft, vi=True)})"
        )
        en = (
            f"below the {ha(c.min_ha)} minimum; allowed only in mountainous areas or for "
            f"craft villages (minimum {ha(c.min_ha_mountain_or_craft)})"
        )
    elif area < c.min_ha_mountain_or_craft:
        vi = f"dưới mức tối thiểu {ha(c.min_ha_mountain_or_craft, vi=True)} của mọi cụm"
        en = f"below the {ha(c.min_ha_mountain_or_craft)} minimum of any cluster"
    elif area > c.max_ha:
        vi, en = f"vượt mức tối đa {ha(c.max_ha, vi=True)}", f"above the {ha(c.max_ha)} maximum"
    else:
        return None
    return AreaFinding(
        "ccn_size",
        row,
        code,
        f"{_where(row, code, vi=True)}: cụm công nghiệp rộng {ha(area, vi=True)} "
        f"{_SOURCE[source][0]}, {vi} (Quyết định 105/2009/QĐ-TTg, Nghị định 32/2024/NĐ-CP). "
        "Kiểm tra diện tích hoặc loại khu.",
        f"{_where(row, code, vi=False)}: the industrial cluster covers {ha(area)} "
        f"{_SOURCE[source][1]}, {en} (Decision 105/2009/QĐ-TTg, Decree 32/2024/NĐ-CP). Check "
        "its area or its kind.",
    )


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: object) -> str | None:
    if value is None or isinstance(value, float) and math.isnan(value):
        return None
    return str(value).strip() or None
