"""The interactive map of the national, province, zone and upload pages.

Python decides *what* the map shows (layers with their API URLs, names in the page language,
legend, initial view) and writes it as one JSON config; ``web/static/js/zonemap-app.js`` builds
the Leaflet layers from it in the browser: GeoJSON re-fetched as the zoom changes (simplified
to the zoom by the API), Mapbox vector tiles (Leaflet.VectorGrid) for large layers, a heat map
(leaflet.heat), the layer switcher and the zone popups. Nothing is embedded and every asset
comes from ``/static``. Coordinates are EPSG:4326 lon/lat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final

import folium
from folium.elements import JSCSSMixin
from folium.template import Template
from markupsafe import Markup

from web.assets import PLUGIN_ASSETS, asset_url, find_external_assets
from web.env import make_env
from web.i18n import LABELS, SUPPORTED_LANGS, translate
from web.i18n.flags import UNFLAGGED_KIND_COLOURS
from web.maps.offline import VIETNAM_BOUNDS, OfflineFullscreen, OfflineMap

SOURCES: Final = ("geojson", "tiles", "heat")
ZONE_LABEL_ZOOM: Final = 11
"""From this zoom on, zones carry their names as labels on the map."""
STYLES: Final = (
    "zones",
    "provinces",
    "planning",
    "footprints",
    "encroachments",
    "clusters",
    "preview",
)
# Label groups the browser needs (popups, side panel, upload page, error messages).
_JS_LABEL_PREFIXES: Final = (
    "severity.",
    "flag.",
    "kind.",
    "status.",
    "field.",
    "unit.",
    "popup.",
    "panel.",
    "sort.",
    "upload.",
    "error.",
    "value.",
    "legend.",
    "layer.",
    "zone.",
    "col.",
)

LOCALES: Final = {"vi": "vi-VN", "en": "en-GB"}
"""Number and date locales of the map's scripts, by page language."""


@dataclass(frozen=True)
class AppLayer:
    """One layer of the interactive map.

    Attributes
    ----------
    id : str
        Stable identifier, also used by tests (``"zones-KKT"``).
    name : str
        Name shown in the layer switcher, already in the page language.
    source : {"geojson", "tiles", "heat"}
        GeoJSON FeatureCollection URL, XYZ vector-tile URL template (``{z}/{x}/{y}``), or the
        heat-map points URL of ``/api/layers/heat``.
    url : str
        Same-origin URL; GeoJSON and heat URLs get ``zoom`` (and ``bbox``) appended.
    style : str
        One of `STYLES`: how features are drawn.
    show : bool
        Drawn when the page opens.
    base : bool
        A base layer (radio button): the admin-boundary versions.
    zoomed : bool
        Re-fetch with ``zoom=`` as the map zooms (GeoJSON and heat only).
    bbox_zoom : int or None
        From this zoom on, fetch only the visible area (``bbox=``).
    min_zoom : int or None
        Not drawn below this zoom (the layer would be too large).
    popup : bool
        Clicking a feature opens the zone popup (needs ``properties.code``).
    kind : str or None
        Draw only zones of this kind (vector tiles hold every kind).
    tile_layer : str or None
        Layer name inside the vector tiles.
    """

    id: str
    name: str
    source: str
    url: str
    style: str
    show: bool = True
    base: bool = False
    zoomed: bool = True
    bbox_zoom: int | None = 9
    min_zoom: int | None = None
    popup: bool = False
    kind: str | None = None
    tile_layer: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown layer source {self.source!r}; use one of {SOURCES}")
        if self.style not in STYLES:
            raise ValueError(f"unknown layer style {self.style!r}; use one of {STYLES}")
        if not self.url.startswith("/"):
            raise ValueError(f"layer {self.id!r} must load from a same-origin path, got {self.url}")


class AppMap(OfflineMap):
    """`OfflineMap` without jQuery: the app's popups are built with DOM calls, not folium's."""

    default_js = [(n, u) for n, u in OfflineMap.default_js if n != "jquery"]


class MapApp(JSCSSMixin, folium.MacroElement):
    """Starts ``zonemap.app`` on the parent map with ``config`` (layers, labels, URLs)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.zonemapApp = zonemap.app.start({{ this._parent.get_name() }},
            {{ this.config|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, config: Mapping[str, Any], *, scripts: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "MapApp"
        self.config = dict(config)
        self.default_js = list(scripts)


def js_labels(lang: str) -> dict[str, str]:
    """The labels the browser-side code needs, in ``lang``."""
    return {k: v for k, v in LABELS[lang].items() if k.startswith(_JS_LABEL_PREFIXES)}


def build_app_map(
    *,
    layers: Sequence[AppLayer],
    lang: str,
    bounds: tuple[float, float, float, float] | None = None,
    tiles_url: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> folium.Map:
    """Build the interactive map: layers loaded by the browser, layer switcher, and a legend
    the browser keeps to the layers on the map.

    Parameters
    ----------
    layers : sequence of AppLayer
        Layers in drawing order (later above earlier within the overlays).
    lang : {"vi", "en"}
        Language of every label.
    bounds : (min_lon, min_lat, max_lon, max_lat), optional
        Initial view in degrees, EPSG:4326; defaults to the whole country.
    tiles_url : str, optional
        Local XYZ raster basemap URL template; without it the provinces are the base.
    extra : mapping, optional
        More config for the page scripts (``panel``, ``upload``…).

    Returns
    -------
    folium.Map
        Render it with `render_app_page`.

    Examples
    --------
    >>> layer = AppLayer("zones", "Zones", "geojson", "/api/layers/zones", "zones", popup=True)
    >>> m = build_app_map(layers=[layer], lang="en")
    """
    if lang not in SUPPORTED_LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {SUPPORTED_LANGS}")
    min_lon, min_lat, max_lon, max_lat = bounds or VIETNAM_BOUNDS
    m = AppMap(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    OfflineFullscreen(
        title=translate("map.fullscreen", lang), title_cancel=translate("map.fullscreen_exit", lang)
    ).add_to(m)
    config = {
        "lang": lang,
        "locale": LOCALES[lang],
        "labels": js_labels(lang),
        "layers": [asdict(layer) for layer in layers],
        "kindColours": dict(UNFLAGGED_KIND_COLOURS),
        "tilesUrl": tiles_url,
        "basemapName": translate("layer.basemap", lang),
        "loadError": translate("map.load_error", lang),
        "zoneUrl": "/api/zones/{code}",
        "zonePage": f"/zones/{{code}}?lang={lang}",
        "zoneLabelZoom": ZONE_LABEL_ZOOM,
        **(extra or {}),
    }
    MapApp(config, scripts=_scripts(layers)).add_to(m)
    return m


def _scripts(layers: Sequence[AppLayer]) -> list[tuple[str, str]]:
    sources = {layer.source for layer in layers}
    scripts: list[tuple[str, str]] = []
    if "tiles" in sources:
        scripts += PLUGIN_ASSETS["vectorgrid"].js
    if "heat" in sources:
        scripts += PLUGIN_ASSETS["heat"].js
    return [
        *scripts,
        ("zonemap_app", asset_url("js/zonemap-app.js")),
        ("zonemap_legend", asset_url("js/zonemap-legend.js")),
        ("zonemap_state", asset_url("js/zonemap-state.js")),
        ("zonemap_layers", asset_url("js/zonemap-layers.js")),
    ]


def render_app_page(m: folium.Map, *, template: str, title: str, lang: str, **context: Any) -> str:
    """Render ``m`` inside ``template`` (a child of ``map_panel.html``) as a full HTML page.

    Raises
    ------
    ValueError
        If the page would load a script or stylesheet from outside ``/static/``.
    """
    root = m.get_root()
    root.render()
    header = "".join(
        child.render() for key, child in root.header._children.items() if key != "meta_http"
    )
    page = (
        make_env()
        .get_template(template)
        .render(
            lang=lang,
            title=title,
            map_header=Markup(header),
            map_html=Markup(root.html.render()),
            map_script=Markup(root.script.render()),
            **context,
        )
    )
    external = find_external_assets(page)
    if external:
        raise ValueError(f"page would load external assets {external}; vendor them first")
    return page
