"""Texts every report document shares: the metadata lines (data date, admin version,
analysis, thresholds), the thresholds table and the changes since an earlier date."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from geo.formatting import format_date, format_number
from web.i18n import translate
from web.i18n.flags import flag_title
from web.report.changes_model import ReportChanges
from web.report.document import Block, Column, Heading, Paragraph, Table
from web.report.text import analysis_text

PRINT_LIMIT = 200  # rows of a long list in the print formats; the spreadsheet has all
# the thresholds named in a report's heading lines (all of them are in its thresholds table)
MAIN_THRESHOLDS = (
    "footprint_mismatch.iou_min",
    "footprint_mismatch.encroachment_share_max",
    "footprint_mismatch.encroachment_ha_max",
    "slow_deployment.min_built_share",
    "low_occupancy.min_occupancy",
    "dense_cluster.distance_m",
    "ccn_size.min_ha",
    "ccn_size.max_ha",
)


def meta_lines(
    *,
    lang: str,
    data_date: dt.date | None,
    version: str,
    runs: list[dict[str, Any]],
    thresholds: dict[str, Any],
    generated_on: dt.date,
) -> list[tuple[str, str]]:
    """(label, value) lines naming the data date, admin version, analysis and thresholds."""
    t = partial(translate, lang=lang)
    analysis = "; ".join(
        f"#{r['id']} ({t('report.run_finished')} {format_date(r.get('finished_at'), lang)})"
        for r in runs
    ) or t("report.no_run_short")
    fresh = next((r["analysis"] for r in runs if r.get("analysis")), None)
    if fresh:
        analysis += "; " + analysis_text(fresh, lang)
    return [
        (t("doc.data_date"), format_date(data_date, lang)),
        (t("report.admin_version"), version),
        (t("doc.analysis"), analysis),
        (t("doc.thresholds"), threshold_summary(thresholds, lang)),
        (t("doc.generated_on"), format_date(generated_on, lang)),
    ]


def flat_thresholds(thresholds: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested thresholds as (dotted key, value) pairs in their order."""
    out: list[tuple[str, Any]] = []
    for key, value in thresholds.items():
        if isinstance(value, dict):
            out += flat_thresholds(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


def threshold_summary(thresholds: dict[str, Any], lang: str) -> str:
    """The main thresholds in one line (``MAIN_THRESHOLDS`` that the run has), then how many
    there are in all."""
    pairs = dict(flat_thresholds(thresholds))
    if not pairs:
        return translate("report.no_run_short", lang)
    main = [f"{key} = {_value(pairs[key], lang)}" for key in MAIN_THRESHOLDS if key in pairs]
    return "; ".join(main) + f"; … ({len(pairs)})"


def run_thresholds_text(run: dict[str, Any] | None, lang: str) -> str:
    """The thresholds an analysis run used, in one line (``threshold_summary``)."""
    return threshold_summary(dict((run or {}).get("thresholds") or {}), lang)


def thresholds_table(thresholds: dict[str, Any], lang: str) -> Table:
    """Every threshold used, by rule: the rule's name, the setting and its value."""
    t = partial(translate, lang=lang)
    rows = []
    for key, value in sorted(flat_thresholds(thresholds)):
        group, _, name = key.partition(".")
        rows.append([flag_title(group.upper(), lang), name or group, _value(value, lang)])
    return Table(
        sheet=t("nat.sec.thresholds")[:31],
        title=t("nat.sec.thresholds"),
        columns=(Column(t("rcol.rule")), Column(t("rcol.threshold")), Column(t("rcol.value"))),
        rows=rows,
        template=t("tpl.none"),
    )


def _value(value: Any, lang: str) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return format_number(value, lang, digits=3)
    return str(value)


def change_blocks(changes: ReportChanges | None, lang: str, *, national: bool) -> list[Block]:
    """The changes section: a sentence when there is nothing to compare with or nothing
    changed, otherwise one table per kind of change."""
    t = partial(translate, lang=lang)
    if changes is None:
        return [Heading(t("ch.section_plain"), 1), Paragraph(t("ch.none_earlier"))]
    date = format_date(changes.since, lang)
    blocks: list[Block] = [
        Heading(t("ch.section").format(date=date), 1),
        Paragraph(t(f"ch.basis.{changes.basis}").format(date=date), "note"),
    ]
    if changes.is_empty:
        return [*blocks, Paragraph(t("ch.no_changes").format(date=date))]
    blocks += _removed(changes, lang, date)
    blocks += [_added(changes, lang), _boundaries(changes, lang), _footprints(changes, lang)]
    if changes.flags_raised is None:
        blocks.append(Paragraph(t("ch.flags_unknown").format(date=date), "note"))
    else:
        blocks += [
            _flag_table(changes.flags_raised, "ch.raised", lang),
            _flag_table(changes.flags_cleared or [], "ch.cleared", lang),
        ]
    return blocks


def _removed(changes: ReportChanges, lang: str, date: str) -> list[Block]:
    t = partial(translate, lang=lang)
    if changes.zones_removed is None:
        return [Paragraph(t("ch.removed_unknown").format(date=date), "note")]
    if not changes.zones_removed:
        return [Paragraph(t("ch.removed_none"))]
    return [Paragraph(t("ch.removed").format(codes=", ".join(changes.zones_removed)))]


def _zone_columns(lang: str) -> tuple[Column, ...]:
    t = partial(translate, lang=lang)
    return (
        Column(t("rcol.zone_code")),
        Column(t("rcol.zone")),
        Column(t("rcol.kind")),
        Column(t("rcol.province")),
    )


def _zone_cells(row: dict[str, Any]) -> list[Any]:
    return [row["code"], row["name"], row["kind"], row["province_code"]]


def _table(key: str, lang: str, extra: tuple[Column, ...], rows: list[list[Any]]) -> Table:
    t = partial(translate, lang=lang)
    return Table(
        sheet=t(key)[:31],
        title=t(key),
        columns=(*_zone_columns(lang), *extra),
        rows=rows,
        template=t("tpl.none"),
        limit=PRINT_LIMIT,
        more_text=t("doc.more_rows"),
    )


def _added(changes: ReportChanges, lang: str) -> Table:
    t = partial(translate, lang=lang)
    extra = (
        Column(t("rcol.established"), "date"),
        Column(t("rcol.planned_ha"), "ha"),
        Column(t("rcol.entered_on"), "date"),
    )
    rows = [
        [*_zone_cells(z), z["established_on"], z["planned_area_ha"], z["entered_on"]]
        for z in changes.zones_added
    ]
    return _table("ch.added", lang, extra, rows)


def _boundaries(changes: ReportChanges, lang: str) -> Table:
    t = partial(translate, lang=lang)
    extra = (
        Column(t("rcol.version"), "int"),
        Column(t("rcol.decision")),
        Column(t("rcol.valid_from"), "date"),
        Column(t("rcol.previous_ha"), "ha"),
        Column(t("rcol.area_ha"), "ha"),
        Column(t("rcol.added_ha"), "ha"),
        Column(t("rcol.removed_ha"), "ha"),
    )
    rows = [
        [
            *_zone_cells(b),
            b["version"],
            b["decision_ref"],
            b["valid_from"],
            b["previous_ha"],
            b["area_ha"],
            b["added_ha"],
            b["removed_ha"],
        ]
        for b in changes.boundaries
    ]
    return _table("ch.boundaries", lang, extra, rows)


def _footprints(changes: ReportChanges, lang: str) -> Table:
    t = partial(translate, lang=lang)
    extra = (
        Column(t("rcol.source")),
        Column(t("rcol.observed_on"), "date"),
        Column(t("rcol.actual_ha"), "ha"),
        Column(t("rcol.planned_ha"), "ha"),
        Column(t("rcol.built_share"), "share"),
    )
    rows = [
        [
            *_zone_cells(f),
            f["source"],
            f["observed_on"],
            f["area_ha"],
            f["planned_ha"],
            f["built_share"],
        ]
        for f in changes.footprints
    ]
    return _table("ch.footprints", lang, extra, rows)


def _flag_table(flags: list[dict[str, Any]], key: str, lang: str) -> Table:
    t = partial(translate, lang=lang)
    columns = (
        Column(t("rcol.zone_code")),
        Column(t("rcol.zone")),
        Column(t("rcol.province")),
        Column(t("rcol.rule")),
        Column(t("rcol.severity")),
    )
    rows = [
        [
            f.get("zone_code") or "–",
            f.get("zone_name") or "–",
            f.get("province_code"),
            flag_title(f["code"], lang),
            t("report.severity." + f["severity"]),
        ]
        for f in flags
    ]
    return Table(
        sheet=t(key)[:31],
        title=t(key),
        columns=columns,
        rows=rows,
        template=t("tpl.none"),
        limit=PRINT_LIMIT,
        more_text=t("doc.more_rows"),
    )
