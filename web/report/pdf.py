"""Typeset a province report as an A4 PDF with Typst (``templates/report/province.typ``).

Typst lays out a 16-page report in a few hundredths of a second where an HTML typesetter
took ~3 s, so one province stays well under the 3 s goal even from a fresh process. The
template gets every text ready-made (``web.report.text``, shared with the HTML report) in a
JSON file and the drawings as files beside it, in a private temporary folder that is Typst's
root: the template can read nothing else, and nothing reaches the network. Fonts are Noto Sans
with DejaVu Sans as fallback (both from Debian), embedded as subsets.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from functools import cache, partial
from pathlib import Path
from typing import Any, Final

from web.env import TEMPLATES_DIR
from web.i18n import normalize_lang, translate
from web.i18n.flags import flag_message, flag_title
from web.report.common_text import run_thresholds_text
from web.report.html import ReportImages, draw_report_images, prepared_changes, show_toc
from web.report.map import SEVERITY_COLOURS
from web.report.model import SEVERITIES, ProvinceReport
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

LOG = logging.getLogger(__name__)
TEMPLATE: Final = TEMPLATES_DIR / "report" / "province.typ"
FONT_DIRS: Final = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/dejavu"),
)
# the labels the template looks up with t(key)
LABEL_KEYS: Final = (
    "report.title",
    "report.province_code",
    "report.page",
    "report.toc",
    "report.none",
    "report.no_flags",
    "report.province_flags",
    "report.section.map",
    "report.section.summary",
    "report.section.charts",
    "report.section.zones",
    "report.section.flagged",
    "report.section.sources",
    "report.map.caption",
    "report.map.planned",
    "report.map.actual",
    "report.map.encroachment",
    "report.sum.indicator",
    "report.sum.province",
    "report.sum.national_median",
    "report.sum.national_na",
    "report.sum.by_status",
    "report.sum.zones",
    "report.sum.flags",
    "report.col.flags",
    "report.severity.critical",
    "report.severity.warning",
    "report.severity.info",
    "ch.empty",
    "doc.template",
)


class ReportTypesetError(RuntimeError):
    """Typst refused the report (a bug in the template or its data, never the user's input)."""


def render_province_pdf(report: ProvinceReport, *, lang: str = "vi") -> bytes:
    """The report as PDF bytes (A4, Noto Sans embedded, page numbers, bookmarks, and a table
    of contents for long reports); ``lang`` is ``vi`` (default) or ``en``."""
    lang = normalize_lang(lang)
    drawn = draw_report_images(report, lang)
    with tempfile.TemporaryDirectory(prefix="zonemap-report-") as folder:
        root = Path(folder)
        files = _write_images(root, drawn)
        document = report_document(report, lang, files)
        (root / "data.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
        (root / "main.typ").write_text(_template(), "utf-8")
        return _typeset(root / "main.typ", root)


def report_document(report: ProvinceReport, lang: str, files: dict[str, Any]) -> dict[str, Any]:
    """Everything the Typst template prints, as JSON-ready strings and lists."""
    t = partial(translate, lang=lang)
    province, summary = report.province, report.summary
    generated = format_date(report.generated_on, lang)
    notices = [("synthetic", t("report.synthetic"))] if report.is_synthetic else []
    notices += [("notice", t(key)) for key in report.notices]
    return {
        "lang": lang,
        "title": f"{t('report.title')} – {province['name_vi']}",
        "labels": {key: t(key) for key in LABEL_KEYS},
        "colours": SEVERITY_COLOURS,
        "province": {
            "name": province["name_vi"],
            "code": province["code"],
            "name_en": province.get("name_en") if lang == "en" else None,
        },
        "meta": [
            (t("report.admin_version"), province["admin_version"]),
            (t("report.generated_on"), generated),
            (t("doc.data_date"), format_date(report.data_date, lang)),
            (t("report.run_id"), run_text(report.run, lang)),
            (t("doc.thresholds"), run_thresholds_text(report.run, lang)),
            (t("report.section.sources"), "; ".join(source_text(s, lang) for s in report.sources)),
        ],
        "notices": notices,
        "footer_left": f"{province['name_vi']} ({province['code']}) · {generated}",
        "show_toc": show_toc(report),
        "summary": {
            "rows": summary_rows(summary, lang),
            "clark_evans_text": t("report.ce." + summary["clark_evans_meaning"]),
            "national_na": summary["national"]["provinces"] is None,
            "by_status": [(t("status." + k), str(n)) for k, n in summary["by_status"].items()],
            "by_severity": [
                (sev, t("report.severity." + sev), str(summary["flags_by_severity"][sev]))
                for sev in SEVERITIES
                if sev in summary["flags_by_severity"]
            ],
        },
        "charts": [{"file": c["file"], "caption": t(c["caption"])} for c in files["charts"]],
        "zone_columns": [(t(key), numeric) for key, numeric in ZONE_COLUMNS],
        "zones": [[row["worst_severity"], *zone_cells(row, lang)] for row in report.rows],
        "province_flags": [_flag(f, lang) for f in report.province_flags],
        "flagged": [
            {
                "code": z["code"],
                "name": z["name"],
                "severity": z["worst_severity"],
                "facts": zone_facts(z, lang),
                "image": files["zones"][z["code"]],
                "flags": [_flag(f, lang) for f in z["flag_items"]],
            }
            for z in report.flagged
        ],
        "sources": [source_text(s, lang) for s in report.sources]
        + [run_source_text(report.run, lang)],
        "generated": f"{t('report.generated_by')} · {generated}",
        "changes": prepared_changes(report, lang),
    }


def _flag(flag: dict[str, Any], lang: str) -> tuple[str, str, str]:
    return (flag["severity"], flag_title(flag["code"], lang), flag_message(flag, lang))


def _write_images(root: Path, drawn: ReportImages) -> dict[str, Any]:
    (root / "map.png").write_bytes(drawn.map_png)
    charts = []
    for name, svg, caption in (
        ("area.svg", drawn.area_chart, "report.chart.area_title"),
        ("occupancy.svg", drawn.occupancy_chart, "report.chart.occupancy_title"),
    ):
        if svg:
            (root / name).write_text(svg, "utf-8")
            charts.append({"file": name, "caption": caption})
    zones = {}
    for number, (code, svg) in enumerate(drawn.zones.items()):
        zones[code] = f"zone-{number}.svg"  # zone codes are data: never part of a path
        (root / zones[code]).write_text(svg, "utf-8")
    return {"charts": charts, "zones": zones}


@cache
def _template() -> str:
    return TEMPLATE.read_text("utf-8")


_COMPILER_LOCK = threading.Lock()


@cache
def _compiler() -> Any:
    """One Typst compiler per process: it reads the font folders once (~50 ms)."""
    import typst

    fonts = [str(d) for d in FONT_DIRS if d.is_dir()]
    return typst.Compiler(font_paths=fonts, ignore_system_fonts=True)


def _typeset(main: Path, root: Path) -> bytes:
    import typst

    with _COMPILER_LOCK:  # a compiler is not meant to be shared by threads at once
        try:
            pdf, warnings = _compiler().compile_with_warnings(
                input=str(main), root=str(root), format="pdf"
            )
        except typst.TypstError as exc:
            raise ReportTypesetError(f"Typst could not typeset the report: {exc}") from exc
    for warning in warnings:  # e.g. a missing font: the PDF is made, but not as designed
        LOG.warning("report PDF: %s", warning)
    return pdf
