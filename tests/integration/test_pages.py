"""The web pages served by the app over the demo: status, language, layers, 404 pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from api.services.analysis import run_analysis
from api.services.pages import use_vector_tiles
from api.settings import DEFAULT_VECTOR_TILE_MIN_ZONES, Settings
from tests.conftest import DEMO_TODAY


@pytest.fixture
def flagged_zone(db_session, demo_loaded):  # noqa: ANN001, ANN201
    outcome = run_analysis(db_session, version="2025-34", province="01", today=DEMO_TODAY)
    return next(f for f in outcome.result.flags if f.zone_code and f.code == "FOOTPRINT_MISMATCH")


@pytest.mark.parametrize(
    ("lang", "title"), [("vi", "Bản đồ khu kinh tế"), ("en", "Economic zones")]
)
def test_home_page_in_each_language_lists_every_layer(client, demo_loaded, lang, title):
    response = client.get("/", params={"lang": lang})
    assert response.status_code == 200 and f'<html lang="{lang}">' in response.text
    assert title in response.text
    ids = set(re.findall(r'"id": "([\w-]+)"', response.text))
    assert {
        "admin-2025-34",
        "admin-2008-63",
        "zones-KKT",
        "zones-KCN",
        "zones-CCN",
        "planning",
        "footprints",
        "encroachments",
        "clusters",
        "heat",
    } <= ids
    assert "/tiles/zones/" not in response.text  # the small demo uses GeoJSON


def test_home_page_mode_tiles_uses_vector_tiles(client, demo_loaded):
    html = client.get("/", params={"mode": "tiles"}).text
    assert "/tiles/zones/{z}/{x}/{y}.mvt" in html and "Leaflet.VectorGrid" in html
    assert client.get("/", params={"mode": "nonsense"}).status_code == 422


def test_use_vector_tiles_switches_at_the_threshold():
    settings = Settings()
    assert not use_vector_tiles(DEFAULT_VECTOR_TILE_MIN_ZONES - 1, settings)
    assert use_vector_tiles(DEFAULT_VECTOR_TILE_MIN_ZONES, settings)
    assert use_vector_tiles(10, settings, "tiles") and not use_vector_tiles(
        10**6, settings, "geojson"
    )


def test_province_page_has_summary_flags_and_report_link(client, flagged_zone):
    html = client.get("/provinces/01", params={"lang": "en"}).text
    assert "Hà Nội" in html or "Ha Noi" in html
    assert 'href="/api/provinces/01/report.pdf?version=2025-34&amp;lang=en"' in html
    assert 'href="/api/provinces/01/report.html?version=2025-34&amp;lang=en"' in html
    assert "Clark–Evans" in html and "zones per 1,000 km²" in html
    assert flagged_zone.message_en in html
    assert "province=01" in html.replace("\\u0026", "&")


def test_province_page_of_the_2008_version_shows_that_province(client, demo_loaded):
    response = client.get("/provinces/27", params={"version": "2008-63"})
    assert response.status_code == 200 and "Bắc Ninh" in response.text
    html = response.text.replace("\\u0026", "&")
    assert "report.html?version=2008-63" in html and "version=2008-63" in html
    shown = re.search(r'"id": "admin-2008-63"[^}]*"show": (true|false)', html)
    assert shown is not None and shown.group(1) == "true"


def test_province_page_unknown_version_is_refused(client, demo_loaded):
    response = client.get("/provinces/27", params={"version": "1999-1"})
    assert response.status_code == 422 and "1999-1" in response.text


def test_zone_page_shows_history_and_flag_in_vietnamese(client, db_session, flagged_zone):
    html = client.get(f"/zones/{flagged_zone.zone_code}").text
    name = db_session.execute(
        text("SELECT name FROM zones WHERE code = :c"), {"c": flagged_zone.zone_code}
    ).scalar_one()
    assert name in html and flagged_zone.message_vi in html
    assert "Lịch sử ranh giới quy hoạch" in html and "Lịch sử tải dữ liệu" in html
    assert f"zone={flagged_zone.zone_code}" in html


@pytest.mark.parametrize(
    ("path", "lang", "text_"),
    [
        ("/zones/NOPE", "vi", "Không có khu nào mang mã “NOPE”."),
        ("/zones/NOPE", "en", "There is no zone with code “NOPE”."),
        ("/provinces/99", "vi", "Không có tỉnh, thành phố nào mang mã “99”"),
        ("/provinces/99", "en", "There is no province with code “99”"),
    ],
)
def test_unknown_code_is_404_page_in_chosen_language(client, demo_loaded, path, lang, text_):
    response = client.get(path, params={"lang": lang})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert text_ in response.text and f'<html lang="{lang}">' in response.text


def test_upload_page_has_form_and_history_in_english(client):
    html = client.get("/upload", params={"lang": "en"}).text
    assert "Upload GIS data" in html and 'name="file"' in html and 'name="kind"' in html
    assert "zonemap-upload.js" in html and "Commit" in html
