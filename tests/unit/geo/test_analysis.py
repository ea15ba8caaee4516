"""The analysis entry point: determinism, fingerprint, JSON shape, empty geometries."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import box

from geo.analysis.run import analyze, fingerprint_inputs, result_to_json
from geo.errors import AdminVersionError
from geo.flags.thresholds import load_thresholds

X0, Y0 = 585_000.0, 2_325_000.0
TODAY = dt.date(2026, 1, 1)
_TO_WGS84 = pyproj.Transformer.from_crs(32648, 4326, always_xy=True)


def to_wgs84(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_WGS84.transform(*xy.T)))


def square(dx: float, dy: float = 0.0, size_m: float = 500.0):
    x, y = X0 - 20_000 + dx, Y0 + dy
    return to_wgs84(box(x, y, x + size_m, y + size_m))


def provinces(version_east: str = "2025-34"):
    west = shapely.segmentize(box(X0 - 50_000, Y0 - 50_000, X0, Y0 + 50_000), 100)
    east = shapely.segmentize(box(X0, Y0 - 50_000, X0 + 50_000, Y0 + 50_000), 100)
    return gpd.GeoDataFrame(
        {
            "code": ["01", "02"],
            "name_vi": ["Hà Nội", "Bắc Ninh"],
            "admin_version": ["2025-34", version_east],
            "area_km2": [5000.0, 5000.0],
        },
        geometry=[to_wgs84(west), to_wgs84(east)],
        crs=4326,
    )


def inputs():
    geoms = [square(0), square(1500), square(3000), square(40_000), shapely.Polygon(), None]
    n = len(geoms)
    zones = gpd.GeoDataFrame(
        {
            "code": [f"Z{i}" for i in range(n)],
            "kind": ["KCN", "CCN", "CCN", "KKT", "KCN", "CCN"],
            "name": ["Khu công nghiệp Thăng Long"] * n,
            "province_code": ["01", "01", "01", "02", "01", "01"],
            "status": ["operating"] * n,
            "established_on": [dt.date(2010, 1, 1), dt.date(2013, 5, 1), None, None, None, None],
            "expanded_on": [None] * n,
            "planned_area_ha": [25.0, 25.0, 25.0, 25.0, None, 20.0],
            "industrial_land_ha": [20.0] * n,
            "leased_land_ha": [4.0, 5.0, 6.0, 18.0, 1.0, 1.0],
            "is_mountainous": [False] * n,
            "is_craft_village": [False] * n,
        },
        geometry=geoms,
        crs=4326,
    )
    actual = gpd.GeoDataFrame(
        {
            "zone_code": ["Z0", "Z1", "Z3", "Z4"],
            "source": ["survey"] * 4,
            "observed_on": [dt.date(2025, 1, 1)] * 4,
        },
        geometry=[square(100), square(1500), square(40_000), shapely.Polygon()],
        crs=4326,
    )
    return zones, actual, provinces()


def run(zones, actual, provs):
    return analyze(zones, actual, provs, thresholds=load_thresholds(), today=TODAY)


def test_analyze_same_data_in_another_order_gives_identical_result():
    zones, actual, provs = inputs()
    first = run(zones, actual, provs)
    again = run(zones.iloc[::-1], actual.iloc[::-1], provs.iloc[::-1])
    assert first.fingerprint == again.fingerprint
    assert first.flags == again.flags
    assert result_to_json(first) == result_to_json(again)
    assert [c.members for c in first.clusters] == [c.members for c in again.clusters]


def test_analyze_raises_the_expected_flags_on_the_fixture():
    result = run(*inputs())
    found = {(f.zone_code, f.code) for f in result.flags}
    assert ("Z0", "ENCROACHMENT") in found
    assert ("Z0", "LOW_OCCUPANCY") in found
    assert ("Z1", "MORATORIUM") in found
    assert {("Z0", "DENSE_CLUSTER"), ("Z1", "DENSE_CLUSTER"), ("Z2", "DENSE_CLUSTER")} <= found
    assert not any(code in {"Z4", "Z5"} for code, flag in found if flag != "CCN_SIZE_RULE")
    assert result.admin_version == "2025-34"


def test_analyze_empty_geometries_get_no_geometry_status():
    result = run(*inputs())
    metrics = result.metrics.set_index("code")
    assert metrics.loc["Z4", "status"] == "no_geometry"
    assert metrics.loc["Z5", "status"] == "no_geometry"
    assert metrics.loc["Z2", "status"] == "no_actual_footprint"
    assert list(result.metrics.columns[:3]) == ["code", "kind", "province_code"]


def test_fingerprint_inputs_changes_with_geometry_or_attributes_only():
    zones, actual, provs = inputs()
    base = fingerprint_inputs(zones, actual, provs)
    moved = zones.copy()
    moved.loc[0, "geometry"] = shapely.affinity.translate(moved.geometry[0], xoff=1e-5)
    renamed = zones.copy()
    renamed.loc[1, "leased_land_ha"] = 5.5
    extra = zones.assign(note="not in the contract")
    assert fingerprint_inputs(moved, actual, provs) != base
    assert fingerprint_inputs(renamed, actual, provs) != base
    assert fingerprint_inputs(zones, actual.iloc[:3], provs) != base
    assert fingerprint_inputs(extra, actual, provs) == base
    assert len(base) == 64


def test_result_to_json_has_the_contract_shape_and_no_nan():
    result = run(*inputs())
    doc = result_to_json(result)
    text = json.dumps(doc, allow_nan=False)
    assert set(doc) == {"zones", "provinces"}
    first = doc["zones"][0]
    assert set(first) == {"code", "kind", "province", "metrics", "flags"}
    assert set(first["metrics"]) == {
        "planned_ha",
        "actual_ha",
        "intersection_ha",
        "iou",
        "encroachment_ha",
        "unbuilt_ha",
        "hausdorff_m",
    }
    assert set(first["flags"][0]) == {"code", "severity", "value", "threshold"}
    assert [z["code"] for z in doc["zones"]] == [f"Z{i}" for i in range(6)]
    z2 = next(z for z in doc["zones"] if z["code"] == "Z2")
    assert z2["metrics"]["iou"] is None
    prov = {p["code"]: p for p in doc["provinces"]}
    assert set(prov["01"]) == {
        "code",
        "zones",
        "density_per_1000km2",
        "clark_evans_r",
        "clark_evans_p",
        "clusters",
    }
    assert prov["01"]["zones"] == 3
    assert prov["01"]["density_per_1000km2"] == pytest.approx(3 / 5000 * 1000)
    assert prov["02"]["clark_evans_r"] is None
    assert [c["members"] for c in prov["01"]["clusters"]] == [["Z0", "Z1", "Z2"]]
    assert "NaN" not in text


def test_analyze_mixed_admin_versions_raise():
    zones, actual, _ = inputs()
    with pytest.raises(AdminVersionError) as err:
        run(zones, actual, provinces(version_east="2008-63"))
    assert err.value.code == "invalid_admin_version"


def test_analyze_does_not_mutate_its_inputs():
    zones, actual, provs = inputs()
    copies = zones.copy(), actual.copy(), provs.copy()
    run(zones, actual, provs)
    for before, after in zip(copies, (zones, actual, provs), strict=True):
        assert before.equals(after)
