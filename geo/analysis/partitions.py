"""The analysis cut into provinces: one partition per province, combined into the national result.

A partition is one province of the analysed admin version: its *core* zones and a *halo* of
the zones around them, within the largest distance any rule looks across (the cluster distance;
overlaps need zones that touch, and the cross-province rule reads province outlines only).
Each partition computes what depends on its core alone — footprint metrics, every flag rule but
``DENSE_CLUSTER``, the province's density row — plus its part of the cluster graph: the zone
pairs within the cluster distance that have a core end, and what a cluster needs of each core
zone. :func:`combine` joins the graphs of all partitions, runs DBSCAN once over the nation and
raises ``DENSE_CLUSTER``; the union is exactly :func:`geo.analysis.run.analyze` of the same data.

A zone's core province is the one :func:`geo.analysis.density.assign_provinces` gives (the
province holding its footprint's representative point, the smallest code on a shared border),
the rule the analysis has always used for density. A zone located in no province belongs to the
smallest-coded province within :data:`ORPHAN_REACH_DEG` of it, or else to the partition ``None``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from geo.analysis.cluster_graph import reduce_graph
from geo.analysis.clusters import (
    cluster_nodes,
    clusters_from_graph,
    hulls_by_label,
    pairs_within,
)
from geo.analysis.density import assign_provinces, province_density
from geo.analysis.footprint import compare_footprints, polygonal_parts
from geo.analysis.run import clusters_by_province, fingerprint_inputs
from geo.errors import AdminVersionError
from geo.flags.rules import cluster_flags, evaluate_flags, flag_order
from geo.flags.thresholds import Thresholds
from geo.frames import object_column, require_columns, to_wgs84
from geo.types import AnalysisResult, Flag

ORPHAN_REACH_DEG = 1e-4  # a zone outside every outline belongs to a province this close (~11 m)
METRES_PER_DEGREE_MIN = 90_000.0  # fewer metres than one degree of longitude or latitude below 35°


@dataclass(frozen=True)
class PartitionResult:
    """What one province's partition contributes to the national result.

    ``province`` is the province code (None: the zones located in no province), ``metrics``
    and ``flags`` cover the core zones (no ``DENSE_CLUSTER``), ``density`` is the province's
    row of :func:`geo.analysis.density.province_density` (empty for ``None``), ``located`` maps
    each core zone to its province by representative point (None when outside every outline),
    ``nodes`` are the :func:`geo.analysis.clusters.cluster_nodes` of the core zones with their
    ``degree`` and ``edges`` code pairs (a < b), both reduced to what the national DBSCAN needs
    (:func:`geo.analysis.cluster_graph.reduce_graph`).
    """

    province: str | None
    metrics: pd.DataFrame
    flags: list[Flag]
    density: pd.DataFrame
    located: pd.Series
    nodes: pd.DataFrame
    edges: pd.DataFrame
    fingerprint: str
    zone_count: int = field(default=0)


@dataclass(frozen=True)
class ClusterInputs:
    """What the national cluster step needs of one partition (small: no metrics, no flags):
    ``nodes`` and ``edges`` as in :class:`PartitionResult` and ``located`` for those nodes."""

    province: str | None
    nodes: pd.DataFrame
    edges: pd.DataFrame
    located: pd.Series

    def __getstate__(self) -> dict:
        """Pickled with the hulls as one WKB array, so that unpickling makes the geometries in
        one vectorised call instead of one call per zone (the core groups are not kept)."""
        nodes = self.nodes.assign(hull=shapely.to_wkb(self.nodes["hull"].to_numpy()))
        state = {k: v for k, v in self.__dict__.items() if k != "_groups"}
        return {**state, "nodes": nodes}

    def __setstate__(self, state: dict) -> None:
        hulls = state["nodes"]["hull"].to_numpy()
        if not shapely.is_geometry(hulls).any():  # WKB (inputs pickled before hold geometries)
            state = {**state, "nodes": state["nodes"].assign(hull=shapely.from_wkb(hulls))}
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def core_groups(self, min_zones: int) -> tuple[np.ndarray, np.ndarray]:
        """(group of each node, convex hull of each group): the groups are the connected sets
        of this partition's core nodes (``degree`` ≥ ``min_zones``) linked by its own pairs,
        every other node alone. Core nodes linked by a pair are in one DBSCAN cluster, so a
        cluster's hull is the hull of its groups' hulls. Kept on the object once computed
        (a combine reuses the inputs of the partitions that did not change)."""
        kept = self.__dict__.get("_groups")
        if kept is not None and kept[0] == min_zones:
            return kept[1], kept[2]
        n = len(self.nodes)
        index = pd.Index(self.nodes["code"])
        a, b = index.get_indexer(self.edges["a"]), index.get_indexer(self.edges["b"])
        if "degree" in self.nodes:
            core = self.nodes["degree"].to_numpy() >= min_zones
        else:
            core = np.zeros(n, dtype=bool)
        own = (a >= 0) & (b >= 0) & core[np.maximum(a, 0)] & core[np.maximum(b, 0)]
        graph = sparse.coo_matrix((np.ones(int(own.sum())), (a[own], b[own])), shape=(n, n))
        _, group = connected_components(graph, directed=False)
        hulls = _hulls_of_groups(self.nodes["hull"].to_numpy(), group)
        object.__setattr__(self, "_groups", (min_zones, group, hulls))
        return group, hulls


@dataclass(frozen=True)
class ClusterResult:
    """The dense clusters of the nation, their ``DENSE_CLUSTER`` flags and, per province code
    of ``provinces``, the sorted ids of the clusters with a member located in it."""

    clusters: list
    flags: list[Flag]
    provinces: list[str]
    by_province: list[tuple[int, ...]]


def cluster_inputs(part: PartitionResult) -> ClusterInputs:
    """The part of ``part`` the national cluster step reads."""
    located = part.located[part.located.index.isin(set(part.nodes["code"]))]
    return ClusterInputs(part.province, part.nodes, part.edges, located)


def combine_clusters(inputs: list[ClusterInputs], *, thresholds: Thresholds) -> ClusterResult:
    """Run DBSCAN once over the cluster graphs of every partition of an admin version."""
    nodes = pd.concat([i.nodes for i in inputs], ignore_index=True)
    nodes = nodes.sort_values("code", kind="stable").reset_index(drop=True)
    if not nodes["code"].is_unique:
        twice = sorted(nodes.loc[nodes["code"].duplicated(), "code"].astype(str))[:10]
        raise AdminVersionError(
            f"Zones {twice} appear in two partitions; analyse all provinces from one snapshot.",
            details={"zones": twice},
        )
    index = pd.Index(nodes["code"])
    left, right = _edge_positions(index, [i.edges for i in inputs])
    min_zones = thresholds.dense_cluster.min_zones
    clusters = clusters_from_graph(
        nodes, left, right, min_zones=min_zones, hulls=_group_hulls(inputs, index, min_zones)
    )
    codes = nodes["code"].astype(str)
    stored = dict(zip(codes, object_column(nodes, "province_code"), strict=True))
    located = pd.concat([i.located for i in inputs]).sort_index()
    provinces = sorted(i.province for i in inputs if i.province is not None)
    return ClusterResult(
        clusters=clusters,
        flags=cluster_flags(clusters, stored, thresholds=thresholds),
        provinces=provinces,
        by_province=clusters_by_province(located, clusters, pd.Series(provinces, dtype=object)),
    )


def halo_distance_m(thresholds: Thresholds) -> float:
    """The largest distance any rule looks across from a zone: the cluster distance."""
    return float(thresholds.dense_cluster.distance_m)


def halo_margin_deg(thresholds: Thresholds) -> float:
    """The halo distance in degrees, rounded up (for a bounding-box search in EPSG:4326)."""
    return halo_distance_m(thresholds) / METRES_PER_DEGREE_MIN + 2 * ORPHAN_REACH_DEG


def owner_provinces(
    zones: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, *, located: pd.Series | None = None
) -> pd.Series:
    """The partition of each zone (indexed by code): its located province, else the nearest
    outline within :data:`ORPHAN_REACH_DEG` (smallest code), else None.

    ``located`` is :func:`geo.analysis.density.assign_provinces` of the same zones and
    provinces, when the caller has it already.
    """
    if located is None:
        located = assign_provinces(zones, provinces)
    orphans = located.index[located.isna()]
    if not len(orphans):
        return located
    ordered = to_wgs84(zones).sort_values("code", kind="stable")
    geoms = polygonal_parts(ordered.geometry.to_numpy())
    pos = pd.Index(ordered["code"].astype(str)).get_indexer(orphans)
    provs = to_wgs84(provinces).sort_values("code", kind="stable")
    present = pos[~shapely.is_missing(geoms[pos])]
    if len(present):
        prov_idx, zone_idx = shapely.STRtree(geoms[present]).query(
            provs.geometry.to_numpy(), predicate="dwithin", distance=ORPHAN_REACH_DEG
        )
        first = pd.Series(prov_idx).groupby(zone_idx).min()
        codes = ordered["code"].astype(str).to_numpy()[present[first.index.to_numpy()]]
        owners = provs["code"].astype(str).to_numpy()[first.to_numpy()]
        located = located.copy()
        located.loc[codes] = owners
    return located


def analyze_partition(
    zones: gpd.GeoDataFrame,
    actual: gpd.GeoDataFrame,
    provinces: gpd.GeoDataFrame,
    *,
    province: str | None,
    thresholds: Thresholds,
    today: dt.date,
    anchor: tuple[float, float],
    chunk: tuple[int, int] = (0, 1),
) -> PartitionResult:
    """Analyse one partition, or one chunk of it.

    Parameters
    ----------
    zones : GeoDataFrame
        Every zone that may belong to ``province`` or lie within the halo distance of one that
        does (a superset is fine: the core is decided here). Rows with a true ``peer_only``
        are other zones of the same stored provinces, read for the Decree 32 rule only.
    actual : GeoDataFrame
        Actual footprints, at least those of the core zones.
    provinces : GeoDataFrame
        The outlines of the admin version near the zones (all of them is fine); must include
        ``province`` itself.
    province : str or None
        The province code, or None for the zones located in no province.
    anchor : (lon, lat)
        :func:`geo.analysis.clusters.outline_anchor` of all provinces of the version.
    chunk : (i, k)
        Analyse only the ``i``-th of ``k`` slices of the core by longitude (equal numbers of
        zones), the rest of the partition being its halo; :func:`merge_chunks` of the ``k``
        results is the partition's result (the density row and fingerprint, which need the
        whole core, come from chunk 0). Lets several processes share one large partition.
    """
    require_columns(zones, ("code", "kind"), "zones")
    require_columns(provinces, ("code",), "provinces")
    codes = set(provinces["code"].astype(str))
    if province is not None and province not in codes:
        raise AdminVersionError(
            f"Province {province} is not among the provinces given; pass its outline.",
            details={"province": province},
        )
    zones = to_wgs84(zones).sort_values("code", kind="stable").reset_index(drop=True)
    located_all = assign_provinces(zones, provinces)  # in the zones' (code) order
    owners = owner_provinces(zones, provinces, located=located_all)
    owners = owners.reindex(zones["code"].astype(str))
    in_core = (owners.isna() if province is None else owners == province).to_numpy()
    if "peer_only" in zones:  # read for their attributes only (no geometry): never core
        in_core = in_core & ~zones["peer_only"].fillna(False).to_numpy(dtype=bool)
    whole = zones[in_core].reset_index(drop=True)
    in_chunk = in_core & _chunk_mask(zones, in_core, chunk)
    core, halo = zones[in_chunk].reset_index(drop=True), zones[~in_chunk].reset_index(drop=True)
    actual = actual[actual["zone_code"].astype(str).isin(set(whole["code"].astype(str)))]
    core_actual = actual[actual["zone_code"].astype(str).isin(set(core["code"].astype(str)))]
    metrics = compare_footprints(core, core_actual)
    metrics.insert(1, "kind", core["kind"].to_numpy(dtype=object))
    metrics.insert(2, "province_code", object_column(core, "province_code"))
    flags = evaluate_flags(
        core, metrics, [], provinces, thresholds=thresholds, today=today, neighbours=halo
    )
    # the whole core's figures: the density row from the first chunk, the fingerprint from the last
    first, last = chunk[0] == 0, chunk[0] == chunk[1] - 1
    located = located_all[in_core if first else in_chunk] if len(core) else _empty_located()
    density = _density_row(whole, provinces, province, located) if first else pd.DataFrame()
    located = located[located.index.isin(set(core["code"].astype(str)))]
    nodes, edges = _cluster_graph(core, _near(halo, core, thresholds), thresholds, anchor)
    outline = provinces[provinces["code"] == province]
    return PartitionResult(
        province=province,
        metrics=metrics,
        flags=flags,
        density=density,
        located=located,
        nodes=nodes,
        edges=edges,
        fingerprint=fingerprint_inputs(whole, actual, outline) if last else "",
        zone_count=len(core),
    )


def merge_chunks(chunks: list[PartitionResult]) -> PartitionResult:
    """One partition's result from the results of its ``chunk`` (i, k) analyses, i = 0..k-1
    in that order."""
    first = chunks[0]
    if len(chunks) == 1:
        return first
    metrics = pd.concat([c.metrics for c in chunks], ignore_index=True)
    nodes = pd.concat([c.nodes for c in chunks], ignore_index=True)
    return PartitionResult(
        province=first.province,
        metrics=metrics.sort_values("code", kind="stable").reset_index(drop=True),
        flags=sorted((f for c in chunks for f in c.flags), key=flag_order),
        density=first.density,
        located=pd.concat([c.located for c in chunks]).sort_index(kind="stable"),
        nodes=nodes.sort_values("code", kind="stable").reset_index(drop=True),
        edges=pd.concat([c.edges for c in chunks], ignore_index=True),
        fingerprint=chunks[-1].fingerprint,
        zone_count=sum(c.zone_count for c in chunks),
    )


def combine(
    parts: list[PartitionResult], *, thresholds: Thresholds, admin_version: str
) -> AnalysisResult:
    """The national result from every partition of an admin version (one per province + None).

    Raises
    ------
    AdminVersionError
        When two partitions claim the same zone (they were cut from different data).
    """
    metrics = pd.concat([p.metrics for p in parts], ignore_index=True)
    if not metrics["code"].is_unique:
        twice = sorted(metrics.loc[metrics["code"].duplicated(), "code"].astype(str))[:10]
        raise AdminVersionError(
            f"Zones {twice} appear in two partitions; analyse all provinces from one snapshot.",
            details={"zones": twice},
        )
    metrics = metrics.sort_values("code", kind="stable").reset_index(drop=True)
    found = combine_clusters([cluster_inputs(p) for p in parts], thresholds=thresholds)
    flags = [f for p in parts for f in p.flags] + found.flags
    density = pd.concat([p.density for p in parts if len(p.density)], ignore_index=True)
    density = density.sort_values("code", kind="stable").reset_index(drop=True)
    by_code = dict(zip(found.provinces, found.by_province, strict=True))
    density["clusters"] = [by_code.get(str(c), ()) for c in density["code"]]
    clusters = found.clusters
    return AnalysisResult(
        metrics=metrics,
        provinces=density,
        clusters=clusters,
        flags=sorted(flags, key=flag_order),
        fingerprint=combined_fingerprint(parts),
        admin_version=admin_version,
    )


def combined_fingerprint(parts: list[PartitionResult]) -> str:
    """sha256 of the partitions' fingerprints in province order."""
    digest = hashlib.sha256()
    for part in sorted(parts, key=lambda p: p.province or ""):
        digest.update(f"{part.province}:{part.fingerprint};".encode())
    return digest.hexdigest()


def _chunk_mask(zones: gpd.GeoDataFrame, in_core: np.ndarray, chunk: tuple[int, int]) -> np.ndarray:
    """The zones of slice ``i`` of ``k`` of the core, by the longitude of their bounds' centre
    (code order breaks ties); every zone when ``k`` is 1."""
    index, count = chunk
    if count == 1:
        return np.ones(len(zones), dtype=bool)
    bounds = shapely.bounds(zones.geometry.to_numpy())
    x = np.nan_to_num((bounds[:, 0] + bounds[:, 2]) / 2, nan=np.inf)
    core = np.flatnonzero(in_core)
    ordered = core[np.lexsort((core, x[core]))]  # zones are in code order: position = code
    mask = np.zeros(len(zones), dtype=bool)
    mask[np.array_split(ordered, count)[index]] = True
    return mask


def _near(
    halo: gpd.GeoDataFrame, core: gpd.GeoDataFrame, thresholds: Thresholds
) -> gpd.GeoDataFrame:
    """The halo zones whose bounds come within the halo distance of the core's bounds (the
    others cannot pair with a core zone)."""
    geoms = core.geometry.to_numpy()
    present = geoms[~shapely.is_missing(geoms)]
    if not len(present) or not len(halo):
        return halo
    margin = halo_margin_deg(thresholds)
    minx, miny, maxx, maxy = shapely.total_bounds(present)
    window = shapely.box(minx - margin, miny - margin, maxx + margin, maxy + margin)
    return halo[shapely.intersects(halo.geometry.to_numpy(), window)].reset_index(drop=True)


def _density_row(
    core: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, province: str | None, located: pd.Series
) -> pd.DataFrame:
    if province is None:
        return pd.DataFrame()
    outline = provinces[provinces["code"].astype(str) == province]
    return province_density(core, outline, located=located)


def _cluster_graph(
    core: gpd.GeoDataFrame, halo: gpd.GeoDataFrame, thresholds: Thresholds, anchor
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The partition's reduced share of the cluster graph (:mod:`geo.analysis.cluster_graph`):
    the kept cluster nodes of the core zones with their degree, and the kept pairs."""
    core_geoms = polygonal_parts(core.geometry.to_numpy())
    present = np.flatnonzero(~shapely.is_missing(core_geoms))
    nodes = cluster_nodes(core.iloc[present], core_geoms[present])
    halo_geoms = polygonal_parts(halo.geometry.to_numpy())
    halo_present = np.flatnonzero(~shapely.is_missing(halo_geoms))
    halo_codes = halo["code"].astype(str).to_numpy()[halo_present]
    geoms = np.concatenate([core_geoms[present], halo_geoms[halo_present]])
    min_zones = thresholds.dense_cluster.min_zones
    if len(geoms) < 2:
        left = right = np.empty(0, dtype=np.int64)
    else:
        distance_m = halo_distance_m(thresholds)
        left, right = pairs_within(
            geoms, distance_m=distance_m, anchor=anchor, sources=len(present)
        )
    return reduce_graph(nodes, halo_codes, left, right, min_zones=min_zones)


def _group_hulls(
    inputs: list[ClusterInputs], index: pd.Index, min_zones: int
) -> Callable[[np.ndarray], dict]:
    """The hull of each DBSCAN label from the partitions' core groups: for ``labels`` of the
    nodes whose codes are ``index``, one geometry per group (its hull) instead of one per zone."""

    def hulls(labels: np.ndarray) -> dict:
        hull_parts, label_parts = [], []
        for part in inputs:
            group, group_hull = part.core_groups(min_zones)
            first = np.full(len(group_hull), -1)
            first[group[::-1]] = np.arange(len(group))[::-1]  # each group's first node
            where = index.get_indexer(part.nodes["code"].to_numpy()[first])
            hull_parts.append(group_hull)
            label_parts.append(labels[where])
        geoms, group_labels = np.concatenate(hull_parts), np.concatenate(label_parts)
        clustered = group_labels >= 0
        return hulls_by_label(geoms[clustered], group_labels[clustered])

    return hulls


def _hulls_of_groups(hulls: np.ndarray, group: np.ndarray) -> np.ndarray:
    """The convex hull of each group's ``hulls`` (groups 0..g-1), alone ones kept as they are."""
    count = np.bincount(group)
    merged = hulls_by_label(hulls[count[group] > 1], group[count[group] > 1])
    out = np.empty(len(count), dtype=object)
    alone = count[group] == 1
    out[group[alone]] = hulls[alone]
    for label, hull in merged.items():
        out[label] = hull
    return out


def _edge_positions(index: pd.Index, edges: list[pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """Node positions (left < right) in ``index`` (the nodes' codes) of the distinct pairs of
    every partition."""
    pairs = pd.concat(edges, ignore_index=True).drop_duplicates()
    left, right = index.get_indexer(pairs["a"]), index.get_indexer(pairs["b"])
    if (left < 0).any() or (right < 0).any():
        raise AdminVersionError(
            "A cluster pair names a zone no partition holds; analyse all provinces together.",
            details={},
        )
    return np.minimum(left, right), np.maximum(left, right)


def _empty_located() -> pd.Series:
    return pd.Series([], index=pd.Index([], name="code"), name="province", dtype=object)
