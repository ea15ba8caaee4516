"""Static maps for the printed province report, drawn without internet or tiles.

Inputs are EPSG:4326 GeoDataFrames; drawing happens in UTM 48N or 49N (chosen by the
province's longitude), so shapes and the scale bar are true. Output is PNG or SVG bytes for
embedding as data URIs. Matplotlib runs through its object API with the Agg canvas (no pyplot
state), so drawing is safe in worker processes and threads.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from geo.frames import project
from web.i18n import translate
from web.report.figure import figure_bytes
from web.report.furniture import (
    FONT_FAMILY,
    draw_graticule,
    draw_north_arrow,
    draw_scale_bar,
    extent_deg,
)
from web.report.model import SEVERITY_RANK

SEVERITY_COLOURS: Final = {
    "critical": "#d7301f",
    "warning": "#fc8d59",
    "info": "#fee08b",
    None: "#74add1",
}
PLANNED_EDGE: Final = "#1f4e79"
ACTUAL_EDGE: Final = "#222222"
CLUSTER_EDGE: Final = "#7b3294"
ENCROACHMENT_EDGE: Final = "#b2182b"
PROVINCE_FILL: Final = "#fbf8f0"
NEIGHBOUR_FILL: Final = "#e9e9e9"
MM_PER_INCH: Final = 25.4


def metric_epsg(lon: float) -> int:
    """EPSG code of the WGS 84 UTM zone used to draw a map centred at ``lon`` (degrees east).

    Examples
    --------
    >>> metric_epsg(105.8), metric_epsg(108.2)
    (32648, 32649)
    """
    return 32648 if lon < 108.0 else 32649


@lru_cache(maxsize=4)
def metric_transformer(epsg: int) -> Transformer:
    """lon/lat → the UTM zone ``epsg``, built once per zone (a report draws dozens of maps)."""
    return Transformer.from_crs(4326, epsg, always_xy=True)


def legend_labels(lang: str) -> list[str]:
    """The legend entries of the province map, in the order drawn, in language ``lang``."""
    keys = (
        "report.map.critical",
        "report.map.warning",
        "report.map.info",
        "report.map.no_flag",
        "report.map.planned",
        "report.map.actual",
        "report.map.encroachment",
        "report.map.cluster",
        "report.map.province",
    )
    return [translate(k, lang) for k in keys]


def draw_province_map(
    zones: gpd.GeoDataFrame,
    *,
    outline: BaseGeometry | None,
    provinces: gpd.GeoDataFrame,
    actual: gpd.GeoDataFrame | None = None,
    clusters: gpd.GeoDataFrame | None = None,
    lang: str = "vi",
    fmt: str = "png",
    width_mm: float = 180.0,
    dpi: int = 200,
) -> bytes:
    """Draw a province map: outline and neighbours, zones by worst flag, footprints, clusters.

    Parameters
    ----------
    zones : GeoDataFrame
        EPSG:4326 planning boundaries (geometry may be None) with ``worst_severity``
        (``critical``/``warning``/``info``/None) and optionally ``encroachment`` (shapely).
    outline : shapely geometry or None
        The province outline (EPSG:4326); without it the zones' extent is used.
    provinces : GeoDataFrame
        EPSG:4326 outlines of every province (neighbours and the inset of Vietnam).
    actual, clusters : GeoDataFrame, optional
        Actual footprints and density-cluster hulls (EPSG:4326).
    lang : str
        Language of the legend.
    fmt : {"png", "svg"}
        Output format; SVG keeps its text as text.

    Returns
    -------
    bytes
        The image; a map of the outline alone when there are no zones.
    """
    centre = _centre(outline, zones)
    to_m = metric_transformer(metric_epsg(centre.x))
    extent = _extent_m(outline, zones, to_m)
    fig = Figure(figsize=(width_mm / MM_PER_INCH, 0.78 * width_mm / MM_PER_INCH), dpi=dpi)
    fig.set_layout_engine(None)
    ax = fig.add_axes((0.01, 0.02, 0.70, 0.96))
    _draw_base(ax, provinces, outline, extent, to_m)
    _draw_zones(ax, zones, actual, clusters, to_m)
    draw_graticule(ax, extent, to_m)
    _frame(ax, extent)
    draw_scale_bar(ax, extent)
    draw_north_arrow(ax)
    _inset(fig.add_axes((0.735, 0.55, 0.25, 0.43)), provinces, outline)
    _legend(fig, lang)
    return figure_bytes(fig, fmt)


def _centre(outline: BaseGeometry | None, zones: gpd.GeoDataFrame) -> shapely.Point:
    if outline is not None and not outline.is_empty:
        return outline.representative_point()
    geoms = zones.geometry.dropna()
    if len(geoms):
        return shapely.union_all(geoms.to_numpy()).representative_point()
    return shapely.Point(106.0, 16.0)


def _extent_m(
    outline: BaseGeometry | None, zones: gpd.GeoDataFrame, to_m: Transformer
) -> tuple[float, float, float, float]:
    parts = [g for g in [outline, *zones.geometry.dropna()] if g is not None and not g.is_empty]
    if not parts:
        parts = [shapely.Point(106.0, 16.0).buffer(0.5)]
    xmin, ymin, xmax, ymax = shapely.bounds(project(shapely.union_all(parts), to_m))
    pad = 0.06 * max(xmax - xmin, ymax - ymin, 2000.0)
    return xmin - pad, ymin - pad, xmax + pad, ymax + pad


def _project_series(geoms: gpd.GeoSeries, epsg: int) -> gpd.GeoSeries:
    return gpd.GeoSeries(geoms, crs=4326).to_crs(epsg)


def _draw_base(ax, provinces, outline, extent, to_m) -> None:  # noqa: ANN001
    near, shapes = _neighbour_shapes(provinces, extent, to_m)
    if len(near):
        shapes.plot(ax=ax, facecolor=NEIGHBOUR_FILL, edgecolor="#9a9a9a", linewidth=0.5)
        for name, x, y in neighbour_labels(near, shapes, outline=outline, extent=extent):
            ax.text(
                x,
                y,
                name,
                fontsize=6,
                color="#7a7a7a",
                ha="center",
                va="center",
                style="italic",
                family=FONT_FAMILY,
                zorder=1.5,
                clip_on=True,
            )
    if outline is not None:
        gpd.GeoSeries([project(outline, to_m)]).plot(
            ax=ax, facecolor=PROVINCE_FILL, edgecolor="#333333", linewidth=1.1, zorder=2
        )


def _neighbour_shapes(
    provinces: gpd.GeoDataFrame, extent: tuple[float, float, float, float], to_m: Transformer
) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries]:
    """The provinces in view and their shapes clipped around it, in metres, on the same index."""
    box_deg = extent_deg(extent, to_m)
    near = provinces[provinces.intersects(box_deg)] if len(provinces) else provinces
    # Clip row by row: GeoSeries.clip returns rows in spatial-index order, which would pair
    # each shape with another province's name.
    clipped = gpd.GeoSeries(
        shapely.intersection(near.geometry.to_numpy(), box_deg.buffer(0.5)),
        index=near.index,
        crs=4326,
    )
    return near, _project_series(clipped, to_m.target_crs.to_epsg())


def neighbour_label_points(
    zones: gpd.GeoDataFrame, *, outline: BaseGeometry | None, provinces: gpd.GeoDataFrame
) -> list[tuple[str, float, float]]:
    """The neighbour labels `draw_province_map` writes, as ``(name, lon, lat)`` in EPSG:4326.

    Examples
    --------
    >>> from shapely import box
    >>> provinces = gpd.GeoDataFrame({"name_vi": ["A", "B"]},
    ...     geometry=[box(105, 20, 106, 21), box(106, 20, 107, 21)], crs=4326)
    >>> [name for name, _, _ in neighbour_label_points(provinces.iloc[:0],
    ...     outline=box(105, 20, 106, 21), provinces=provinces)]
    ['B']
    """
    to_m = metric_transformer(metric_epsg(_centre(outline, zones).x))
    extent = _extent_m(outline, zones, to_m)
    near, shapes = _neighbour_shapes(provinces, extent, to_m)
    back = Transformer.from_crs(to_m.target_crs, 4326, always_xy=True)
    return [
        (name, *back.transform(x, y))
        for name, x, y in neighbour_labels(near, shapes, outline=outline, extent=extent)
    ]


def neighbour_labels(
    near: gpd.GeoDataFrame,
    shapes: gpd.GeoSeries,
    *,
    outline: BaseGeometry | None,
    extent: tuple[float, float, float, float],
) -> list[tuple[str, float, float]]:
    """Where to write each neighbouring province's name on the province map.

    Parameters
    ----------
    near : GeoDataFrame
        EPSG:4326 provinces with ``name_vi``, the ones near the mapped province.
    shapes : GeoSeries
        The same provinces (same index) in the map's metric CRS.
    outline : shapely geometry or None
        The mapped province (EPSG:4326); it gets no neighbour label.
    extent : (xmin, ymin, xmax, ymax)
        The map's view in metres.

    Returns
    -------
    list of (name, x_m, y_m)
        One label per neighbour showing on at least 2 % of the view, placed at a point inside
        the visible part of that very province.
    """
    view = shapely.box(*extent)
    labels = []
    for idx, name in near["name_vi"].items():
        shape = shapes.loc[idx]
        if shape is None or outline is not None and near.geometry.loc[idx].equals(outline):
            continue
        visible = shape.intersection(view)
        if visible.is_empty or visible.area < 0.02 * view.area:
            continue
        point = visible.representative_point()
        labels.append((str(name), point.x, point.y))
    return labels


def _draw_zones(ax, zones, actual, clusters, to_m) -> None:  # noqa: ANN001
    epsg = to_m.target_crs.to_epsg()
    if clusters is not None and len(clusters):
        _project_series(clusters.geometry, epsg).buffer(400).plot(
            ax=ax, facecolor="none", edgecolor=CLUSTER_EDGE, linewidth=0.9, linestyle="--", zorder=3
        )
    placed = zones[zones.geometry.notna()]
    if not len(placed):
        return
    shapes = _project_series(placed.geometry, epsg)
    colours = [SEVERITY_COLOURS.get(s, SEVERITY_COLOURS[None]) for s in placed["worst_severity"]]
    shapes.plot(ax=ax, facecolor=colours, edgecolor=PLANNED_EDGE, linewidth=0.4, zorder=4)
    if actual is not None and len(actual):
        _project_series(actual.geometry, epsg).plot(
            ax=ax, facecolor="none", edgecolor=ACTUAL_EDGE, linewidth=0.35, zorder=5
        )
    _draw_encroachments(ax, placed, epsg)
    points = shapes.representative_point()
    order = np.argsort(
        [SEVERITY_RANK.get(s or "", 0) for s in placed["worst_severity"]], kind="stable"
    )
    ax.scatter(
        points.x.to_numpy()[order],
        points.y.to_numpy()[order],
        s=16,
        c=np.asarray(colours)[order],
        edgecolors="#1a1a1a",
        linewidths=0.5,
        zorder=6,
    )


def _draw_encroachments(ax, zones, epsg) -> None:  # noqa: ANN001
    if "encroachment" not in zones:
        return
    enc = [g for g in zones["encroachment"] if g is not None and not g.is_empty]
    if enc:
        _project_series(enc, epsg).plot(
            ax=ax,
            facecolor="none",
            edgecolor=ENCROACHMENT_EDGE,
            hatch="/////",
            linewidth=0.5,
            zorder=5.5,
        )


def _frame(ax, extent) -> None:  # noqa: ANN001
    xmin, ymin, xmax, ymax = extent
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_facecolor("#dfeaf2")
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)


def _inset(ax, provinces, outline) -> None:  # noqa: ANN001
    if len(provinces):
        provinces.plot(ax=ax, facecolor="#d9d9d9", edgecolor="#a0a0a0", linewidth=0.2)
    if outline is not None:
        gpd.GeoSeries([outline]).plot(
            ax=ax, facecolor=SEVERITY_COLOURS["critical"], edgecolor="#7f0000", linewidth=0.4
        )
    ax.set_aspect(1 / math.cos(math.radians(16.0)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_facecolor("white")
    for spine in ax.spines.values():
        spine.set_linewidth(0.5)


def _legend(fig: Figure, lang: str) -> None:
    labels = legend_labels(lang)
    handles = [
        *(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markersize=6,
                markerfacecolor=c,
                markeredgecolor="#1a1a1a",
                markeredgewidth=0.5,
            )
            for c in SEVERITY_COLOURS.values()
        ),
        Patch(facecolor="#ffffff", edgecolor=PLANNED_EDGE, linewidth=0.8),
        Patch(facecolor="none", edgecolor=ACTUAL_EDGE, linewidth=0.8),
        Patch(facecolor="none", edgecolor=ENCROACHMENT_EDGE, hatch="/////", linewidth=0.6),
        Line2D([], [], color=CLUSTER_EDGE, linestyle="--", linewidth=1.0),
        Patch(facecolor=PROVINCE_FILL, edgecolor="#333333", linewidth=1.0),
    ]
    fig.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(0.728, 0.53),
        frameon=False,
        title=translate("legend.title", lang),
        title_fontsize=7.5,
        alignment="left",
        prop={"size": 6.5, "family": FONT_FAMILY},
        handlelength=1.6,
        labelspacing=0.55,
    )
