"""Where pages load their scripts and stylesheets from: pinned local copies, never a CDN.

zonemap runs air-gapped, so every ``<script src>`` and ``<link href>`` a page emits must point
under `STATIC_URL`, which the app serves from ``web/static/``. The lists here replace folium's
CDN defaults (``default_js`` / ``default_css``) on the map and on every plugin we use; see
``web/static/vendor/README.md`` for versions and licences.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

STATIC_URL: Final = "/static"
STATIC_DIR: Final = Path(__file__).resolve().parent / "static"

LEAFLET_DIR: Final = "vendor/leaflet-1.9.4"
JQUERY_DIR: Final = "vendor/jquery-3.7.1"
VECTORGRID_DIR: Final = "vendor/leaflet.vectorgrid-1.3.0"
HEAT_DIR: Final = "vendor/leaflet.heat-0.2.0"
MARKERCLUSTER_DIR: Final = "vendor/leaflet.markercluster-1.5.3"
FULLSCREEN_DIR: Final = "vendor/leaflet.fullscreen-3.0.0"

Asset = tuple[str, str]
"""A (name, url) pair, the shape folium uses for ``default_js`` and ``default_css``."""


@dataclass(frozen=True)
class PluginAssets:
    """The scripts and stylesheets one Leaflet plugin needs, as folium (name, url) pairs."""

    js: tuple[Asset, ...]
    css: tuple[Asset, ...] = ()


def asset_url(rel_path: str) -> str:
    """Return the URL path of a file under ``web/static/``.

    Parameters
    ----------
    rel_path : str
        Path relative to ``web/static/`` with forward slashes, e.g. ``"css/zonemap.css"``.

    Raises
    ------
    ValueError
        If ``rel_path`` is a URL, is empty or climbs out of the static folder with ``..``.

    Examples
    --------
    >>> asset_url("css/zonemap.css")
    '/static/css/zonemap.css'
    """
    rel = rel_path.lstrip("/")
    if not rel or "://" in rel or rel.startswith("//") or ".." in rel.split("/"):
        raise ValueError(f"{rel_path!r} is not a path inside web/static")
    return f"{STATIC_URL}/{rel}"


def static_file(url: str) -> Path:
    """Return the file on disk that the app serves at ``url`` (a path under `STATIC_URL`).

    Raises
    ------
    ValueError
        If ``url`` is not under `STATIC_URL`.
    """
    prefix = STATIC_URL + "/"
    if not url.startswith(prefix):
        raise ValueError(f"{url!r} is not served from {prefix}")
    rel = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
    asset_url(rel)  # same checks: no "..", no scheme
    return STATIC_DIR / rel


def offline_js() -> list[Asset]:
    """Scripts every map page loads, in order: Leaflet, jQuery, then zonemap's own helpers.

    jQuery stays because folium's ``Popup`` template uses ``$``. Bootstrap and
    Leaflet.awesome-markers are dropped: they serve only ``folium.Icon``, which we don't use.
    """
    return [
        ("leaflet", asset_url(f"{LEAFLET_DIR}/leaflet.js")),
        ("jquery", asset_url(f"{JQUERY_DIR}/jquery.min.js")),
        ("zonemap_js", asset_url("js/zonemap-map.js")),
    ]


def offline_css() -> list[Asset]:
    """Stylesheets every map page loads: Leaflet's and zonemap's own (legend, popups, layout)."""
    return [
        ("leaflet_css", asset_url(f"{LEAFLET_DIR}/leaflet.css")),
        ("zonemap_css", asset_url("css/zonemap.css")),
    ]


# Keys are the plugin names; asset names match folium's so a plugin never loads a file twice.
PLUGIN_ASSETS: Final = {
    "fullscreen": PluginAssets(
        js=(("Control.Fullscreen.js", asset_url(f"{FULLSCREEN_DIR}/Control.FullScreen.js")),),
        css=(("Control.FullScreen.css", asset_url(f"{FULLSCREEN_DIR}/Control.FullScreen.css")),),
    ),
    "vectorgrid": PluginAssets(
        js=(("vectorGrid", asset_url(f"{VECTORGRID_DIR}/Leaflet.VectorGrid.bundled.min.js")),),
    ),
    "heat": PluginAssets(js=(("leaflet-heat.js", asset_url(f"{HEAT_DIR}/leaflet-heat.js")),)),
    "markercluster": PluginAssets(
        js=(("markerclusterjs", asset_url(f"{MARKERCLUSTER_DIR}/leaflet.markercluster.js")),),
        css=(
            ("markerclustercss", asset_url(f"{MARKERCLUSTER_DIR}/MarkerCluster.css")),
            (
                "markerclusterdefaultcss",
                asset_url(f"{MARKERCLUSTER_DIR}/MarkerCluster.Default.css"),
            ),
        ),
    ),
}


class _AssetRefParser(HTMLParser):
    """Collects the URLs of ``<script src>``, ``<link href>`` and ``<img src>`` in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def referenced_assets(html: str) -> list[str]:
    """Return every URL a page loads through ``<script src>``, ``<link href>`` or ``<img src>``."""
    parser = _AssetRefParser()
    parser.feed(html)
    parser.close()
    return parser.urls


def find_external_assets(html: str) -> list[str]:
    """Return the asset URLs in ``html`` that are not served by the app under `STATIC_URL`.

    An empty list means the page loads nothing from outside: it works air-gapped.
    """
    return [url for url in referenced_assets(html) if not url.startswith(STATIC_URL + "/")]
