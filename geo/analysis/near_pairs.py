"""The pairs of metric polygonal geometries at most a distance apart, edge to edge.

Equivalent to an STRtree ``dwithin`` query, but cheaper on the millions of pairs a dense
province has within 5 km. Each pair is searched once: a geometry's query window reaches only
towards the geometries ranked after it by the left edge of their bounding box. The candidates
are then settled by bounds before any exact test:

* *within* when two points of the geometries are within the distance: first a point inside
  each (``point_on_surface``), then the support vertices facing each other (the vertex furthest
  in each of :data:`DIRECTIONS` directions, one facing the other geometry);
* *apart* when the gap between their bounding boxes, or between their boxes turned by 45°,
  exceeds the distance;
* an exact GEOS ``dwithin`` for the few in between.

Bounds settle a pair only with a margin of :data:`SLACK` times the distance; closer to the
distance than that, the pair gets the test the plain search gives it, so rounding never decides
differently from the plain search.
"""

from __future__ import annotations

import numpy as np
import shapely

DIRECTIONS = 8  # support vertices per geometry, at 360° / DIRECTIONS apart
SLACK = 1e-9  # relative margin within which a bound leaves the decision to the exact test


def pairs_within_m(
    geoms_m: np.ndarray, distance_m: float, *, core: int | None = None, chunk: int = 4_000
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs i < j of metric polygonal geometries at most ``distance_m`` apart, edge to
    edge, among the pairs with an end in the first ``core`` geometries (all when None).

    The pairs are those of ``STRtree.query`` of each geometry's bounding box grown by the
    distance, whose boxes are at most the distance apart and whose geometries are ``dwithin``
    the distance. Chunks of queries bound the memory.
    """
    total = len(geoms_m)
    core = total if core is None else core
    if total < 2 or core < 1:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    shapes = _Shapes(geoms_m)
    rank = np.empty(total, dtype=np.int64)  # order of the left edges (ties: by position)
    rank[np.lexsort((np.arange(total), shapes.bounds[:, 0]))] = np.arange(total)
    tree = shapely.STRtree(geoms_m)
    core_tree = tree if core == total else shapely.STRtree(geoms_m[:core])
    lefts, rights = [], []
    for start, stop, searched in (
        *((s, min(s + chunk, core), tree) for s in range(0, core, chunk)),
        *((s, min(s + chunk, total), core_tree) for s in range(core, total, chunk)),
    ):
        idx = np.arange(start, stop)
        query_idx, right = searched.query(_forward_windows(shapes.bounds[idx], distance_m))
        left = idx[query_idx]
        ahead = rank[left] < rank[right]
        left, right = left[ahead], right[ahead]
        within = _settle(shapes, left, right, distance_m)
        left, right = left[within], right[within]
        lefts.append(np.minimum(left, right))
        rights.append(np.maximum(left, right))
    return np.concatenate(lefts), np.concatenate(rights)


def bbox_gap_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Gap between paired bounding boxes ``(minx, miny, maxx, maxy)`` rows, 0 when they meet."""
    dx = np.maximum(0.0, np.maximum(a[:, 0] - b[:, 2], b[:, 0] - a[:, 2]))
    dy = np.maximum(0.0, np.maximum(a[:, 1] - b[:, 3], b[:, 1] - a[:, 3]))
    return np.hypot(dx, dy)


class _Shapes:
    """What the bounds read of each geometry: its bounding box, the same box turned by 45°
    (``turned``: min/max of (x + y)/√2 and (x - y)/√2), a point inside it, and its support
    vertices (``support[i, k]``: the coordinate furthest along direction k)."""

    def __init__(self, geoms_m: np.ndarray) -> None:
        self.geoms = geoms_m
        self.bounds = shapely.bounds(geoms_m)
        self.inside = shapely.get_coordinates(shapely.point_on_surface(geoms_m))
        coords, owner = shapely.get_coordinates(geoms_m, return_index=True)
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        self.coords = coords
        half = np.sqrt(0.5)
        turned = [(coords[:, 0] + coords[:, 1]) * half, (coords[:, 0] - coords[:, 1]) * half]
        self.turned = np.column_stack(
            [np.minimum.reduceat(t, starts) for t in turned]
            + [np.maximum.reduceat(t, starts) for t in turned]
        )
        position = np.arange(len(coords))
        self.support = np.empty((len(geoms_m), DIRECTIONS), dtype=np.int64)
        for k in range(DIRECTIONS):
            angle = 2 * np.pi * k / DIRECTIONS
            along = coords[:, 0] * np.cos(angle) + coords[:, 1] * np.sin(angle)
            top = np.maximum.reduceat(along, starts)[owner]
            self.support[:, k] = np.minimum.reduceat(
                np.where(along == top, position, len(coords)), starts
            )


def _forward_windows(bounds: np.ndarray, distance_m: float) -> np.ndarray:
    """Each box grown by the distance (and a little more) except on its left: a pair whose
    right member starts no further left than its left member is found from the left one."""
    grow = distance_m * (1 + 2 * SLACK)
    return shapely.box(bounds[:, 0], bounds[:, 1] - grow, bounds[:, 2] + grow, bounds[:, 3] + grow)


def _settle(shapes: _Shapes, left: np.ndarray, right: np.ndarray, d: float) -> np.ndarray:
    """Whether each candidate pair is within ``d`` (see the module's docstring)."""
    sure_d, doubt_d = d * (1 - SLACK), d * (1 + SLACK)
    step = shapes.inside[left] - shapes.inside[right]
    squared = step[:, 0] * step[:, 0] + step[:, 1] * step[:, 1]
    within = squared <= sure_d * sure_d
    rest = np.flatnonzero(~within)
    a, b = left[rest], right[rest]
    gap = bbox_gap_m(shapes.bounds[a], shapes.bounds[b])
    near = gap > sure_d
    met = gap <= d
    met[near] &= _windows_meet(shapes.bounds[a[near]], shapes.bounds[b[near]], d)
    rest, gap, a, b = rest[met], gap[met], a[met], b[met]
    by_point = np.hypot(*step[rest].T) <= d  # the plain search's test, kept at the margin
    within[rest[by_point]] = True
    rest, a, b = rest[~by_point], a[~by_point], b[~by_point]
    turned_gap = bbox_gap_m(shapes.turned[a], shapes.turned[b])
    open_ = turned_gap <= doubt_d
    rest, a, b = rest[open_], a[open_], b[open_]
    facing = _facing_gap(shapes, a, b) <= sure_d
    within[rest[facing]] = True
    rest, a, b = rest[~facing], a[~facing], b[~facing]
    first, second = np.minimum(a, b), np.maximum(a, b)  # in the plain search's order
    within[rest] = shapely.dwithin(shapes.geoms[first], shapes.geoms[second], d)
    return within


def _windows_meet(a: np.ndarray, b: np.ndarray, d: float) -> np.ndarray:
    """Whether box a grown by d meets box b or box b grown by d meets box a, with the plain
    search's arithmetic (its window is the box grown by d on every side)."""

    def meets(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        return (
            (q[:, 0] <= p[:, 2] + d)
            & (q[:, 2] >= p[:, 0] - d)
            & (q[:, 1] <= p[:, 3] + d)
            & (q[:, 3] >= p[:, 1] - d)
        )

    return meets(a, b) | meets(b, a)


def _facing_gap(shapes: _Shapes, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The shortest distance between a support vertex of a and one of b, each taken in the
    direction (±1 step) that faces the other geometry: an upper bound of their distance."""
    toward = shapes.inside[b] - shapes.inside[a]
    sector = 2 * np.pi / DIRECTIONS
    k = np.round(np.arctan2(toward[:, 1], toward[:, 0]) / sector).astype(np.int64)
    best = np.full(len(a), np.inf)
    for turn in (-1, 0, 1):
        ka = (k + turn) % DIRECTIONS
        kb = (k + turn + DIRECTIONS // 2) % DIRECTIONS
        step = shapes.coords[shapes.support[a, ka]] - shapes.coords[shapes.support[b, kb]]
        best = np.minimum(best, np.hypot(step[:, 0], step[:, 1]))
    return best
