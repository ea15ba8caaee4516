"""Tests of web.assets and the vendored libraries under web/static/vendor."""

from __future__ import annotations

import hashlib
import re

import pytest

from web.assets import (
    PLUGIN_ASSETS,
    STATIC_DIR,
    asset_url,
    find_external_assets,
    offline_css,
    offline_js,
    referenced_assets,
    static_file,
)

VENDOR_DIR = STATIC_DIR / "vendor"
EXPECTED_LIBRARIES = {
    "leaflet-1.9.4",
    "jquery-3.7.1",
    "leaflet.vectorgrid-1.3.0",
    "leaflet.heat-0.2.0",
    "leaflet.markercluster-1.5.3",
    "leaflet.fullscreen-3.0.0",
}


def _all_assets() -> list[tuple[str, str]]:
    assets = [*offline_js(), *offline_css()]
    for plugin in PLUGIN_ASSETS.values():
        assets += [*plugin.js, *plugin.css]
    return assets


def test_asset_url_relative_path_prefixed_with_static() -> None:
    assert asset_url("vendor/leaflet-1.9.4/leaflet.js") == "/static/vendor/leaflet-1.9.4/leaflet.js"
    assert asset_url("/css/zonemap.css") == "/static/css/zonemap.css"


@pytest.mark.parametrize("bad", ["", "../secrets", "css/../../x", "https://unpkg.com/leaflet"])
def test_asset_url_outside_static_raises_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        asset_url(bad)


def test_static_file_url_maps_to_file_under_static_dir() -> None:
    path = static_file("/static/vendor/leaflet-1.9.4/leaflet.css?v=1")
    assert path == STATIC_DIR / "vendor" / "leaflet-1.9.4" / "leaflet.css"
    with pytest.raises(ValueError):
        static_file("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")


@pytest.mark.parametrize(("name", "url"), _all_assets())
def test_offline_assets_exist_on_disk_and_are_local(name: str, url: str) -> None:
    assert url.startswith("/static/"), name
    path = static_file(url)
    assert path.is_file(), f"{name}: {path} missing"
    assert path.stat().st_size > 0


def test_offline_js_loads_leaflet_first_then_jquery() -> None:
    names = [name for name, _ in offline_js()]
    assert names[:2] == ["leaflet", "jquery"]
    assert not any("bootstrap" in url or "awesome" in url for _, url in _all_assets())


def test_vendor_folders_are_exactly_the_pinned_libraries() -> None:
    folders = {path.name for path in VENDOR_DIR.iterdir() if path.is_dir()}
    assert folders == EXPECTED_LIBRARIES


@pytest.mark.parametrize("library", sorted(EXPECTED_LIBRARIES))
def test_vendor_library_has_licence_and_readme_entry(library: str) -> None:
    licence = VENDOR_DIR / library / "LICENSE"
    assert licence.is_file() and len(licence.read_text("utf-8").strip()) > 50
    assert f"`{library}/`" in (VENDOR_DIR / "README.md").read_text("utf-8")


def test_vendor_checksums_match_every_vendored_file() -> None:
    listed: dict[str, str] = {}
    for line in (VENDOR_DIR / "SHA256SUMS").read_text("utf-8").splitlines():
        digest, rel = line.split(maxsplit=1)
        listed[rel] = digest
    on_disk = {
        path.relative_to(VENDOR_DIR).as_posix()
        for path in VENDOR_DIR.rglob("*")
        if path.is_file() and path.name not in {"README.md", "SHA256SUMS"}
    }
    assert set(listed) == on_disk
    for rel, digest in listed.items():
        assert hashlib.sha256((VENDOR_DIR / rel).read_bytes()).hexdigest() == digest, rel


def test_vendor_total_size_under_one_megabyte() -> None:
    total_bytes = sum(path.stat().st_size for path in VENDOR_DIR.rglob("*") if path.is_file())
    assert total_bytes < 1_000_000


def test_local_stylesheets_url_references_exist() -> None:
    css_files = [static_file(url) for _, url in _all_assets() if url.endswith(".css")]
    checked = 0
    for css in css_files:
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text("utf-8")):
            if ref.startswith(("data:", "#")):
                continue
            assert "://" not in ref, f"{css.name} loads {ref}"
            assert (css.parent / ref).is_file(), f"{css.name} references missing {ref}"
            checked += 1
    assert checked >= 3  # leaflet's layer and marker images, the fullscreen icon


def test_referenced_assets_collects_script_link_and_img_urls() -> None:
    html = (
        '<script src="/static/a.js"></script><link rel="stylesheet" href="/static/b.css">'
        '<img src="/static/c.png"><a href="https://example.org/">x</a><script>var s;</script>'
    )
    assert referenced_assets(html) == ["/static/a.js", "/static/b.css", "/static/c.png"]


def test_find_external_assets_flags_cdn_and_protocol_relative_urls() -> None:
    html = (
        '<script src="/static/vendor/leaflet-1.9.4/leaflet.js"></script>'
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
        '<link rel="stylesheet" href="//cdn.jsdelivr.net/npm/leaflet.css">'
    )
    assert find_external_assets(html) == [
        "https://code.jquery.com/jquery-3.7.1.min.js",
        "//cdn.jsdelivr.net/npm/leaflet.css",
    ]
