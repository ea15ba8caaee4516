"""Static maps for the printed province report, drawn without internet or tiles.

Inputs are EPSG:4326 GeoDataFrames; drawing happens in UTM 48N or 49N (chosen by the
province's longitude), so shapes and the scale bar are true. Output is PNG or SVG bytes for
embedding as data URIs. Matplotlib runs through its object API with the Agg canvas (no pyplot
state), so drawing is safe in worker processes and threads.
"""

from __future__ import annotations

import io
import math
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from web.i18n import translate

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
FONT_FAMILY: Final = ["Noto Sans", "DejaVu Sans"]
MM_PER_INCH: Final = 25.4


def metric_epsg(lon: float) -> int:
    """EPSG code of the WGS 84 UTM zone used to draw a map centred at ``lon`` (degrees east).

    Examples
    --------
    >>> metric_epsg(105.8), metric_epsg(108.2)
    (32648, 32649)
    """
    return 32648 if lon < 108.0 else 32649


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
    to_m = Transformer.from_crs(4326, metric_epsg(centre.x), always_xy=True)
    extent = _extent_m(outline, zones, to_m)
    fig = Figure(figsize=(width_mm / MM_PER_INCH, 0.78 * width_mm / MM_PER_INCH), dpi=dpi)
    fig.set_layout_engine(None)
    ax = fig.add_axes((0.01, 0.02, 0.70, 0.96))
    _draw_base(ax, provinces, outline, extent, to_m)
    _draw_zones(ax, zones, actual, clusters, to_m)
    _draw_graticule(ax, extent, to_m)
    _frame(ax, extent)
    _scale_bar(ax, extent)
    _north_arrow(ax)
    _inset(fig.add_axes((0.735, 0.55, 0.25, 0.43)), provinces, outline)
    _legend(fig, lang)
    return _to_bytes(fig, fmt)


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
    xmin, ymin, xmax, ymax = shapely.bounds(_project(shapely.union_all(parts), to_m))
    pad = 0.06 * max(xmax - xmin, ymax - ymin, 2000.0)
    return xmin - pad, ymin - pad, xmax + pad, ymax + pad


def _project(geom: BaseGeometry, to_m: Transformer) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1])))


def _project_series(geoms: gpd.GeoSeries, epsg: int) -> gpd.GeoSeries:
    return gpd.GeoSeries(geoms, crs=4326).to_crs(epsg)


def _draw_base(ax, provinces, outline, extent, to_m) -> None:  # noqa: ANN001
    epsg = to_m.target_crs.to_epsg()
    box_deg = _extent_deg(extent, to_m)
    near = provinces[provinces.intersects(box_deg)] if len(provinces) else provinces
    if len(near):
        shapes = _project_series(near.geometry.clip(box_deg.buffer(0.5)), epsg)
        shapes.plot(ax=ax, facecolor=NEIGHBOUR_FILL, edgecolor="#9a9a9a", linewidth=0.5)
        _label_neighbours(ax, near, shapes, outline, extent)
    if outline is not None:
        gpd.GeoSeries([_project(outline, to_m)]).plot(
            ax=ax, facecolor=PROVINCE_FILL, edgecolor="#333333", linewidth=1.1, zorder=2
        )


def _extent_deg(extent, to_m) -> BaseGeometry:  # noqa: ANN001
    xmin, ymin, xmax, ymax = extent
    xs = np.linspace(xmin, xmax, 20)
    ys = np.linspace(ymin, ymax, 20)
    ring_x = np.concatenate([xs, np.full(20, xmax), xs[::-1], np.full(20, xmin)])
    ring_y = np.concatenate([np.full(20, ymin), ys, np.full(20, ymax), ys[::-1]])
    lon, lat = to_m.transform(ring_x, ring_y, direction="INVERSE")
    return shapely.Polygon(np.column_stack([lon, lat]))


def _label_neighbours(ax, near, shapes, outline, extent) -> None:  # noqa: ANN001
    xmin, ymin, xmax, ymax = extent
    view = shapely.box(xmin, ymin, xmax, ymax)
    for name, geom, shape in zip(near["name_vi"], near.geometry, shapes, strict=True):
        if outline is not None and geom.equals(outline) or shape is None:
            continue
        visible = shape.intersection(view)
        if visible.is_empty or visible.area < 0.02 * view.area:
            continue
        point = visible.representative_point()
        ax.text(
            point.x,
            point.y,
            str(name),
            fontsize=6,
            color="#7a7a7a",
            ha="center",
            va="center",
            style="italic",
            family=FONT_FAMILY,
            zorder=1.5,
            clip_on=True,
        )


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
    order = np.argsort([_rank(s) for s in placed["worst_severity"]], kind="stable")
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


def _rank(severity: str | None) -> int:
    return {"critical": 3, "warning": 2, "info": 1}.get(severity or "", 0)


def _draw_graticule(ax, extent, to_m) -> None:  # noqa: ANN001
    box = _extent_deg(extent, to_m)
    lon0, lat0, lon1, lat1 = box.bounds
    step = _nice_step(max(lon1 - lon0, lat1 - lat0) / 4)
    lons = np.arange(math.ceil(lon0 / step) * step, lon1, step)
    lats = np.arange(math.ceil(lat0 / step) * step, lat1, step)
    dense_lat = np.linspace(lat0 - 1, lat1 + 1, 60)
    dense_lon = np.linspace(lon0 - 1, lon1 + 1, 60)
    for lon in lons:
        x, y = to_m.transform(np.full(60, lon), dense_lat)
        ax.plot(x, y, color="#8c8c8c", linewidth=0.3, linestyle=":", zorder=2.5)
    for lat in lats:
        x, y = to_m.transform(dense_lon, np.full(60, lat))
        ax.plot(x, y, color="#8c8c8c", linewidth=0.3, linestyle=":", zorder=2.5)
    mid_lat = (lat0 + lat1) / 2
    mid_lon = (lon0 + lon1) / 2
    ax.set_xticks(to_m.transform(lons, np.full(len(lons), mid_lat))[0])
    ax.set_xticklabels([_deg(v, "E") for v in lons], fontsize=6, family=FONT_FAMILY)
    ax.set_yticks(to_m.transform(np.full(len(lats), mid_lon), lats)[1])
    ax.set_yticklabels(
        [_deg(v, "N") for v in lats], fontsize=6, family=FONT_FAMILY, rotation=90, va="center"
    )
    ax.tick_params(length=2, pad=1.5, direction="in", top=True, right=True)


def _nice_step(raw: float) -> float:
    for step in (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0):
        if step >= raw:
            return step
    return 5.0


def _deg(value: float, hemisphere: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}°{hemisphere}"


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


def scale_bar_length_m(width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) close to a fifth of ``width_m``.

    Examples
    --------
    >>> scale_bar_length_m(100_000), scale_bar_length_m(7_000)
    (20000.0, 1000.0)
    """
    target = max(width_m / 5.0, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return float(max(m * power for m in (1, 2, 5) if m * power <= target))


def _scale_bar(ax, extent) -> None:  # noqa: ANN001
    xmin, ymin, xmax, ymax = extent
    length = scale_bar_length_m(xmax - xmin)
    x0 = xmin + 0.04 * (xmax - xmin)
    y0 = ymin + 0.04 * (ymax - ymin)
    height = 0.008 * (ymax - ymin)
    for i in range(4):
        colour = "#222222" if i % 2 == 0 else "white"
        ax.add_patch(_rect(x0 + i * length / 4, y0, length / 4, height, colour))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for pos, text in ((x0, "0"), (x0 + length, label)):
        ax.text(
            pos,
            y0 + 2.2 * height,
            text,
            fontsize=6,
            ha="center",
            va="bottom",
            zorder=9,
            family=FONT_FAMILY,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.8},
        )


def _rect(x: float, y: float, w: float, h: float, colour: str) -> Patch:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="#222222", linewidth=0.5, zorder=9)


def _north_arrow(ax) -> None:  # noqa: ANN001
    ax.annotate(
        "N",
        xy=(0.95, 0.96),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        zorder=10,
        family=FONT_FAMILY,
        arrowprops={"arrowstyle": "-|>", "color": "#222222", "linewidth": 1.2},
    )


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


def _to_bytes(fig: Figure, fmt: str) -> bytes:
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported image format {fmt!r}; use 'png' or 'svg'")
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    params = {"svg.fonttype": "none"} if fmt == "svg" else {}
    import matplotlib

    with matplotlib.rc_context(params):
        fig.savefig(buffer, format=fmt, facecolor="white", metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, str | None]:
    # no creation date: the same data gives the same bytes
    return {"Software": None} if fmt == "png" else {"Date": None}
