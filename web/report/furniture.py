"""Map furniture of the printed province map: graticule with degree labels, scale bar, north
arrow. Axes are in a metric CRS (UTM 48N/49N, metres); ``to_m`` transforms EPSG:4326 lon/lat
into it."""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import shapely
from matplotlib.patches import Patch, Rectangle
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

FONT_FAMILY: Final = ["Noto Sans", "DejaVu Sans"]
Extent = tuple[float, float, float, float]


def extent_deg(extent: Extent, to_m: Transformer) -> BaseGeometry:
    """The metric ``extent`` (xmin, ymin, xmax, ymax in metres) as an EPSG:4326 polygon,
    densified so its curved edges stay true."""
    xmin, ymin, xmax, ymax = extent
    xs = np.linspace(xmin, xmax, 20)
    ys = np.linspace(ymin, ymax, 20)
    ring_x = np.concatenate([xs, np.full(20, xmax), xs[::-1], np.full(20, xmin)])
    ring_y = np.concatenate([np.full(20, ymin), ys, np.full(20, ymax), ys[::-1]])
    lon, lat = to_m.transform(ring_x, ring_y, direction="INVERSE")
    return shapely.Polygon(np.column_stack([lon, lat]))


def draw_graticule(ax, extent: Extent, to_m: Transformer) -> None:  # noqa: ANN001
    """Dotted meridians and parallels at a round step, labelled in degrees on the frame."""
    box = extent_deg(extent, to_m)
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


def draw_scale_bar(ax, extent: Extent) -> None:  # noqa: ANN001
    """A four-segment scale bar (metres or km) at the lower left of a metric ``extent``."""
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
    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="#222222", linewidth=0.5, zorder=9)


def draw_north_arrow(ax) -> None:  # noqa: ANN001
    """An arrow labelled N at the upper right (UTM grid north, within 1.5° of true north)."""
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
