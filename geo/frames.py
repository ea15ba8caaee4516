"""Small helpers shared by the analysis modules: column checks, CRS and local projections.

Frames are GeoDataFrames in EPSG:4326 (lon/lat); projected coordinates are metres.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyproj.enums import TransformDirection

from geo.errors import MissingColumnsError

NONE_ARRAY = np.array(None, dtype=object)
"""``None`` as a 0-d object array, for ``np.where`` over geometry arrays."""


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    """Raise :class:`geo.errors.MissingColumnsError` when ``frame`` lacks any of ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnsError(
            f"The {name} table lacks the column(s) {', '.join(missing)}; "
            "map those fields when importing, then run the analysis again.",
            details={"table": name, "missing": missing},
        )


def to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Frames without a CRS are taken as EPSG:4326; others are reprojected (copy, no mutation)."""
    if frame.crs is None or frame.crs.to_epsg() == 4326:
        return frame
    return frame.to_crs(4326)


def anchor_lonlat(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroid longitude and latitude (degrees) of each geometry; NaN for missing/empty ones."""
    geoms = np.where(shapely.is_empty(geoms), NONE_ARRAY, geoms)
    centroids = shapely.centroid(geoms)
    return shapely.get_x(centroids), shapely.get_y(centroids)


@lru_cache(maxsize=256)
def laea(lon0: float, lat0: float) -> pyproj.Transformer:
    """EPSG:4326 → Lambert azimuthal equal-area (WGS84 ellipsoid, metres) centred on a point.

    Cached: building a transformer costs milliseconds, and the same centres recur.
    """
    crs = f"+proj=laea +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=m +no_defs"
    return pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def project(
    geoms: np.ndarray, transformer: pyproj.Transformer, *, inverse: bool = False
) -> np.ndarray:
    """Transform every coordinate of ``geoms`` (vectorised, one pyproj call per array)."""
    direction = TransformDirection.INVERSE if inverse else TransformDirection.FORWARD

    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1], direction=direction)
        return np.column_stack([x, y])

    return shapely.transform(geoms, _xy)


def object_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """``frame[name]`` as an object array, or an array of None when the column is absent."""
    if name in frame.columns:
        return frame[name].to_numpy(dtype=object)
    return np.full(len(frame), None, dtype=object)
