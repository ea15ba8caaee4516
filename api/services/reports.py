"""Province reports: gather a province's numbers from the latest analysis run (running one
first when none exists), then render them as HTML or PDF through ``web.report.html``."""

from __future__ import annotations

import datetime as dt
import math
import os
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from api.db.repositories import analysis as analysis_repo
from api.db.repositories import report_records as records_repo
from api.db.repositories import reports as repo
from api.db.repositories import zones as zones_repo
from api.errors import InvalidParameterError, ZonemapError
from api.services.admin_area import check_admin_area
from api.services.analysis_status import analysis_status, freshness, report_notices
from api.services.report_changes import changes_since
from geo.types import ZONE_KINDS
from web.report.model import SEVERITIES, SEVERITY_RANK, ProvinceReport

FORMATS = ("pdf", "html")
BOUNDARY_SOURCE = "Open Development Vietnam (province boundaries)"


class ReportWriteError(ZonemapError):
    code = "report_not_written"


def build_province_report(
    session: Session,
    code: str,
    *,
    version: str,
    today: dt.date | None = None,
    shared: dict[str, Any] | None = None,
    since: dt.date | None = None,
) -> ProvinceReport:
    """Assemble the report of province ``code`` in admin ``version``.

    Raises ``InvalidParameterError`` for an unknown version and ``NotFoundError`` for an
    unknown province. When no analysis run covers the province one is run (nationally) and
    stored in the caller's transaction; with no zones at all the report says so instead.
    ``shared`` (a dict the caller keeps for one batch) holds the national data every province
    reads (all province outlines, the national run's statistics), so a batch reads it once.
    ``since`` is the date the changes are counted from (default: the previous report of the
    province written before today; InvalidParameterError when it is before any data).
    """
    check_admin_area(session, version, code)
    run, notices = _ensure_run(session, version, code, today)
    run_id = run["id"] if run else None
    if run is not None:
        fresh = freshness(analysis_status(session, version), code)
        run = {**run, "analysis": fresh}
        notices += report_notices(fresh)
    province = repo.province(session, code=code, version=version)
    zones = repo.zones(session, province=code, version=version, run_id=run_id)
    codes = [str(c) for c in zones["code"]]
    flags = repo.flags(session, run_id=run_id, codes=codes, province=code) if run_id else []
    national = _shared(
        shared, ("national", version), lambda: repo.national_stats(session, version=version)
    )
    stats = national.get(code) or (
        analysis_repo.province_stats(session, run_id, code) if run_id else None
    )
    info = _province_info(province)
    rows = zone_rows(zones, flags)
    changes = changes_since(
        session,
        area=code,
        version=version,
        since=since,
        codes=codes,
        province=code,
        current_runs={code: run_id} if run_id else {},
    )
    return ProvinceReport(
        province=info,
        outline=province.geometry.iloc[0],
        provinces=_shared(
            shared, ("outlines", version), lambda: repo.province_outlines(session, version=version)
        ),
        zones=_with_severity(zones, flags),
        actual=analysis_repo.read_actual(session, codes),
        clusters=repo.clusters(session, run_id=run_id, codes=codes)
        if run_id
        else repo.clusters(session, run_id=-1, codes=[]),
        rows=rows,
        flagged=flagged_zones(rows, flags),
        province_flags=[f for f in flags if f["zone_code"] is None],
        summary=summarise(zones, flags, stats=stats, national=national, area_km2=info["area_km2"]),
        sources=_sources(session, codes, zones, info),
        run=run,
        generated_on=today or dt.date.today(),
        # any demo zone makes the figures unofficial: the notice says so
        is_synthetic=bool(len(zones)) and bool(zones["is_synthetic"].fillna(False).any()),
        notices=notices + (("report.notice.no_zones",) if not codes else ()),
        data_date=_shared(shared, ("data_dates",), lambda: records_repo.data_dates(session))[1],
        changes=changes,
    )


def render_report(
    session: Session,
    code: str,
    *,
    version: str,
    lang: str = "vi",
    fmt: str = "pdf",
    today: dt.date | None = None,
    shared: dict[str, Any] | None = None,
    since: dt.date | None = None,
    record: bool = False,
    back_url: str | None = None,
) -> bytes:
    """The report of province ``code`` as PDF bytes or UTF-8 HTML bytes (``shared`` and
    ``since``: see ``build_province_report``; ``back_url``: the page the HTML report links back
    to); ``record`` keeps a record of it, so the next report of the province compares with it."""
    from web.report.html import render_province_report
    from web.report.pdf import render_province_pdf

    if fmt not in FORMATS:
        raise InvalidParameterError(
            f"unknown report format '{fmt}': use pdf or html", parameter="format"
        )
    report = build_province_report(
        session, code, version=version, today=today, shared=shared, since=since
    )
    if fmt == "html":
        data = render_province_report(report, lang=lang, back_url=back_url).encode("utf-8")
    else:
        data = render_province_pdf(report, lang=lang)
    if record:
        record_province_report(session, report, fmt=fmt, lang=lang)
    return data


def record_province_report(
    session: Session, report: ProvinceReport, *, fmt: str, lang: str
) -> None:
    """Keep a record of a written province report (the next one compares with it)."""
    records_repo.record(
        session,
        area=report.province["code"],
        version=report.province["admin_version"],
        fmt=fmt,
        lang=lang,
        since=report.changes.since if report.changes else None,
        run_ids=[report.run["id"]] if report.run else [],
        zone_codes=[str(c) for c in report.zones["code"]],
    )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename,
    so a failure never leaves a partial file behind."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ReportWriteError(
            f"cannot write the report to {path}: {exc.strerror} (choose a folder you can write to)"
        ) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise ReportWriteError(f"cannot write the report to {path}: {exc.strerror}") from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _shared(shared: dict[str, Any] | None, key: tuple, read: Callable[[], Any]) -> Any:
    if shared is None:
        return read()
    if key not in shared:
        shared[key] = read()
    return shared[key]


def _ensure_run(
    session: Session, version: str, code: str, today: dt.date | None
) -> tuple[dict | None, tuple[str, ...]]:
    run = analysis_repo.latest_run(session, version=version, province=code)
    if run is not None:
        return run, ()
    if zones_repo.count(session) == 0:
        return None, ("report.notice.no_run",)
    from api.services.analysis import run_analysis  # loads the analysis only when needed

    run_analysis(session, version=version, province=None, today=today)
    return analysis_repo.latest_run(session, version=version, province=code), (
        "report.notice.run_created",
    )


def _province_info(province: Any) -> dict[str, Any]:
    row = province.drop(columns="geometry").iloc[0].to_dict()
    return {
        k: row.get(k)
        for k in (
            "code",
            "name_vi",
            "name_vi_full",
            "name_en",
            "admin_version",
            "area_km2",
            "valid_from",
        )
    }


def _with_severity(zones: Any, flags: list[dict]) -> Any:
    worst = _worst_by_zone(flags)
    out = zones.copy()
    out["worst_severity"] = [worst.get(c) for c in out["code"]]
    return out


def _worst_by_zone(flags: list[dict]) -> dict[str, str]:
    worst: dict[str, str] = {}
    for flag in flags:
        zone = flag["zone_code"]
        if zone and SEVERITY_RANK[flag["severity"]] > SEVERITY_RANK.get(worst.get(zone, ""), 0):
            worst[zone] = flag["severity"]
    return worst


def zone_rows(zones: Any, flags: list[dict]) -> list[dict[str, Any]]:
    """One table row per zone: most severe flag first, then by code."""
    by_zone: dict[str, list[str]] = {}
    for flag in flags:
        if flag["zone_code"] and flag["code"] not in by_zone.setdefault(flag["zone_code"], []):
            by_zone[flag["zone_code"]].append(flag["code"])
    worst = _worst_by_zone(flags)
    rows = [
        {
            "code": z["code"],
            "name": z["name"],
            "kind": z["kind"],
            "status": z["status"],
            "established_on": _none(z["established_on"]),
            "planned_ha": _num(z["planned_area_ha"])
            if _num(z["planned_area_ha"]) is not None
            else _num(z["planned_ha"]),
            "actual_ha": _num(z["actual_ha"]),
            "iou": _num(z["iou"]),
            "encroachment_ha": _num(z["encroachment_ha"]),
            "occupancy": _ratio(z["leased_land_ha"], z["industrial_land_ha"]),
            "worst_severity": worst.get(z["code"]),
            "flags": by_zone.get(z["code"], []),
        }
        for z in zones.drop(columns="geometry").to_dict("records")
    ]
    return sorted(rows, key=lambda r: (-SEVERITY_RANK.get(r["worst_severity"] or "", 0), r["code"]))


def flagged_zones(rows: list[dict[str, Any]], flags: list[dict]) -> list[dict[str, Any]]:
    """One entry per flagged zone, in the order of ``rows`` (critical first), with its flags."""
    items: dict[str, list[dict]] = {}
    for flag in flags:
        items.setdefault(flag["zone_code"], []).append(flag)
    return [{**row, "flag_items": items[row["code"]]} for row in rows if row["flags"]]


def summarise(
    zones: Any,
    flags: list[dict],
    *,
    stats: dict | None,
    national: dict[str, dict],
    area_km2: float | None,
) -> dict[str, Any]:
    """Summary numbers of a province (areas ha, densities per 1,000 km², occupancy 0–1)."""
    industrial = _total(zones["industrial_land_ha"])
    leased = _total(zones["leased_land_ha"])
    stats = stats or {}
    n = len(zones)
    density = stats.get("zones_per_1000km2")
    if density is None and area_km2:
        density = n * 1000.0 / area_km2
    return {
        "zones": n,
        "by_kind": {k: int((zones["kind"] == k).sum()) for k in ZONE_KINDS},
        "by_status": {k: int(v) for k, v in zones["status"].value_counts().sort_index().items()},
        "planned_ha": _total(zones["planned_area_ha"]),
        "actual_ha": _total(zones["actual_ha"]),
        "industrial_ha": industrial,
        "leased_ha": leased,
        "occupancy": leased / industrial if industrial else None,
        "density_per_1000km2": density,
        "zone_area_ha_per_1000km2": stats.get("zone_area_ha_per_1000km2"),
        "nn_mean_m": stats.get("nn_mean_m"),
        "nn_median_m": stats.get("nn_median_m"),
        "nn_min_m": stats.get("nn_min_m"),
        "clark_evans_r": stats.get("clark_evans_r"),
        "clark_evans_p": stats.get("clark_evans_p"),
        "clark_evans_meaning": clark_evans_meaning(
            stats.get("clark_evans_r"), stats.get("clark_evans_p")
        ),
        "flags_by_severity": {s: sum(f["severity"] == s for f in flags) for s in SEVERITIES},
        "national": _national_medians(national),
    }


def clark_evans_meaning(r: float | None, p: float | None, *, alpha: float = 0.05) -> str:
    """``clustered``, ``dispersed``, ``random`` (not significant at ``alpha``) or ``undefined``."""
    if r is None or p is None or not math.isfinite(r):
        return "undefined"
    if p >= alpha:
        return "random"
    return "clustered" if r < 1 else "dispersed"


def _national_medians(national: dict[str, dict]) -> dict[str, float | None]:
    keys = ("zones", "zones_per_1000km2", "zone_area_ha_per_1000km2", "clark_evans_r")
    result: dict[str, float | None] = {"provinces": len(national) or None}
    for key in keys:
        values = [s[key] for s in national.values() if _num(s.get(key)) is not None]
        result[key] = statistics.median(values) if len(values) >= 2 else None
    return result


def _sources(session: Session, codes: list[str], zones: Any, info: dict) -> list[dict]:
    synthetic = bool(len(zones)) and bool(zones["is_synthetic"].fillna(False).all())
    register = "synthetic" if synthetic else "register"
    items = [{"kind": "zones", "label": register, "zones": len(zones), "date": None}]
    for src in repo.sources(session, codes) if codes else []:
        items.append(
            {
                "kind": "actual",
                "label": src["source"],
                "zones": src["zones"],
                "date": src["last_observed"],
                "first": src["first_observed"],
            }
        )
    items.append(
        {
            "kind": "boundaries",
            "label": BOUNDARY_SOURCE,
            "zones": None,
            "date": info.get("valid_from"),
            "version": info.get("admin_version"),
        }
    )
    return items


def _total(series: pd.Series) -> float:
    return float(pd.to_numeric(series, errors="coerce").fillna(0).sum())


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _none(value: Any) -> Any:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _ratio(numerator: Any, denominator: Any) -> float | None:
    a, b = _num(numerator), _num(denominator)
    return a / b if a is not None and b else None
