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

Every geometry column is non-null, non-empty, valid and MultiPolygon, except the zones' planning
boundary of the "outside planning" zones (None by design). The work is split over internal
modules: ``synthetic_scenarios`` (planted zones), ``synthetic_population`` (random attributes
before placement), ``synthetic_placement``, ``synthetic_footprints`` (actual footprints and
earlier planning versions), ``synthetic_attributes`` (codes, names, land, operations),
``synthetic_provinces`` and ``synthetic_shapes`` (vectorised ring geometry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import SyntheticInputError
from geo.synthetic.attributes import add_attributes, assign_codes
from geo.synthetic.footprints import SOURCES, random_footprints, random_history
from geo.synthetic.placement import place_population
from geo.synthetic.population import draw_population
from geo.synthetic.provinces import Provinces
from geo.synthetic.scenarios import planted_zones, scenario_frame, scenario_province_codes
from geo.synthetic.shapes import as_multipolygons, to_lonlat
from geo.vocabulary import ZONE_PROVINCE_VERSION

__all__ = ["SOURCES", "SyntheticData", "describe", "generate_zones", "load_default_provinces"]

BOUNDARIES_DIR = Path(__file__).resolve().parents[2] / "data" / "boundaries"


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


def load_default_provinces(version: str = ZONE_PROVINCE_VERSION) -> gpd.GeoDataFrame:
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
            f"Unknown admin-boundary version {version!r}; use one of {', '.join(sorted(files))}.",
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
    prov = Provinces.from_frame(provinces)
    planted = planted_zones(prov, today.toordinal())
    factor = min(1.0, 2.0 / scale)
    pop = draw_population(rng, prov, scale, today, factor)
    pop, rings, planned = place_population(rng, prov, pop, planted)
    centres = np.stack(pop.pop("centre").to_numpy())
    actual = random_footprints(rng, pop, rings, centres, planned, today.toordinal())
    history = random_history(rng, pop, rings, centres, today.toordinal())
    table = pd.concat([planted.table, pop], ignore_index=True)
    table["code"] = assign_codes(table)
    table = add_attributes(rng, table, today.toordinal())
    geometry = np.concatenate([planted.planned, planned])
    actual = pd.concat([planted.actual, _offset(actual, len(planted.table))], ignore_index=True)
    history = pd.concat([planted.history, _offset(history, len(planted.table))], ignore_index=True)
    return SyntheticData(
        zones=_zones_frame(table, geometry),
        planning_history=_events_frame(history, table, "history"),
        actual=_events_frame(actual, table, "actual"),
        scenarios=scenario_frame(),
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
    missing = sorted(scenario_province_codes() - set(provinces["code"].astype(str)))
    if missing:
        raise SyntheticInputError(
            f"The provinces lack the codes {', '.join(missing)} that the planted scenarios use; "
            "pass the 2025-34 provinces (load_default_provinces('2025-34')).",
            details={"missing_codes": missing},
        )


def _offset(frame: pd.DataFrame, by: int) -> pd.DataFrame:
    return frame.assign(zone=frame["zone"] + by)


def _dates(ordinals: Any) -> list[date | None]:
    return [None if o < 0 else date.fromordinal(o) for o in np.asarray(ordinals, dtype=int)]


def _zones_frame(table: pd.DataFrame, geometry: np.ndarray) -> gpd.GeoDataFrame:
    unplanned = table["unplanned"].to_numpy(dtype=bool)
    geometry = np.where(unplanned, np.array(None, dtype=object), geometry)
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
