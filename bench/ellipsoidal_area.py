"""The one area function (geo.crs.area.ellipsoidal_area_ha) against its peers: one Albers
equal-area projection of the whole array (what uploads used) and pyproj.Geod per geometry
(exact, what the CRS ranking used).

Random zone-sized polygons (buffers of 200-1,100 m, 16 segments) over Vietnam, EPSG:4326; the
median of ``--runs`` warm runs (transformers cached). Prints the load average: other work on
the machine moves the figures.
"""

from __future__ import annotations

import argparse
import os
import time

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geo.crs.area import ellipsoidal_area_ha

VIETNAM_ALBERS = "+proj=aea +lat_0=16 +lon_0=106 +lat_1=11 +lat_2=21 +ellps=WGS84 +units=m +no_defs"
_GEOD = pyproj.Geod(ellps="WGS84")


def albers_ha(series: gpd.GeoSeries) -> np.ndarray:
    return np.nan_to_num(series.to_crs(VIETNAM_ALBERS).area.to_numpy() / 10_000.0)


def geod_ha(series: gpd.GeoSeries) -> np.ndarray:
    oriented = shapely.orient_polygons(series.to_numpy(), exterior_cw=False)
    return np.array([abs(_GEOD.geometry_area_perimeter(g)[0]) / 1e4 for g in oriented])


def polygons(n: int, seed: int = 7) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    points = shapely.points(rng.uniform(102.5, 109.5, n), rng.uniform(8.8, 23.0, n))
    return gpd.GeoSeries(shapely.buffer(points, rng.uniform(0.002, 0.01, n), quad_segs=4), crs=4326)


def median_s(function, data, runs: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(data)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = polygons(args.size)
    sample = data[:2_000]
    exact = geod_ha(sample)
    print(f"load average {os.getloadavg()}; {args.size:,} polygons; median of {args.runs} runs")
    for name, function, size in (
        ("ellipsoidal_area_ha (per-cell LAEA)", ellipsoidal_area_ha, args.size),
        ("one Albers projection", albers_ha, args.size),
        ("pyproj.Geod per geometry", geod_ha, args.size // 10),
    ):
        seconds = median_s(function, data[:size], args.runs)
        error = float(np.max(np.abs(np.asarray(function(sample)) / exact - 1)))
        print(f"{name}: {seconds / size * 1e6:.2f} µs per polygon, max rel. error {error:.1e}")


if __name__ == "__main__":
    main()
