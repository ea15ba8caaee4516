"""Load the shipped province boundaries (both admin versions) into the database once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy.orm import Session

from api.db.repositories import provinces as repo
from api.errors import BoundaryDataError
from api.settings import PROJECT_ROOT

BOUNDARIES_DIR = PROJECT_ROOT / "data" / "boundaries"
FILES = {
    "2008-63": ("vn_provinces_2008_63.geojson", "vn_provinces_2008_63_simplified.geojson"),
    "2025-34": ("vn_provinces_2025_34.geojson", "vn_provinces_2025_34_simplified.geojson"),
}
EXPECTED_COUNTS = {"2008-63": 63, "2025-34": 34}


def verify_checksums(directory: Path = BOUNDARIES_DIR) -> list[str]:
    """Return the files whose sha256 differs from SHA256SUMS (empty when all match)."""
    bad = []
    for line in (directory / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        path = directory / name.strip()
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            bad.append(name.strip())
    return bad


def load_boundaries(session: Session, directory: Path = BOUNDARIES_DIR) -> dict[str, int]:
    """Insert each admin version that is not loaded yet; returns rows inserted per version."""
    loaded = repo.count_by_version(session)
    inserted = {}
    for version, (full_name, simple_name) in FILES.items():
        if loaded.get(version):
            continue
        rows = _rows(directory / full_name, directory / simple_name)
        if len(rows) != EXPECTED_COUNTS[version]:
            raise BoundaryDataError(
                f"{full_name} has {len(rows)} provinces, expected {EXPECTED_COUNTS[version]}"
            )
        inserted[version] = repo.insert_provinces(session, rows)
    return inserted


def _rows(full_path: Path, simple_path: Path) -> list[dict]:
    full = gpd.read_file(full_path)
    simple = gpd.read_file(simple_path).set_index("code").geometry
    rows = []
    for record in full.to_dict("records"):
        merged = record.get("merged_from")
        rows.append(
            {
                "admin_version": record["admin_version"],
                "code": record["code"],
                "name_vi": record["name_vi"],
                "name_vi_full": record.get("name_vi_full"),
                "name_en": record["name_en"],
                "unit_type": record.get("unit_type"),
                "valid_from": _date(record.get("valid_from")),
                "valid_to": _date(record.get("valid_to")),
                "area_km2": record.get("area_km2"),
                "parent_code_2025": record.get("code_2025"),
                "merged_from": merged.split(";") if isinstance(merged, str) else None,
                "geom": _multi(record["geometry"]),
                "geom_simplified": _multi(simple.get(record["code"])),
            }
        )
    return rows


def _multi(geom):  # noqa: ANN001, ANN202
    if geom is None:
        return None
    geom = shapely.make_valid(geom) if not geom.is_valid else geom
    return shapely.MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom


def _date(value):  # noqa: ANN001, ANN202
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()
