"""Rendering of the national, province, zone, upload and 404 pages from plain data (no DB)."""

from __future__ import annotations

import json
import re

import pytest

from geo.formatting import format_date, format_number, format_share
from web.assets import find_external_assets, referenced_assets, static_file
from web.error_pages import render_not_found_page
from web.i18n import LABELS, translate
from web.i18n.flags import FLAG_CODES, flag_message, flag_title, severity_legend
from web.maps.app import AppLayer, build_app_map, js_labels, render_app_page
from web.maps.pages import render_national_page, render_province_page, render_zone_page
from web.upload_page import render_upload_page

PROVINCES = [{"code": "01", "name_vi": "Hà Nội", "name_en": "Ha Noi"}]
FLAG = {
    "zone_code": "KCN-01-0001",
    "zone_name": "Khu công nghiệp Thăng Long",
    "code": "ENCROACHMENT",
    "severity": "critical",
    "value": 3.2,
    "threshold": 2.0,
    "unit": "ha",
    "message_vi": "3,2 ha nằm ngoài ranh giới.",
    "message_en": "3.2 ha lies outside.",
}


def _config(html: str) -> dict:
    found = re.search(r"zonemap\.app\.start\(\w+,\s*(\{.*?\})\);", html, re.S)
    assert found is not None
    return json.loads(found.group(1))


def _national(lang: str = "vi", *, use_tiles: bool = False) -> str:
    return render_national_page(
        lang=lang,
        zone_count=250_000 if use_tiles else 2_500,
        use_tiles=use_tiles,
        provinces=PROVINCES,
        has_run=True,
    )


@pytest.mark.parametrize("use_tiles", [False, True])
def test_render_national_page_assets_local_and_exist(use_tiles: bool) -> None:
    html = _national(use_tiles=use_tiles)
    urls = referenced_assets(html)
    assert find_external_assets(html) == []
    assert all(static_file(url).is_file() for url in urls)
    assert not any("jquery" in url for url in urls)
    assert any("VectorGrid" in url for url in urls) is use_tiles


def test_render_national_page_geojson_layers_below_threshold() -> None:
    layers = {layer["id"]: layer for layer in _config(_national())["layers"]}
    assert layers["zones-KCN"]["source"] == "geojson"
    assert layers["zones-KCN"]["url"] == "/api/layers/zones?kind=KCN"
    assert layers["admin-2025-34"]["base"] and layers["admin-2025-34"]["show"]
    assert layers["admin-2008-63"]["base"] and not layers["admin-2008-63"]["show"]
    assert [k for k, v in layers.items() if v["show"]] == [
        "admin-2025-34",
        "zones-KKT",
        "zones-KCN",
        "zones-CCN",
    ]


def test_render_national_page_vector_tiles_at_scale() -> None:
    layers = {layer["id"]: layer for layer in _config(_national(use_tiles=True))["layers"]}
    assert layers["zones-CCN"]["source"] == "tiles" and layers["zones-CCN"]["kind"] == "CCN"
    assert layers["zones-CCN"]["url"] == "/tiles/zones/{z}/{x}/{y}.mvt"
    assert layers["footprints"]["source"] == "tiles"
    assert layers["heat"]["show"] and layers["zones-CCN"]["min_zoom"] == 8
    assert "250.000" in _national(use_tiles=True)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_render_national_page_labels_in_language(lang: str) -> None:
    html = _national(lang)
    other = "en" if lang == "vi" else "vi"
    for key in ("panel.flagged", "panel.search", "severity.critical"):
        assert translate(key, lang) in html
    assert translate("panel.flagged", other) not in html
    config = _config(html)
    assert config["labels"]["flag.ENCROACHMENT"] == translate("flag.ENCROACHMENT", lang)
    assert config["zonePage"] == f"/zones/{{code}}?lang={lang}"


def test_render_province_page_numbers_flags_and_report_link() -> None:
    province = {
        "code": "01",
        "name_vi": "Hà Nội",
        "name_en": "Ha Noi",
        "area_km2": 3359.8,
        "xmin": 105.28,
        "ymin": 20.56,
        "xmax": 106.02,
        "ymax": 21.39,
    }
    stats = {
        "zones": 128,
        "zones_kkt": 0,
        "zones_kcn": 27,
        "zones_ccn": 101,
        "zone_area_ha": 10723.6,
        "zones_per_1000km2": 38.17,
        "clark_evans_r": 0.9378,
        "clark_evans_p": 0.178,
        "zone_area_ha_per_1000km2": 3198.1,
        "clusters": [{}, {}],
    }
    html = render_province_page(
        lang="vi",
        province=province,
        stats=stats,
        flags=[FLAG],
        use_tiles=False,
        report_url="/api/provinces/01/report.pdf",
    )
    assert "10.724 ha" in html and "38,2 khu/1.000 km²" in html and "0,94" in html
    assert 'href="/api/provinces/01/report.pdf"' in html
    assert FLAG["message_vi"] in html and flag_title("ENCROACHMENT", "vi") in html
    assert "[[20.56, 105.28], [21.39, 106.02]]" in html
    layers = {layer["id"]: layer for layer in _config(html)["layers"]}
    assert layers["zones-KKT"]["url"].endswith("province=01")


def test_render_zone_page_histories_and_flags_in_english() -> None:
    detail = {
        "zone": {
            "code": "KCN-01-0001",
            "name": "Khu công nghiệp Thăng Long",
            "kind": "KCN",
            "status": "operating",
            "province_code": "01",
            "province_name_vi": "Hà Nội",
            "province_name_en": "Ha Noi",
            "established_on": "2001-05-02",
            "planned_area_ha": 274.0,
            "occupancy": 0.5,
            "expanded_on": None,
            "decision_ref": "12/QĐ",
            "boundary_area_ha": 274.0,
            "industrial_land_ha": 200.0,
            "leased_land_ha": 100.0,
            "investor": None,
            "workers": None,
            "is_synthetic": False,
        },
        "bbox": [105.7, 21.0, 105.72, 21.02],
        "point": [105.71, 21.01],
        "run": {"id": 4},
        "metrics": {
            "iou": 0.71,
            "encroachment_ha": 3.2,
            "planned_ha": 274.0,
            "actual_ha": 250.0,
            "encroachment_share": 0.012,
            "unbuilt_ha": 27.2,
            "unbuilt_share": 0.1,
            "hausdorff_m": 180.0,
            "centroid_shift_m": 20.0,
        },
        "flags": [FLAG],
        "boundaries": [
            {
                "version": 2,
                "decision_ref": "12/QĐ",
                "valid_from": "2010-01-01",
                "valid_to": None,
                "is_current": True,
                "area_ha": 274.0,
                "upload_id": 9,
            },
            {
                "version": 1,
                "decision_ref": "3/QĐ",
                "valid_from": "2001-05-02",
                "valid_to": "2010-01-01",
                "is_current": False,
                "area_ha": 200.0,
                "upload_id": None,
            },
        ],
        "footprints": [],
        "uploads": [
            {
                "id": 9,
                "filename": "kcn.zip",
                "kind": "zones",
                "status": "committed",
                "created_at": "2026-01-01T10:00",
                "committed_at": None,
            }
        ],
    }
    html = render_zone_page(lang="en", detail=detail)
    assert "Planning boundary history" in html and "2010-01-01" in html
    assert "kcn.zip" in html and "Committed" in html and "274 ha" in html
    assert FLAG["message_en"] in html and "0.71" in html and "50 %" in html
    urls = [layer["url"] for layer in _config(html)["layers"]]
    assert "/api/layers/planning-boundaries?zone=KCN-01-0001&all_versions=true" in urls


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_render_upload_page_form_and_labels(lang: str) -> None:
    html = render_upload_page(lang=lang, max_upload_mb=200)
    for key in ("upload.preview", "upload.commit", "upload.history", "upload.kind.actual"):
        assert translate(key, lang) in html
    assert 'accept=".zip,.gpkg,.geojson,.json,.kml,.kmz"' in html
    assert _config(html)["upload"]["maxBytes"] == 200 * 1024**2
    assert find_external_assets(html) == []


def test_render_not_found_page_escapes_message_in_language() -> None:
    html = render_not_found_page(lang="en", message="No zone <b>X</b>")
    assert '<html lang="en">' in html and "Not found" in html
    assert "&lt;b&gt;X&lt;/b&gt;" in html


def test_app_layer_rejects_unknown_source_style_and_foreign_url() -> None:
    with pytest.raises(ValueError, match="source"):
        AppLayer("x", "X", "wms", "/x", "zones")
    with pytest.raises(ValueError, match="style"):
        AppLayer("x", "X", "geojson", "/x", "roads")
    with pytest.raises(ValueError, match="same-origin"):
        AppLayer("x", "X", "geojson", "https://cdn.example/x.json", "zones")


def test_render_app_page_refuses_external_assets() -> None:
    m = build_app_map(layers=[], lang="vi")
    m.default_js = [*m.default_js, ("evil", "https://cdn.example/evil.js")]
    with pytest.raises(ValueError, match="external assets"):
        render_app_page(
            m, template="upload.html", title="t", lang="vi", kinds=(), accept="", max_upload_mb=1
        )


def test_flag_text_titles_messages_and_legend() -> None:
    assert all(
        f"flag.{code}" in LABELS["vi"] and f"flag.{code}" in LABELS["en"] for code in FLAG_CODES
    )
    assert flag_message(FLAG, "en") == FLAG["message_en"]
    assert flag_message({"message_vi": "", "message_en": "only en"}, "vi") == "only en"
    legend = severity_legend("en")
    assert [row["label"] for row in legend[:3]] == ["Critical", "Warning", "Info"]
    assert set(js_labels("en")) <= set(LABELS["en"])


def test_formatting_by_language() -> None:
    assert format_number(1234567.891, "vi", digits=2, unit="ha") == "1.234.567,89 ha"
    assert format_number(1234567.891, "en", digits=0) == "1,234,568"
    assert format_share(0.0512, "vi") == "5,1 %" and format_share(None, "en") == "–"
    assert format_date("2024-09-16", "vi") == "16/09/2024"
    assert format_date("2024-09-16T10:00:00", "en") == "2024-09-16"
