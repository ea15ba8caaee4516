"""Deterministic synthetic national zone data (KKT, KCN, CCN) for demos, tests and benchmarks.

:func:`generate_zones` places about ``2,500 × scale`` zones (≈ 44 economic zones, 430 industrial
parks, the rest industrial clusters) in the 2025-34 provinces, weighted by a rough industrial
weight per province and clustered around random "industrial hubs", with a minimum spacing so zones
do not overlap. Every output row has ``is_synthetic=True``; the same ``(provinces, scale, seed,
today)`` always gives identical frames. Above ``scale`` 2 every area is multiplied by ``2 / scale``
so the zones still fit the country (sizes then leave their legal bands).

Planted scenarios — present at every scale and seed, placed at seed-independent sites, so each
DESIGN.md flag fires at least once with the default thresholds (``today`` = 2026-01-01):

================  ===========================  ===============================================
code              flag                         why
================  ===========================  ===============================================
KCN-31-0001       ENCROACHMENT (+ MISMATCH)    actual reaches 12 ha beyond a 300 ha boundary
KCN-01-0001       FOOTPRINT_MISMATCH           60 % built, all inside: IoU ≈ 0.6 < 0.8
CCN-25-0001       SLOW_DEPLOYMENT              established 2016, 12 % of planned area built
KCN-25-0001       SLOW_DEPLOYMENT (UNBUILT)    established 2018, nothing observed on the ground
KCN-40-0001       LOW_OCCUPANCY                operating since 2014 at 18 % occupancy
CCN-38-0001…0004  DENSE_CLUSTER                4 CCNs 1.5 km apart, mean occupancy 30 %, no other
                                               zone within 6 km
CCN-37-0001       CCN_SIZE_RULE                80 ha (> 75 ha)
CCN-37-0002       CCN_SIZE_RULE                7 ha (< 10 ha), not mountainous, not craft village
CCN-37-0003       CCN_SIZE_RULE                62 ha established 2011 (Decision 105/2009: 50 ha)
CCN-15-0001       control: no CCN_SIZE_RULE    7 ha but mountainous (5 ha minimum)
CCN-33-0001       control: no CCN_SIZE_RULE    6 ha craft-village cluster (5 ha minimum)
CCN-14-0001…0004  context of CCN-14-0005       70 ha at 20 % occupancy; every CCN of Sơn La is
                                               kept at ≤ 40 % occupancy
CCN-14-0005       CCN_NEW_OR_EXPANSION_RULE    new (2025) where CCNs average ≤ 40 % occupancy
                                               and > 100 ha is unleased (Decree 32/2024)
CCN-42-0001       CCN_NEW_OR_EXPANSION_RULE    expanded 2024-09-16 at 45 % occupancy (< 60 %)
CCN-42-0002       CCN_NEW_OR_EXPANSION_RULE    expanded 2024-11-05 to 85 ha (> 75 ha); also
                                               CCN_SIZE_RULE
CCN-19-0001       MORATORIUM                   established 2012-06-15, during Directive 07
CCN-19-0002       MORATORIUM                   expanded 2012-09-20, during Directive 07
CCN-80-0001       OUTSIDE_PLANNING             25 ha footprint, no planning boundary (None)
KCN-75-0001/0002  OVERLAP                      planning boundaries overlap by ≈ 26 ha
KCN-24-0001       CROSS_PROVINCE               ≈ 40 % of it lies across the border in Hà Nội
================  ===========================  ===============================================

The random population produces FOOTPRINT_MISMATCH, ENCROACHMENT, SLOW_DEPLOYMENT, LOW_OCCUPANCY,
DENSE_CLUSTER, CCN_SIZE_RULE (2009-regime clusters over 50 ha), CCN_NEW_OR_EXPANSION_RULE,
MORATORIUM and OUTSIDE_PLANNING by itself; OVERLAP and CROSS_PROVINCE only come from the planted
zones (and, above scale 10, from zones that had to be placed without spacing).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from geo.errors import SyntheticInputError
from geo.synthetic_shapes import (
    EQUAL_AREA_CRS,
    add_lobes,
    as_multipolygons,
    build_polygons,
    make_rings,
    place,
    shell_points,
    to_lonlat,
    uniform_points,
)

BOUNDARIES_DIR = Path(__file__).resolve().parents[1] / "data" / "boundaries"
SOURCES = ("Sentinel-2 digitising (synthetic)", "field survey (synthetic)")
_GAP_M = 150.0
_HUB_ROUNDS, _PLACEMENT_ROUNDS = 10, 30
_BASE_TOTAL, _BASE_KKT, _BASE_KCN = 2500, 44, 430
_D2009, _D2017 = date(2009, 8, 20).toordinal(), date(2017, 7, 15).toordinal()
_FREEZE = (date(2012, 3, 2).toordinal(), date(2013, 12, 31).toordinal())
# fmt: off
# Rough industrial weight of the 2025-34 provinces (share of national zones), by code.
_WEIGHT = {"01": 8, "04": .6, "08": 1, "11": .5, "12": .5, "14": .8, "15": 1.2, "19": 3, "20": 1,
           "22": 4, "24": 8, "25": 5, "31": 8, "33": 5, "37": 4, "38": 4, "40": 3, "42": 2,
           "44": 2, "46": 2, "48": 4, "51": 3, "52": 3, "56": 2, "66": 2, "68": 3, "75": 9,
           "79": 12, "80": 8, "82": 3, "86": 2, "91": 2, "92": 2, "96": 1}
_MOUNTAIN = frozenset({"04", "08", "11", "12", "14", "15", "19", "20"})
_CRAFT_VILLAGE_HEARTLAND = frozenset({"01", "24", "31", "33", "37"})
_COASTAL_KKT = {"22": 1, "31": 1, "33": 1, "37": 1, "38": 1, "40": 1, "42": 1, "44": 2, "46": 1,
                "48": 1, "51": 1, "52": 1, "56": 1, "66": 1, "86": 1, "91": 1, "96": 1}
_BORDER_KKT = {"04": 1, "08": 1, "11": 1, "12": 1, "14": 1, "15": 1, "20": 1, "22": 1, "38": 1,
               "40": 1, "42": 1, "44": 2, "46": 1, "48": 1, "51": 1, "52": 1, "66": 1, "68": 1,
               "75": 1, "80": 3, "82": 1, "91": 2}
_FIRST = ("Tiên", "Đồng", "Phúc", "Quế", "Hòa", "Yên", "Tân", "Thuận", "Vĩnh", "Đại", "Thanh",
          "Nam", "Bắc", "Minh", "Quang", "Trung", "Kim", "Lương", "Nhơn", "Cẩm", "Đức", "Gia",
          "Hồng", "Lạc", "Nghĩa", "Ngọc", "Phước", "Tam", "Thạch", "Thái", "Thăng", "Tiến", "Trà",
          "Vạn", "Việt", "Cát", "Chân", "Định", "Hoàng", "Liên", "Mỹ", "Diễn", "Sài", "Bảo")
_SECOND = ("Sơn", "Văn", "Điền", "Võ", "Khánh", "Phong", "Bình", "Long", "Hiệp", "Thành", "Phú",
           "Lộc", "Hưng", "An", "Xuân", "Hòa", "Đông", "Thịnh", "Phát", "Lợi", "Trạch", "Hải",
           "Giang", "Lâm", "Khê", "Cầu", "Thủy", "Dương", "Ninh", "Châu", "Linh", "Cường", "Đạt",
           "Vinh", "Kiều", "Hội", "Mai", "Tường", "Đình", "Viên", "Liêm", "Nguyên", "Quan")
_ROMAN = ("", "", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X")
# fmt: on

# Planted zones: code, flag, site offset x/y (km; "border" = on the border with Hà Nội), area (ha),
# status, established, expanded, occupancy, actual footprint, craft village. See the docstring.
_SCENARIO_TABLE = """
KCN-31-0001 ENCROACHMENT                      0   0   300 operating          2008-05-12 -          .82 encroach:12 -
KCN-01-0001 FOOTPRINT_MISMATCH                0   0   240 operating          2021-05-04 -          .55 built:.6    -
CCN-25-0001 SLOW_DEPLOYMENT                   0   0   40  under_construction 2016-04-12 -          .1  built:.12   -
KCN-25-0001 SLOW_DEPLOYMENT                   3   0   180 under_construction 2018-09-20 -          .05 none        -
KCN-40-0001 LOW_OCCUPANCY                     0   0   350 operating          2014-06-01 -          .18 built:.9    -
CCN-38-0001 DENSE_CLUSTER                     0   0   30  operating          2021-03-15 -          .20 built:.93   -
CCN-38-0002 DENSE_CLUSTER                     1.5 0   35  operating          2021-08-02 -          .35 built:.93   -
CCN-38-0003 DENSE_CLUSTER                     0   1.5 28  operating          2022-01-20 -          .25 built:.93   -
CCN-38-0004 DENSE_CLUSTER                     1.5 1.5 32  operating          2022-06-07 -          .40 built:.93   -
CCN-37-0001 CCN_SIZE_RULE                     0   0   80  operating          2019-07-01 -          .6  built:.93   -
CCN-37-0002 CCN_SIZE_RULE                     2.5 0   7   operating          2020-02-10 -          .7  built:.93   -
CCN-37-0003 CCN_SIZE_RULE                     0   2.5 62  operating          2011-05-10 -          .75 built:.93   -
CCN-15-0001 control:CCN_SIZE_RULE             0   0   7   operating          2019-04-22 -          .6  built:.93   -
CCN-33-0001 control:CCN_SIZE_RULE             0   0   6   operating          2018-10-05 -          .8  built:.93   craft
CCN-14-0001 context:CCN_NEW_OR_EXPANSION_RULE 0   0   70  operating          2021-03-01 -          .2  built:.93   -
CCN-14-0002 context:CCN_NEW_OR_EXPANSION_RULE 2.5 0   70  operating          2021-06-01 -          .2  built:.93   -
CCN-14-0003 context:CCN_NEW_OR_EXPANSION_RULE 0   2.5 70  operating          2021-09-01 -          .2  built:.93   -
CCN-14-0004 context:CCN_NEW_OR_EXPANSION_RULE 2.5 2.5 70  operating          2022-03-01 -          .2  built:.93   -
CCN-14-0005 CCN_NEW_OR_EXPANSION_RULE         5   0   40  planned            2025-03-10 -          0   none        -
CCN-42-0001 CCN_NEW_OR_EXPANSION_RULE         0   0   70  operating          2015-06-18 2024-09-16 .45 built:.7    -
CCN-42-0002 CCN_NEW_OR_EXPANSION_RULE         2.5 0   85  operating          2016-02-25 2024-11-05 .7  built:.75   -
CCN-19-0001 MORATORIUM                        0   0   30  operating          2012-06-15 -          .55 built:.93   -
CCN-19-0002 MORATORIUM                        2.5 0   45  operating          2008-03-01 2012-09-20 .65 built:.93   -
CCN-80-0001 OUTSIDE_PLANNING                  0   0   25  operating          -          -          -   unplanned   -
KCN-75-0001 OVERLAP                           0   0   200 operating          2006-11-20 -          .85 built:.93   -
KCN-75-0002 OVERLAP                           1.25 0  150 operating          2017-04-03 -          .6  built:.93   -
KCN-24-0001 CROSS_PROVINCE                    border  240 operating          2010-09-09 -          .8  built:.93   -
"""  # noqa: E501


def _parse_scenarios(text: str) -> tuple[tuple[Any, ...], ...]:
    rows = []
    for line in text.strip().splitlines():
        f = [None if v == "-" else v for v in line.replace("border", "border border").split()]
        offset = None if f[2] == "border" else (float(f[2]), float(f[3]))
        occupancy = None if f[8] is None else float(f[8])
        rows.append((f[0], f[1], offset, float(f[4]), f[5], f[6], f[7], occupancy, f[9], f[10]))
    return tuple(rows)


_SCENARIOS = _parse_scenarios(_SCENARIO_TABLE)
_SCENARIO_PREVIOUS_HA = {"CCN-42-0001": 45.0, "CCN-42-0002": 50.0, "CCN-19-0002": 30.0}
_DENSE_KEEP_OUT_M = 6000.0
_CROSS_PROVINCE_NEIGHBOUR = "01"


@dataclass(frozen=True)
class SyntheticData:
    """Synthetic zones with their planning history and actual footprints (all EPSG:4326).

    Attributes
    ----------
    zones : geopandas.GeoDataFrame
        One row per zone, the columns of the shared contract plus ``approved_on``, ``investor``,
        ``workers``, ``wastewater_status``, ``wastewater_capacity_m3_day`` and
        ``has_worker_housing``; geometry is the current planning boundary (MultiPolygon) or None.
    planning_history : geopandas.GeoDataFrame
        Superseded planning boundaries: ``zone_code``, ``decision_ref``, ``approved_on``,
        ``valid_from``, ``valid_to``, geometry.
    actual : geopandas.GeoDataFrame
        Actual footprint observations: ``zone_code``, ``source``, ``observed_on``, geometry; some
        zones have two, planned ones none.
    scenarios : pandas.DataFrame
        The planted zones: ``code``, ``flag`` (``control:``/``context:`` prefixes mark zones that
        must not fire, or that set up another zone's flag).
    area_factor : float
        Factor applied to the random zones' areas (``min(1, 2 / scale)``).
    """

    zones: gpd.GeoDataFrame
    planning_history: gpd.GeoDataFrame
    actual: gpd.GeoDataFrame
    scenarios: pd.DataFrame
    area_factor: float


def load_default_provinces(version: str = "2025-34") -> gpd.GeoDataFrame:
    """Read the shipped simplified province boundaries of an admin version.

    Parameters
    ----------
    version : {"2025-34", "2008-63"}
        Admin-boundary version.

    Returns
    -------
    geopandas.GeoDataFrame
        Provinces in EPSG:4326 with ``code``, ``name_vi``, ``name_en``, ``admin_version``,
        ``area_km2`` and MultiPolygon geometry.

    Examples
    --------
    >>> len(load_default_provinces())
    34
    """
    files = {
        "2025-34": "vn_provinces_2025_34_simplified.geojson",
        "2008-63": "vn_provinces_2008_63_simplified.geojson",
    }
    if version not in files:
        raise SyntheticInputError(
            f"Unknown admin-boundary version {version!r}; use '2025-34' or '2008-63'.",
            details={"version": version},
        )
    return gpd.read_file(BOUNDARIES_DIR / files[version])


def generate_zones(
    provinces: gpd.GeoDataFrame,
    *,
    scale: float = 1.0,
    seed: int = 7,
    today: date = date(2026, 1, 1),
) -> SyntheticData:
    """Generate a deterministic synthetic national set of zones, history and footprints.

    Parameters
    ----------
    provinces : geopandas.GeoDataFrame
        The 2025-34 province boundaries (``code`` and geometry; EPSG:4326), e.g. from
        :func:`load_default_provinces`. The planted scenarios need the codes 01, 14, 15, 19,
        24, 25, 31, 33, 37, 38, 40, 42, 75 and 80.
    scale : float
        Multiplies the number of zones (1 gives about 2,500; 100 about 250,000).
    seed : int
        Seed of the numpy random generator; same inputs and seed give identical output.
    today : datetime.date
        Reference date for ages, statuses and observation dates.

    Returns
    -------
    SyntheticData
        Frames in EPSG:4326; areas in hectares measured on the ellipsoid (equal-area projection).

    Raises
    ------
    SyntheticInputError
        If ``scale`` is not positive, or the provinces lack a CRS, rows or the planted codes.

    Notes
    -----
    The 27 planted zones (module docstring) are always added, with fixed dates, so ``today``
    should be on or after 2025-06-01; the random population has at least one zone. Random zones
    keep 150 m from every other zone and lie inside their province (50 m margin). Above scale 2
    their areas are multiplied by ``2 / scale`` (``SyntheticData.area_factor``); above scale
    ~30 a few zones cannot be spaced and are placed overlapping. Scale 100 (250,000 zones) takes
    about 30 s and 2 GB on one core.

    Examples
    --------
    >>> data = generate_zones(load_default_provinces(), scale=0.02, seed=1)
    >>> bool(data.zones["is_synthetic"].all())
    True
    """
    _check_inputs(provinces, scale)
    rng = np.random.default_rng(seed)
    prov = _Provinces.from_frame(provinces)
    planted = _planted_zones(prov, today.toordinal())
    factor = min(1.0, 2.0 / scale)
    pop = _population(rng, prov, scale, today, factor)
    pop, rings, planned = _place_population(rng, prov, pop, planted)
    centres = np.stack(pop.pop("centre").to_numpy())
    actual = _random_footprints(rng, pop, rings, centres, planned, today.toordinal())
    history = _random_history(rng, pop, rings, centres, today.toordinal())
    table = pd.concat([planted.table, pop], ignore_index=True)
    table["code"] = _codes(table)
    table = _attributes(rng, table, today.toordinal())
    geometry = np.concatenate([planted.planned, planned])
    actual = pd.concat([planted.actual, _offset(actual, len(planted.table))], ignore_index=True)
    history = pd.concat([planted.history, _offset(history, len(planted.table))], ignore_index=True)
    return SyntheticData(
        zones=_zones_frame(table, geometry),
        planning_history=_events_frame(history, table, "history"),
        actual=_events_frame(actual, table, "actual"),
        scenarios=pd.DataFrame([s[:2] for s in _SCENARIOS], columns=["code", "flag"]),
        area_factor=factor,
    )


def describe(data: SyntheticData) -> dict[str, Any]:
    """Summarise synthetic data for command-line output (plain, JSON-serialisable values).

    Returns
    -------
    dict
        ``zones``, ``by_kind``, ``by_status``, ``by_kind_status``, ``planned_area_ha_by_kind``,
        ``planned_area_ha`` (total), ``without_boundary``, ``actual_observations``,
        ``zones_with_actual``, ``history_versions``, ``scenarios``.

    Examples
    --------
    >>> describe(generate_zones(load_default_provinces(), scale=0.02))["zones"] > 0
    True
    """
    zones = data.zones
    by_kind_status = zones.groupby(["kind", "status"]).size()
    area = zones.groupby("kind")["planned_area_ha"].sum()
    return {
        "zones": len(zones),
        "by_kind": {k: int(v) for k, v in zones["kind"].value_counts().sort_index().items()},
        "by_status": {k: int(v) for k, v in zones["status"].value_counts().sort_index().items()},
        "by_kind_status": {
            kind: {status: int(n) for (k, status), n in by_kind_status.items() if k == kind}
            for kind in sorted(zones["kind"].unique())
        },
        "planned_area_ha_by_kind": {k: round(float(v), 1) for k, v in area.items()},
        "planned_area_ha": round(float(zones["planned_area_ha"].sum()), 1),
        "without_boundary": int(zones.geometry.isna().sum()),
        "actual_observations": len(data.actual),
        "zones_with_actual": int(data.actual["zone_code"].nunique()),
        "history_versions": len(data.planning_history),
        "scenarios": len(data.scenarios),
    }


@dataclass(frozen=True)
class _Provinces:
    """Provinces in the equal-area CRS (metres), sorted by code."""

    codes: np.ndarray
    shapes: np.ndarray
    inner: np.ndarray  # shrunk by 50 m and prepared: the containers of the zones
    cores: np.ndarray  # largest part shrunk by 3 km: where hubs and uniform points are drawn
    sites: dict[str, np.ndarray]  # seed-independent site of the planted zones, per code

    @classmethod
    def from_frame(cls, provinces: gpd.GeoDataFrame) -> _Provinces:
        frame = provinces.sort_values("code").to_crs(EQUAL_AREA_CRS)
        shapes = shapely.make_valid(frame.geometry.to_numpy())
        largest = np.array([max(shapely.get_parts(g), key=shapely.area) for g in shapes])
        cores = _shrink(largest, 3000.0)
        deep = _shrink(largest, 10000.0, fallback=_shrink(largest, 4000.0))
        sites = shapely.get_coordinates(shapely.point_on_surface(deep))
        inner = shapely.buffer(shapes, -50.0)
        shapely.prepare(inner)
        codes = frame["code"].astype(str).to_numpy()
        return cls(codes, shapes, inner, cores, dict(zip(codes, sites, strict=True)))

    def index(self, codes: Any) -> np.ndarray:
        return np.searchsorted(self.codes, np.asarray(codes, dtype=object).astype(str))

    def shape(self, code: str) -> Any:
        return self.shapes[self.index([code])[0]]


@dataclass(frozen=True)
class _Planted:
    table: pd.DataFrame
    planned: np.ndarray
    actual: pd.DataFrame
    history: pd.DataFrame
    obstacles: np.ndarray


def _check_inputs(provinces: gpd.GeoDataFrame, scale: float) -> None:
    if not np.isfinite(scale) or scale <= 0:
        raise SyntheticInputError(
            f"scale must be a positive number, got {scale!r}; use 1 for about 2,500 zones.",
            details={"scale": scale},
        )
    if "code" not in provinces.columns or len(provinces) == 0 or provinces.crs is None:
        raise SyntheticInputError(
            "The provinces need rows, a 'code' column and a CRS; load them with "
            "load_default_provinces().",
        )
    needed = {s[0][4:6] for s in _SCENARIOS} | {_CROSS_PROVINCE_NEIGHBOUR}
    missing = sorted(needed - set(provinces["code"].astype(str)))
    if missing:
        raise SyntheticInputError(
            f"The provinces lack the codes {', '.join(missing)} that the planted scenarios use; "
            "pass the 2025-34 provinces (load_default_provinces('2025-34')).",
            details={"missing_codes": missing},
        )


def _shrink(geoms: np.ndarray, distance_m: float, fallback: np.ndarray | None = None):
    shrunk = shapely.buffer(geoms, -distance_m)
    empty = shapely.is_empty(shrunk)
    shrunk[empty] = (geoms if fallback is None else fallback)[empty]
    return shrunk


def _ord(text: str | None) -> int:
    return date.fromisoformat(text).toordinal() if isinstance(text, str) else -1


# ---- planted scenario zones (seed independent) -------------------------------------------


def _planted_zones(prov: _Provinces, today: int) -> _Planted:
    """The scenario zones of the module docstring, at seed-independent sites."""
    table = _planted_table()
    planned, actual, history = [], [], []
    for i, (code, _, offset, area, _, est, exp, _, spec, _) in enumerate(_SCENARIOS):
        pcode = code[4:6]
        if offset is None:
            geom, centre = _cross_province_blob(prov, pcode, area)
        else:
            centre = prov.sites[pcode] + 1000.0 * np.asarray(offset, dtype=float)
            geom = _blob(centre, area, i)
        planned.append(None if spec == "unplanned" else geom)
        footprint = _planted_footprint(geom, centre, spec)
        if footprint is not None:
            actual.append(
                {"zone": i, "source": SOURCES[i % 2], "observed": today - 60, "geometry": footprint}
            )
        if code in _SCENARIO_PREVIOUS_HA:
            f = np.sqrt(_SCENARIO_PREVIOUS_HA[code] / area)
            history.append(
                {
                    "zone": i,
                    "decision_ref": f"{100 + 37 * i}/{est[:4]}/QĐ-UBND",
                    "approved": _ord(est),
                    "valid_to": _ord(exp),
                    "geometry": affinity.scale(geom, f, f, origin=tuple(centre)),
                }
            )
    planned_arr = np.array(planned, dtype=object)
    keep_out = shapely.buffer(
        shapely.union_all(planned_arr[table["code"].str.startswith("CCN-38").to_numpy()]),
        _DENSE_KEEP_OUT_M,
    )
    footprints = np.array([a["geometry"] for a in actual], dtype=object)
    obstacles = np.concatenate(
        [planned_arr[~shapely.is_missing(planned_arr)], footprints, [keep_out]]
    )
    return _Planted(table, planned_arr, pd.DataFrame(actual), pd.DataFrame(history), obstacles)


def _planted_table() -> pd.DataFrame:
    names = ["code", "flag", "offset", "area_ha", "status", "est", "exp", "occ", "spec", "craft"]
    s = pd.DataFrame(list(_SCENARIOS), columns=names, dtype=object)
    pcode = s["code"].str[4:6]
    return pd.DataFrame({
        "code": s["code"], "kind": s["code"].str[:3], "kkt_type": "", "province_code": pcode,
        "area_ha": s["area_ha"].astype(float), "status": s["status"],
        "established": [_ord(v) for v in s["est"]], "expanded": [_ord(v) for v in s["exp"]],
        "adjusted": -1, "occupancy": s["occ"].astype(float), "unplanned": s["spec"] == "unplanned",
        "is_mountainous": pcode.isin(list(_MOUNTAIN)), "is_craft_village": s["craft"].notna(),
        "industrial_share": 0.7,
    })  # fmt: skip


def _blob(centre: np.ndarray, area_ha: float, i: int) -> shapely.Polygon:
    """An irregular 20-gon around ``centre`` (metres), 1.3 times wider than tall, of ``area_ha``."""
    jitter = np.random.default_rng(1000 + i).uniform(0.96, 1.04, 20)
    theta = np.arange(20) * (2 * np.pi / 20)
    ring = np.column_stack([1.3 * np.cos(theta), np.sin(theta)]) * jitter[:, None]
    unit = shapely.Polygon(ring)
    f = np.sqrt(area_ha * 1e4 / unit.area)
    return shapely.Polygon(ring * f + centre)


def _planted_footprint(geom, centre: np.ndarray, spec: str):
    origin = tuple(centre)
    if spec == "none":
        return None
    if spec == "unplanned":
        return affinity.scale(geom, 0.97, 0.97, origin=origin)
    kind, value = spec.split(":")
    if kind == "built":
        f = np.sqrt(float(value))
        return affinity.scale(geom, f, f, origin=origin)
    base = affinity.scale(geom, 0.97, 0.97, origin=origin)
    anchor = shapely.get_coordinates(geom)[:1]
    return add_lobes(np.array([base]), np.array([geom]), anchor, np.array([float(value) * 1e4]))[0]


def _cross_province_blob(prov: _Provinces, pcode: str, area_ha: float):
    """A blob across the border with the neighbour, mostly (and at its centre) in ``pcode``."""
    own, other = prov.shape(pcode), prov.shape(_CROSS_PROVINCE_NEIGHBOUR)
    both = shapely.buffer(shapely.union(own, other), -50.0)
    border = shapely.intersection(shapely.boundary(own), shapely.buffer(other, 50.0))
    line = max(shapely.get_parts(border), key=shapely.length)
    own_lonlat = to_lonlat(np.array([own]))[0]
    for position in (0.5, 0.4, 0.6, 0.3, 0.7):
        p = shapely.get_coordinates(
            shapely.line_interpolate_point(line, position, normalized=True)
        )[0]
        inward = shapely.get_coordinates(shapely.point_on_surface(own))[0] - p
        for shift in np.arange(0.0, 1600.0, 100.0):
            centre = p + inward / np.linalg.norm(inward) * shift
            geom = _blob(centre, area_ha, 99)
            share = shapely.area(shapely.intersection(geom, own)) / geom.area
            point = shapely.point_on_surface(to_lonlat(np.array([geom]))[0])
            if 0.6 <= share <= 0.85 and both.contains(geom) and own_lonlat.contains(point):
                return geom, centre
    raise SyntheticInputError(
        f"Could not plant the cross-province zone on the border of provinces {pcode} and "
        f"{_CROSS_PROVINCE_NEIGHBOUR}; pass the shipped 2025-34 boundaries."
    )


# ---- random population --------------------------------------------------------------------


def _population(
    rng: np.random.Generator, prov: _Provinces, scale: float, today: date, factor: float
) -> pd.DataFrame:
    """Kinds, provinces, dates, statuses and target areas of the random zones (no geometry)."""
    kind, kkt_type, pcode = _kinds_and_provinces(rng, prov.codes, scale)
    n = kind.size
    end = min(date(2025, 12, 31), today - timedelta(days=30)).toordinal()
    est = _established(rng, kind, kkt_type, end)
    is_ccn = kind == "CCN"
    unplanned = is_ccn & (rng.random(n) < 0.005)
    mountainous = np.isin(pcode, list(_MOUNTAIN))
    craft_p = np.where(np.isin(pcode, list(_CRAFT_VILLAGE_HEARTLAND)), 0.05, 0.01)
    craft = is_ccn & ~unplanned & (rng.random(n) < craft_p)
    age = (today.toordinal() - est) / 365.25
    status = np.where(unplanned, "operating", _status(rng, age))
    occupancy = np.where(unplanned, np.nan, _occupancy(rng, status, age))
    occupancy = np.where(is_ccn & (pcode == "14"), np.minimum(occupancy, 0.4), occupancy)
    expanded = _later_date(
        rng,
        est,
        end,
        np.isin(status, ["operating", "under_construction"])
        & (age > 5)
        & ~unplanned
        & (rng.random(n) < 0.08),
        3.0,
    )
    adjusted = _later_date(rng, est, end, (expanded < 0) & ~unplanned & (rng.random(n) < 0.06), 1.0)
    pop = pd.DataFrame(
        {
            "code": None,
            "kind": kind,
            "kkt_type": kkt_type,
            "province_code": pcode,
            "area_ha": _areas(rng, kind, est, mountainous | craft) * factor,
            "status": status,
            "established": np.where(unplanned, -1, est),
            "expanded": expanded,
            "adjusted": adjusted,
            "occupancy": occupancy,
            "unplanned": unplanned,
            "is_mountainous": mountainous,
            "is_craft_village": craft,
            "industrial_share": np.where(
                kind == "KKT", rng.uniform(0.15, 0.35, n), rng.uniform(0.6, 0.75, n)
            ),
        }
    )
    return pop.iloc[np.argsort(-pop["area_ha"].to_numpy(), kind="stable")].reset_index(drop=True)


def _kinds_and_provinces(rng: np.random.Generator, codes: np.ndarray, scale: float):
    total = max(1, round(_BASE_TOTAL * scale))
    planted = pd.Series([s[0][:3] for s in _SCENARIOS]).value_counts()
    n_kkt = round(_BASE_KKT * scale)
    n_kcn = max(0, round(_BASE_KCN * scale) - int(planted.get("KCN", 0)))
    n_ccn = max(1, total - n_kkt - round(_BASE_KCN * scale) - int(planted.get("CCN", 0)))
    n_coastal = round(n_kkt * 18 / 44)
    weight = np.array([_WEIGHT.get(c, 1.0) for c in codes], dtype=float)
    parts = [
        _choose(rng, codes, _COASTAL_KKT, n_coastal),
        _choose(rng, codes, _BORDER_KKT, n_kkt - n_coastal),
        rng.choice(codes, size=n_kcn, p=weight / weight.sum()),
        rng.choice(codes, size=n_ccn, p=weight**0.7 / (weight**0.7).sum()),
    ]
    sizes = [n_coastal, n_kkt - n_coastal, n_kcn, n_ccn]
    kind = np.repeat(["KKT", "KKT", "KCN", "CCN"], sizes)
    kkt_type = np.repeat(["coastal", "border", "", ""], sizes)
    return kind, kkt_type, np.concatenate(parts).astype(object)


def _choose(
    rng: np.random.Generator, codes: np.ndarray, weights: dict[str, float], n: int
) -> np.ndarray:
    present = [c for c in codes if c in weights] or list(codes)
    w = np.array([weights.get(c, 1.0) for c in present])
    return rng.choice(np.array(present, dtype=object), size=n, p=w / w.sum())


def _established(
    rng: np.random.Generator, kind: np.ndarray, kkt_type: np.ndarray, end: int
) -> np.ndarray:
    """Establishment dates (ordinals): parks from 1995, clusters mostly after 2003."""
    n = kind.size
    lo = np.select(
        [kkt_type == "coastal", kkt_type == "border", kind == "KCN"],
        [date(2003, 1, 1), date(1996, 1, 1), date(1995, 1, 1)],
        date(2003, 1, 1),
    )
    hi = np.select(
        [kkt_type == "coastal", kkt_type == "border"],
        [date(2015, 12, 31), date(2012, 12, 31)],
        date.fromordinal(end),
    )
    lo = np.array([d.toordinal() for d in lo])
    hi = np.array([d.toordinal() for d in hi])
    est = (lo + rng.beta(1.3, 1.0, n) * (hi - lo)).astype(int)
    # Directive 07 froze new clusters: move most of those drawn inside the freeze after it.
    frozen = (kind == "CCN") & (est >= _FREEZE[0]) & (est <= _FREEZE[1]) & (rng.random(n) < 0.85)
    return np.where(frozen, np.minimum(est + 700, end), est)


def _later_date(
    rng: np.random.Generator, est: np.ndarray, end: int, mask: np.ndarray, min_years: float
) -> np.ndarray:
    """A date between ``est + min_years`` and ``end`` where ``mask``, else -1."""
    lo = est + int(min_years * 365)
    ok = mask & (lo < end)
    return np.where(ok, (lo + rng.random(est.size) * (end - lo)).astype(int), -1)


def _areas(
    rng: np.random.Generator, kind: np.ndarray, est: np.ndarray, small_ok: np.ndarray
) -> np.ndarray:
    """Target areas (ha) by kind; CCNs of the 2009 regime stay <= 50 ha except ~4 %."""
    n = kind.size
    area = np.select(
        [kind == "KKT", kind == "KCN"],
        [_lognormal(rng, 8000, 0.7, 2000, 40000, n), _lognormal(rng, 220, 0.75, 55, 990, n)],
        np.where(
            small_ok, _lognormal(rng, 18, 0.6, 5.5, 74, n), _lognormal(rng, 35, 0.45, 10.5, 74, n)
        ),
    )
    regime_2009 = (kind == "CCN") & (est >= _D2009) & (est < _D2017)
    over = rng.random(n) < 0.04
    area = np.where(regime_2009 & ~over & (area > 49.5), rng.uniform(20, 49.5, n), area)
    return np.where(regime_2009 & over, rng.uniform(51, 74, n), area)


def _lognormal(
    rng: np.random.Generator, median: float, sigma: float, lo: float, hi: float, n: int
) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(median), sigma, n), lo, hi)


def _status(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    u, v = rng.random(age.size), rng.random(age.size)
    p_operating = np.clip((age - 1.5) / 5, 0, 0.9)
    young = np.where(v < 0.5, "planned", "under_construction")
    old = np.select(
        [v < 0.45, v < 0.75, v < 0.9], ["under_construction", "planned", "suspended"], "cancelled"
    )
    return np.where(u < p_operating, "operating", np.where(age < 4, young, old)).astype(object)


def _occupancy(rng: np.random.Generator, status: np.ndarray, age: np.ndarray) -> np.ndarray:
    n = status.size
    mean = np.clip(0.35 + 0.04 * age, 0.35, 0.9)
    operating = rng.beta(mean * 3, (1 - mean) * 3)
    building = rng.beta(1.2, 5, n) * np.clip(age / 5, 0.2, 1)
    return np.select(
        [status == "operating", status == "under_construction", status == "suspended"],
        [operating, building, rng.beta(1, 4, n)],
        0.0,
    )


def _place_population(
    rng: np.random.Generator, prov: _Provinces, pop: pd.DataFrame, planted: _Planted
):
    """Shapes and positions of the random zones; drops the (rare) zones that found no room."""
    n = len(pop)
    kind = pop["kind"].to_numpy()
    is_kkt = kind == "KKT"
    shape = np.where(
        is_kkt, rng.choice([0, 1], n, p=[0.6, 0.4]), rng.choice([0, 1, 2], n, p=[0.45, 0.4, 0.15])
    )
    low = np.select([is_kkt, shape > 0], [24, 12], 8)
    rings = make_rings(
        rng,
        shape,
        rng.integers(low, 41),
        pop["area_ha"].to_numpy() * 1e4,
        has_hole=rng.random(n) < np.where(is_kkt, 0.1, 0.03),
        has_satellite=rng.random(n) < np.where(is_kkt, 0.15, 0.03),
    )
    pi = prov.index(pop["province_code"])
    draw = _centre_sampler(rng, prov, pi, is_kkt)
    centres, planned, status = place(
        rings,
        draw_centres=draw,
        containers=prov.inner[pi],
        obstacles=planted.obstacles,
        stage=np.select([is_kkt, kind == "KCN"], [0, 1], 2),
        gap_m=_GAP_M,
        max_rounds=_PLACEMENT_ROUNDS,
    )
    pop = pop.assign(
        rid=np.arange(n),
        has_hole=np.isin(np.arange(n), rings.ring_zone[rings.ring_role == 1]),
        centre=list(centres),
    )
    keep = status > 0
    return pop[keep].reset_index(drop=True), rings, planned[keep]


def _centre_sampler(
    rng: np.random.Generator, prov: _Provinces, pi: np.ndarray, always_uniform: np.ndarray
):
    """A ``draw(zones, round)`` that proposes centres around hubs (Gaussian) or anywhere."""
    counts = np.bincount(pi, minlength=prov.codes.size)
    pools, hubs, sigmas, n_hubs = [], [], [], np.zeros(prov.codes.size, dtype=int)
    for p in np.flatnonzero(counts):
        pool = uniform_points(rng, prov.cores[p], max(256, 3 * int(counts[p])))
        n_hubs[p] = int(np.clip(round(1 + np.sqrt(counts[p]) / 2), 1, 60))
        pools.append(pool)
        hubs.append(pool[: n_hubs[p]])
        spread = 0.1 * np.sqrt(shapely.area(prov.cores[p]))
        sigmas.append(spread * rng.uniform(0.5, 1.5, n_hubs[p]))
    pool_size = np.zeros(prov.codes.size, dtype=int)
    pool_size[np.flatnonzero(counts)] = [len(p) for p in pools]
    pool_start = np.r_[0, np.cumsum(pool_size)[:-1]]
    hub_start = np.r_[0, np.cumsum(n_hubs)[:-1]]
    pool_xy, hub_xy, hub_sigma = np.concatenate(pools), np.concatenate(hubs), np.concatenate(sigmas)
    hub = hub_start[pi] + (rng.random(pi.size) * n_hubs[pi]).astype(int)
    uniform = always_uniform | (rng.random(pi.size) < 0.25)

    def draw(zones: np.ndarray, rnd: int) -> np.ndarray:
        sigma = hub_sigma[hub[zones]] * 1.25**rnd
        near_hub = hub_xy[hub[zones]] + rng.normal(size=(zones.size, 2)) * sigma[:, None]
        p = pi[zones]
        pick = pool_start[p] + (rng.random(zones.size) * pool_size[p]).astype(int)
        anywhere = uniform[zones] | (rnd >= _HUB_ROUNDS)
        return np.where(anywhere[:, None], pool_xy[pick], near_hub)

    return draw


def _random_footprints(
    rng: np.random.Generator, pop, rings, centres, planned, today: int
) -> pd.DataFrame:
    """Latest (and for some zones an earlier) actual footprint of the random zones."""
    n = len(pop)
    status, kind = pop["status"].to_numpy(), pop["kind"].to_numpy()
    est = pop["established"].to_numpy()
    age = np.where(est >= 0, (today - est) / 365.25, 10.0)
    built = np.isin(status, ["operating", "under_construction", "suspended"])
    share = np.select(
        [
            pop["unplanned"].to_numpy(),
            (status == "operating") & (kind == "KKT"),
            status == "operating",
            status == "under_construction",
        ],
        [
            np.full(n, 0.95),
            rng.uniform(0.2, 0.6, n),
            rng.uniform(0.88, 0.97, n),
            np.clip(0.03 + rng.beta(2, 5, n) * np.clip(age / 6, 0.1, 1), 0.03, 0.85),
        ],
        rng.uniform(0.05, 0.5, n),
    )
    encroach = (status == "operating") & (kind != "KKT") & (rng.random(n) < 0.05)
    rows = np.flatnonzero(built)
    observed = np.maximum(today - rng.integers(20, 400, n), est + 30)
    latest = _footprints(rng, pop, rings, centres, planned, rows, share[rows])
    enc = rows[encroach[rows]]
    anchors = shell_points(rings, centres[enc], pop["rid"].to_numpy()[enc], rng.random(enc.size))
    outside = pop["area_ha"].to_numpy()[enc] * 1e4 * rng.uniform(0.01, 0.12, enc.size)
    latest[encroach[rows]] = add_lobes(latest[encroach[rows]], planned[enc], anchors, outside)
    earlier_obs = observed - rng.integers(700, 1800, n)
    again = rows[(earlier_obs[rows] > est[rows] + 180) & (rng.random(rows.size) < 0.15)]
    earlier = _footprints(
        rng, pop, rings, centres, planned, again, share[again] * rng.uniform(0.4, 0.8, again.size)
    )
    source = np.array(SOURCES, dtype=object)[(rng.random(n) < 0.25).astype(int)]
    return pd.DataFrame(
        {
            "zone": np.r_[rows, again],
            "source": np.r_[source[rows], source[again]],
            "observed": np.r_[observed[rows], earlier_obs[again]],
            "geometry": np.r_[latest, earlier],
        }
    )


def _footprints(
    rng: np.random.Generator, pop, rings, centres, planned, rows: np.ndarray, share: np.ndarray
):
    """Copies of the planned shapes of ``rows`` shrunk to ``share`` of their area (inside)."""
    rid = pop["rid"].to_numpy()[rows]
    scale = np.sqrt(share) * (1 - rng.uniform(0, 0.02, rows.size))
    geoms = build_polygons(rings, centres[rows], rid, vertex_scale=scale, with_holes=False)
    holed = pop["has_hole"].to_numpy()[rows]
    geoms[holed] = shapely.intersection(geoms[holed], planned[rows[holed]])
    return geoms


def _random_history(rng: np.random.Generator, pop, rings, centres, today: int) -> pd.DataFrame:
    """The superseded planning boundary of expanded (smaller) and adjusted zones."""
    expanded, adjusted = pop["expanded"].to_numpy(), pop["adjusted"].to_numpy()
    rows = np.flatnonzero((expanded >= 0) | (adjusted >= 0))
    share = np.where(
        expanded[rows] >= 0, rng.uniform(0.6, 0.85, rows.size), rng.uniform(0.85, 0.97, rows.size)
    )
    rid = pop["rid"].to_numpy()[rows]
    geoms = build_polygons(rings, centres[rows], rid, vertex_scale=np.sqrt(share))
    est = pop["established"].to_numpy()[rows]
    return pd.DataFrame(
        {
            "zone": rows,
            "decision_ref": _decision_refs(rng, pop["kind"].to_numpy()[rows], est),
            "approved": est,
            "valid_to": np.maximum(expanded[rows], adjusted[rows]),
            "geometry": geoms,
        }
    )


def _offset(frame: pd.DataFrame, by: int) -> pd.DataFrame:
    return frame.assign(zone=frame["zone"] + by)


# ---- attributes, codes and frames -----------------------------------------------------------


def _codes(table: pd.DataFrame) -> pd.Series:
    """Planted codes as given; others ``KIND-PROVINCE-SERIAL``, serials by establishment date."""
    key = table["kind"].astype(str) + "-" + table["province_code"].astype(str)
    fixed = table["code"].notna()
    taken = table.loc[fixed, "code"].str[-4:].astype(int).groupby(key[fixed]).max()
    est = table["established"].where(table["established"] >= 0, 10**9)
    free = pd.DataFrame({"key": key[~fixed], "est": est[~fixed]})
    free = free.sort_values(["key", "est"], kind="stable")
    serial = free.groupby("key").cumcount() + 1 + free["key"].map(taken).fillna(0).astype(int)
    codes = table["code"].astype(object).copy()
    codes.loc[free.index] = free["key"] + "-" + serial.map("{:04d}".format)
    return codes


def _attributes(rng: np.random.Generator, t: pd.DataFrame, today: int) -> pd.DataFrame:
    """Names, land, investor, workers, wastewater, housing and decision of every zone."""
    n = len(t)
    kind, status = t["kind"].to_numpy(), t["status"].to_numpy()
    unplanned = t["unplanned"].to_numpy(dtype=bool)
    place = _places(rng, n)
    industrial = np.where(unplanned, np.nan, t["area_ha"] * t["industrial_share"])
    leased = industrial * t["occupancy"].to_numpy(dtype=float)
    operating, building = status == "operating", status == "under_construction"
    has_investor = (kind != "KKT") & (rng.random(n) < np.where(kind == "KCN", 0.95, 0.6))
    investor = np.where(
        kind == "KCN", "Công ty cổ phần Phát triển hạ tầng ", "Công ty TNHH Đầu tư "
    )
    workers = np.select(
        [operating, building],
        [leased * rng.uniform(40, 120, n), leased * rng.uniform(0, 30, n)],
        np.nan,
    )
    wastewater = np.select(
        [operating, building],
        [
            rng.choice(["operating", "building", "none"], n, p=[0.72, 0.13, 0.15]),
            rng.choice(["building", "none"], n),
        ],
        None,
    )
    capacity = np.where(
        np.isin(wastewater, ["operating", "building"]),
        np.round(industrial * rng.uniform(25, 60, n), -1),
        np.nan,
    )
    housing_p = np.select([kind == "KKT", kind == "KCN"], [0.6, 0.4], 0.08)
    housing = pd.array(rng.random(n) < housing_p, dtype="boolean")
    housing[~(operating | building)] = pd.NA
    approved = np.where(unplanned, -1, t[["established", "expanded", "adjusted"]].max(axis=1))
    return t.assign(
        name=_names(kind, t["kkt_type"].to_numpy(), t["is_craft_village"].to_numpy(), place),
        industrial_land_ha=np.round(industrial, 2),
        leased_land_ha=np.round(leased, 2),
        investor=pd.Series(investor + place, dtype=object).where(has_investor, None),
        workers=pd.array(np.round(workers), dtype="Int64"),
        wastewater_status=wastewater,
        wastewater_capacity_m3_day=capacity,
        has_worker_housing=housing,
        approved=approved,
        decision_ref=_decision_refs(rng, kind, approved),
    )


def _places(rng: np.random.Generator, n: int) -> np.ndarray:
    first = np.array(_FIRST, dtype=object)[rng.integers(0, len(_FIRST), n)]
    return first + " " + np.array(_SECOND, dtype=object)[rng.integers(0, len(_SECOND), n)]


def _names(kind, kkt_type, craft, place) -> list[str]:
    """Vietnamese names; repeated names get a Roman numeral (or "số N") as real ones do."""
    prefix = np.select(
        [kkt_type == "coastal", kkt_type == "border", kind == "KKT", kind == "KCN", craft],
        [
            "Khu kinh tế ven biển",
            "Khu kinh tế cửa khẩu",
            "Khu kinh tế",
            "Khu công nghiệp",
            "Cụm công nghiệp làng nghề",
        ],
        "Cụm công nghiệp",
    ).astype(object)
    names = pd.Series(prefix + " " + place)
    rank = names.groupby(names).cumcount().to_numpy() + 1
    suffix = [_ROMAN[r] if r < len(_ROMAN) else f" số {r}" for r in rank]
    return [unicodedata.normalize("NFC", a + b) for a, b in zip(names, suffix, strict=True)]


def _decision_refs(
    rng: np.random.Generator, kind: np.ndarray, approved: np.ndarray
) -> list[str | None]:
    number = rng.integers(100, 4000, kind.size)
    return [
        None
        if day < 0
        else f"{no}/{date.fromordinal(day).year}/QĐ-{'TTg' if k == 'KKT' else 'UBND'}"
        for no, day, k in zip(number, np.asarray(approved, dtype=int), kind, strict=True)
    ]


def _dates(ordinals: Any) -> list[date | None]:
    return [None if o < 0 else date.fromordinal(o) for o in np.asarray(ordinals, dtype=int)]


def _zones_frame(table: pd.DataFrame, geometry: np.ndarray) -> gpd.GeoDataFrame:
    unplanned = table["unplanned"].to_numpy(dtype=bool)
    geometry = np.where(unplanned, None, geometry)
    area = np.round(shapely.area(geometry) / 1e4, 2)
    frame = gpd.GeoDataFrame(
        {
            "code": table["code"].to_numpy(dtype=object),
            "kind": table["kind"],
            "name": table["name"],
            "province_code": table["province_code"].astype(object),
            "status": table["status"].astype(object),
            "established_on": _dates(table["established"]),
            "expanded_on": _dates(table["expanded"]),
            "decision_ref": table["decision_ref"],
            "approved_on": _dates(table["approved"]),
            "planned_area_ha": area,
            "industrial_land_ha": table["industrial_land_ha"],
            "leased_land_ha": table["leased_land_ha"],
            "is_mountainous": table["is_mountainous"].to_numpy(dtype=bool),
            "is_craft_village": table["is_craft_village"].to_numpy(dtype=bool),
            "is_synthetic": True,
            "investor": table["investor"],
            "workers": table["workers"],
            "wastewater_status": table["wastewater_status"],
            "wastewater_capacity_m3_day": table["wastewater_capacity_m3_day"],
            "has_worker_housing": table["has_worker_housing"],
        },
        geometry=as_multipolygons(to_lonlat(geometry)),
        crs="EPSG:4326",
    )
    return frame.sort_values("code", kind="stable").reset_index(drop=True)


def _events_frame(events: pd.DataFrame, table: pd.DataFrame, kind: str) -> gpd.GeoDataFrame:
    """History (``kind='history'``) or actual observations, keyed by zone code, sorted."""
    zone_code = table["code"].to_numpy(dtype=object)[events["zone"].to_numpy(dtype=int)]
    if kind == "history":
        approved = _dates(events["approved"])
        columns = {
            "decision_ref": events["decision_ref"].to_numpy(dtype=object),
            "approved_on": approved,
            "valid_from": approved,
            "valid_to": _dates(events["valid_to"]),
        }
    else:
        columns = {
            "source": events["source"].to_numpy(dtype=object),
            "observed_on": _dates(events["observed"]),
        }
    geometry = as_multipolygons(to_lonlat(events["geometry"].to_numpy(dtype=object)))
    frame = gpd.GeoDataFrame(
        {"zone_code": zone_code, **columns}, geometry=geometry, crs="EPSG:4326"
    )
    order = "approved_on" if kind == "history" else "observed_on"
    return frame.sort_values(["zone_code", order], kind="stable").reset_index(drop=True)
