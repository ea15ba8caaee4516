"""The words, numbers and tables of the national report, written once for every format
(HTML, PDF, DOCX, XLSX) as a ``ReportDocument``."""

from __future__ import annotations

from functools import partial
from typing import Any

from geo.formatting import format_number, format_share
from geo.vocabulary import ZONE_KINDS as KINDS
from geo.vocabulary import ZONE_STATUSES as STATUSES
from web.i18n import translate
from web.i18n.flags import flag_message, flag_title
from web.report.common_text import PRINT_LIMIT, change_blocks, meta_lines, thresholds_table
from web.report.document import Block, Column, Heading, Image, Paragraph, ReportDocument, Table
from web.report.model import SEVERITIES
from web.report.national_map import draw_flag_density_map
from web.report.national_model import NationalReport

DIRECTIVE_POINTS = ("planning", "fast", "thin", "ccn", "freeze")


def national_document(
    report: NationalReport, lang: str, *, with_map: bool = True
) -> ReportDocument:
    """The national report as blocks; ``with_map`` False skips drawing the choropleth (the
    spreadsheet has no use for it)."""
    t = partial(translate, lang=lang)
    blocks: list[Block] = [
        Heading(f"1. {t('nat.sec.kpis')}", 1),
        _kind_status_table(report, lang),
        _areas_table(report, lang),
        _rules_table(report, lang),
        Heading(f"2. {t('nat.sec.directive')}", 1),
        Paragraph(t("dir.intro"), "note"),
        *_directive_blocks(report, lang),
        Heading(f"3. {t('nat.sec.map')}", 1),
    ]
    if with_map:
        density = {p["code"]: p["flag_density"] for p in report.provinces}
        png = draw_flag_density_map(report.outlines, density, lang=lang)
        blocks.append(Image(png, t("nat.map.caption"), 150.0))
    blocks += [
        Heading(f"4. {t('nat.sec.provinces')}", 1),
        province_table(report, lang),
        Heading(f"5. {t('nat.sec.critical')}", 1),
        _critical_table(report, lang),
        *change_blocks(report.changes, lang, national=True),
        Heading(t("nat.sec.thresholds"), 1),
        thresholds_table(report.thresholds, lang),
    ]
    notices = [("synthetic", t("report.synthetic"))] if report.is_synthetic else []
    notices += [("notice", t(key)) for key in report.notices]
    return ReportDocument(
        lang=lang,
        title=t("nat.title"),
        subtitle=t("nat.subtitle"),
        meta=meta_lines(
            lang=lang,
            data_date=report.data_date,
            version=report.admin_version,
            runs=report.runs,
            thresholds=report.thresholds,
            generated_on=report.generated_on,
        ),
        notices=notices,
        summary=_summary(report, lang),
        blocks=blocks,
        sources=_sources(report, lang),
        generated_on=report.generated_on,
        footer=f"{t('nat.title')} · {report.admin_version}",
    )


def province_table(report: NationalReport, lang: str) -> Table:
    """One row per province, ranked by the share of flagged zones; national total last."""
    t = partial(translate, lang=lang)
    columns = (
        Column(t("rcol.rank"), "int"),
        Column(t("rcol.code")),
        Column(t("rcol.province")),
        Column(t("rcol.zones"), "int"),
        Column(t("rcol.planned_ha"), "ha"),
        Column(t("rcol.industrial_ha"), "ha"),
        Column(t("rcol.leased_ha"), "ha"),
        Column(t("rcol.occupancy"), "share"),
        Column(t("rcol.projects"), "int"),
        Column(t("rcol.wastewater"), "int"),
        Column(t("rcol.flagged"), "int"),
        Column(t("rcol.flagged_share"), "share"),
        Column(t("rcol.critical_zones"), "int"),
        Column(t("rcol.flag_density"), "num"),
    )
    keys = (
        "zones",
        "planned_ha",
        "industrial_ha",
        "leased_ha",
        "occupancy",
        "projects",
        "wastewater_operating",
        "flagged_zones",
        "flagged_share",
        "critical_zones",
        "flag_density",
    )
    rows = [
        [rank, p["code"], p["name_en"] if lang == "en" else p["name_vi"], *(p[k] for k in keys)]
        for rank, p in enumerate(report.provinces, start=1)
    ]
    total = [None, None, t("doc.total"), *(report.totals[k] for k in keys)]
    return Table(
        sheet=t("nat.sec.provinces")[:31],
        title=t("nat.sec.provinces"),
        columns=columns,
        rows=rows,
        template=t("tpl.kcn"),
        total=total,
    )


def _kind_status_table(report: NationalReport, lang: str) -> Table:
    t = partial(translate, lang=lang)
    columns = (
        Column(t("rcol.kind")),
        *(Column(t("status." + s), "int") for s in STATUSES),
        Column(t("rcol.total"), "int"),
    )
    rows = []
    for kind in KINDS:
        counts = report.by_kind_status.get(kind, {})
        rows.append(
            [
                f"{kind} – {t('kind.' + kind)}",
                *(counts.get(s, 0) for s in STATUSES),
                sum(counts.values()),
            ]
        )
    total = [
        t("doc.total"),
        *(sum(r[i + 1] for r in rows) for i in range(len(STATUSES))),
        report.totals["zones"],
    ]
    return Table(
        sheet=t("nat.tab.kind_status")[:31],
        title=t("nat.tab.kind_status"),
        columns=columns,
        rows=rows,
        total=total,
        template=t("tpl.none"),
    )


def _areas_table(report: NationalReport, lang: str) -> Table:
    t = partial(translate, lang=lang)
    columns = (
        Column(t("rcol.kind")),
        Column(t("rcol.zones"), "int"),
        Column(t("rcol.planned_ha"), "ha"),
        Column(t("rcol.industrial_ha"), "ha"),
        Column(t("rcol.leased_ha"), "ha"),
        Column(t("rcol.occupancy"), "share"),
    )
    rows = [_kind_area_row(report, kind, lang) for kind in KINDS]
    tot = report.totals
    total = [
        t("doc.total"),
        tot["zones"],
        tot["planned_ha"],
        tot["industrial_ha"],
        tot["leased_ha"],
        tot["occupancy"],
    ]
    return Table(
        sheet=t("nat.tab.areas")[:31],
        title=t("nat.tab.areas"),
        columns=columns,
        rows=rows,
        total=total,
        template=t("tpl.kcn"),
    )


def _kind_area_row(report: NationalReport, kind: str, lang: str) -> list[Any]:
    area = report.directive["area_by_kind"].get(kind, {})
    industrial, leased = area.get("industrial_ha", 0.0), area.get("leased_ha", 0.0)
    return [
        f"{kind} – {translate('kind.' + kind, lang)}",
        area.get("zones", 0),
        area.get("planned_ha", 0.0),
        industrial,
        leased,
        leased / industrial if industrial else None,
    ]


def _rules_table(report: NationalReport, lang: str) -> Table:
    t = partial(translate, lang=lang)
    columns = (
        Column(t("rcol.rule")),
        *(Column(t("report.severity." + s), "int") for s in SEVERITIES),
        Column(t("rcol.flagged"), "int"),
    )
    rows = [
        [flag_title(r["code"], lang), *(r[s] for s in SEVERITIES), r["zones"]]
        for r in report.flags_by_rule
    ]
    return Table(
        sheet=t("nat.tab.rules")[:31],
        title=t("nat.tab.rules"),
        columns=columns,
        rows=rows,
        template=t("tpl.none"),
    )


def _critical_table(report: NationalReport, lang: str) -> Table:
    t = partial(translate, lang=lang)
    names = {p["code"]: p["name_en"] if lang == "en" else p["name_vi"] for p in report.provinces}
    columns = tuple(
        Column(t(key))
        for key in (
            "rcol.province",
            "rcol.zone_code",
            "rcol.zone",
            "rcol.kind",
            "rcol.rule",
            "rcol.message",
        )
    )
    rows = [
        [
            names.get(f["province_code"], f["province_code"]),
            f["zone_code"] or "–",
            f.get("zone_name") or "–",
            f.get("kind") or "–",
            flag_title(f["code"], lang),
            flag_message(f, lang),
        ]
        for f in report.critical_flags
    ]
    return Table(
        sheet=t("nat.sec.critical")[:31],
        title=t("nat.sec.critical"),
        columns=columns,
        rows=rows,
        template=t("tpl.none"),
        limit=PRINT_LIMIT,
        more_text=t("doc.more_rows"),
    )


def _directive_blocks(report: NationalReport, lang: str) -> list[Block]:
    t = partial(translate, lang=lang)
    d, tot = report.directive, report.totals
    rules, ccn = d["zones_by_rule"], d["ccn_by_rule"]

    def n(value: Any) -> str:
        return format_number(value, lang, digits=0)

    def ha(value: Any) -> str:
        return format_number(value, lang, digits=1)

    figures = {
        "planning": {
            "mismatch": n(rules["FOOTPRINT_MISMATCH"]),
            "encroach": n(rules["ENCROACHMENT"]),
            "outside": n(rules["OUTSIDE_PLANNING"]),
            "overlap": n(rules["OVERLAP"]),
            "cross": n(rules["CROSS_PROVINCE"]),
        },
        "fast": {
            "zones": n(tot["zones"]),
            "kkt": n(d["by_kind"].get("KKT", 0)),
            "kcn": n(d["by_kind"].get("KCN", 0)),
            "ccn": n(d["by_kind"].get("CCN", 0)),
            "density": format_number(tot["density"], lang, digits=2),
            "dense": n(rules["DENSE_CLUSTER"]),
            "planned": n(d["planned_status"]),
        },
        "thin": {
            "occupancy": format_share(tot["occupancy"], lang),
            "leased": ha(tot["leased_ha"]),
            "industrial": ha(tot["industrial_ha"]),
            "unleased": ha(d["unleased_ha"]),
            "low": n(rules["LOW_OCCUPANCY"]),
            "unbuilt": n(d["slow_zones"]),
        },
        "ccn": {
            "ccn": n(d["by_kind"].get("CCN", 0)),
            "size": n(ccn["CCN_SIZE_RULE"]),
            "newexp": n(ccn["CCN_NEW_OR_EXPANSION_RULE"]),
            "slow": n(d["slow_ccn"]),
            "low": n(ccn["LOW_OCCUPANCY"]),
        },
        "freeze": {"moratorium": n(ccn["MORATORIUM"] or rules["MORATORIUM"])},
    }
    blocks: list[Block] = []
    for number, point in enumerate(DIRECTIVE_POINTS, start=1):
        blocks.append(Heading(f"2.{number}. {t(f'dir.{point}.title')}", 2))
        blocks.append(Paragraph(t(f"dir.{point}.text").format(**figures[point])))
    return blocks


def _summary(report: NationalReport, lang: str) -> dict[str, list[str]]:
    t = partial(translate, lang=lang)
    tot = report.totals
    top = [p for p in report.provinces if p["flagged_zones"]][:3]
    names = ", ".join(p["name_en"] if lang == "en" else p["name_vi"] for p in top) or "–"
    findings = [
        t("sum.national").format(
            zones=format_number(tot["zones"], lang, digits=0),
            provinces=tot["provinces"],
            version=report.admin_version,
            flagged=format_number(tot["flagged_zones"], lang, digits=0),
            share=format_share(tot["flagged_share"], lang),
            critical=format_number(tot["critical_zones"], lang, digits=0),
        ),
        t("sum.occupancy").format(
            occupancy=format_share(tot["occupancy"], lang),
            leased=format_number(tot["leased_ha"], lang, digits=1),
            industrial=format_number(tot["industrial_ha"], lang, digits=1),
        ),
    ]
    conclusions = []
    if report.flags_by_rule:
        first = report.flags_by_rule[0]
        conclusions.append(
            t("sum.top_rule").format(rule=flag_title(first["code"], lang), zones=first["zones"])
        )
        conclusions.append(t("sum.top_provinces").format(names=names))
        many = sum(1 for p in report.provinces if (p["flagged_share"] or 0) > 1 / 3)
        conclusions.append(t("sum.many_flagged").format(n=many))
    else:
        conclusions.append(t("sum.no_flags"))
    recommendations = [
        t("rec.critical").format(critical=format_number(tot["critical_zones"], lang, digits=0)),
        t("rec.provinces").format(names=names),
        t("rec.freeze"),
        t("rec.data"),
    ]
    return {"findings": findings, "conclusions": conclusions, "recommendations": recommendations}


def _sources(report: NationalReport, lang: str) -> list[str]:
    t = partial(translate, lang=lang)
    register = t("report.source.synthetic" if report.is_synthetic else "report.source.register")
    return [
        f"{t('report.source.zones')}: {register} "
        f"({format_number(report.totals['zones'], lang, digits=0)} "
        f"{t('report.source.zones_unit')})",
        f"{t('report.source.boundaries')} {report.admin_version}: Open Development Vietnam",
        *(f"{t('report.source.run')}: #{r['id']}" for r in report.runs),
    ]
