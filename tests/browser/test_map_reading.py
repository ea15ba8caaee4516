"""The national map reads in headless Chromium: the heat map over land, clicks through cluster
hulls, one legend row per visible thing, provinces that lead to their pages, a URL that
restores the map, a province filter that filters and zooms, a panel that pages and exports."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from api.services.analysis import run_analysis
from tests.conftest import DEMO_TODAY

IDLE = "document.documentElement.dataset.zmIdle === 'true'"
LAND = (0xF4, 0xF1, 0xEA)  # the province fill without a basemap
SHOTS = Path(os.environ.get("ZONEMAP_SHOTS", "")) if os.environ.get("ZONEMAP_SHOTS") else None


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
    watch.page.wait_for_function(IDLE, timeout=20_000)
    watch.page.wait_for_timeout(200)


def _shot(page, name: str, tmp_path: Path) -> bytes:  # noqa: ANN001
    data = page.screenshot(path=str((SHOTS or tmp_path) / f"{name}.png"))
    return data


def _visible_layers(page) -> set[str]:  # noqa: ANN001
    return set(
        page.evaluate("""() => Object.keys(zonemapApp.layers).filter(
        id => zonemapApp.map.hasLayer(zonemapApp.layers[id].layer))""")
    )


def _clean(watch) -> None:  # noqa: ANN001
    assert watch.foreign_hosts() == set()
    assert watch.console_errors == []


def test_heat_map_is_drawn_over_the_land_fill(live_server, analysed, watched_page, tmp_path):
    from PIL import Image

    page = watched_page.page
    _open(watched_page, f"{live_server}/#map=8/21.0/105.8&layers=admin-2025-34,heat")
    page.wait_for_timeout(400)
    point = page.evaluate("""() => {
        const heat = zonemapApp.layers['heat'].layer, map = zonemapApp.map;
        const pts = heat._latlngs.filter(p => map.getBounds().contains([p[0], p[1]]));
        pts.sort((a, b) => b[2] - a[2]);
        const p = map.latLngToContainerPoint([pts[0][0], pts[0][1]]);
        const box = map.getContainer().getBoundingClientRect();
        const el = document.elementsFromPoint(box.left + p.x, box.top + p.y);
        return {x: box.left + p.x, y: box.top + p.y,
                onLand: el.some(e => e.closest && e.closest('.leaflet-zm-provinces-pane'))};
    }""")
    assert point["onLand"], "the densest heat cell should lie over a province"
    image = Image.open(io.BytesIO(_shot(page, "heat", tmp_path))).convert("RGB")
    x, y = int(point["x"]), int(point["y"])
    pixels = [image.getpixel((x + dx, y + dy)) for dx in range(-6, 7) for dy in range(-6, 7)]
    coloured = [p for p in pixels if max(abs(a - b) for a, b in zip(p, LAND, strict=True)) > 40]
    assert len(coloured) > 0.8 * len(pixels), pixels[:5]
    _clean(watched_page)


def test_click_inside_a_cluster_hull_opens_the_zone_popup(
    live_server, analysed, watched_page, tmp_path
):
    page = watched_page.page
    assert analysed.result.clusters, "the demo should have dense clusters"
    _open(
        watched_page,
        f"{live_server}/#map=6/16/106&layers=admin-2025-34,zones-KKT,zones-KCN,zones-CCN,clusters",
    )
    hull = page.evaluate("""() => {
        const c = zonemapApp.layers['clusters'].layer.getLayers()[0];
        const b = c.getBounds();
        return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()];
    }""")
    page.evaluate(
        "b => zonemapApp.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], {animate: false})", hull
    )
    page.wait_for_function(IDLE)
    page.wait_for_timeout(300)
    target = page.evaluate("""() => {
        const app = zonemapApp, map = app.map;
        const hulls = app.layers['clusters'].layer.getLayers();
        const inside = (pt, ring) => {
          let c = false;
          for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
            const a = ring[i], b = ring[j];
            if ((a.lat > pt.lat) !== (b.lat > pt.lat) &&
                pt.lng < (b.lng - a.lng) * (pt.lat - a.lat) / (b.lat - a.lat) + a.lng) c = !c;
          }
          return c;
        };
        for (const id of ['zones-KKT', 'zones-KCN', 'zones-CCN']) {
          for (const z of app.layers[id].layer.getLayers()) {
            const centre = z.getBounds ? z.getBounds().getCenter() : z.getLatLng();
            if (!map.getBounds().contains(centre)) continue;
            for (const h of hulls) {
              const ring = h.getLatLngs().flat(3);
              if (!inside(centre, ring)) continue;
              const p = map.latLngToContainerPoint(centre);
              const box = map.getContainer().getBoundingClientRect();
              const x = box.left + p.x, y = box.top + p.y;
              const top = document.elementFromPoint(x, y);
              if (top === z.getElement()) return {code: z.feature.properties.code, x, y};
            }
          }
        }
        return null;
    }""")
    assert target is not None, "no zone lies clickable inside a hull"
    page.mouse.click(target["x"], target["y"])
    page.locator(f".zm-zone-popup[data-code='{target['code']}']").wait_for(timeout=10_000)
    _shot(page, "cluster-click", tmp_path)
    _clean(watched_page)


def test_legend_lists_exactly_the_visible_layers_with_their_line_styles(
    live_server, analysed, watched_page, tmp_path
):
    page = watched_page.page
    _open(watched_page, f"{live_server}/")

    def legend_layers() -> set[str]:
        return set(
            page.locator(".zm-legend li").evaluate_all("els => els.map(e => e.dataset.layer)")
        )

    assert legend_layers() == _visible_layers(page)
    page.locator(".leaflet-control-layers").get_by_label(
        "Ranh giới quy hoạch được duyệt (các phiên bản)", exact=True
    ).check()
    page.locator(".leaflet-control-layers").get_by_label("Hiện trạng thực tế", exact=True).check()
    page.locator(".leaflet-control-layers").get_by_label("Cụm công nghiệp", exact=True).uncheck()
    page.wait_for_function(IDLE)
    assert legend_layers() == _visible_layers(page)
    assert "zones-CCN" not in legend_layers() and "planning" in legend_layers()
    dash = page.evaluate(
        """key => document.querySelector(
        `.zm-legend li[data-key='${key}'] svg :first-child`).getAttribute('stroke-dasharray')""",
        "planning-older",
    )
    dots = page.evaluate(
        """key => document.querySelector(
        `.zm-legend li[data-key='${key}'] svg :first-child`).getAttribute('stroke-dasharray')""",
        "footprint-older",
    )
    current = page.evaluate(
        """key => document.querySelector(
        `.zm-legend li[data-key='${key}'] svg :first-child`).getAttribute('stroke-dasharray')""",
        "planning-current",
    )
    assert dash == "6 4" and dots == "1 5" and current is None
    colours = page.evaluate("""() => Array.from(document.querySelectorAll('.zm-legend li'))
        .map(li => li.dataset.key + '=' + li.querySelector('svg :first-child')
                                             .getAttribute('stroke'))""")
    strokes = {c.split("=")[1] for c in colours if not c.startswith(("sev-", "heat"))}
    assert len(strokes) >= len([c for c in colours if not c.startswith(("sev-", "heat"))]) - 2
    _shot(page, "legend", tmp_path)
    _clean(watched_page)


def test_provinces_are_named_highlighted_and_lead_to_their_page(
    live_server, analysed, watched_page, tmp_path
):
    page = watched_page.page
    _open(watched_page, f"{live_server}/?lang=en#map=6/16/106&layers=admin-2025-34")
    labels = page.locator(".zm-province-label").all_inner_texts()
    assert len(labels) == 34 and "Ha Noi" in labels
    _shot(page, "provinces", tmp_path)
    point = page.evaluate("""() => {
        const map = zonemapApp.map;
        const hanoi = zonemapApp.layers['admin-2025-34'].layer.getLayers()
            .find(l => l.feature.properties.code === '01');
        const p = map.latLngToContainerPoint([hanoi.feature.properties.label_lat,
                                              hanoi.feature.properties.label_lon]);
        const box = map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y + 12];
    }""")
    page.mouse.move(*point)
    page.wait_for_selector(".zm-province-hover", timeout=5_000)
    with page.expect_navigation(timeout=15_000):
        page.mouse.click(*point)
    assert "/provinces/01?version=2025-34&lang=en" in page.url
    page.wait_for_function(IDLE, timeout=20_000)
    assert (
        "Ha Noi" in page.locator("h1").inner_text() or "Hà Nội" in page.locator("h1").inner_text()
    )
    _clean(watched_page)


def test_the_url_restores_view_layers_and_filters(live_server, analysed, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(
        f"{live_server}/#map=9/21.02000/105.85000&layers=admin-2008-63,zones-KCN,"
        "footprints&kind=KCN"
    )
    page.wait_for_function(IDLE, timeout=20_000)
    assert page.evaluate("zonemapApp.map.getZoom()") == 9
    centre = page.evaluate("[zonemapApp.map.getCenter().lat, zonemapApp.map.getCenter().lng]")
    assert centre == pytest.approx([21.02, 105.85], abs=1e-3)
    assert _visible_layers(page) == {"admin-2008-63", "zones-KCN", "footprints"}
    assert page.locator("#zm-flag-filters select[name=kind]").input_value() == "KCN"
    page.locator(".leaflet-control-layers").get_by_label("Khu kinh tế", exact=True).check()
    page.evaluate("zonemapApp.map.setView([20.9, 106.3], 10, {animate: false})")
    page.wait_for_timeout(300)
    shared = page.url
    assert "zones-KKT" in shared and "map=10/20.9" in shared
    other = context.new_page()
    other.goto(shared)
    other.wait_for_function(IDLE, timeout=20_000)
    assert _visible_layers(other) == {"admin-2008-63", "zones-KCN", "zones-KKT", "footprints"}
    assert other.evaluate("zonemapApp.map.getZoom()") == 10
    context.close()


def test_province_filter_filters_the_panel_and_zooms_the_map(
    live_server, analysed, watched_page, tmp_path
):
    page = watched_page.page
    _open(watched_page, f"{live_server}/")
    page.locator("#zm-flag-filters select[name=province]").select_option("01")
    page.wait_for_function(IDLE)
    page.wait_for_timeout(300)
    codes = page.locator("#zm-flagged-list button").evaluate_all(
        "els => els.map(e => e.dataset.code)"
    )
    expected = {
        f.zone_code for f in analysed.result.flags if f.zone_code and f.province_code == "01"
    }
    assert codes and set(codes) <= expected
    bounds = page.evaluate("zonemapApp.map.getBounds().toBBoxString()").split(",")
    west, south, east, north = map(float, bounds)
    assert west > 104.5 and east < 107.0 and south > 20.0 and north < 22.0
    assert page.evaluate("zonemapApp.map.getZoom()") >= 8
    href = page.locator("[data-export=csv]").get_attribute("href")
    assert "province=01" in href and "format=csv" in href
    assert "province=01" in page.url
    _shot(page, "province-filter", tmp_path)
    _clean(watched_page)


def test_panel_pages_through_every_flagged_zone(live_server, analysed, watched_page, tmp_path):
    page = watched_page.page
    flagged = {f.zone_code for f in analysed.result.flags if f.zone_code}
    _open(watched_page, f"{live_server}/?lang=en")
    seen: list[str] = []
    for _ in range(len(flagged) // 100 + 2):
        page.wait_for_function(IDLE)
        seen += page.locator("#zm-flagged-list button").evaluate_all(
            "els => els.map(e => e.dataset.code)"
        )
        if page.locator("#zm-page-next").is_disabled():
            break
        page.locator("#zm-page-next").click()
        page.wait_for_timeout(100)
    assert set(seen) == flagged and len(seen) == len(flagged)
    assert f"of {len(flagged):,}" in page.locator("#zm-flagged-status").inner_text()
    _clean(watched_page)
