"""Folium's map and fullscreen control with every script and stylesheet served from
``/static/vendor`` (see `web.assets`), never from folium's CDN defaults.

Coordinates are EPSG:4326 lon/lat.
"""

from __future__ import annotations

from typing import Final

import folium
from folium.plugins import Fullscreen

from web.assets import PLUGIN_ASSETS, offline_css, offline_js

VIETNAM_BOUNDS: Final = (102.14, 6.95, 116.95, 23.39)
"""Extent of Vietnam's provinces, Hoàng Sa and Trường Sa included: (min lon, min lat, max lon,
max lat) in degrees, EPSG:4326."""


class OfflineMap(folium.Map):
    """`folium.Map` loading Leaflet, jQuery and zonemap's helpers from ``/static/vendor``."""

    default_js = offline_js()
    default_css = offline_css()


class OfflineFullscreen(Fullscreen):
    """`folium.plugins.Fullscreen` with its assets served locally."""

    default_js = list(PLUGIN_ASSETS["fullscreen"].js)
    default_css = list(PLUGIN_ASSETS["fullscreen"].css)
