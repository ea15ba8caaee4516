"""Footprint comparison on hand-made geometries with known answers.

Shapes are built in metres in UTM 48N around Hà Nội and reprojected to EPSG:4326, so the
expected values are analytical. Areas are checked against pyproj.Geod directly.
"""

from __future__ import annotations

import datetime as dt
import math

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from geo.analysis.footprint import (
    compare_footprints,
    find_overlaps,
    polygonal_parts,
)
from geo.errors import MissingColumnsError

X0, Y0 = 585_000.0, 2_325_000.0  # UTM 48N, near Hà Nội
_TO_WGS84 = pyproj.Transformer.from_crs(32648, 4326, always_xy=True)
_GEOD = pyproj.Geod(ellps="WGS84")


def to_wgs84(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_WGS84.transform(*xy.T)))


def square(dx: float, dy: float, size_m: float):
    """A square in UTM 48N metres, offset from (X0, Y0), as EPSG:4326."""
    return to_wgs84(box(X0 + dx, Y0 + dy, X0 + dx + size_m, Y0 + dy + size_m))


def geod_ha(geom) -> float:
    oriented = shapely.orient_polygons(geom)
    return abs(_GEOD.geometry_area_perimeter(oriented)[0]) / 10_000


def frames(planned: dict, actual: dict):
    zones = gpd.GeoDataFrame({"code": list(planned)}, geometry=list(planned.values()), crs=4326)
    built = gpd.GeoDataFrame({"zone_code": list(actual)}, geometry=list(actual.values()), crs=4326)
    return zones, built


def one(planned, actual):
    zones, built = frames({"A": planned}, {"A": actual} if actual is not None else {})
    return compare_footprints(zones, built).iloc[0]


def test_compare_footprints_square_inside_square_matches_analytic_values():
    outer, inner = square(0, 0, 1000), square(250, 250, 500)
    row = one(outer, inner)
    assert row["status"] == "ok"
    assert row["planned_ha"] == pytest.approx(geod_ha(outer), rel=1e-3)
    assert row["actual_ha"] == pytest.approx(geod_ha(inner), rel=1e-3)
    assert row["iou"] == pytest.approx(0.25, abs=1e-4)
    assert row["encroachment_ha"] == pytest.approx(0.0, abs=1e-6)
    assert row["encroachment_geom"] is None
    assert row["unbuilt_share"] == pytest.approx(0.75, abs=1e-4)
    assert row["hausdorff_m"] == pytest.approx(250 * math.sqrt(2), rel=2e-3)
    assert row["centroid_shift_m"] == pytest.approx(0.0, abs=0.05)


def test_compare_footprints_shifted_copy_gives_known_iou_and_encroachment():
    planned, actual = square(0, 0, 1000), square(200, 0, 1000)
    row = one(planned, actual)
    assert row["iou"] == pytest.approx(800 / 1200, abs=1e-4)
    assert row["encroachment_ha"] == pytest.approx(20.0, rel=2e-3)
    assert row["encroachment_share"] == pytest.approx(0.2, abs=1e-4)
    assert row["unbuilt_ha"] == pytest.approx(20.0, rel=2e-3)
    assert row["hausdorff_m"] == pytest.approx(200.0, rel=2e-3)
    assert row["centroid_shift_m"] == pytest.approx(200.0, rel=2e-3)
    strip = to_wgs84(box(X0 + 1000, Y0, X0 + 1200, Y0 + 1000))
    # the UTM edges are chords in lon/lat, so sub-millimetre slivers may ride along the
    # shared edges: compare areas, not vertices
    enc = row["encroachment_geom"]
    assert geod_ha(enc) == pytest.approx(geod_ha(strip), rel=1e-4)
    assert geod_ha(shapely.intersection(enc, strip)) == pytest.approx(geod_ha(strip), rel=1e-4)
    assert geod_ha(shapely.intersection(enc, planned)) < 1e-3


def test_compare_footprints_thin_sliver_outside_is_measured():
    planned = square(0, 0, 1000)
    actual = to_wgs84(box(X0, Y0, X0 + 1001, Y0 + 1000))  # 1 m sliver along the east edge
    row = one(planned, actual)
    assert row["encroachment_ha"] == pytest.approx(0.1, rel=1e-2)
    assert row["iou"] == pytest.approx(1000 / 1001, abs=1e-5)
    assert row["encroachment_geom"].geom_type in {"Polygon", "MultiPolygon"}
    assert geod_ha(row["encroachment_geom"]) == pytest.approx(row["encroachment_ha"], rel=1e-3)


def test_compare_footprints_multipolygon_half_built_gives_half_iou():
    west, east = square(0, 0, 500), square(2000, 0, 500)
    row = one(MultiPolygon([west, east]), west)
    assert row["planned_ha"] == pytest.approx(geod_ha(west) + geod_ha(east), rel=1e-3)
    assert row["iou"] == pytest.approx(0.5, abs=1e-4)
    assert row["unbuilt_share"] == pytest.approx(0.5, abs=1e-4)


def test_compare_footprints_zone_with_hole_excludes_hole_from_area():
    outer = box(X0, Y0, X0 + 1000, Y0 + 1000)
    hole = box(X0 + 300, Y0 + 300, X0 + 700, Y0 + 700)
    planned = to_wgs84(Polygon(outer.exterior.coords, [hole.exterior.coords]))
    row = one(planned, to_wgs84(hole))
    assert row["planned_ha"] == pytest.approx(geod_ha(planned), rel=1e-3)
    assert row["planned_ha"] == pytest.approx(100 - 16, rel=2e-3)
    assert row["intersection_ha"] == pytest.approx(0.0, abs=1e-4)
    assert row["encroachment_ha"] == pytest.approx(row["actual_ha"], rel=1e-6)


@pytest.mark.parametrize(
    ("planned", "actual", "status"),
    [
        (None, square(0, 0, 100), "no_planned_boundary"),
        (square(0, 0, 100), None, "no_actual_footprint"),
        (None, None, "no_geometry"),
        (Polygon(), None, "no_geometry"),
        (Polygon(), Polygon(), "no_geometry"),
    ],
)
def test_compare_footprints_missing_side_sets_status_and_nan_metrics(planned, actual, status):
    row = one(planned, actual)
    assert row["status"] == status
    assert math.isnan(row["iou"])
    assert math.isnan(row["encroachment_ha"])
    assert math.isnan(row["hausdorff_m"])
    assert math.isnan(row["planned_ha"]) == (planned is None or planned.is_empty)
    assert math.isnan(row["actual_ha"]) == (actual is None or actual.is_empty)


def test_compare_footprints_several_observations_keeps_the_latest():
    zones, _ = frames({"A": square(0, 0, 1000)}, {})
    built = gpd.GeoDataFrame(
        {
            "zone_code": ["A", "A", "A"],
            "observed_on": [dt.date(2020, 1, 1), dt.date(2024, 1, 1), dt.date(2022, 1, 1)],
        },
        geometry=[square(0, 0, 1000), square(0, 0, 500), square(0, 0, 100)],
        crs=4326,
    )
    row = compare_footprints(zones, built).iloc[0]
    assert row["iou"] == pytest.approx(0.25, abs=1e-4)


def test_compare_footprints_rows_are_sorted_by_code_and_input_not_mutated():
    zones, built = frames(
        {"B": square(0, 0, 100), "A": square(500, 0, 100)},
        {"A": square(500, 0, 100), "ZZ": square(0, 0, 10)},
    )
    before = zones.copy()
    result = compare_footprints(zones, built)
    assert list(result["code"]) == ["A", "B"]
    assert list(result["status"]) == ["ok", "no_actual_footprint"]
    assert result.crs.to_epsg() == 4326
    assert zones.equals(before)


def test_compare_footprints_invalid_bowtie_is_repaired_not_raised():
    x, y = X0, Y0
    bowtie = to_wgs84(Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)]))
    row = one(bowtie, square(0, 0, 100))
    assert row["status"] == "ok"
    assert row["planned_ha"] == pytest.approx(0.5, rel=1e-2)


def test_compare_footprints_missing_code_column_raises_missing_columns():
    zones = gpd.GeoDataFrame({"name": ["x"]}, geometry=[square(0, 0, 10)], crs=4326)
    with pytest.raises(MissingColumnsError) as err:
        compare_footprints(zones, zones.rename(columns={"name": "zone_code"}))
    assert "code" in err.value.message
    assert err.value.code == "missing_columns"


def test_compare_footprints_other_crs_is_reprojected_first():
    zones, built = frames({"A": square(0, 0, 1000)}, {"A": square(200, 0, 1000)})
    result = compare_footprints(zones.to_crs(32648), built.to_crs(3857)).iloc[0]
    assert result["iou"] == pytest.approx(800 / 1200, abs=1e-4)


def test_polygonal_parts_drops_lines_and_points_from_collections():
    coll = shapely.GeometryCollection([square(0, 0, 10), shapely.Point(105.8, 21.0)])
    out = polygonal_parts(np.array([coll, shapely.LineString([(0, 0), (1, 1)]), None]))
    assert out[0].geom_type == "Polygon"
    assert out[1] is None and out[2] is None


def test_find_overlaps_two_squares_report_the_overlap_area():
    zones = gpd.GeoDataFrame(
        {"code": ["B", "A", "C"], "kind": ["KCN", "CCN", "KCN"]},
        geometry=[square(0, 0, 1000), square(800, 0, 1000), square(5000, 0, 100)],
        crs=4326,
    )
    pairs = find_overlaps(zones, min_ha=1.0)
    assert list(pairs[["code_a", "code_b"]].itertuples(index=False, name=None)) == [("A", "B")]
    assert pairs["overlap_ha"].iloc[0] == pytest.approx(20.0, rel=2e-3)
    assert pairs["share_a"].iloc[0] == pytest.approx(0.2, rel=2e-3)
    assert find_overlaps(zones, min_ha=20.1).empty


_metres = st.floats(min_value=-3000, max_value=3000, allow_nan=False)
_sizes = st.floats(min_value=5, max_value=3000, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(_metres, _metres, _sizes, _sizes, _metres, _metres, _sizes, _sizes, st.floats(0, 90))
def test_compare_footprints_properties_hold_for_random_rectangles(
    x1, y1, w1, h1, x2, y2, w2, h2, angle
):
    planned = to_wgs84(box(X0 + x1, Y0 + y1, X0 + x1 + w1, Y0 + y1 + h1))
    rect = box(X0 + x2, Y0 + y2, X0 + x2 + w2, Y0 + y2 + h2)
    actual = to_wgs84(shapely.affinity.rotate(rect, angle))
    row = one(planned, actual)
    # Overlays insert vertices on lon/lat chords, which are not quite the geodesic edges the
    # areas are measured along. An edge of length L bows from its chord by L² tan(lat) / 8R,
    # so splitting it moves the area by up to ~L³ tan(lat) / 12R: nothing for a zone, but ~0.1 %
    # of a 5 m × 2 km strip. Areas are asked to be right within 0.1 %, so the identities are
    # checked to that, plus that bound for the long edges of both rectangles, + 1 m².
    bow_ha = sum(
        2 * max(w, h) ** 3 * math.tan(math.radians(24)) / (12 * 6.371e6) / 1e4
        for w, h in ((w1, h1), (w2, h2))
    )
    tol = 1e-3 * max(row["planned_ha"], row["actual_ha"]) + bow_ha + 1e-4
    assert 0.0 <= row["iou"] <= 1.0
    assert row["intersection_ha"] <= min(row["planned_ha"], row["actual_ha"])
    assert row["encroachment_ha"] + row["intersection_ha"] == pytest.approx(
        row["actual_ha"], abs=tol
    )
    assert row["unbuilt_ha"] + row["intersection_ha"] == pytest.approx(row["planned_ha"], abs=tol)
    assert row["planned_ha"] == pytest.approx(geod_ha(planned), rel=1e-3)
    assert row["actual_ha"] == pytest.approx(geod_ha(actual), rel=1e-3)
