"""Charts of the printed province report as small hand-written SVG documents.

Not matplotlib: a bar chart is a few paths and labels, built in microseconds (matplotlib's own
SVG is full of clip paths, and its PNGs cost ~0.2 s each to rasterise). The same SVG goes into
the HTML report and the Typst PDF, where the labels stay text.

Rows are the zone table rows of :class:`web.report.model.ProvinceReport`: ``code``,
``name``, ``planned_ha``, ``actual_ha`` (hectares), ``occupancy`` (0–1 or None).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final
from xml.sax.saxutils import escape

from geo.formatting import format_number
from web.i18n import translate
from web.report.map import PLANNED_EDGE

ACTUAL_COLOUR: Final = "#8c8c8c"
LOW_COLOUR: Final = "#d7301f"
OK_COLOUR: Final = "#4d9221"
LOW_OCCUPANCY: Final = 0.3
# viewport units: the chart prints 170 mm wide, so 4 units = 1 mm and 9 units ≈ 6.4 pt
WIDTH: Final = 680
LEFT: Final = 250
NAME_CHARS: Final = 34
"""Zone names longer than this are shortened with an ellipsis on the chart axis."""
RIGHT: Final = 660
TOP: Final = 24
ROW: Final = 14
BOTTOM: Final = 34
FONT: Final = 'font-family="Noto Sans" fill="#1a1a1a"'


def draw_area_chart(
    rows: Sequence[dict[str, Any]], *, lang: str = "vi", limit: int = 30
) -> str | None:
    """Planned vs actual area (ha) of the ``limit`` largest zones, as horizontal bars.

    Returns
    -------
    str or None
        A standalone ``<svg>`` document; None when no zone has a planned or actual area.

    Examples
    --------
    >>> draw_area_chart([{"code": "A", "planned_ha": 50.0, "actual_ha": 40.0}])[:4]
    '<svg'
    """
    data = [r for r in rows if (r.get("planned_ha") or r.get("actual_ha"))]
    if not data:
        return None
    data = sorted(data, key=lambda r: -(r.get("planned_ha") or 0.0))[:limit]
    planned = [r.get("planned_ha") or 0.0 for r in data]
    actual = [r.get("actual_ha") or 0.0 for r in data]
    axis = _Axis(max(planned + actual), len(data))
    legend = [
        (PLANNED_EDGE, translate("report.chart.planned", lang)),
        (ACTUAL_COLOUR, translate("report.chart.actual", lang)),
    ]
    return _chart(
        axis,
        [zone_label(r) for r in data],
        [
            _bars(axis, planned, PLANNED_EDGE, offset=-2.9, thickness=5.4),
            _bars(axis, actual, ACTUAL_COLOUR, offset=2.9, thickness=5.4),
        ],
        xlabel=translate("report.chart.area_axis", lang),
        legend=legend,
        lang=lang,
    )


def draw_occupancy_chart(
    rows: Sequence[dict[str, Any]], *, lang: str = "vi", limit: int = 30
) -> str | None:
    """Occupancy (leased / industrial land, %) of up to ``limit`` zones, lowest first.

    Bars below 30 % are red, a dashed line marks 30 %. Returns an ``<svg>`` document, or None
    when no zone has an occupancy.
    """
    data = [r for r in rows if r.get("occupancy") is not None]
    if not data:
        return None
    data = sorted(data, key=lambda r: r["occupancy"])[:limit]
    values = [100.0 * r["occupancy"] for r in data]
    axis = _Axis(max(100.0, max(values)), len(data))
    low = [v if v < 100 * LOW_OCCUPANCY else 0.0 for v in values]
    ok = [v if v >= 100 * LOW_OCCUPANCY else 0.0 for v in values]
    x = axis.x(100 * LOW_OCCUPANCY)
    threshold = (
        f'<path d="M{x:.1f},{TOP - 4}V{axis.bottom + 2}" stroke="#333" stroke-width="1" '
        'stroke-dasharray="4,3" fill="none"/>'
    )
    return _chart(
        axis,
        [zone_label(r) for r in data],
        [
            _bars(axis, low, LOW_COLOUR, offset=0.0, thickness=8.4),
            _bars(axis, ok, OK_COLOUR, offset=0.0, thickness=8.4),
            threshold,
        ],
        xlabel=translate("report.chart.occupancy_axis", lang),
        legend=[],
        lang=lang,
    )


def zone_label(row: dict[str, Any]) -> str:
    """How a chart names a zone: its name (shortened) and code.

    Examples
    --------
    >>> zone_label({"code": "KCN-1", "name": "Khu công nghiệp Phố Nối A"})
    'Khu công nghiệp Phố Nối A (KCN-1)'
    >>> zone_label({"code": "CCN-2", "name": None})
    'CCN-2'
    """
    name = str(row.get("name") or "").strip()
    if not name:
        return str(row["code"])
    if len(name) > NAME_CHARS:
        name = name[: NAME_CHARS - 1].rstrip() + "…"
    return f"{name} ({row['code']})"


class _Axis:
    """A linear x axis from 0 to a round maximum; one row of ``ROW`` units per bar."""

    def __init__(self, maximum: float, n: int) -> None:
        self.step = nice_step(maximum / 5.0)
        self.maximum = self.step * math.ceil(maximum / self.step) if maximum > 0 else 1.0
        self.n = n
        self.bottom = TOP + ROW * n

    def x(self, value: float) -> float:
        return LEFT + (RIGHT - LEFT) * value / self.maximum

    def y(self, index: int) -> float:
        return TOP + ROW * (index + 0.5)


def nice_step(raw: float) -> float:
    """A round tick step (1, 2 or 5 × 10ⁿ) not below ``raw``.

    Examples
    --------
    >>> nice_step(180.0), nice_step(0.3), nice_step(0.0)
    (200.0, 0.5, 1.0)
    """
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw * (1 - 1e-9))


def _bars(axis: _Axis, values: list[float], colour: str, *, offset: float, thickness: float) -> str:
    # every bar of one colour in one path: one node for the PDF renderer to paint
    parts = []
    for i, value in enumerate(values):
        if value > 0:
            top = axis.y(i) + offset - thickness / 2
            parts.append(f"M{LEFT},{top:.1f}h{axis.x(value) - LEFT:.1f}v{thickness}H{LEFT}Z")
    return f'<path d="{"".join(parts)}" fill="{colour}"/>' if parts else ""


def _chart(
    axis: _Axis,
    labels: list[str],
    layers: list[str],
    *,
    xlabel: str,
    legend: list[tuple[str, str]],
    lang: str,
) -> str:
    height = axis.bottom + BOTTOM
    ticks = [axis.step * k for k in range(int(round(axis.maximum / axis.step)) + 1)]
    grid = "".join(f"M{axis.x(t):.1f},{TOP - 4}V{axis.bottom}" for t in ticks)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}">',
        f'<path d="{grid}" stroke="#dddddd" stroke-width="1" fill="none"/>',
        *layers,
        f'<path d="M{LEFT},{TOP - 4}V{axis.bottom}H{RIGHT}" stroke="#333" fill="none"/>',
        *(
            f'<text x="{LEFT - 4}" y="{axis.y(i) + 3:.1f}" font-size="8.5" text-anchor="end" '
            f"{FONT}>{escape(label)}</text>"
            for i, label in enumerate(labels)
        ),
        *(
            f'<text x="{axis.x(t):.1f}" y="{axis.bottom + 12}" font-size="8.5" '
            f'text-anchor="middle" {FONT}>{_tick(t, lang)}</text>'
            for t in ticks
        ),
        f'<text x="{(LEFT + RIGHT) / 2}" y="{axis.bottom + 27}" font-size="9.5" '
        f'text-anchor="middle" {FONT}>{escape(xlabel)}</text>',
        *_legend(legend),
        "</svg>",
    ]
    return "".join(parts)


def _legend(items: list[tuple[str, str]]) -> list[str]:
    out = []
    for i, (colour, label) in enumerate(items):
        x = RIGHT - 150 * (len(items) - i)
        out.append(f'<rect x="{x}" y="4" width="14" height="8" fill="{colour}"/>')
        out.append(f'<text x="{x + 18}" y="11.5" font-size="9" {FONT}>{escape(label)}</text>')
    return out


def _tick(value: float, lang: str) -> str:
    return format_number(value, lang, digits=6)  # 1.000 and 0,5 in Vietnamese
