"""Per-feature diagnosis of coordinates: where each feature lies, and why not in Vietnam.

``diagnose_positions`` looks at every feature in the file's own CRS before anything is decided
for the whole file, and gives each one reason:

* ``ok`` — it lands inside Vietnam's extent once reprojected to EPSG:4326;
* ``geometry_missing`` — null or empty geometry;
* ``non_finite`` — a coordinate is NaN or infinite;
* ``null_island`` — every coordinate is (0, 0) or next to it (a failed geocode or export);
* ``swapped_axes`` — outside Vietnam as read, inside once longitude and latitude are swapped;
* ``crs_mismatch`` — the numbers fit another kind of CRS than the file's (metres in a file read
  as degrees, or degrees in a projected file);
* ``scale_error`` — a coordinate that no CRS of the file can put in Vietnam (a missing decimal
  point: ``106187238.0`` for ``106.187238``);
* ``outside_vietnam`` — plausible coordinates, just somewhere else.

The reasons are plain strings so that callers can count them; ``POSITION_MESSAGES`` holds the
sentence for people. Geometry validity and type are judged later (``geo.ingest.validate``).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geo.crs.systems import STORAGE_SRID, VIETNAM_EXTENT_DEG
from geo.ingest.validate import reproject

__all__ = [
    "POSITION_MESSAGES",
    "PositionDiagnosis",
    "diagnose_positions",
    "swap_axes",
]

_NULL_ISLAND_DEG = 1e-3
_NULL_ISLAND_M = 1.0
# Where projected coordinates of Vietnam can lie (VN-2000 TM-3/UTM, WGS 84 UTM), in metres.
_METRE_BOX = (0.0, 500_000.0, 1_500_000.0, 2_800_000.0)
_DEGREE_LIMITS = (180.0, 90.0)

POSITION_MESSAGES = {
    "geometry_missing": "has no geometry (null or empty)",
    "non_finite": "has a coordinate that is not a number (NaN or infinite)",
    "null_island": "lies at (0, 0): its coordinates were lost on export",
    "swapped_axes": "has longitude and latitude swapped (it lies in Vietnam once swapped)",
    "crs_mismatch": "has coordinates that do not fit the file's CRS (metres read as degrees, "
    "or degrees read as metres)",
    "scale_error": "has a coordinate that no coordinate system puts in Vietnam (probably a "
    "missing decimal point)",
    "outside_vietnam": "lies outside Vietnam",
}


@dataclass(frozen=True)
class PositionDiagnosis:
    """One reason per feature (``reasons``, by position) and the geometries in EPSG:4326.

    ``geoms`` is None where a feature cannot be reprojected (missing or non-finite coordinates);
    ``shown`` is where a feature can be drawn for review (the swapped position for swapped axes,
    None where there is nothing finite to draw).
    """

    reasons: np.ndarray
    geoms: np.ndarray
    shown: np.ndarray

    def where(self, reason: str) -> np.ndarray:
        """Positions of the features with ``reason``."""
        return np.flatnonzero(self.reasons == reason)

    def counts(self) -> dict[str, int]:
        """How many features have each reason (``ok`` included)."""
        values, counts = np.unique(self.reasons, return_counts=True)
        return {str(v): int(c) for v, c in zip(values, counts, strict=True)}


def swap_axes(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Swap the two coordinates of every vertex (x ↔ y), keeping the CRS.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> swap_axes(gpd.GeoSeries([Point(10.5, 106.2)])).iloc[0].coords[0]
    (106.2, 10.5)
    """
    moved = shapely.transform(geoms.to_numpy(), lambda xy: xy[:, ::-1])
    return gpd.GeoSeries(moved, index=geoms.index, crs=geoms.crs)


def diagnose_positions(geoms: gpd.GeoSeries, crs: pyproj.CRS) -> PositionDiagnosis:
    """Diagnose where every feature lies, in the file's own CRS ``crs``.

    Parameters
    ----------
    geoms : GeoSeries
        The geometries as read (coordinates in ``crs``), with a default RangeIndex.
    crs : pyproj.CRS
        The CRS the file declares or the user chose.

    Returns
    -------
    PositionDiagnosis
        A reason per feature; see the module docstring.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> s = gpd.GeoSeries([Point(105.9, 10.1), Point(10.1, 105.9), Point(0, 0),
    ...                    Point(106187238.0, 10.1), Point(2.35, 48.85)])
    >>> diagnose_positions(s, pyproj.CRS(4326)).reasons.tolist()
    ['ok', 'swapped_axes', 'null_island', 'scale_error', 'outside_vietnam']
    """
    raw = geoms.to_numpy()
    n = raw.size
    reasons = np.full(n, "ok", dtype=object)
    missing = shapely.is_missing(raw) | shapely.is_empty(raw)
    reasons[missing] = "geometry_missing"
    finite = ~missing & _all_finite(raw)
    reasons[~missing & ~finite] = "non_finite"
    out = np.full(n, None, dtype=object)
    shown = np.full(n, None, dtype=object)
    idx = np.flatnonzero(finite)
    if idx.size:
        bounds = shapely.bounds(raw[idx])
        moved = _to_storage(raw[idx], crs)
        out[idx] = moved
        inside = _inside_vietnam(shapely.bounds(moved))
        shown[idx] = moved
        reasons[idx[~inside]] = _why_outside(
            raw[idx[~inside]], bounds[~inside], crs, shown, idx[~inside]
        )
    return PositionDiagnosis(reasons, out, shown)


def _all_finite(geoms: np.ndarray) -> np.ndarray:
    if np.isfinite(shapely.get_coordinates(geoms, include_z=False)).all():
        return np.ones(geoms.size, dtype=bool)  # the usual case: no need to know which
    coords, which = shapely.get_coordinates(geoms, include_z=False, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    result = np.ones(geoms.size, dtype=bool)
    result[np.unique(which[bad])] = False
    return result


def _to_storage(geoms: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    if crs.to_epsg() == STORAGE_SRID:
        return geoms
    return reproject(gpd.GeoSeries(geoms, crs=crs), STORAGE_SRID).to_numpy()


def _inside_vietnam(bounds: np.ndarray) -> np.ndarray:
    lon_min, lat_min, lon_max, lat_max = VIETNAM_EXTENT_DEG
    with np.errstate(invalid="ignore"):
        return (
            (bounds[:, 0] >= lon_min)
            & (bounds[:, 1] >= lat_min)
            & (bounds[:, 2] <= lon_max)
            & (bounds[:, 3] <= lat_max)
        )


def _why_outside(
    raw: np.ndarray, bounds: np.ndarray, crs: pyproj.CRS, shown: np.ndarray, where: np.ndarray
) -> np.ndarray:
    """The reason of each feature that does not land in Vietnam (raw bounds in ``crs``)."""
    reasons = np.full(raw.size, "outside_vietnam", dtype=object)
    extent = np.abs(bounds).max(axis=1)
    near_zero = extent <= (_NULL_ISLAND_DEG if crs.is_geographic else _NULL_ISLAND_M)
    as_degrees = _fits_degrees(bounds)
    as_metres = _fits_metres(bounds)
    swapped = np.zeros(raw.size, dtype=bool)
    if crs.is_geographic:
        candidates = np.flatnonzero(~near_zero & _fits_degrees(bounds[:, [1, 0, 3, 2]]))
        if candidates.size:
            flipped = swap_axes(gpd.GeoSeries(raw[candidates])).to_numpy()
            ok = _inside_vietnam(shapely.bounds(_to_storage(flipped, crs)))
            swapped[candidates[ok]] = True
            shown[where[candidates[ok]]] = _to_storage(flipped[ok], crs)
        reasons[~swapped & as_metres & ~as_degrees] = "crs_mismatch"
        reasons[~swapped & ~as_metres & ~as_degrees] = "scale_error"
    else:
        reasons[as_degrees] = "crs_mismatch"
        reasons[~as_degrees & ~as_metres] = "scale_error"
    reasons[swapped] = "swapped_axes"
    reasons[near_zero] = "null_island"
    return reasons


def _fits_degrees(bounds: np.ndarray) -> np.ndarray:
    lon_limit, lat_limit = _DEGREE_LIMITS
    return (np.abs(bounds[:, [0, 2]]) <= lon_limit).all(axis=1) & (
        np.abs(bounds[:, [1, 3]]) <= lat_limit
    ).all(axis=1)


def _fits_metres(bounds: np.ndarray) -> np.ndarray:
    x_min, y_min, x_max, y_max = _METRE_BOX
    return (
        (bounds[:, 0] >= x_min)
        & (bounds[:, 2] <= x_max)
        & (bounds[:, 1] >= y_min)
        & (bounds[:, 3] <= y_max)
    )
