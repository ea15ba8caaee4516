"""Building layers read in chunks: polygons in EPSG:4326, repaired, without holding the file.

A province's building layer holds hundreds of thousands to millions of polygons, so it is never
read whole: ``read_buildings`` opens the layer (``geo.ingest.io.open_layer``), settles its CRS
from the first chunk exactly as the other upload kinds do (``.prj``, a given CRS, or a ranked
guess that must be accepted), then yields chunks of ``chunk_size`` features with
``skip_features``/``max_features`` (only the geometry column is read; attributes are not kept).
Each chunk is reprojected (VN-2000 with the official transformation), reduced to 2-D, and its
invalid polygons repaired with ``make_valid`` (polygonal parts kept). Null and empty geometries
are dropped and counted. Points and lines are counted per type as they stream by; the caller
refuses the layer at the end (``BuildingTally.wrong_types``), before anything is committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geo.crs.area import ellipsoidal_area_ha
from geo.crs.systems import describe_crs
from geo.errors import CorruptFileError, EmptyLayerError, GeoError
from geo.ingest.io import LayerSource, RawLayer, ReadLimits, open_layer
from geo.ingest.upload import check_coordinates, settle_crs
from geo.ingest.validate import reproject

__all__ = ["BuildingChunk", "BuildingLayer", "BuildingTally", "WrongBuildingTypeError",
           "read_buildings"]  # fmt: skip

CHUNK_SIZE = 50_000
_TYPE_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
               "MultiPolygon", "GeometryCollection")  # fmt: skip
_POLYGONAL = (3, 6)


class WrongBuildingTypeError(GeoError):
    """A building layer holds points or lines; ``details`` counts the features per type."""

    code = "wrong_geometry_type"


@dataclass
class BuildingTally:
    """Running counts over the chunks of one layer."""

    read: int = 0
    kept: int = 0
    repaired: int = 0
    dropped_empty: int = 0
    area_ha: float = 0.0
    types: dict[str, int] = field(default_factory=dict)

    @property
    def wrong_types(self) -> dict[str, int]:
        """Features per non-polygonal geometry type (empty when every feature is a polygon)."""
        return {k: v for k, v in self.types.items() if k not in ("Polygon", "MultiPolygon")}

    def refuse_wrong_types(self) -> None:
        """Raise ``WrongBuildingTypeError`` with the count per type when any were seen."""
        wrong = self.wrong_types
        if wrong:
            counted = ", ".join(f"{n:,} {t}" for t, n in sorted(wrong.items()))
            raise WrongBuildingTypeError(
                f"A building layer must hold polygons, but this one has {counted} "
                f"(and {self.kept:,} polygons). Export the building polygons only, or import "
                "the layer as another kind.",
                details={"types": dict(sorted(self.types.items()))},
            )


@dataclass(frozen=True)
class BuildingChunk:
    """Polygons of one chunk in EPSG:4326 (object array)."""

    geoms: np.ndarray


@dataclass(frozen=True)
class BuildingLayer:
    """The opened layer: its CRS as settled, feature count, notes, and the chunks to stream."""

    source: LayerSource
    source_crs: str
    feature_count: int
    notes: tuple[str, ...]
    chunks: Iterator[BuildingChunk]
    tally: BuildingTally


@contextmanager
def read_buildings(
    path: str | Path,
    *,
    crs: str | None = None,
    layer: str | None = None,
    accept_crs_guess: bool = False,
    provinces: gpd.GeoDataFrame | None = None,
    limits: ReadLimits | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[BuildingLayer]:
    """Open a building layer and stream its polygons (see the module docstring).

    Raises the same ``UploadFileError``/CRS errors as ``prepare_upload`` before the first
    chunk; ``tally.refuse_wrong_types()`` must be called once the chunks are consumed.
    """
    with open_layer(path, layer=layer, limits=limits) as source:
        count, declared = _info(source)
        first = _read_chunk(source, 0, min(chunk_size, count))
        sample = gpd.GeoDataFrame(geometry=first, crs=declared)
        raw = RawLayer(sample, {}, sample.crs, source.label, source.driver, source.layers,
                       None, False)  # fmt: skip
        source_crs, _candidates, notes = settle_crs(raw, crs, accept_crs_guess, provinces)
        check_coordinates(gpd.GeoSeries(first, crs=source_crs), source_crs)
        tally = BuildingTally()
        chunks = _chunks(source, first, count, chunk_size, source_crs, tally)
        yield BuildingLayer(source, describe_crs(source_crs), count, tuple(notes), chunks, tally)


def _info(source: LayerSource) -> tuple[int, str | None]:
    try:
        info = pyogrio.read_info(source.path, layer=source.layer, force_feature_count=True)
    except (DataSourceError, DataLayerError) as exc:
        raise CorruptFileError(f"GDAL cannot read {source.label} ({exc}). The file is damaged; "
                               "export it again.") from exc  # fmt: skip
    count = int(info["features"])
    if count <= 0:
        raise EmptyLayerError(
            f"The layer {source.label} has no features. Check that you exported the right layer."
        )
    return count, info["crs"]


def _read_chunk(source: LayerSource, skip: int, size: int) -> np.ndarray:
    try:
        _meta, _fids, wkb, _fields = pyogrio.raw.read(
            source.path, layer=source.layer, columns=[], skip_features=skip, max_features=size,
        )  # fmt: skip
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise CorruptFileError(f"GDAL cannot read {source.label} ({exc}). The file is damaged; "
                               "export it again.") from exc  # fmt: skip
    return shapely.from_wkb(wkb)


def _chunks(
    source: LayerSource, first: np.ndarray, count: int, size: int, crs: pyproj.CRS,
    tally: BuildingTally,
) -> Iterator[BuildingChunk]:  # fmt: skip
    geoms, skip = first, 0
    while True:
        yield _prepare_chunk(geoms, crs, tally)
        skip += len(geoms)
        if skip >= count or len(geoms) == 0:
            return
        geoms = _read_chunk(source, skip, min(size, count - skip))


def _prepare_chunk(geoms: np.ndarray, crs: pyproj.CRS, tally: BuildingTally) -> BuildingChunk:
    tally.read += len(geoms)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    tally.dropped_empty += int((~present).sum())
    geoms = geoms[present]
    types = shapely.get_type_id(geoms)
    for type_id, n in zip(*np.unique(types, return_counts=True), strict=True):
        name = _TYPE_NAMES[type_id]
        tally.types[name] = tally.types.get(name, 0) + int(n)
    geoms = geoms[np.isin(types, _POLYGONAL)]
    if shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
    lonlat = reproject(gpd.GeoSeries(geoms, crs=crs), 4326).to_numpy()
    lonlat, repaired = _repaired(lonlat)
    tally.repaired += repaired
    tally.kept += len(lonlat)
    in_metres = bool(crs.is_projected) and not repaired
    tally.area_ha += _total_area_ha(geoms if in_metres else lonlat, in_metres=in_metres)
    return BuildingChunk(lonlat)


def _total_area_ha(geoms: np.ndarray, *, in_metres: bool) -> float:
    """The chunk's floor area for the upload summary: in the layer's own projected CRS when it
    has one (TM-3/UTM scale error ≤ 0.1 %, and no second projection of a million polygons),
    else on the ellipsoid from EPSG:4326. The derivation measures per-zone areas exactly."""
    if len(geoms) == 0:
        return 0.0
    if in_metres:
        return float(shapely.area(geoms).sum()) / 10_000.0
    return float(ellipsoidal_area_ha(geoms).sum())


def _repaired(geoms: np.ndarray) -> tuple[np.ndarray, int]:
    """Invalid polygons made valid (polygonal parts only); those left empty are dropped."""
    invalid = ~shapely.is_valid(geoms)
    if not invalid.any():
        return geoms, 0
    out = geoms.copy()
    out[invalid] = [_polygonal(g) for g in shapely.make_valid(geoms[invalid])]
    keep = ~(shapely.is_missing(out) | shapely.is_empty(out))
    return out[keep], int(invalid.sum())


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    if shapely.get_type_id(geom) in _POLYGONAL:
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in _POLYGONAL]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)
