"""Read uploaded GIS files: zipped shapefiles, GeoPackage, GeoJSON, KML/KMZ (with pyogrio).

Shapefile attribute text is read as Latin-1, which maps every byte to one character, so the exact
bytes of the DBF can be recovered (``RawLayer.raw_text``) and their encoding detected by
``geo.ingest.encoding`` (TCVN3, VNI, CP1258, UTF-8) instead of trusting a ``.cpg``. The ``.cpg`` and
the DBF language driver id are kept only as a hint (``RawLayer.declared_encoding``).
"""

from __future__ import annotations

import glob
import struct
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
from pyogrio.errors import DataLayerError, DataSourceError

from geo.errors import (
    CorruptFileError,
    EmptyLayerError,
    FileTooLargeError,
    IncompleteShapefileError,
    LayerChoiceError,
    NoShapefileError,
    UnknownEncodingError,
    UnsupportedFormatError,
)
from geo.ingest.archive import ArchiveLimits, extract_zip
from geo.ingest.text_formats import add_extended_data, restore_nul_values

__all__ = ["LayerSource", "RawLayer", "ReadLimits", "open_layer", "read_layer"]

_VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml")
_ZIP_SUFFIXES = (".zip", ".kmz")
# DBF language driver ids (byte 29) that name a code page geo.ingest.encoding understands.
_LDID = {0x03: "cp1252", 0x57: "cp1252", 0x58: "cp1252", 0xA3: "cp1258", 0xF0: "utf-8"}


@dataclass(frozen=True)
class ReadLimits:
    """Upload limits: file size in bytes, plus the archive limits of ``geo.ingest.archive``."""

    max_file_bytes: int = 200 * 1024**2
    archive: ArchiveLimits = field(default_factory=ArchiveLimits)


@dataclass(frozen=True)
class RawLayer:
    """One layer as read from a file, before decoding, mapping and validation.

    ``frame`` is in the file's own CRS (``crs``, None when the file declares none). For
    shapefiles its text columns hold the DBF bytes read as Latin-1 and ``raw_text`` those bytes;
    for other formats (UTF-8 by specification) ``raw_text`` holds the UTF-8 encoded values.
    """

    frame: gpd.GeoDataFrame
    raw_text: dict[str, list[bytes | None]]
    crs: pyproj.CRS | None
    layer: str
    driver: str
    layers: tuple[str, ...]
    declared_encoding: str | None
    is_legacy_text: bool
    warnings: tuple[str, ...] = ()
    #: The features' own ids (GeoJSON ``id``, GeoPackage fid) by position, when the file has them.
    fids: tuple[object, ...] | None = None


@dataclass(frozen=True)
class _Source:
    path: Path
    layer: str | None
    label: str
    is_shapefile: bool


def read_layer(
    path: str | Path, *, layer: str | None = None, limits: ReadLimits | None = None
) -> RawLayer:
    """Read one vector layer of an uploaded file.

    Parameters
    ----------
    path : str or Path
        A ``.zip`` (one or several shapefiles, in nested folders, or another supported file),
        ``.kmz``, ``.shp``, ``.gpkg``, ``.geojson``/``.json`` or ``.kml``.
    layer : str, optional
        The layer to read: a shapefile name (with or without folder and ``.shp``) or a
        GeoPackage/KML layer name. Needed when the file holds several non-empty layers.
    limits : ReadLimits, optional
        Size limits (default 200 MB file, 2 GiB unpacked).

    Returns
    -------
    RawLayer
        Coordinates as stored (no reprojection), CRS as declared.

    Raises
    ------
    UploadFileError
        A subclass naming the problem: ``FileTooLargeError``, ``NotAZipError``,
        ``UnsafeArchiveError``, ``ZipBombError``, ``NoShapefileError``,
        ``IncompleteShapefileError``, ``CorruptFileError``, ``EmptyLayerError``,
        ``LayerChoiceError``, ``UnsupportedFormatError``.
    """
    path = Path(path)
    limits = limits or ReadLimits()
    _check_size(path, limits.max_file_bytes)
    if path.suffix.lower() in _ZIP_SUFFIXES:
        with tempfile.TemporaryDirectory(prefix="zonemap-upload-") as tmp:
            files = extract_zip(path, Path(tmp), limits=limits.archive)
            return _read_from_files(files, Path(tmp), layer, path.name)
    if path.suffix.lower() in _VECTOR_SUFFIXES:
        return _read_from_files([path], path.parent, layer, path.name)
    raise UnsupportedFormatError(
        f"{path.name}: unsupported file type {path.suffix or '(none)'}. Upload a zipped "
        "shapefile (.zip), a GeoPackage (.gpkg), GeoJSON (.geojson) or KML/KMZ.",
    )


@dataclass(frozen=True)
class LayerSource:
    """One chosen layer of an uploaded file, to be read in chunks by the caller.

    ``path`` and ``layer`` are what ``pyogrio`` opens (``layer`` None for a shapefile);
    ``label`` names it for people; ``layers`` lists every layer the file holds.
    """

    path: Path
    layer: str | None
    label: str
    driver: str
    layers: tuple[str, ...]


@contextmanager
def open_layer(
    path: str | Path, *, layer: str | None = None, limits: ReadLimits | None = None
) -> Iterator[LayerSource]:
    """Choose one layer of an uploaded file without reading it (zips are unpacked meanwhile).

    The same checks and errors as ``read_layer`` (size, archive, shapefile sidecars, layer
    choice); the layer stays readable until the ``with`` block ends.
    """
    path = Path(path)
    limits = limits or ReadLimits()
    _check_size(path, limits.max_file_bytes)
    suffix = path.suffix.lower()
    if suffix in _ZIP_SUFFIXES:
        with tempfile.TemporaryDirectory(prefix="zonemap-upload-") as tmp:
            files = extract_zip(path, Path(tmp), limits=limits.archive)
            yield _layer_source(files, Path(tmp), layer, path.name)
        return
    if suffix not in _VECTOR_SUFFIXES:
        raise UnsupportedFormatError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'}. Upload a zipped "
            "shapefile (.zip), a GeoPackage (.gpkg), GeoJSON (.geojson) or KML/KMZ.",
        )
    yield _layer_source([path], path.parent, layer, path.name)


def _layer_source(files: list[Path], root: Path, layer: str | None, name: str) -> LayerSource:
    sources = _list_sources(files, root, name)
    chosen = _choose_source(sources, layer, name)
    driver = (
        "ESRI Shapefile"
        if chosen.is_shapefile
        else {".gpkg": "GPKG", ".kml": "KML"}.get(chosen.path.suffix.lower(), "GeoJSON")
    )
    return LayerSource(
        chosen.path, chosen.layer, chosen.label, driver, tuple(s.label for s in sources)
    )


def _check_size(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise FileTooLargeError(
            f"{path.name} is {size / 1024**2:,.1f} MB; the limit is {max_bytes / 1024**2:,.0f} MB. "
            "Split the data into several uploads.",
            details={"size_bytes": size, "limit_bytes": max_bytes},
        )


def _read_from_files(files: list[Path], root: Path, layer: str | None, name: str) -> RawLayer:
    sources = _list_sources(files, root, name)
    chosen = _choose_source(sources, layer, name)
    if chosen.is_shapefile:
        return _read_shapefile(chosen, tuple(s.label for s in sources))
    return _read_unicode(chosen, tuple(s.label for s in sources))


def _list_sources(files: list[Path], root: Path, name: str) -> list[_Source]:
    vectors = sorted(f for f in files if f.suffix.lower() in _VECTOR_SUFFIXES)
    if not vectors:
        found = ", ".join(sorted(str(f.relative_to(root)) for f in files)[:10]) or "nothing"
        raise NoShapefileError(
            f"{name} holds no .shp file nor any other GIS layer (found: {found}). Zip the "
            "shapefile's .shp, .shx, .dbf and .prj together.",
        )
    sources: list[_Source] = []
    for vector in vectors:
        if vector.suffix.lower() == ".shp":
            _check_shapefile(vector, name)
            label = str(vector.relative_to(root).with_suffix(""))
            sources.append(_Source(vector, None, label, True))
            continue
        for layer_name in _layer_names(vector, name):
            sources.append(_Source(vector, layer_name, layer_name, False))
    return sources


def _layer_names(path: Path, name: str) -> list[str]:
    try:
        listed = pyogrio.list_layers(path)
    except (DataSourceError, DataLayerError) as exc:
        raise CorruptFileError(
            f"{name}: GDAL cannot open {path.name} ({_first_line(exc)}). The file is damaged "
            "or not a GIS file; export it again.",
        ) from exc
    return [str(row[0]) for row in listed]


def _choose_source(sources: list[_Source], layer: str | None, name: str) -> _Source:
    if layer is not None:
        wanted = layer.removesuffix(".shp").lower()
        for source in sources:
            label = source.label.lower()
            if wanted in (label, label.rsplit("/", 1)[-1]):
                return source
        raise LayerChoiceError(
            f"{name} has no layer {layer!r}; its layers are: {_labels(sources)}.",
            details={"layers": [s.label for s in sources]},
        )
    if len(sources) == 1:
        return sources[0]
    non_empty = [s for s in sources if _feature_count(s) > 0]
    if len(non_empty) == 1:
        return non_empty[0]
    raise LayerChoiceError(
        f"{name} holds several layers: {_labels(sources)}. Choose one of them.",
        details={"layers": [s.label for s in sources]},
    )


def _labels(sources: list[_Source]) -> str:
    return ", ".join(s.label for s in sources)


def _feature_count(source: _Source) -> int:
    try:
        return int(pyogrio.read_info(source.path, layer=source.layer)["features"])
    except (DataSourceError, DataLayerError):
        return 0


def _siblings(shp: Path) -> dict[str, Path]:
    """The files beside ``shp`` with its stem, by lower-case suffix (``.dbf``, ``.prj``, …).

    The stem is escaped: a name like ``KCN [2020].shp`` is not a glob pattern."""
    return {p.suffix.lower(): p for p in shp.parent.glob(glob.escape(shp.stem) + ".*")}


def _check_shapefile(shp: Path, name: str) -> None:
    siblings = _siblings(shp)
    missing = [ext for ext in (".shx", ".dbf") if ext not in siblings]
    if missing:
        raise IncompleteShapefileError(
            f"{name}: the shapefile {shp.name} has no {' and no '.join(missing)} file. A "
            "shapefile needs its .shp, .shx and .dbf (and .prj) together: zip all of them.",
            details={"missing": missing},
        )
    with shp.open("rb") as handle:
        raw = handle.read(100)
    declared = struct.unpack(">i", raw[24:28])[0] * 2 if len(raw) >= 100 else -1
    if declared != shp.stat().st_size:
        raise CorruptFileError(
            f"{name}: {shp.name} is truncated or damaged (its header announces {declared} bytes, "
            f"the file has {shp.stat().st_size}). Export or copy the shapefile again.",
        )


def _read_frame(source: _Source, **kwargs: object) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(source.path, layer=source.layer, **kwargs)
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise CorruptFileError(
            f"GDAL cannot read {source.label} ({_first_line(exc)}). The file is damaged; "
            "export it again.",
        ) from exc
    if frame.empty:
        raise EmptyLayerError(
            f"The layer {source.label} has no features. Check that you exported the right layer.",
        )
    return frame


def _read_shapefile(source: _Source, layers: tuple[str, ...]) -> RawLayer:
    frame = _read_frame(source, encoding="latin1")
    text_cols = [c for c in frame.columns if c != frame.geometry.name and _is_text(frame[c])]
    raw = {c: _encoded(frame[c], "latin-1") for c in text_cols}
    declared, notes = _declared_encoding(source.path)
    return RawLayer(
        frame, raw, frame.crs, source.label, "ESRI Shapefile", layers, declared, True, notes
    )


def _read_unicode(source: _Source, layers: tuple[str, ...]) -> RawLayer:
    frame = _read_frame(source, fid_as_index=True)
    fids = tuple(frame.index.tolist())
    frame = frame.reset_index(drop=True)
    driver = {".gpkg": "GPKG", ".kml": "KML"}.get(source.path.suffix.lower(), "GeoJSON")
    if driver == "GeoJSON":
        frame = restore_nul_values(source.path, frame)
    elif driver == "KML":
        frame = add_extended_data(source.path, frame, layers=len(layers))
    text_cols = [c for c in frame.columns if c != frame.geometry.name and _is_text(frame[c])]
    raw = {c: _encoded(frame[c], "utf-8") for c in text_cols}
    return RawLayer(frame, raw, frame.crs, source.label, driver, layers, "utf-8", False, fids=fids)


def _encoded(column: pd.Series, codec: str) -> list[bytes | None]:
    # A plain object array iterates several times faster than a pandas string column.
    return [v.encode(codec) if isinstance(v, str) else None for v in column.to_numpy(object)]


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column)


def _declared_encoding(shp: Path) -> tuple[str | None, tuple[str, ...]]:
    """The encoding a ``.cpg`` (or else the DBF language driver id) declares, as a hint."""
    from geo.ingest.encoding import normalise_encoding_name

    siblings = _siblings(shp)
    if ".cpg" in siblings:
        text = siblings[".cpg"].read_text(encoding="ascii", errors="replace").strip()
        try:
            return normalise_encoding_name(
                {"65001": "utf-8", "88591": "latin-1"}.get(text, text)
            ), ()
        except UnknownEncodingError:
            return None, (f"The .cpg names an unknown encoding {text!r}; it was ignored.",)
    with siblings[".dbf"].open("rb") as dbf:
        header = dbf.read(32)
    ldid = header[29] if len(header) > 29 else 0
    return _LDID.get(ldid), ()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
