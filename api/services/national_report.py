"""The national report: every province of an admin version rolled up from the register and
the latest analysis result of each province, with what changed since an earlier date.

Which result each province reads comes from ``api.db.repositories.analysis.latest_run``; the
flags of those runs are then counted in SQL (``national_flags.sql``: counts per province, per
rule and for the country), because reading every flag with its details took 6.5 s at 10× and
would not fit the 60 s goal at 100×.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from api.db.repositories import analysis as analysis_repo
from api.db.repositories import report_records as records_repo
from api.db.repositories import reports as reports_repo
from api.db.repositories import zones as zones_repo
from api.services.admin_area import check_admin_area
from api.services.analysis_status import analysis_status, freshness, report_notices
from api.services.report_changes import changes_since
from geo.types import ZONE_KINDS
from web.report.model import SEVERITIES
from web.report.national_model import NationalReport

SUMS = ("zones", "planned_ha", "industrial_ha", "leased_ha", "wastewater_operating", "synthetic")
DIRECTIVE_RULES = (
    "FOOTPRINT_MISMATCH",
    "ENCROACHMENT",
    "OUTSIDE_PLANNING",
    "OVERLAP",
    "CROSS_PROVINCE",
    "DENSE_CLUSTER",
    "LOW_OCCUPANCY",
    "UNBUILT",
    "SLOW_DEPLOYMENT",
    "CCN_SIZE_RULE",
    "CCN_NEW_OR_EXPANSION_RULE",
    "MORATORIUM",
)


def build_national_report(
    session: Session,
    *,
    version: str,
    since: dt.date | None = None,
    today: dt.date | None = None,
) -> NationalReport:
    """Assemble the national report of admin ``version``.

    Raises InvalidParameterError for an unknown version or a ``since`` before any data. When
    no analysis covers any province and zones exist, one national run is made first (in the
    caller's transaction), as the province report does.
    """
    check_admin_area(session, version, None)
    outlines = reports_repo.province_outlines(session, version=version)
    codes = [str(c) for c in outlines["code"]]
    runs, notices = _runs(session, version, codes, today)
    run_ids = {code: run["id"] for code, run in runs.items()}
    if runs:
        fresh = freshness(analysis_status(session, version))
        runs = {code: {**run, "analysis": fresh} for code, run in runs.items()}
        notices += report_notices(fresh)
    counts = records_repo.flag_counts(session, run_ids) if run_ids else []
    totals_rows = records_repo.zone_totals(session, version=version)
    provinces = _province_rows(outlines, totals_rows, counts)
    area_km2 = sum(p["area_km2"] or 0 for p in provinces)
    totals = _totals(totals_rows, _whole(counts), len(codes), area_km2)
    newest = max(runs.values(), key=lambda r: r["id"], default=None)
    all_codes = zones_repo.all_codes(session)
    return NationalReport(
        admin_version=version,
        totals=totals,
        by_kind_status=_by_kind_status(totals_rows),
        flags_by_rule=_flags_by_rule(counts),
        provinces=sorted(
            provinces, key=lambda p: (-(p["flagged_share"] or 0), -p["flagged_zones"], p["code"])
        ),
        outlines=outlines,
        critical_flags=records_repo.critical_flags(session, run_ids) if run_ids else [],
        directive=_directive(counts, totals, totals_rows),
        runs=sorted({r["id"]: r for r in runs.values()}.values(), key=lambda r: r["id"]),
        thresholds=dict(newest["thresholds"]) if newest else {},
        data_date=records_repo.data_dates(session)[1],
        generated_on=today or dt.date.today(),
        is_synthetic=totals["synthetic"] > 0,  # any demo zone makes the figures unofficial
        changes=changes_since(
            session,
            area="national",
            version=version,
            since=since,
            codes=all_codes,
            province=None,
            current_runs=run_ids,
        ),
        notices=notices,
    )


def record_report(session: Session, report: NationalReport, *, fmt: str, lang: str) -> None:
    """Keep a record of the written report (the next report compares with it)."""
    records_repo.record(
        session,
        area="national",
        version=report.admin_version,
        fmt=fmt,
        lang=lang,
        since=report.changes.since if report.changes else None,
        run_ids=[r["id"] for r in report.runs],
        zone_codes=zones_repo.all_codes(session),
    )


def _runs(
    session: Session, version: str, codes: list[str], today: dt.date | None
) -> tuple[dict[str, dict], tuple[str, ...]]:
    """The latest complete run covering each province (provinces without one are left out)."""
    runs = _latest_runs(session, version, codes)
    if runs or zones_repo.count(session) == 0:
        return runs, (() if runs else ("report.notice.no_run",))
    from api.services.analysis import run_analysis  # loads the analysis only when needed

    run_analysis(session, version=version, province=None, today=today)
    return _latest_runs(session, version, codes), ("report.notice.run_created",)


def _latest_runs(session: Session, version: str, codes: list[str]) -> dict[str, dict]:
    found = {c: analysis_repo.latest_run(session, version=version, province=c) for c in codes}
    return {c: r for c, r in found.items() if r is not None}


def _whole(counts: list[dict]) -> dict[str, Any]:
    """The whole-country row of the flag counts (zeros when there are no flags)."""
    rows = [r for r in counts if not r["by_province"] and not r["by_rule"]]
    return rows[0] if rows else {"zones": 0, "critical_zones": 0, "slow_zones": 0, "slow_ccn": 0}


def _province_rows(outlines: Any, totals_rows: list[dict], counts: list[dict]) -> list[dict]:
    sums: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(float))
    for row in totals_rows:
        target = sums[row["province_code"]]
        for key in (*SUMS, "projects_known"):
            target[key] += row[key] or 0
        target[row["kind"]] += row["zones"]
        target["projects"] = (target.get("projects") or 0) + (row["projects"] or 0)
    flagged = {r["province_code"]: r for r in counts if r["by_province"]}
    rows = []
    for p in outlines.drop(columns="geometry").to_dict("records"):
        s, f = sums.get(p["code"], {}), flagged.get(p["code"], {})
        zones = int(s.get("zones", 0))
        area = float(p["area_km2"]) if p.get("area_km2") else None
        rows.append(
            {
                "code": p["code"],
                "name_vi": p["name_vi"],
                "name_en": p["name_en"],
                "area_km2": area,
                "zones": zones,
                **{k: int(s.get(k, 0)) for k in ZONE_KINDS},
                **{k: float(s.get(k, 0.0)) for k in ("planned_ha", "industrial_ha", "leased_ha")},
                "occupancy": _share(s.get("leased_ha"), s.get("industrial_ha")),
                "projects": int(s["projects"]) if s.get("projects_known") else None,
                "wastewater_operating": int(s.get("wastewater_operating", 0)),
                "flagged_zones": f.get("zones", 0),
                "critical_zones": f.get("critical_zones", 0),
                "flagged_share": _share(f.get("zones", 0), zones),
                "flag_density": f.get("zones", 0) * 1000.0 / area if area else None,
            }
        )
    return rows


def _totals(rows: list[dict], flagged: dict, provinces: int, area_km2: float) -> dict:
    totals: dict[str, Any] = {k: sum(r[k] or 0 for r in rows) for k in SUMS}
    zones = flagged["zones"]
    totals.update(
        occupancy=_share(totals["leased_ha"], totals["industrial_ha"]),
        flagged_zones=zones,
        critical_zones=flagged["critical_zones"],
        flagged_share=_share(zones, totals["zones"]),
        provinces=provinces,
        unplaced=sum(r["zones"] for r in rows if r["province_code"] is None),
        density=totals["zones"] * 1000.0 / area_km2 if area_km2 else None,
        flag_density=zones * 1000.0 / area_km2 if area_km2 else None,
        projects=sum(r["projects"] or 0 for r in rows)
        if any(r["projects_known"] for r in rows)
        else None,
    )
    return totals


def _by_kind_status(rows: list[dict]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {k: defaultdict(int) for k in ZONE_KINDS}
    for row in rows:
        out.setdefault(row["kind"], defaultdict(int))[row["status"]] += row["zones"]
    return {k: dict(v) for k, v in out.items()}


def _flags_by_rule(counts: list[dict]) -> list[dict[str, Any]]:
    """Per rule: flags per severity and the zones (or provinces) flagged, most zones first."""
    rules = [
        {"code": r["code"], "zones": r["subjects"], **{s: r[s] for s in SEVERITIES}}
        for r in counts
        if r["by_rule"]
    ]
    return sorted(rules, key=lambda r: (-r["zones"], r["code"]))


def _directive(counts: list[dict], totals: dict, rows: list[dict]) -> dict[str, Any]:
    """The figures that answer the Directive's points: flagged zones per rule (all kinds and
    clusters only), zones by kind, planned-only zones and the unleased land."""
    by_rule = {r["code"]: r for r in counts if r["by_rule"]}
    whole = _whole(counts)
    area_by_kind = {
        k: {
            key: sum(r[key] or 0 for r in rows if r["kind"] == k)
            for key in ("zones", "planned_ha", "industrial_ha", "leased_ha")
        }
        for k in ZONE_KINDS
    }
    return {
        "zones_by_rule": {c: by_rule[c]["zones"] if c in by_rule else 0 for c in DIRECTIVE_RULES},
        "ccn_by_rule": {c: by_rule[c]["ccn_zones"] if c in by_rule else 0 for c in DIRECTIVE_RULES},
        "slow_zones": whole["slow_zones"],
        "slow_ccn": whole["slow_ccn"],
        "by_kind": {k: v["zones"] for k, v in area_by_kind.items()},
        "area_by_kind": area_by_kind,
        "planned_status": sum(r["zones"] for r in rows if r["status"] == "planned"),
        "unleased_ha": max(0.0, totals["industrial_ha"] - totals["leased_ha"]),
    }


def _share(numerator: Any, denominator: Any) -> float | None:
    return float(numerator or 0) / float(denominator) if denominator else None
