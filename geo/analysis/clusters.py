"""Density-based clusters of zones: DBSCAN on the graph of zones within a distance.

Inputs are EPSG:4326. Distances are edge-to-edge between planning boundaries in metres, in one
transverse Mercator centred on the data (scale error below 0.25 % within ±4° of longitude,
i.e. < 13 m at 5 km). Neighbour pairs come from an STRtree search
(:mod:`geo.analysis.near_pairs`), never an all-pairs matrix.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from geo.analysis.footprint import polygonal_parts
from geo.analysis.near_pairs import pairs_within_m
from geo.crs.area import ellipsoidal_area_ha
from geo.frames import anchor_lonlat, object_column, project, require_columns, to_wgs84
from geo.types import Cluster


def find_dense_clusters(
    zones: gpd.GeoDataFrame,
    *,
    distance_m: float = 5000.0,
    min_zones: int = 3,
    anchor: tuple[float, float] | None = None,
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
    anchor : (lon, lat), optional
        Centre of the transverse Mercator the distances are measured in; by default the
        median centroid of the zones. A partitioned run passes one anchor to every partition
        so that each pair is measured the same way wherever it is found.

    Returns
    -------
    list of Cluster
        Sorted by their smallest member code, ``cluster_id`` 1, 2, …; ``province_code`` is the
        most common stored province code of the members; ``hull`` is in EPSG:4326.
    """
    require_columns(zones, ("code",), "zones")
    ordered = to_wgs84(zones).sort_values("code", kind="stable").reset_index(drop=True)
    geoms = polygonal_parts(ordered.geometry.to_numpy())
    present = np.flatnonzero(~shapely.is_missing(geoms))
    if len(present) < max(min_zones, 1):
        return []
    left, right = pairs_within(geoms[present], distance_m=distance_m, anchor=anchor)
    nodes = cluster_nodes(ordered.iloc[present], geoms[present])
    return clusters_from_graph(nodes, left, right, min_zones=min_zones)


def cluster_anchor(geoms: np.ndarray) -> tuple[float, float]:
    """Median centroid (lon, lat) of EPSG:4326 geometries: the default centre of the metric CRS."""
    lon, lat = (float(np.nanmedian(c)) for c in anchor_lonlat(geoms))
    return lon, lat


def outline_anchor(provinces: gpd.GeoDataFrame) -> tuple[float, float]:
    """Centre (lon, lat) of the provinces' bounds: where an analysis measures cluster distances.

    Tied to the admin version's outlines, not to the zones, so that an edit somewhere never
    moves the projection of pairs elsewhere, and every partition of a run measures alike.
    """
    minx, miny, maxx, maxy = to_wgs84(provinces).total_bounds
    return (float(minx + maxx) / 2.0, float(miny + maxy) / 2.0)


def pairs_within(
    geoms: np.ndarray,
    *,
    distance_m: float,
    anchor: tuple[float, float] | None = None,
    sources: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs i < j of EPSG:4326 polygonal geometries at most ``distance_m`` apart
    (:func:`geo.analysis.near_pairs.pairs_within_m`); with ``sources``, only the pairs with
    i < ``sources`` (an end among the first ``sources``)."""
    lon, lat = anchor if anchor is not None else cluster_anchor(geoms)
    crs = f"+proj=tmerc +lat_0={lat} +lon_0={lon} +k=1 +ellps=WGS84 +units=m +no_defs"
    geoms_m = project(geoms, pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True))
    return pairs_within_m(geoms_m, distance_m, core=sources)


def cluster_nodes(members: pd.DataFrame, geoms: np.ndarray) -> pd.DataFrame:
    """What a cluster needs of each zone: ``code``, ``province_code``, ``area_ha``,
    ``occupancy`` and ``hull`` (the convex hull of its footprint, EPSG:4326), in code order."""
    return pd.DataFrame(
        {
            "code": members["code"].astype(str).to_numpy(),
            "province_code": object_column(members, "province_code"),
            "area_ha": np.nan_to_num(ellipsoidal_area_ha(geoms)),
            "occupancy": zone_occupancy(members),
            "hull": shapely.convex_hull(geoms),
        }
    )


def clusters_from_graph(
    nodes: pd.DataFrame,
    left: np.ndarray,
    right: np.ndarray,
    *,
    min_zones: int,
    hulls: Callable[[np.ndarray], dict] | None = None,
) -> list[Cluster]:
    """DBSCAN clusters of :func:`cluster_nodes` (sorted by code) linked by pairs ``left < right``.

    The graph may be assembled from several partitions: each pair must appear once. When
    ``nodes`` has a ``degree`` column (zones within reach, itself included: see
    :mod:`geo.analysis.cluster_graph`) it decides the cores instead of counting the pairs.
    ``hulls`` gives the hull of each label from the labels when the caller knows a cheaper
    way than the members' hulls.
    """
    if len(nodes) < max(min_zones, 1):
        return []
    degree = nodes["degree"].to_numpy() if "degree" in nodes else None
    labels = _dbscan_labels(len(nodes), left, right, min_zones=min_zones, degree=degree)
    return _build_clusters(nodes, labels, hulls)


def zone_occupancy(zones: pd.DataFrame) -> np.ndarray:
    """Occupancy = ``leased_land_ha`` / ``industrial_land_ha`` per row (NaN when undefined)."""
    if "leased_land_ha" not in zones or "industrial_land_ha" not in zones:
        return np.full(len(zones), np.nan)
    leased = pd.to_numeric(zones["leased_land_ha"], errors="coerce").to_numpy(dtype=float)
    leasable = pd.to_numeric(zones["industrial_land_ha"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(leasable > 0, leased / leasable, np.nan)


def _dbscan_labels(
    n: int, left: np.ndarray, right: np.ndarray, *, min_zones: int, degree: np.ndarray | None
) -> np.ndarray:
    """DBSCAN labels (-1 = noise) of ``n`` nodes from the sparse graph of pairs within reach.

    Cores have at least ``min_zones`` zones within the distance, themselves included;
    clusters are the connected components of the core-to-core graph (scipy); a border zone
    joins the cluster of its first core neighbour in code order, which makes the result
    independent of row order (sklearn's DBSCAN picks whichever cluster reaches it first).
    """
    if degree is None:
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


def _build_clusters(
    nodes: pd.DataFrame, labels: np.ndarray, hulls_of: Callable[[np.ndarray], dict] | None = None
) -> list[Cluster]:
    """Clusters from labels; rows are in code order, so a group's first row is its first code."""
    clustered = np.flatnonzero(labels >= 0)
    if not len(clustered):
        return []
    codes = nodes["code"].to_numpy(dtype=object)
    areas_ha = nodes["area_ha"].to_numpy(dtype=float)
    occupancy = nodes["occupancy"].to_numpy(dtype=float)
    provinces = nodes["province_code"].to_numpy(dtype=object)
    if hulls_of is None:
        hulls = hulls_by_label(nodes["hull"].to_numpy()[clustered], labels[clustered])
    else:
        hulls = hulls_of(labels)
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
                members=tuple(map(str, codes[idx].tolist())),
                total_area_ha=float(areas_ha[idx].sum()),
                mean_occupancy=float(occ.mean()) if len(occ) else None,
                hull=hulls[labels[idx[0]]],
            )
        )
    return clusters


def hulls_by_label(geoms: np.ndarray, labels: np.ndarray) -> dict:
    """Convex hull per label of the geometries (their own hulls give the same hull).

    Each label's coordinates become one linestring, built straight from the coordinate array
    (no geometry per point), whose convex hull is that of its vertices.
    """
    coords, geom_idx = shapely.get_coordinates(geoms, return_index=True)
    coord_labels = labels[geom_idx]
    order = np.argsort(coord_labels, kind="stable")
    coords, coord_labels = coords[order], coord_labels[order]
    uniq, starts, sizes = np.unique(coord_labels, return_index=True, return_counts=True)
    single = sizes == 1  # a linestring needs two coordinates: repeat a lone one
    if single.any():
        coords = np.insert(coords, starts[single], coords[starts[single]], axis=0)
        sizes = sizes + single
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(uniq)), sizes))
    return dict(zip(uniq.tolist(), shapely.convex_hull(lines), strict=True))


def _mode(values: np.ndarray) -> str | None:
    """The most common value as text (the smallest on a tie), missing values left out."""
    present = pd.Series(values, dtype=object).dropna()
    if present.empty:
        return None
    counts = present.astype(str).value_counts()
    return min(counts.index[counts == counts.max()])
