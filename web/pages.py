"""Whole HTML pages of the site, rendered from data handed in by the caller (no API calls here)."""

from __future__ import annotations

from collections.abc import Sequence

from web.i18n import translate
from web.maps.folium_map import LayerSpec, build_zone_map, render_map_page


def render_home_page(
    *,
    lang: str,
    layers: Sequence[LayerSpec],
    bounds: tuple[float, float, float, float] | None,
    tiles_url: str | None,
    show_demo_notice: bool = False,
) -> str:
    """Render the national map page served at ``/``.

    Parameters
    ----------
    lang : {"vi", "en"}
        Page language (normalise a ``?lang=`` value with `web.i18n.normalize_lang`).
    layers : sequence of LayerSpec
        Layers with the API URLs the browser loads, e.g. ``LayerSpec("layer.provinces",
        "/api/provinces?version=2025-34&simplified=true&format=geojson", "provinces")`` and
        ``LayerSpec("layer.zones", "/api/zones?format=geojson", "zones")``.
    bounds : (min_lon, min_lat, max_lon, max_lat), optional
        Initial view in degrees, EPSG:4326; None shows the whole country.
    tiles_url : str, optional
        Local tile URL template; None draws no tiles (provinces are the base layer).
    show_demo_notice : bool
        Say in the footer that the data are synthetic demo data.

    Returns
    -------
    str
        The full HTML page (UTF-8).
    """
    m = build_zone_map(layers=layers, bounds=bounds, lang=lang, tiles_url=tiles_url)
    return render_map_page(
        m, title=translate("page.home.title", lang), lang=lang, show_demo_notice=show_demo_notice
    )
