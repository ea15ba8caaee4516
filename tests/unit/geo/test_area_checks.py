"""Preview checks of declared vs drawn areas and of the clusters' legal size band."""

from __future__ import annotations

import geopandas as gpd
from shapely import box

from geo.flags.thresholds import load_thresholds
from geo.ingest.area_checks import check_areas

SIZE = load_thresholds().ccn_size


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=[box(0, 0, 1, 1)] * len(rows), crs=4326)


def test_check_areas_mismatch_names_row_code_and_both_areas_in_two_languages():
    found = check_areas(
        _frame(
            [
                {"code": "A", "kind": "KCN", "planned_area_ha": 100.0, "area_ha": 101.0},
                {"code": "B", "kind": "KCN", "planned_area_ha": 45.5, "area_ha": 184.0},
            ]
        ),
        ccn_size=SIZE,
    )
    assert [(f.code, f.row, f.zone_code) for f in found] == [("area_mismatch", 2, "B")]
    assert "Dòng 2 (khu B)" in found[0].message_vi and "45,5 ha" in found[0].message_vi
    assert "Row 2 (zone B)" in found[0].message_en and "184.0 ha" in found[0].message_en


def test_check_areas_small_gaps_and_missing_declarations_are_quiet():
    found = check_areas(
        _frame(
            [
                {
                    "code": "T",
                    "kind": "KCN",
                    "planned_area_ha": 1.0,
                    "area_ha": 1.8,
                },  # < 1 ha apart
                {"code": "N", "kind": "KCN", "planned_area_ha": None, "area_ha": 300.0},
            ]
        ),
        ccn_size=SIZE,
    )
    assert found == []


def test_check_areas_cluster_size_band_by_declared_and_drawn_area():
    found = check_areas(
        _frame(
            [
                {"code": "C1", "kind": "CCN", "planned_area_ha": 8.0, "area_ha": 8.2},
                {"code": "C2", "kind": "CCN", "planned_area_ha": 3.0, "area_ha": 3.1},
                {"code": "C3", "kind": "CCN", "planned_area_ha": 50.0, "area_ha": 50.0},
                {"code": "K", "kind": "KCN", "planned_area_ha": 500.0, "area_ha": 500.0},
            ]
        ),
        ccn_size=SIZE,
        rows=[3, 5, 7, 9],
    )
    assert [(f.code, f.row) for f in found] == [("ccn_size", 3)] * 2 + [("ccn_size", 5)] * 2
    assert "miền núi hoặc làng nghề" in found[0].message_vi
    assert "minimum of any cluster" in found[2].message_en
