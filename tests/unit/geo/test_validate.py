"""geo.ingest.validate: types per kind, null/empty, make_valid repairs with area change, Z,
duplicates."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from geo.ingest.validate import check_duplicate_codes, check_geometries

BOWTIE = Polygon([(105.80, 21.00), (105.82, 21.02), (105.82, 21.00), (105.80, 21.02)])


def _frame(geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=geoms, crs=4326)


def test_check_geometries_bowtie_repaired_polygonal_with_area_change_and_original() -> None:
    result = check_geometries(_frame([BOWTIE, box(105.9, 21.0, 105.91, 21.01)]), kind="planned")
    fixed = result.features.geometry[0]
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon" and not result.errors
    (repair,) = result.repairs
    assert repair.feature == 0 and "Self-intersection" in repair.reason
    assert repair.area_after_ha > 0 and repair.area_change_pct != 0
    assert result.originals[0].equals(BOWTIE)


def test_check_geometries_points_for_planned_errors_but_allowed_for_zones() -> None:
    frame = _frame([Point(105.8, 21.0)])
    assert [e.code for e in check_geometries(frame, kind="planned").errors] == [
        "wrong_geometry_type"
    ]
    assert check_geometries(frame, kind="zones").errors == ()


def test_check_geometries_lines_and_null_reported_as_errors() -> None:
    frame = _frame([LineString([(105.8, 21), (105.9, 21)]), None])
    codes = sorted(e.code for e in check_geometries(frame, kind="actual").errors)
    assert codes == ["geometry_missing", "wrong_geometry_type"]


def test_check_geometries_3d_dropped_and_outside_vietnam_flagged() -> None:
    frame = _frame([shapely.force_3d(box(105.8, 21.0, 105.81, 21.01)), box(2.0, 48.0, 2.1, 48.1)])
    result = check_geometries(frame, kind="zones")
    assert not shapely.has_z(result.features.geometry.to_numpy()).any()
    outside = [w for w in result.warnings if w.code == "outside_vietnam"]
    assert outside and outside[0].features == (1,)


def test_check_duplicate_codes_duplicates_and_blanks_reported() -> None:
    issues = check_duplicate_codes(pd.Series(["A", "B", "A", None]))
    assert [i.code for i in issues] == ["code_missing", "duplicate_codes"]
    assert issues[1].features == (0, 2) and "A" in issues[1].message
