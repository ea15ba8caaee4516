"""geo.ingest.upload.prepare_upload end to end on real files: VN-2000 TM-3 shapefiles with legacy
text."""

from __future__ import annotations

from pathlib import Path

import pyproj
import pytest

from geo.errors import CoordinatesCRSMismatchError, CRSUndeterminedError
from geo.ingest.upload import prepare_upload
from tests.upload_builders import provinces_2025, to_tm3, wgs84_zones, zipped_shapefile

GEOD = pyproj.Geod(ellps="WGS84")
PROVINCES = provinces_2025()


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258", "utf-8"])
def test_prepare_upload_tm3_legacy_text_decoded_and_areas_match_geod(
    tmp_path: Path, encoding: str
) -> None:
    src = wgs84_zones(4)
    path = zipped_shapefile(tmp_path, to_tm3(src), encoding=encoding)
    prepared = prepare_upload(path, kind="zones", provinces=PROVINCES)
    assert prepared.is_ok and prepared.encoding == encoding
    assert prepared.source_crs == "VN2000-TM3-105"
    assert prepared.features["name"].tolist() == src["TEN_KCN"].tolist()
    assert prepared.features["status"].tolist() == ["operating"] * 4
    assert prepared.features["province_code"].tolist() == ["24", "01", "24", "01"]
    expected = [abs(GEOD.geometry_area_perimeter(g)[0]) / 1e4 for g in src.geometry]
    assert prepared.features["area_ha"].tolist() == pytest.approx(expected, rel=0.005)
    assert prepared.area_ha == pytest.approx(sum(expected), rel=0.005)
    assert any(s.after == "Khu công nghiệp Tiên Sơn" for s in prepared.encoding_samples)


def test_prepare_upload_positions_match_wgs84_source_within_metres(tmp_path: Path) -> None:
    src = wgs84_zones(2)
    prepared = prepare_upload(
        zipped_shapefile(tmp_path, to_tm3(src)), kind="zones", provinces=PROVINCES
    )
    for got, want in zip(prepared.features.geometry, src.geometry, strict=True):
        _, _, dist_m = GEOD.inv(got.centroid.x, got.centroid.y, want.centroid.x, want.centroid.y)
        assert dist_m < 0.05


def test_prepare_upload_without_prj_refuses_then_accepts_guess(tmp_path: Path) -> None:
    path = zipped_shapefile(tmp_path, to_tm3(wgs84_zones(4)), prj=False)
    with pytest.raises(CRSUndeterminedError, match="VN2000-TM3") as info:
        prepare_upload(path, kind="zones", provinces=PROVINCES)
    assert info.value.details["candidates"][0]["score"] == 1.0
    prepared = prepare_upload(path, kind="zones", provinces=PROVINCES, crs="VN2000-TM3:01")
    assert prepared.source_crs == "VN2000-TM3-105" and prepared.is_ok


def test_prepare_upload_metres_declared_degrees_raises(tmp_path: Path) -> None:
    path = zipped_shapefile(tmp_path, to_tm3(wgs84_zones(2)))
    with pytest.raises(CoordinatesCRSMismatchError, match="look like metres"):
        prepare_upload(path, kind="zones", provinces=PROVINCES, crs="EPSG:4326")


def test_prepare_upload_actual_takes_source_and_date_from_defaults(tmp_path: Path) -> None:
    import datetime as dt

    path = zipped_shapefile(tmp_path, to_tm3(wgs84_zones(2)))
    defaults = {"source": "survey", "observed_on": dt.date(2025, 6, 1)}
    prepared = prepare_upload(path, kind="actual", provinces=PROVINCES, defaults=defaults)
    assert prepared.is_ok and prepared.features["source"].tolist() == ["survey", "survey"]
    missing = prepare_upload(path, kind="actual", provinces=PROVINCES)
    assert {e.code for e in missing.errors} == {"missing_field"}
