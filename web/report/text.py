"""The words and numbers of a province report, written once for both renderings: the HTML
templates (jinja2) and the print PDF (Typst).

Numbers keep a fixed number of decimals so table columns line up; Vietnamese writes 1.234,5
and dd/mm/yyyy, English 1,234.5 and yyyy-mm-dd.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from geo import formatting
from geo.formatting import format_date
from web.i18n import translate
from web.i18n.flags import flag_title

# the zone table: (i18n key of the header, is the column numeric)
ZONE_COLUMNS = (
    ("field.code", False),
    ("field.name", False),
    ("field.kind", False),
    ("field.status", False),
    ("report.col.established", False),
    ("report.col.planned_ha", True),
    ("report.col.actual_ha", True),
    ("report.col.iou", True),
    ("report.col.encroachment_ha", True),
    ("report.col.occupancy", True),
    ("report.col.flags", False),
)


def format_number(value: Any, digits: int = 1, lang: str = "vi") -> str:
    """A number with exactly ``digits`` decimals in the language's style; ``–`` when undefined.

    Examples
    --------
    >>> format_number(12345.678, 1, "vi"), format_number(12345.678, 1, "en")
    ('12.345,7', '12,345.7')
    """
    return formatting.format_number(value, lang, digits=digits, trim=False)


def format_percent(value: Any, lang: str = "vi") -> str:
    """A 0–1 share as a percentage (``53,2 %`` in Vietnamese, ``53.2%`` in English)."""
    if value is None:
        return "–"
    number = format_number(100.0 * float(value), 1, lang)
    return f"{number} %" if lang == "vi" else f"{number}%"


def source_text(source: dict[str, Any], lang: str) -> str:
    """One data source of the report in words (zones, an actual-footprint survey, boundaries)."""
    t = partial(translate, lang=lang)
    if source["kind"] == "zones":
        return f"{t('report.source.zones')}: {t('report.source.' + source['label'])}"
    if source["kind"] == "actual":
        return (
            f"{t('report.source.actual')}: {source['label']} ({source['zones']} "
            f"{t('report.source.zones_unit')}, {t('report.source.observed')} "
            f"{format_date(source['first'], lang)} – {format_date(source['date'], lang)})"
        )
    text = f"{t('report.source.boundaries')} {source['version']}: {source['label']}"
    if source.get("date"):
        text += f" ({t('report.source.valid_from')} {format_date(source['date'], lang)})"
    return text


def run_text(run: dict[str, Any] | None, lang: str) -> str:
    """The analysis run the numbers come from: ``#12 (completed 01/11/2026)``, then when its
    flags were computed and whether they are current (see :func:`analysis_text`)."""
    if run is None:
        return translate("report.no_run_short", lang)
    finished = format_date(run.get("finished_at"), lang)
    text = f"#{run['id']} ({translate('report.run_finished', lang)} {finished})"
    analysis = analysis_text(run.get("analysis"), lang)
    return f"{text}; {analysis}" if analysis else text


def analysis_text(fresh: dict[str, Any] | None, lang: str) -> str:
    """``flags as of 04/12/2026 08:03 UTC (current)``, or ``(updating…)``, or ``(the last
    analysis failed: …)``; empty without ``fresh`` (see ``analysis_status.freshness``)."""
    if not fresh:
        return ""
    t = partial(translate, lang=lang)
    state = t(f"report.analysis.{fresh['state']}")
    if fresh["state"] == "failed":
        state += ": " + "; ".join(
            f"{code or '–'} {error}" for code, error in sorted(fresh["errors"].items())
        )
    return f"{t('report.analysis.as_of')} {format_time(fresh.get('as_of'), lang)} ({state})"


def format_time(value: Any, lang: str) -> str:
    """An ISO time as ``dd/mm/yyyy HH:MM UTC`` (Vietnamese) or ``yyyy-mm-dd HH:MM UTC``."""
    if value in (None, ""):
        return "–"
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{format_date(moment, lang)} {moment:%H:%M} UTC"


def run_source_text(run: dict[str, Any] | None, lang: str) -> str:
    """The analysis run as a data source: ``Analysis run: #12, 01/11/2026, admin version …``."""
    label = translate("report.source.run", lang)
    if run is None:
        return f"{label}: {translate('report.no_run_short', lang)}"
    return (
        f"{label}: #{run['id']}, {format_date(run.get('finished_at'), lang)}, "
        f"{translate('report.admin_version', lang)} {run['admin_version']}"
    )


def summary_rows(summary: dict[str, Any], lang: str) -> list[tuple[str, str, str]]:
    """The summary table: (indicator, province value, national median) per line; zone kinds
    are indented with two no-break spaces."""
    t = partial(translate, lang=lang)

    def num(value: Any, digits: int) -> str:
        return format_number(value, digits, lang)

    s, national = summary, summary["national"]
    rows = [(t("report.sum.zones"), str(s["zones"]), num(national["zones"], 0))]
    rows += [
        (f"\u00a0\u00a0{kind} – {t('kind.' + kind)}", str(n), "")
        for kind, n in s["by_kind"].items()
    ]
    clark_evans = num(s["clark_evans_r"], 2)
    if s["clark_evans_p"] is not None:
        clark_evans += f" (p = {num(s['clark_evans_p'], 3)})"
    rows += [
        (
            t("report.sum.density"),
            num(s["density_per_1000km2"], 2),
            num(national["zones_per_1000km2"], 2),
        ),
        (
            t("report.sum.area_density"),
            num(s["zone_area_ha_per_1000km2"], 0),
            num(national["zone_area_ha_per_1000km2"], 0),
        ),
        (t("report.sum.planned_ha"), f"{num(s['planned_ha'], 1)} ha", ""),
        (t("report.sum.actual_ha"), f"{num(s['actual_ha'], 1)} ha", ""),
        (t("field.industrial_land"), f"{num(s['industrial_ha'], 1)} ha", ""),
        (t("field.leased_land"), f"{num(s['leased_ha'], 1)} ha", ""),
        (t("report.sum.occupancy"), format_percent(s["occupancy"], lang), ""),
        (t("report.sum.nn_mean"), f"{num(s['nn_mean_m'], 0)} m", ""),
        (t("report.sum.nn_median"), f"{num(s['nn_median_m'], 0)} m", ""),
        (t("report.sum.nn_min"), f"{num(s['nn_min_m'], 0)} m", ""),
        (t("report.sum.clark_evans"), clark_evans, num(national["clark_evans_r"], 2)),
    ]
    return rows


def zone_cells(zone: dict[str, Any], lang: str) -> list[str]:
    """The cells of one zone table row, in ``ZONE_COLUMNS`` order."""
    return [
        zone["code"],
        zone["name"],
        zone["kind"],
        translate("status." + zone["status"], lang),
        format_date(zone["established_on"], lang),
        format_number(zone["planned_ha"], 1, lang),
        format_number(zone["actual_ha"], 1, lang),
        format_number(zone["iou"], 2, lang),
        format_number(zone["encroachment_ha"], 1, lang),
        format_percent(zone["occupancy"], lang),
        "; ".join(flag_title(code, lang) for code in zone["flags"]),
    ]


def zone_facts(zone: dict[str, Any], lang: str) -> str:
    """One line of a flagged zone's facts: kind · status · established · areas · IoU · …"""
    t = partial(translate, lang=lang)
    return " · ".join(
        [
            zone["kind"],
            t("status." + zone["status"]),
            format_date(zone["established_on"], lang),
            f"{t('report.col.planned_ha')} {format_number(zone['planned_ha'], 1, lang)}",
            f"{t('report.col.actual_ha')} {format_number(zone['actual_ha'], 1, lang)}",
            f"IoU {format_number(zone['iou'], 2, lang)}",
            f"{t('report.col.encroachment_ha')} {format_number(zone['encroachment_ha'], 1, lang)}",
            f"{t('report.col.occupancy')} {format_percent(zone['occupancy'], lang)}",
        ]
    )
