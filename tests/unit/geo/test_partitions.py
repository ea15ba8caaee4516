"""Partitioned analysis: the union of province partitions equals the single-process run."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis.clusters import outline_anchor
from geo.analysis.partitions import (
    analyze_partition,
    combine,
    halo_margin_deg,
    merge_chunks,
    owner_provinces,
)
from geo.analysis.run import analyze
from geo.errors import AdminVersionError
from geo.flags.rules import flag_order
from geo.flags.thresholds import load_thresholds
from geo.synthetic import generate_zones, load_default_provinces

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def demo():
    provinces = load_default_provinces("2025-34")
    data = generate_zones(provinces, scale=0.1, seed=7, today=TODAY)
    return with_border_cluster(data.zones, provinces), data.actual, provinces


def with_border_cluster(zones, provinces):
    """Four small, barely leased zones 1 km apart around a point of a shared province border."""
    outlines = provinces.set_index("code").geometry
    codes = list(outlines.index)
    a, b = next(
        (x, y)
        for i, x in enumerate(codes)
        for y in codes[i + 1 :]
        if outlines[x].intersects(outlines[y])
    )
    border = shapely.intersection(outlines[a].boundary, outlines[b].buffer(1e-6))
    point = (
        shapely.line_interpolate_point(border, 0.5, normalized=True)
        if border.geom_type in ("LineString", "MultiLineString")
        else border.representative_point()
    )
    template = zones[zones["kind"] == "CCN"].iloc[0]
    rows = []
    for i, (dx, dy) in enumerate([(-0.01, -0.01), (0.01, -0.01), (-0.01, 0.01), (0.01, 0.01)]):
        row = template.copy()
        row["code"] = f"CCN-XB-{i:04d}"
        row["geometry"] = shapely.box(
            point.x + dx, point.y + dy, point.x + dx + 0.004, point.y + dy + 0.004
        )
        row["leased_land_ha"], row["industrial_land_ha"] = 1.0, 10.0
        rows.append(row)
    planted = gpd.GeoDataFrame(rows, geometry="geometry", crs=zones.crs)
    return gpd.GeoDataFrame(pd.concat([zones, planted], ignore_index=True), crs=zones.crs)


def partitioned(zones, actual, provinces, thresholds, *, halo_only=True, chunks=1):
    """Every partition cut the way a worker cuts it: core candidates, a bounding-box halo and,
    without their shape, the other clusters (CCN) of the same stored provinces; each analysed
    in ``chunks`` slices merged back, as a worker's idle processes share one partition."""
    owners = owner_provinces(zones, provinces)
    anchor = outline_anchor(provinces)
    margin = halo_margin_deg(thresholds)
    geoms = zones.geometry.to_numpy()
    parts = []
    for code in [*provinces["code"].astype(str), None]:
        core = (owners.isna() if code is None else owners == code).reindex(zones["code"]).to_numpy()
        if halo_only and core.any():
            minx, miny, maxx, maxy = shapely.total_bounds(geoms[core])
            window = shapely.box(minx - margin, miny - margin, maxx + margin, maxy + margin)
            near = shapely.intersects(geoms, window) & ~shapely.is_missing(geoms)
            stored = set(zones["province_code"][core])
            peers = zones["province_code"].isin(stored).to_numpy() & ~(core | near)
            peers &= (zones["kind"] == "CCN").to_numpy()  # as the worker reads them: no shape
            far = (
                zones[peers]
                .assign(peer_only=True)
                .set_geometry(
                    gpd.GeoSeries(
                        [None] * int(peers.sum()), crs=zones.crs, index=zones.index[peers]
                    )
                )
            )
            pick = pd.concat([zones[core | near].assign(peer_only=False), far])
        else:
            pick = zones[core]
        slices = [
            analyze_partition(
                pick,
                actual,
                provinces,
                province=code,
                thresholds=thresholds,
                today=TODAY,
                anchor=anchor,
                chunk=(i, chunks),
            )
            for i in range(chunks)
        ]
        parts.append(merge_chunks(slices))
    return parts


def flag_rows(flags):
    return [
        (
            f.zone_code,
            f.code,
            f.severity,
            f.province_code,
            f.value,
            f.threshold,
            f.message_en,
            f.message_vi,
            f.details,
        )
        for f in flags
    ]


@pytest.mark.parametrize("chunks", [1, 3])
def test_union_of_partitions_equals_the_national_run_flag_by_flag(demo, chunks):
    zones, actual, provinces = demo
    thresholds = load_thresholds()
    whole = analyze(zones, actual, provinces, thresholds=thresholds, today=TODAY)
    parts = partitioned(zones, actual, provinces, thresholds, chunks=chunks)
    union = combine(parts, thresholds=thresholds, admin_version="2025-34")

    assert len(whole.flags) > 50
    assert flag_rows(union.flags) == flag_rows(whole.flags)
    pd.testing.assert_frame_equal(
        union.metrics.drop(columns="encroachment_geom"),
        whole.metrics.drop(columns="encroachment_geom"),
        check_dtype=False,  # the same values; a concatenation of partitions keeps object text
    )
    assert list(shapely.to_wkb(union.metrics["encroachment_geom"].to_numpy())) == list(
        shapely.to_wkb(whole.metrics["encroachment_geom"].to_numpy())
    )
    assert union.provinces.to_dict("records") == whole.provinces.to_dict("records")
    assert [
        (c.cluster_id, c.members, c.province_code, c.total_area_ha, c.mean_occupancy)
        for c in union.clusters
    ] == [
        (c.cluster_id, c.members, c.province_code, c.total_area_ha, c.mean_occupancy)
        for c in whole.clusters
    ]
    for mine, theirs in zip(union.clusters, whole.clusters, strict=True):
        assert shapely.equals(mine.hull, theirs.hull)


def test_a_cluster_straddling_a_province_border_is_found_whole(demo):
    zones, actual, provinces = demo
    thresholds = load_thresholds()
    owners = owner_provinces(zones, provinces)
    union = combine(
        partitioned(zones, actual, provinces, thresholds),
        thresholds=thresholds,
        admin_version="2025-34",
    )
    straddling = [c for c in union.clusters if len({owners[m] for m in c.members}) > 1]
    assert straddling, "the demo data has no cluster across a province border"
    whole = analyze(zones, actual, provinces, thresholds=thresholds, today=TODAY)
    assert {c.members for c in straddling} <= {c.members for c in whole.clusters}
    planted = next(c for c in straddling if "CCN-XB-0000" in c.members)
    dense = {f.zone_code for f in union.flags if f.code == "DENSE_CLUSTER"}
    assert set(planted.members) <= dense


def test_without_the_halo_cross_border_results_differ(demo):
    """The halo is what makes the union exact: partitions of core zones alone miss pairs."""
    zones, actual, provinces = demo
    thresholds = load_thresholds()
    whole = analyze(zones, actual, provinces, thresholds=thresholds, today=TODAY)
    parts = partitioned(zones, actual, provinces, thresholds, halo_only=False)
    union = combine(parts, thresholds=thresholds, admin_version="2025-34")
    assert flag_rows(union.flags) != flag_rows(whole.flags)


def test_a_province_outside_the_given_outlines_is_refused(demo):
    zones, actual, provinces = demo
    with pytest.raises(AdminVersionError, match="99"):
        analyze_partition(
            zones.head(5),
            actual,
            provinces,
            province="99",
            thresholds=load_thresholds(),
            today=TODAY,
            anchor=outline_anchor(provinces),
        )


def test_a_zone_outside_every_outline_goes_to_the_nearest_or_to_none():
    square = shapely.box(105.0, 21.0, 106.0, 22.0)
    provinces = gpd.GeoDataFrame({"code": ["01"]}, geometry=[square], crs=4326)
    zones = gpd.GeoDataFrame(
        {"code": ["IN", "NEAR", "FAR", "NONE"]},
        geometry=[
            shapely.box(105.5, 21.5, 105.51, 21.51),
            shapely.box(106.00001, 21.5, 106.01, 21.51),  # 1 m east of the outline
            shapely.box(107.0, 21.5, 107.01, 21.51),
            None,
        ],
        crs=4326,
    )
    owners = owner_provinces(zones, provinces)
    assert owners.to_dict() == {"FAR": None, "IN": "01", "NEAR": "01", "NONE": None}
    assert np.all(owners.index == sorted(owners.index))


def test_chunks_of_a_partition_merge_into_its_whole_result(demo):
    zones, actual, provinces = demo
    thresholds = load_thresholds()
    [one] = [p for p in partitioned(zones, actual, provinces, thresholds) if p.province == "79"]
    [three] = [
        p for p in partitioned(zones, actual, provinces, thresholds, chunks=3) if p.province == "79"
    ]
    assert one.zone_count == three.zone_count > 10
    assert three.fingerprint == one.fingerprint
    assert flag_rows(three.flags) == flag_rows(sorted(one.flags, key=flag_order))
    pd.testing.assert_frame_equal(
        three.metrics.drop(columns="encroachment_geom"),
        one.metrics.drop(columns="encroachment_geom"),
    )
    assert three.density.to_dict("records") == one.density.to_dict("records")
    pd.testing.assert_series_equal(three.located, one.located)
    pd.testing.assert_frame_equal(
        three.nodes.drop(columns=["hull", "degree"]),
        one.nodes[one.nodes["code"].isin(three.nodes["code"])]
        .drop(columns=["hull", "degree"])
        .reset_index(drop=True),
    )  # a chunk keeps the zones pairing across its cut too
