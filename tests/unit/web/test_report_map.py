"""Report maps and charts rendered from small hand-made GeoDataFrames (no database)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import Point, box

from web.report.charts import draw_area_chart, draw_occupancy_chart, nice_step
from web.report.furniture import scale_bar_length_m
from web.report.map import (
    draw_province_map,
    legend_labels,
    metric_epsg,
    neighbour_label_points,
)
from web.report.zoom import ENCROACHMENT_FILL, draw_zone_map

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PROVINCE = box(105.6, 20.8, 106.0, 21.2)


def _provinces() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["01", "02"],
            "name_vi": ["Hà Nội", "Bắc Ninh"],
            "name_en": ["Ha Noi", "Bac Ninh"],
        },
        geometry=[PROVINCE, box(106.0, 20.8, 106.4, 21.2)],
        crs=4326,
    )


def _zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["KCN-1", "CCN-2", "KCN-3"],
            "name": ["Khu công nghiệp Một", "Cụm Hai", "Ba"],
            "worst_severity": ["critical", "warning", None],
            "encroachment": [box(105.705, 20.9, 105.707, 20.905), None, None],
        },
        geometry=[box(105.7, 20.9, 105.705, 20.905), box(105.8, 21.0, 105.81, 21.01), None],
        crs=4326,
    )


def _actual() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_code": ["KCN-1"]}, geometry=[box(105.7, 20.9, 105.707, 20.905)], crs=4326
    )


def test_draw_province_map_png_returns_png_bytes():
    data = draw_province_map(
        _zones(), outline=PROVINCE, provinces=_provinces(), actual=_actual(), dpi=60
    )
    assert data.startswith(PNG_MAGIC) and len(data) > 5000


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_draw_province_map_svg_contains_every_legend_label(lang):
    svg = draw_province_map(
        _zones(),
        outline=PROVINCE,
        provinces=_provinces(),
        actual=_actual(),
        lang=lang,
        fmt="svg",
        dpi=60,
    ).decode("utf-8")
    ET.fromstring(svg)
    labels = legend_labels(lang)
    assert len(labels) == 9
    assert [label for label in labels if label not in svg] == []


def test_draw_province_map_empty_zone_set_draws_outline_only():
    empty = _zones().iloc[0:0]
    data = draw_province_map(empty, outline=PROVINCE, provinces=_provinces(), dpi=60)
    assert data.startswith(PNG_MAGIC)


def test_draw_province_map_nothing_at_all_still_draws():
    empty = _zones().iloc[0:0]
    no_provinces = _provinces().iloc[0:0]
    assert draw_province_map(empty, outline=None, provinces=no_provinces, dpi=40).startswith(
        PNG_MAGIC
    )


def test_draw_province_map_unknown_format_raises():
    with pytest.raises(ValueError, match="unsupported image format"):
        draw_province_map(_zones(), outline=PROVINCE, provinces=_provinces(), fmt="gif", dpi=40)


def test_metric_epsg_west_and_east_of_108_choose_utm_48_and_49():
    assert (metric_epsg(103.0), metric_epsg(107.99), metric_epsg(108.0)) == (32648, 32648, 32649)


@pytest.mark.parametrize(
    ("width_m", "expected"), [(100_000, 20_000), (7_000, 1_000), (260, 50), (3_000_000, 500_000)]
)
def test_scale_bar_length_m_round_fifth_of_width(width_m, expected):
    assert scale_bar_length_m(width_m) == expected


def test_draw_zone_map_draws_planned_actual_and_red_encroachment():
    zones = _zones()
    svg = draw_zone_map(
        zones.geometry.iloc[0],
        actual=_actual().geometry.iloc[0],
        encroachment=zones["encroachment"].iloc[0],
        severity="critical",
    )
    root = ET.fromstring(svg)
    paths = [e for e in root.iter() if e.tag.endswith("path")]
    assert len(paths) == 4  # planned, actual, encroachment, north arrow
    assert any(p.get("fill") == ENCROACHMENT_FILL for p in paths)
    assert "#d7301f" in svg and "pattern" not in svg  # plain fills: cheap to paint in the PDF


def test_draw_zone_map_dense_ring_is_simplified_to_the_pixel_grid():
    # a circle with 4,000 vertices drawn 300 px wide needs far fewer points
    circle = Point(105.0, 21.0).buffer(0.01, quad_segs=1000)
    svg = draw_zone_map(circle)
    planned = next(e for e in ET.fromstring(svg).iter() if e.tag.endswith("path"))
    vertices = planned.get("d").count("L") + 1
    assert len(circle.exterior.coords) > 4000 and 20 < vertices < 400


def test_draw_zone_map_all_missing_gives_empty_frame():
    root = ET.fromstring(draw_zone_map(None))
    assert [e for e in root.iter() if e.tag.endswith("path")] == []


def test_draw_zone_map_scale_bar_matches_zone_width():
    # a 0.01° wide zone at 21°N is ~1.04 km: the bar must be in metres, below 1 km
    svg = draw_zone_map(box(105.0, 21.0, 105.01, 21.01))
    label = ET.fromstring(svg).findall(".//{http://www.w3.org/2000/svg}text")[0].text
    assert label.endswith(" m") and 0 < float(label.split()[0]) < 1000


def test_draw_charts_svg_bars_labels_and_none_without_data():
    rows = [
        {"code": "A", "planned_ha": 50.0, "actual_ha": 40.0, "occupancy": 0.2},
        {"code": "B", "planned_ha": 20.0, "actual_ha": None, "occupancy": None},
        {"code": "C", "planned_ha": 1200.0, "actual_ha": 900.0, "occupancy": 0.9},
    ]
    area = ET.fromstring(draw_area_chart(rows, lang="vi"))
    texts = [e.text for e in area.iter() if e.tag.endswith("text")]
    assert texts[:3] == ["C", "A", "B"]  # largest planned area first
    assert "1.000" in texts and "Diện tích (ha)" in texts  # Vietnamese thousands separator
    occupancy = draw_occupancy_chart(rows, lang="en")
    assert "#d7301f" in occupancy and "#4d9221" in occupancy  # A below 30 %, C above
    assert draw_area_chart([]) is None
    assert draw_occupancy_chart([{"code": "B", "occupancy": None}]) is None


@pytest.mark.parametrize(("raw", "expected"), [(180.0, 200.0), (0.3, 0.5), (1000.0, 1000.0)])
def test_nice_step_rounds_up_to_1_2_5(raw, expected):
    assert nice_step(raw) == expected


BOUNDARIES = Path(__file__).parents[3] / "data" / "boundaries"


@pytest.mark.parametrize(
    ("version", "code"),
    [("2008-63", "01"), ("2008-63", "33"), ("2025-34", "01"), ("2025-34", "79")],
)
def test_neighbour_label_points_each_label_lies_in_the_province_it_names(version, code):
    provinces = gpd.read_file(
        BOUNDARIES / f"vn_provinces_{version.replace('-', '_')}_simplified.geojson"
    )
    outline = provinces.loc[provinces["code"] == code, "geometry"].iloc[0]
    labels = neighbour_label_points(provinces.iloc[0:0], outline=outline, provinces=provinces)
    assert len(labels) >= 2
    by_name = provinces.set_index("name_vi").geometry
    misplaced = [name for name, lon, lat in labels if not by_name[name].contains(Point(lon, lat))]
    assert misplaced == []
