"""Province data for the synthetic generator (:mod:`geo.synthetic`): shapes and rough tables.

Internal to the generator. ``Provinces`` holds the 2025-34 provinces in the equal-area CRS of
:mod:`geo.synthetic.shapes` (metres); the tables give each province's rough industrial weight,
which provinces are mountainous or craft-village heartlands, and where economic zones lie.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.synthetic.shapes import EQUAL_AREA_CRS

# fmt: off
# Rough industrial weight of the 2025-34 provinces (share of national zones), by code.
WEIGHT = {"01": 8, "04": .6, "08": 1, "11": .5, "12": .5, "14": .8, "15": 1.2, "19": 3, "20": 1,
          "22": 4, "24": 8, "25": 5, "31": 8, "33": 5, "37": 4, "38": 4, "40": 3, "42": 2,
          "44": 2, "46": 2, "48": 4, "51": 3, "52": 3, "56": 2, "66": 2, "68": 3, "75": 9,
          "79": 12, "80": 8, "82": 3, "86": 2, "91": 2, "92": 2, "96": 1}
MOUNTAIN = frozenset({"04", "08", "11", "12", "14", "15", "19", "20"})
CRAFT_VILLAGE_HEARTLAND = frozenset({"01", "24", "31", "33", "37"})
COASTAL_KKT = {"22": 1, "31": 1, "33": 1, "37": 1, "38": 1, "40": 1, "42": 1, "44": 2, "46": 1,
               "48": 1, "51": 1, "52": 1, "56": 1, "66": 1, "86": 1, "91": 1, "96": 1}
BORDER_KKT = {"04": 1, "08": 1, "11": 1, "12": 1, "14": 1, "15": 1, "20": 1, "22": 1, "38": 1,
              "40": 1, "42": 1, "44": 2, "46": 1, "48": 1, "51": 1, "52": 1, "66": 1, "68": 1,
              "75": 1, "80": 3, "82": 1, "91": 2}
# fmt: on


@dataclass(frozen=True)
class Provinces:
    """Provinces in the equal-area CRS (metres), sorted by code."""

    codes: np.ndarray
    shapes: np.ndarray
    inner: np.ndarray  # shrunk by 50 m and prepared: the containers of the zones
    cores: np.ndarray  # largest part shrunk by 3 km: where hubs and uniform points are drawn
    sites: dict[str, np.ndarray]  # seed-independent site of the planted zones, per code

    @classmethod
    def from_frame(cls, provinces: gpd.GeoDataFrame) -> Provinces:
        frame = provinces.sort_values("code").to_crs(EQUAL_AREA_CRS)
        shapes = shapely.make_valid(frame.geometry.to_numpy())
        largest = np.array([max(shapely.get_parts(g), key=shapely.area) for g in shapes])
        cores = _shrink(largest, 3000.0)
        deep = _shrink(largest, 10000.0, fallback=_shrink(largest, 4000.0))
        sites = shapely.get_coordinates(shapely.point_on_surface(deep))
        inner = shapely.buffer(shapes, -50.0)
        shapely.prepare(inner)
        codes = frame["code"].astype(str).to_numpy()
        return cls(codes, shapes, inner, cores, dict(zip(codes, sites, strict=True)))

    def index(self, codes: Any) -> np.ndarray:
        return np.searchsorted(self.codes, np.asarray(codes, dtype=object).astype(str))

    def shape(self, code: str) -> Any:
        return self.shapes[self.index([code])[0]]


def _shrink(geoms: np.ndarray, distance_m: float, fallback: np.ndarray | None = None):
    shrunk = shapely.buffer(geoms, -distance_m)
    empty = shapely.is_empty(shrunk)
    shrunk[empty] = (geoms if fallback is None else fallback)[empty]
    return shrunk
