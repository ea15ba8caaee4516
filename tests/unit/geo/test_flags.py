"""Every flag of DESIGN.md: raised by a minimal hand-built case, silent just below its threshold.

Shapes are squares built in metres in UTM 48N near Hà Nội, reprojected to EPSG:4326. Province
'01' lies west of X0 and province '02' east of it.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import box

from geo.analysis.density import find_dense_clusters
from geo.analysis.footprint import compare_footprints
from geo.flags.rules import evaluate_flags
from geo.flags.thresholds import load_thresholds

X0, Y0 = 585_000.0, 2_325_000.0
TODAY = dt.date(2026, 1, 1)
_TO_WGS84 = pyproj.Transformer.from_crs(32648, 4326, always_xy=True)


def to_wgs84(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_WGS84.transform(*xy.T)))


def square(dx: float, dy: float = 0.0, size_m: float = 1000.0, *, height_m: float | None = None):
    """A square (or rectangle) in UTM metres, offset from a point 20 km inside province 01."""
    x, y = X0 - 20_000 + dx, Y0 + dy
    return to_wgs84(box(x, y, x + size_m, y + (height_m or size_m)))


def years_ago(years: float) -> dt.date:
    return TODAY - dt.timedelta(days=round(years * 365.2425))


PROVINCES = gpd.GeoDataFrame(
    {"code": ["01", "02"], "admin_version": ["2025-34", "2025-34"], "area_km2": [5000.0, 5000.0]},
    geometry=[  # densified, so the border follows UTM x = X0 once in lon/lat
        to_wgs84(shapely.segmentize(box(X0 - 50_000, Y0 - 50_000, X0, Y0 + 50_000), 100)),
        to_wgs84(shapely.segmentize(box(X0, Y0 - 50_000, X0 + 50_000, Y0 + 50_000), 100)),
    ],
    crs=4326,
)


def zone(code: str, geom, **attrs) -> dict:
    row = {
        "code": code,
        "kind": "KCN",
        "name": "Khu công nghiệp thử nghiệm",
        "province_code": "01",
        "status": "operating",
        "established_on": None,
        "expanded_on": None,
        "planned_area_ha": None,
        "industrial_land_ha": None,
        "leased_land_ha": None,
        "is_mountainous": False,
        "is_craft_village": False,
        "geometry": geom,
    }
    row.update(attrs)
    return row


def run(zones: list[dict], actual: dict | None = None, **overrides):
    thresholds = load_thresholds(overrides=overrides or None)
    frame = gpd.GeoDataFrame(zones, geometry="geometry", crs=4326)
    actual = actual or {}
    built = gpd.GeoDataFrame({"zone_code": list(actual)}, geometry=list(actual.values()), crs=4326)
    metrics = compare_footprints(frame, built)
    clusters = find_dense_clusters(
        frame,
        distance_m=thresholds.dense_cluster.distance_m,
        min_zones=thresholds.dense_cluster.min_zones,
    )
    return evaluate_flags(frame, metrics, clusters, PROVINCES, thresholds=thresholds, today=TODAY)


def only(flags, code: str):
    return [f for f in flags if f.code == code]


def shifted(shift_m: float, **attrs):
    """Zone A planned as a 1 km square, actual the same square shifted east by shift_m."""
    return run([zone("A", square(0), **attrs)], {"A": square(shift_m)})


# FOOTPRINT_MISMATCH ---------------------------------------------------------------------------


def test_footprint_mismatch_iou_just_below_minimum_is_flagged():
    metrics_iou = (1000 - 10) / (1000 + 10)
    loose = {"footprint_mismatch.encroachment_share_max": 1.0}
    above = run(
        [zone("A", square(0))],
        {"A": square(10)},
        **loose,
        **{"footprint_mismatch.iou_min": metrics_iou + 0.001},
    )
    below = run(
        [zone("A", square(0))],
        {"A": square(10)},
        **loose,
        **{"footprint_mismatch.iou_min": metrics_iou - 0.001},
    )
    [flag] = only(above, "FOOTPRINT_MISMATCH")
    assert flag.value == pytest.approx(metrics_iou, abs=1e-4)
    assert flag.unit == "ratio" and flag.details["reasons"] == ["iou"]
    assert only(below, "FOOTPRINT_MISMATCH") == []


def test_footprint_mismatch_encroachment_share_above_maximum_is_flagged():
    loose = {"footprint_mismatch.encroachment_ha_max": 1000, "footprint_mismatch.iou_min": 0}
    [flag] = only(run([zone("A", square(0))], {"A": square(60)}, **loose), "FOOTPRINT_MISMATCH")
    assert flag.value == pytest.approx(0.06, rel=2e-3)
    assert flag.threshold == 0.05
    assert only(run([zone("A", square(0))], {"A": square(40)}, **loose), "FOOTPRINT_MISMATCH") == []


def test_footprint_mismatch_encroachment_over_two_hectares_is_flagged():
    [flag] = only(shifted(21), "FOOTPRINT_MISMATCH")
    assert flag.details["reasons"] == ["ha"]
    assert flag.value == pytest.approx(2.1, rel=2e-3) and flag.unit == "ha"
    assert flag.severity == "warning"
    assert "2.1 ha" in flag.message_en and "2,1 ha" in flag.message_vi
    assert only(shifted(19), "FOOTPRINT_MISMATCH") == []


def test_footprint_mismatch_iou_below_half_is_critical():
    [flag] = only(shifted(400), "FOOTPRINT_MISMATCH")
    assert flag.severity == "critical"
    assert flag.details["reasons"] == ["iou", "share", "ha"]


# ENCROACHMENT ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("shift_m", "severity"), [(6, "info"), (30, "warning"), (150, "critical")])
def test_encroachment_above_tolerance_is_flagged_with_severity(shift_m, severity):
    [flag] = only(shifted(shift_m), "ENCROACHMENT")
    assert flag.severity == severity
    assert flag.value == pytest.approx(shift_m / 10, rel=2e-3)
    assert flag.details["encroachment_share"] == pytest.approx(shift_m / 1000, rel=2e-3)


def test_encroachment_below_tolerance_is_not_flagged():
    assert only(shifted(4), "ENCROACHMENT") == []


# OUTSIDE_PLANNING -----------------------------------------------------------------------------


def test_outside_planning_actual_without_boundary_is_flagged():
    [flag] = only(run([zone("A", None)], {"A": square(0)}), "OUTSIDE_PLANNING")
    assert flag.severity == "warning" and flag.details["reason"] == "no_planned_boundary"
    assert flag.value == pytest.approx(100, rel=2e-3)


def test_outside_planning_actual_entirely_outside_is_critical():
    [flag] = only(run([zone("A", square(0))], {"A": square(3000)}), "OUTSIDE_PLANNING")
    assert flag.severity == "critical" and flag.value == 0.0


def test_outside_planning_actual_touching_inside_is_not_flagged():
    assert only(run([zone("A", square(0))], {"A": square(999)}), "OUTSIDE_PLANNING") == []


# SLOW_DEPLOYMENT ------------------------------------------------------------------------------


def slow(built_m: float, age_years: float, **attrs):
    planned = zone("A", square(0), established_on=years_ago(age_years), **attrs)
    return only(run([planned], {"A": square(0, 0, built_m)}), "SLOW_DEPLOYMENT")


def test_slow_deployment_old_and_little_built_is_flagged():
    [flag] = slow(400, 3.1)
    assert flag.value == pytest.approx(0.16, rel=2e-3)
    assert flag.threshold == 0.2 and flag.severity == "warning"
    assert "16,0 %" in flag.message_vi


@pytest.mark.parametrize(
    ("built_m", "age_years", "status"),
    [(400, 2.9, "operating"), (460, 3.1, "operating"), (400, 3.1, "cancelled")],
)
def test_slow_deployment_young_or_built_or_cancelled_is_not_flagged(built_m, age_years, status):
    assert slow(built_m, age_years, status=status) == []


def test_slow_deployment_almost_nothing_built_is_critical():
    [flag] = slow(200, 10)
    assert flag.severity == "critical"


# LOW_OCCUPANCY --------------------------------------------------------------------------------


def occupancy(leased: float, age_years: float, status: str = "operating"):
    row = zone(
        "A",
        square(0),
        status=status,
        established_on=years_ago(age_years),
        industrial_land_ha=100.0,
        leased_land_ha=leased,
    )
    return only(run([row]), "LOW_OCCUPANCY")


def test_low_occupancy_operating_long_and_under_used_is_flagged():
    [flag] = occupancy(29, 6)
    assert flag.value == pytest.approx(0.29) and flag.threshold == 0.3
    assert flag.severity == "warning"
    assert "29,0 %" in flag.message_vi and "29.0 %" in flag.message_en


@pytest.mark.parametrize(
    ("leased", "age_years", "status"),
    [(31, 6, "operating"), (29, 4.9, "operating"), (29, 6, "under_construction")],
)
def test_low_occupancy_just_inside_the_rules_is_not_flagged(leased, age_years, status):
    assert occupancy(leased, age_years, status) == []


def test_low_occupancy_below_ten_percent_is_critical():
    [flag] = occupancy(5, 6)
    assert flag.severity == "critical"


# DENSE_CLUSTER --------------------------------------------------------------------------------


def cluster_of(occupancies: list[float]):
    rows = [
        zone(f"C{i}", square(2000 * i, 0, 500), industrial_land_ha=100.0, leased_land_ha=100 * o)
        for i, o in enumerate(occupancies)
    ]
    return only(run(rows), "DENSE_CLUSTER")


def test_dense_cluster_close_and_under_used_flags_every_member():
    flags = cluster_of([0.4, 0.45, 0.5])
    assert [f.zone_code for f in flags] == ["C0", "C1", "C2"]
    assert flags[0].value == pytest.approx(0.45)
    assert flags[0].details["members"] == 3 and flags[0].details["cluster_id"] == 1


def test_dense_cluster_mean_occupancy_at_half_is_not_flagged():
    assert cluster_of([0.5, 0.5, 0.5]) == []


def test_dense_cluster_two_zones_are_not_a_cluster():
    assert cluster_of([0.1, 0.1]) == []


# CCN_SIZE_RULE --------------------------------------------------------------------------------


def ccn_size(area_ha: float | None, **attrs):
    attrs.setdefault("established_on", dt.date(2020, 1, 1))
    row = zone("A", square(0), kind="CCN", planned_area_ha=area_ha, **attrs)
    return only(run([row]), "CCN_SIZE_RULE")


@pytest.mark.parametrize(
    ("area_ha", "attrs", "severity", "threshold"),
    [
        (76.0, {}, "critical", 75.0),
        (9.9, {}, "warning", 10.0),
        (4.9, {"is_mountainous": True}, "warning", 5.0),
        (4.9, {"is_craft_village": True}, "warning", 5.0),
        (51.0, {"established_on": dt.date(2012, 1, 1)}, "warning", 50.0),
    ],
)
def test_ccn_size_rule_outside_the_band_is_flagged(area_ha, attrs, severity, threshold):
    [flag] = ccn_size(area_ha, **attrs)
    assert (flag.value, flag.threshold, flag.severity) == (area_ha, threshold, severity)


@pytest.mark.parametrize(
    ("area_ha", "attrs"),
    [
        (75.0, {}),
        (10.0, {}),
        (9.9, {"is_mountainous": True}),
        (50.0, {"established_on": dt.date(2012, 1, 1)}),
        (60.0, {"established_on": dt.date(2012, 1, 1), "expanded_on": dt.date(2019, 1, 1)}),
        (60.0, {"established_on": dt.date(2017, 7, 15)}),
        (200.0, {"kind": "KCN"}),
    ],
)
def test_ccn_size_rule_inside_the_band_is_not_flagged(area_ha, attrs):
    kind = attrs.pop("kind", "CCN")
    row = zone("A", square(0), kind=kind, planned_area_ha=area_ha, **attrs)
    assert only(run([row]), "CCN_SIZE_RULE") == []


def test_ccn_size_rule_without_declared_area_uses_the_boundary():
    [flag] = ccn_size(None)  # a 1 km square: 100 ha
    assert flag.details["area_source"] == "boundary"
    assert flag.value == pytest.approx(100, rel=2e-3)


# CCN_NEW_OR_EXPANSION_RULE --------------------------------------------------------------------


def new_ccn(established: dt.date, leased: float, *, peer_province: str = "01"):
    peers = [
        zone(
            f"P{i}",
            square(5_000 * (i + 1), 30_000, 300),
            kind="CCN",
            province_code=peer_province,
            established_on=dt.date(2019, 1, 1),
            industrial_land_ha=100.0,
            leased_land_ha=leased,
        )
        for i in range(2)
    ]
    new = zone("N", square(0), kind="CCN", planned_area_ha=30.0, established_on=established)
    return [f for f in only(run([new, *peers]), "CCN_NEW_OR_EXPANSION_RULE") if f.zone_code == "N"]


def test_ccn_new_rule_where_existing_clusters_are_empty_is_flagged():
    [flag] = new_ccn(dt.date(2024, 6, 1), leased=30)
    assert flag.details["rule"] == "new"
    assert flag.value == pytest.approx(0.3) and flag.threshold == 0.5
    assert flag.details["unleased_ha"] == pytest.approx(140)


@pytest.mark.parametrize(
    ("established", "leased", "peer_province"),
    [
        (dt.date(2024, 6, 1), 51, "01"),  # existing average above 50 %
        (dt.date(2024, 6, 1), 50, "01"),  # 100 ha unleased in total: allowed
        (dt.date(2024, 5, 14), 30, "01"),  # before Decree 32
        (dt.date(2024, 6, 1), 30, "02"),  # no existing cluster in the province
    ],
)
def test_ccn_new_rule_allowed_cases_are_not_flagged(established, leased, peer_province):
    assert new_ccn(established, leased, peer_province=peer_province) == []


def expansion(expanded: dt.date, leased: float, area_ha: float = 40.0):
    row = zone(
        "A",
        square(0),
        kind="CCN",
        established_on=dt.date(2019, 1, 1),
        expanded_on=expanded,
        planned_area_ha=area_ha,
        industrial_land_ha=100.0,
        leased_land_ha=leased,
    )
    return only(run([row]), "CCN_NEW_OR_EXPANSION_RULE")


def test_ccn_expansion_rule_low_occupancy_or_too_large_is_flagged():
    [low] = expansion(dt.date(2024, 6, 1), leased=59)
    assert (low.value, low.threshold, low.unit) == (pytest.approx(0.59), 0.6, "fraction")
    [large] = expansion(dt.date(2024, 6, 1), leased=70, area_ha=76)
    assert (large.value, large.threshold, large.unit) == (76.0, 75.0, "ha")


@pytest.mark.parametrize(
    ("expanded", "leased", "area_ha"),
    [(dt.date(2024, 6, 1), 60, 75.0), (dt.date(2024, 5, 14), 10, 90.0)],
)
def test_ccn_expansion_rule_allowed_cases_are_not_flagged(expanded, leased, area_ha):
    assert expansion(expanded, leased, area_ha) == []


# MORATORIUM -----------------------------------------------------------------------------------


def moratorium(kind: str = "CCN", **attrs):
    row = zone("A", square(0), kind=kind, planned_area_ha=30.0, **attrs)
    overrides = attrs.pop("overrides", {})
    return only(run([row], **overrides), "MORATORIUM")


@pytest.mark.parametrize(
    ("attrs", "event"),
    [
        ({"established_on": dt.date(2012, 3, 2)}, "established"),
        ({"established_on": dt.date(2017, 7, 14)}, "established"),
        ({"established_on": dt.date(2005, 1, 1), "expanded_on": dt.date(2014, 6, 1)}, "expanded"),
    ],
)
def test_moratorium_cluster_created_during_the_freeze_is_flagged(attrs, event):
    [flag] = moratorium(**attrs)
    assert event in flag.details["events"]
    assert flag.unit == "year" and flag.value >= flag.threshold
    assert "07/CT-TTg" in flag.message_vi and "07/CT-TTg" in flag.message_en


@pytest.mark.parametrize(
    ("kind", "established"),
    [("CCN", dt.date(2012, 3, 1)), ("CCN", dt.date(2017, 7, 15)), ("KCN", dt.date(2013, 1, 1))],
)
def test_moratorium_outside_the_freeze_or_not_a_cluster_is_not_flagged(kind, established):
    assert moratorium(kind, established_on=established) == []


def test_moratorium_end_date_is_configurable():
    row = zone("A", square(0), kind="CCN", planned_area_ha=30.0, established_on=dt.date(2014, 1, 1))
    assert only(run([row]), "MORATORIUM")
    assert only(run([row], **{"moratorium.end": "2013-01-01"}), "MORATORIUM") == []


# OVERLAP --------------------------------------------------------------------------------------


def test_overlap_of_two_parks_beyond_one_hectare_flags_both():
    flags = only(run([zone("A", square(0)), zone("B", square(970))]), "OVERLAP")
    assert [(f.zone_code, f.details["other_zone"]) for f in flags] == [("A", "B"), ("B", "A")]
    assert flags[0].value == pytest.approx(3.0, rel=2e-3) and flags[0].severity == "warning"


def test_overlap_below_one_hectare_is_not_flagged():
    assert only(run([zone("A", square(0)), zone("B", square(991))]), "OVERLAP") == []


def test_overlap_park_inside_an_economic_zone_is_lawful_unless_configured():
    rows = [zone("K", square(0, 0, 5000), kind="KKT"), zone("A", square(1000))]
    assert only(run(rows), "OVERLAP") == []
    flags = only(run(rows, **{"overlap.ignore_inside_kkt": False}), "OVERLAP")
    assert {f.zone_code for f in flags} == {"A", "K"}
    assert all(f.severity == "critical" for f in flags)


# CROSS_PROVINCE -------------------------------------------------------------------------------


@pytest.mark.parametrize(("across_m", "severity"), [(60, "warning"), (300, "critical")])
def test_cross_province_boundary_spanning_the_border_is_flagged(across_m, severity):
    [flag] = only(run([zone("A", square(20_000 - 1000 + across_m))]), "CROSS_PROVINCE")
    assert flag.value == pytest.approx(across_m / 1000, rel=1e-2)
    assert flag.severity == severity
    assert flag.details["main_province"] == "01"


def test_cross_province_small_spill_is_not_flagged():
    assert only(run([zone("A", square(20_000 - 1000 + 40))]), "CROSS_PROVINCE") == []


# All flags ------------------------------------------------------------------------------------


def test_evaluate_flags_messages_are_nfc_and_details_json_safe():
    rows = [
        zone(
            "A",
            square(0),
            established_on=years_ago(10),
            industrial_land_ha=100.0,
            leased_land_ha=5.0,
        ),
        zone("B", square(970), kind="CCN", established_on=dt.date(2013, 1, 1)),
        zone("C", None),
    ]
    flags = run(rows, {"A": square(300, 0, 200), "C": square(5000)})
    assert len({f.code for f in flags}) >= 6
    for flag in flags:
        assert unicodedata.is_normalized("NFC", flag.message_vi)
        assert any(ch in flag.message_vi for ch in "ạảấầểệịọồớờởụưữ")
        json.dumps(flag.details, allow_nan=False)
    assert flags == sorted(flags, key=lambda f: (f.zone_code or "", f.code))


def test_evaluate_flags_empty_geometries_raise_no_geometric_flag():
    rows = [zone("A", shapely.Polygon()), zone("B", None)]
    flags = run(rows, {"A": shapely.Polygon()})
    assert flags == []
