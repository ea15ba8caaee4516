"""Building layers read in chunks: polygons in EPSG:4326, repaired, without holding the file.

A province's building layer holds hundreds of thousands to millions of polygons, so it is never
read whole: ``read_buildings`` opens the layer (``geo.ingest.io.open_layer``), settles its CRS
from the first chunk exactly as the other upload kinds do (``.prj``, a given CRS, or a ranked
guess that must be accepted), then yields chunks of ``chunk_size`` features with
``skip_features``/``max_features`` (only the geometry column is read; attributes are not kept).
Each chunk is reprojected (VN-2000 with the official transformation), reduced to 2-D, and its
invalid polygons repaired with ``make_valid`` (polygonal parts kept).

Broken features are quarantined as for the other kinds (``geo.ingest.quarantine``): a null or
empty geometry, a point or line, a polygon that lands outside Vietnam (its reason settled by
``geo.ingest.diagnose`` for those few only), or one that ``make_valid`` cannot turn into a
polygon. Each chunk carries its quarantined features (``QuarantinedFeature``, position in the
file, reason, where to draw it, the geometry as read). Once the chunks are consumed the caller
calls ``BuildingTally.refuse_if_mostly_broken``: when half or more of the features are broken
the layer is refused (points and lines counted per type), as ``quarantine.decide`` does.
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
from geo.crs.systems import VIETNAM_EXTENT_DEG, describe_crs
from geo.errors import CorruptFileError, EmptyLayerError, GeoError
from geo.ingest.diagnose import diagnose_positions
from geo.ingest.io import LayerSource, RawLayer, ReadLimits, open_layer
from geo.ingest.prepared import QuarantinedFeature
from geo.ingest.quarantine import reason_message
from geo.ingest.upload import check_coordinates, settle_crs
from geo.ingest.validate import reproject

__all__ = [
    "BrokenBuildingsError",
    "BuildingChunk",
    "BuildingLayer",
    "BuildingTally",
    "WrongBuildingTypeError",
    "read_buildings",
]

CHUNK_SIZE = 50_000
_TYPE_NAMES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)
_POLYGONAL = (3, 6)


class WrongBuildingTypeError(GeoError):
    """A building layer holds points or lines; ``details`` counts the features per type."""

    code = "wrong_geometry_type"


class BrokenBuildingsError(GeoError):
    """Half or more of a building layer's features are broken; ``details`` counts the reasons."""

    code = "too_many_broken_features"


@dataclass
class BuildingTally:
    """Running counts over the chunks of one layer.

    ``types`` counts the features per geometry type (null and empty ones left out);
    ``reasons`` counts the quarantined features per reason.
    """

    read: int = 0
    kept: int = 0
    repaired: int = 0
    area_ha: float = 0.0
    types: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def quarantined(self) -> int:
        return sum(self.reasons.values())

    @property
    def wrong_types(self) -> dict[str, int]:
        """Features per non-polygonal geometry type (empty when every feature is a polygon)."""
        return {k: v for k, v in self.types.items() if k not in ("Polygon", "MultiPolygon")}

    @property
    def diagnosis(self) -> dict[str, int]:
        """Features per reason, "ok" first (the same shape as the other kinds' diagnosis)."""
        broken = sorted(self.reasons.items(), key=lambda p: (-p[1], p[0]))
        return {"ok": self.kept, **dict(broken)}

    def refuse_if_mostly_broken(self) -> None:
        """Refuse the layer when half or more of its features are broken (else they wait in
        quarantine for the user's consent). Points and lines are named with their count per type.

        Raises
        ------
        WrongBuildingTypeError
            When points or lines are among the broken features.
        BrokenBuildingsError
            Otherwise.
        """
        bad = self.quarantined
        if bad == 0 or bad * 2 < self.read:
            return
        others = "; ".join(
            f"{n:,} {reason_message(r)}"
            for r, n in self.reasons.items()
            if r != "wrong_geometry_type"
        )
        also = f" Besides: {others}." if others else ""
        wrong = self.wrong_types
        if wrong:
            counted = ", ".join(f"{n:,} {t}" for t, n in sorted(wrong.items()))
            raise WrongBuildingTypeError(
                f"A building layer must hold polygons, but this one has {counted} "
                f"(and {self.kept:,} usable polygons).{also} Export the building polygons only, "
                "or import the layer as another kind.",
                details={"types": dict(sorted(self.types.items())), "diagnosis": self.diagnosis},
            )
        raise BrokenBuildingsError(
            f"Only {self.kept:,} of {self.read:,} features can be used, so the layer is refused "
            f"rather than quarantined: {others}. Check the layer's CRS and export it again.",
            details={"diagnosis": self.diagnosis},
        )


@dataclass(frozen=True)
class BuildingChunk:
    """Polygons of one chunk in EPSG:4326 (object array) and the chunk's quarantined features."""

    geoms: np.ndarray
    quarantine: tuple[QuarantinedFeature, ...] = ()


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
    chunk; ``tally.refuse_if_mostly_broken()`` must be called once the chunks are consumed.
    """
    with open_layer(path, layer=layer, limits=limits) as source:
        count, declared = _info(source)
        first = _read_chunk(source, 0, min(chunk_size, count))
        sample = gpd.GeoDataFrame(geometry=first, crs=declared)
        raw = RawLayer(
            sample, {}, sample.crs, source.label, source.driver, source.layers, None, False
        )
        source_crs, _candidates, notes = settle_crs(raw, crs, accept_crs_guess, provinces)
        check_coordinates(gpd.GeoSeries(first, crs=source_crs), source_crs)
        tally = BuildingTally()
        chunks = _chunks(source, first, count, chunk_size, source_crs, tally)
        yield BuildingLayer(source, describe_crs(source_crs), count, tuple(notes), chunks, tally)


def _info(source: LayerSource) -> tuple[int, str | None]:
    try:
        info = pyogrio.read_info(source.path, layer=source.layer, force_feature_count=True)
    except (DataSourceError, DataLayerError) as exc:
        raise CorruptFileError(
            f"GDAL cannot read {source.label} ({exc}). The file is damaged; export it again."
        ) from exc
    count = int(info["features"])
    if count <= 0:
        raise EmptyLayerError(
            f"The layer {source.label} has no features. Check that you exported the right layer."
        )
    return count, info["crs"]


def _read_chunk(source: LayerSource, skip: int, size: int) -> np.ndarray:
    try:
        _meta, _fids, wkb, _fields = pyogrio.raw.read(
            source.path,
            layer=source.layer,
            columns=[],
            skip_features=skip,
            max_features=size,
        )
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise CorruptFileError(
            f"GDAL cannot read {source.label} ({exc}). The file is damaged; export it again."
        ) from exc
    return shapely.from_wkb(wkb)


def _chunks(
    source: LayerSource,
    first: np.ndarray,
    count: int,
    size: int,
    crs: pyproj.CRS,
    tally: BuildingTally,
) -> Iterator[BuildingChunk]:
    geoms, skip = first, 0
    while True:
        yield _prepare_chunk(geoms, skip, crs, tally)
        skip += len(geoms)
        if skip >= count or len(geoms) == 0:
            return
        geoms = _read_chunk(source, skip, min(size, count - skip))


def _prepare_chunk(
    raw: np.ndarray, offset: int, crs: pyproj.CRS, tally: BuildingTally
) -> BuildingChunk:
    """The chunk's good polygons in EPSG:4326 and its quarantined features (file positions
    from ``offset``)."""
    tally.read += len(raw)
    reasons = np.full(len(raw), "ok", dtype=object)
    details = np.full(len(raw), "", dtype=object)
    shown = np.full(len(raw), None, dtype=object)
    reasons[shapely.is_missing(raw) | shapely.is_empty(raw)] = "geometry_missing"
    present = np.flatnonzero(reasons == "ok")
    types = shapely.get_type_id(raw[present])
    for type_id, n in zip(*np.unique(types, return_counts=True), strict=True):
        tally.types[_TYPE_NAMES[type_id]] = tally.types.get(_TYPE_NAMES[type_id], 0) + int(n)
    geoms = raw[present]
    if shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
    lonlat = np.full(len(raw), None, dtype=object)
    lonlat[present] = reproject(gpd.GeoSeries(geoms, crs=crs), 4326).to_numpy()
    _place(raw, present, lonlat, crs, reasons, shown)
    wrong = present[~np.isin(types, _POLYGONAL)]
    reasons[wrong] = "wrong_geometry_type"
    details[wrong] = [_TYPE_NAMES[t] for t in shapely.get_type_id(raw[wrong])]
    shown[wrong] = lonlat[wrong]
    good = np.flatnonzero(reasons == "ok")
    fixed, repaired, unfixable = _repaired(lonlat[good])
    reasons[good[unfixable]] = "invalid_geometry"
    details[good[unfixable]] = shapely.is_valid_reason(lonlat[good[unfixable]])
    tally.repaired += repaired
    kept = fixed[~unfixable]
    tally.kept += len(kept)
    in_metres = bool(crs.is_projected) and not repaired
    kept_raw = raw[good[~unfixable]]
    tally.area_ha += _total_area_ha(kept_raw if in_metres else kept, in_metres=in_metres)
    return BuildingChunk(kept, _quarantined(raw, offset, reasons, details, shown, tally))


def _place(
    raw: np.ndarray,
    present: np.ndarray,
    lonlat: np.ndarray,
    crs: pyproj.CRS,
    reasons: np.ndarray,
    shown: np.ndarray,
) -> None:
    """Mark the features that do not land in Vietnam with the diagnosed reason (the few
    outliers only are diagnosed: the bounds test is one vectorised pass)."""
    if present.size == 0:
        return
    lon_min, lat_min, lon_max, lat_max = VIETNAM_EXTENT_DEG
    bounds = shapely.bounds(lonlat[present])
    with np.errstate(invalid="ignore"):
        inside = (
            (bounds[:, 0] >= lon_min)
            & (bounds[:, 1] >= lat_min)
            & (bounds[:, 2] <= lon_max)
            & (bounds[:, 3] <= lat_max)
        )
    outliers = present[~inside]
    if outliers.size == 0:
        return
    diagnosis = diagnose_positions(gpd.GeoSeries(raw[outliers]), crs)
    reasons[outliers] = diagnosis.reasons
    shown[outliers] = diagnosis.shown
    reasons[outliers[diagnosis.reasons == "ok"]] = "outside_vietnam"  # on an edge of the box


def _quarantined(
    raw: np.ndarray,
    offset: int,
    reasons: np.ndarray,
    details: np.ndarray,
    shown: np.ndarray,
    tally: BuildingTally,
) -> tuple[QuarantinedFeature, ...]:
    out = []
    for i in np.flatnonzero(reasons != "ok"):
        reason = str(reasons[i])
        tally.reasons[reason] = tally.reasons.get(reason, 0) + 1
        original = raw[i]
        wkt = None if original is None or original.is_empty else shapely.to_wkt(original)
        out.append(
            QuarantinedFeature(
                offset + int(i), None, None, reason, str(details[i]), {}, _on_earth(shown[i]), wkt
            )
        )
    return tuple(out)


def _on_earth(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    """``geom`` when it can be drawn in EPSG:4326, else None (NaN, or beyond ±180/±90)."""
    if geom is None:
        return None
    x_min, y_min, x_max, y_max = shapely.bounds(geom)
    return geom if -180 <= x_min <= x_max <= 180 and -90 <= y_min <= y_max <= 90 else None


def _total_area_ha(geoms: np.ndarray, *, in_metres: bool) -> float:
    """The chunk's floor area for the upload summary: in the layer's own projected CRS when it
    has one (TM-3/UTM scale error ≤ 0.1 %, and no second projection of a million polygons),
    else on the ellipsoid from EPSG:4326. The derivation measures per-zone areas exactly."""
    if len(geoms) == 0:
        return 0.0
    if in_metres:
        return float(shapely.area(geoms).sum()) / 10_000.0
    return float(ellipsoidal_area_ha(geoms).sum())


def _repaired(geoms: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """Invalid polygons made valid (polygonal parts only): the geometries, how many were
    repaired, and a mask of those ``make_valid`` left without a polygon (to quarantine)."""
    invalid = ~shapely.is_valid(geoms)
    unfixable = np.zeros(len(geoms), dtype=bool)
    if not invalid.any():
        return geoms, 0, unfixable
    out = geoms.copy()
    out[invalid] = [_polygonal(g) for g in shapely.make_valid(geoms[invalid])]
    unfixable = shapely.is_missing(out) | shapely.is_empty(out)
    return out, int((invalid & ~unfixable).sum()), unfixable


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    if shapely.get_type_id(geom) in _POLYGONAL:
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in _POLYGONAL]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)
