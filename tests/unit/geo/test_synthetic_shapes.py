"""Tests of the vectorised ring geometry of the synthetic generator (geo.synthetic.shapes)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.synthetic.shapes import build_polygons, holed_footprint_scales, make_rings

AREA_M2 = 40e4


@pytest.fixture(scope="module")
def holed():
    """Twenty 40 ha zones of every shape, each with a hole at its centre, 10 km apart."""
    rng = np.random.default_rng(3)
    n = 20
    rings = make_rings(
        rng,
        np.arange(n) % 3,
        np.full(n, 12),
        np.full(n, AREA_M2),
        has_hole=np.ones(n, dtype=bool),
        has_satellite=np.arange(n) % 4 == 0,
    )
    centres = np.column_stack([np.arange(n) * 10_000.0, np.zeros(n)])
    return rings, centres, build_polygons(rings, centres, np.arange(n))


def _footprints(holed, scales):
    rings, centres, planned = holed
    zones = np.arange(planned.size)
    shrunk = build_polygons(rings, centres, zones, vertex_scale=scales, with_holes=False)
    return shapely.intersection(shrunk, planned), planned


@pytest.mark.parametrize("share", [0.03, 0.1])
def test_holed_footprint_scales_small_share_not_empty(holed, share):
    rings, _, planned = holed
    shares = np.full(planned.size, share)
    built, planned = _footprints(holed, holed_footprint_scales(rings, np.arange(20), shares))
    assert not shapely.is_empty(built).any()
    assert shapely.is_valid(built).all()
    assert (shapely.area(built) / shapely.area(planned) < 0.15).all()


@pytest.mark.parametrize("share", [0.3, 0.6, 0.9])
def test_holed_footprint_scales_share_matches_area(holed, share):
    rings, _, planned = holed
    shares = np.full(planned.size, share)
    built, planned = _footprints(holed, holed_footprint_scales(rings, np.arange(20), shares))
    assert shapely.area(built) / shapely.area(planned) == pytest.approx(share, rel=0.01)
    assert shapely.area(shapely.difference(built, planned)).max() < 1.0


def test_holed_footprint_scales_never_above_one(holed):
    rings, _, planned = holed
    scales = holed_footprint_scales(rings, np.arange(planned.size), np.ones(planned.size))
    assert (scales <= 1).all() and scales == pytest.approx(1.0)
