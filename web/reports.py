"""Render a province report as self-contained HTML (images as data URIs) or as PDF.

The HTML has no external URL: maps and charts are embedded, styles are inline. For the PDF
the Noto Sans font files (full Vietnamese coverage) are referenced as local ``file://`` URLs
that WeasyPrint embeds; the HTML served over HTTP falls back to installed fonts instead.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment

from web.env import make_env
from web.i18n import normalize_lang, translate
from web.report_charts import draw_area_chart, draw_occupancy_chart
from web.report_map import SEVERITY_COLOURS, draw_province_map
from web.report_model import ProvinceReport
from web.report_zoom import draw_zone_map

FONT_DIRS: Final = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/dejavu"),
)
FONT_FILES: Final = {
    ("Noto Sans", "normal", "normal"): "NotoSans-Regular.ttf",
    ("Noto Sans", "bold", "normal"): "NotoSans-Bold.ttf",
}
# a table of contents only for long reports (~8 pages and more); PDF bookmarks cover the rest
TOC_MIN_ZONES: Final = 60
TOC_MIN_FLAGGED: Final = 20
SVG: Final = "image/svg+xml"
PNG: Final = "image/png"
# 150 dpi: sharp on A4 print, a third fewer pixels to rasterise and embed than 200 dpi
MAP_DPI: Final = 150


def render_province_report(
    report: ProvinceReport, *, lang: str = "vi", embed_fonts: bool = False
) -> str:
    """The report as one HTML document (A4 print styles, page numbers, table of contents).

    Parameters
    ----------
    report : ProvinceReport
        Assembled by the service layer (EPSG:4326 geometry, hectares).
    lang : str
        ``vi`` (default) or ``en``; anything else falls back to Vietnamese.
    embed_fonts : bool
        Add ``@font-face`` rules pointing at the local Noto Sans files (for WeasyPrint).

    Returns
    -------
    str
        HTML with every image embedded as a data URI.
    """
    lang = normalize_lang(lang)
    env = _env()
    images = _images(report, lang)
    title = f"{translate('report.title', lang)} – {report.province['name_vi']}"
    return env.get_template("report/province.html").render(
        r=report,
        lang=lang,
        title=title,
        images=images,
        font_css=_font_css() if embed_fonts else "",
        show_toc=len(report.rows) >= TOC_MIN_ZONES or len(report.flagged) >= TOC_MIN_FLAGGED,
        severity_colours=SEVERITY_COLOURS,
    )


def render_province_pdf(html: str, *, base_dir: Path | None = None) -> bytes:
    """Typeset report HTML into PDF bytes with WeasyPrint (no network access)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    base_url = (base_dir or Path(__file__).resolve().parent).as_uri() + "/"
    # only local fonts and data URIs: a report never reaches the network
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def _images(report: ProvinceReport, lang: str) -> dict[str, Any]:
    main = draw_province_map(
        report.zones,
        outline=report.outline,
        provinces=report.provinces,
        actual=report.actual,
        clusters=report.clusters,
        lang=lang,
        dpi=MAP_DPI,
    )
    area = draw_area_chart(report.rows, lang=lang)
    occupancy = draw_occupancy_chart(report.rows, lang=lang)
    return {
        "map": data_uri(main, PNG),
        "area_chart": data_uri(area.encode("utf-8"), SVG) if area else None,
        "occupancy_chart": data_uri(occupancy.encode("utf-8"), SVG) if occupancy else None,
        "zones": _zone_maps(report),
    }


def _zone_maps(report: ProvinceReport) -> dict[str, str]:
    zones = report.zones.set_index("code")
    actual = (
        report.actual.drop_duplicates("zone_code").set_index("zone_code").geometry
        if len(report.actual)
        else {}
    )
    maps = {}
    for item in report.flagged:
        code = item["code"]
        zone = zones.loc[code]
        svg = draw_zone_map(
            zone.geometry,
            actual=actual.get(code) if len(actual) else None,
            encroachment=zone.get("encroachment"),
            severity=item["worst_severity"],
        )
        maps[code] = data_uri(svg.encode("utf-8"), SVG)
    return maps


def data_uri(data: bytes, mime: str) -> str:
    """``data:`` URI of ``data`` (base64).

    Examples
    --------
    >>> data_uri(b"<svg/>", "image/svg+xml")
    'data:image/svg+xml;base64,PHN2Zy8+'
    """
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _font_css() -> str:
    rules = []
    for (family, weight, style), name in FONT_FILES.items():
        path = next((d / name for d in FONT_DIRS if (d / name).exists()), None)
        if path is not None:
            rules.append(
                f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
                f"font-style: {style}; src: url('{path.as_uri()}'); }}"
            )
    return "\n".join(rules)


def _env() -> Environment:
    env = make_env()
    env.filters.update(num=format_number, pct=format_percent, date=format_date)
    return env


def format_number(value: Any, digits: int = 1, lang: str = "vi") -> str:
    """A number with thousands separators in the language's style; ``–`` when undefined.

    Examples
    --------
    >>> format_number(12345.678, 1, "vi"), format_number(12345.678, 1, "en")
    ('12.345,7', '12,345.7')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{float(value):,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_percent(value: Any, lang: str = "vi") -> str:
    """A 0–1 share as a percentage (``53,2 %`` in Vietnamese, ``53.2%`` in English)."""
    if value is None:
        return "–"
    number = format_number(100.0 * float(value), 1, lang)
    return f"{number} %" if lang == "vi" else f"{number}%"


def format_date(value: Any, lang: str = "vi") -> str:
    """``dd/mm/yyyy`` in Vietnamese, ISO ``yyyy-mm-dd`` in English; ``–`` when missing."""
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return str(value)
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()
