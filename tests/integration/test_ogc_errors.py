"""Bad input to /ogc → 400/404 with an OGC exception document naming the parameter."""

from __future__ import annotations

import pytest
from sqlalchemy import text

ZONE_ITEMS = "/ogc/collections/zones/items"


def _exception(response, status: int, parameter: str) -> dict:  # noqa: ANN001
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"code", "description"}
    assert body["parameter"] == parameter
    assert parameter in body["description"] or parameter == "collectionId"
    return body


def test_items_injected_cql2_is_400_and_zones_intact(client, demo_loaded, db_session):
    before = db_session.execute(text("SELECT count(*) FROM zones")).scalar_one()
    response = client.get(ZONE_ITEMS, params={"filter": "kind='x' OR 1=1; DROP TABLE zones"})
    body = _exception(response, 400, "filter")
    assert body["code"] == "InvalidParameterValue"
    assert "CQL2" in body["description"]
    assert db_session.execute(text("SELECT count(*) FROM zones")).scalar_one() == before > 0


@pytest.mark.parametrize(
    "cql",
    [
        "kind = 'KCN' AND",
        "kind = 'KCN'' OR ''a''=''a",
        "kind = 'KCN') OR (1=1",
        "kind = 'KCN' -- comment",
    ],
)
def test_items_malformed_cql2_is_400(client, cql):
    _exception(client.get(ZONE_ITEMS, params={"filter": cql}), 400, "filter")


def test_items_quote_in_property_value_is_data_not_sql(client, demo_loaded):
    body = client.get(ZONE_ITEMS, params={"name": "x' OR '1'='1"}).json()
    assert body["numberMatched"] == 0


def test_items_unknown_property_in_filter_is_400_naming_it(client):
    body = _exception(client.get(ZONE_ITEMS, params={"filter": "secret_column = 1"}), 400, "filter")
    assert "secret_column" in body["description"]


@pytest.mark.parametrize(
    ("cql", "word"),
    [
        ("planned_area_ha > 'big'", "number"),
        ("kind = 5", "string"),
        ("S_INTERSECTS(geom, POINT(105 21))", "not supported"),
    ],
)
def test_items_unsupported_or_mistyped_filter_is_400(client, cql, word):
    body = _exception(client.get(ZONE_ITEMS, params={"filter": cql}), 400, "filter")
    assert word in body["description"]


def test_items_unknown_filter_lang_is_400(client):
    response = client.get(ZONE_ITEMS, params={"filter": "kind='KCN'", "filter-lang": "sql"})
    _exception(response, 400, "filter-lang")


@pytest.mark.parametrize(
    "bbox",
    [
        "105,20,106",
        "106,20,105,21",
        "105,21,106,20",
        "a,b,c,d",
        "105,20,106,21,5,6",
        "-200,20,106,21",
    ],
)
def test_items_bad_bbox_is_400(client, bbox):
    _exception(client.get(ZONE_ITEMS, params={"bbox": bbox}), 400, "bbox")


@pytest.mark.parametrize("limit", ["-1", "0", "1000000000", "10^9", "ten"])
def test_items_bad_limit_is_400(client, limit):
    _exception(client.get(ZONE_ITEMS, params={"limit": limit}), 400, "limit")


def test_items_negative_offset_is_400(client):
    _exception(client.get(ZONE_ITEMS, params={"offset": "-5"}), 400, "offset")


@pytest.mark.parametrize("parameter", ["crs", "bbox-crs"])
def test_items_unsupported_crs_is_400(client, parameter):
    params = {parameter: "http://www.opengis.net/def/crs/EPSG/0/2154", "bbox": "105,20,106,21"}
    body = _exception(client.get(ZONE_ITEMS, params=params), 400, parameter)
    assert "EPSG/0/3857" in body["description"]


@pytest.mark.parametrize("value", ["2020-13-01", "2021-01-01/2020-01-01", "../..", "a/b/c"])
def test_items_bad_datetime_is_400(client, value):
    _exception(
        client.get("/ogc/collections/actual-footprints/items", params={"datetime": value}),
        400,
        "datetime",
    )


def test_items_bad_property_value_is_400(client):
    _exception(client.get(ZONE_ITEMS, params={"planned_area_ha": "lots"}), 400, "planned_area_ha")


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/collections/nope",
        "/ogc/collections/nope/items",
        "/ogc/collections/nope/items/1",
        "/ogc/collections/nope/queryables",
    ],
)
def test_unknown_collection_is_404(client, path):
    body = _exception(client.get(path), 404, "collectionId")
    assert body["code"] == "NotFound" and "nope" in body["description"]


@pytest.mark.parametrize("fid", ["NO-SUCH-ZONE", "1 OR 1=1"])
def test_unknown_feature_is_404(client, demo_loaded, fid):
    _exception(client.get(f"{ZONE_ITEMS}/{fid}"), 404, "featureId")


def test_non_integer_feature_id_on_integer_collection_is_404(client):
    _exception(client.get("/ogc/collections/actual-footprints/items/abc"), 404, "featureId")
