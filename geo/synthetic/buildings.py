"""Building layers with known answers, for the built-up derivation's tests and benchmark.

Zones are squares on a lattice around the Red River delta, far enough apart that no building
is near two zones. Each zone holds, in metres of a local equal-area projection:

* a block of ``nx × ny`` square buildings (side ``size_m``, gaps ``gap_m``) wholly inside;
* one building straddling the zone's east edge (inside: counted once);
* ``outside`` buildings north of the zone, ``outside_offset_m`` beyond the boundary, spaced
  far apart (encroachment evidence);
and ``far`` buildings lie between the lattice rows, farther than any search distance.

With ``gap_m < 2 × closing_m`` the closing fills the block's gaps, so the expected built-up
area is the block's envelope plus the straddling and outside buildings' own areas (isolated
buildings close onto themselves).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.frames import laea, project

__all__ = ["BuildingScenario", "building_scenario"]


@dataclass(frozen=True)
class BuildingScenario:
    """Zones (EPSG:4326, ``code``), buildings (EPSG:4326 array) and the expected answers per
    zone code: ``building_count``, ``outside_count``, ``floor_area_ha``, ``builtup_ha``."""

    zones: gpd.GeoDataFrame
    buildings: np.ndarray
    expected: pd.DataFrame
    far_count: int


def building_scenario(
    n_zones: int = 4,
    *,
    nx: int = 6,
    ny: int = 5,
    size_m: float = 30.0,
    gap_m: float = 15.0,
    zone_m: float = 1_000.0,
    outside: int = 2,
    outside_offset_m: float = 80.0,
    far: int = 3,
    spacing_m: float = 2_400.0,
    origin: tuple[float, float] = (105.40, 20.50),
    seed: int = 5,
) -> BuildingScenario:
    """A scenario of ``n_zones`` zones with ``nx × ny + 1 + outside`` buildings each."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_zones)))
    transformer = laea(*origin)
    zones, shapes, rows = [], [], []
    block_w = nx * size_m + (nx - 1) * gap_m
    block_h = ny * size_m + (ny - 1) * gap_m
    for i in range(n_zones):
        x0, y0 = (i % side) * spacing_m, (i // side) * spacing_m
        zones.append(shapely.box(x0, y0, x0 + zone_m, y0 + zone_m))
        bx, by = x0 + rng.uniform(50, zone_m - block_w - 100), y0 + rng.uniform(50, 300)
        xs = bx + np.arange(nx) * (size_m + gap_m)
        ys = by + np.arange(ny) * (size_m + gap_m)
        gx, gy = np.meshgrid(xs, ys)
        shapes += list(
            shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + size_m, gy.ravel() + size_m)
        )
        sy = y0 + zone_m - 150.0
        shapes.append(
            shapely.box(x0 + zone_m - size_m / 2, sy, x0 + zone_m + size_m / 2, sy + size_m)
        )
        for k in range(outside):
            ox = x0 + 100.0 + k * 150.0
            oy = y0 + zone_m + outside_offset_m
            shapes.append(shapely.box(ox, oy, ox + size_m, oy + size_m))
        area = size_m * size_m / 1e4
        rows.append(
            {
                "code": f"BZ{i:05d}",
                "building_count": nx * ny + 1,
                "outside_count": outside,
                "floor_area_ha": (nx * ny + 1) * area,
                "builtup_ha": block_w * block_h / 1e4 + (1 + outside) * area,
            }
        )
    far_shapes = [
        shapely.box(x, y, x + size_m, y + size_m)
        for x, y in zip(
            rng.uniform(0, side * spacing_m, far),
            (np.arange(far) % side + 0.5) * spacing_m + zone_m / 2,
            strict=True,
        )
    ]
    zone_ll = project(np.array(zones, dtype=object), transformer, inverse=True)
    built_ll = project(np.array(shapes + far_shapes, dtype=object), transformer, inverse=True)
    frame = gpd.GeoDataFrame(
        {
            "MA_KCN": [r["code"] for r in rows],
            "TEN_KCN": [f"Khu công nghiệp Thử Nghiệm {i}" for i in range(n_zones)],
            "DT_HA": zone_m * zone_m / 1e4,
            "TRANG_THAI": "Đang hoạt động",
        },
        geometry=zone_ll,
        crs=4326,
    )
    return BuildingScenario(frame, built_ll, pd.DataFrame(rows), far)
