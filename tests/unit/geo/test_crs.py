"""Tests for geo.crs.systems and geo.crs.vn2000: metric helpers, VN-2000 and CRS guessing."""

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from pyproj.transformer import TransformerGroup
from shapely.geometry import Point, box

from geo.crs.systems import (
    LEGAL_TM3_MERIDIANS,
    PROVINCE_CENTRAL_MERIDIANS_2008,
    PROVINCE_CENTRAL_MERIDIANS_2025,
    ROTATION_CONVENTION,
    VN2000_PROJ_TOWGS84,
    VN2000_TOWGS84,
    check_vietnam_extent,
    describe_crs,
    official_vn2000_crs,
    parse_crs,
    rank_crs_candidates,
    recognise_vn2000,
    to_metric,
    vn2000_crs,
)
from geo.errors import GeoError, UnknownCRSError

BOUNDARIES = Path(__file__).resolve().parents[3] / "data" / "boundaries"
GEOD = pyproj.Geod(ellps="WGS84")
# A point in central Hà Nội in VN-2000 / TM-3 105°00' (k0 0.9999, FE 500 km).
HANOI_TM3_105 = (587_000.0, 2_326_000.0)


def _distance_m(a, b):
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def _epsg_6960_vn2000_to_wgs84(lon, lat):
    """Transform with EPSG's own 'VN-2000 to WGS 84 (2)' (EPSG:6960), coordinate-frame rotation."""
    group = TransformerGroup(4756, 4326, always_xy=True)
    (transformer,) = [t for t in group.transformers if "VN-2000 to WGS 84 (2)" in t.description]
    return transformer.transform(lon, lat)


def _tm3_inverse(easting, northing, central_meridian):
    """Projection only (no datum change): TM-3 metres → lon/lat on the VN-2000 ellipsoid."""
    tm = pyproj.Proj(
        proj="tmerc", lat_0=0, lon_0=central_meridian, k=0.9999, x_0=500_000, ellps="WGS84"
    )
    return tm(easting, northing, inverse=True)


@pytest.fixture(scope="module")
def provinces_2008():
    path = BOUNDARIES / "vn_provinces_2008_63_simplified.geojson"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return gpd.read_file(path)


@pytest.fixture(scope="module")
def provinces_2025():
    path = BOUNDARIES / "vn_provinces_2025_34_simplified.geojson"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return gpd.read_file(path)


def test_vn2000_towgs84_is_the_published_decision():
    assert VN2000_TOWGS84 == (
        -191.90441429,
        -39.30318279,
        -111.45032835,
        -0.00928836,
        0.01975479,
        -0.00427372,
        0.252906278,
    )
    assert ROTATION_CONVENTION == "coordinate_frame"
    assert VN2000_PROJ_TOWGS84[:3] == VN2000_TOWGS84[:3]
    assert VN2000_PROJ_TOWGS84[3:6] == tuple(-r for r in VN2000_TOWGS84[3:6])


def test_vn2000_crs_tm3_hanoi_point_matches_epsg_6960_and_lands_in_hanoi(provinces_2008):
    to_wgs84 = pyproj.Transformer.from_crs(vn2000_crs(central_meridian=105.0), 4326, always_xy=True)
    ours = to_wgs84.transform(*HANOI_TM3_105)
    reference = _epsg_6960_vn2000_to_wgs84(*_tm3_inverse(*HANOI_TM3_105, 105.0))
    assert _distance_m(ours, reference) < 0.01
    hanoi = provinces_2008.loc[provinces_2008["code"] == "01", "geometry"].iloc[0]
    assert hanoi.contains(Point(ours))


def test_vn2000_crs_datum_ignored_is_over_150_m_off():
    ours = pyproj.Transformer.from_crs(
        vn2000_crs(central_meridian=105.0), 4326, always_xy=True
    ).transform(*HANOI_TM3_105)
    ignored = _tm3_inverse(*HANOI_TM3_105, 105.0)  # VN-2000 lon/lat taken as WGS 84
    assert 150.0 < _distance_m(ours, ignored) < 300.0


def test_vn2000_crs_verbatim_position_vector_reading_is_about_075_m_off():
    verbatim = pyproj.CRS.from_proj4(
        "+proj=longlat +ellps=WGS84 +towgs84=" + ",".join(map(str, VN2000_TOWGS84))
    )
    lon, lat = 105.85, 21.03
    ours = pyproj.Transformer.from_crs(vn2000_crs(), 4326, always_xy=True).transform(lon, lat)
    pv = pyproj.Transformer.from_crs(verbatim, 4326, always_xy=True).transform(lon, lat)
    assert 0.4 < _distance_m(ours, pv) < 1.0
    assert _distance_m(ours, _epsg_6960_vn2000_to_wgs84(lon, lat)) < 0.01


def _dms(degrees, minutes, seconds):
    return degrees + minutes / 60 + seconds / 3600


# Published pairs (Vietnam Maritime Pilotage, pilot boarding points), lat/lon to 0.1":
# VN-2000 (lon, lat) → WGS 84 (lon, lat). The 0.1" rounding is ~3 m.
CONTROL_POINTS = [
    ((_dms(108, 10, 53.4), _dms(16, 10, 3.7)), (_dms(108, 11, 0.0), _dms(16, 10, 0.0))),
    ((_dms(108, 17, 7.0), _dms(16, 4, 10.0)), (_dms(108, 17, 13.6), _dms(16, 4, 6.3))),
    ((_dms(108, 42, 13.2), _dms(15, 29, 43.9)), (_dms(108, 42, 19.8), _dms(15, 29, 40.2))),
]


@pytest.mark.parametrize(("vn2000", "wgs84"), CONTROL_POINTS)
def test_vn2000_crs_published_control_points_within_rounding(vn2000, wgs84):
    ours = pyproj.Transformer.from_crs(vn2000_crs(), 4326, always_xy=True).transform(*vn2000)
    assert _distance_m(ours, wgs84) < 3.5
    assert _distance_m(vn2000, wgs84) > 150.0


def test_vn2000_crs_utm_zones_and_tm6():
    utm48 = vn2000_crs(zone="48")
    params = {p.name: p.value for p in utm48.source_crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == 105.0
    assert params["Scale factor at natural origin"] == pytest.approx(0.9996)
    assert vn2000_crs(zone="49N").name == "VN-2000 / UTM zone 49N"
    tm6 = vn2000_crs(central_meridian=105.0, zone_width=6)
    k0 = {p.name: p.value for p in tm6.source_crs.coordinate_operation.params}
    assert k0["Scale factor at natural origin"] == pytest.approx(0.9996)
    with pytest.raises(ValueError):
        vn2000_crs(zone="50")


def test_official_vn2000_crs_replaces_epsg_9210_with_official_transformation():
    replaced = official_vn2000_crs(pyproj.CRS.from_epsg(9210))
    point = (560_000.0, 1_190_000.0)
    got = pyproj.Transformer.from_crs(replaced, 4326, always_xy=True).transform(*point)
    want = pyproj.Transformer.from_crs(
        vn2000_crs(central_meridian=105.75), 4326, always_xy=True
    ).transform(*point)
    assert _distance_m(got, want) < 0.001
    assert official_vn2000_crs(pyproj.CRS.from_epsg(32648)) == pyproj.CRS.from_epsg(32648)


def test_province_meridian_tables_cover_both_admin_versions(provinces_2008, provinces_2025):
    assert set(PROVINCE_CENTRAL_MERIDIANS_2008) == set(provinces_2008["code"])
    assert set(PROVINCE_CENTRAL_MERIDIANS_2025) == set(provinces_2025["code"])
    assert PROVINCE_CENTRAL_MERIDIANS_2008["01"] == 105.0  # Hà Nội 105°00'
    assert PROVINCE_CENTRAL_MERIDIANS_2008["79"] == 105.75  # Hồ Chí Minh 105°45'
    assert PROVINCE_CENTRAL_MERIDIANS_2008["48"] == 107.75  # Đà Nẵng 107°45'
    assert PROVINCE_CENTRAL_MERIDIANS_2008["22"] == 107.75  # Quảng Ninh 107°45'
    for cm in LEGAL_TM3_MERIDIANS:
        assert 102.0 <= cm <= 109.0
        assert (cm * 4) == int(cm * 4)  # whole quarter-degrees


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("VN2000", "VN-2000"),
        ("vn-2000-utm48", "VN-2000 / UTM zone 48N"),
        ("VN2000-UTM49", "VN-2000 / UTM zone 49N"),
        ("VN2000-TM3-105.75", "VN-2000 / TM-3 105-45"),
        ("VN2000-TM3-107-45", "VN-2000 / TM-3 107-45"),
        ("VN2000-TM3:22", "VN-2000 / TM-3 107-45"),
        ("EPSG:3405", "VN-2000 / UTM zone 48N"),
        ("+proj=utm +zone=48 +datum=WGS84 +units=m +no_defs", "unknown"),
    ],
)
def test_parse_crs_accepted_forms(text, name):
    assert parse_crs(text).name == name


def test_parse_crs_wkt_accepted():
    wkt = pyproj.CRS.from_epsg(32648).to_wkt()
    assert parse_crs(wkt).to_epsg() == 32648


@pytest.mark.parametrize(
    "text", ["EPSG:99999999", "VN2000-UTM50", "VN2000-TM3:00", "VN2000-TM3-95", "hello", ""]
)
def test_parse_crs_refuses_with_accepted_forms(text):
    with pytest.raises(UnknownCRSError) as info:
        parse_crs(text)
    assert isinstance(info.value, GeoError)
    assert info.value.code == "unknown_crs"
    assert "VN2000-TM3:01" in str(info.value)


ESRI_PRJ_TM3 = (
    'PROJCS["VN_2000_TM3_105_45",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",'
    'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",105.75],PARAMETER["Scale_Factor",0.9999],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


@pytest.mark.parametrize(
    ("crs", "expected"),
    [
        (pyproj.CRS.from_epsg(4756), "VN2000"),
        (pyproj.CRS.from_epsg(3405), "VN2000-UTM48"),
        (pyproj.CRS.from_epsg(3406), "VN2000-UTM49"),
        (pyproj.CRS.from_epsg(5897), "VN2000-TM3-105"),
        (pyproj.CRS.from_epsg(9218), "VN2000-TM3-108.5"),
        (pyproj.CRS.from_wkt(ESRI_PRJ_TM3), "VN2000-TM3-105.75"),
        (pyproj.CRS.from_epsg(4326), None),
        (pyproj.CRS.from_epsg(32648), None),
    ],
)
def test_recognise_vn2000_known_forms(crs, expected):
    assert recognise_vn2000(crs) == expected


@pytest.mark.parametrize("name", ["VN2000", "VN2000-UTM49", "VN2000-TM3-106.25"])
def test_recognise_vn2000_our_crs_roundtrips_through_parse(name):
    assert recognise_vn2000(parse_crs(name)) == name


def test_describe_crs_epsg_friendly_or_proj():
    assert describe_crs(pyproj.CRS.from_epsg(4326)) == "EPSG:4326"
    assert describe_crs(vn2000_crs(central_meridian=105.0)) == "VN2000-TM3-105"
    custom = pyproj.CRS.from_proj4("+proj=tmerc +lon_0=104.1 +k=1 +x_0=0 +ellps=WGS84 +units=m")
    described = describe_crs(custom)
    assert "+proj=tmerc" in described
    assert parse_crs(described) == custom


def _square_near_hanoi_utm(side_m=1000.0):
    return box(585_000.0, 2_326_000.0, 585_000.0 + side_m, 2_326_000.0 + side_m)


@pytest.mark.parametrize(("lon", "epsg"), [(105.85, 32648), (108.2, 32649), (103.0, 32648)])
def test_to_metric_local_data_goes_to_utm_zone(lon, epsg):
    gdf = gpd.GeoDataFrame(geometry=[box(lon, 16.0, lon + 0.1, 16.1)], crs=4326)
    metric = to_metric(gdf)
    assert metric.crs.to_epsg() == epsg
    assert gdf.crs.to_epsg() == 4326  # input untouched


def test_to_metric_whole_country_goes_to_albers_equal_area(provinces_2008):
    metric = to_metric(provinces_2008)
    assert "Albers" in metric.crs.coordinate_operation.method_name
    areas_km2 = metric.area.to_numpy() / 1e6
    np.testing.assert_allclose(areas_km2, provinces_2008["area_km2"], rtol=0.03)


def test_to_metric_without_crs_raises():
    with pytest.raises(UnknownCRSError):
        to_metric(gpd.GeoDataFrame(geometry=[Point(105.8, 21.0)]))


def test_check_vietnam_extent_flags_features_outside():
    gdf = gpd.GeoDataFrame(
        {"name": ["Hà Nội", "Bangkok", "none", "straddles"]},
        geometry=[Point(105.85, 21.03), Point(100.5, 13.75), None, box(117.5, 10, 118.5, 11)],
        index=[10, 11, 12, 13],
        crs=4326,
    )
    assert list(check_vietnam_extent(gdf)) == [11, 13]
    assert list(check_vietnam_extent(gdf.to_crs(32648))) == [11, 13]


def _points_inside(provinces, code, n=40, seed=0):
    rng = np.random.default_rng(seed)
    shape = provinces.loc[provinces["code"] == code, "geometry"].iloc[0]
    minx, miny, maxx, maxy = shape.bounds
    points = []
    while len(points) < n:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if shape.contains(p):
            points.append(p)
    return gpd.GeoDataFrame(geometry=points, crs=4326)


def _drop_crs(gdf):
    return gpd.GeoDataFrame(geometry=gdf.geometry.to_numpy())


@pytest.mark.parametrize("code", ["01", "22", "96", "46"])
def test_rank_crs_candidates_claimed_province_picks_its_meridian(provinces_2008, code):
    cm = PROVINCE_CENTRAL_MERIDIANS_2008[code]
    features = _points_inside(provinces_2008, code).to_crs(vn2000_crs(central_meridian=cm))
    ranked = rank_crs_candidates(
        _drop_crs(features.buffer(30.0)), provinces=provinces_2008, claimed_province_code=code
    )
    assert ranked[0].name == f"VN2000-TM3-{cm:g}"
    assert ranked[0].score == 1.0
    assert ranked[1].score <= ranked[0].score
    assert recognise_vn2000(ranked[0].crs) == ranked[0].name


@pytest.mark.parametrize("code", ["01", "79", "22"])
def test_rank_crs_candidates_no_claim_uses_legal_meridian_to_break_ties(provinces_2025, code):
    cm = PROVINCE_CENTRAL_MERIDIANS_2025[code]
    features = _points_inside(provinces_2025, code).to_crs(vn2000_crs(central_meridian=cm))
    ranked = rank_crs_candidates(_drop_crs(features), provinces=provinces_2025)
    assert ranked[0].name == f"VN2000-TM3-{cm:g}"
    assert "legal" in ranked[0].reason


def test_rank_crs_candidates_utm49_data(provinces_2008):
    features = _points_inside(provinces_2008, "52").to_crs(vn2000_crs(zone="49"))
    ranked = rank_crs_candidates(
        _drop_crs(features), provinces=provinces_2008, claimed_province_code="52"
    )
    assert ranked[0].name in {"VN2000-UTM49", "EPSG:32649"}
    assert ranked[0].score == 1.0


def test_rank_crs_candidates_lonlat_data_picks_degrees(provinces_2008):
    features = _points_inside(provinces_2008, "79")
    ranked = rank_crs_candidates(_drop_crs(features), provinces=provinces_2008)
    assert ranked[0].name == "EPSG:4326"
    assert ranked[0].score == 1.0
    assert {c.name for c in ranked} == {"EPSG:4326", "VN2000"}


def test_rank_crs_candidates_coordinates_outside_vietnam_return_empty(provinces_2008):
    far = gpd.GeoDataFrame(geometry=[Point(5_000_000.0, 9_000_000.0), Point(-3.0, 51.0)])
    assert rank_crs_candidates(far, provinces=provinces_2008) == []


def test_rank_crs_candidates_unknown_claimed_province_raises(provinces_2008):
    features = _drop_crs(_points_inside(provinces_2008, "01", n=3))
    with pytest.raises(UnknownCRSError):
        rank_crs_candidates(features, provinces=provinces_2008, claimed_province_code="99")


def test_rank_crs_candidates_is_fast_for_many_features(provinces_2008):
    base = _points_inside(provinces_2008, "01", n=200).to_crs(vn2000_crs(central_meridian=105.0))
    many = gpd.GeoDataFrame(geometry=np.tile(base.buffer(20.0).to_numpy(), 100))
    rank_crs_candidates(many.iloc[:5], provinces=provinces_2008)  # warm the caches
    start = time.perf_counter()
    ranked = rank_crs_candidates(many, provinces=provinces_2008, claimed_province_code="01")
    assert time.perf_counter() - start < 2.0
    assert ranked[0].name == "VN2000-TM3-105"
    assert shapely.get_num_geometries(many.geometry.to_numpy()).sum() == 20_000
