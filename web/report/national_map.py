"""The national choropleth of the printed national report: flagged zones per 1,000 km² of
each province, drawn offline (no tiles) in WGS 84 / UTM 48N with a scale bar and north arrow.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from geo.formatting import format_number
from web.i18n import translate
from web.report.figure import figure_bytes
from web.report.furniture import FONT_FAMILY, draw_north_arrow, draw_scale_bar

# ColorBrewer YlOrRd, 5 classes; provinces without any flagged zone are a quiet grey
CLASS_COLOURS: Final = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NONE_COLOUR: Final = "#eeeeee"
MM_PER_INCH: Final = 25.4
UTM_48N: Final = 32648


def class_breaks(values: list[float], classes: int = len(CLASS_COLOURS)) -> list[float]:
    """Upper bounds of up to ``classes`` quantile classes of the positive ``values``.

    Examples
    --------
    >>> class_breaks([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 5)
    [1.0, 2.0, 3.0, 4.0, 5.0]
    >>> class_breaks([0.0, 0.0])
    []
    """
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    quantiles = np.quantile(positive, np.linspace(0, 1, classes + 1)[1:])
    return sorted({round(float(q), 6) for q in quantiles})


def draw_flag_density_map(
    outlines: gpd.GeoDataFrame,
    density: dict[str, float | None],
    *,
    lang: str = "vi",
    width_mm: float = 170.0,
    dpi: int = 150,
) -> bytes:
    """PNG of the provinces coloured by ``density`` (``{province code: flagged zones per
    1,000 km²}``); ``outlines`` are EPSG:4326 with a ``code`` column."""
    metric = outlines.to_crs(UTM_48N)
    values = [density.get(code) or 0.0 for code in metric["code"]]
    breaks = class_breaks(values)
    fig = Figure(figsize=(width_mm / MM_PER_INCH, 1.25 * width_mm / MM_PER_INCH), dpi=dpi)
    fig.set_layout_engine(None)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
    colours = [_colour(v, breaks) for v in values]
    metric.plot(ax=ax, color=colours, edgecolor="#555555", linewidth=0.3)
    xmin, ymin, xmax, ymax = metric.total_bounds
    pad = 0.03 * max(xmax - xmin, ymax - ymin)
    extent = (xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    draw_scale_bar(ax, extent)
    draw_north_arrow(ax)
    _legend(ax, breaks, lang)
    return figure_bytes(fig, "png")


def _colour(value: float, breaks: list[float]) -> str:
    if value <= 0 or not breaks:
        return NONE_COLOUR
    for index, upper in enumerate(breaks):
        if value <= upper:
            return CLASS_COLOURS[index + len(CLASS_COLOURS) - len(breaks)]
    return CLASS_COLOURS[-1]


def _legend(ax, breaks: list[float], lang: str) -> None:  # noqa: ANN001
    handles = [
        Patch(facecolor=NONE_COLOUR, edgecolor="#555555", label=translate("nat.map.none", lang))
    ]
    lower = 0.0
    for index, upper in enumerate(breaks):
        colour = CLASS_COLOURS[index + len(CLASS_COLOURS) - len(breaks)]
        label = f"{format_number(lower, lang, digits=2)} – {format_number(upper, lang, digits=2)}"
        handles.append(Patch(facecolor=colour, edgecolor="#555555", label=label))
        lower = upper
    ax.legend(
        handles=handles,
        title=translate("nat.map.legend", lang),
        loc="center left",
        fontsize=7,
        title_fontsize=7.5,
        frameon=True,
        prop={"family": FONT_FAMILY, "size": 7},
    )
