"""Load the synthetic national demo data set (labelled synthetic everywhere)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import geopandas as gpd
from sqlalchemy.orm import Session

from api.db.repositories import bulk
from api.db.repositories import zones as zones_repo
from geo.synthetic import SyntheticData, generate_zones, load_default_provinces
from geo.vocabulary import ZONE_PROVINCE_VERSION

Progress = Callable[[str], None]


def load_demo(
    session: Session,
    *,
    scale: float = 1.0,
    seed: int = 7,
    today: dt.date | None = None,
    progress: Progress = lambda _msg: None,
) -> dict[str, int]:
    """Replace the synthetic zones with a freshly generated set; real zones are untouched."""
    progress(f"generating synthetic zones (scale {scale}, seed {seed})")
    provinces = load_default_provinces(ZONE_PROVINCE_VERSION)
    data = generate_zones(provinces, scale=scale, seed=seed, today=today or dt.date.today())
    removed = zones_repo.delete_synthetic(session)
    progress(f"writing {len(data.zones)} zones (replacing {removed} synthetic zones)")
    return write_synthetic(session, data)


def write_synthetic(session: Session, data: SyntheticData) -> dict[str, int]:
    zones = data.zones
    bulk.copy_rows(session, "zones", bulk.ZONE_COLUMNS, _zone_rows(zones))
    ids = bulk.zone_ids(session, list(zones["code"]))
    boundaries = bulk.copy_rows(
        session, "planning_boundaries", bulk.BOUNDARY_COLUMNS, _boundary_rows(data, ids)
    )
    footprints = bulk.copy_rows(
        session, "actual_footprints", bulk.FOOTPRINT_COLUMNS, _footprint_rows(data.actual, ids)
    )
    return {"zones": len(zones), "planning_boundaries": boundaries, "actual_footprints": footprints}


def _zone_rows(zones: gpd.GeoDataFrame):  # noqa: ANN202
    columns = [c for c in bulk.ZONE_COLUMNS if c != "location"]
    for record in zones[columns].to_dict("records"):
        yield [*(record[c] for c in columns), None]


def _boundary_rows(data: SyntheticData, ids: dict[str, int]):  # noqa: ANN202
    history = data.planning_history.sort_values(["zone_code", "valid_from"])
    versions: dict[str, int] = {}
    for rec in history.to_dict("records"):
        versions[rec["zone_code"]] = versions.get(rec["zone_code"], 0) + 1
        yield [
            ids[rec["zone_code"]],
            versions[rec["zone_code"]],
            rec["decision_ref"],
            rec["approved_on"],
            rec["valid_from"],
            rec["valid_to"],
            bulk.ewkb_hex(rec["geometry"]),
            None,
        ]
    current = data.zones[data.zones.geometry.notna() & ~data.zones.geometry.is_empty]
    for rec in current.to_dict("records"):
        approved = rec.get("approved_on") or rec.get("established_on")
        valid_from = approved if approved is not None else dt.date(2000, 1, 1)
        yield [
            ids[rec["code"]],
            versions.get(rec["code"], 0) + 1,
            rec["decision_ref"],
            approved,
            valid_from,
            None,
            bulk.ewkb_hex(rec["geometry"]),
            None,
        ]


def _footprint_rows(actual: gpd.GeoDataFrame, ids: dict[str, int]):  # noqa: ANN202
    # large scales give a few zones an empty footprint; the schema only takes real polygons
    drawn = actual[actual.geometry.notna() & ~actual.geometry.is_empty]
    for rec in drawn.to_dict("records"):
        yield [
            ids[rec["zone_code"]],
            rec["source"],
            rec["observed_on"],
            bulk.ewkb_hex(rec["geometry"]),
            None,
        ]
