"""Zone density per province, nearest-neighbour statistics and density-based zone clusters.

Inputs are EPSG:4326. Distances are edge-to-edge between zone footprints (planning boundaries)
in metres, measured in a metric projection: a Lambert azimuthal equal-area centred on each
province for per-province statistics, and one transverse Mercator centred on the data for the
national cluster graph (scale error below 0.25 % within ±4° of longitude, i.e. < 13 m at 5 km).
Neighbour searches use an STRtree, never an all-pairs matrix.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geo.analysis.clusters import find_dense_clusters, zone_occupancy
from geo.analysis.footprint import polygonal_parts
from geo.analysis.near_pairs import bbox_gap_m
from geo.crs.area import ellipsoidal_area_ha
from geo.frames import laea, project, require_columns, to_wgs84
from geo.types import ZONE_KINDS, ClarkEvans

__all__ = [
    "assign_provinces",
    "clark_evans",
    "find_dense_clusters",
    "province_density",
    "split_by_province",
    "zone_occupancy",
]

_CE_STANDARD_ERROR = 0.26136  # Clark & Evans (1954): SE of the mean NN distance = 0.26136/sqrt(n·ρ)


def assign_provinces(zones: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> pd.Series:
    """Province of each zone by spatial join of its footprint's representative point.

    The stored ``province_code`` is ignored; any admin version of ``provinces`` works. Returns
    a Series indexed by zone ``code`` (sorted) holding the province ``code``, or None for zones
    without geometry or outside every province. A point on a shared border goes to the
    province with the smallest code.
    """
    require_columns(zones, ("code",), "zones")
    require_columns(provinces, ("code",), "provinces")
    ordered = to_wgs84(zones).sort_values("code", kind="stable")
    provs = to_wgs84(provinces).sort_values("code", kind="stable")
    geoms = polygonal_parts(ordered.geometry.to_numpy())
    points = shapely.point_on_surface(geoms)
    # the tree holds the points and the few, detailed provinces are the (prepared) queries
    prov_idx, zone_idx = shapely.STRtree(points).query(
        provs.geometry.to_numpy(), predicate="intersects"
    )
    first = pd.Series(prov_idx).groupby(zone_idx).min()  # provinces are sorted by code
    out = np.full(len(ordered), None, dtype=object)
    out[first.index.to_numpy()] = provs["code"].astype(str).to_numpy()[first.to_numpy()]
    index = pd.Index(ordered["code"].astype(str), name="code")
    return pd.Series(out, index=index, name="province", dtype=object)


def split_by_province(zones: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area of each zone's planning boundary inside each province, for zones on a border.

    Only zones whose boundary intersects two or more provinces are measured (an STRtree
    query finds them; the intersection with detailed province outlines is computed for those
    alone). Returns ``code``, ``province_code``, ``area_ha`` (ellipsoidal) and ``share`` of the
    zone's area, sorted by ``code`` then ``province_code``; pieces of zero area are dropped.
    """
    require_columns(zones, ("code",), "zones")
    require_columns(provinces, ("code",), "provinces")
    ordered = to_wgs84(zones).sort_values("code", kind="stable")
    provs = to_wgs84(provinces).sort_values("code", kind="stable")
    geoms = polygonal_parts(ordered.geometry.to_numpy())
    prov_geoms = provs.geometry.to_numpy()
    prov_idx, zone_idx = shapely.STRtree(geoms).query(prov_geoms, predicate="intersects")
    on_border = np.bincount(zone_idx, minlength=len(geoms))[zone_idx] >= 2
    zone_idx, prov_idx = zone_idx[on_border], prov_idx[on_border]
    pieces = shapely.intersection(geoms[zone_idx], prov_geoms[prov_idx])
    area_ha = np.nan_to_num(ellipsoidal_area_ha(pieces))
    frame = pd.DataFrame(
        {
            "code": ordered["code"].astype(str).to_numpy()[zone_idx],
            "province_code": provs["code"].astype(str).to_numpy()[prov_idx],
            "area_ha": area_ha,
            "share": area_ha / ellipsoidal_area_ha(geoms[zone_idx]),
        }
    )
    frame = frame[frame["area_ha"] > 0]
    return frame.sort_values(["code", "province_code"], kind="stable").reset_index(drop=True)


def province_density(
    zones: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, *, located: pd.Series | None = None
) -> pd.DataFrame:
    """Density and nearest-neighbour statistics of the zones in each province.

    Parameters
    ----------
    zones : GeoDataFrame
        EPSG:4326, ``code``, ``kind`` and the planning boundary geometry. Zones without a
        geometry cannot be located and are left out.
    provinces : GeoDataFrame
        EPSG:4326, ``code`` and optionally ``name_vi``, ``admin_version``, ``area_km2`` (the
        ellipsoidal area is computed when ``area_km2`` is missing).
    located : Series, optional
        :func:`assign_provinces` of the same zones and provinces, when already computed.

    Returns
    -------
    DataFrame
        One row per province sorted by ``code``: ``zones``, ``zones_kkt``/``_kcn``/``_ccn``,
        ``zones_per_1000km2``, ``zone_area_ha``, ``zone_area_ha_per_1000km2``, edge-to-edge
        nearest-neighbour distances ``nn_mean_m``, ``nn_median_m``, ``nn_min_m`` (None with
        fewer than 2 zones), and the Clark–Evans ratio ``clark_evans_r`` of the zones'
        representative points against the province area with ``clark_evans_z``,
        ``clark_evans_p`` (two-sided) and ``clark_evans_reason`` (why they are None).

    Examples
    --------
    >>> from shapely import box
    >>> prov = gpd.GeoDataFrame({"code": ["01"], "area_km2": [100.0]},
    ...                         geometry=[box(105.0, 21.0, 106.0, 22.0)], crs=4326)
    >>> z = gpd.GeoDataFrame({"code": ["A"], "kind": ["KCN"]},
    ...                      geometry=[box(105.5, 21.5, 105.51, 21.51)], crs=4326)
    >>> float(province_density(z, prov)["zones_per_1000km2"].iloc[0])
    10.0
    """
    require_columns(zones, ("code", "kind"), "zones")
    ordered = to_wgs84(zones).sort_values("code", kind="stable")
    provs = to_wgs84(provinces).sort_values("code", kind="stable").reset_index(drop=True)
    if located is None:
        located = assign_provinces(ordered, provs)
    located = located.reindex(ordered["code"].astype(str)).to_numpy()
    rows = _province_rows(ordered, provs, located)
    columns = zip(*rows, strict=True) if rows else [[] for _ in _DENSITY_COLUMNS]
    return pd.DataFrame(
        {
            name: pd.Series(list(values), dtype=object if name in _NULLABLE else None)
            for name, values in zip(_DENSITY_COLUMNS, columns, strict=True)
        }
    )


def _province_rows(
    ordered: gpd.GeoDataFrame, provs: gpd.GeoDataFrame, located: np.ndarray
) -> list[list]:
    geoms = polygonal_parts(ordered.geometry.to_numpy())
    areas_ha = np.nan_to_num(ellipsoidal_area_ha(geoms))
    kinds = ordered["kind"].astype(str).to_numpy()
    rows = []
    for _, prov in provs.iterrows():  # one row per province: a few dozen
        members = np.flatnonzero(located == str(prov["code"]))
        rows.append(_province_row(prov, geoms[members], kinds[members], areas_ha[members]))
    return rows


_DENSITY_COLUMNS = [
    "code",
    "name_vi",
    "admin_version",
    "area_km2",
    "zones",
    *(f"zones_{k.lower()}" for k in ZONE_KINDS),
    "zones_per_1000km2",
    "zone_area_ha",
    "zone_area_ha_per_1000km2",
    "nn_mean_m",
    "nn_median_m",
    "nn_min_m",
    "clark_evans_r",
    "clark_evans_z",
    "clark_evans_p",
    "clark_evans_reason",
]


# kept as object columns so that "undefined" stays None (JSON null), never NaN
_NULLABLE = frozenset(
    {"name_vi", "admin_version", "nn_mean_m", "nn_median_m", "nn_min_m"}
    | {c for c in _DENSITY_COLUMNS if c.startswith("clark_evans")}
)


def _province_row(prov: pd.Series, geoms: np.ndarray, kinds: np.ndarray, areas_ha: np.ndarray):
    area_km2 = _province_area_km2(prov)
    n = len(geoms)
    rep = shapely.point_on_surface(prov.geometry)
    metric = laea(rep.x, rep.y)
    geoms_m = project(geoms, metric)
    nn = _nearest_edge_distances_m(geoms_m)
    points = shapely.get_coordinates(shapely.point_on_surface(geoms_m))
    ce = clark_evans(points, area_m2=area_km2 * 1e6)
    per_1000 = 1000.0 / area_km2 if area_km2 > 0 else math.nan
    return [
        str(prov["code"]),
        prov.get("name_vi"),
        prov.get("admin_version"),
        area_km2,
        n,
        *(int(np.sum(kinds == k)) for k in ZONE_KINDS),
        n * per_1000,
        float(areas_ha.sum()),
        float(areas_ha.sum()) * per_1000,
        float(nn.mean()) if len(nn) else None,
        float(np.median(nn)) if len(nn) else None,
        float(nn.min()) if len(nn) else None,
        ce.r,
        ce.z,
        ce.p,
        ce.reason,
    ]


def clark_evans(points_m: np.ndarray, *, area_m2: float) -> ClarkEvans:
    """Clark–Evans nearest-neighbour ratio of planar points in a study area.

    R = observed mean NN distance / (0.5 / sqrt(n / A)); R < 1 is clustered, R > 1 dispersed.
    The observed distances are each point's nearest other point (a scipy KD-tree, as
    ``pointpats.PointPattern.mean_nnd`` computes them); z uses the standard error
    0.26136 / sqrt(n² / A) and p is two-sided under complete spatial randomness (normal
    approximation). No edge correction.

    Parameters
    ----------
    points_m : ndarray of shape (n, 2)
        Coordinates in a metric CRS, metres.
    area_m2 : float
        Area of the study region in square metres.

    Returns
    -------
    ClarkEvans
        ``r``, ``z``, ``p`` are None with a ``reason`` when fewer than 2 points or no area.

    Examples
    --------
    >>> import numpy as np
    >>> ce = clark_evans(np.array([[0.0, 0.0], [10.0, 0.0]]), area_m2=800.0)
    >>> round(ce.r, 3)
    1.0
    """
    n = len(points_m)
    if n < 2:
        reason = f"fewer than 2 zones with a footprint (n={n}): the ratio is undefined"
        return _undefined_clark_evans(n, reason)
    if not area_m2 > 0:
        return _undefined_clark_evans(n, "the study area is empty")
    points = np.asarray(points_m, dtype=float)
    distances, _ = cKDTree(points).query(points, k=2)  # column 0 is the point itself
    observed = float(distances[:, 1].mean())
    intensity = n / area_m2
    expected = 0.5 / math.sqrt(intensity)
    z = (observed - expected) / (_CE_STANDARD_ERROR / math.sqrt(n * intensity))
    return ClarkEvans(
        n=n,
        mean_nn_m=observed,
        expected_nn_m=expected,
        r=observed / expected,
        z=z,
        p=math.erfc(abs(z) / math.sqrt(2.0)),  # two-sided normal tail, 2 * (1 - Phi(|z|))
        reason=None,
    )


def _undefined_clark_evans(n: int, reason: str) -> ClarkEvans:
    return ClarkEvans(n, mean_nn_m=None, expected_nn_m=None, r=None, z=None, p=None, reason=reason)


def _nearest_edge_distances_m(geoms_m: np.ndarray) -> np.ndarray:
    """Edge-to-edge distance from each geometry to its nearest other one (0 when touching).

    Exact, in two vectorised passes instead of a GEOS nearest search per geometry (which
    crawls on dense data): the distance to the geometry with the nearest representative
    point (scipy KD-tree) bounds the answer from above; the STRtree then yields every
    geometry whose envelope lies within that bound, and the exact minimum is taken over them.
    """
    n = len(geoms_m)
    if n < 2:
        return np.empty(0)
    points = shapely.get_coordinates(shapely.point_on_surface(geoms_m))
    _, near = cKDTree(points).query(points, k=2)
    other = np.where(near[:, 0] == np.arange(n), near[:, 1], near[:, 0])
    upper = shapely.distance(geoms_m, geoms_m[other])
    bounds = shapely.bounds(geoms_m)
    windows = shapely.box(*(bounds + upper[:, None] * np.array([-1, -1, 1, 1])).T)
    left, right = shapely.STRtree(geoms_m).query(windows)
    keep = (left != right) & (right != other[left])  # the upper bound measured that pair
    left, right = left[keep], right[keep]
    keep = bbox_gap_m(bounds[left], bounds[right]) <= upper[left]
    left, right = left[keep], right[keep]
    out = upper.copy()
    np.minimum.at(out, left, shapely.distance(geoms_m[left], geoms_m[right]))
    return out


def _province_area_km2(prov: pd.Series) -> float:
    value = pd.to_numeric(prov.get("area_km2"), errors="coerce")
    if value is not None and np.isfinite(value) and value > 0:
        return float(value)
    return float(ellipsoidal_area_ha([prov.geometry])[0]) / 100.0
