"""Messy real-world files through geo.ingest (issue 14): per-feature diagnosis, quarantine,
swapped axes, UTF-8 formats never refused for their encoding, mojibake repaired value by value,
codes that do not make DBF detection ambiguous, control characters, mapping help."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pyproj
import pytest
from shapely.geometry import Point

from geo.errors import CorruptFileError, EncodingAmbiguousError
from geo.ingest.diagnose import diagnose_positions
from geo.ingest.encoding import encode_text
from geo.ingest.encoding_choice import detect_field_encodings, settle_encoding
from geo.ingest.mapping import MappingError, parse_mapping_args
from geo.ingest.mojibake import repair_text
from geo.ingest.upload import prepare_upload
from tests.conftest import shared_data
from tests.messy_builders import (
    BILLION_LAUGHS_KML,
    EXTERNAL_ENTITY_KML,
    VINHLONG,
    bowtie,
    double_encoded,
    feature,
    kml_with_extended_data,
    point,
    portal_points,
    square,
    write_geojson,
)
from tests.upload_builders import provinces_2025, wgs84_zones, zipped_shapefile

PROVINCES = provinces_2025()
WGS84 = pyproj.CRS(4326)
PORTAL_MAP = {"code": "Mã", "name": "Tên khu công nghiệp ", "kind": "Loại"}


def _prepare(path: Path, **kwargs: object):  # noqa: ANN202
    options = {"kind": "zones", "provinces": PROVINCES, "mapping": PORTAL_MAP, **kwargs}
    return prepare_upload(path, **options)  # type: ignore[arg-type]


# --- per-feature diagnosis ------------------------------------------------------------------


def test_diagnose_positions_each_reason_by_feature() -> None:
    geoms = gpd.GeoSeries(
        [
            Point(105.9, 10.1),
            Point(10.1, 105.9),
            Point(0, 0),
            Point(106187238.0, 10.09742),
            Point(2.35, 48.85),
            None,
            Point(math.nan, 10.0),
            Point(650_000.0, 1_120_000.0),
        ]
    )
    reasons = diagnose_positions(geoms, WGS84).reasons.tolist()
    assert reasons == [
        "ok",
        "swapped_axes",
        "null_island",
        "scale_error",
        "outside_vietnam",
        "geometry_missing",
        "non_finite",
        "crs_mismatch",
    ]


def test_diagnose_positions_projected_file_with_degrees_is_crs_mismatch() -> None:
    tm3 = pyproj.CRS.from_user_input("EPSG:9210")
    geoms = gpd.GeoSeries([Point(105.9, 10.1), Point(1e12, 5.0)])
    assert diagnose_positions(geoms, tm3).reasons.tolist() == ["crs_mismatch", "scale_error"]


def test_prepare_upload_mostly_good_points_quarantines_the_bad_by_reason(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "p.geojson", portal_points(40, null_island=2, scale_errors=3))
    prepared = _prepare(path)
    assert prepared.is_ok and prepared.feature_count == 35 and prepared.read_count == 40
    assert prepared.diagnosis == {"ok": 35, "scale_error": 3, "null_island": 2}
    by_reason = {q.index: q.reason for q in prepared.quarantine}
    assert by_reason == {
        0: "null_island",
        1: "null_island",
        2: "scale_error",
        3: "scale_error",
        4: "scale_error",
    }
    assert prepared.quarantine[0].fid == 1000 and prepared.quarantine[0].code == "VL-000"
    assert "(0, 0)" in prepared.quarantine[0].message
    assert prepared.positions.tolist() == list(range(5, 40))
    assert prepared.features["code"].iloc[0] == "VL-005"


def test_prepare_upload_majority_swapped_axes_says_so_then_swap_fixes_it(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "s.geojson", portal_points(40, swapped=32, null_island=2, scale_errors=3)
    )
    refused = _prepare(path)
    assert [e.code for e in refused.errors] == ["swapped_axes"]
    assert "32 of 40 features have longitude and latitude swapped" in refused.errors[0].message
    assert "metres" not in refused.errors[0].message and "--" not in refused.errors[0].message
    swapped = _prepare(path, swap_axes=True)
    assert swapped.is_ok and swapped.feature_count == 32
    assert swapped.diagnosis == {"ok": 32, "swapped_axes": 3, "scale_error": 3, "null_island": 2}
    assert swapped.features.geometry.x.between(105, 107).all()


def test_prepare_upload_swapped_quarantined_feature_drawn_where_it_belongs(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "s.geojson", portal_points(10, swapped=2))
    prepared = _prepare(path)
    shown = [q.geometry for q in prepared.quarantine]
    assert [round(g.x, 2) for g in shown] == [VINHLONG[0][0], VINHLONG[1][0]]


def test_prepare_upload_nan_coordinate_quarantined_and_named(tmp_path: Path) -> None:
    features = [
        feature(square(*VINHLONG[i]), **{"Mã": f"N{i}", "Tên khu công nghiệp ": "A", "Loại": "KCN"})
        for i in range(5)
    ]
    features[3]["geometry"]["coordinates"][0][1][0] = math.nan
    prepared = _prepare(write_geojson(tmp_path / "n.geojson", features))
    assert prepared.is_ok
    assert [(q.index, q.reason) for q in prepared.quarantine] == [(3, "non_finite")]
    assert "feature 3 (code N3)" in prepared.quarantine[0].message
    assert "nan" in prepared.quarantine[0].original_wkt.lower()


def test_prepare_upload_only_bad_features_refused_naming_each(tmp_path: Path) -> None:
    bad = feature(square(105.9, 10.1), **{"Mã": "X", "Tên khu công nghiệp ": "A", "Loại": "KCN"})
    bad["geometry"]["coordinates"][0][2][1] = math.nan
    prepared = _prepare(write_geojson(tmp_path / "one.geojson", [bad]))
    assert [e.code for e in prepared.errors] == ["non_finite"]
    assert "features 0" in prepared.errors[0].message


def test_prepare_upload_self_intersecting_polygons_repaired_with_reason(tmp_path: Path) -> None:
    features = [
        feature(
            (bowtie if i % 2 else square)(*VINHLONG[i]),
            **{"Mã": f"B{i}", "Tên khu công nghiệp ": "A", "Loại": "KCN"},
        )
        for i in range(10)
    ]
    prepared = _prepare(write_geojson(tmp_path / "b.geojson", features))
    assert prepared.is_ok and prepared.feature_count == 10
    assert [r.feature for r in prepared.repairs] == [1, 3, 5, 7, 9]
    assert all("Self-intersection" in r.reason for r in prepared.repairs)
    assert prepared.diagnosis == {"ok": 10, "invalid_geometry_repaired": 5}
    assert prepared.features.geometry.is_valid.all()


def test_prepare_upload_wrong_geometry_type_quarantined_when_few(tmp_path: Path) -> None:
    features = [feature(square(*VINHLONG[i]), MA=f"W{i}") for i in range(4)]
    features[3]["geometry"] = {"type": "LineString", "coordinates": [[105.8, 10.0], [105.9, 10.1]]}
    path = write_geojson(tmp_path / "w.geojson", features)
    prepared = prepare_upload(path, kind="planned", provinces=PROVINCES)
    assert prepared.is_ok and [q.reason for q in prepared.quarantine] == ["wrong_geometry_type"]
    assert prepared.quarantine[0].detail == "LineString"


# --- encodings ------------------------------------------------------------------------------


def test_prepare_upload_geojson_with_codes_and_quarter_double_encoded_never_refused(
    tmp_path: Path,
) -> None:
    path = write_geojson(tmp_path / "c.geojson", portal_points(24, garbled_every=4))
    prepared = _prepare(path)
    assert prepared.is_ok and prepared.encoding == "utf-8"
    kinds = set(prepared.features["name"])  # untouched names
    assert all(n.startswith("Khu công nghiệp Số") for n in kinds)
    samples = {(s.before, s.after) for s in prepared.encoding_samples}
    assert (double_encoded("Khu công nghiệp Hòa Phú"), "Khu công nghiệp Hòa Phú") in samples
    assert any("Loại cầu" in w.message and "repaired" in w.message for w in prepared.warnings)


def test_repair_text_each_kind_of_mojibake_and_clean_values_untouched() -> None:
    assert repair_text("Nhá»‹p giáº£n Ä‘Æ¡n") == ("Nhịp giản đơn", "utf-8")
    assert repair_text("Khu c«ng nghiÖp") == ("Khu công nghiệp", "tcvn3")
    assert repair_text("Khu coâng nghieäp") == ("Khu công nghiệp", "vni")
    for clean in ("ĐH66", "1234/QĐ-TTg", "KCN-01", "Café Sài Gòn", "Hà Nội", "Nguyễn Huệ"):
        assert repair_text(clean) == (clean, None)


def test_settle_encoding_code_fields_do_not_make_dbf_ambiguous() -> None:
    fields = {
        "ten": [
            encode_text("Khu công nghiệp Tiên Sơn", "cp1258"),
            encode_text("Cụm công nghiệp Đồng Văn", "cp1258"),
        ],
        "ma_duong": [encode_text("ĐH66", "cp1258"), encode_text("ĐT825", "cp1258")],
        "so_qd": [encode_text("1234/QĐ-TTg", "cp1258"), encode_text("56/QĐ-UBND", "cp1258")],
    }
    per_field = detect_field_encodings(fields)
    assert not per_field["ma_duong"].has_words and not per_field["so_qd"].has_words
    assert settle_encoding(per_field).encoding == "cp1258"


def test_settle_encoding_only_codes_still_open_lists_choices() -> None:
    per_field = detect_field_encodings({"so_qd": [encode_text("1234/QĐ-TTg", "cp1258")]})
    with pytest.raises(EncodingAmbiguousError) as info:
        settle_encoding(per_field)
    assert {"cp1258"} <= {c["encoding"] for c in info.value.details["choices"]}


def test_prepare_upload_utf8_shapefile_with_cpg_and_decision_numbers_is_utf8(
    tmp_path: Path,
) -> None:
    gdf = wgs84_zones(4)
    gdf["SO_QD"] = ["1234/QĐ-TTg", "56/QĐ-UBND", "78/QĐ-BXD", "9/QĐ-TTg"]
    gdf["TEN_KCN"] = ["KCN A", "KCN B", "KCN C", "KCN D"]  # no word with a diacritic at all
    path = zipped_shapefile(tmp_path, gdf, encoding="utf-8", cpg="UTF-8")
    prepared = prepare_upload(path, kind="zones", provinces=PROVINCES)
    assert prepared.is_ok and prepared.encoding == "utf-8"
    assert prepared.features["decision_ref"].tolist()[0] == "1234/QĐ-TTg"


def test_prepare_upload_nul_in_name_stripped_with_warning_not_cut(tmp_path: Path) -> None:
    name = "Khu\u0000 công nghiệp A\u0007"
    props = {"Loại": "KCN", "Tên khu công nghiệp ": name}
    features = [feature(point(*VINHLONG[i]), **{"Mã": f"Z{i}", **props}) for i in range(3)]
    prepared = _prepare(write_geojson(tmp_path / "nul.geojson", features))
    assert prepared.features["name"].tolist() == ["Khu công nghiệp A"] * 3
    assert any("control characters" in w.message for w in prepared.warnings)


def test_prepare_upload_overlong_name_refused_with_limit(tmp_path: Path) -> None:
    props = {"Mã": "L1", "Loại": "KCN", "Tên khu công nghiệp ": "x" * 20_000}
    features = [feature(point(*VINHLONG[0]), **props)]
    prepared = _prepare(write_geojson(tmp_path / "long.geojson", features))
    assert [e.code for e in prepared.errors] == ["value_too_long"]
    assert "longer than 300 characters" in prepared.errors[0].message
    assert "20,000" in prepared.errors[0].message


# --- mapping help ---------------------------------------------------------------------------


def test_mapping_error_lists_columns_with_two_samples(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "m.geojson", portal_points(5))
    with pytest.raises(MappingError) as info:
        prepare_upload(path, kind="zones", provinces=PROVINCES, mapping={"name": "Ten"})
    message = info.value.message
    assert "'Mã đường' (e.g. 'ĐH60', 'ĐH61')" in message
    assert "'Tên khu công nghiệp '" in message


def test_missing_field_error_lists_columns_with_samples(tmp_path: Path) -> None:
    features = portal_points(5)
    for f in features:
        del f["properties"]["Tên khu công nghiệp "]
    path = write_geojson(tmp_path / "m.geojson", features)
    prepared = prepare_upload(path, kind="zones", provinces=PROVINCES)
    missing = next(e for e in prepared.errors if e.code == "missing_field")
    assert "'name'" in missing.message
    assert "'Số quyết định' (e.g. '1200/QĐ-TTg', '1201/QĐ-TTg')" in missing.message


def test_map_column_names_matched_after_nfc_and_trim_with_constants(tmp_path: Path) -> None:
    import unicodedata

    path = write_geojson(tmp_path / "m.geojson", portal_points(5))
    decomposed = unicodedata.normalize("NFD", "Tên khu công nghiệp")  # no trailing space
    mapping = parse_mapping_args([f"code=Mã, name={decomposed}"])
    prepared = prepare_upload(
        path,
        kind="zones",
        provinces=PROVINCES,
        mapping=mapping,
        constants={"kind": "Khu công nghiệp"},
    )
    assert prepared.is_ok and prepared.mapping["name"] == "Tên khu công nghiệp "
    assert set(prepared.features["kind"]) == {"KCN"}


def test_code_prefix_makes_codes_from_feature_ids(tmp_path: Path) -> None:
    features = portal_points(3)
    for f in features:
        del f["properties"]["Mã"]
    path = write_geojson(tmp_path / "m.geojson", features)
    prepared = prepare_upload(
        path,
        kind="zones",
        provinces=PROVINCES,
        code_prefix="VL-",
        mapping={"name": "Tên khu công nghiệp "},
        constants={"kind": "KCN"},
    )
    assert prepared.features["code"].tolist() == ["VL-1000", "VL-1001", "VL-1002"]


def test_kml_extended_data_fields_are_ordinary_columns(tmp_path: Path) -> None:
    rows = [("KCN Hòa Phú", "Vĩnh Long", 105.92, 10.12), ("KCN An Định", "Vĩnh Long", 105.95, 10.2)]
    path = kml_with_extended_data(tmp_path / "p.kml", rows)
    prepared = prepare_upload(path, kind="zones", provinces=PROVINCES, mapping={"code": "ma_kcn"})
    assert prepared.is_ok, prepared.errors
    assert prepared.features["province_code"].tolist() == ["86", "86"]
    assert {"ten_tinh", "ma_kcn", "loai"} <= set(prepared.columns)


@pytest.mark.parametrize("text", [BILLION_LAUGHS_KML, EXTERNAL_ENTITY_KML])
def test_kml_entity_attacks_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "attack.kml"
    path.write_text(text)
    with pytest.raises(CorruptFileError):
        prepare_upload(path, kind="zones", provinces=PROVINCES)


def test_real_portal_layer_prepares_without_encoding_refusal() -> None:
    path = shared_data("zones", "vinhlong_banqlkcn_307_raw.geojson")
    prepared = prepare_upload(
        path, kind="zones", provinces=PROVINCES, mapping={"code": "fid"}, constants={"kind": "KCN"}
    )
    assert prepared.is_ok and prepared.feature_count == 23
    assert set(prepared.features["province_code"]) == {"86"}


def test_prepare_upload_cpg_utf8_with_tcvn3_bytes_is_detected_not_trusted(tmp_path: Path) -> None:
    gdf = wgs84_zones(4)
    path = zipped_shapefile(tmp_path, gdf, encoding="tcvn3", cpg="UTF-8")
    prepared = prepare_upload(path, kind="zones", provinces=PROVINCES)
    assert prepared.encoding == "tcvn3"
    assert prepared.features["name"].tolist() == gdf["TEN_KCN"].tolist()
