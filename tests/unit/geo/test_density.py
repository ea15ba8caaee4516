"""Density per province, nearest-neighbour statistics, Clark–Evans and dense clusters."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from scipy.stats import norm
from shapely.geometry import box
from sklearn.cluster import DBSCAN

from geo.analysis.density import (
    assign_provinces,
    clark_evans,
    find_dense_clusters,
    province_density,
    split_by_province,
    zone_occupancy,
)

X0, Y0 = 585_000.0, 2_325_000.0  # UTM 48N, near Hà Nội
_TO_WGS84 = pyproj.Transformer.from_crs(32648, 4326, always_xy=True)
BOUNDARIES = Path(__file__).resolve().parents[3] / "data" / "boundaries"


def to_wgs84(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_WGS84.transform(*xy.T)))


def square(dx: float, dy: float, size_m: float = 200.0):
    return to_wgs84(box(X0 + dx, Y0 + dy, X0 + dx + size_m, Y0 + dy + size_m))


def provinces():
    """Two 20 km × 40 km provinces side by side: '01' west of X0, '02' east of it."""
    west = to_wgs84(shapely.segmentize(box(X0 - 20_000, Y0 - 20_000, X0, Y0 + 20_000), 100))
    east = to_wgs84(shapely.segmentize(box(X0, Y0 - 20_000, X0 + 20_000, Y0 + 20_000), 100))
    return gpd.GeoDataFrame(
        {
            "code": ["02", "01"],
            "name_vi": ["Tỉnh Đông", "Tỉnh Tây"],
            "area_km2": [800.0, 800.0],
            "admin_version": ["2025-34", "2025-34"],
        },
        geometry=[east, west],
        crs=4326,
    )


def zones(geoms, **columns):
    n = len(geoms)
    data = {"code": [f"Z{i}" for i in range(n)], "kind": ["KCN"] * n, **columns}
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=4326)


def test_clark_evans_matches_hand_computation():
    points = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0], [100.0, 100.0], [400.0, 400.0]])
    area = 1_000_000.0
    nn = [100, 100, 100, 100, math.hypot(300, 300)]
    mean_nn = sum(nn) / 5
    expected = 0.5 / math.sqrt(5 / area)
    z = (mean_nn - expected) / (0.26136 / math.sqrt(5 * 5 / area))
    ce = clark_evans(points, area_m2=area)
    assert ce.mean_nn_m == pytest.approx(mean_nn)
    assert ce.r == pytest.approx(mean_nn / expected)
    assert ce.z == pytest.approx(z)
    assert ce.p == pytest.approx(2 * norm.sf(abs(z)))


@pytest.mark.parametrize("n", [0, 1])
def test_clark_evans_fewer_than_two_points_is_none_with_reason(n):
    ce = clark_evans(np.zeros((n, 2)), area_m2=1e6)
    assert ce.r is None and ce.z is None and ce.p is None
    assert "fewer than 2" in ce.reason


def test_assign_provinces_uses_location_not_stored_code():
    frame = zones([square(-5000, 0), square(5000, 0), None], province_code=["02", "01", "01"])
    located = assign_provinces(frame, provinces())
    assert located.to_dict() == {"Z0": "01", "Z1": "02", "Z2": None}


def test_assign_provinces_shipped_boundaries_find_ha_noi():
    path = BOUNDARIES / "vn_provinces_2025_34_simplified.geojson"
    provs = gpd.read_file(path)
    frame = zones([shapely.box(105.80, 21.02, 105.81, 21.03)])  # central Hà Nội
    assert assign_provinces(frame, provs).iloc[0] == "01"


def test_province_density_counts_areas_and_edge_distances():
    geoms = [
        square(-10_000, 0, 1000),
        square(-8_700, 0, 1000),
        square(-3_000, 5_000, 500),
        square(5_000, 0),
    ]
    frame = zones(geoms, kind=["KCN", "CCN", "CCN", "KKT"])
    stats = province_density(frame, provinces()).set_index("code")
    west, east = stats.loc["01"], stats.loc["02"]
    assert list(stats.index) == ["01", "02"]
    assert (west["zones"], west["zones_kcn"], west["zones_ccn"], west["zones_kkt"]) == (3, 1, 2, 0)
    assert west["zones_per_1000km2"] == pytest.approx(3 / 800 * 1000)
    assert west["zone_area_ha"] == pytest.approx(100 + 100 + 25, rel=2e-3)
    assert west["zone_area_ha_per_1000km2"] == pytest.approx(west["zone_area_ha"] / 0.8)
    assert west["nn_min_m"] == pytest.approx(300.0, rel=2e-3)  # edge to edge, not centre
    gap_third = math.hypot(-3_000 - (-8_700 + 1_000), 5_000 - 1_000)  # third to the second
    assert west["nn_mean_m"] == pytest.approx((300 + 300 + gap_third) / 3, rel=2e-3)
    assert west["clark_evans_r"] is not None and west["clark_evans_r"] > 0
    assert east["zones"] == 1
    assert east["clark_evans_r"] is None and east["nn_mean_m"] is None
    assert "fewer than 2" in east["clark_evans_reason"]


def test_province_density_output_is_json_safe():
    stats = province_density(zones([square(5_000, 0)]), provinces())
    text = json.dumps(stats.to_dict(orient="records"), allow_nan=False)
    assert '"clark_evans_r": null' in text


def test_province_density_touching_and_duplicate_zones_have_zero_distance():
    frame = zones([square(-5000, 0), square(-5000, 0), square(-4800, 0), square(-1000, 0)])
    stats = province_density(frame, provinces()).set_index("code")
    assert stats.loc["01", "nn_min_m"] == 0.0
    assert stats.loc["01", "nn_median_m"] == 0.0


def test_find_dense_clusters_three_close_zones_form_one_cluster():
    geoms = [square(0, 0), square(4_000, 0), square(8_000, 0), square(30_000, 0)]
    frame = zones(
        geoms,
        province_code=["01", "01", "02", "02"],
        industrial_land_ha=[10.0, 10.0, None, 10.0],
        leased_land_ha=[2.0, 4.0, 5.0, 10.0],
    )
    clusters = find_dense_clusters(frame, distance_m=5000, min_zones=3)
    assert len(clusters) == 1
    cluster = clusters[0]
    assert cluster.cluster_id == 1
    assert cluster.members == ("Z0", "Z1", "Z2")
    assert cluster.province_code == "01"
    assert cluster.mean_occupancy == pytest.approx(0.3)
    assert cluster.total_area_ha == pytest.approx(12.0, rel=2e-3)
    assert all(cluster.hull.covers(g) for g in geoms[:3])


def test_find_dense_clusters_gap_just_above_distance_finds_none():
    geoms = [square(0, 0), square(5_250, 0), square(10_500, 0)]  # 5,050 m edge to edge
    assert find_dense_clusters(zones(geoms), distance_m=5000, min_zones=3) == []
    assert len(find_dense_clusters(zones(geoms), distance_m=5100, min_zones=3)) == 1


def test_find_dense_clusters_without_occupancy_reports_none():
    geoms = [square(0, 0), square(1_000, 0), square(2_000, 0), None]
    clusters = find_dense_clusters(zones(geoms), distance_m=5000, min_zones=3)
    assert clusters[0].mean_occupancy is None
    assert clusters[0].province_code is None


def test_find_dense_clusters_are_ordered_and_deterministic():
    geoms = [
        square(50_000, 0),
        square(51_000, 0),
        square(52_000, 0),
        square(0, 0),
        square(1_000, 0),
        square(2_000, 0),
    ]
    frame = zones(geoms)
    first = find_dense_clusters(frame)
    again = find_dense_clusters(frame.iloc[::-1])
    assert [c.members for c in first] == [("Z0", "Z1", "Z2"), ("Z3", "Z4", "Z5")]
    assert [(c.cluster_id, c.members) for c in first] == [(c.cluster_id, c.members) for c in again]


def test_split_by_province_zone_straddling_border_gets_shares():
    frame = zones([square(-300, 0, 1000), square(-5000, 0)])
    pieces = split_by_province(frame, provinces())
    assert list(pieces["code"]) == ["Z0", "Z0"]
    shares = dict(zip(pieces["province_code"], pieces["share"], strict=True))
    assert shares["01"] == pytest.approx(0.3, abs=1e-3)
    assert shares["02"] == pytest.approx(0.7, abs=1e-3)


def test_zone_occupancy_is_nan_without_a_positive_denominator():
    frame = zones([None] * 3, industrial_land_ha=[10.0, 0.0, None], leased_land_ha=[4.0, 1.0, 1.0])
    occ = zone_occupancy(frame)
    assert occ[0] == pytest.approx(0.4)
    assert np.isnan(occ[1:]).all()


def test_find_dense_clusters_agrees_with_sklearn_dbscan_on_all_pair_distances():
    rng = np.random.default_rng(5)
    dx, dy = rng.uniform(0, 30_000, (2, 80))
    sizes = rng.uniform(100, 800, 80)
    frame = zones([square(x, y, s) for x, y, s in zip(dx, dy, sizes, strict=True)])
    metric = pyproj.Transformer.from_crs(4326, 32648, always_xy=True)
    geoms_m = shapely.transform(
        frame.geometry.to_numpy(), lambda xy: np.column_stack(metric.transform(*xy.T))
    )
    dist = shapely.distance(geoms_m[:, None], geoms_m[None, :])
    labels = DBSCAN(eps=2000, min_samples=4, metric="precomputed").fit_predict(dist)
    expected = {frozenset(frame["code"].to_numpy()[labels == lab]) for lab in set(labels) - {-1}}
    clusters = find_dense_clusters(frame, distance_m=2000, min_zones=4)
    assert len(clusters) >= 2
    assert {frozenset(c.members) for c in clusters} == expected
