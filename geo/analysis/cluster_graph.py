"""One partition's share of the national cluster graph, reduced to what DBSCAN needs.

The pairs of zones within the cluster distance number millions when zones are dense (a zone of
a dense province has hundreds of neighbours within 5 km), so a partition does not hand them all
to the national step. A partition sees every neighbour of its core zones (the halo reaches the
cluster distance), so it knows each core zone's exact *degree* (zones within reach, itself
included) and so whether it is a DBSCAN core. What it cannot know is whether a halo zone is a
core: that is settled nationally. DBSCAN then needs, exactly:

* the connectivity of the core-to-core pairs inside the partition: a star per connected group
  (each core linked to the group's first code) keeps it with one pair per core;
* for a non-core zone, its first core neighbour in code order inside the partition (one pair);
* every pair that crosses to the halo, kept once nationally (by the partition of its smaller
  code), whatever the status of its ends.

Zones in none of these pairs and not cores themselves are noise and are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components


def reduce_graph(
    nodes: pd.DataFrame,
    halo_codes: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    *,
    min_zones: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The kept nodes (with their ``degree``) and pairs ``a < b`` (codes) of one partition.

    ``nodes`` are the core zones' cluster nodes in code order (positions 0..n-1), halo zones
    follow at positions n.. with codes ``halo_codes``; ``left``/``right`` are the positions of
    every pair within reach that has a core end.
    """
    n = len(nodes)
    codes = np.concatenate([nodes["code"].to_numpy(dtype=object), halo_codes.astype(object)])
    in_core_left, in_core_right = left < n, right < n
    degree = (
        np.bincount(left[in_core_left], minlength=n)
        + np.bincount(right[in_core_right], minlength=n)
        + 1
    )
    core = degree >= min_zones
    inner = in_core_left & in_core_right
    a, b = left[inner], right[inner]
    stars = _stars(n, a[core[a] & core[b]], b[core[a] & core[b]])
    border = _first_core_neighbours(core, a, b)
    cross = ~inner
    own = np.where(in_core_left, left, right)[cross]
    other = np.where(in_core_left, right, left)[cross]
    crossing = np.zeros(n, dtype=bool)
    crossing[own] = True
    once = codes[own] < codes[other]
    keep = core | crossing
    keep[border[:, 0]] = True
    pairs = np.concatenate([stars, border, np.column_stack([own[once], other[once]])])
    first, second = codes[pairs[:, 0]], codes[pairs[:, 1]]
    low = first < second
    edges = pd.DataFrame(
        {"a": np.where(low, first, second), "b": np.where(low, second, first)}, dtype=object
    )
    kept = nodes[keep].assign(degree=degree[keep]).reset_index(drop=True)
    return kept, edges


def _stars(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs (root, member) linking the members of each connected group of ``a``-``b`` pairs
    to its first position (same connectivity, one pair per member).

    Each position first hooks onto one of its smaller neighbours (followed to the end of the
    chain), which contracts most pairs away; scipy joins what is left.
    """
    if not len(a):
        return np.empty((0, 2), dtype=np.int64)
    hooked = np.arange(n)
    hooked[np.maximum(a, b)] = np.minimum(a, b)
    while not np.array_equal(hooked[hooked], hooked):
        hooked = hooked[hooked]
    ha, hb = hooked[a], hooked[b]
    apart = ha != hb
    graph = sparse.coo_matrix(
        (np.ones(int(apart.sum()), dtype=np.int8), (ha[apart], hb[apart])), shape=(n, n)
    )
    group = connected_components(graph, directed=False)[1][hooked]
    linked = np.zeros(n, dtype=bool)
    linked[a] = linked[b] = True
    linked = np.flatnonzero(linked)
    root = np.full(group.max() + 1, n, dtype=np.int64)
    np.minimum.at(root, group[linked], linked)
    members = linked[root[group[linked]] != linked]
    return np.column_stack([root[group[members]], members]).astype(np.int64)


def _first_core_neighbours(core: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs (non-core, its smallest core neighbour) among the partition's inner pairs."""
    border = np.concatenate([a[core[b] & ~core[a]], b[core[a] & ~core[b]]])
    anchor = np.concatenate([b[core[b] & ~core[a]], a[core[a] & ~core[b]]])
    if not len(border):
        return np.empty((0, 2), dtype=np.int64)
    order = np.lexsort((anchor, border))
    border, anchor = border[order], anchor[order]
    first = np.r_[True, border[1:] != border[:-1]]
    return np.column_stack([border[first], anchor[first]]).astype(np.int64)
