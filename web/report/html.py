"""Render a province report as self-contained HTML (images as data URIs); the print PDF is
typeset by ``web.report.pdf`` from the same texts (``web.report.text``) and images.

The HTML has no external URL: maps and charts are embedded, styles are inline, and it falls
back to installed fonts (Noto Sans first).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from web.env import make_env
from web.i18n import normalize_lang, translate
from web.i18n.flags import flag_message, flag_title
from web.report.charts import draw_area_chart, draw_occupancy_chart
from web.report.common_text import change_blocks, run_thresholds_text
from web.report.map import SEVERITY_COLOURS, draw_province_map
from web.report.model import ProvinceReport
from web.report.text import (
    ZONE_COLUMNS,
    format_date,
    run_source_text,
    run_text,
    source_text,
    summary_rows,
    zone_cells,
    zone_facts,
)
from web.report.zoom import draw_zone_map

# a table of contents only for long reports (~8 pages and more); PDF bookmarks cover the rest
TOC_MIN_ZONES: Final = 60
TOC_MIN_FLAGGED: Final = 20
SVG: Final = "image/svg+xml"
PNG: Final = "image/png"
# 150 dpi: sharp on A4 print, a third fewer pixels to rasterise and embed than 200 dpi
MAP_DPI: Final = 150


@dataclass(frozen=True)
class ReportImages:
    """The drawings of one report: the province map (PNG), the two charts (SVG, None when
    there is nothing to chart) and one zoom map (SVG) per flagged zone code."""

    map_png: bytes
    area_chart: str | None
    occupancy_chart: str | None
    zones: dict[str, str]


def show_toc(report: ProvinceReport) -> bool:
    return len(report.rows) >= TOC_MIN_ZONES or len(report.flagged) >= TOC_MIN_FLAGGED


def render_province_report(
    report: ProvinceReport, *, lang: str = "vi", back_url: str | None = None
) -> str:
    """The report as one HTML document (A4 print styles, page numbers, table of contents).

    Parameters
    ----------
    report : ProvinceReport
        Assembled by the service layer (EPSG:4326 geometry, hectares).
    lang : str
        ``vi`` (default) or ``en``; anything else falls back to Vietnamese.
    back_url : str, optional
        The province page the report was opened from; shown as a link on screen, not printed.

    Returns
    -------
    str
        HTML with every image embedded as a data URI.
    """
    lang = normalize_lang(lang)
    drawn = draw_report_images(report, lang)
    title = f"{translate('report.title', lang)} – {report.province['name_vi']}"
    return (
        make_env()
        .get_template("report/province.html")
        .render(
            r=report,
            lang=lang,
            title=title,
            images=_data_uris(drawn),
            show_toc=show_toc(report),
            back_url=back_url,
            severity_colours=SEVERITY_COLOURS,
            zone_columns=ZONE_COLUMNS,
            source_text=partial(source_text, lang=lang),
            run_text=partial(run_text, lang=lang),
            thresholds_text=partial(run_thresholds_text, lang=lang),
            change_blocks=prepared_changes(report, lang),
            run_source_text=partial(run_source_text, lang=lang),
            summary_rows=partial(summary_rows, lang=lang),
            zone_cells=partial(zone_cells, lang=lang),
            zone_facts=partial(zone_facts, lang=lang),
            flag_message=partial(flag_message, lang=lang),
            flag_title=partial(flag_title, lang=lang),
            format_date=partial(format_date, lang=lang),
        )
    )


def prepared_changes(report: ProvinceReport, lang: str) -> list[dict[str, Any]]:
    """The changes section as prepared blocks (the same for the HTML and the PDF)."""
    from web.report.document_render import prepared_blocks

    return prepared_blocks(change_blocks(report.changes, lang, national=False), lang, images={})


def draw_report_images(report: ProvinceReport, lang: str) -> ReportImages:
    """Draw the province map, the charts and the zoom map of every flagged zone."""
    main = draw_province_map(
        report.zones,
        outline=report.outline,
        provinces=report.provinces,
        actual=report.actual,
        clusters=report.clusters,
        lang=lang,
        dpi=MAP_DPI,
    )
    return ReportImages(
        map_png=main,
        area_chart=draw_area_chart(report.rows, lang=lang),
        occupancy_chart=draw_occupancy_chart(report.rows, lang=lang),
        zones=_zone_maps(report),
    )


def _data_uris(drawn: ReportImages) -> dict[str, Any]:
    def svg(text: str | None) -> str | None:
        return data_uri(text.encode("utf-8"), SVG) if text else None

    return {
        "map": data_uri(drawn.map_png, PNG),
        "area_chart": svg(drawn.area_chart),
        "occupancy_chart": svg(drawn.occupancy_chart),
        "zones": {code: svg(text) for code, text in drawn.zones.items()},
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
        maps[code] = draw_zone_map(
            zone.geometry,
            actual=actual.get(code) if len(actual) else None,
            encroachment=zone.get("encroachment"),
            severity=item["worst_severity"],
        )
    return maps


def data_uri(data: bytes, mime: str) -> str:
    """``data:`` URI of ``data`` (base64).

    Examples
    --------
    >>> data_uri(b"<svg/>", "image/svg+xml")
    'data:image/svg+xml;base64,PHN2Zy8+'
    """
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
