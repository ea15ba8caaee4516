"""Folium maps of zones and provinces that work air-gapped.

Layers are not embedded in the page: the browser fetches each layer's GeoJSON from the API URL
in its `LayerSpec`. Every script and stylesheet comes from ``/static/vendor`` (see
`web.assets`), never from folium's CDN defaults. Coordinates are EPSG:4326 lon/lat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import folium
from folium.map import Layer
from folium.plugins import Fullscreen, HeatMap, MarkerCluster, VectorGridProtobuf
from folium.template import Template
from markupsafe import Markup

from web.assets import PLUGIN_ASSETS, find_external_assets, offline_css, offline_js
from web.env import make_env
from web.i18n import SUPPORTED_LANGS, translate
from web.maps.styles import (
    ZONE_POPUP_FIELDS,
    legend_entries,
    popup_config,
    province_popup_fields,
    province_style,
    zone_style,
)

LAYER_KINDS: Final = ("provinces", "zones")
VIETNAM_BOUNDS: Final = (102.14, 6.95, 116.95, 23.39)
"""Extent of Vietnam's provinces, Hoàng Sa and Trường Sa included: (min lon, min lat, max lon,
max lat) in degrees, EPSG:4326."""

DEFAULT_TILES_ATTRIBUTION: Final = "© OpenStreetMap contributors"

_PANES: Final = {"provinces": ("zmProvinces", 350), "zones": ("zmZones", 450)}


@dataclass(frozen=True)
class LayerSpec:
    """A map layer the browser loads from the API.

    Attributes
    ----------
    name : str
        i18n key of the layer name shown in the layer control (``"layer.provinces"``).
    url : str
        URL of an endpoint returning a GeoJSON FeatureCollection in EPSG:4326; same-origin
        paths such as ``"/api/zones?format=geojson"`` are expected.
    kind : str
        One of `LAYER_KINDS`: decides style, popup and legend.
    show : bool
        Whether the layer is switched on when the page opens.
    """

    name: str
    url: str
    kind: str
    show: bool = True

    def __post_init__(self) -> None:
        if self.kind not in LAYER_KINDS:
            raise ValueError(f"unknown layer kind {self.kind!r}; use one of {LAYER_KINDS}")
        if not self.url:
            raise ValueError(f"layer {self.name!r} has no URL")


class OfflineMap(folium.Map):
    """`folium.Map` loading Leaflet, jQuery and zonemap's helpers from ``/static/vendor``."""

    default_js = offline_js()
    default_css = offline_css()


class OfflineFullscreen(Fullscreen):
    """`folium.plugins.Fullscreen` with its assets served locally."""

    default_js = list(PLUGIN_ASSETS["fullscreen"].js)
    default_css = list(PLUGIN_ASSETS["fullscreen"].css)


class OfflineMarkerCluster(MarkerCluster):
    """`folium.plugins.MarkerCluster` with its assets served locally."""

    default_js = list(PLUGIN_ASSETS["markercluster"].js)
    default_css = list(PLUGIN_ASSETS["markercluster"].css)


class OfflineHeatMap(HeatMap):
    """`folium.plugins.HeatMap` with leaflet.heat served locally."""

    default_js = list(PLUGIN_ASSETS["heat"].js)
    default_css: list[tuple[str, str]] = []


class OfflineVectorGridProtobuf(VectorGridProtobuf):
    """`folium.plugins.VectorGridProtobuf` (Mapbox vector tiles) with its bundle served locally."""

    default_js = list(PLUGIN_ASSETS["vectorgrid"].js)
    default_css: list[tuple[str, str]] = []


class RemoteGeoJson(Layer):
    """A GeoJSON layer fetched by the browser from ``url`` when the page opens.

    Unlike ``folium.GeoJson(url, embed=False)`` it does not download the data in Python, loads
    asynchronously, and styles features in the browser from ``style`` (a config read by
    ``zonemap.styleFunction``), so it works with an API endpoint on the same server.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        zonemap.ensurePane({{ this._parent.get_name() }}, {{ this.pane|tojson }},
            {{ this.pane_z_index|tojson }});
        var {{ this.get_name() }} = L.geoJson(null, {
            pane: {{ this.pane|tojson }},
            style: zonemap.styleFunction({{ this.style|tojson }}),
            onEachFeature: function (feature, layer) {
                zonemap.bindFeature({{ this.get_name() }}, feature, layer,
                    {{ this.feature_config|tojson }});
            }
        });
        zonemap.loadGeoJson({{ this._parent.get_name() }}, {{ this.get_name() }},
            {{ this.url|tojson }}, {{ this.error_text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        url: str,
        *,
        name: str,
        style: dict[str, Any],
        feature_config: dict[str, Any],
        pane: tuple[str, int],
        error_text: str,
        overlay: bool = True,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._name = "RemoteGeoJson"
        self.url = url
        self.style = style
        self.feature_config = feature_config
        self.pane, self.pane_z_index = pane
        self.error_text = error_text


class Legend(folium.MacroElement):
    """Map legend as a Leaflet control: one row per entry with a colour swatch."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="zm-legend" hidden>
          <h2>{{ this.title|e }}</h2>
          <ul>
          {%- for entry in this.entries %}
            <li><span class="zm-swatch{% if entry.shape == 'line' %} zm-swatch-line{% endif %}"
              style="border-color: {{ entry.colour|e }}; background: {{ entry.colour|e }}66"></span
              >{{ entry.label|e }}</li>
          {%- endfor %}
          </ul>
        </div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        zonemap.addLegend({{ this._parent.get_name() }}, {{ this.get_name()|tojson }},
            {{ this.position|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self, *, title: str, entries: list[dict[str, str]], position: str = "bottomright"
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.title = title
        self.entries = entries
        self.position = position


def build_zone_map(
    *,
    layers: Sequence[LayerSpec],
    bounds: tuple[float, float, float, float] | None = None,
    lang: str = "vi",
    tiles_url: str | None = None,
    tiles_attribution: str = DEFAULT_TILES_ATTRIBUTION,
) -> folium.Map:
    """Build the zone map: layers loaded from the API, a legend, a layer switcher.

    Zones are coloured by ``feature.properties.kind`` (KKT/KCN/CCN) and open a popup with name,
    code, kind, status and areas in hectares; provinces are drawn as outlines. Without
    ``tiles_url`` there is no tile layer (air-gapped) and the provinces layer, drawn as filled
    land, is the base layer.

    Parameters
    ----------
    layers : sequence of LayerSpec
        Layers in drawing order; zones always draw above provinces.
    bounds : (min_lon, min_lat, max_lon, max_lat), optional
        Initial view in degrees, EPSG:4326. Defaults to `VIETNAM_BOUNDS`.
    lang : {"vi", "en"}
        Language of layer names, popups and legend.
    tiles_url : str, optional
        Local XYZ tile URL template (``"/tiles/{z}/{x}/{y}.png"``) used as the base layer.
    tiles_attribution : str
        Attribution text of the tiles, shown only with ``tiles_url``.

    Returns
    -------
    folium.Map
        Render it with `render_map_page`.

    Examples
    --------
    >>> spec = LayerSpec(name="layer.zones", url="/api/zones?format=geojson", kind="zones")
    >>> m = build_zone_map(layers=[spec], lang="en")
    """
    _check_lang(lang)
    min_lon, min_lat, max_lon, max_lat = _checked_bounds(bounds or VIETNAM_BOUNDS)
    m = OfflineMap(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2],
        zoom_start=6,
        tiles=None,
        control_scale=True,
    )
    if tiles_url is not None:
        name = translate("layer.basemap", lang)
        folium.TileLayer(tiles_url, attr=tiles_attribution, name=name, overlay=False).add_to(m)
    for spec in sorted(layers, key=lambda s: LAYER_KINDS.index(s.kind)):
        _remote_layer(spec, lang=lang, is_base=tiles_url is None).add_to(m)
    kinds = {spec.kind for spec in layers}
    entries = legend_entries(
        lang=lang, has_zones="zones" in kinds, has_provinces="provinces" in kinds
    )
    if entries:
        Legend(title=translate("legend.title", lang), entries=entries).add_to(m)
    OfflineFullscreen(
        title=translate("map.fullscreen", lang), title_cancel=translate("map.fullscreen_exit", lang)
    ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    return m


def render_map_page(m: folium.Map, *, title: str, lang: str, show_demo_notice: bool = False) -> str:
    """Render ``m`` as a full HTML page (UTF-8, ``<html lang>``) in the site's base template.

    Parameters
    ----------
    m : folium.Map
        A map from `build_zone_map`.
    title : str
        Page title, already in ``lang``.
    lang : {"vi", "en"}
        Page language, also marks the active language switch link.
    show_demo_notice : bool
        Show the footer note that the data are synthetic demo data.

    Raises
    ------
    ValueError
        If the page would load a script or stylesheet from outside ``/static/`` (it would be
        blank air-gapped): a folium element with CDN defaults was added to the map.
    """
    _check_lang(lang)
    root = m.get_root()
    root.render()  # lets every element register its scripts, styles and HTML in the figure
    header = "".join(
        child.render()
        for key, child in root.header._children.items()
        if key != "meta_http"  # base.html declares the charset; one declaration per page
    )
    page = (
        make_env()
        .get_template("map.html")
        .render(
            lang=lang,
            title=title,
            show_demo_notice=show_demo_notice,
            map_header=Markup(header),
            map_html=Markup(root.html.render()),
            map_script=Markup(root.script.render()),
        )
    )
    external = find_external_assets(page)
    if external:
        raise ValueError(f"map page would load external assets {external}; vendor them first")
    return page


def _remote_layer(spec: LayerSpec, *, lang: str, is_base: bool) -> RemoteGeoJson:
    name = translate(spec.name, lang)
    if spec.kind == "zones":
        style = zone_style()
        feature_config = {"popup": popup_config(ZONE_POPUP_FIELDS, lang=lang), "tooltip": ["name"]}
    else:
        style = province_style(is_base=is_base)
        fields = province_popup_fields(lang)
        feature_config = {
            "popup": popup_config(fields, lang=lang),
            "tooltip": list(fields[0].props),
        }
    feature_config["highlight"] = style["highlight"]
    return RemoteGeoJson(
        spec.url,
        name=name,
        style=style,
        feature_config=feature_config,
        pane=_PANES[spec.kind],
        error_text=f"{translate('map.load_error', lang)}: {name}",
        overlay=not (is_base and spec.kind == "provinces"),
        show=spec.show,
    )


def _check_lang(lang: str) -> None:
    if lang not in SUPPORTED_LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {SUPPORTED_LANGS}")


def _checked_bounds(
    bounds: tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bounds)
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise ValueError(
            f"bounds {bounds} are not (min_lon, min_lat, max_lon, max_lat) in degrees, EPSG:4326"
        )
    return min_lon, min_lat, max_lon, max_lat
