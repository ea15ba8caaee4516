"""Charts of the printed province report (matplotlib object API, Agg canvas, PNG bytes).

Rows are the zone table rows of :class:`web.report_model.ProvinceReport`: ``code``,
``planned_ha``, ``actual_ha`` (hectares), ``occupancy`` (0–1 or None).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from web.i18n import translate
from web.report_map import FONT_FAMILY, MM_PER_INCH, PLANNED_EDGE

ACTUAL_COLOUR: Final = "#8c8c8c"
LOW_OCCUPANCY: Final = 0.3


def draw_area_chart(
    rows: Sequence[dict[str, Any]], *, lang: str = "vi", limit: int = 30, dpi: int = 200
) -> bytes | None:
    """Planned vs actual area (ha) of the ``limit`` largest zones, as horizontal bars (PNG).

    Returns None when no zone has a planned or actual area.

    Examples
    --------
    >>> draw_area_chart([{"code": "A", "planned_ha": 50.0, "actual_ha": 40.0}])[:4]
    b'\\x89PNG'
    """
    data = [r for r in rows if (r.get("planned_ha") or r.get("actual_ha"))]
    if not data:
        return None
    data = sorted(data, key=lambda r: -(r.get("planned_ha") or 0.0))[:limit][::-1]
    fig, ax = _figure(len(data), dpi)
    y = np.arange(len(data))
    planned = [r.get("planned_ha") or 0.0 for r in data]
    actual = [r.get("actual_ha") or 0.0 for r in data]
    ax.barh(
        y + 0.2,
        planned,
        height=0.4,
        color=PLANNED_EDGE,
        label=translate("report.chart.planned", lang),
    )
    ax.barh(
        y - 0.2,
        actual,
        height=0.4,
        color=ACTUAL_COLOUR,
        label=translate("report.chart.actual", lang),
    )
    _axes(ax, y, [r["code"] for r in data], translate("report.chart.area_axis", lang))
    ax.legend(loc="lower right", fontsize=6.5, frameon=False, prop={"family": FONT_FAMILY})
    return _png(fig)


def draw_occupancy_chart(
    rows: Sequence[dict[str, Any]], *, lang: str = "vi", limit: int = 30, dpi: int = 200
) -> bytes | None:
    """Occupancy (leased / industrial land, %) of up to ``limit`` zones, lowest first (PNG).

    Bars below 30 % are red. Returns None when no zone has an occupancy.
    """
    data = [r for r in rows if r.get("occupancy") is not None]
    if not data:
        return None
    data = sorted(data, key=lambda r: r["occupancy"])[:limit][::-1]
    fig, ax = _figure(len(data), dpi)
    y = np.arange(len(data))
    values = [100.0 * r["occupancy"] for r in data]
    colours = ["#d7301f" if r["occupancy"] < LOW_OCCUPANCY else "#4d9221" for r in data]
    ax.barh(y, values, height=0.6, color=colours)
    ax.axvline(100 * LOW_OCCUPANCY, color="#333333", linewidth=0.6, linestyle="--")
    ax.set_xlim(0, max(100.0, max(values) * 1.05))
    _axes(ax, y, [r["code"] for r in data], translate("report.chart.occupancy_axis", lang))
    return _png(fig)


def _figure(n: int, dpi: int) -> tuple[Figure, Any]:
    height_mm = 22 + 4.2 * n
    fig = Figure(figsize=(170 / MM_PER_INCH, height_mm / MM_PER_INCH), dpi=dpi)
    ax = fig.add_axes((0.16, 14 / height_mm, 0.80, 1 - 18 / height_mm))
    return fig, ax


def _axes(ax: Any, y: np.ndarray, labels: list[str], xlabel: str) -> None:
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=6, family=FONT_FAMILY)
    ax.set_ylim(-0.6, len(y) - 0.4)
    ax.tick_params(axis="x", labelsize=6.5)
    ax.set_xlabel(xlabel, fontsize=7, family=FONT_FAMILY)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white", metadata={"Software": None})
    return buffer.getvalue()
