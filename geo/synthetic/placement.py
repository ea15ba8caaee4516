"""Placement of the synthetic generator's random zones: shapes, centres and spacing.

Internal to :mod:`geo.synthetic`. Zones are proposed around random "industrial hubs" (or
anywhere in their province) and accepted when they lie inside their province and keep
``GAP_M`` from every zone already placed; geometry is in the equal-area CRS (metres).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import shapely

from geo.synthetic.provinces import Provinces
from geo.synthetic.scenarios import Planted
from geo.synthetic.shapes import Rings, build_polygons, make_rings, uniform_points

GAP_M = 150.0
_HUB_ROUNDS, _PLACEMENT_ROUNDS = 10, 30


def place_population(
    rng: np.random.Generator, prov: Provinces, pop: pd.DataFrame, planted: Planted
):
    """Shapes and positions of the random zones; drops the (rare) zones that found no room."""
    n = len(pop)
    kind = pop["kind"].to_numpy()
    is_kkt = kind == "KKT"
    shape = np.where(
        is_kkt, rng.choice([0, 1], n, p=[0.6, 0.4]), rng.choice([0, 1, 2], n, p=[0.45, 0.4, 0.15])
    )
    low = np.select([is_kkt, shape > 0], [24, 12], 8)
    rings = make_rings(
        rng,
        shape,
        rng.integers(low, 41),
        pop["area_ha"].to_numpy() * 1e4,
        has_hole=rng.random(n) < np.where(is_kkt, 0.1, 0.03),
        has_satellite=rng.random(n) < np.where(is_kkt, 0.15, 0.03),
    )
    pi = prov.index(pop["province_code"])
    draw = _centre_sampler(rng, prov, pi, is_kkt)
    centres, planned, status = place(
        rings,
        draw_centres=draw,
        containers=prov.inner[pi],
        obstacles=planted.obstacles,
        stage=np.select([is_kkt, kind == "KCN"], [0, 1], 2),
        gap_m=GAP_M,
        max_rounds=_PLACEMENT_ROUNDS,
    )
    pop = pop.assign(
        rid=np.arange(n),
        has_hole=np.isin(np.arange(n), rings.ring_zone[rings.ring_role == 1]),
        centre=list(centres),
    )
    keep = status > 0
    return pop[keep].reset_index(drop=True), rings, planned[keep]


def _centre_sampler(
    rng: np.random.Generator, prov: Provinces, pi: np.ndarray, always_uniform: np.ndarray
):
    """A ``draw(zones, round)`` that proposes centres around hubs (Gaussian) or anywhere."""
    counts = np.bincount(pi, minlength=prov.codes.size)
    pools, hubs, sigmas, n_hubs = [], [], [], np.zeros(prov.codes.size, dtype=int)
    for p in np.flatnonzero(counts):
        pool = uniform_points(rng, prov.cores[p], max(256, 3 * int(counts[p])))
        n_hubs[p] = int(np.clip(round(1 + np.sqrt(counts[p]) / 2), 1, 60))
        pools.append(pool)
        hubs.append(pool[: n_hubs[p]])
        spread = 0.1 * np.sqrt(shapely.area(prov.cores[p]))
        sigmas.append(spread * rng.uniform(0.5, 1.5, n_hubs[p]))
    pool_size = np.zeros(prov.codes.size, dtype=int)
    pool_size[np.flatnonzero(counts)] = [len(p) for p in pools]
    pool_start = np.r_[0, np.cumsum(pool_size)[:-1]]
    hub_start = np.r_[0, np.cumsum(n_hubs)[:-1]]
    pool_xy, hub_xy, hub_sigma = np.concatenate(pools), np.concatenate(hubs), np.concatenate(sigmas)
    hub = hub_start[pi] + (rng.random(pi.size) * n_hubs[pi]).astype(int)
    uniform = always_uniform | (rng.random(pi.size) < 0.25)

    def draw(zones: np.ndarray, rnd: int) -> np.ndarray:
        sigma = hub_sigma[hub[zones]] * 1.25**rnd
        near_hub = hub_xy[hub[zones]] + rng.normal(size=(zones.size, 2)) * sigma[:, None]
        p = pi[zones]
        pick = pool_start[p] + (rng.random(zones.size) * pool_size[p]).astype(int)
        anywhere = uniform[zones] | (rnd >= _HUB_ROUNDS)
        return np.where(anywhere[:, None], pool_xy[pick], near_hub)

    return draw


def place(
    rings: Rings,
    *,
    draw_centres: Callable[[np.ndarray, int], np.ndarray],
    containers: np.ndarray,
    obstacles: np.ndarray,
    stage: np.ndarray,
    gap_m: float,
    max_rounds: int = 10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place zones so each lies inside its container and ``gap_m`` away from all others.

    ``draw_centres(zones, round)`` proposes centres; ``containers[i]`` is zone ``i``'s prepared
    (shrunk) province. Stages are placed in increasing order, each in up to ``max_rounds``
    rounds; within a round lower indices win conflicts. Zones not placed keep their last
    candidate that fitted the province (they may then overlap); zones that never fitted are
    not placed. Returns (centres, geometries, status) with status 1 placed, 2 forced, 0 none.
    """
    n = rings.n_zones
    centres = np.full((n, 2), np.nan)
    geoms = np.full(n, None, dtype=object)
    status = np.zeros(n, dtype=np.int8)
    taken = _TakenIndex(obstacles)
    for current in np.unique(stage):
        for rnd in range(max_rounds):
            todo = np.flatnonzero((status == 0) & (stage == current))
            if todo.size == 0:
                break
            xy = draw_centres(todo, rnd)
            cand = build_polygons(rings, xy, todo)
            ok = shapely.contains(containers[todo], cand)
            fits = ok.copy()
            ok &= ~taken.hits(cand, ok, gap_m)
            ok &= ~_self_conflicts(cand, ok, gap_m)
            chosen = fits if rnd == max_rounds - 1 else ok
            status[todo[chosen]] = np.where(ok, 1, 2)[chosen]
            geoms[todo[chosen]], centres[todo[chosen]] = cand[chosen], xy[chosen]
            taken.add(cand[chosen])
    return centres, geoms, status


class _TakenIndex:
    """Geometries already placed: a large STRtree rebuilt rarely plus a small one of recent ones.

    Rebuilding one tree of every placed zone each round made placement quadratic in rounds.
    """

    def __init__(self, geoms: np.ndarray) -> None:
        self.big, self.recent = np.asarray(geoms, dtype=object), np.empty(0, dtype=object)
        self.big_tree = shapely.STRtree(self.big)

    def add(self, geoms: np.ndarray) -> None:
        self.recent = np.concatenate([self.recent, geoms])
        if self.recent.size > 0.25 * max(self.big.size, 1000):
            self.big, self.recent = np.concatenate([self.big, self.recent]), self.recent[:0]
            self.big_tree = shapely.STRtree(self.big)

    def hits(self, cand: np.ndarray, ok: np.ndarray, gap_m: float) -> np.ndarray:
        """Candidates (among ``ok``) within ``gap_m`` of any taken geometry."""
        hit = np.zeros(cand.size, dtype=bool)
        idx = np.flatnonzero(ok)
        trees = (
            [self.big_tree, shapely.STRtree(self.recent)] if self.recent.size else [self.big_tree]
        )
        for tree in trees:
            found = tree.query(cand[idx], predicate="dwithin", distance=gap_m)[0]
            hit[idx[found]] = True
        return hit


def _self_conflicts(cand: np.ndarray, ok: np.ndarray, gap_m: float) -> np.ndarray:
    """Candidates that come too close to an earlier (lower index) candidate."""
    drop = np.zeros(cand.size, dtype=bool)
    idx = np.flatnonzero(ok)
    if idx.size > 1:
        tree = shapely.STRtree(cand[idx])
        i, j = tree.query(cand[idx], predicate="dwithin", distance=gap_m)
        drop[idx[j[j > i]]] = True
    return drop
