"""The bounded pair search gives exactly the pairs of a plain STRtree ``dwithin`` query."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import affinity

from geo.analysis.near_pairs import pairs_within_m

D = 5000.0


def plain_pairs(geoms: np.ndarray, distance: float, core: int | None = None) -> set:
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=distance)
    core = len(geoms) if core is None else core
    keep = (left < right) & ((left < core) | (right < core))
    return set(zip(left[keep].tolist(), right[keep].tolist(), strict=True))


def found_pairs(geoms: np.ndarray, distance: float, core: int | None = None) -> set:
    left, right = pairs_within_m(geoms, distance, core=core, chunk=37)
    assert (left < right).all()
    found = list(zip(left.tolist(), right.tolist(), strict=True))
    assert len(found) == len(set(found)), "each pair once"
    return set(found)


def random_polygons(seed: int, n: int = 400, extent: float = 40_000.0) -> np.ndarray:
    """Star-shaped polygons (concave ones too), some with holes, some in two parts."""
    rng = np.random.default_rng(seed)
    geoms = []
    for _ in range(n):
        cx, cy = rng.uniform(0, extent, 2)
        corners = int(rng.integers(3, 14))
        angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
        radii = rng.uniform(100, 2500) * rng.uniform(0.3, 1.0, corners)
        shell = np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
        polygon = shapely.make_valid(shapely.Polygon(shell))
        kind = rng.uniform()
        if kind < 0.1:
            polygon = polygon.difference(shapely.Point(cx, cy).buffer(radii.min() / 3))
        elif kind < 0.2:
            polygon = shapely.union(
                polygon, affinity.translate(polygon, *rng.uniform(-9e3, 9e3, 2))
            )
        geoms.append(polygon)
    return np.array(geoms, dtype=object)


def near_boundary_polygons() -> np.ndarray:
    """Pairs placed at the distance ± a centimetre down to a micrometre (not at exactly the
    distance, where rounding decides): boxes side by
    side, diamonds tip to tip, a box corner facing a box corner diagonally, and a zone nested
    in another's hole."""
    geoms = []
    for i, eps in enumerate([-1e-2, -1e-5, -1e-6, 1e-6, 1e-5, 1e-2, 3.0, -3.0]):
        y = i * 20_000.0
        box = shapely.box(0, y, 1000, y + 700)
        geoms += [box, shapely.box(1000 + D + eps, y + 300, 1800 + D + eps, y + 2000)]
        diamond = shapely.Polygon([(0, 0), (500, 500), (0, 1000), (-500, 500)])
        left = affinity.translate(diamond, 100_000, y)
        geoms += [left, affinity.translate(diamond, 100_000 + 1000 + D + eps, y)]
        step = (D + eps) / np.sqrt(2)
        geoms += [
            shapely.box(200_000, y, 201_000, y + 1000),
            shapely.box(201_000 + step, y + 1000 + step, 202_000 + step, y + 2000 + step),
        ]
        ring = shapely.box(300_000, y, 300_000 + 2 * D + 2000, y + 2 * D + 2000)
        hole = shapely.box(300_000 + 10, y + 10, 300_000 + 2 * D + 1990, y + 2 * D + 1990)
        nested = shapely.box(
            300_000 + D + 10 + eps, y + D + 10 + eps, 300_000 + D + 1990, y + D + 1990
        )
        geoms += [ring.difference(hole), nested]
    return np.array(geoms, dtype=object)


@pytest.mark.parametrize("seed", range(3))
def test_random_polygons_give_the_plain_dwithin_pairs(seed):
    geoms = random_polygons(seed)
    expected = plain_pairs(geoms, D)
    assert len(expected) > 500, "the polygons should be dense enough to test"
    assert found_pairs(geoms, D) == expected


@pytest.mark.parametrize("core", [1, 150, 399])
def test_only_pairs_with_a_core_end_are_searched(core):
    geoms = random_polygons(7)
    assert found_pairs(geoms, D, core=core) == plain_pairs(geoms, D, core=core)


def test_pairs_at_the_distance_give_the_plain_dwithin_pairs():
    geoms = near_boundary_polygons()
    expected = plain_pairs(geoms, D)
    distances = shapely.distance(geoms[0::2], geoms[1::2])
    assert np.abs(distances - D).min() < 1e-5, "some pairs must sit at the distance"
    assert found_pairs(geoms, D) == expected
    shuffled = np.random.default_rng(1).permutation(len(geoms))
    again = found_pairs(geoms[shuffled], D)
    assert {tuple(sorted((shuffled[a], shuffled[b]))) for a, b in again} == expected


def test_fewer_than_two_geometries_give_no_pairs():
    left, right = pairs_within_m(np.array([shapely.box(0, 0, 1, 1)], dtype=object), D)
    assert len(left) == len(right) == 0
