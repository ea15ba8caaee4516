"""The first vertical slice: health, provinces and zones as GeoJSON, with clear 422s."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import shape


@pytest.fixture
def zones_client(client, demo_loaded):  # noqa: ANN001, ANN201
    return client


def test_health_reports_postgis(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["postgis"].startswith("3.")


@pytest.mark.parametrize(("version", "count"), [("2008-63", 63), ("2025-34", 34)])
def test_provinces_by_version_returns_all_with_codes_and_names(client, version, count):
    body = client.get("/api/provinces", params={"version": version, "simplified": True}).json()
    assert body["admin_version"] == version
    assert len(body["features"]) == count
    names = {f["properties"]["code"]: f["properties"]["name_vi"] for f in body["features"]}
    assert names["01"] == "Hà Nội"
    assert all(shape(f["geometry"]).is_valid for f in body["features"])


def test_provinces_default_version_is_current(client):
    assert client.get("/api/provinces").json()["admin_version"] == "2025-34"


def test_zones_geojson_is_valid_and_paged_with_total(zones_client):
    body = zones_client.get("/api/zones", params={"limit": 50}).json()
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == 50 <= body["numberMatched"]
    for feature in body["features"]:
        geom = shape(feature["geometry"])
        assert geom.is_valid and not geom.is_empty
        assert feature["properties"]["kind"] in {"KKT", "KCN", "CCN"}
    second = zones_client.get("/api/zones", params={"limit": 50, "offset": 50}).json()
    assert not {f["id"] for f in body["features"]} & {f["id"] for f in second["features"]}


def test_zones_filter_by_kind_and_province(zones_client):
    body = zones_client.get("/api/zones", params={"kind": "CCN", "limit": 10_000}).json()
    assert body["features"] and {f["properties"]["kind"] for f in body["features"]} == {"CCN"}
    code = body["features"][0]["properties"]["province_code"]
    in_province = zones_client.get("/api/zones", params={"province": code, "limit": 10_000}).json()
    assert {f["properties"]["province_code"] for f in in_province["features"]} == {code}
    assert in_province["numberMatched"] < zones_client.get("/api/zones").json()["numberMatched"]


def test_zones_filter_by_province_of_2008_version_uses_geometry(zones_client):
    # Bắc Ninh (27, 2008-63) merged into Bắc Ninh (24, 2025-34) with Bắc Giang.
    body = zones_client.get(
        "/api/zones", params={"province": "27", "version": "2008-63", "limit": 10_000}
    ).json()
    provinces = zones_client.get("/api/provinces", params={"version": "2008-63"}).json()
    bac_ninh = next(
        shape(f["geometry"]) for f in provinces["features"] if f["properties"]["code"] == "27"
    )
    assert body["features"]
    assert all(bac_ninh.contains(shape(f["geometry"]).point_on_surface()) for f in body["features"])


def test_zones_bbox_filter_returns_only_intersecting(zones_client):
    bbox = (105.5, 20.8, 106.3, 21.4)
    body = zones_client.get(
        "/api/zones", params={"bbox": ",".join(map(str, bbox)), "limit": 10_000}
    ).json()
    box = shapely.box(*bbox)
    assert body["features"]
    assert all(shape(f["geometry"]).intersects(box) for f in body["features"])


@pytest.mark.parametrize(
    ("params", "parameter", "fragment"),
    [
        ({"kind": "XYZ"}, "kind", "unknown kind"),
        ({"status": "done"}, "status", "unknown status"),
        ({"version": "2030-10"}, "version", "unknown admin version"),
        ({"limit": "0"}, "limit", "invalid value"),
    ],
)
def test_zones_bad_parameters_return_422_naming_parameter(client, params, parameter, fragment):
    response = client.get("/api/zones", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["parameter"] == parameter
    assert fragment in body["detail"]


def test_zones_unknown_province_is_404_naming_parameter_like_every_province_path(client):
    response = client.get("/api/zones", params={"province": "99"})
    assert response.status_code == 404
    body = response.json()
    assert body["parameter"] == "province" and "unknown province '99'" in body["detail"]


def test_unknown_version_on_provinces_is_422(client):
    response = client.get("/api/provinces", params={"version": "1975-38"})
    assert response.status_code == 422 and response.json()["parameter"] == "version"


def test_default_admin_version_setting_is_the_version_of_requests_naming_none(
    test_database_url, db_session
):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from tests.conftest import use_test_transaction

    app = create_app(Settings(database_url=test_database_url, default_admin_version="2008-63"))
    use_test_transaction(app, db_session)
    with TestClient(app) as client:
        features = client.get("/api/provinces").json()["features"]
        current = client.get("/api/provinces", params={"version": "2025-34"}).json()["features"]
    assert (len(features), len(current)) == (63, 34)
