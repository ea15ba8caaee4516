"""Built-up footprints from buildings (geo.analysis.builtup) on scenarios with known answers,
and the chunked building reader (geo.ingest.buildings)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.analysis.builtup import derive_builtup
from geo.frames import laea, project
from geo.ingest.buildings import BrokenBuildingsError, read_buildings
from geo.synthetic.buildings import building_scenario

T = laea(105.9, 21.0)


def _lonlat(*geoms: shapely.Geometry) -> np.ndarray:
    return project(np.array(geoms, dtype=object), T, inverse=True)


def _zone(*geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": range(1, len(geoms) + 1)}, geometry=_lonlat(*geoms), crs=4326
    )


@pytest.mark.parametrize("n_zones", [1, 9])
def test_scenario_areas_within_2_percent_and_counts_exact(n_zones: int) -> None:
    scenario = building_scenario(n_zones, far=5)
    zones = scenario.zones.rename(columns={"MA_KCN": "zone_id"})
    result = derive_builtup(zones, scenario.buildings, search_m=200, closing_m=25)
    got = result.stats.set_index("zone_id")
    for row in scenario.expected.to_dict("records"):
        stats = got.loc[row["code"]]
        assert stats["building_count"] == row["building_count"]
        assert stats["outside_count"] == row["outside_count"]
        assert stats["floor_area_ha"] == pytest.approx(row["floor_area_ha"], rel=0.02)
        assert stats["builtup_ha"] == pytest.approx(row["builtup_ha"], rel=0.02)
    assert result.far_count == 5 and result.near_count == len(scenario.buildings) - 5


def test_closing_fills_narrow_gaps_and_keeps_wide_ones_apart() -> None:
    zone = shapely.box(0, 0, 1000, 1000)
    narrow = [shapely.box(100, 100, 140, 140), shapely.box(150, 100, 190, 140)]  # gap 10 < 50
    wide = [shapely.box(500, 500, 540, 540), shapely.box(600, 500, 640, 540)]  # gap 60 > 50
    result = derive_builtup(_zone(zone), _lonlat(*narrow, *wide), search_m=100, closing_m=25)
    footprint = project(result.footprints.geometry.to_numpy(), T)[0]
    parts = sorted(shapely.get_parts(footprint), key=lambda p: p.bounds[0])
    assert len(parts) == 3
    assert parts[0].area == pytest.approx(90 * 40, rel=0.02)  # the narrow pair merged
    assert parts[1].area == pytest.approx(40 * 40, rel=0.02)


def test_straddling_building_counted_once_and_far_one_ignored_not_lost() -> None:
    zone = shapely.box(0, 0, 500, 500)
    straddling = shapely.box(480, 200, 520, 240)
    outside = shapely.box(560, 200, 600, 240)
    far = shapely.box(5000, 5000, 5040, 5040)
    result = derive_builtup(
        _zone(zone), _lonlat(straddling, outside, far), search_m=100, closing_m=10
    )
    stats = result.stats.iloc[0]
    assert (stats["building_count"], stats["outside_count"]) == (1, 1)
    assert stats["floor_area_ha"] == pytest.approx(0.16, rel=0.02)
    assert result.near_count == 2 and result.far_count == 1


def test_zone_without_buildings_nearby_gets_no_row() -> None:
    zones = _zone(shapely.box(0, 0, 500, 500), shapely.box(5000, 0, 5500, 500))
    result = derive_builtup(zones, _lonlat(shapely.box(10, 10, 50, 50)), search_m=100, closing_m=10)
    assert result.stats["zone_id"].tolist() == [1] and len(result.footprints) == 1


def test_reader_streams_chunks_and_counts_types(tmp_path: Path) -> None:
    scenario = building_scenario(2, far=0)
    geoms = [*scenario.buildings, shapely.Point(105.41, 20.51), None]
    path = tmp_path / "b.gpkg"
    gpd.GeoDataFrame(geometry=geoms, crs=4326).to_file(path)
    with read_buildings(path, chunk_size=10) as layer:
        sizes = [len(chunk.geoms) for chunk in layer.chunks]
        tally = layer.tally
    assert max(sizes) <= 10 and sum(sizes) == len(scenario.buildings)
    assert tally.types == {"Polygon": len(scenario.buildings), "Point": 1}
    assert tally.reasons == {"geometry_missing": 1, "wrong_geometry_type": 1}
    assert tally.wrong_types == {"Point": 1}


def test_reader_quarantines_broken_buildings_by_file_position(tmp_path: Path) -> None:
    good = list(building_scenario(1, far=0).buildings[:20])
    bowtie = shapely.Polygon([(105.41, 20.51), (105.42, 20.52), (105.42, 20.51), (105.41, 20.52)])
    sliver = shapely.Polygon([(105.41, 20.51), (105.42, 20.51), (105.43, 20.51)])  # no area
    geoms = [
        *good[:7],
        shapely.box(2.30, 48.80, 2.31, 48.81),
        bowtie,
        sliver,
        shapely.LineString([(105.41, 20.51), (105.42, 20.52)]),
        *good[7:],
    ]
    path = tmp_path / "b.gpkg"
    gpd.GeoDataFrame(geometry=geoms, crs=4326).to_file(path)
    with read_buildings(path, chunk_size=4) as layer:
        chunks = list(layer.chunks)
        layer.tally.refuse_if_mostly_broken()  # 3 of 24 broken: quarantined, not refused
    quarantined = {q.index: q.reason for c in chunks for q in c.quarantine}
    assert quarantined == {7: "outside_vietnam", 9: "invalid_geometry", 10: "wrong_geometry_type"}
    assert sum(len(c.geoms) for c in chunks) == 21 and layer.tally.repaired == 1  # the bow-tie
    assert layer.tally.diagnosis == {
        "ok": 21,
        "invalid_geometry": 1,
        "outside_vietnam": 1,
        "wrong_geometry_type": 1,
    }


def test_layer_mostly_broken_is_refused_with_reasons(tmp_path: Path) -> None:
    paris = [shapely.box(2.30 + i / 100, 48.80, 2.305 + i / 100, 48.805) for i in range(3)]
    path = tmp_path / "b.gpkg"
    gpd.GeoDataFrame(
        geometry=[*building_scenario(1, far=0).buildings[:3], *paris], crs=4326
    ).to_file(path)
    with read_buildings(path) as layer:
        list(layer.chunks)
        with pytest.raises(BrokenBuildingsError, match="Only 3 of 6 features.*3 lies outside"):
            layer.tally.refuse_if_mostly_broken()
