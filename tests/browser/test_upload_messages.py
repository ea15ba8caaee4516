"""Every upload message the issue lists, read in headless Chromium in both languages: rows
(1-based), zone codes and what to do; a feature outside Vietnam drawn; the area and size
checks of the preview; an out-of-province refusal naming provinces; no English on the
Vietnamese page. Each preview is refused or left uncommitted, so nothing is written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from tests.integration.test_auth import PASSWORD

IDLE = "document.documentElement.dataset.zmIdle === 'true'"


def _zip(folder: Path, name: str, gdf: gpd.GeoDataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    gdf.to_file(folder / f"{name}.shp", engine="pyogrio", encoding="utf-8")
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.glob(f"{name}.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    return archive


def _preview(page, live_server: str, lang: str, path: Path):  # noqa: ANN001, ANN202
    page.goto(f"{live_server}/upload?lang={lang}")
    page.wait_for_function(IDLE)
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=kind]", "zones")
    with page.expect_response(lambda r: r.url.endswith("/api/uploads")) as answer:
        page.click("#zm-upload-preview")
    page.wait_for_timeout(300)
    return answer.value


def _no_script_errors(watch) -> None:  # noqa: ANN001
    # a refused upload is a 4xx answer, which the browser logs; anything else is a bug
    assert [e for e in watch.console_errors if "Failed to load resource" not in e] == []


OUTSIDE = {
    "vi": "Dòng 2 (khu MSG-OUT): nằm ngoài Việt Nam — hãy kiểm tra hệ tọa độ",
    "en": "Row 2 (zone MSG-OUT): outside Vietnam — check the CRS",
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_feature_outside_vietnam_names_row_zone_and_crs_and_is_drawn(
    live_server, admin_page, tmp_path, lang
):
    page = admin_page.page
    gdf = gpd.GeoDataFrame(
        {"MA_KHU": ["MSG-IN", "MSG-OUT"], "TEN_KHU": ["Khu A", "Khu B"], "LOAI": ["KCN", "KCN"]},
        geometry=[box(105.78, 21.02, 105.79, 21.028), box(2.30, 48.80, 2.32, 48.82)],
        crs=4326,
    )
    response = _preview(page, live_server, lang, _zip(tmp_path, "outside", gdf))
    assert response.status >= 400
    message = page.locator(".zm-message-error").inner_text()
    assert OUTSIDE[lang] in message and message.count("MSG-OUT") == 1, message
    assert "missing_value" not in message and "province_code" not in message
    drawn = page.evaluate("""() => zonemapUpload.preview.getLayers()
        .map(l => [l.feature.properties.code, l.getBounds().getCenter().lng])""")
    assert drawn == [["MSG-OUT", pytest.approx(2.31, abs=0.01)]]
    page.screenshot(path=str(tmp_path / f"outside-{lang}.png"))
    _no_script_errors(admin_page)


CHECKS = {
    "vi": (
        "Dòng 1 (khu MSG-CCN): diện tích khai báo 45,5 ha khác diện tích vẽ",
        "vượt mức tối đa 75,0 ha",
        "Tệp không có cột tỉnh",
    ),
    "en": (
        "Row 1 (zone MSG-CCN): the declared area 45.5 ha differs from the drawn area",
        "above the 75.0 ha maximum",
        "The file has no province column",
    ),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_preview_warns_of_declared_area_and_cluster_size(live_server, admin_page, tmp_path, lang):
    page = admin_page.page
    gdf = gpd.GeoDataFrame(
        {
            "MA_KHU": ["MSG-CCN"],
            "TEN_KHU": ["Cụm công nghiệp Thử"],
            "LOAI": ["CCN"],
            "DT_HA": [45.5],
        },
        geometry=[box(105.78, 21.02, 105.793, 21.032)],
        crs=4326,  # about 184 ha
    )
    response = _preview(page, live_server, lang, _zip(tmp_path, "ccn", gdf))
    assert response.status == 201
    page.wait_for_selector("#zm-upload-result:not([hidden])")
    text = page.inner_text("#zm-upload-result")
    assert all(part in text for part in CHECKS[lang]), text
    if lang == "vi":
        assert "No province column" not in text and "derived from" not in text
    page.screenshot(path=str(tmp_path / f"checks-{lang}.png"))
    _no_script_errors(admin_page)


SCOPE = {
    "vi": "Tệp có khu thuộc Hồ Chí Minh (79), nhưng bạn chỉ được ghi dữ liệu cho Hà Nội (01)",
    "en": "The file has zones in Ho Chi Minh (79), but you may write only Ha Noi (01)",
}


def test_out_of_province_refusal_names_provinces_in_both_languages(
    live_server, browser, test_database_url, tmp_path
):
    from api.auth.users import create_user, remove_user
    from api.db.engine import make_engine, make_session_factory

    engine = make_engine(test_database_url)
    with make_session_factory(engine).begin() as session:
        create_user(session, "gis-scope", role="editor", provinces=("01",), password=PASSWORD)
    gdf = gpd.GeoDataFrame(
        {"MA_KHU": ["MSG-HCM"], "TEN_KHU": ["Khu Sài Gòn"], "LOAI": ["KCN"]},
        geometry=[box(106.70, 10.77, 106.71, 10.78)],
        crs=4326,
    )
    path = _zip(tmp_path, "hcm", gdf)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live_server}/login")
        csrf = next(c["value"] for c in context.cookies() if c["name"] == "zonemap_csrf")
        context.request.post(
            f"{live_server}/login",
            form={"name": "gis-scope", "password": PASSWORD, "csrf_token": csrf},
        )
        for lang in ("vi", "en"):
            response = _preview(page, live_server, lang, path)
            assert response.status == 403
            message = page.locator(".zm-message-error").inner_text()
            assert SCOPE[lang] in message, message
            assert "upload " not in message.lower().replace("upload data", "")
            page.screenshot(path=str(tmp_path / f"scope-{lang}.png"))
        context.close()
    finally:
        with make_session_factory(engine).begin() as session:
            remove_user(session, "gis-scope")
        engine.dispose()
