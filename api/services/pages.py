"""Web pages: gather what each page shows from the database and render it with ``web``.

No FastAPI here. Each function returns the page's HTML, or None when the thing asked for does
not exist (the route answers 404 with `not_found_page`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.db.repositories import analysis as analysis_repo
from api.db.repositories import live_analysis as live_repo
from api.db.repositories import zone_details as details_repo
from api.db.repositories import zones as zones_repo
from api.errors import NotFoundError
from api.services.analysis_status import analysis_status, province_state
from api.services.zone_details import zone_detail
from api.settings import Settings
from geo.vocabulary import CURRENT_ADMIN_VERSION, ZONE_PROVINCE_VERSION
from web.error_pages import render_not_found_page
from web.i18n import translate
from web.maps.pages import render_national_page, render_province_page, render_zone_page
from web.upload_page import province_label, render_upload_page


def use_vector_tiles(zone_count: int, settings: Settings, mode: str | None = None) -> bool:
    """Vector tiles when ``mode`` says "tiles", GeoJSON when it says "geojson", else by count."""
    if mode in ("tiles", "geojson"):
        return mode == "tiles"
    return zone_count >= settings.vector_tile_min_zones


def national_page(session: Session, settings: Settings, *, lang: str, mode: str | None) -> str:
    version = settings.default_admin_version
    zone_count, synthetic = zones_repo.counts(session)
    return render_national_page(
        lang=lang,
        zone_count=zone_count,
        use_tiles=use_vector_tiles(zone_count, settings, mode),
        provinces=details_repo.province_names(session, version),
        has_run=analysis_repo.latest_run(session, version=version) is not None,
        tiles_url=settings.tiles_url,
        show_demo_notice=synthetic > 0,
        freshness=freshness(session, version, None, national=True),
    )


def province_page(
    session: Session,
    settings: Settings,
    code: str,
    *,
    lang: str,
    mode: str | None,
    version: str = CURRENT_ADMIN_VERSION,
) -> str | None:
    province = details_repo.province(session, version, code)
    if province is None:
        return None
    province = {**province, "admin_version": version}
    run = analysis_repo.latest_run(session, version=version, province=code)
    stats = analysis_repo.province_stats(session, run["id"], code) if run else None
    flags = (
        analysis_repo.flags_of_run(session, run["id"], province=code, code=None, severity=None)
        if run
        else []
    )
    zone_count, synthetic = zones_repo.counts(session)
    return render_province_page(
        lang=lang,
        province=province,
        stats=stats,
        flags=flags,
        use_tiles=use_vector_tiles(zone_count, settings, mode),
        report_url=f"/api/provinces/{code}/report.pdf?version={version}&lang={lang}",
        html_report_url=f"/api/provinces/{code}/report.html?version={version}&lang={lang}",
        tiles_url=settings.tiles_url,
        show_demo_notice=synthetic > 0,
        freshness=freshness(session, version, code),
        history=live_repo.flag_history(session, version, code),
    )


def zone_page(session: Session, code: str, *, lang: str) -> str | None:
    try:
        detail = zone_detail(session, code)
    except NotFoundError:
        return None
    province = detail["zone"].get("province_code")
    return render_zone_page(
        lang=lang,
        detail=detail,
        show_demo_notice=zones_repo.any_synthetic(session),
        freshness=freshness(session, ZONE_PROVINCE_VERSION, province) if province else None,
    )


def freshness(
    session: Session, version: str, code: str | None, *, national: bool = False
) -> dict | None:
    """How current the flags shown are: ``state``, ``as_of_text`` and ``error`` (None before
    the first province-by-province analysis)."""
    status = analysis_status(session, version)
    if not status["provinces"]:
        return None
    if national:
        state = "failed" if status["failed"] else "pending" if status["pending"] else "current"
        failed = next((p for p in status["provinces"] if p["state"] == "failed"), None)
        return {
            "state": state,
            "as_of_text": _utc_text(status["as_of"]),
            "error": failed["error"] if failed else None,
        }
    row = province_state(status, code)
    if row is None:
        return None
    return {"state": row["state"], "as_of_text": _utc_text(row["as_of"]), "error": row["error"]}


def _utc_text(iso: str | None) -> str | None:
    if iso is None:
        return None
    return dt.datetime.fromisoformat(iso).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def upload_page(
    session: Session, settings: Settings, *, lang: str, principal: Principal, csrf_token: str
) -> str:
    """The upload page, saying who is uploading, their role and the provinces they may write."""
    names = {p["code"]: p for p in details_repo.province_names(session, ZONE_PROVINCE_VERSION)}
    me = {
        "name": principal.name,
        "role": principal.role,
        "via": principal.via,
        "provinces": [province_label(c, names, lang) for c in principal.provinces],
        "all_provinces": principal.role == "admin",
    }
    return render_upload_page(
        lang=lang,
        max_upload_mb=settings.max_upload_mb,
        me=me,
        csrf_token=csrf_token,
        province_names=names,
    )


def not_found_page(*, lang: str, what: str, code: str, version: str = CURRENT_ADMIN_VERSION) -> str:
    """The 404 page for an unknown ``what`` ("zone", "province" or "page") in ``lang``."""
    key = {"zone": "not_found.zone", "province": "not_found.province"}.get(what, "not_found.page")
    return render_not_found_page(
        lang=lang, message=translate(key, lang).format(code=code, version=version)
    )
