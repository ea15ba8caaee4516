"""The import report's summary of area findings: the first ones listed, all of them counted."""

from __future__ import annotations

import geopandas as gpd
from shapely import box

from geo.flags.thresholds import load_thresholds
from geo.ingest.area_checks import check_areas, summarise_areas

SIZE = load_thresholds().ccn_size


def _frame(n: int) -> gpd.GeoDataFrame:
    rows = [
        {
            "code": f"Z{i}",
            "kind": "CCN" if i % 2 else "KCN",
            "planned_area_ha": 10.0 + i,
            "area_ha": 200.0 + 60 * i if i % 3 else 10.0 + i,
        }
        for i in range(n)
    ]
    return gpd.GeoDataFrame(rows, geometry=[box(0, 0, 1, 1)] * n, crs=4326)


def test_summary_lists_the_first_findings_and_counts_every_one_by_code():
    frame = _frame(40)
    every = check_areas(frame, ccn_size=SIZE)
    shown, by_code = summarise_areas(frame, ccn_size=SIZE, listed=5)
    assert shown == every[:5]
    assert sum(by_code.values()) == len(every) > 5
    assert by_code == {
        code: sum(1 for f in every if f.code == code) for code in ("area_mismatch", "ccn_size")
    }
    assert set(by_code) == {"area_mismatch", "ccn_size"}


def test_summary_of_features_without_declared_areas_or_kinds_counts_none():
    frame = _frame(6).drop(columns=["planned_area_ha", "kind"])
    assert summarise_areas(frame, ccn_size=SIZE, listed=10) == ([], {})
