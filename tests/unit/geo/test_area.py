"""``geo.crs.area.ellipsoidal_area_ha``: the one area function, checked against pyproj.Geod."""

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from geo.crs.area import ellipsoidal_area_ha
from geo.crs.systems import to_metric

_GEOD = pyproj.Geod(ellps="WGS84")


def geod_ha(geom) -> float:
    oriented = shapely.orient_polygons(geom)
    return abs(_GEOD.geometry_area_perimeter(oriented)[0]) / 10_000


def area(geom) -> float:
    return float(ellipsoidal_area_ha([geom])[0])


def _square_near_hanoi_utm():
    return box(585_000.0, 2_325_000.0, 586_000.0, 2_326_000.0)


def test_ellipsoidal_area_ha_agrees_with_geod_across_vietnam():
    lon = np.array([102.2, 105.8, 108.3, 106.7, 109.2, 114.0])
    lat = np.array([22.5, 21.0, 16.0, 10.8, 12.2, 10.0])
    geoms = shapely.buffer(shapely.points(lon, lat), 0.05, quad_segs=4)
    expected = np.array([geod_ha(g) for g in geoms])
    assert ellipsoidal_area_ha(geoms) == pytest.approx(expected, rel=1e-4)


def test_ellipsoidal_area_ha_a_province_sized_polygon_agrees_with_geod():
    province = box(104.0, 19.0, 106.5, 21.5).segmentize(0.01)
    assert area(province) == pytest.approx(geod_ha(province), rel=1e-4)


def test_ellipsoidal_area_ha_1km_square_near_hanoi_matches_utm_within_01_percent():
    square = gpd.GeoSeries([_square_near_hanoi_utm()], crs=32648).segmentize(50.0)
    lonlat = square.to_crs(4326)
    area_ha = area(lonlat.iloc[0])
    assert area_ha == pytest.approx(100.0, rel=2e-3)
    utm_ha = to_metric(gpd.GeoDataFrame(geometry=lonlat)).area.iloc[0] / 10_000
    assert area_ha == pytest.approx(utm_ha, rel=1e-3)


def test_ellipsoidal_area_ha_holes_multipolygons_and_orientation():
    outer = box(105.80, 21.00, 105.82, 21.02)
    hole = box(105.805, 21.005, 105.815, 21.015)
    with_hole = Polygon(outer.exterior.coords, [hole.exterior.coords[::-1]])
    assert area(with_hole) == pytest.approx(area(outer) - area(hole), rel=1e-6)
    far = box(106.5, 20.9, 106.51, 20.91)
    assert area(MultiPolygon([outer, far])) == pytest.approx(area(outer) + area(far), rel=1e-6)
    assert area(Polygon(outer.exterior.coords[::-1])) == pytest.approx(area(outer))


def test_ellipsoidal_area_ha_missing_empty_and_non_areal_are_zero():
    geoms = [None, Polygon(), Point(105.8, 21.0), box(105.8, 21.0, 105.81, 21.01)]
    areas = ellipsoidal_area_ha(geoms)
    assert areas[:3].tolist() == [0.0, 0.0, 0.0]
    assert areas[3] > 100.0
    assert ellipsoidal_area_ha([]).shape == (0,)


def test_ellipsoidal_area_ha_reprojects_a_series_in_metres():
    series = gpd.GeoSeries([_square_near_hanoi_utm(), None], crs=32648)
    areas = ellipsoidal_area_ha(series)
    assert areas.shape == (2,)
    assert areas[0] == pytest.approx(100.0, rel=2e-3)
    assert areas[1] == 0.0
