"""Geometry checks and repairs for uploaded features (EPSG:4326 lon/lat in, the same out).

``check_geometries`` drops Z/M, checks the geometry type allowed for the upload kind, reports
null and empty geometries, repairs invalid polygons with ``make_valid`` (keeping only the
polygonal parts and reporting by how much each area changed; originals are kept for review),
and flags features outside Vietnam's extent. ``check_duplicate_codes`` reports zone codes
given twice in one file.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.crs.area import ellipsoidal_area_ha
from geo.crs.systems import check_vietnam_extent

__all__ = [
    "ALLOWED_TYPES",
    "Issue",
    "Repair",
    "ValidationResult",
    "check_duplicate_codes",
    "check_geometries",
    "reproject",
]

_POLYGONAL = ("Polygon", "MultiPolygon")
ALLOWED_TYPES = {"zones": (*_POLYGONAL, "Point"), "planned": _POLYGONAL, "actual": _POLYGONAL}
_ALLOWED = ALLOWED_TYPES
_LISTED = 10
_MAX_THREADS = 4
_THREADED_MIN_COORDS = 200_000


@dataclass(frozen=True)
class Issue:
    """A problem found in the upload: stable code, message for people, affected positions."""

    code: str
    message: str
    features: tuple[int, ...] = ()


@dataclass(frozen=True)
class Repair:
    """One repaired feature (position in the file) and its area before/after, in hectares."""

    feature: int
    reason: str
    area_before_ha: float
    area_after_ha: float

    @property
    def area_change_pct(self) -> float:
        """Relative area change in percent (0 when the original had no area)."""
        if self.area_before_ha == 0:
            return 0.0
        return 100.0 * (self.area_after_ha - self.area_before_ha) / self.area_before_ha


@dataclass(frozen=True)
class ValidationResult:
    """Checked features (EPSG:4326), repairs with the original geometries, warnings, errors."""

    features: gpd.GeoDataFrame
    repairs: tuple[Repair, ...]
    originals: gpd.GeoSeries
    warnings: tuple[Issue, ...]
    errors: tuple[Issue, ...]


def reproject(geoseries: gpd.GeoSeries, crs: object) -> gpd.GeoSeries:
    """``geoseries.to_crs(crs)``, with big 2-D inputs transformed on several threads.

    PROJ releases the GIL, so the coordinate array is cut into one chunk per core, each chunk
    transformed by its own ``pyproj.Transformer`` (they are not thread-safe), same result as
    ``GeoSeries.to_crs``. Small or 3-D inputs simply use ``to_crs``.
    """
    target = pyproj.CRS.from_user_input(crs)
    geoms = geoseries.to_numpy()
    threads = min(_MAX_THREADS, os.cpu_count() or 1)
    if (
        geoseries.crs is None
        or threads < 2
        or shapely.has_z(geoms).any()
        or shapely.get_num_coordinates(geoms).sum() < _THREADED_MIN_COORDS
    ):
        return geoseries.to_crs(target)
    transformers = [
        pyproj.Transformer.from_crs(geoseries.crs, target, always_xy=True) for _ in range(threads)
    ]

    def transform(coords: np.ndarray) -> np.ndarray:
        bounds = np.linspace(0, len(coords), threads + 1).astype(int)
        out = np.empty_like(coords)

        def run(i: int) -> None:
            part = slice(bounds[i], bounds[i + 1])
            x, y = transformers[i].transform(coords[part, 0], coords[part, 1])
            out[part, 0], out[part, 1] = x, y

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, range(threads)))
        return out

    moved = shapely.transform(geoms, transform)
    return gpd.GeoSeries(moved, index=geoseries.index, crs=target, name=geoseries.name)


def check_geometries(gdf: gpd.GeoDataFrame, *, kind: str) -> ValidationResult:
    """Check and repair the geometries of an upload of ``kind`` ("zones", "planned", "actual").

    Parameters
    ----------
    gdf : GeoDataFrame
        Features in EPSG:4326 with a default RangeIndex (positions identify features).
    kind : str
        Zones accept polygons and points; planning boundaries and footprints only polygons.

    Returns
    -------
    ValidationResult
        A new frame (input unchanged) with 2-D, valid, polygonal (or point) geometries.
    """
    geoms = gdf.geometry.to_numpy()
    warnings: list[Issue] = []
    if shapely.has_z(geoms).any() or _has_m(geoms):
        geoms = shapely.force_2d(geoms)
        warnings.append(Issue("dimensions_dropped", "Z/M coordinates were dropped (kept 2-D)."))
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    errors = _missing_issues(missing, kind, warnings)
    geoms, repairs, originals = _repair(geoms, ~missing, gdf.crs)
    errors += _type_issues(geoms, ~missing, kind)
    features = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    outside = check_vietnam_extent(features)
    if len(outside):
        warnings.append(
            Issue(
                "outside_vietnam",
                f"{len(outside)} feature(s) lie partly or wholly outside "
                f"Vietnam's extent: {_list(outside)}.",
                tuple(int(i) for i in outside),
            )
        )
    return ValidationResult(features, repairs, originals, tuple(warnings), tuple(errors))


def _has_m(geoms: np.ndarray) -> bool:
    has_m = getattr(shapely, "has_m", None)
    return bool(has_m(geoms).any()) if has_m is not None else False


def _missing_issues(missing: np.ndarray, kind: str, warnings: list[Issue]) -> list[Issue]:
    if not missing.any():
        return []
    where = tuple(int(i) for i in np.flatnonzero(missing))
    if kind == "zones":
        warnings.append(
            Issue(
                "geometry_missing",
                f"{len(where)} feature(s) have no geometry ({_list(where)}); "
                "their zones are stored without a boundary.",
                where,
            )
        )
        return []
    return [
        Issue(
            "geometry_missing",
            f"{len(where)} feature(s) have a null or empty geometry "
            f"({_list(where)}); every planning boundary or footprint needs a polygon.",
            where,
        )
    ]


def _type_issues(geoms: np.ndarray, present: np.ndarray, kind: str) -> list[Issue]:
    types = shapely.get_type_id(geoms)
    names = np.array(
        [
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        ]
    )
    allowed = np.isin(names[np.clip(types, 0, 7)], _ALLOWED[kind])
    wrong = present & ~allowed
    if not wrong.any():
        return []
    where = tuple(int(i) for i in np.flatnonzero(wrong))
    found = sorted(set(names[types[wrong]]))
    wanted = " or ".join(_ALLOWED[kind])
    return [
        Issue(
            "wrong_geometry_type",
            f"{len(where)} feature(s) are {', '.join(found)} but "
            f"{kind} uploads need {wanted} geometries ({_list(where)}). Export the polygon "
            "layer, or choose another kind of upload.",
            where,
        )
    ]


def _repair(
    geoms: np.ndarray, present: np.ndarray, crs: object
) -> tuple[np.ndarray, tuple[Repair, ...], gpd.GeoSeries]:
    invalid = present & ~shapely.is_valid(geoms)
    collections = present & (shapely.get_type_id(geoms) == 7)
    todo = np.flatnonzero(invalid | collections)
    if todo.size == 0:
        return geoms, (), gpd.GeoSeries([], crs=crs)
    before = geoms[todo]
    fixed = np.array([_polygonal(g) for g in shapely.make_valid(before)], dtype=object)
    out = geoms.copy()
    out[todo] = fixed
    area_before = ellipsoidal_area_ha(gpd.GeoSeries(before, crs=crs))
    area_after = ellipsoidal_area_ha(gpd.GeoSeries(fixed, crs=crs))
    reasons = [shapely.is_valid_reason(g) for g in before]
    repairs = tuple(
        Repair(int(i), str(r), float(a), float(b))
        for i, r, a, b in zip(todo, reasons, area_before, area_after, strict=True)
    )
    return out, repairs, gpd.GeoSeries(before, index=todo, crs=crs)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal parts of a repaired geometry (points/lines dropped)."""
    parts = shapely.get_parts(geom)
    polygons = [p for p in parts if p.geom_type in _POLYGONAL]
    if not polygons:
        return parts[0] if len(parts) and geom.geom_type != "GeometryCollection" else geom
    return shapely.union_all(polygons) if len(polygons) > 1 else polygons[0]


def check_duplicate_codes(codes: pd.Series) -> list[Issue]:
    """Report zone codes that occur more than once (blank codes are reported too).

    Examples
    --------
    >>> [i.code for i in check_duplicate_codes(pd.Series(["A", "B", "A"]))]
    ['duplicate_codes']
    """
    issues: list[Issue] = []
    text = codes.astype(object).where(codes.notna(), None)
    blank = text.map(lambda v: v is None or not str(v).strip())
    if blank.any():
        where = tuple(int(i) for i in np.flatnonzero(blank.to_numpy()))
        issues.append(
            Issue(
                "code_missing",
                f"{len(where)} feature(s) have no zone code "
                f"({_list(where)}); every feature needs one.",
                where,
            )
        )
    dup = text[~blank & text.duplicated(keep=False)]
    if not dup.empty:
        values = sorted(set(dup.astype(str)))
        where = tuple(int(i) for i in np.flatnonzero(~blank & text.duplicated(keep=False)))
        issues.append(
            Issue(
                "duplicate_codes",
                f"{len(values)} zone code(s) occur more than "
                f"once in the file: {_list(values)}. Each code must be unique.",
                where,
            )
        )
    return issues


def _list(items: object) -> str:
    values = [str(v) for v in items]  # type: ignore[attr-defined]
    shown = ", ".join(values[:_LISTED])
    return shown + (f" … (+{len(values) - _LISTED} more)" if len(values) > _LISTED else "")
