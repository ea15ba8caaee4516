"""Builders of real upload files for tests: shapefiles in VN-2000 with legacy-encoded text, zips.

Imported by the upload tests (``from upload_builders import ...``; ``tests/`` is on sys.path).
"""

from __future__ import annotations

import glob
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import box

from geo.crs.vn2000 import vn2000_crs
from geo.ingest.encoding import encode_text

#: Zone names with every kind of Vietnamese letter the encodings must survive.
NAMES = (
    "Khu công nghiệp Tiên Sơn",
    "Cụm công nghiệp Đồng Văn",
    "Khu kinh tế Vũng Áng",
    "Khu công nghiệp Quế Võ mở rộng",
)
#: Centres (lon, lat) inside Hà Nội / Bắc Ninh (2025 province codes 01 and 24).
CENTRES = ((105.95, 21.10), (105.80, 21.00), (106.05, 21.15), (105.70, 21.05))
TM3_HANOI = 105.0  # legal TM-3 central meridian of Hà Nội (code 01)


def wgs84_zones(n: int = 4, *, size_deg: float = 0.01) -> gpd.GeoDataFrame:
    """``n`` square zones (EPSG:4326) with codes, names, kinds and areas as attribute columns."""
    rows = []
    for i in range(n):
        lon, lat = CENTRES[i % len(CENTRES)]
        lon += (i // len(CENTRES)) * 0.03
        rows.append(
            {
                "MA_KCN": f"T{i:03d}",
                "TEN_KCN": NAMES[i % len(NAMES)],
                "DT_HA": 100.0 + i,
                "TRANG_THAI": "Đang hoạt động",
                "geometry": box(lon, lat, lon + size_deg, lat + size_deg * 0.8),
            }
        )
    return gpd.GeoDataFrame(rows, crs=4326)


def to_tm3(gdf: gpd.GeoDataFrame, central_meridian: float = TM3_HANOI) -> gpd.GeoDataFrame:
    """Project to VN-2000 / TM-3 with the official transformation (densified edges kept)."""
    dense = gdf.set_geometry(shapely.segmentize(gdf.geometry.to_numpy(), 0.001), crs=gdf.crs)
    return dense.to_crs(vn2000_crs(central_meridian=central_meridian))


def write_shapefile(
    folder: Path,
    name: str,
    gdf: gpd.GeoDataFrame,
    *,
    encoding: str = "cp1258",
    prj: bool = True,
    cpg: str | None = None,
) -> Path:
    """Write ``gdf`` as a shapefile whose text bytes are ``encoding`` (TCVN3/VNI/CP1258/UTF-8).

    The text goes through Latin-1 so that the DBF holds exactly ``encode_text(value, encoding)``.
    The ``.cpg`` is removed (or replaced by ``cpg``); the ``.prj`` too when ``prj`` is False.
    """
    folder.mkdir(parents=True, exist_ok=True)
    frame = gdf.copy()
    tokens: dict[bytes, bytes] = {}
    for column in frame.columns:
        if column != frame.geometry.name and pd.api.types.is_string_dtype(frame[column]):
            frame[column] = [
                _token(v, encoding, tokens) if isinstance(v, str) else v for v in frame[column]
            ]
    path = folder / f"{name}.shp"
    pyogrio.write_dataframe(frame, path, encoding="latin1")
    dbf = path.with_suffix(".dbf")
    data = dbf.read_bytes()
    for token, raw in tokens.items():  # GDAL mangles C1 bytes: patch the DBF directly
        data = data.replace(token, raw)
    dbf.write_bytes(data)
    path.with_suffix(".cpg").unlink(missing_ok=True)
    if cpg is not None:
        path.with_suffix(".cpg").write_text(cpg)
    if not prj:
        path.with_suffix(".prj").unlink(missing_ok=True)
    return path


def _token(value: str, encoding: str, tokens: dict[bytes, bytes]) -> str:
    raw = encode_text(value, encoding)
    if raw.isascii():
        return value
    token = f"~{len(tokens):x}~".ljust(len(raw), "~").encode("ascii")
    if len(token) != len(raw):
        raise ValueError(f"value too short to patch: {value!r}")
    tokens[token] = raw
    return token.decode("ascii")


def shapefile_parts(shp: Path) -> list[Path]:
    """The files of a shapefile (``.shp`` and its sidecars)."""
    return sorted(p for p in shp.parent.glob(glob.escape(shp.stem) + ".*"))


def zip_paths(
    target: Path, files: list[Path], *, prefix: str = "", skip: tuple[str, ...] = ()
) -> Path:
    """Zip ``files`` under ``prefix`` (a folder inside the zip), leaving out ``skip`` suffixes."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            if file.suffix.lower() not in skip:
                archive.write(file, prefix + file.name)
    return target


def zipped_shapefile(tmp: Path, gdf: gpd.GeoDataFrame, **kwargs: object) -> Path:
    """A zip holding one shapefile ``zones`` written with ``write_shapefile(**kwargs)``."""
    shp = write_shapefile(tmp / "src", "zones", gdf, **kwargs)  # type: ignore[arg-type]
    return zip_paths(tmp / "zones.zip", shapefile_parts(shp))


def provinces_2025() -> gpd.GeoDataFrame:
    """The simplified 2025-34 province boundaries shipped in ``data/boundaries``."""
    root = Path(__file__).resolve().parents[1]
    frame = gpd.read_file(root / "data" / "boundaries" / "vn_provinces_2025_34_simplified.geojson")
    return frame.astype({"code": str})


def frame_of(rows: list[dict]) -> pd.DataFrame:
    """A plain DataFrame (helper for attribute-only checks)."""
    return pd.DataFrame(rows)
