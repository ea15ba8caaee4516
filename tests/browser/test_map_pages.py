"""The planner's pages in headless Chromium: layers, popups, flagged list, search, languages,
province and zone pages, vector-tile mode. Nothing may come from a host but 127.0.0.1."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from api.services.analysis import run_analysis
from geo.text import fold_diacritics
from tests.conftest import DEMO_TODAY

IDLE = "document.documentElement.dataset.zmIdle === 'true'"


@pytest.fixture(scope="module")
def analysed(engine, demo_loaded):  # noqa: ANN001, ANN201
    """A national analysis run committed for the pages to show; deleted afterwards."""
    from api.db.engine import make_session_factory

    with make_session_factory(engine).begin() as session:
        outcome = run_analysis(session, version="2025-34", today=DEMO_TODAY)
    yield outcome
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM analysis_runs WHERE id = :i"), {"i": outcome.run_id})


def _open(watch, url: str) -> None:  # noqa: ANN001
    watch.page.goto(url)
    watch.page.wait_for_function(IDLE, timeout=15_000)


def _count(page, layer_id: str) -> int:  # noqa: ANN001
    return page.evaluate(f"zonemapApp.layers[{layer_id!r}].layer.getLayers().length")


def _layer_switch(page, name: str):  # noqa: ANN001, ANN202
    return page.locator(".leaflet-control-layers").get_by_label(name, exact=True)


def _offline_and_clean(watch) -> None:  # noqa: ANN001
    assert watch.foreign_hosts() == set()
    assert watch.console_errors == []


def test_national_map_layers_toggle_offline(live_server, analysed, watched_page, tmp_path):
    page = watched_page.page
    _open(watched_page, f"{live_server}/")
    assert _count(page, "admin-2025-34") == 34
    kinds = {k: _count(page, f"zones-{k}") for k in ("KKT", "KCN", "CCN")}
    assert kinds["CCN"] > 0 and kinds["KCN"] > 0
    labels = page.locator(".leaflet-control-layers label").all_inner_texts()
    assert any("Ranh giới tỉnh 2008" in label for label in labels)
    _layer_switch(page, "Hiện trạng thực tế").check()
    page.wait_for_function(IDLE)
    assert page.locator(".leaflet-zm-footprints-pane path").count() > 0
    _layer_switch(page, "Cụm công nghiệp").uncheck()
    assert page.evaluate("zonemapApp.map.hasLayer(zonemapApp.layers['zones-CCN'].layer)") is False
    _layer_switch(page, "Ranh giới tỉnh 2008 (63 tỉnh, thành phố)").check()
    page.wait_for_function(IDLE)
    assert _count(page, "admin-2008-63") == 63
    _layer_switch(page, "Bản đồ nhiệt mật độ khu").check()
    page.wait_for_function(IDLE)
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    status = page.locator("#zm-flagged-status").inner_text()
    assert f"{len({f.zone_code for f in analysed.result.flags if f.zone_code})}" in status.replace(
        ".", ""
    )
    page.screenshot(path=str(tmp_path / "national.png"))
    _offline_and_clean(watched_page)


def test_click_flagged_zone_opens_popup_with_its_flags(
    live_server, analysed, watched_page, tmp_path
):
    page = watched_page.page
    _open(watched_page, f"{live_server}/")
    first = page.locator("#zm-flagged-list button").first
    code = first.get_attribute("data-code")
    first.click()  # zooms to the zone (and opens its popup)
    page.wait_for_function(IDLE)
    page.evaluate("zonemapApp.map.closePopup()")
    point = page.evaluate(
        """code => {
        const app = zonemapApp;
        for (const id of ['zones-KKT', 'zones-KCN', 'zones-CCN']) {
          for (const item of app.layers[id].layer.getLayers()) {
            if (item.feature.properties.code === code) {
              const p = app.map.latLngToContainerPoint(item.getBounds().getCenter());
              const box = app.map.getContainer().getBoundingClientRect();
              return [box.left + p.x, box.top + p.y];
            }
          }
        }
        return null;
    }""",
        code,
    )
    assert point is not None
    page.mouse.click(*point)
    popup = page.locator(f".zm-zone-popup[data-code='{code}']")
    popup.wait_for(timeout=10_000)
    expected = {f.code for f in analysed.result.flags if f.zone_code == code}
    items = popup.locator(".zm-flag").all_inner_texts()
    assert len(items) == sum(1 for f in analysed.result.flags if f.zone_code == code)
    message = next(f.message_vi for f in analysed.result.flags if f.zone_code == code)
    assert any(message in item for item in items)
    assert " ha" in popup.inner_text() and len(expected) >= 1
    assert popup.locator("a.zm-popup-link").get_attribute("href") == f"/zones/{code}?lang=vi"
    page.screenshot(path=str(tmp_path / "popup.png"))
    _offline_and_clean(watched_page)


def test_search_without_diacritics_finds_vietnamese_name(
    live_server, engine, analysed, watched_page, tmp_path
):
    with engine.connect() as conn:
        name = conn.execute(
            text(
                "SELECT name FROM zones WHERE name <> zonemap_fold(name) "
                "AND name ~ '[ăâđêôơư]' ORDER BY code LIMIT 1"
            )
        ).scalar_one()
    query = fold_diacritics(name).replace("cum cong nghiep ", "").replace("khu cong nghiep ", "")
    assert query != name.lower()
    page = watched_page.page
    _open(watched_page, f"{live_server}/")
    page.fill("#zm-search-input", query)
    page.press("#zm-search-input", "Enter")
    page.locator("#zm-search-results button", has_text=name).first.wait_for()
    page.wait_for_selector(".zm-zone-popup h3", timeout=10_000)
    assert name in page.locator(".zm-zone-popup h3").inner_text()
    page.screenshot(path=str(tmp_path / "search.png"))
    _offline_and_clean(watched_page)


def test_language_switch_changes_labels(live_server, analysed, watched_page, tmp_path):
    page = watched_page.page
    _open(watched_page, f"{live_server}/")
    assert page.locator("h2", has_text="Khu có cảnh báo").count() == 1
    page.click("a[hreflang='en']")
    page.wait_for_function(IDLE)
    assert page.evaluate("document.documentElement.lang") == "en"
    labels = " ".join(page.locator(".leaflet-control-layers label").all_inner_texts())
    assert "Province boundaries 2025" in labels and "Industrial parks" in labels
    assert "Ranh giới" not in labels
    assert page.locator("h2", has_text="Flagged zones").count() == 1
    assert "Critical" in page.locator(".zm-legend").inner_text()
    page.screenshot(path=str(tmp_path / "english.png"))
    _offline_and_clean(watched_page)


def test_province_and_zone_pages_load_offline(live_server, analysed, watched_page, tmp_path):
    page = watched_page.page
    code = next(f.zone_code for f in analysed.result.flags if f.code == "ENCROACHMENT")
    province = code.split("-")[1]
    _open(watched_page, f"{live_server}/provinces/{province}")
    hrefs = [a.get_attribute("href") for a in page.locator("a.zm-button").all()]
    assert hrefs == [
        f"/api/provinces/{province}/report.pdf?version=2025-34&lang=vi",
        f"/api/provinces/{province}/report.html?version=2025-34&lang=vi",
        *(f"/api/provinces/{province}/report.{fmt}?lang=vi" for fmt in ("docx", "xlsx")),
    ]
    assert page.locator(".zm-facts").count() == 1
    page.screenshot(path=str(tmp_path / "province.png"))
    _open(watched_page, f"{live_server}/zones/{code}?lang=en")
    assert _count(page, "planning") >= 1 and _count(page, "encroachments") == 1
    assert page.locator("h2", has_text="Planning boundary history").count() == 1
    page.screenshot(path=str(tmp_path / "zone.png"))
    _offline_and_clean(watched_page)


def test_unknown_zone_is_404_page_in_english(live_server, watched_page):
    response = watched_page.page.goto(f"{live_server}/zones/NO-SUCH?lang=en")
    assert response.status == 404
    assert "There is no zone with code" in watched_page.page.inner_text("main")
    assert watched_page.foreign_hosts() == set()


def test_tiles_mode_draws_heat_then_vector_tiles(live_server, analysed, watched_page, tmp_path):
    page = watched_page.page
    _open(watched_page, f"{live_server}/?mode=tiles")
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    assert page.locator(".zm-map-notice").is_visible()
    page.evaluate("zonemapApp.map.setView([21.0, 105.85], 10, {animate: false})")
    page.wait_for_function(IDLE)
    page.wait_for_timeout(300)
    assert page.locator(".leaflet-zm-zones-pane canvas").count() > 0
    page.screenshot(path=str(tmp_path / "tiles.png"))
    _offline_and_clean(watched_page)
