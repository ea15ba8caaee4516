"""The national map in a real headless Chromium: drawn, both layers, nothing from outside."""

from __future__ import annotations


def test_home_page_draws_provinces_and_zones_offline(live_server, watched_page, tmp_path):
    page = watched_page.page
    page.goto(f"{live_server}/", wait_until="networkidle")
    page.wait_for_selector(".leaflet-overlay-pane path", timeout=15_000)
    assert page.locator(".leaflet-container").count() == 1

    paths_by_pane = page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('.leaflet-pane')]
            .map(p => [p.className, p.querySelectorAll('path').length])
            .filter(([, n]) => n > 0))""")
    assert sum(paths_by_pane.values()) > 100, paths_by_pane
    labels = page.locator(".leaflet-control-layers label").all_inner_texts()
    assert any("Ranh giới tỉnh" in label for label in labels), labels
    assert any("khu" in label.lower() for label in labels), labels

    page.screenshot(path=str(tmp_path / "home.png"))
    assert (tmp_path / "home.png").stat().st_size > 10_000
    assert watched_page.foreign_hosts() == set()
    assert watched_page.console_errors == []
