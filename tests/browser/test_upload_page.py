"""The upload page in headless Chromium: a real zipped shapefile through preview and commit (a
double click commits once), the new zone on the map, a rollback, and a bad file's message."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
from shapely.geometry import box

from tests.table_locks import writes_held

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
IDLE = "document.documentElement.dataset.zmIdle === 'true'"
NAME = "Khu công nghiệp Thử Nghiệm Trình Duyệt"


def _zipped_shapefile(folder: Path) -> Path:
    """Two zones in EPSG:4326 (with a .prj) inside Hà Nội, Vietnamese names, kind column."""
    gdf = gpd.GeoDataFrame(
        {
            "MA_KHU": ["BT-0001", "BT-0002"],
            "TEN_KHU": [NAME, "Cụm công nghiệp Đồng Thử"],
            "LOAI": ["KCN", "CCN"],
            "DT_HA": [120.0, 40.0],
        },
        geometry=[box(105.78, 21.02, 105.79, 21.028), box(105.80, 21.03, 105.806, 21.035)],
        crs=4326,
    )
    gdf.to_file(folder / "zones_test.shp", engine="pyogrio", encoding="utf-8")
    archive = folder / "zones_test.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.glob("zones_test.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    assert {"zones_test.prj", "zones_test.shp"} <= set(zipfile.ZipFile(archive).namelist())
    return archive


def _api(watch, url: str) -> dict:  # noqa: ANN001
    """GET ``url`` with the page's credentials (its context's session cookie)."""
    response = watch.page.request.get(url)
    assert response.ok, (url, response.status)
    return response.json()


def test_upload_shapefile_preview_commit_once_then_on_map(live_server, admin_page, tmp_path):
    page = admin_page.page
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/upload")
    page.wait_for_function(IDLE)
    page.set_input_files("input[name=file]", str(_zipped_shapefile(tmp_path)))
    page.select_option("select[name=kind]", "zones")
    page.click("#zm-upload-preview")
    page.wait_for_selector("#zm-upload-result:not([hidden])", timeout=20_000)
    detected = page.inner_text("#zm-upload-detected")
    assert "4326" in detected and "2" in detected
    mapping = page.locator("#zm-upload-mapping tbody select[name]")
    assert {mapping.nth(i).get_attribute("name") for i in range(mapping.count())} >= {
        "code",
        "name",
        "kind",
    }
    code_choice = page.locator("#zm-upload-mapping select[name=code]")
    assert code_choice.input_value() == "MA_KHU"
    options = code_choice.locator("option").all_inner_texts()
    assert {"MA_KHU", "TEN_KHU", "LOAI", "DT_HA"} <= set(options)
    rows = page.locator("#zm-upload-rows table")
    assert rows.locator("th").all_inner_texts()[1:] == ["MA_KHU", "TEN_KHU", "LOAI", "DT_HA"]
    assert "BT-0001" in rows.locator("tbody tr").first.inner_text()
    assert NAME in rows.inner_text()
    assert page.locator(".leaflet-zm-preview-pane path").count() == 2
    page.screenshot(path=str(tmp_path / "preview.png"))

    page.dblclick("#zm-upload-commit")
    page.wait_for_selector(".zm-message-ok >> text=Đã ghi", timeout=20_000)
    page.wait_for_selector("#zm-upload-history tr[data-status='committed']")
    upload_id = int(
        page.get_attribute("#zm-upload-history tr[data-status='committed']", "data-upload-id")
    )
    record = _api(admin_page, f"{live_server}/api/uploads/{upload_id}")
    assert record["status"] == "committed"
    cells = page.locator(f"#zm-upload-history tr[data-upload-id='{upload_id}'] td")
    # commit no., upload, file, kind, status, uploader, when
    assert cells.nth(0).inner_text() == str(record["commit_seq"])
    assert cells.nth(5).inner_text() == record["uploaded_by"]
    committed = dt.datetime.fromisoformat(record["committed_at"]).astimezone(VIETNAM)
    assert committed.strftime("%H:%M") in cells.nth(6).inner_text()
    assert committed.strftime("%d/%m/%Y") in cells.nth(6).inner_text()
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
    found = _api(admin_page, f"{live_server}/api/search?q=thu%20nghiem%20trinh%20duyet")
    assert found["results"] == []
    assert admin_page.foreign_hosts() == set()
    assert admin_page.console_errors == []


def test_upload_bad_file_shows_message_and_commits_nothing(live_server, admin_page, tmp_path):
    page = admin_page.page
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"this is not a zip archive")
    before = len(_api(admin_page, f"{live_server}/api/uploads")["uploads"])
    page.goto(f"{live_server}/upload?lang=en")
    page.wait_for_function(IDLE)
    page.set_input_files("input[name=file]", str(bad))
    with page.expect_response(lambda r: r.url.endswith("/api/uploads") and r.status >= 400):
        page.click("#zm-upload-preview")
    message = page.locator(".zm-message-error")
    message.wait_for()
    assert "zip" in message.inner_text().lower()
    assert page.locator("#zm-upload-result").is_hidden()
    assert len(_api(admin_page, f"{live_server}/api/uploads")["uploads"]) == before
    page.screenshot(path=str(tmp_path / "bad_file.png"))
    assert admin_page.foreign_hosts() == set()


def test_upload_swapped_axes_button_then_quarantine_accepted_and_committed(
    live_server, admin_page, tmp_path
):
    from tests.messy_builders import portal_points, write_geojson

    features = portal_points(12, swapped=9, null_island=1, garbled_every=0)
    for i, f in enumerate(features):
        f["properties"]["Mã"] = f"BQ-{i:03d}"
    path = write_geojson(tmp_path / "swapped.geojson", features)
    page = admin_page.page
    page.goto(f"{live_server}/upload?lang=en")
    page.wait_for_function(IDLE)
    page.set_input_files("input[name=file]", str(path))
    page.click("#zm-upload-preview")
    page.wait_for_selector("#zm-upload-swap-axes:not([hidden])", timeout=20_000)
    assert "9 of 12 features have longitude and latitude swapped" in page.inner_text(
        "#zm-upload-message"
    )
    page.click("#zm-upload-swap-axes")
    page.wait_for_selector("#zm-upload-quarantine:not([hidden])", timeout=20_000)
    reasons = page.locator(".zm-quarantine-list li")
    assert reasons.count() == 3  # the 2 unswapped points are now the swapped ones, plus (0, 0)
    assert page.is_disabled("#zm-upload-commit")
    drawn = page.evaluate("() => zonemapUpload.quarantined.getLayers().length")
    assert drawn == 3  # the swapped ones where they belong, and the one at (0, 0)
    link = page.get_attribute("#zm-upload-quarantine-download", "href")
    page.check("#zm-upload-accept-quarantine")
    page.click("#zm-upload-commit")
    page.wait_for_selector(".zm-message-ok >> text=Committed", timeout=20_000)
    upload_id = int(link.split("/")[-2])
    record = _api(admin_page, f"{live_server}/api/uploads/{upload_id}")
    assert record["status"] == "committed" and record["counts"]["inserted"] == 9
    quarantine = _api(admin_page, f"{live_server}{link}")
    assert [f["properties"]["_reason"] for f in quarantine["features"]] == [
        "null_island",
        "swapped_axes",
        "swapped_axes",
    ]  # in file order
    page.screenshot(path=str(tmp_path / "quarantine.png"))
    assert admin_page.foreign_hosts() == set()
    assert [e for e in admin_page.console_errors if "422" not in e] == []


def test_upload_ambiguous_dbf_offers_an_encoding_picker_with_samples(
    live_server, admin_page, tmp_path
):
    from tests.upload_builders import (
        shapefile_parts,
        to_tm3,
        wgs84_zones,
        write_shapefile,
        zip_paths,
    )

    zones = to_tm3(wgs84_zones(4))
    zones["MA_KCN"] = [f"BE-{i}" for i in range(4)]
    shp = write_shapefile(tmp_path / "t", "zones", zones, encoding="tcvn3")
    vni = write_shapefile(tmp_path / "v", "zones", zones, encoding="vni")
    patched = gpd.read_file(shp, encoding="latin1")
    patched["TRANG_THAI"] = gpd.read_file(vni, encoding="latin1")["TEN_KCN"]
    patched = patched.set_crs(zones.crs, allow_override=True)
    mixed = write_shapefile(tmp_path / "m", "zones", patched, encoding="latin-1")
    archive = zip_paths(tmp_path / "mixed.zip", shapefile_parts(mixed))
    page = admin_page.page
    page.goto(f"{live_server}/upload")
    page.wait_for_function(IDLE)
    page.set_input_files("input[name=file]", str(archive))
    page.click("#zm-upload-preview")
    page.wait_for_selector("#zm-upload-encoding-picker:not([hidden])", timeout=20_000)
    choices = page.locator(".zm-encoding-choice")
    texts = [choices.nth(i).inner_text() for i in range(choices.count())]
    assert any(t.strip().startswith("tcvn3") and "Khu công nghiệp Tiên Sơn" in t for t in texts)
    assert "--encoding" not in page.inner_text("#zm-upload-message")
    assert "Chọn bảng mã" in page.inner_text("#zm-upload-encoding-picker")
    page.check(".zm-encoding-choice input[value=tcvn3]")
    page.click("#zm-upload-use-encoding")
    page.wait_for_selector("#zm-upload-result:not([hidden])", timeout=20_000)
    assert "tcvn3" in page.inner_text("#zm-upload-detected")
    # the refused first preview (422) is the only console entry
    assert [e for e in admin_page.console_errors if "422" not in e] == []


def test_upload_page_says_who_uploads_their_role_and_provinces(
    live_server, browser, test_database_url, tmp_path
):
    from api.auth.users import create_user, remove_user
    from api.db.engine import make_engine, make_session_factory
    from tests.integration.test_auth import PASSWORD

    engine = make_engine(test_database_url)
    with make_session_factory(engine).begin() as session:
        create_user(session, "gis-hn", role="editor", provinces=("01", "79"), password=PASSWORD)
    try:
        for lang, words in (
            ("vi", ("Biên tập viên", "Hà Nội (01)", "Hồ Chí Minh")),
            ("en", ("Editor", "Ha Noi (01)", "Ho Chi Minh")),
        ):
            context = browser.new_context()
            page = context.new_page()
            # the test server trusts its loopback user, so sign in by posting the form
            page.goto(f"{live_server}/login")
            csrf = next(c["value"] for c in context.cookies() if c["name"] == "zonemap_csrf")
            context.request.post(
                f"{live_server}/login",
                form={"name": "gis-hn", "password": PASSWORD, "csrf_token": csrf},
            )
            page.goto(f"{live_server}/upload?lang={lang}")
            page.wait_for_selector("#zm-upload-me")
            box = page.inner_text("#zm-upload-me")
            assert "gis-hn" in box and all(w in box for w in words), box
            page.screenshot(path=str(tmp_path / f"me-{lang}.png"))
            page.click("#zm-upload-logout")
            page.wait_for_url("**/login**")
            context.close()
    finally:
        with make_session_factory(engine).begin() as session:
            remove_user(session, "gis-hn")
        engine.dispose()


def test_building_layer_preview_commit_and_rollback(live_server, admin_page, tmp_path):
    """A building layer far from every zone: '0 zones affected', committed, rolled back."""
    page = admin_page.page
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
    assert _api(admin_page, f"{live_server}/api/uploads/{upload_id}")["status"] == "committed"
    page.click(f"#zm-upload-history tr[data-upload-id='{upload_id}'] button")
    page.wait_for_selector(
        f"#zm-upload-history tr[data-upload-id='{upload_id}'][data-status='rolled_back']"
    )
    assert admin_page.console_errors == []


def test_long_commit_shows_its_progress_on_the_page(
    live_server, admin_page, test_database_url, tmp_path
):
    """While a commit runs (held here where it records its dependencies, after the derivation),
    the page polls the upload's progress and shows the stage and fraction; the bar goes away
    when it ends."""
    page = admin_page.page
    houses = [box(107.1 + i * 0.001, 11.6, 107.1003 + i * 0.001, 11.6003) for i in range(4)]
    path = tmp_path / "nha-progress.geojson"
    gpd.GeoDataFrame(geometry=houses, crs=4326).to_file(path, driver="GeoJSON")
    page.goto(f"{live_server}/upload?lang=en")
    page.wait_for_function(IDLE)
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=kind]", "buildings")
    page.fill("input[name=observed_on]", "2025-07-01")
    page.click("#zm-upload-preview")
    page.wait_for_selector(".zm-message-ok, .zm-message-error", timeout=20_000)
    assert page.locator("#zm-upload-result").is_visible(), page.inner_text("#zm-upload-message")
    with writes_held(test_database_url, "upload_dependencies") as held:
        page.click("#zm-upload-commit")
        held.wait_for_writer()
        page.wait_for_selector("#zm-upload-progress:not([hidden])", timeout=10_000)
        shown = page.inner_text("#zm-upload-progress")
        assert "built-up footprints (100 %)" in shown, shown
        assert page.get_attribute("#zm-upload-progress progress", "value") == "1"
    page.wait_for_selector(".zm-message-ok >> text=Committed", timeout=20_000)
    assert page.locator("#zm-upload-progress").is_hidden()
    page.wait_for_selector("#zm-upload-history tr[data-status='committed']", timeout=20_000)
    row = page.locator("#zm-upload-history tr").filter(has_text="nha-progress.geojson").first
    upload_id = int(row.get_attribute("data-upload-id"))
    assert _api(admin_page, f"{live_server}/api/uploads/{upload_id}")["status"] == "committed"
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"#zm-upload-history tr[data-upload-id='{upload_id}'] button")  # leave no partition
    page.wait_for_selector(
        f"#zm-upload-history tr[data-upload-id='{upload_id}'][data-status='rolled_back']"
    )
    assert admin_page.console_errors == []
