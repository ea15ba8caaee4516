"""Tests of web.maps.offline and web.env: folium's map and plugins load only local assets, and
pages render through the jinja2 environment. No server, no database."""

from __future__ import annotations

from pathlib import Path

import folium
from folium.plugins import Fullscreen

from web.assets import find_external_assets, static_file
from web.env import make_env
from web.maps.offline import VIETNAM_BOUNDS, OfflineFullscreen, OfflineMap


def test_offline_map_overrides_folium_map_defaults_with_existing_local_files() -> None:
    m = OfflineMap(location=[16.0, 106.0], zoom_start=5, tiles=None)
    assert isinstance(m, folium.Map)
    urls = [url for _, url in (*m.default_js, *m.default_css)]
    assert urls and all(url.startswith("/static/") for url in urls)
    assert all(static_file(url).is_file() for url in urls)
    assert find_external_assets(m.get_root().render()) == []


def test_offline_fullscreen_renders_only_local_assets_with_folium_names() -> None:
    m = OfflineMap(location=[16.0, 106.0], zoom_start=5, tiles=None)
    OfflineFullscreen().add_to(m)
    assert find_external_assets(m.get_root().render()) == []
    assert [n for n, _ in OfflineFullscreen.default_js] == [n for n, _ in Fullscreen.default_js]
    assert [n for n, _ in OfflineFullscreen.default_css] == [n for n, _ in Fullscreen.default_css]


def test_folium_fullscreen_would_load_a_cdn_asset() -> None:
    m = OfflineMap(location=[16.0, 106.0], zoom_start=5, tiles=None)
    Fullscreen().add_to(m)  # folium's own class points at a CDN: the check must see it
    assert find_external_assets(m.get_root().render()) != []


def test_vietnam_bounds_are_lon_lat_degrees_in_order() -> None:
    min_lon, min_lat, max_lon, max_lat = VIETNAM_BOUNDS
    assert 100 < min_lon < max_lon < 120 and 5 < min_lat < max_lat < 25


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
