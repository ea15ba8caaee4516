"""The upload page in headless Chromium: a real zipped shapefile through preview and commit (a
double click commits once), the new zone on the map, a rollback, and a bad file's message."""

from __future__ import annotations

import json
import urllib.request
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

IDLE = "document.documentElement.dataset.zmIdle === 'true'"
NAME = "Khu công nghiệp Thử Nghiệm Trình Duyệt"


def _zipped_shapefile(folder: Path) -> Path:
    """Two zones in EPSG:4326 (with a .prj) inside Hà Nội, Vietnamese names, kind column."""
    gdf = gpd.GeoDataFrame(
        {"MA_KHU": ["BT-0001", "BT-0002"], "TEN_KHU": [NAME, "Cụm công nghiệp Đồng Thử"],
         "LOAI": ["KCN", "CCN"], "DT_HA": [120.0, 40.0]},
        geometry=[box(105.78, 21.02, 105.79, 21.028), box(105.80, 21.03, 105.806, 21.035)],
        crs=4326,
    )  # fmt: skip
    gdf.to_file(folder / "zones_test.shp", engine="pyogrio", encoding="utf-8")
    archive = folder / "zones_test.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.glob("zones_test.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    assert {"zones_test.prj", "zones_test.shp"} <= set(zipfile.ZipFile(archive).namelist())
    return archive


def _api(url: str) -> dict:
    with urllib.request.urlopen(url) as response:  # noqa: S310 - the loopback test server
        return json.load(response)


def test_upload_shapefile_preview_commit_once_then_on_map(live_server, watched_page, tmp_path):
    page = watched_page.page
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/upload")
    page.wait_for_function(IDLE)
    page.set_input_files("input[name=file]", str(_zipped_shapefile(tmp_path)))
    page.select_option("select[name=kind]", "zones")
    page.click("#zm-upload-preview")
    page.wait_for_selector("#zm-upload-result:not([hidden])", timeout=20_000)
    detected = page.inner_text("#zm-upload-detected")
    assert "4326" in detected and "2" in detected
    mapping = page.locator("#zm-upload-mapping tbody input[name]")
    assert {mapping.nth(i).get_attribute("name") for i in range(mapping.count())} >= {
        "code",
        "name",
        "kind",
    }
    assert page.locator(".leaflet-zm-preview-pane path").count() == 2
    page.screenshot(path=str(tmp_path / "preview.png"))

    page.dblclick("#zm-upload-commit")
    page.wait_for_selector(".zm-message-ok >> text=Đã ghi", timeout=20_000)
    page.wait_for_selector("#zm-upload-history tr[data-status='committed']")
    upload_id = int(
        page.get_attribute("#zm-upload-history tr[data-status='committed']", "data-upload-id")
    )
    record = _api(f"{live_server}/api/uploads/{upload_id}")
    assert record["status"] == "committed"
    assert record["counts"]["inserted"] == 2  # applied once despite the double click
    page.screenshot(path=str(tmp_path / "committed.png"))

    page.goto(f"{live_server}/")
    page.wait_for_function(IDLE)
    page.fill("#zm-search-input", "thu nghiem trinh duyet")
    page.press("#zm-search-input", "Enter")
    page.wait_for_selector(".zm-zone-popup h3", timeout=10_000)
    assert NAME in page.inner_text(".zm-zone-popup h3")
    drawn = page.evaluate("""() => zonemapApp.layers['zones-KCN'].layer.getLayers()
        .some(l => l.feature.properties.code === 'BT-0001')""")
    assert drawn
    page.screenshot(path=str(tmp_path / "on_map.png"))

    page.goto(f"{live_server}/upload")
    page.wait_for_function(IDLE)
    page.click(f"#zm-upload-history tr[data-upload-id='{upload_id}'] button")
    page.wait_for_selector(
        f"#zm-upload-history tr[data-upload-id='{upload_id}'][data-status='rolled_back']"
    )
    assert _api(f"{live_server}/api/search?q=thu%20nghiem%20trinh%20duyet")["results"] == []
    assert watched_page.foreign_hosts() == set()
    assert watched_page.console_errors == []


def test_upload_bad_file_shows_message_and_commits_nothing(live_server, watched_page, tmp_path):
    page = watched_page.page
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"this is not a zip archive")
    before = len(_api(f"{live_server}/api/uploads")["uploads"])
    page.goto(f"{live_server}/upload?lang=en")
    page.wait_for_function(IDLE)
    page.set_input_files("input[name=file]", str(bad))
    with page.expect_response(lambda r: r.url.endswith("/api/uploads") and r.status >= 400):
        page.click("#zm-upload-preview")
    message = page.locator(".zm-message-error")
    message.wait_for()
    assert "zip" in message.inner_text().lower()
    assert page.locator("#zm-upload-result").is_hidden()
    assert len(_api(f"{live_server}/api/uploads")["uploads"]) == before
    page.screenshot(path=str(tmp_path / "bad_file.png"))
    assert watched_page.foreign_hosts() == set()


def test_building_layer_preview_commit_and_rollback(live_server, watched_page, tmp_path):
    """A building layer far from every zone: '0 zones affected', committed, rolled back."""
    page = watched_page.page
    page.on("dialog", lambda dialog: dialog.accept())
    houses = [box(107.0 + i * 0.001, 11.5, 107.0003 + i * 0.001, 11.5003) for i in range(3)]
    path = tmp_path / "nha.geojson"
    gpd.GeoDataFrame(geometry=houses, crs=4326).to_file(path, driver="GeoJSON")
    page.goto(f"{live_server}/upload?lang=en")
    page.wait_for_function(IDLE)
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=kind]", "buildings")
    page.fill("input[name=source]", "OSM")
    page.fill("input[name=observed_on]", "2025-06-01")
    page.click("#zm-upload-preview")
    page.wait_for_selector(".zm-message-ok, .zm-message-error", timeout=20_000)
    assert page.locator("#zm-upload-result").is_visible(), page.inner_text("#zm-upload-message")
    assert "add 3 buildings; 0 zones affected" in page.inner_text("#zm-upload-would")
    page.click("#zm-upload-commit")
    page.wait_for_selector(".zm-message-ok >> text=Committed", timeout=20_000)
    page.wait_for_selector("#zm-upload-history tr[data-status='committed']", timeout=20_000)
    row = page.locator("#zm-upload-history tr").filter(has_text="nha.geojson").first
    upload_id = int(row.get_attribute("data-upload-id"))
    assert _api(f"{live_server}/api/uploads/{upload_id}")["status"] == "committed"
    page.click(f"#zm-upload-history tr[data-upload-id='{upload_id}'] button")
    page.wait_for_selector(
        f"#zm-upload-history tr[data-upload-id='{upload_id}'][data-status='rolled_back']"
    )
    assert watched_page.console_errors == []
