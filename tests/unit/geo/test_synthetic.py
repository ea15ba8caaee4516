"""Tests of the deterministic synthetic zone generator (geo.synthetic)."""

from __future__ import annotations

import unicodedata
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from geo.errors import SyntheticInputError
from geo.synthetic import describe, generate_zones, load_default_provinces
from geo.synthetic.shapes import EQUAL_AREA_CRS

TODAY = date(2026, 1, 1)
CONTRACT_COLUMNS = [
    "code",
    "kind",
    "name",
    "province_code",
    "status",
    "established_on",
    "expanded_on",
    "decision_ref",
    "planned_area_ha",
    "industrial_land_ha",
    "leased_land_ha",
    "is_mountainous",
    "is_craft_village",
    "is_synthetic",
    "geometry",
]
EXTRA_COLUMNS = [
    "approved_on",
    "investor",
    "workers",
    "wastewater_status",
    "wastewater_capacity_m3_day",
    "has_worker_housing",
]
PREFIX = r"^(Khu công nghiệp|Cụm công nghiệp( làng nghề)?|Khu kinh tế( ven biển| cửa khẩu)?) "
VIETNAMESE_LETTER = "[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]"
RULE_BREAKING_SIZES = {"CCN-37-0001", "CCN-37-0002", "CCN-42-0002"}


@pytest.fixture(scope="module")
def provinces():
    return load_default_provinces()


@pytest.fixture(scope="module")
def small(provinces):
    return generate_zones(provinces, scale=0.05, seed=7, today=TODAY)


@pytest.fixture(scope="module")
def national(provinces):
    return generate_zones(provinces, scale=1, seed=7, today=TODAY)


@pytest.fixture(scope="module")
def other_seed(provinces):
    return generate_zones(provinces, scale=0.05, seed=8, today=TODAY)


@pytest.fixture(scope="module", params=["national", "other_seed"])
def measured(request):
    """Metric copies of a dataset plus per-zone latest footprint and occupancy."""
    data = request.getfixturevalue(request.param)
    zones = data.zones.to_crs(EQUAL_AREA_CRS).set_index("code")
    latest = data.actual.sort_values("observed_on").groupby("zone_code").tail(1)
    actual = latest.to_crs(EQUAL_AREA_CRS).set_index("zone_code").geometry
    occupancy = zones["leased_land_ha"] / zones["industrial_land_ha"]
    return data, zones, actual.reindex(zones.index), occupancy


def _ha(geoms) -> np.ndarray:
    return shapely.area(np.asarray(geoms, dtype=object)) / 1e4


def _encroachment_ha(zones, actual) -> pd.Series:
    has_both = ~zones.geometry.isna() & ~actual.isna()
    planned, built = zones.geometry[has_both].to_numpy(), actual[has_both].to_numpy()
    return pd.Series(_ha(shapely.difference(built, planned)), index=zones.index[has_both])


def _years_before_today(days) -> pd.Series:
    return pd.Series([np.nan if d is None else (TODAY - d).days / 365.25 for d in days])


def test_generate_zones_same_seed_identical(provinces, small):
    again = generate_zones(provinces, scale=0.05, seed=7, today=TODAY)
    assert_geodataframe_equal(small.zones, again.zones)
    assert_geodataframe_equal(small.actual, again.actual)
    assert_geodataframe_equal(small.planning_history, again.planning_history)
    pd.testing.assert_frame_equal(small.scenarios, again.scenarios)


def test_generate_zones_other_seed_differs(small, other_seed):
    assert not small.zones["name"].equals(other_seed.zones["name"])
    random_codes = ~small.zones["code"].isin(small.scenarios["code"])
    common = small.zones[random_codes].merge(other_seed.zones, on="code", suffixes=("", "_o"))
    assert not common["planned_area_ha"].equals(common["planned_area_ha_o"])


def test_generate_zones_scale_multiplies_count(small, national):
    assert len(national.zones) == 2500
    assert len(small.zones) == 125
    kinds = national.zones["kind"].value_counts()
    assert kinds["KKT"] == 44 and 400 <= kinds["KCN"] <= 450 and kinds["CCN"] > 1900


def test_generate_zones_contract_columns_present(national):
    zones = national.zones
    assert set(CONTRACT_COLUMNS + EXTRA_COLUMNS) <= set(zones.columns)
    assert zones.crs.to_epsg() == 4326
    assert zones["code"].is_unique and zones["code"].is_monotonic_increasing
    assert zones["is_synthetic"].all()
    assert set(zones["status"]) <= {
        "planned",
        "under_construction",
        "operating",
        "suspended",
        "cancelled",
    }
    assert zones["code"].str.fullmatch(r"(KKT|KCN|CCN)-\d{2}-\d{4,}").all()
    assert (zones["code"].str[:3] == zones["kind"]).all()
    assert (zones["code"].str[4:6] == zones["province_code"]).all()
    assert all(isinstance(d, date) for d in zones["established_on"].dropna())


def test_generate_zones_geometries_valid_multipolygons(national):
    for frame in (national.zones, national.actual, national.planning_history):
        geoms = frame.geometry.dropna().to_numpy()
        assert shapely.is_valid(geoms).all()
        assert (shapely.get_type_id(geoms) == 6).all()
    vertices = shapely.get_num_coordinates(national.zones.geometry.dropna().to_numpy())
    assert vertices.min() >= 9 and np.median(vertices) < 60


@pytest.fixture(scope="module")
def scale10(provinces):
    # The case that once produced empty footprints (holed zones under construction), 3-7 s.
    return generate_zones(provinces, scale=10, seed=7, today=TODAY)


def _bad_geometry(geoms) -> np.ndarray:
    geoms = np.asarray(geoms, dtype=object)
    ok = ~shapely.is_missing(geoms)
    ok[ok] = ~shapely.is_empty(geoms[ok]) & shapely.is_valid(geoms[ok])
    ok[ok] &= shapely.get_type_id(geoms[ok]) == 6
    return ~ok


@pytest.mark.parametrize("name", ["small", "other_seed", "national", "scale10"])
def test_generate_zones_any_scale_no_null_empty_or_invalid_geometry(request, name):
    data = request.getfixturevalue(name)
    for frame in (data.actual, data.planning_history):
        assert not _bad_geometry(frame.geometry).any(), frame[_bad_geometry(frame.geometry)]
    zones = data.zones
    bad = _bad_geometry(zones.geometry)
    # Only the "outside planning" zones lack a boundary: no decision, no area, but a footprint.
    assert bad.any() and (bad == zones.geometry.isna().to_numpy()).all()
    assert zones.loc[bad, ["decision_ref", "approved_on", "planned_area_ha"]].isna().all().all()
    assert zones.loc[~bad, "approved_on"].notna().all()
    assert zones.loc[bad, "code"].isin(data.actual["zone_code"]).all()


def test_generate_zones_holed_zone_footprints_cover_their_share(scale10):
    zones = scale10.zones.set_index("code")
    holed = zones.index[
        shapely.get_num_interior_rings(shapely.get_geometry(zones.geometry.to_numpy(), 0)) > 0
    ]
    actual = scale10.actual[scale10.actual["zone_code"].isin(holed)]
    planned = zones.geometry[actual["zone_code"]].to_numpy()
    built = actual.geometry.to_numpy()
    share = shapely.area(shapely.intersection(built, planned)) / shapely.area(planned)
    assert len(actual) > 100
    assert share.min() > 0.03
    under_construction = zones.loc[actual["zone_code"], "status"].to_numpy() == "under_construction"
    assert np.median(share[under_construction]) < 0.3


def test_generate_zones_boundaries_inside_their_province(national, provinces):
    zones = national.zones[national.zones.geometry.notna()]
    shapes = provinces.set_index("code").geometry
    owner = shapes.loc[zones["province_code"]].to_numpy()
    points = shapely.point_on_surface(zones.geometry.to_numpy())
    assert shapely.contains(owner, points).all()
    inside = shapely.contains(owner, zones.geometry.to_numpy())
    assert set(zones["code"][~inside]) == {"KCN-24-0001"}


def test_generate_zones_random_zones_do_not_overlap(national):
    geoms = national.zones.geometry.dropna().to_numpy()
    i, j = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    codes = national.zones.dropna(subset=["geometry"])["code"].to_numpy()
    pairs = {tuple(sorted((codes[a], codes[b]))) for a, b in zip(i, j, strict=True) if a != b}
    assert pairs == {("KCN-75-0001", "KCN-75-0002")}


def test_generate_zones_sizes_within_kind_band(national):
    zones = national.zones.dropna(subset=["planned_area_ha"])
    area = zones.set_index("code")["planned_area_ha"]
    kind = zones.set_index("code")["kind"]
    assert (area[kind == "KKT"] >= 1000).all()
    assert area[kind == "KCN"].between(50, 1000).all()
    ccn = area[(kind == "CCN") & ~area.index.isin(RULE_BREAKING_SIZES)]
    assert ccn.between(5, 75).all()
    small_ok = zones.set_index("code")[["is_mountainous", "is_craft_village"]].any(axis=1)
    assert (ccn[ccn < 10].index.isin(small_ok[small_ok].index)).all()
    assert not area[list(RULE_BREAKING_SIZES)].between(10, 75).all()


def test_generate_zones_land_and_dates_plausible(national):
    zones = national.zones.dropna(subset=["planned_area_ha"])
    share = zones["industrial_land_ha"] / zones["planned_area_ha"]
    assert share[zones["kind"] != "KKT"].between(0.55, 0.8).all()
    occupancy = zones["leased_land_ha"] / zones["industrial_land_ha"]
    assert occupancy.between(0, 1).all() and occupancy.max() > 0.95 and occupancy.min() == 0
    years = pd.Series([d.year for d in zones["established_on"]])
    assert years.between(1995, 2025).all()
    assert (zones["status"] == "operating").mean() > 0.6
    assert zones.loc[zones["province_code"] == "14", "is_mountainous"].all()


def test_generate_zones_names_nfc_vietnamese_unique(national):
    names = national.zones["name"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert names.str.match(PREFIX).all()
    assert names.is_unique
    place = names.str.replace(PREFIX, "", regex=True)
    assert place.str.contains(VIETNAMESE_LETTER, case=False).mean() > 0.5
    assert place.str.split().map(len).ge(2).all()


def test_generate_zones_actual_mostly_near_copy(measured):
    data, zones, actual, _ = measured
    operating = zones.index[(zones["status"] == "operating") & (zones["kind"] != "KKT")]
    operating = operating[zones.geometry[operating].notna() & actual[operating].notna()]
    planned, built = zones.geometry[operating].to_numpy(), actual[operating].to_numpy()
    iou = _ha(shapely.intersection(planned, built)) / _ha(shapely.union(planned, built))
    assert np.mean(iou > 0.85) > 0.85
    assert not data.actual["zone_code"].isin(zones.index[zones["status"] == "planned"]).any()
    assert set(data.actual["source"]) <= {
        "Sentinel-2 digitising (synthetic)",
        "field survey (synthetic)",
    }
    assert data.actual["zone_code"].duplicated().any()


def test_generate_zones_history_precedes_current(national):
    history = national.planning_history
    zones = national.zones.set_index("code")
    assert history["zone_code"].isin(zones.index).all()
    assert (history["valid_to"] > history["valid_from"]).all()
    current = zones.loc[history["zone_code"], "approved_on"].to_numpy()
    assert (history["valid_to"].to_numpy() == current).all()
    assert zones.loc[zones["expanded_on"].notna(), "approved_on"].equals(
        zones.loc[zones["expanded_on"].notna(), "expanded_on"]
    )


def test_flag_condition_footprint_mismatch_present(measured):
    _, zones, actual, _ = measured
    encroach = _encroachment_ha(zones, actual)
    assert (encroach > 2).any()
    planned = zones.geometry[encroach.index].to_numpy()
    built = actual[encroach.index].to_numpy()
    iou = _ha(shapely.intersection(planned, built)) / _ha(shapely.union(planned, built))
    assert ((iou < 0.8) & (encroach.to_numpy() < 0.01)).any()


def test_flag_condition_encroachment_present_many_zones(measured):
    _, zones, actual, _ = measured
    encroach = _encroachment_ha(zones, actual)
    share = encroach / zones.loc[encroach.index, "planned_area_ha"]
    assert (share > 0.05).any() and (encroach > 0.1).sum() >= 1


def test_flag_condition_slow_deployment_present(measured):
    _, zones, actual, _ = measured
    age = _years_before_today(zones["established_on"]).to_numpy()
    built = np.zeros(len(zones))
    has = actual.notna().to_numpy() & zones.geometry.notna().to_numpy()
    both = shapely.intersection(zones.geometry.to_numpy()[has], actual.to_numpy()[has])
    built[has] = _ha(both) / zones["planned_area_ha"].to_numpy()[has]
    slow = (age > 3) & (built < 0.2) & zones.geometry.notna().to_numpy()
    assert slow.any()
    assert (slow & has).any()


def test_flag_condition_low_occupancy_present(measured):
    _, zones, _, occupancy = measured
    age = _years_before_today(zones["established_on"]).to_numpy()
    assert ((zones["status"] == "operating").to_numpy() & (age > 5) & (occupancy < 0.3)).any()


def test_flag_condition_dense_cluster_present(measured):
    _, zones, actual, occupancy = measured
    footprint = actual.fillna(zones.geometry).dropna()
    geoms = footprint.to_numpy()
    i, j = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=5000)
    graph = coo_matrix((np.ones(i.size), (i, j)), shape=(geoms.size, geoms.size))
    _, label = connected_components(graph, directed=False)
    groups = pd.DataFrame({"label": label, "occ": occupancy[footprint.index].to_numpy()})
    stats = groups.groupby("label")["occ"].agg(["size", "mean"])
    assert ((stats["size"] >= 3) & (stats["mean"] < 0.5)).any()


def test_flag_condition_ccn_size_rule_present(measured):
    _, zones, _, _ = measured
    ccn = zones[zones["kind"] == "CCN"]
    small_ok = ccn["is_mountainous"] | ccn["is_craft_village"]
    assert (ccn["planned_area_ha"] > 75).any()
    assert ((ccn["planned_area_ha"] < 10) & ~small_ok).any()
    regime = ccn["established_on"].map(
        lambda d: d is not None and date(2009, 8, 20) <= d < date(2017, 7, 15)
    )
    assert ((ccn["planned_area_ha"] > 50) & regime.astype(bool)).any()


def test_flag_condition_ccn_new_or_expansion_present(measured):
    _, zones, _, occupancy = measured
    ccn = zones[zones["kind"] == "CCN"].assign(occ=occupancy)
    ccn = ccn.assign(
        est=pd.to_datetime(ccn["established_on"]),
        unleased=ccn["industrial_land_ha"] - ccn["leased_land_ha"],
    )
    decree = pd.Timestamp("2024-05-15")
    breaches = 0
    for province, est in ccn.loc[ccn["est"] >= decree, ["province_code", "est"]].itertuples(
        index=False
    ):
        before = ccn[(ccn["province_code"] == province) & (ccn["est"] < est)]
        breaches += bool(before["occ"].mean() <= 0.5 and before["unleased"].sum() > 100)
    assert breaches >= 1
    expanded = ccn[pd.to_datetime(ccn["expanded_on"]) >= decree]
    assert ((expanded["occ"] < 0.6) | (expanded["planned_area_ha"] > 75)).any()


def test_flag_condition_moratorium_present(measured):
    _, zones, _, _ = measured
    ccn = zones[zones["kind"] == "CCN"]
    freeze = (date(2012, 3, 2), date(2012, 12, 31))
    during = ccn[["established_on", "expanded_on"]].map(
        lambda d: d is not None and freeze[0] <= d <= freeze[1]
    )
    assert during["established_on"].any() and during["expanded_on"].any()


def test_flag_condition_outside_planning_present(measured):
    data, zones, _, _ = measured
    without = zones.index[zones.geometry.isna()]
    assert len(without) >= 1
    assert data.actual["zone_code"].isin(without).any()


def test_flag_condition_overlap_present(measured):
    _, zones, _, _ = measured
    a, b = zones.geometry["KCN-75-0001"], zones.geometry["KCN-75-0002"]
    assert shapely.intersection(a, b).area / 1e4 > 5


def test_flag_condition_cross_province_present(measured, provinces):
    _, zones, _, _ = measured
    metric = provinces.to_crs(EQUAL_AREA_CRS).set_index("code").geometry
    geoms = zones.geometry.dropna()
    own = metric.loc[zones.loc[geoms.index, "province_code"]].to_numpy()
    outside_ha = _ha(shapely.difference(geoms.to_numpy(), own))
    assert (outside_ha > 1).sum() >= 1


def test_describe_counts_match_zones(national):
    summary = describe(national)
    assert summary["zones"] == len(national.zones) == sum(summary["by_kind"].values())
    assert sum(summary["by_status"].values()) == summary["zones"]
    assert summary["planned_area_ha"] == pytest.approx(
        national.zones["planned_area_ha"].sum(), abs=0.1
    )
    assert summary["without_boundary"] == national.zones.geometry.isna().sum()
    assert summary["by_kind_status"]["KCN"]["operating"] == int(
        ((national.zones["kind"] == "KCN") & (national.zones["status"] == "operating")).sum()
    )


def test_generate_zones_nonpositive_scale_raises(provinces):
    with pytest.raises(SyntheticInputError) as info:
        generate_zones(provinces, scale=0)
    assert info.value.code == "synthetic_input_invalid"


def test_generate_zones_missing_scenario_provinces_raises(provinces):
    with pytest.raises(SyntheticInputError, match="lack the codes"):
        generate_zones(provinces[provinces["code"] != "38"], scale=0.05)


def test_load_default_provinces_unknown_version_raises():
    with pytest.raises(SyntheticInputError, match="2025-34"):
        load_default_provinces("1976-38")


def test_load_default_provinces_reads_34(provinces):
    assert isinstance(provinces, gpd.GeoDataFrame)
    assert len(provinces) == 34 and provinces.crs.to_epsg() == 4326


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generate_zones_planted_scenarios_hold_at_any_seed(provinces, seed):
    data = generate_zones(provinces, scale=0.02, seed=seed, today=TODAY)
    zones = data.zones.to_crs(EQUAL_AREA_CRS).set_index("code")
    latest = data.actual.sort_values("observed_on").groupby("zone_code").tail(1)
    actual = latest.to_crs(EQUAL_AREA_CRS).set_index("zone_code").geometry
    occ = zones["leased_land_ha"] / zones["industrial_land_ha"]
    geom, area = zones.geometry, zones["planned_area_ha"]
    age = pd.Series(_years_before_today(zones["established_on"]).to_numpy(), index=zones.index)

    def iou(code):
        return geom[code].intersection(actual[code]).area / geom[code].union(actual[code]).area

    assert actual["KCN-31-0001"].difference(geom["KCN-31-0001"]).area / 1e4 == pytest.approx(
        12, 0.05
    )
    assert (
        iou("KCN-01-0001") < 0.8 and actual["KCN-01-0001"].difference(geom["KCN-01-0001"]).is_empty
    )
    assert iou("CCN-25-0001") < 0.2 and age["CCN-25-0001"] > 3
    assert "KCN-25-0001" not in actual.index and age["KCN-25-0001"] > 3
    assert occ["KCN-40-0001"] < 0.3 and age["KCN-40-0001"] > 5
    cluster = [f"CCN-38-000{i}" for i in range(1, 5)]
    others = actual.drop(cluster, errors="ignore").reindex(zones.index).fillna(geom).dropna()
    others = others.drop(cluster)
    assert occ[cluster].mean() < 0.5
    assert max(geom[a].distance(geom[b]) for a in cluster for b in cluster) < 5000
    assert shapely.distance(others.to_numpy(), shapely.union_all(geom[cluster])).min() > 5000
    assert area["CCN-37-0001"] > 75 and area["CCN-37-0002"] < 10 and area["CCN-37-0003"] > 50
    assert not zones.loc["CCN-37-0002", ["is_mountainous", "is_craft_village"]].any()
    assert zones.loc["CCN-37-0003", "established_on"] < date(2017, 7, 15)
    ccn14 = zones[(zones["kind"] == "CCN") & (zones["province_code"] == "14")].drop("CCN-14-0005")
    assert occ[ccn14.index].mean() <= 0.5
    assert (ccn14["industrial_land_ha"] - ccn14["leased_land_ha"]).sum() > 100
    assert occ["CCN-42-0001"] < 0.6 and area["CCN-42-0002"] > 75
    assert zones.loc["CCN-42-0001", "expanded_on"] >= date(2024, 5, 15)
    assert date(2012, 3, 2) <= zones.loc["CCN-19-0001", "established_on"] < date(2013, 1, 1)
    assert date(2012, 3, 2) <= zones.loc["CCN-19-0002", "expanded_on"] < date(2013, 1, 1)
    assert geom["CCN-80-0001"] is None and "CCN-80-0001" in actual.index
    assert geom["KCN-75-0001"].intersection(geom["KCN-75-0002"]).area / 1e4 > 5
    own = provinces.to_crs(EQUAL_AREA_CRS).set_index("code").geometry["24"]
    assert geom["KCN-24-0001"].difference(own).area / 1e4 > 1
