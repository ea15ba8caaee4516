"""Small zoomed maps of one zone (planned boundary vs actual footprint) as plain SVG.

Hand-written SVG instead of matplotlib: a report may hold dozens of these, and building a
path string takes microseconds. Inputs are EPSG:4326; drawing is in UTM 48N/49N (true shapes,
true scale bar). Shapes are simplified in that metric CRS to about half a pixel and drawn with
plain fills (no patterns, no filters): small files that the browser and Typst draw alike.
"""

from __future__ import annotations

from typing import Final
from xml.sax.saxutils import escape

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.frames import project
from web.report.furniture import scale_bar_length_m
from web.report.map import (
    ACTUAL_EDGE,
    ENCROACHMENT_EDGE,
    PLANNED_EDGE,
    SEVERITY_COLOURS,
    metric_epsg,
    metric_transformer,
)

PLANNED_FILL: Final = "#cfe3f3"
ACTUAL_FILL: Final = "#5a5a5a"
ENCROACHMENT_FILL: Final = "#d6604d"
TOLERANCE_PX: Final = 0.5


def draw_zone_map(
    planned: BaseGeometry | None,
    *,
    actual: BaseGeometry | None = None,
    encroachment: BaseGeometry | None = None,
    severity: str | None = None,
    width_px: int = 240,
    height_px: int = 176,
) -> str:
    """SVG of one zone: planned boundary (blue), actual footprint (grey), encroachment (red).

    Parameters
    ----------
    planned, actual, encroachment : shapely geometry or None
        EPSG:4326 polygons; any may be missing.
    severity : str, optional
        The zone's worst flag; colours the frame.
    width_px, height_px : int
        Size of the SVG viewport (it scales when printed).

    Returns
    -------
    str
        A standalone ``<svg>`` document; a framed empty box when every geometry is missing.

    Examples
    --------
    >>> from shapely import box
    >>> draw_zone_map(box(105.0, 21.0, 105.01, 21.01)).startswith("<svg")
    True
    """
    parts = [g for g in (planned, actual, encroachment) if g is not None and not g.is_empty]
    frame = SEVERITY_COLOURS.get(severity, "#888888")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_px}" height="{height_px}" '
        f'viewBox="0 0 {width_px} {height_px}">'
        f'<rect x="0.5" y="0.5" width="{width_px - 1}" height="{height_px - 1}" '
        f'fill="#fbf8f0" stroke="{frame}" stroke-width="3"/>'
    )
    if not parts:
        return head + "</svg>"
    centre = shapely.union_all(parts).representative_point()
    return head + _body(planned, actual, encroachment, metric_epsg(centre.x), width_px, height_px)


def _body(
    planned: BaseGeometry | None,
    actual: BaseGeometry | None,
    encroachment: BaseGeometry | None,
    epsg: int,
    width_px: int,
    height_px: int,
) -> str:
    to_m = metric_transformer(epsg)
    planned_m, actual_m, encroachment_m = (
        project(g, to_m) if g is not None and not g.is_empty else None
        for g in (planned, actual, encroachment)
    )
    present = [g for g in (planned_m, actual_m, encroachment_m) if g is not None]
    view = _Viewport(shapely.union_all(present).bounds, width_px, height_px)
    body = [
        _path(planned_m, view, fill=PLANNED_FILL, stroke=PLANNED_EDGE, width=1.6),
        _path(actual_m, view, fill=ACTUAL_FILL, stroke=ACTUAL_EDGE, width=1.0, opacity=0.45),
        _path(
            encroachment_m,
            view,
            fill=ENCROACHMENT_FILL,
            stroke=ENCROACHMENT_EDGE,
            width=1.0,
            opacity=0.55,
        ),
        _scale(view),
        _north(width_px),
    ]
    return "".join(body) + "</svg>"


class _Viewport:
    """Maps metric coordinates into the SVG box, equal scale on both axes, y flipped."""

    def __init__(self, bounds: tuple[float, ...], width_px: int, height_px: int) -> None:
        xmin, ymin, xmax, ymax = bounds
        span = max(xmax - xmin, ymax - ymin, 50.0)
        margin = 20.0
        self.scale = min(
            (width_px - 2 * margin) / max(xmax - xmin, span * 0.2),
            (height_px - 2 * margin) / max(ymax - ymin, span * 0.2),
        )
        self.cx, self.cy = (xmin + xmax) / 2, (ymin + ymax) / 2
        self.width, self.height = width_px, height_px

    def xy(self, coords: np.ndarray) -> np.ndarray:
        x = self.width / 2 + (coords[:, 0] - self.cx) * self.scale
        y = self.height / 2 - (coords[:, 1] - self.cy) * self.scale
        return np.column_stack([x, y])


def _path(
    geom_m: BaseGeometry | None,
    view: _Viewport,
    *,
    fill: str,
    stroke: str,
    width: float,
    opacity: float = 1.0,
) -> str:
    if geom_m is None or geom_m.is_empty:
        return ""
    simple = shapely.simplify(geom_m, TOLERANCE_PX / view.scale, preserve_topology=True)
    rings = []
    for polygon in shapely.get_parts(simple):
        if not isinstance(polygon, shapely.Polygon):
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            pts = view.xy(np.asarray(ring.coords))
            rings.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts[:-1]) + "Z")
    if not rings:
        return ""
    return (
        f'<path d="{"".join(rings)}" fill="{fill}" fill-opacity="{opacity}" '
        f'fill-rule="evenodd" stroke="{stroke}" stroke-width="{width}"/>'
    )


def _scale(view: _Viewport) -> str:
    width_m = view.width / view.scale
    length = scale_bar_length_m(width_m)
    px = length * view.scale
    x0, y0 = 8.0, view.height - 8.0
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    # sizes in viewport pixels: the map prints ~26 mm wide, so 15 px is ~4.5 pt
    return (
        f'<rect x="{x0}" y="{y0 - 5}" width="{px:.1f}" height="5" fill="#222"/>'
        f'<text x="{x0 + px + 4:.1f}" y="{y0}" font-size="15" '
        f'font-family="Noto Sans" fill="#222">{escape(label)}</text>'
    )


def _north(width_px: int) -> str:
    x = width_px - 16
    return (
        f'<path d="M{x},5 L{x + 7},21 L{x},17 L{x - 7},21 Z" fill="#222"/>'
        f'<text x="{x}" y="36" font-size="14" text-anchor="middle" font-weight="bold" '
        f'font-family="Noto Sans" fill="#222">N</text>'
    )
