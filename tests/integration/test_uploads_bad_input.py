"""Every bad input of issue 3 gets its message through ``POST /api/uploads``, and afterwards the
row counts of every table are exactly what they were (the real session dependency, no override)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import LineString
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.app import create_app
from api.db.repositories.uploads import table_counts
from api.settings import Settings
from tests.upload_builders import (
    shapefile_parts,
    to_tm3,
    wgs84_zones,
    write_shapefile,
    zip_paths,
    zipped_shapefile,
)

TABLES = (
    "zones",
    "planning_boundaries",
    "actual_footprints",
    "uploads",
    "upload_features",
    "upload_changes",
    "provinces",
    "analysis_runs",
    "flags",
)


@pytest.fixture(scope="module")
def app_client(test_database_url: str, admin_headers: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=test_database_url, max_upload_mb=1))
    with TestClient(app, headers=admin_headers) as client:
        yield client


@pytest.fixture
def refused(app_client: TestClient, engine: Engine) -> Callable[..., dict]:
    """POST a file, expect 4xx, check that no table changed; return the error body."""

    def post(path: Path, status: int = 422, **form: str) -> dict:
        with Session(engine) as session:
            before = table_counts(session, TABLES)
        with path.open("rb") as handle:
            response = app_client.post(
                "/api/uploads", data={"kind": "zones", **form}, files={"file": (path.name, handle)}
            )
        assert response.status_code == status, response.text
        with Session(engine) as session:
            assert table_counts(session, TABLES) == before
        return response.json()

    return post


def _shp(tmp: Path, gdf: gpd.GeoDataFrame | None = None, **kwargs: object) -> Path:
    return write_shapefile(
        tmp / "src", "zones", to_tm3(wgs84_zones(4)) if gdf is None else gdf, **kwargs
    )  # type: ignore[arg-type]


def test_upload_zip_without_shp_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    readme = tmp_path / "readme.txt"
    readme.write_text("no data")
    body = refused(zip_paths(tmp_path / "x.zip", [readme]))
    assert body["code"] == "no_layer" and "holds no .shp" in body["detail"]


@pytest.mark.parametrize("missing", [".shx", ".dbf"])
def test_upload_shp_without_sidecar_is_refused(tmp_path: Path, refused, missing: str) -> None:  # noqa: ANN001
    shp = _shp(tmp_path)
    body = refused(zip_paths(tmp_path / "x.zip", shapefile_parts(shp), skip=(missing,)))
    assert body["code"] == "shapefile_incomplete" and f"has no {missing}" in body["detail"]


def test_upload_truncated_shp_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    shp = _shp(tmp_path)
    shp.write_bytes(shp.read_bytes()[:-40])
    body = refused(zip_paths(tmp_path / "x.zip", shapefile_parts(shp)))
    assert body["code"] == "file_corrupt" and "truncated" in body["detail"]


def test_upload_empty_layer_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    empty = to_tm3(wgs84_zones(1)).iloc[:0]
    body = refused(zip_paths(tmp_path / "x.zip", shapefile_parts(_shp(tmp_path, empty))))
    assert body["code"] == "empty_layer" and "has no features" in body["detail"]


def test_upload_zip_slip_path_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    body = refused(zip_paths(tmp_path / "x.zip", shapefile_parts(_shp(tmp_path)), prefix="../"))
    assert body["code"] == "unsafe_archive" and "outside the archive" in body["detail"]


def test_upload_zip_bomb_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zones.shp", b"\0" * (64 * 1024**2))
    body = refused(bomb)
    assert body["code"] == "zip_bomb" and "zip bomb" in body["detail"]


def test_upload_above_size_limit_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    big = tmp_path / "big.geojson"
    big.write_bytes(b" " * (1024**2 + 10))
    body = refused(big, status=413)
    assert body["code"] == "file_too_large" and "upload limit" in body["detail"]


def test_upload_not_a_zip_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    fake = tmp_path / "zones.zip"
    fake.write_text("this is a Word document, honest")
    body = refused(fake)
    assert body["code"] == "not_a_zip" and "is not a zip archive" in body["detail"]


def test_upload_lines_as_planned_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    lines = gpd.GeoDataFrame(
        {"MA": ["L1"]}, geometry=[LineString([(105.8, 21), (105.9, 21.1)])], crs=4326
    )
    body = refused(zipped_shapefile(tmp_path, lines), kind="planned")
    assert body["code"] == "wrong_geometry_type" and "LineString" in body["detail"]


def test_upload_without_prj_and_crs_is_refused_with_ranking(tmp_path: Path, refused) -> None:  # noqa: ANN001
    body = refused(zipped_shapefile(tmp_path, to_tm3(wgs84_zones(4)), prj=False))
    assert body["code"] == "crs_missing" and "VN2000-TM3" in body["detail"]
    assert body["details"]["candidates"][0]["score"] > 0.9


def test_upload_unknown_crs_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    body = refused(zipped_shapefile(tmp_path, to_tm3(wgs84_zones(4))), crs="EPSG:999999")
    assert body["code"] == "unknown_crs" and "Cannot understand the CRS" in body["detail"]


def test_upload_metres_declared_as_degrees_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    body = refused(zipped_shapefile(tmp_path, to_tm3(wgs84_zones(4))), crs="EPSG:4326")
    assert body["code"] == "crs_coordinates_mismatch" and "look like metres" in body["detail"]


def test_upload_missing_required_field_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    zones = to_tm3(wgs84_zones(4)).drop(columns=["TEN_KCN"])
    body = refused(zipped_shapefile(tmp_path, zones))
    assert body["code"] == "missing_field" and "'name'" in body["detail"]


def test_upload_duplicate_codes_is_refused(tmp_path: Path, refused) -> None:  # noqa: ANN001
    zones = to_tm3(wgs84_zones(4))
    zones["MA_KCN"] = ["D1", "D1", "D2", "D3"]
    body = refused(zipped_shapefile(tmp_path, zones))
    assert "more than once in the file: D1" in body["detail"]


def test_upload_mixed_encodings_is_refused_with_candidates(tmp_path: Path, refused) -> None:  # noqa: ANN001
    zones = to_tm3(wgs84_zones(4))
    shp = _shp(tmp_path, zones, encoding="tcvn3")
    vni = _shp(tmp_path / "v", zones, encoding="vni")
    patched = gpd.read_file(shp, encoding="latin1")
    patched["TRANG_THAI"] = gpd.read_file(vni, encoding="latin1")["TEN_KCN"]
    patched = patched.set_crs(zones.crs, allow_override=True)
    mixed = write_shapefile(tmp_path / "m", "zones", patched, encoding="latin-1")
    body = refused(zip_paths(tmp_path / "x.zip", shapefile_parts(mixed)))
    assert body["code"] == "encoding_ambiguous" and "choose the encoding" in body["detail"]
    assert "--encoding" not in body["detail"]  # the page offers a picker, not a CLI option
    assert "tcvn3" in body["detail"] and "vni" in body["detail"]
    choices = {c["encoding"]: c for c in body["details"]["choices"]}
    assert {"tcvn3", "vni"} <= set(choices) and all(c["samples"] for c in choices.values())
