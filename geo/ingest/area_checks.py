"""Checks of an upload's areas before it is committed: the declared area against the drawn one,
and the legal size band of industrial clusters (Decision 105/2009/QĐ-TTg, Decree 32/2024).

Each finding names the row of the file (1-based), the zone code and what to do, in Vietnamese
and English. Areas are in hectares, computed on the ellipsoid by the upload pipeline
(``area_ha``); declared areas come from the mapped ``planned_area_ha`` column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
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
    return [make() for _code, make in _found(features, ccn_size, rows)]


def summarise_areas(
    features: gpd.GeoDataFrame, *, ccn_size: CcnSize, listed: int
) -> tuple[list[AreaFinding], dict[str, int]]:
    """The first ``listed`` findings of `check_areas` and how many there are of each code.

    Only the listed findings have their messages written: a file of 100,000 zones with wrong
    declared areas has ~185,000 findings.
    """
    shown: list[AreaFinding] = []
    by_code: dict[str, int] = {}
    for code, make in _found(features, ccn_size, None):
        by_code[code] = by_code.get(code, 0) + 1
        if len(shown) < listed:
            shown.append(make())
    return shown, by_code


def _found(
    features: gpd.GeoDataFrame, ccn_size: CcnSize, rows: list[int] | None
) -> Iterator[tuple[str, Callable[[], AreaFinding]]]:
    """(code, maker of the finding) of every finding, in row order, messages not yet written."""
    n = len(features)
    rows = rows if rows is not None else list(range(1, n + 1))
    columns = [_column(features, c, n) for c in ("code", "area_ha", "planned_area_ha", "kind")]
    for position, (code_value, drawn_value, declared_value, kind) in enumerate(
        zip(*columns, strict=True)
    ):
        row, code = rows[position], _text(code_value)
        drawn, declared = _number(drawn_value), _number(declared_value)
        if drawn is not None and declared is not None and _differs(declared, drawn):
            yield "area_mismatch", partial(_mismatch, row, code, declared, drawn)
        if kind != "CCN":
            continue
        for source, area in (("declared", declared), ("drawn", drawn)):
            if area is not None and _outside_band(area, ccn_size):
                yield "ccn_size", partial(_ccn_size, row, code, area, source, ccn_size)


def _outside_band(area: float, c: CcnSize) -> bool:
    return area < max(c.min_ha, c.min_ha_mountain_or_craft) or area > c.max_ha


def _column(features: gpd.GeoDataFrame, name: str, n: int) -> Sequence[object]:
    return features[name].to_numpy(dtype=object) if name in features.columns else [None] * n


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


def _ccn_size(row: int, code: str | None, area: float, source: str, c: CcnSize) -> AreaFinding:
    """The finding of a cluster whose ``area`` is outside the legal band (`_outside_band`)."""
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
    else:
        vi, en = f"vượt mức tối đa {ha(c.max_ha, vi=True)}", f"above the {ha(c.max_ha)} maximum"
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
