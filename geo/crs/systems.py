"""Coordinate reference systems: storage CRS, metric helpers, parsing and CRS guessing.

Geometry is stored in EPSG:4326 (lon/lat degrees). Areas are computed on the WGS 84 ellipsoid
(``geo.crs.area.ellipsoidal_area_ha``) or after ``to_metric``. VN-2000 support (the official
transformation, the province TM-3 meridians) lives in ``geo.crs.vn2000`` and is re-exported here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyproj.exceptions import CRSError

# one ellipsoidal area for the whole library: it orients rings first, whatever their order
from geo.crs.vn2000 import (
    LEGAL_TM3_MERIDIANS,
    PROVINCE_CENTRAL_MERIDIANS_2008,
    PROVINCE_CENTRAL_MERIDIANS_2025,
    ROTATION_CONVENTION,
    VN2000_PROJ_TOWGS84,
    VN2000_TOWGS84,
    legal_meridians,
    official_vn2000_crs,
    parse_vn2000_name,
    recognise_vn2000,
    vn2000_crs,
)
from geo.errors import UnknownCRSError

__all__ = [
    "LEGAL_TM3_MERIDIANS",
    "PROVINCE_CENTRAL_MERIDIANS_2008",
    "PROVINCE_CENTRAL_MERIDIANS_2025",
    "ROTATION_CONVENTION",
    "STORAGE_SRID",
    "VIETNAM_EXTENT_DEG",
    "VN2000_PROJ_TOWGS84",
    "VN2000_TOWGS84",
    "CRSCandidate",
    "check_vietnam_extent",
    "describe_crs",
    "official_vn2000_crs",
    "parse_crs",
    "rank_crs_candidates",
    "recognise_vn2000",
    "to_metric",
    "vn2000_crs",
]

STORAGE_SRID = 4326
#: Vietnam's bounding extent in degrees (lon_min, lat_min, lon_max, lat_max), islands included.
VIETNAM_EXTENT_DEG = (102.1, 6.5, 117.9, 23.5)
#: Albers equal-area for whole-country data (standard parallels 11° and 21° N).
VIETNAM_ALBERS = "+proj=aea +lat_0=16 +lon_0=106 +lat_1=11 +lat_2=21 +ellps=WGS84 +units=m +no_defs"
_ACCEPTED_FORMS = (
    '"EPSG:9210", a WKT or PROJ string, or one of "VN2000", "VN2000-UTM48", "VN2000-UTM49", '
    '"VN2000-TM3-105.75" (central meridian), "VN2000-TM3:01" (province code)'
)
_MAX_SAMPLE_POINTS = 1000
_DEGREE_BOX = (100.0, 5.0, 120.0, 25.0)
_METRE_BOX = (0.0, 600_000.0, 1_500_000.0, 2_800_000.0)


@dataclass(frozen=True)
class CRSCandidate:
    """A CRS that might describe coordinates read without one, with its score in [0, 1]."""

    name: str
    crs: pyproj.CRS
    score: float
    reason: str


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject ``gdf`` to a metric CRS suited to its extent (a new frame; input unchanged).

    Data spanning more than 6° of longitude (e.g. the whole country) go to an Albers equal-area
    projection for Vietnam; smaller extents go to the WGS 84 UTM zone of their centre
    (48N/49N in Vietnam). Units: metres.

    Raises
    ------
    UnknownCRSError
        When ``gdf`` has no CRS.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(105.85, 21.03)], crs=4326)
    >>> to_metric(g).crs.to_epsg()
    32648
    """
    if gdf.crs is None:
        raise UnknownCRSError("The layer has no CRS; set one (e.g. EPSG:4326) first.")
    lon_min, lat_min, lon_max, lat_max = gdf.to_crs(STORAGE_SRID).total_bounds
    if lon_max - lon_min > 6.0:
        return gdf.to_crs(VIETNAM_ALBERS)
    lon, lat = (lon_min + lon_max) / 2, (lat_min + lat_max) / 2
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return gdf.to_crs(epsg=(32600 if lat >= 0 else 32700) + zone)


def parse_crs(text: str) -> pyproj.CRS:
    """Parse a CRS given as text: "EPSG:xxxx", WKT, a PROJ string, or a VN-2000 friendly name.

    Friendly names build VN-2000 CRSs with the official transformation (``geo.crs.vn2000``). EPSG
    codes, WKT and PROJ strings are returned as PROJ reads them; pass the result through
    ``official_vn2000_crs`` to swap a VN-2000 one for ours.

    Raises
    ------
    UnknownCRSError
        When the text is none of these.

    Examples
    --------
    >>> parse_crs("VN2000-TM3:01").name
    'VN-2000 / TM-3 105-00'
    """
    stripped = (text or "").strip()
    try:
        friendly = parse_vn2000_name(stripped)
    except ValueError as exc:
        raise UnknownCRSError(f"{exc} Accepted forms: {_ACCEPTED_FORMS}.") from exc
    if friendly is not None:
        return friendly
    try:
        return pyproj.CRS.from_user_input(stripped)
    except CRSError as exc:
        raise UnknownCRSError(
            f"Cannot understand the CRS {text!r}. Accepted forms: {_ACCEPTED_FORMS}.",
            details={"crs": text},
        ) from exc


def describe_crs(crs: pyproj.CRS) -> str:
    """Describe ``crs`` in a short, re-parseable form for recording with an upload.

    VN-2000 CRSs give their friendly name (so that ``parse_crs`` rebuilds them with the official
    transformation, which an EPSG code would not), others their EPSG code, else a PROJ string.

    Examples
    --------
    >>> describe_crs(pyproj.CRS.from_epsg(4326)), describe_crs(pyproj.CRS.from_epsg(3405))
    ('EPSG:4326', 'VN2000-UTM48')
    """
    friendly = recognise_vn2000(crs)
    if friendly is not None:
        return friendly
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}"
    with warnings.catch_warnings():  # pyproj warns that PROJ strings lose information
        warnings.simplefilter("ignore", UserWarning)
        return crs.to_proj4() or crs.to_wkt()


def check_vietnam_extent(gdf: gpd.GeoDataFrame) -> pd.Index:
    """Index labels of the features not wholly inside Vietnam's bounding extent.

    The extent is ``VIETNAM_EXTENT_DEG`` (lon 102.1–117.9, lat 6.5–23.5, degrees). ``gdf`` is
    reprojected to EPSG:4326 when it has another CRS; without a CRS it is taken as lon/lat.
    Features without geometry are not reported.
    """
    geoms = gdf.geometry
    if gdf.crs is not None and gdf.crs.to_epsg() != STORAGE_SRID:
        geoms = geoms.to_crs(STORAGE_SRID)
    bounds = geoms.bounds.to_numpy()
    lon_min, lat_min, lon_max, lat_max = VIETNAM_EXTENT_DEG
    has_geom = ~np.isnan(bounds).any(axis=1)
    inside = (
        (bounds[:, 0] >= lon_min)
        & (bounds[:, 1] >= lat_min)
        & (bounds[:, 2] <= lon_max)
        & (bounds[:, 3] <= lat_max)
    )
    return gdf.index[has_geom & ~inside]


def rank_crs_candidates(
    gdf_without_crs: gpd.GeoDataFrame,
    *,
    provinces: gpd.GeoDataFrame,
    claimed_province_code: str | None = None,
) -> list[CRSCandidate]:
    """Rank the CRSs that could describe coordinates read without a CRS, best first.

    Decides degrees or metres from the coordinate ranges, then places up to 1,000 feature
    representative points with every plausible CRS (degrees: WGS 84 and VN-2000 lon/lat;
    metres: VN-2000 UTM 48N/49N, VN-2000 TM-3 on every legal province meridian, WGS 84 UTM
    48N/49N) and scores each by the share of points inside the claimed province (or inside
    Vietnam, the union of ``provinces``, when none is claimed). Ties go to the CRS whose TM-3
    meridian is legal where the points land, then to VN-2000 over WGS 84.

    Parameters
    ----------
    gdf_without_crs : GeoDataFrame
        Features whose coordinates are read as raw numbers (any CRS set on it is ignored).
    provinces : GeoDataFrame
        Province boundaries in EPSG:4326 with ``code`` (and optionally ``merged_from``).
    claimed_province_code : str, optional
        The province the upload says it covers.

    Returns
    -------
    list of CRSCandidate
        Empty when the coordinates look neither like lon/lat nor like metres in Vietnam.
    """
    x, y = _sample_points(gdf_without_crs)
    if x.size == 0:
        return []
    names = _plausible_crs_names(x, y)
    areas = _province_areas(provinces.to_crs(STORAGE_SRID), claimed_province_code)
    scored = [_score_candidate(name, x, y, areas) for name in names]
    ranked = sorted(enumerate(scored), key=lambda item: (-item[1][0].score, -item[1][1], item[0]))
    return [candidate for _, (candidate, _) in ranked]


def _sample_points(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    geoms = gdf.geometry.to_numpy()
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if geoms.size > _MAX_SAMPLE_POINTS:
        geoms = geoms[np.linspace(0, geoms.size - 1, _MAX_SAMPLE_POINTS).astype(int)]
    coords = shapely.get_coordinates(shapely.point_on_surface(geoms))
    return coords[:, 0], coords[:, 1]


def _share_in_box(x: np.ndarray, y: np.ndarray, box: tuple[float, ...]) -> float:
    inside = (x >= box[0]) & (y >= box[1]) & (x <= box[2]) & (y <= box[3])
    return float(inside.mean())


def _plausible_crs_names(x: np.ndarray, y: np.ndarray) -> list[str]:
    if _share_in_box(x, y, _DEGREE_BOX) >= 0.9:
        return ["EPSG:4326", "VN2000"]
    if _share_in_box(x, y, _METRE_BOX) >= 0.9:
        tm3 = [f"VN2000-TM3-{cm:g}" for cm in LEGAL_TM3_MERIDIANS]
        return [*tm3, "VN2000-UTM48", "VN2000-UTM49", "EPSG:32648", "EPSG:32649"]
    return []


@dataclass(frozen=True)
class _Areas:
    """Where points should land: the target area, and each province with its legal meridians."""

    target: shapely.Geometry
    target_label: str
    tree: shapely.STRtree
    meridians: tuple[frozenset[float], ...]


def _province_areas(provinces: gpd.GeoDataFrame, claimed: str | None) -> _Areas:
    if claimed is not None:
        chosen = provinces[provinces["code"].astype(str) == str(claimed)]
        if chosen.empty:
            raise UnknownCRSError(f"Province code {claimed!r} is not in the province boundaries.")
        label = f"province {claimed}"
    else:
        chosen, label = provinces, "Vietnam"
    target = shapely.union_all(chosen.geometry.to_numpy())
    shapely.prepare(target)
    merged = provinces["merged_from"] if "merged_from" in provinces else [None] * len(provinces)
    meridians = tuple(
        legal_meridians(str(code), merged_from=m if isinstance(m, str) else None)
        for code, m in zip(provinces["code"], merged, strict=True)
    )
    return _Areas(target, label, shapely.STRtree(provinces.geometry.to_numpy()), meridians)


@lru_cache(maxsize=64)
def _transformer(name: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(parse_crs(name), STORAGE_SRID, always_xy=True)


def _score_candidate(
    name: str, x: np.ndarray, y: np.ndarray, areas: _Areas
) -> tuple[CRSCandidate, float]:
    lon, lat = _transformer(name).transform(x, y)
    finite = np.isfinite(lon) & np.isfinite(lat)
    inside = np.zeros(x.size, dtype=bool)
    inside[finite] = shapely.contains_xy(areas.target, lon[finite], lat[finite])
    score = float(inside.mean())
    consistency = _meridian_consistency(name, lon[finite], lat[finite], areas) if score else 0.0
    reason = f"{score:.0%} of {x.size} points fall inside {areas.target_label}"
    if consistency:
        reason += f"; {consistency:.0%} land where this TM-3 meridian is the legal one"
    return CRSCandidate(name, parse_crs(name), round(score, 4), reason), consistency


def _meridian_consistency(name: str, lon: np.ndarray, lat: np.ndarray, areas: _Areas) -> float:
    """Share of points inside a province that uses this candidate's TM-3 meridian."""
    if not name.startswith("VN2000-TM3-") or lon.size == 0:
        return 0.0
    cm = float(name.removeprefix("VN2000-TM3-"))
    pts, provs = areas.tree.query(shapely.points(lon, lat), predicate="within")
    legal = np.array([cm in areas.meridians[p] for p in provs], dtype=bool)
    return float(np.unique(pts[legal]).size / lon.size)
