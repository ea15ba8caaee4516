"""The planner's pages: the national map, a province, a zone. Data in, HTML out.

Large layers are drawn from vector tiles when ``use_tiles`` is set (the caller decides from the
zone count), otherwise from GeoJSON that the API simplifies to the zoom.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, Final
from urllib.parse import urlencode

from geo.formatting import format_date, format_number, format_share
from geo.vocabulary import CURRENT_ADMIN_VERSION, ZONE_KINDS
from web.i18n import translate
from web.i18n.flags import FLAG_CODES, SEVERITIES, flag_message, flag_title
from web.maps.app import AppLayer, build_app_map, render_app_page
from web.maps.trend_chart import flag_trend_svg

_ADMIN_LAYER_KEYS: Final = {"2025-34": "layer.admin_2025", "2008-63": "layer.admin_2008"}
CURRENT_VERSION: Final = CURRENT_ADMIN_VERSION
TILE_DETAIL_ZOOM: Final = 10
"""In vector-tile mode, GeoJSON-only layers (history, encroachments) load from this zoom on."""
TILE_ZONES_MIN_ZOOM: Final = 8
"""In vector-tile mode zones are drawn from this zoom on; below it a zone is under a pixel and
the density heat map (on by default then) shows where they are."""

Bounds = tuple[float, float, float, float]


def _url(path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{query}" if query else path


def admin_layers(lang: str, *, version: str = CURRENT_ADMIN_VERSION) -> list[AppLayer]:
    """Province boundaries of both admin versions as base layers; ``version`` is shown."""
    return [
        AppLayer(
            f"admin-{v}",
            translate(key, lang),
            "geojson",
            _url("/api/layers/provinces", version=v),
            "provinces",
            show=v == version,
            base=True,
        )
        for v, key in _ADMIN_LAYER_KEYS.items()
    ]


def zone_layers(
    lang: str, *, use_tiles: bool, province: str | None = None, version: str | None = None
) -> list[AppLayer]:
    """One layer per zone kind, coloured by worst flag of the latest run of admin ``version``;
    vector tiles when ``use_tiles``."""
    version = None if version == CURRENT_VERSION else version
    layers = []
    for kind in ZONE_KINDS:
        name = translate(f"layer.{kind.lower()}", lang)
        if use_tiles:
            layers.append(
                AppLayer(
                    f"zones-{kind}",
                    name,
                    "tiles",
                    "/tiles/zones/{z}/{x}/{y}.mvt",
                    "zones",
                    popup=True,
                    kind=kind,
                    tile_layer="zones",
                    min_zoom=TILE_ZONES_MIN_ZOOM,
                )
            )
        else:
            url = _url("/api/layers/zones", kind=kind, province=province, version=version)
            layers.append(
                AppLayer(f"zones-{kind}", name, "geojson", url, "zones", popup=True, kind=kind)
            )
    return layers


def analysis_layers(
    lang: str, *, use_tiles: bool, province: str | None = None, version: str | None = None
) -> list[AppLayer]:
    """Planning boundaries (every version), footprints, encroachments, clusters, heat map;
    flags from the latest run of admin ``version``."""
    version = None if version == CURRENT_VERSION else version
    detail = TILE_DETAIL_ZOOM if use_tiles else None
    footprints = (
        AppLayer(
            "footprints",
            translate("layer.footprints", lang),
            "tiles",
            "/tiles/actual-footprints/{z}/{x}/{y}.mvt",
            "footprints",
            show=False,
            tile_layer="actual-footprints",
        )
        if use_tiles
        else AppLayer(
            "footprints",
            translate("layer.footprints", lang),
            "geojson",
            _url("/api/layers/footprints", province=province),
            "footprints",
            show=False,
        )
    )
    return [
        AppLayer(
            "planning",
            translate("layer.planning", lang),
            "geojson",
            _url("/api/layers/planning-boundaries", all_versions="true", province=province),
            "planning",
            show=False,
            min_zoom=detail,
        ),
        footprints,
        AppLayer(
            "encroachments",
            translate("layer.encroachments", lang),
            "geojson",
            _url("/api/layers/encroachments", province=province, version=version),
            "encroachments",
            show=False,
            popup=True,
            min_zoom=detail,
        ),
        AppLayer(
            "clusters",
            translate("layer.clusters", lang),
            "geojson",
            _url("/api/layers/clusters", province=province, version=version),
            "clusters",
            show=False,
        ),
        AppLayer(
            "heat",
            translate("layer.heat", lang),
            "heat",
            _url("/api/layers/heat", province=province),
            "zones",
            show=use_tiles,
        ),
    ]


def _province_link(lang: str) -> str:
    """Where a click on a province leads (``{code}`` and ``{version}`` filled by the browser)."""
    return f"/provinces/{{code}}?version={{version}}&lang={lang}"


def page_helpers(lang: str) -> dict[str, Any]:
    """Formatting and flag helpers handed to the templates."""
    return {
        "num": partial(format_number, lang=lang),
        "share": partial(format_share, lang=lang),
        "date": partial(format_date, lang=lang),
        "flag_title": partial(flag_title, lang=lang),
        "flag_message": partial(flag_message, lang=lang),
    }


def render_national_page(
    *,
    lang: str,
    zone_count: int,
    use_tiles: bool,
    provinces: Sequence[Mapping[str, Any]],
    has_run: bool,
    tiles_url: str | None = None,
    show_demo_notice: bool = False,
    freshness: Mapping[str, Any] | None = None,
) -> str:
    """Render the national map ``/``: layers, legend, flagged-zone panel and search.

    Parameters
    ----------
    lang : {"vi", "en"}
        Page language.
    zone_count : int
        Number of zones in the database (shown in the tile-mode notice).
    use_tiles : bool
        Draw zones and footprints from vector tiles instead of GeoJSON.
    provinces : sequence of mapping
        ``code``, ``name_vi``, ``name_en`` of the current provinces (the panel's filter).
    has_run : bool
        Whether an analysis run exists (else the panel says how to make one).
    tiles_url : str, optional
        Local raster basemap URL template.
    show_demo_notice : bool
        Say in the footer that the data are synthetic.
    freshness : mapping, optional
        ``state`` (current, pending, failed), ``as_of_text`` and ``error`` of the analysis.
    """
    layers = [
        *admin_layers(lang),
        *zone_layers(lang, use_tiles=use_tiles),
        *analysis_layers(lang, use_tiles=use_tiles),
    ]
    panel = {
        "flaggedUrl": "/api/layers/flagged-zones",
        "searchUrl": "/api/search",
        "provinceUrl": _url("/api/layers/provinces", version=CURRENT_ADMIN_VERSION),
        "province": None,
    }
    m = build_app_map(
        layers=layers,
        lang=lang,
        tiles_url=tiles_url,
        extra={"panel": panel, "provinceLinks": _province_link(lang)},
    )
    return render_app_page(
        m,
        template="national.html",
        title=translate("page.home.title", lang),
        lang=lang,
        show_demo_notice=show_demo_notice,
        provinces=provinces,
        zone_kinds=ZONE_KINDS,
        flag_codes=FLAG_CODES,
        severities=SEVERITIES,
        sorts=_SORTS,
        has_run=has_run,
        use_tiles=use_tiles,
        zone_count=zone_count,
        freshness=freshness,
        **page_helpers(lang),
    )


_SORTS: Final = ("severity", "flags", "area", "name", "province")


def render_province_page(
    *,
    lang: str,
    province: Mapping[str, Any],
    stats: Mapping[str, Any] | None,
    flags: Sequence[Mapping[str, Any]],
    use_tiles: bool,
    report_url: str,
    html_report_url: str | None = None,
    tiles_url: str | None = None,
    show_demo_notice: bool = False,
    freshness: Mapping[str, Any] | None = None,
    history: Sequence[Mapping[str, Any]] = (),
) -> str:
    """Render ``/provinces/{code}``: the map zoomed to the province, its numbers and flags.

    ``province`` has ``code``, ``name_vi``, ``name_en``, ``area_km2`` and the extent ``xmin``,
    ``ymin``, ``xmax``, ``ymax`` (degrees); ``stats`` is the province's row of the latest
    analysis run (None before the first run); ``flags`` are its flags, most severe first;
    ``freshness`` says how current they are; ``history`` (``computed_at``, ``flag_counts``)
    draws the flag counts over time.
    """
    code = str(province["code"])
    version = str(province.get("admin_version") or CURRENT_VERSION)
    # Zones carry current province codes: a province of another version is shown by its extent.
    only = code if version == CURRENT_VERSION else None
    layers = [
        *admin_layers(lang, version=version),
        *zone_layers(lang, use_tiles=use_tiles, province=only, version=version),
        *analysis_layers(lang, use_tiles=use_tiles, province=only, version=version),
    ]
    bounds = tuple(float(province[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
    m = build_app_map(
        layers=layers,
        lang=lang,
        bounds=bounds,  # type: ignore[arg-type]
        tiles_url=tiles_url,
        extra={"provinceLinks": _province_link(lang)},
    )
    name = province["name_en"] if lang == "en" else province["name_vi"]
    counts = {s: sum(1 for f in flags if f["severity"] == s) for s in SEVERITIES}
    return render_app_page(
        m,
        template="province.html",
        title=str(name),
        lang=lang,
        province=province,
        stats=stats,
        flags=flags,
        flag_counts=counts,
        report_url=report_url,
        html_report_url=html_report_url,
        admin_version=version,
        show_demo_notice=show_demo_notice,
        freshness=freshness,
        trend=flag_trend_svg(history, lang),
        **page_helpers(lang),
    )


def render_zone_page(
    *,
    lang: str,
    detail: Mapping[str, Any],
    show_demo_notice: bool = False,
    freshness: Mapping[str, Any] | None = None,
) -> str:
    """Render ``/zones/{code}``: planned vs actual overlay, facts, flags and histories.

    ``detail`` is the document of ``GET /api/zones/{code}`` (``zone``, ``bbox``, ``metrics``,
    ``flags``, ``boundaries``, ``footprints``, ``uploads``).
    """
    zone = detail["zone"]
    code = str(zone["code"])
    layers = [
        admin_layers(lang)[0],
        AppLayer(
            "planning",
            translate("layer.planning", lang),
            "geojson",
            _url("/api/layers/planning-boundaries", zone=code, all_versions="true"),
            "planning",
            zoomed=False,
        ),
        AppLayer(
            "footprints",
            translate("layer.footprints", lang),
            "geojson",
            _url("/api/layers/footprints", zone=code, all_versions="true"),
            "footprints",
            zoomed=False,
        ),
        AppLayer(
            "encroachments",
            translate("layer.encroachments", lang),
            "geojson",
            _url("/api/layers/encroachments", zone=code),
            "encroachments",
            zoomed=False,
        ),
    ]
    bounds = _padded(detail.get("bbox"))
    m = build_app_map(layers=layers, lang=lang, bounds=bounds)
    return render_app_page(
        m,
        template="zone.html",
        title=str(zone["name"]),
        lang=lang,
        detail=detail,
        zone=zone,
        show_demo_notice=show_demo_notice,
        freshness=freshness,
        **page_helpers(lang),
    )


def _padded(bbox: Sequence[float] | None) -> Bounds | None:
    """The zone's extent with a margin of half its size (at least ~300 m), or None."""
    if not bbox:
        return None
    xmin, ymin, xmax, ymax = (float(v) for v in bbox)
    pad_x = max((xmax - xmin) / 2, 0.003)
    pad_y = max((ymax - ymin) / 2, 0.003)
    return (xmin - pad_x, ymin - pad_y, xmax + pad_x, ymax + pad_y)
