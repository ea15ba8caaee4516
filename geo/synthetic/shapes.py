"""Vectorised geometry for the synthetic zone generator (:mod:`geo.synthetic`).

Every zone is a set of *rings* stored as flat numpy arrays (no per-zone Python loop): a shell,
optionally a hole and optionally a detached satellite part. Each ring is star-shaped around its
own origin (vertices in increasing angle order, positive radii), which gives three guarantees:

* the polygon built from it is always simple and valid;
* shrinking every vertex towards the ring origin by a factor <= 1 gives a polygon *inside* the
  original (used for actual footprints and for earlier, smaller planning versions);
* the area is known in closed form (shoelace), so each zone is calibrated to its target area.

Shapes are built in metres in an Albers equal-area projection of Vietnam (``EQUAL_AREA_CRS``), so
polygon areas there equal ellipsoidal areas; :func:`to_lonlat` converts to EPSG:4326 at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer

from geo.frames import project

# Not geo.crs.systems.VIETNAM_ALBERS (standard parallels 11/21° N): this one uses 10/21° N. Both are
# equal-area on WGS 84, but the generator builds its shapes in metres in this plane, so switching
# would move every vertex (up to ~3 km) and change the output of every seed.
EQUAL_AREA_CRS = "+proj=aea +lat_0=16 +lon_0=106 +lat_1=10 +lat_2=21 +datum=WGS84 +units=m +no_defs"
SHAPE_ELLIPSE, SHAPE_RECT, SHAPE_L = 0, 1, 2
ROLE_SHELL, ROLE_HOLE, ROLE_SATELLITE = 0, 1, 2


@dataclass(frozen=True)
class Rings:
    """Ragged rings of ``n`` zones; offsets in metres relative to each zone's centre.

    Rings are ordered by (zone, role) and vertices by ring, as ``shapely.linearrings`` needs.
    """

    n_zones: int
    ring_zone: np.ndarray  # (R,) zone of each ring
    ring_role: np.ndarray  # (R,) ROLE_*
    ring_origin: np.ndarray  # (R, 2) ring origin relative to the zone centre
    vertex_ring: np.ndarray  # (V,) ring of each vertex
    vertex_xy: np.ndarray  # (V, 2) vertex relative to its ring origin


def make_rings(
    rng: np.random.Generator,
    shape: np.ndarray,
    n_vertices: np.ndarray,
    area_m2: np.ndarray,
    *,
    has_hole: np.ndarray,
    has_satellite: np.ndarray,
) -> Rings:
    """Build calibrated rings: zone ``i`` gets shape ``shape[i]`` and area ``area_m2[i]``."""
    shell_xy, shell_zone = _shell_vertices(rng, shape, n_vertices)
    radius = np.hypot(shell_xy[:, 0], shell_xy[:, 1])
    r_min = _per_zone(np.minimum, radius, shell_zone, shape.size)
    r_max = _per_zone(np.maximum, radius, shell_zone, shape.size)
    holes = np.flatnonzero(has_hole)
    sats = np.flatnonzero(has_satellite)
    hole_xy, hole_zone = _blob_vertices(rng, holes, 0.3 * r_min[holes], 10)
    sat_r = 0.4 * np.sqrt(r_min[sats] * r_max[sats])
    sat_xy, sat_zone = _blob_vertices(rng, sats, sat_r, 12)
    phi = rng.uniform(0, 2 * np.pi, sats.size)
    dist = r_max[sats] + 0.3 * sat_r + 1.1 * sat_r
    origins = np.zeros((shape.size + holes.size + sats.size, 2))
    origins[shape.size + holes.size :] = np.column_stack([np.cos(phi), np.sin(phi)]) * dist[:, None]
    ring_zone = np.concatenate([np.arange(shape.size), holes, sats])
    ring_role = np.repeat(
        [ROLE_SHELL, ROLE_HOLE, ROLE_SATELLITE], [shape.size, holes.size, sats.size]
    )
    vertex_ring = np.concatenate(
        [shell_zone, shape.size + _dense(hole_zone), shape.size + holes.size + _dense(sat_zone)]
    )
    rings = _sorted_rings(
        shape.size,
        ring_zone,
        ring_role,
        origins,
        vertex_ring,
        np.concatenate([shell_xy, hole_xy, sat_xy]),
    )
    return _calibrate(rings, area_m2)


def build_polygons(
    rings: Rings,
    centres_xy: np.ndarray,
    zones: np.ndarray,
    *,
    vertex_scale: np.ndarray | None = None,
    with_holes: bool = True,
) -> np.ndarray:
    """MultiPolygons (projected metres) of the sorted zone indices ``zones`` at ``centres_xy``.

    ``centres_xy`` is aligned with ``zones``; ``vertex_scale`` (aligned with ``zones``) shrinks
    every ring towards its own origin.
    """
    if zones.size == 0:
        return np.empty(0, dtype=object)
    first, last = np.searchsorted(rings.ring_zone, [zones, zones + 1])
    kept_rings = _ranges(first, last - first)
    if not with_holes:
        kept_rings = kept_rings[rings.ring_role[kept_rings] != ROLE_HOLE]
    v_first, v_last = np.searchsorted(rings.vertex_ring, [kept_rings, kept_rings + 1])
    vertices = _ranges(v_first, v_last - v_first)
    ring_ids = np.repeat(np.arange(kept_rings.size), v_last - v_first)
    ring_pos = np.searchsorted(zones, rings.ring_zone[kept_rings])
    v_zone = ring_pos[ring_ids]
    rel = rings.vertex_xy[vertices]
    if vertex_scale is not None:
        rel = rel * vertex_scale[v_zone][:, None]
    coords = centres_xy[v_zone] + rings.ring_origin[kept_rings][ring_ids] + rel
    linear = shapely.linearrings(coords, indices=ring_ids)
    poly_ids = np.cumsum(rings.ring_role[kept_rings] != ROLE_HOLE) - 1
    polygons = shapely.polygons(linear, indices=poly_ids)
    first_ring = np.r_[0, np.flatnonzero(np.diff(poly_ids)) + 1]
    return shapely.multipolygons(polygons, indices=ring_pos[first_ring])


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(start, start + count)`` for each pair, vectorised."""
    total = int(counts.sum())
    offsets = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts)
    return offsets + np.arange(total)


def shell_points(
    rings: Rings, centres_xy: np.ndarray, zones: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """A point on the shell boundary of each zone in ``zones`` (``u`` in [0, 1) picks which)."""
    shell = rings.ring_role == ROLE_SHELL
    starts = np.searchsorted(rings.vertex_ring, np.flatnonzero(shell))
    counts = np.bincount(rings.vertex_ring, minlength=rings.ring_role.size)[shell]
    vertex = starts[zones] + np.floor(u * counts[zones]).astype(int)
    return centres_xy + rings.vertex_xy[vertex]


def add_lobes(
    base: np.ndarray, planned: np.ndarray, anchors_xy: np.ndarray, outside_m2: np.ndarray
) -> np.ndarray:
    """Union each footprint with a disc centred on a point of its planned boundary.

    The disc radius is tuned (three vectorised passes) so that about ``outside_m2`` of it lies
    outside the planned boundary: the footprint then encroaches by that area.
    """
    centres = shapely.points(anchors_xy)
    radius = np.sqrt(2 * outside_m2 / np.pi)
    for _ in range(3):
        outside = shapely.area(
            shapely.difference(shapely.buffer(centres, radius, quad_segs=8), planned)
        )
        radius = radius * np.clip(np.sqrt(outside_m2 / np.maximum(outside, 1.0)), 0.5, 2.0)
    return shapely.union(base, shapely.buffer(centres, radius, quad_segs=8))


def as_multipolygons(geoms: np.ndarray) -> np.ndarray:
    """Each geometry as a MultiPolygon of its polygonal parts (None stays None)."""
    geoms = np.asarray(geoms, dtype=object)
    todo = np.flatnonzero(~shapely.is_missing(geoms) & (shapely.get_type_id(geoms) != 6))
    out = geoms.copy()
    out[todo] = _polygonal_parts(geoms[todo])
    return out


def _polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    parts, index = shapely.get_parts(geoms, return_index=True)
    flat, sub = shapely.get_parts(parts, return_index=True)
    index = index[sub]
    keep = shapely.get_type_id(flat) == 3
    out = np.full(len(geoms), None, dtype=object)
    return shapely.multipolygons(flat[keep], indices=index[keep], out=out)


def to_lonlat(geoms: np.ndarray) -> np.ndarray:
    """Transform projected geometries (``EQUAL_AREA_CRS``) to EPSG:4326 lon/lat."""
    return project(geoms, _to_lonlat_transformer())


def uniform_points(rng: np.random.Generator, area, n: int) -> np.ndarray:
    """``n`` uniformly random points (x, y) inside the polygon ``area`` (rejection sampling)."""
    x0, y0, x1, y1 = area.bounds
    shapely.prepare(area)
    found: list[np.ndarray] = []
    total = 0
    while total < n:
        xy = rng.uniform([x0, y0], [x1, y1], size=(max(64, 4 * (n - total)), 2))
        xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        found.append(xy)
        total += len(xy)
    return np.concatenate(found)[:n]


@lru_cache(maxsize=1)
def _to_lonlat_transformer() -> Transformer:
    return Transformer.from_crs(EQUAL_AREA_CRS, "EPSG:4326", always_xy=True)


def _shell_vertices(rng: np.random.Generator, shape: np.ndarray, n_vertices: np.ndarray):
    """Star-shaped shell vertices (unit-ish size) for every zone, rotated at random."""
    n = shape.size
    zone = np.repeat(np.arange(n), n_vertices)
    start = np.r_[0, np.cumsum(n_vertices)[:-1]]
    k = n_vertices[zone]
    step = 2 * np.pi / k
    theta = (np.arange(zone.size) - start[zone] + rng.uniform(-0.35, 0.35, zone.size)) * step
    aspect = rng.uniform(1.0, 2.6, n)
    half_a, half_b = np.sqrt(aspect), 1 / np.sqrt(aspect)
    arm = rng.uniform(0.9, 2.2, (n, 2))
    corners = _corner_angles(shape, half_a, half_b, arm)
    _snap_corners(theta, corners, start, n_vertices)
    z_shape = shape[zone]
    radius = np.select(
        [z_shape == SHAPE_RECT, z_shape == SHAPE_L],
        [
            _rect_radius(theta, -half_a[zone], half_a[zone], -half_b[zone], half_b[zone]),
            _l_radius(theta, arm[zone]),
        ],
        _ellipse_radius(rng, theta, zone, half_a, half_b),
    )
    noise = np.where(z_shape == SHAPE_ELLIPSE, 0.03, 0.012)
    radius *= 1 + rng.uniform(-1, 1, zone.size) * noise
    angle = theta + rng.uniform(0, 2 * np.pi, n)[zone]
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]), zone


def _l_radius(theta: np.ndarray, arm: np.ndarray) -> np.ndarray:
    """Exit radius of an L (two arms of width 1 meeting at a unit corner square at the origin)."""
    horizontal = _rect_radius(theta, -0.5, 0.5 + arm[:, 0], -0.5, 0.5)
    vertical = _rect_radius(theta, -0.5, 0.5, -0.5, 0.5 + arm[:, 1])
    return np.maximum(horizontal, vertical)


def _rect_radius(theta, x0, x1, y0, y1) -> np.ndarray:
    """Distance from the origin to the border of the box [x0, x1] x [y0, y1] along ``theta``."""
    cos, sin = np.cos(theta), np.sin(theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(cos > 1e-12, x1 / cos, np.where(cos < -1e-12, x0 / cos, np.inf))
        ty = np.where(sin > 1e-12, y1 / sin, np.where(sin < -1e-12, y0 / sin, np.inf))
    return np.minimum(tx, ty)


def _ellipse_radius(rng: np.random.Generator, theta, zone, half_a, half_b) -> np.ndarray:
    """Ellipse radius with a few low harmonics, so outlines look surveyed rather than drawn."""
    a, b = half_a[zone], half_b[zone]
    base = a * b / np.hypot(b * np.cos(theta), a * np.sin(theta))
    amp = rng.uniform(0, 0.06, (half_a.size, 3))
    phase = rng.uniform(0, 2 * np.pi, (half_a.size, 3))
    wobble = sum(amp[zone, h] * np.cos((h + 2) * theta + phase[zone, h]) for h in range(3))
    return base * (1 + wobble)


def _corner_angles(shape, half_a, half_b, arm) -> np.ndarray:
    """Angles (n, 6) of the corners of rectangles and L-shapes, NaN where there is none."""
    out = np.full((shape.size, 6), np.nan)
    c = np.arctan2(half_b, half_a)
    rect = np.column_stack([c, np.pi - c, np.pi + c, 2 * np.pi - c])
    out[:, :4] = np.where((shape == SHAPE_RECT)[:, None], rect, np.nan)
    ex, ey = 0.5 + arm[:, 0], 0.5 + arm[:, 1]
    pts_x = np.column_stack([-0.5 + 0 * ex, ex, ex, 0.5 + 0 * ex, 0.5 + 0 * ex, -0.5 + 0 * ex])
    pts_y = np.column_stack([-0.5 + 0 * ey, -0.5 + 0 * ey, 0.5 + 0 * ey, 0.5 + 0 * ey, ey, ey])
    ell = np.mod(np.arctan2(pts_y, pts_x), 2 * np.pi)
    return np.where((shape == SHAPE_L)[:, None], ell, out)


def _snap_corners(theta, corners, start, n_vertices) -> None:
    """Move the vertex nearest to each corner angle onto the corner (keeps the angle order)."""
    zone, which = np.nonzero(~np.isnan(corners))
    angle = corners[zone, which]
    step = 2 * np.pi / n_vertices[zone]
    slot = np.rint(angle / step).astype(int)
    wrap = slot >= n_vertices[zone]
    angle = np.where(wrap, angle - 2 * np.pi, angle)
    theta[start[zone] + np.where(wrap, 0, slot)] = angle


def _blob_vertices(rng: np.random.Generator, zones: np.ndarray, radius: np.ndarray, k: int):
    """Small irregular ``k``-gons (holes, satellites) of the given radii, one per zone."""
    theta = (np.arange(k) + rng.uniform(-0.3, 0.3, (zones.size, k))) * (2 * np.pi / k)
    r = radius[:, None] * rng.uniform(0.85, 1.1, (zones.size, k))
    xy = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=-1).reshape(-1, 2)
    return xy, np.repeat(zones, k)


def _per_zone(ufunc, values: np.ndarray, zone: np.ndarray, n: int) -> np.ndarray:
    starts = np.r_[0, np.flatnonzero(np.diff(zone)) + 1]
    out = np.zeros(n)
    out[zone[starts]] = ufunc.reduceat(values, starts)
    return out


def _dense(zone: np.ndarray) -> np.ndarray:
    """Ring number (0, 1, ...) of each vertex when consecutive runs of ``zone`` are rings."""
    if zone.size == 0:
        return zone
    return np.cumsum(np.r_[0, np.diff(zone) != 0])


def _sorted_rings(n, ring_zone, ring_role, origins, vertex_ring, vertex_xy) -> Rings:
    order = np.lexsort((ring_role, ring_zone))
    new_id = np.empty_like(order)
    new_id[order] = np.arange(order.size)
    v_ring = new_id[vertex_ring]
    v_order = np.argsort(v_ring, kind="stable")
    return Rings(
        n, ring_zone[order], ring_role[order], origins[order], v_ring[v_order], vertex_xy[v_order]
    )


def _next_vertex(rings: Rings) -> np.ndarray:
    """Index of the next vertex of the same ring (wrapping to the ring's first vertex)."""
    start = np.r_[0, np.flatnonzero(np.diff(rings.vertex_ring)) + 1]
    nxt = np.arange(rings.vertex_ring.size) + 1
    nxt[np.r_[start[1:] - 1, rings.vertex_ring.size - 1]] = start
    return nxt


def _ring_areas(rings: Rings) -> np.ndarray:
    """Area enclosed by each ring (shoelace, m² once calibrated), positive for every role."""
    xy, nxt = rings.vertex_xy, _next_vertex(rings)
    cross = xy[:, 0] * xy[nxt, 1] - xy[nxt, 0] * xy[:, 1]
    return np.abs(np.bincount(rings.vertex_ring, cross, rings.ring_role.size)) / 2


def _calibrate(rings: Rings, area_m2: np.ndarray) -> Rings:
    """Scale each zone about its centre so its polygonal area equals ``area_m2``."""
    xy = rings.vertex_xy
    ring_area = _ring_areas(rings)
    sign = np.where(rings.ring_role == ROLE_HOLE, -1.0, 1.0)
    zone_area = np.bincount(rings.ring_zone, sign * ring_area, rings.n_zones)
    factor = np.sqrt(area_m2 / zone_area)
    return Rings(
        rings.n_zones,
        rings.ring_zone,
        rings.ring_role,
        rings.ring_origin * factor[rings.ring_zone][:, None],
        rings.vertex_ring,
        xy * factor[rings.ring_zone[rings.vertex_ring]][:, None],
    )


def holed_footprint_scales(rings: Rings, zones: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Vertex scales for footprints of holed zones, built without the hole then clipped to it.

    The hole sits at the zone centre, so shrinking the shell towards the centre by
    ``sqrt(share)`` (as for other zones) eats into the hole first: below about 10 % the shrunk
    shell lies wholly inside the hole and the clipped footprint is empty. Here the shell is
    shrunk so that shell minus hole covers ``share`` of the planned area, and never so far that
    it stops enclosing the hole (the footprint is then slightly larger than asked).
    """
    ring_area = _ring_areas(rings)
    is_hole = rings.ring_role == ROLE_HOLE
    hole_m2 = np.bincount(rings.ring_zone[is_hole], ring_area[is_hole], rings.n_zones)[zones]
    full_m2 = np.bincount(rings.ring_zone[~is_hole], ring_area[~is_hole], rings.n_zones)[zones]
    by_area = np.sqrt((share * (full_m2 - hole_m2) + hole_m2) / full_m2)
    hole_r, shell_r = _hole_clearance(rings)
    return np.clip(np.maximum(by_area, 1.02 * hole_r[zones] / shell_r[zones]), 0.0, 1.0)


def _hole_clearance(rings: Rings) -> tuple[np.ndarray, np.ndarray]:
    """Per zone: farthest hole vertex from the centre, nearest shell edge to it (metres).

    Both rings are centred on the zone centre, so a shell shrunk by ``s`` encloses the hole
    when ``s * shell > hole``. Zones without a hole get hole 0.
    """
    xy, nxt = rings.vertex_xy, _next_vertex(rings)
    role = rings.ring_role[rings.vertex_ring]
    zone = rings.ring_zone[rings.vertex_ring]
    edge = xy[nxt] - xy
    t = np.clip(-np.sum(xy * edge, axis=1) / np.maximum(np.sum(edge * edge, axis=1), 1e-12), 0, 1)
    to_edge = np.hypot(*(xy + t[:, None] * edge).T)
    shell_r = np.full(rings.n_zones, np.inf)
    np.minimum.at(shell_r, zone[role == ROLE_SHELL], to_edge[role == ROLE_SHELL])
    hole_r = np.zeros(rings.n_zones)
    np.maximum.at(hole_r, zone[role == ROLE_HOLE], np.hypot(*xy[role == ROLE_HOLE].T))
    return hole_r, shell_r
