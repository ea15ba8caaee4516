"""geo.ingest.io / geo.ingest.archive: formats, layers, sidecars and archive safety (real files in
tmp dirs)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from geo.errors import (
    FileTooLargeError,
    IncompleteShapefileError,
    LayerChoiceError,
    NotAZipError,
    UnsafeArchiveError,
    ZipBombError,
)
from geo.ingest.archive import ArchiveLimits
from geo.ingest.io import ReadLimits, read_layer
from tests.upload_builders import shapefile_parts, to_tm3, wgs84_zones, write_shapefile, zip_paths


def test_read_layer_nested_zip_keeps_raw_dbf_bytes(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path / "s", "kcn", to_tm3(wgs84_zones(2)), encoding="tcvn3")
    path = zip_paths(tmp_path / "a.zip", shapefile_parts(shp), prefix="tinh/2024/")
    raw = read_layer(path)
    assert raw.layer == "tinh/2024/kcn" and raw.is_legacy_text
    assert raw.raw_text["TEN_KCN"][0] == b"Khu c\xabng nghi\xd6p Ti\xaan S\xacn"
    assert "VN-2000" in raw.crs.name


def test_read_layer_two_layers_without_choice_raises_with_names(tmp_path: Path) -> None:
    a = write_shapefile(tmp_path / "s", "a", to_tm3(wgs84_zones(1)))
    b = write_shapefile(tmp_path / "s", "b", to_tm3(wgs84_zones(2)))
    path = zip_paths(tmp_path / "two.zip", shapefile_parts(a) + shapefile_parts(b))
    with pytest.raises(LayerChoiceError, match="a, b"):
        read_layer(path)
    assert len(read_layer(path, layer="b").frame) == 2


def test_read_layer_gpkg_layer_choice_reads_named_layer(tmp_path: Path) -> None:
    path = tmp_path / "z.gpkg"
    wgs84_zones(1).to_file(path, layer="one")
    wgs84_zones(3).to_file(path, layer="three")
    raw = read_layer(path, layer="three")
    assert (len(raw.frame), raw.driver, raw.is_legacy_text) == (3, "GPKG", False)


def test_read_layer_shapefile_named_like_a_glob_pattern(tmp_path: Path) -> None:
    # brackets in a file name are ordinary characters, not a glob character class
    shp = write_shapefile(tmp_path / "s", "KCN [2020]", to_tm3(wgs84_zones(2)), encoding="tcvn3")
    raw = read_layer(zip_paths(tmp_path / "b.zip", shapefile_parts(shp)))
    assert len(raw.frame) == 2 and raw.is_legacy_text


def test_read_layer_missing_dbf_raises_incomplete(tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path / "s", "z", to_tm3(wgs84_zones(1)))
    path = zip_paths(tmp_path / "x.zip", shapefile_parts(shp), skip=(".dbf",))
    with pytest.raises(IncompleteShapefileError, match="no .dbf"):
        read_layer(path)


def test_read_layer_zip_slip_raises_unsafe(tmp_path: Path) -> None:
    path = tmp_path / "slip.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("/etc/x.shp", b"x")
    with pytest.raises(UnsafeArchiveError, match="outside"):
        read_layer(path)


def test_read_layer_declared_size_above_limit_raises_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("z.shp", b"\0" * 5000)
    limits = ReadLimits(archive=ArchiveLimits(max_uncompressed_bytes=4000))
    with pytest.raises(ZipBombError, match="would unpack to"):
        read_layer(path, limits=limits)


def test_read_layer_file_above_limit_raises_too_large(tmp_path: Path) -> None:
    path = tmp_path / "a.geojson"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(FileTooLargeError, match="limit"):
        read_layer(path, limits=ReadLimits(max_file_bytes=1000))


def test_read_layer_kmz_not_a_zip_raises(tmp_path: Path) -> None:
    path = tmp_path / "a.kmz"
    path.write_text("<kml/>")
    with pytest.raises(NotAZipError):
        read_layer(path)
