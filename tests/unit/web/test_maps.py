"""Tests of web.maps.folium_map, web.pages and web.env: rendered pages work air-gapped and speak
the user's language. No server, no database: the HTML is rendered and inspected."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest
from folium.plugins import Fullscreen, HeatMap, MarkerCluster, VectorGridProtobuf

from web.assets import find_external_assets, referenced_assets, static_file
from web.env import make_env
from web.i18n import SUPPORTED_LANGS, translate
from web.maps.folium_map import (
    VIETNAM_BOUNDS,
    LayerSpec,
    OfflineHeatMap,
    OfflineMarkerCluster,
    OfflineVectorGridProtobuf,
    build_zone_map,
    render_map_page,
)
from web.maps.styles import KIND_COLOURS, ZONE_POPUP_FIELDS, popup_config, zone_style
from web.pages import render_home_page

PROVINCES_URL = "/api/provinces?version=2025-34&simplified=true&format=geojson"
ZONES_URL = "/api/zones?format=geojson"
CDN_HOSTS = ("unpkg", "jsdelivr", "cdnjs", "googleapis", "bootstrapcdn", "code.jquery")


def _layers(*, zones_shown: bool = True) -> list[LayerSpec]:
    return [
        LayerSpec(name="layer.provinces", url=PROVINCES_URL, kind="provinces"),
        LayerSpec(name="layer.zones", url=ZONES_URL, kind="zones", show=zones_shown),
    ]


@pytest.fixture(scope="module", params=SUPPORTED_LANGS)
def home(request: pytest.FixtureRequest) -> tuple[str, str]:
    lang = request.param
    html = render_home_page(lang=lang, layers=_layers(), bounds=None, tiles_url=None)
    return lang, html


def _js_string(text: str) -> str:
    """How folium's ``tojson`` writes ``text`` into a script (non-ASCII as \\u escapes)."""
    return json.dumps(text)


def test_render_home_page_names_no_cdn_host(home: tuple[str, str]) -> None:
    _, html = home
    lowered = html.lower()
    assert [host for host in CDN_HOSTS if host in lowered] == []
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html) == []


def test_render_home_page_every_script_and_stylesheet_is_local_and_exists(
    home: tuple[str, str],
) -> None:
    _, html = home
    urls = referenced_assets(html)
    assert any(url.endswith("leaflet.js") for url in urls)
    assert any(url.endswith("leaflet.css") for url in urls)
    assert find_external_assets(html) == []
    missing = [url for url in urls if not static_file(url).is_file()]
    assert missing == []


def test_render_home_page_html_lang_and_utf8_charset(home: tuple[str, str]) -> None:
    lang, html = home
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    assert '<meta charset="utf-8">' in html
    assert html.lower().count("charset") == 1


def test_render_home_page_layer_names_in_selected_language(home: tuple[str, str]) -> None:
    lang, html = home
    other = next(code for code in SUPPORTED_LANGS if code != lang)
    for key in ("layer.provinces", "layer.zones"):
        assert _js_string(translate(key, lang)) in html
        assert _js_string(translate(key, other)) not in html
    assert translate("page.home.title", lang) in html


def test_render_home_page_legend_lists_zone_kinds_with_colours(home: tuple[str, str]) -> None:
    lang, html = home
    legend = re.search(r'<div id="legend_\w+" class="zm-legend".*?</div>', html, re.S)
    assert legend is not None
    for kind, colour in KIND_COLOURS.items():
        assert f"{kind} – {translate('kind.' + kind, lang)}" in legend.group(0)
        assert colour in legend.group(0)
    assert translate("legend.province_boundary", lang) in legend.group(0)


def test_render_home_page_popup_fields_show_hectares(home: tuple[str, str]) -> None:
    lang, html = home
    assert '"unit": "ha"' in html
    assert _js_string(translate("field.planned_area", lang)) in html
    for key in ("field.name", "field.code", "field.kind", "field.status"):
        assert _js_string(translate(key, lang)) in html


def test_render_home_page_language_switch_links_both_languages(home: tuple[str, str]) -> None:
    lang, html = home
    assert 'href="?lang=vi"' in html and 'href="?lang=en"' in html
    assert f'hreflang="{lang}" lang="{lang}" aria-current="true"' in html


def test_render_home_page_demo_notice_only_when_asked() -> None:
    notice = translate("footer.demo_data", "en")
    with_notice = render_home_page(
        lang="en", layers=_layers(), bounds=None, tiles_url=None, show_demo_notice=True
    )
    without = render_home_page(lang="en", layers=_layers(), bounds=None, tiles_url=None)
    assert notice in with_notice
    assert notice not in without


def test_build_zone_map_layers_loaded_by_url_not_embedded() -> None:
    html = render_map_page(build_zone_map(layers=_layers()), title="t", lang="vi")
    assert _js_string(PROVINCES_URL).replace("&", "\\u0026") in html
    assert _js_string(ZONES_URL) in html
    assert "FeatureCollection" not in html
    assert html.count("zonemap.loadGeoJson(") == 2


def test_build_zone_map_zone_style_keyed_on_feature_kind() -> None:
    style = zone_style()
    assert style["colour_by"] == "kind"
    assert style["colours"] == KIND_COLOURS
    assert len(set(KIND_COLOURS.values())) == 3
    html = render_map_page(build_zone_map(layers=_layers()), title="t", lang="en")
    assert json.dumps(KIND_COLOURS["KKT"]) in html and '"colour_by": "kind"' in html


def test_build_zone_map_without_tiles_provinces_are_base_layer() -> None:
    m = build_zone_map(layers=_layers(), lang="en")
    html = render_map_page(m, title="t", lang="en")
    assert "L.tileLayer" not in html
    base = re.search(r"base_layers : \{(.*?)\}", html, re.S)
    assert base is not None and _js_string("Province boundaries") in base.group(1)


def test_build_zone_map_with_tiles_url_adds_local_tile_base_layer() -> None:
    m = build_zone_map(layers=_layers(), tiles_url="/tiles/{z}/{x}/{y}.png", lang="en")
    html = render_map_page(m, title="t", lang="en")
    assert "L.tileLayer" in html and '"/tiles/{z}/{x}/{y}.png"' in html
    overlays = re.search(r"overlays :  \{(.*?)\}", html, re.S)
    assert overlays is not None and _js_string("Province boundaries") in overlays.group(1)
    assert find_external_assets(html) == []


def test_build_zone_map_hidden_layer_not_added_on_open() -> None:
    m = build_zone_map(layers=_layers(zones_shown=False))
    html = render_map_page(m, title="t", lang="vi")
    added = re.findall(r"(remote_geo_json_\w+)\.addTo\(", html)
    declared = re.findall(r"var (remote_geo_json_\w+) = L\.geoJson", html)
    assert len(declared) == 2
    assert added == [declared[0]]  # provinces only


def test_build_zone_map_fits_given_bounds_as_lat_lon() -> None:
    m = build_zone_map(layers=_layers(), bounds=(105.3, 20.5, 106.1, 21.4))
    html = render_map_page(m, title="t", lang="vi")
    assert "[[20.5, 105.3], [21.4, 106.1]]" in html
    default = render_map_page(build_zone_map(layers=_layers()), title="t", lang="vi")
    lon0, lat0, lon1, lat1 = VIETNAM_BOUNDS
    assert f"[[{lat0}, {lon0}], [{lat1}, {lon1}]]" in default


@pytest.mark.parametrize("bounds", [(106.0, 20.0, 105.0, 21.0), (100.0, -95.0, 101.0, 10.0)])
def test_build_zone_map_invalid_bounds_raise_value_error(
    bounds: tuple[float, float, float, float],
) -> None:
    with pytest.raises(ValueError, match="EPSG:4326"):
        build_zone_map(layers=_layers(), bounds=bounds)


def test_build_zone_map_unsupported_language_raises_value_error() -> None:
    with pytest.raises(ValueError, match="fr"):
        build_zone_map(layers=_layers(), lang="fr")


def test_layer_spec_unknown_kind_raises_value_error() -> None:
    with pytest.raises(ValueError, match="roads"):
        LayerSpec(name="layer.zones", url="/api/roads", kind="roads")


def test_popup_config_area_field_has_hectare_unit_and_translated_codes() -> None:
    config = popup_config(ZONE_POPUP_FIELDS, lang="vi")
    by_label = {field["label"]: field for field in config["fields"]}
    area = by_label[translate("field.planned_area", "vi")]
    assert area["unit"] == "ha" and "planned_area_ha" in area["props"]
    assert by_label["Tình trạng"]["values"]["operating"] == "Đang hoạt động"
    assert by_label["Loại hình"]["values"]["CCN"] == "Cụm công nghiệp"
    assert config["locale"] == "vi-VN"


def test_render_map_page_cdn_plugin_raises_value_error() -> None:
    m = build_zone_map(layers=_layers())
    Fullscreen().add_to(m)  # folium's own class still points at a CDN
    with pytest.raises(ValueError, match="external assets"):
        render_map_page(m, title="t", lang="vi")


def test_render_map_page_escapes_title() -> None:
    html = render_map_page(build_zone_map(layers=_layers()), title="<b>A & B</b>", lang="en")
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in html
    assert "<b>A & B</b>" not in html


@pytest.mark.parametrize(
    ("offline_cls", "folium_cls", "args"),
    [
        (OfflineMarkerCluster, MarkerCluster, ()),
        (OfflineHeatMap, HeatMap, ([[21.0, 105.8, 1.0]],)),
        (OfflineVectorGridProtobuf, VectorGridProtobuf, ("/tiles/{z}/{x}/{y}.pbf", "zones")),
    ],
)
def test_offline_plugins_render_only_local_assets_with_folium_names(
    offline_cls: type, folium_cls: type, args: tuple
) -> None:
    m = build_zone_map(layers=_layers())
    offline_cls(*args).add_to(m)
    html = render_map_page(m, title="t", lang="vi")
    assert find_external_assets(html) == []
    assert [n for n, _ in offline_cls.default_js] == [n for n, _ in folium_cls.default_js]
    assert [n for n, _ in offline_cls.default_css] == [n for n, _ in folium_cls.default_css]
    assert all(static_file(url).is_file() for _, url in offline_cls.default_js)


def test_build_zone_map_overrides_folium_map_defaults() -> None:
    m = build_zone_map(layers=_layers())
    assert isinstance(m, folium.Map)
    urls = [url for _, url in (*m.default_js, *m.default_css)]
    assert urls and all(url.startswith("/static/") for url in urls)


def test_make_env_override_dir_wins_and_autoescapes(tmp_path: Path) -> None:
    (tmp_path / "base.html").write_text(
        "<html lang='{{ lang }}'>{% block content %}{% endblock %}{{ t('app.name') }}</html>",
        encoding="utf-8",
    )
    env = make_env(tmp_path)
    page = env.from_string('{% extends "base.html" %}{% block content %}{{ x }}{% endblock %}')
    html = page.render(lang="en", x="<script>")
    assert html == "<html lang='en'>&lt;script&gt;zonemap</html>"
    packaged = make_env().get_template("base.html").render(lang="vi", title="T")
    assert '<html lang="vi">' in packaged
