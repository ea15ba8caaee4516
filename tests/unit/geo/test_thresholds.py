"""Thresholds: shipped defaults, partial overrides and every kind of invalid input."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from geo.errors import GeoError, ThresholdsError
from geo.flags.thresholds import Thresholds, load_thresholds, thresholds_from_mapping


def test_load_thresholds_defaults_carry_the_design_numbers():
    t = load_thresholds()
    assert t.footprint_mismatch.iou_min == 0.8
    assert t.footprint_mismatch.encroachment_share_max == 0.05
    assert t.footprint_mismatch.encroachment_ha_max == 2.0
    assert (t.slow_deployment.min_age_years, t.slow_deployment.min_built_share) == (3, 0.2)
    assert (t.low_occupancy.min_operating_years, t.low_occupancy.min_occupancy) == (5, 0.3)
    assert (t.dense_cluster.distance_m, t.dense_cluster.min_zones) == (5000, 3)
    assert t.dense_cluster.max_mean_occupancy == 0.5
    assert (t.ccn_size.min_ha, t.ccn_size.max_ha, t.ccn_size.min_ha_mountain_or_craft) == (
        10,
        75,
        5,
    )
    assert t.ccn_size.regime_2009_max_ha == 50
    assert t.ccn_decree_32.effective_from == dt.date(2024, 5, 15)
    assert t.moratorium.start == dt.date(2012, 3, 2)
    assert isinstance(t.dense_cluster.min_zones, int)


def test_load_thresholds_file_with_a_subset_overrides_only_those(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("overlap:\n  min_ha: 3\nmoratorium:\n  end: 2019-01-01\n", encoding="utf-8")
    t = load_thresholds(path)
    assert t.overlap.min_ha == 3.0
    assert t.moratorium.end == dt.date(2019, 1, 1)
    assert t.overlap.critical_ha == load_thresholds().overlap.critical_ha


def test_load_thresholds_overrides_apply_after_the_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("overlap:\n  min_ha: 3\n", encoding="utf-8")
    t = load_thresholds(path, overrides={"overlap.min_ha": 4, "encroachment": {"min_ha": 1}})
    assert (t.overlap.min_ha, t.encroachment.min_ha) == (4.0, 1.0)


def test_load_thresholds_empty_file_keeps_defaults(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert load_thresholds(path) == load_thresholds()


@pytest.mark.parametrize(
    ("overrides", "key", "words"),
    [
        ({"overlap.min_hectares": 1}, "overlap.min_hectares", "not a known key"),
        ({"nonsense": {"a": 1}}, "nonsense", "not a known section"),
        ({"overlap.min_ha": -1}, "overlap.min_ha", "negative"),
        ({"overlap.min_ha": "two"}, "overlap.min_ha", "must be a number"),
        ({"overlap.min_ha": True}, "overlap.min_ha", "must be a number"),
        ({"overlap.min_ha": float("nan")}, "overlap.min_ha", "must be a number"),
        ({"footprint_mismatch.iou_min": 80}, "footprint_mismatch.iou_min", "fraction"),
        ({"dense_cluster.min_zones": 2.5}, "dense_cluster.min_zones", "whole number"),
        ({"moratorium.end": "soon"}, "moratorium.end", "YYYY-MM-DD"),
        ({"moratorium.end": "2011-01-01"}, "moratorium.end", "later"),
        ({"overlap.ignore_inside_kkt": "yes"}, "overlap.ignore_inside_kkt", "true or false"),
        ({"overlap": 5}, "overlap", "section"),
    ],
)
def test_load_thresholds_bad_override_raises_naming_the_key(overrides, key, words):
    with pytest.raises(ThresholdsError) as err:
        load_thresholds(overrides=overrides)
    assert f"'{key}'" in err.value.message
    assert words in err.value.message
    assert err.value.code == "invalid_thresholds"
    assert err.value.details["key"] == key
    assert isinstance(err.value, GeoError)


def test_thresholds_from_mapping_full_file_missing_a_key_raises():
    full = load_thresholds().as_dict()
    del full["low_occupancy"]["min_occupancy"]
    with pytest.raises(ThresholdsError, match="'low_occupancy.min_occupancy' is missing"):
        thresholds_from_mapping(full)


def test_thresholds_from_mapping_full_file_missing_a_section_raises():
    full = load_thresholds().as_dict()
    del full["overlap"]
    with pytest.raises(ThresholdsError, match="'overlap.min_ha' is missing"):
        thresholds_from_mapping(full)


def test_as_dict_is_json_safe_and_round_trips():
    t = load_thresholds(overrides={"cross_province.max_outside_share": 0.1})
    data = json.loads(json.dumps(t.as_dict()))
    assert data["moratorium"]["start"] == "2012-03-02"
    rebuilt = thresholds_from_mapping(data)
    assert isinstance(rebuilt, Thresholds)
    assert rebuilt == t


def test_load_thresholds_invalid_yaml_raises(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("overlap: [min_ha: 1\n", encoding="utf-8")
    with pytest.raises(ThresholdsError, match="not valid YAML"):
        load_thresholds(path)


def test_load_thresholds_missing_file_raises(tmp_path):
    with pytest.raises(ThresholdsError, match="Cannot read"):
        load_thresholds(tmp_path / "absent.yaml")


def test_load_thresholds_top_level_list_raises(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ThresholdsError, match="expected a mapping"):
        load_thresholds(path)
