"""The words, numbers and tables of the editable province report (DOCX, XLSX), from the same
province report and text functions as its PDF and HTML."""

from __future__ import annotations

from functools import partial
from typing import Any

from geo.formatting import format_number
from web.i18n import translate
from web.i18n.flags import flag_message, flag_title
from web.report.common_text import change_blocks, meta_lines, thresholds_table
from web.report.document import Block, Column, Heading, Image, ReportDocument, Table
from web.report.html import MAP_DPI
from web.report.map import draw_province_map
from web.report.model import ProvinceReport
from web.report.text import source_text, summary_rows


def province_document(
    report: ProvinceReport,
    lang: str,
    *,
    with_map: bool = True,
) -> ReportDocument:
    """The province report as blocks; ``with_map`` False skips drawing the map."""
    t = partial(translate, lang=lang)
    province = report.province
    name = province["name_en"] if lang == "en" else province["name_vi"]
    blocks: list[Block] = [Heading(f"1. {t('prov.sec.summary')}", 1), _summary_table(report, lang)]
    if with_map:
        png = draw_province_map(
            report.zones,
            outline=report.outline,
            provinces=report.provinces,
            actual=report.actual,
            clusters=report.clusters,
            lang=lang,
            dpi=MAP_DPI,
        )
        blocks += [Heading(f"2. {t('prov.sec.map')}", 1), Image(png, t("report.map.caption"))]
    blocks += [
        Heading(f"3. {t('prov.sec.zones')}", 1),
        zone_table(report, lang),
        Heading(f"4. {t('prov.sec.flagged')}", 1),
        _flag_table(report, lang),
        *change_blocks(report.changes, lang, national=False),
        Heading(t("nat.sec.thresholds"), 1),
        thresholds_table(dict(report.run["thresholds"]) if report.run else {}, lang),
    ]
    notices = [("synthetic", t("report.synthetic"))] if report.is_synthetic else []
    notices += [("notice", t(key)) for key in report.notices]
    return ReportDocument(
        lang=lang,
        title=f"{t('report.title')} – {province['name_vi']}",
        subtitle=t("prov.subtitle").format(name=name),
        meta=meta_lines(
            lang=lang,
            data_date=report.data_date,
            version=province["admin_version"],
            runs=[report.run] if report.run else [],
            thresholds=dict(report.run["thresholds"]) if report.run else {},
            generated_on=report.generated_on,
        ),
        notices=notices,
        summary=_summary(report, lang, name),
        blocks=blocks,
        sources=[source_text(s, lang) for s in report.sources],
        generated_on=report.generated_on,
        footer=f"{province['name_vi']} ({province['code']})",
    )


def zone_table(report: ProvinceReport, lang: str) -> Table:
    """One row per zone with the columns of the periodic zone reports, worst flags first."""
    t = partial(translate, lang=lang)
    columns = (
        Column(t("rcol.zone_code")),
        Column(t("rcol.zone")),
        Column(t("rcol.kind")),
        Column(t("rcol.status")),
        Column(t("rcol.established"), "date"),
        Column(t("rcol.planned_ha"), "ha"),
        Column(t("rcol.industrial_ha"), "ha"),
        Column(t("rcol.leased_ha"), "ha"),
        Column(t("rcol.occupancy"), "share"),
        Column(t("rcol.projects"), "int"),
        Column(t("rcol.wastewater_status")),
        Column(t("rcol.actual_ha"), "ha"),
        Column(t("rcol.iou"), "num"),
        Column(t("rcol.encroachment_ha"), "ha"),
        Column(t("rcol.flags")),
    )
    extra = {z["code"]: z for z in report.zones.drop(columns="geometry").to_dict("records")}
    rows = []
    for row in report.rows:
        z = extra.get(row["code"], {})
        rows.append(
            [
                row["code"],
                row["name"],
                row["kind"],
                t("status." + row["status"]),
                row["established_on"],
                row["planned_ha"],
                _num(z.get("industrial_land_ha")),
                _num(z.get("leased_land_ha")),
                row["occupancy"],
                _int(z.get("projects")),
                _wastewater(z.get("wastewater_status"), lang),
                row["actual_ha"],
                row["iou"],
                row["encroachment_ha"],
                "; ".join(flag_title(c, lang) for c in row["flags"]),
            ]
        )
    return Table(
        sheet=t("prov.sec.zones")[:31],
        title=t("prov.sec.zones"),
        columns=columns,
        rows=rows,
        template=t("tpl.kcn"),
    )


def _summary_table(report: ProvinceReport, lang: str) -> Table:
    t = partial(translate, lang=lang)
    columns = (
        Column(t("rcol.indicator")),
        Column(t("report.sum.province")),
        Column(t("report.sum.national_median")),
    )
    return Table(
        sheet=t("prov.sec.summary")[:31],
        title=t("prov.sec.summary"),
        columns=columns,
        rows=[list(r) for r in summary_rows(report.summary, lang)],
        template=t("tpl.none"),
    )


def _flag_table(report: ProvinceReport, lang: str) -> Table:
    t = partial(translate, lang=lang)
    columns = (
        Column(t("rcol.zone_code")),
        Column(t("rcol.zone")),
        Column(t("rcol.severity")),
        Column(t("rcol.rule")),
        Column(t("rcol.message")),
    )
    rows = [
        [
            z["code"],
            z["name"],
            t("report.severity." + f["severity"]),
            flag_title(f["code"], lang),
            flag_message(f, lang),
        ]
        for z in report.flagged
        for f in z["flag_items"]
    ]
    rows += [
        [
            "–",
            "–",
            t("report.severity." + f["severity"]),
            flag_title(f["code"], lang),
            flag_message(f, lang),
        ]
        for f in report.province_flags
    ]
    return Table(
        sheet=t("prov.sec.flagged")[:31],
        title=t("prov.sec.flagged"),
        columns=columns,
        rows=rows,
        template=t("tpl.none"),
    )


def _summary(report: ProvinceReport, lang: str, name: str) -> dict[str, list[str]]:
    t = partial(translate, lang=lang)
    critical = sum(1 for z in report.flagged if z["worst_severity"] == "critical")
    findings = [
        t("prov.sum").format(
            name=name, zones=report.summary["zones"], flagged=len(report.flagged), critical=critical
        )
    ]
    codes: dict[str, int] = {}
    for z in report.flagged:
        for code in z["flags"]:
            codes[code] = codes.get(code, 0) + 1
    conclusions = [t("sum.no_flags")]
    if codes:
        top = max(sorted(codes), key=lambda c: codes[c])
        conclusions = [t("sum.top_rule").format(rule=flag_title(top, lang), zones=codes[top])]
    occupancy = report.summary["occupancy"]
    if occupancy is not None:
        conclusions.append(
            t("sum.occupancy").format(
                occupancy=f"{format_number(100 * occupancy, lang, digits=1)} %",
                leased=format_number(report.summary["leased_ha"], lang, digits=1),
                industrial=format_number(report.summary["industrial_ha"], lang, digits=1),
            )
        )
    return {
        "findings": findings,
        "conclusions": conclusions,
        "recommendations": [t("prov.rec.critical"), t("rec.data")],
    }


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def _int(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None else None


def _wastewater(value: Any, lang: str) -> str:
    if not isinstance(value, str) or not value:
        return "–"
    key = f"ww.{value}"
    from web.i18n import LABELS

    return translate(key, lang) if key in LABELS[lang] else value
