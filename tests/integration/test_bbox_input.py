"""Bad bbox values on every read that takes one: 400 naming ``bbox`` with what to send, the
same rules on /api and /ogc (one parser, ``geo.bbox``), and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from geo.bbox import BBoxError, read_bbox

BAD_BBOXES = {
    "nan": ("nan,20,106,21", "four numbers"),
    "NaN upper": ("105,20,NaN,21", "four numbers"),
    "inf": ("105,20,inf,21", "four numbers"),
    "-infinity": ("-Infinity,20,106,21", "four numbers"),
    "three numbers": ("105,20,106", "four numbers"),
    "words": ("a,b,c,d", "four numbers"),
    "min lon above max": ("106,20,105,21", "minimum above"),
    "min lat above max": ("105,21,106,20", "minimum above"),
    "lon beyond 180": ("100,10,200,20", "out of range"),
    "lat beyond 90": ("105,-95,106,21", "out of range"),
}
BBOX_ROUTES = (
    "/api/zones",
    "/api/layers/zones",
    "/api/layers/planning-boundaries",
    "/api/layers/footprints",
    "/api/layers/encroachments",
    "/api/layers/clusters",
    "/api/layers/provinces",
)
OGC_ITEMS = "/ogc/collections/zones/items"


def _row_counts(db_session) -> tuple:  # noqa: ANN001
    return db_session.execute(
        text(
            "SELECT (SELECT count(*) FROM zones), (SELECT count(*) FROM planning_boundaries), "
            "(SELECT version FROM zonemap_data_version)"
        )
    ).one()


@pytest.mark.parametrize(("raw", "fragment"), BAD_BBOXES.values(), ids=BAD_BBOXES.keys())
def test_read_bbox_bad_value_raises_naming_bbox(raw, fragment):
    with pytest.raises(BBoxError, match=fragment) as caught:
        read_bbox(raw)
    assert caught.value.parameter == "bbox"


def test_read_bbox_good_value_returns_corners():
    assert read_bbox("105.5,20,106,21.25") == (105.5, 20.0, 106.0, 21.25)
    assert read_bbox("20,105,21,106", lat_first=True) == (105.0, 20.0, 106.0, 21.0)


@pytest.mark.parametrize("route", BBOX_ROUTES)
def test_api_bad_bbox_is_400_naming_bbox(client, db_session, route):
    before = _row_counts(db_session)
    for raw, fragment in BAD_BBOXES.values():
        response = client.get(route, params={"bbox": raw})
        assert response.status_code == 400, (raw, response.text)
        body = response.json()
        assert body["parameter"] == "bbox" and body["code"] == "invalid_bbox"
        assert fragment in body["detail"] and "bbox" in body["detail"]
    assert _row_counts(db_session) == before


def test_ogc_bad_bbox_is_400_naming_bbox(client):
    for raw, fragment in BAD_BBOXES.values():
        response = client.get(OGC_ITEMS, params={"bbox": raw})
        assert response.status_code == 400, (raw, response.text)
        body = response.json()
        assert body["parameter"] == "bbox" and body["code"] == "InvalidParameterValue"
        assert fragment in body["description"]
