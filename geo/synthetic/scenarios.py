"""Planted scenario zones of the synthetic generator: one per flag, at seed-independent sites.

Internal to :mod:`geo.synthetic` (its docstring lists the scenarios and why each fires). Every
planted zone is an irregular 20-gon at a fixed offset from a province's deep interior point, so
the scenarios are the same at every scale and seed; geometry is in the equal-area CRS (metres).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from geo.errors import SyntheticInputError
from geo.synthetic.footprints import SOURCES
from geo.synthetic.provinces import MOUNTAIN, Provinces
from geo.synthetic.shapes import add_lobes, to_lonlat
from geo.vocabulary import CURRENT_ADMIN_VERSION

# Planted zones: code, flag, site offset x/y (km; "border" = on the border with Hà Nội), area (ha),
# status, established, expanded, occupancy, actual footprint, craft village. See geo.synthetic.
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
        offset = None if f[2] == "border" else (float(str(f[2])), float(str(f[3])))
        occupancy = None if f[8] is None else float(f[8])
        rows.append(
            (f[0], f[1], offset, float(str(f[4])), f[5], f[6], f[7], occupancy, f[9], f[10])
        )
    return tuple(rows)


SCENARIOS = _parse_scenarios(_SCENARIO_TABLE)
_SCENARIO_PREVIOUS_HA = {"CCN-42-0001": 45.0, "CCN-42-0002": 50.0, "CCN-19-0002": 30.0}
_DENSE_KEEP_OUT_M = 6000.0
CROSS_PROVINCE_NEIGHBOUR = "01"


def scenario_frame() -> pd.DataFrame:
    """The planted zones' ``code`` and ``flag`` (``control:``/``context:`` prefixes kept)."""
    return pd.DataFrame([s[:2] for s in SCENARIOS], columns=["code", "flag"])


def scenario_province_codes() -> set[str]:
    """Province codes the planted scenarios need (their own and the cross-border neighbour)."""
    return {s[0][4:6] for s in SCENARIOS} | {CROSS_PROVINCE_NEIGHBOUR}


@dataclass(frozen=True)
class Planted:
    """The planted zones: attribute table, planning boundaries, footprints, earlier versions.

    ``obstacles`` are the geometries random zones must keep clear of (the planted boundaries
    and footprints, plus a 6 km keep-out around the CCN-38 dense cluster).
    """

    table: pd.DataFrame
    planned: np.ndarray
    actual: pd.DataFrame
    history: pd.DataFrame
    obstacles: np.ndarray


def planted_zones(prov: Provinces, today: int) -> Planted:
    """The scenario zones of the module docstring, at seed-independent sites."""
    table = _planted_table()
    planned, actual, history = [], [], []
    for i, (code, _, offset, area, _, est, exp, _, spec, _) in enumerate(SCENARIOS):
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
    return Planted(table, planned_arr, pd.DataFrame(actual), pd.DataFrame(history), obstacles)


def _planted_table() -> pd.DataFrame:
    names = ["code", "flag", "offset", "area_ha", "status", "est", "exp", "occ", "spec", "craft"]
    s = pd.DataFrame(list(SCENARIOS), columns=names, dtype=object)
    pcode = s["code"].str[4:6]
    return pd.DataFrame(
        {
            "code": s["code"],
            "kind": s["code"].str[:3],
            "kkt_type": "",
            "province_code": pcode,
            "area_ha": s["area_ha"].astype(float),
            "status": s["status"],
            "established": [_ord(v) for v in s["est"]],
            "expanded": [_ord(v) for v in s["exp"]],
            "adjusted": -1,
            "occupancy": s["occ"].astype(float),
            "unplanned": s["spec"] == "unplanned",
            "is_mountainous": pcode.isin(list(MOUNTAIN)),
            "is_craft_village": s["craft"].notna(),
            "industrial_share": 0.7,
        }
    )


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


def _cross_province_blob(prov: Provinces, pcode: str, area_ha: float):
    """A blob across the border with the neighbour, mostly (and at its centre) in ``pcode``."""
    own, other = prov.shape(pcode), prov.shape(CROSS_PROVINCE_NEIGHBOUR)
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
        f"{CROSS_PROVINCE_NEIGHBOUR}; pass the shipped {CURRENT_ADMIN_VERSION} boundaries."
    )


def _ord(text: str | None) -> int:
    return date.fromisoformat(text).toordinal() if isinstance(text, str) else -1
