"""The reduced cluster graphs of partitions give the DBSCAN clusters of the whole graph."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis.cluster_graph import reduce_graph
from geo.analysis.clusters import clusters_from_graph


def random_points(seed: int, n: int = 300) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = np.vstack([rng.uniform(0, 10, (n // 2, 2)), rng.normal(5, 1.2, (n - n // 2, 2))])
    codes = np.array([f"Z{i:04d}" for i in range(n)], dtype=object)
    nodes = pd.DataFrame(
        {
            "code": codes,
            "province_code": "01",
            "area_ha": 1.0,
            "occupancy": 0.1,
            "hull": shapely.points(xy),
        }
    )
    return nodes, xy


def pairs(xy: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    gap = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    left, right = np.nonzero(np.triu(gap <= distance, k=1))
    return left, right


def members(clusters: list) -> list[tuple]:
    return [(c.cluster_id, c.members) for c in clusters]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("min_zones", [2, 3, 6])
def test_union_of_reduced_partition_graphs_gives_the_whole_graphs_clusters(seed, min_zones):
    nodes, xy = random_points(seed)
    distance = 0.45
    left, right = pairs(xy, distance)
    whole = clusters_from_graph(nodes, left, right, min_zones=min_zones)
    assert whole, "the random points should form clusters"

    slab = np.digitize(xy[:, 0], [3.3, 6.6])  # three partitions side by side
    kept_nodes, kept_edges = [], []
    for part in range(3):
        core = np.flatnonzero(slab == part)
        touching = np.isin(left, core) | np.isin(right, core)
        halo = np.setdiff1d(np.concatenate([left[touching], right[touching]]), core)
        position = np.full(len(nodes), -1)
        position[core] = np.arange(len(core))
        position[halo] = len(core) + np.arange(len(halo))
        part_nodes, part_edges = reduce_graph(
            nodes.iloc[core].reset_index(drop=True),
            nodes["code"].to_numpy()[halo],
            position[left[touching]],
            position[right[touching]],
            min_zones=min_zones,
        )
        kept_nodes.append(part_nodes)
        kept_edges.append(part_edges)
    union = pd.concat(kept_nodes, ignore_index=True).sort_values("code").reset_index(drop=True)
    edges = pd.concat(kept_edges, ignore_index=True).drop_duplicates()
    index = pd.Index(union["code"])
    a, b = index.get_indexer(edges["a"]), index.get_indexer(edges["b"])
    assert (a >= 0).all() and (b >= 0).all()
    reduced = clusters_from_graph(union, np.minimum(a, b), np.maximum(a, b), min_zones=min_zones)
    assert members(reduced) == members(whole)
    assert len(edges) < len(left)  # the point of it: fewer pairs than the whole graph


def test_hulls_are_each_labels_convex_hull_also_of_a_single_point():
    from geo.analysis.clusters import hulls_by_label

    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3_000, 2))
    geoms = shapely.convex_hull(shapely.buffer(shapely.points(centres), 0.01, quad_segs=2))
    geoms[::5] = shapely.points(centres[::5])
    labels = rng.integers(0, 3, len(geoms))
    labels[5] = 9  # a label of one point (every fifth geometry is a point)
    hulls = hulls_by_label(geoms, labels)
    assert sorted(hulls) == [0, 1, 2, 9]
    for label, hull in hulls.items():
        expected = shapely.convex_hull(shapely.union_all(geoms[labels == label]))
        assert hull.normalize().equals_exact(expected.normalize(), 1e-12), label
    assert hulls[9].geom_type == "Point"


@pytest.mark.parametrize("seed", range(3))
def test_stars_link_each_connected_group_to_its_first_position(seed):
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    from geo.analysis.cluster_graph import _stars

    rng = np.random.default_rng(seed)
    n = 400
    left, right = rng.integers(0, n, 300), rng.integers(0, n, 300)
    chain = np.arange(n - 1, 300, -1)  # a chain hooked from its far end: long pointer paths
    left, right = np.r_[left, chain], np.r_[right, chain - 1]
    keep = left != right
    a, b = np.minimum(left, right)[keep], np.maximum(left, right)[keep]
    graph = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, group = connected_components(graph, directed=False)
    linked = np.unique(np.r_[a, b])
    expected = sorted(
        (int(linked[group[linked] == group[m]].min()), int(m))
        for m in linked
        if linked[group[linked] == group[m]].min() != m
    )
    stars = _stars(n, b, a)  # either end first
    assert sorted(map(tuple, stars.tolist())) == expected


@pytest.mark.parametrize("sources", [0, 1, 37, 120])
def test_pairs_from_the_first_geometries_are_the_whole_pairs_that_touch_them(sources):
    from geo.analysis.clusters import pairs_within

    rng = np.random.default_rng(sources)
    x, y = rng.uniform(105.0, 105.3, 120), rng.uniform(21.0, 21.3, 120)
    geoms = shapely.box(x, y, x + 0.01, y + rng.uniform(0.001, 0.02, 120))
    anchor = (105.15, 21.15)
    left, right = pairs_within(geoms, distance_m=5000.0, anchor=anchor)
    some_left, some_right = pairs_within(geoms, distance_m=5000.0, anchor=anchor, sources=sources)
    whole = {(a, b) for a, b in zip(left.tolist(), right.tolist(), strict=True) if a < sources}
    assert set(zip(some_left.tolist(), some_right.tolist(), strict=True)) == whole
    assert len(some_left) == len(whole)  # each pair once
    assert len(left) > 100  # the boxes are close enough to make many pairs
