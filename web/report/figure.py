"""Matplotlib figures of the printed report as PNG or SVG bytes, deterministic (no dates)."""

from __future__ import annotations

import io

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

FORMATS = ("png", "svg")


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """Save ``fig`` (built with the object API, no pyplot state) as ``png`` or ``svg`` bytes.

    SVG keeps its text as text (``svg.fonttype: none``): it stays searchable in the PDF and is
    cheaper to produce than a raster. The same figure always gives the same bytes.

    Raises
    ------
    ValueError
        For any other format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unsupported image format {fmt!r}; use 'png' or 'svg'")
    (FigureCanvasAgg if fmt == "png" else FigureCanvasSVG)(fig)
    buffer = io.BytesIO()
    params = {"svg.fonttype": "none"} if fmt == "svg" else {}
    # no creation date or software tag: the same data gives the same bytes
    metadata: dict[str, str | None] = {"Software": None} if fmt == "png" else {"Date": None}
    with matplotlib.rc_context(params):
        fig.savefig(buffer, format=fmt, facecolor="white", metadata=metadata)
    return buffer.getvalue()
