"""numberMatched stays cheap: exact up to ``MATCHED_COUNT_LIMIT`` matching features (counted
with a LIMIT on the indexed filter), omitted above it as OGC API - Features allows, with the
``next`` link still there."""

from __future__ import annotations

from sqlalchemy import text

from api.db.repositories import ogc_features as ogc

ITEMS = "/ogc/collections/zones/items"


def test_number_matched_above_limit_is_omitted_with_next_link(
    client, db_session, demo_loaded, monkeypatch
):
    total = db_session.execute(text("SELECT count(*) FROM zones")).scalar_one()
    monkeypatch.setattr(ogc, "MATCHED_COUNT_LIMIT", total - 1)
    ogc.COUNT_CACHE.clear()
    body = client.get(ITEMS, params={"limit": 2}).json()
    assert "numberMatched" not in body and body["numberReturned"] == 2
    assert any(link["rel"] == "next" for link in body["links"])


def test_number_matched_at_or_below_limit_is_exact(client, db_session, demo_loaded, monkeypatch):
    total = db_session.execute(text("SELECT count(*) FROM zones")).scalar_one()
    monkeypatch.setattr(ogc, "MATCHED_COUNT_LIMIT", total)
    ogc.COUNT_CACHE.clear()
    body = client.get(ITEMS, params={"limit": 2}).json()
    assert body["numberMatched"] == total
    last = client.get(ITEMS, params={"limit": 2, "offset": total - 1}).json()
    assert last["numberReturned"] == 1 and not any(link["rel"] == "next" for link in last["links"])
