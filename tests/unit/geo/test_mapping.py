"""geo.ingest.mapping: proposals from Vietnamese column names, user overrides, typed conversion."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.ingest.mapping import MappingError, apply_mapping, parse_mapping_args, propose_mapping


def test_propose_mapping_diacritic_column_names_match_fields() -> None:
    columns = ["Tên khu công nghiệp", "Mã", "Diện tích", "Trạng thái", "NGAY_TL", "Tỉnh"]
    proposal = propose_mapping(columns, kind="zones")
    assert proposal == {
        "code": "Mã",
        "name": "Tên khu công nghiệp",
        "province_code": "Tỉnh",
        "status": "Trạng thái",
        "established_on": "NGAY_TL",
        "planned_area_ha": "Diện tích",
    }


def test_propose_mapping_given_entry_overrides_and_unknown_column_raises() -> None:
    assert propose_mapping(["MA", "ID"], kind="planned", given={"code": "ID"}) == {"code": "ID"}
    with pytest.raises(MappingError, match="no column 'NOPE'"):
        propose_mapping(["MA"], kind="zones", given={"code": "NOPE"})


def test_parse_mapping_args_spaces_and_commas_parsed() -> None:
    assert parse_mapping_args(["code=MA_KCN name=TEN", "kind=LOAI,status=TT"]) == {
        "code": "MA_KCN",
        "name": "TEN",
        "kind": "LOAI",
        "status": "TT",
    }
    with pytest.raises(MappingError):
        parse_mapping_args(["code"])


def test_apply_mapping_vietnamese_values_converted() -> None:
    frame = pd.DataFrame(
        {
            "TEN": ["Cụm công nghiệp A", "Khu công nghiệp B"],
            "TT": ["Đang hoạt động", "Chưa thành lập"],
            "DT": ["39.020", "250,5 ha"],
            "NGAY": ["02/03/2012", "2015"],
        }
    )
    out, notes = apply_mapping(
        frame, {"name": "TEN", "status": "TT", "planned_area_ha": "DT", "established_on": "NGAY"}
    )
    assert out["kind"].tolist() == ["CCN", "KCN"]
    assert out["status"].tolist() == ["operating", "planned"]
    assert out["planned_area_ha"].tolist() == [39020.0, 250.5]
    assert out["established_on"].tolist() == [dt.date(2012, 3, 2), dt.date(2015, 1, 1)]
    assert notes == []
