"""Zone density per province, nearest-neighbour statistics and density-based zone clusters.

Inputs are EPSG:4326. Distances are edge-to-edge between zone footprints (planning boundaries)
in metres, measured in a metric projection: a Lambert azimuthal equal-area centred on each
province for per-province statistics, and one transverse Mercator centred on the data for the
national cluster graph (scale error below 0.25 % within ±4° of longitude, i.e. < 13 m at 5 km).
Neighbour searches use an STRtree, never an all-pairs matrix.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.stats import norm

from geo.footprint import (
    _anchor_lonlat,
    _laea,
    _project,
    _require_columns,
    _to_wgs84,
    ellipsoidal_area_ha,
    geodesic_area_ha,
    polygonal_parts,
)
from geo.types import ClarkEvans, Cluster

KINDS = ("KKT", "KCN", "CCN")
_CE_STANDARD_ERROR = 0.26136  # Clark & Evans (1954): SE of the mean NN distance = 0.26136/sqrt(n·ρ)


def assign_provinces(zones: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> pd.Series:
    """Province of each zone by spatial join of its footprint's representative point.

    The stored ``province_code`` is ignored; any admin version of ``provinces`` works. Returns
    a Series indexed by zone ``code`` (sorted) holding the province ``code``, or None for zones
    without geometry or outside every province. A point on a shared border goes to the
    province with the smallest code.
    """
    _require_columns(zones, ("code",), "zones")
    _require_columns(provinces, ("code",), "provinces")
    ordered = _to_wgs84(zones).sort_values("code", kind="stable")
    provs = _to_wgs84(provinces).sort_values("code", kind="stable")
    geoms = polygonal_parts(ordered.geometry.to_numpy())
    points = shapely.point_on_surface(geoms)
    tree = shapely.STRtree(provs.geometry.to_numpy())
    zone_idx, prov_idx = tree.query(points, predicate="intersects")
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
    _require_columns(zones, ("code",), "zones")
    _require_columns(provinces, ("code",), "provinces")
    ordered = _to_wgs84(zones).sort_values("code", kind="stable")
    provs = _to_wgs84(provinces).sort_values("code", kind="stable")
    geoms = polygonal_parts(ordered.geometry.to_numpy())
    prov_geoms = provs.geometry.to_numpy()
    zone_idx, prov_idx = shapely.STRtree(prov_geoms).query(geoms, predicate="intersects")
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


def province_density(zones: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> pd.DataFrame:
    """Density and nearest-neighbour statistics of the zones in each province.

    Parameters
    ----------
    zones : GeoDataFrame
        EPSG:4326, ``code``, ``kind`` and the planning boundary geometry. Zones without a
        geometry cannot be located and are left out.
    provinces : GeoDataFrame
        EPSG:4326, ``code`` and optionally ``name_vi``, ``admin_version``, ``area_km2`` (the
        ellipsoidal area is computed when ``area_km2`` is missing).

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
    _require_columns(zones, ("code", "kind"), "zones")
    ordered = _to_wgs84(zones).sort_values("code", kind="stable")
    provs = _to_wgs84(provinces).sort_values("code", kind="stable").reset_index(drop=True)
    located = assign_provinces(ordered, provs).to_numpy()
    geoms = polygonal_parts(ordered.geometry.to_numpy())
    areas_ha = np.nan_to_num(ellipsoidal_area_ha(geoms))
    kinds = ordered["kind"].astype(str).to_numpy()
    rows = []
    for _, prov in provs.iterrows():
        members = np.flatnonzero(located == str(prov["code"]))
        rows.append(_province_row(prov, geoms[members], kinds[members], areas_ha[members]))
    columns = zip(*rows, strict=True) if rows else [[] for _ in _DENSITY_COLUMNS]
    return pd.DataFrame(
        {
            name: pd.Series(list(values), dtype=object if name in _NULLABLE else None)
            for name, values in zip(_DENSITY_COLUMNS, columns, strict=True)
        }
    )


_DENSITY_COLUMNS = [
    "code",
    "name_vi",
    "admin_version",
    "area_km2",
    "zones",
    *(f"zones_{k.lower()}" for k in KINDS),
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
    metric = _laea(rep.x, rep.y)
    geoms_m = _project(geoms, metric)
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
        *(int(np.sum(kinds == k)) for k in KINDS),
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
    The observed distances come from ``pointpats.PointPattern.mean_nnd`` (pointpats 2.5 has no
    Clark–Evans function of its own); z uses the standard error 0.26136 / sqrt(n² / A) and p is
    two-sided under complete spatial randomness. No edge correction.

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
    from pointpats import PointPattern  # heavy import (matplotlib): only when needed

    with warnings.catch_warnings():  # pointpats builds a libpysal window it never needs here
        warnings.filterwarnings("ignore", "Objects based on the `Geometry` class", FutureWarning)
        observed = float(PointPattern(np.asarray(points_m, dtype=float)).mean_nnd)
    intensity = n / area_m2
    expected = 0.5 / math.sqrt(intensity)
    z = (observed - expected) / (_CE_STANDARD_ERROR / math.sqrt(n * intensity))
    return ClarkEvans(
        n=n,
        mean_nn_m=observed,
        expected_nn_m=expected,
        r=observed / expected,
        z=z,
        p=float(2.0 * norm.sf(abs(z))),
        reason=None,
    )


def _undefined_clark_evans(n: int, reason: str) -> ClarkEvans:
    return ClarkEvans(n, mean_nn_m=None, expected_nn_m=None, r=None, z=None, p=None, reason=reason)


def find_dense_clusters(
    zones: gpd.GeoDataFrame, *, distance_m: float = 5000.0, min_zones: int = 3
) -> list[Cluster]:
    """Density-based clusters of zones whose footprints lie within ``distance_m`` of each other.

    DBSCAN on the sparse graph of zone pairs whose planning boundaries are at most
    ``distance_m`` metres apart edge to edge (an STRtree search, equivalent to a ``dwithin``
    query): a zone with at least ``min_zones`` zones (itself included) within the distance
    is a core; connected cores form a cluster, and other zones within the distance of a core
    join it as border members.

    Parameters
    ----------
    zones : GeoDataFrame
        EPSG:4326, ``code``, geometry; optional ``province_code``, ``industrial_land_ha`` and
        ``leased_land_ha`` (for the cluster's province and mean occupancy).

    Returns
    -------
    list of Cluster
        Sorted by their smallest member code, ``cluster_id`` 1, 2, …; ``province_code`` is the
        most common stored province code of the members; ``hull`` is in EPSG:4326.
    """
    _require_columns(zones, ("code",), "zones")
    ordered = _to_wgs84(zones).sort_values("code", kind="stable").reset_index(drop=True)
    geoms = polygonal_parts(ordered.geometry.to_numpy())
    present = np.flatnonzero(~shapely.is_missing(geoms))
    if len(present) < max(min_zones, 1):
        return []
    labels = _dbscan_labels(geoms[present], distance_m=distance_m, min_zones=min_zones)
    return _build_clusters(ordered.iloc[present], geoms[present], labels)


def zone_occupancy(zones: pd.DataFrame) -> np.ndarray:
    """Occupancy = ``leased_land_ha`` / ``industrial_land_ha`` per row (NaN when undefined)."""
    if "leased_land_ha" not in zones or "industrial_land_ha" not in zones:
        return np.full(len(zones), np.nan)
    leased = pd.to_numeric(zones["leased_land_ha"], errors="coerce").to_numpy(dtype=float)
    leasable = pd.to_numeric(zones["industrial_land_ha"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(leasable > 0, leased / leasable, np.nan)


def _dbscan_labels(geoms: np.ndarray, *, distance_m: float, min_zones: int) -> np.ndarray:
    """DBSCAN labels (-1 = noise) from the sparse graph of pairs within ``distance_m``.

    Cores have at least ``min_zones`` zones within the distance, themselves included;
    clusters are the connected components of the core-to-core graph (scipy); a border zone
    joins the cluster of its first core neighbour in code order, which makes the result
    independent of row order (sklearn's DBSCAN picks whichever cluster reaches it first).
    """
    lon, lat = (float(np.median(c)) for c in _anchor_lonlat(geoms))
    crs = f"+proj=tmerc +lat_0={lat} +lon_0={lon} +k=1 +ellps=WGS84 +units=m +no_defs"
    geoms_m = _project(geoms, pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True))
    left, right = _pairs_within(geoms_m, distance_m)
    n = len(geoms)
    degree = np.bincount(left, minlength=n) + np.bincount(right, minlength=n) + 1
    core = degree >= min_zones
    linked = core[left] & core[right]
    graph = sparse.coo_matrix(
        (np.ones(int(linked.sum())), (left[linked], right[linked])), shape=(n, n)
    )
    _, component = connected_components(graph, directed=False)
    labels = np.where(core, component, -1)
    border = np.concatenate([left[core[right] & ~core[left]], right[core[left] & ~core[right]]])
    anchor = np.concatenate([right[core[right] & ~core[left]], left[core[left] & ~core[right]]])
    order = np.lexsort((anchor, border))
    border, anchor = border[order], anchor[order]
    first = np.r_[True, border[1:] != border[:-1]] if len(border) else np.zeros(0, dtype=bool)
    labels[border[first]] = component[anchor[first]]
    return labels


def _pairs_within(
    geoms_m: np.ndarray, distance_m: float, *, chunk: int = 50_000
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs i < j of metric geometries at most ``distance_m`` apart, edge to edge.

    Equivalent to an STRtree ``dwithin`` query, but cheaper: envelope candidates are settled
    by a lower bound (the gap between bounding boxes) and an upper bound (the distance between
    a point inside each geometry); only the pairs in between get an exact GEOS test. Chunks
    bound the memory.
    """
    tree = shapely.STRtree(geoms_m)
    bounds = shapely.bounds(geoms_m)
    inside = shapely.get_coordinates(shapely.point_on_surface(geoms_m))
    lefts, rights = [], []
    for start in range(0, len(geoms_m), chunk):
        idx = np.arange(start, min(start + chunk, len(geoms_m)))
        b = bounds[idx]
        windows = shapely.box(
            b[:, 0] - distance_m, b[:, 1] - distance_m, b[:, 2] + distance_m, b[:, 3] + distance_m
        )
        query_idx, right = tree.query(windows)
        left = idx[query_idx]
        keep = left < right
        left, right = left[keep], right[keep]
        maybe = _bbox_gap_m(bounds[left], bounds[right]) <= distance_m
        left, right = left[maybe], right[maybe]
        within = np.hypot(*(inside[left] - inside[right]).T) <= distance_m
        unsure = np.flatnonzero(~within)
        within[unsure] = shapely.dwithin(geoms_m[left[unsure]], geoms_m[right[unsure]], distance_m)
        lefts.append(left[within])
        rights.append(right[within])
    return np.concatenate(lefts), np.concatenate(rights)


def _bbox_gap_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dx = np.maximum(0.0, np.maximum(a[:, 0] - b[:, 2], b[:, 0] - a[:, 2]))
    dy = np.maximum(0.0, np.maximum(a[:, 1] - b[:, 3], b[:, 1] - a[:, 3]))
    return np.hypot(dx, dy)


def _build_clusters(members: pd.DataFrame, geoms: np.ndarray, labels: np.ndarray):
    """Clusters from labels; rows are in code order, so a group's first row is its first code."""
    clustered = np.flatnonzero(labels >= 0)
    if not len(clustered):
        return []
    codes = members["code"].astype(str).to_numpy()
    areas_ha = np.nan_to_num(ellipsoidal_area_ha(geoms))
    occupancy = zone_occupancy(members)
    provinces = (
        members["province_code"].to_numpy(dtype=object)
        if "province_code" in members
        else np.full(len(members), None, dtype=object)
    )
    hulls = _hulls(geoms[clustered], labels[clustered])
    grouped = clustered[np.argsort(labels[clustered], kind="stable")]
    starts = np.flatnonzero(np.diff(labels[grouped], prepend=-2))
    groups = sorted(np.split(grouped, starts[1:]), key=lambda g: g[0])
    clusters = []
    for cluster_id, idx in enumerate(groups, start=1):
        occ = occupancy[idx][np.isfinite(occupancy[idx])]
        clusters.append(
            Cluster(
                cluster_id=cluster_id,
                province_code=_mode(provinces[idx]),
                members=tuple(codes[idx].tolist()),
                total_area_ha=float(areas_ha[idx].sum()),
                mean_occupancy=float(occ.mean()) if len(occ) else None,
                hull=hulls[labels[idx[0]]],
            )
        )
    return clusters


def _hulls(geoms: np.ndarray, labels: np.ndarray) -> dict:
    coords, geom_idx = shapely.get_coordinates(geoms, return_index=True)
    coord_labels = labels[geom_idx]
    order = np.argsort(coord_labels, kind="stable")
    uniq, starts = np.unique(coord_labels[order], return_index=True)
    sizes = np.diff([*starts, len(order)])
    points = shapely.multipoints(coords[order], indices=np.repeat(np.arange(len(uniq)), sizes))
    return dict(zip(uniq.tolist(), shapely.convex_hull(points), strict=True))


def _mode(values: np.ndarray) -> str | None:
    counts = Counter(str(v) for v in values if v is not None and not pd.isna(v))
    if not counts:
        return None
    top = max(counts.values())
    return min(code for code, n in counts.items() if n == top)


def _nearest_edge_distances_m(geoms_m: np.ndarray) -> np.ndarray:
    """Edge-to-edge distance from each geometry to its nearest other one (0 when touching)."""
    n = len(geoms_m)
    if n < 2:
        return np.empty(0)
    tree = shapely.STRtree(geoms_m)
    (src, dst), _ = tree.query_nearest(geoms_m, return_distance=True, all_matches=True)
    out = np.full(n, np.nan)
    touching = np.unique(src[src != dst])  # another zone ties with itself at distance 0
    out[touching] = 0.0
    rest = np.setdiff1d(np.arange(n), touching)
    if len(rest):
        # no other zone is at distance 0 from these, so ``exclusive`` drops only the zone itself
        (src2, _), dist = tree.query_nearest(geoms_m[rest], return_distance=True, exclusive=True)
        out[rest[src2]] = dist
    return out


def _province_area_km2(prov: pd.Series) -> float:
    value = pd.to_numeric(prov.get("area_km2"), errors="coerce")
    if value is not None and np.isfinite(value) and value > 0:
        return float(value)
    return geodesic_area_ha(prov.geometry) / 100.0
