"""Codes, names and attributes of the synthetic zones (land, investor, workers, wastewater).

Internal to :mod:`geo.synthetic`. Names are Vietnamese (UTF-8 NFC): a kind prefix and a
two-syllable place name, with a Roman numeral when a name repeats, as real ones do.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import numpy as np
import pandas as pd

# fmt: off
_FIRST = ("Tiên", "Đồng", "Phúc", "Quế", "Hòa", "Yên", "Tân", "Thuận", "Vĩnh", "Đại", "Thanh",
          "Nam", "Bắc", "Minh", "Quang", "Trung", "Kim", "Lương", "Nhơn", "Cẩm", "Đức", "Gia",
          "Hồng", "Lạc", "Nghĩa", "Ngọc", "Phước", "Tam", "Thạch", "Thái", "Thăng", "Tiến", "Trà",
          "Vạn", "Việt", "Cát", "Chân", "Định", "Hoàng", "Liên", "Mỹ", "Diễn", "Sài", "Bảo")
_SECOND = ("Sơn", "Văn", "Điền", "Võ", "Khánh", "Phong", "Bình", "Long", "Hiệp", "Thành", "Phú",
           "Lộc", "Hưng", "An", "Xuân", "Hòa", "Đông", "Thịnh", "Phát", "Lợi", "Trạch", "Hải",
           "Giang", "Lâm", "Khê", "Cầu", "Thủy", "Dương", "Ninh", "Châu", "Linh", "Cường", "Đạt",
           "Vinh", "Kiều", "Hội", "Mai", "Tường", "Đình", "Viên", "Liêm", "Nguyên", "Quan")
_ROMAN = ("", "", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X")
# fmt: on


def assign_codes(table: pd.DataFrame) -> pd.Series:
    """Planted codes as given; others ``KIND-PROVINCE-SERIAL``, serials by establishment date."""
    key = table["kind"].astype(str) + "-" + table["province_code"].astype(str)
    fixed = table["code"].notna()
    taken = table.loc[fixed, "code"].str[-4:].astype(int).groupby(key[fixed]).max()
    est = table["established"].where(table["established"] >= 0, 10**9)
    free = pd.DataFrame({"key": key[~fixed], "est": est[~fixed]})
    free = free.sort_values(["key", "est"], kind="stable")
    serial = free.groupby("key").cumcount() + 1 + free["key"].map(taken).fillna(0).astype(int)
    codes = table["code"].astype(object).copy()
    codes.loc[free.index] = free["key"] + "-" + serial.map("{:04d}".format)
    return codes


def add_attributes(rng: np.random.Generator, t: pd.DataFrame, today: int) -> pd.DataFrame:
    """Names, land, investor, workers, wastewater, housing and decision of every zone."""
    n = len(t)
    kind, status = t["kind"].to_numpy(), t["status"].to_numpy()
    unplanned = t["unplanned"].to_numpy(dtype=bool)
    place = _places(rng, n)
    industrial = np.where(unplanned, np.nan, t["area_ha"] * t["industrial_share"])
    leased = industrial * t["occupancy"].to_numpy(dtype=float)
    operating, building = status == "operating", status == "under_construction"
    has_investor = (kind != "KKT") & (rng.random(n) < np.where(kind == "KCN", 0.95, 0.6))
    investor = np.where(
        kind == "KCN", "Công ty cổ phần Phát triển hạ tầng ", "Công ty TNHH Đầu tư "
    )
    workers = np.select(
        [operating, building],
        [leased * rng.uniform(40, 120, n), leased * rng.uniform(0, 30, n)],
        np.nan,
    )
    wastewater = np.select(
        [operating, building],
        [
            rng.choice(["operating", "building", "none"], n, p=[0.72, 0.13, 0.15]),
            rng.choice(["building", "none"], n),
        ],
        np.array(None, dtype=object),
    )
    capacity = np.where(
        np.isin(wastewater, ["operating", "building"]),
        np.round(industrial * rng.uniform(25, 60, n), -1),
        np.nan,
    )
    housing_p = np.select([kind == "KKT", kind == "KCN"], [0.6, 0.4], 0.08)
    housing = pd.array(rng.random(n) < housing_p, dtype="boolean")
    housing[~(operating | building)] = pd.NA
    approved = np.where(unplanned, -1, t[["established", "expanded", "adjusted"]].max(axis=1))
    return t.assign(
        name=_names(kind, t["kkt_type"].to_numpy(), t["is_craft_village"].to_numpy(), place),
        industrial_land_ha=np.round(industrial, 2),
        leased_land_ha=np.round(leased, 2),
        investor=pd.Series(investor + place, dtype=object).where(has_investor, None),
        workers=pd.array(np.round(workers), dtype="Int64"),
        wastewater_status=wastewater,
        wastewater_capacity_m3_day=capacity,
        has_worker_housing=housing,
        approved=approved,
        decision_ref=decision_refs(rng, kind, approved),
    )


def _places(rng: np.random.Generator, n: int) -> np.ndarray:
    first = np.array(_FIRST, dtype=object)[rng.integers(0, len(_FIRST), n)]
    return first + " " + np.array(_SECOND, dtype=object)[rng.integers(0, len(_SECOND), n)]


def _names(kind, kkt_type, craft, place) -> list[str]:
    """Vietnamese names; repeated names get a Roman numeral (or "số N") as real ones do."""
    prefix = np.select(
        [kkt_type == "coastal", kkt_type == "border", kind == "KKT", kind == "KCN", craft],
        [
            "Khu kinh tế ven biển",
            "Khu kinh tế cửa khẩu",
            "Khu kinh tế",
            "Khu công nghiệp",
            "Cụm công nghiệp làng nghề",
        ],
        "Cụm công nghiệp",
    ).astype(object)
    names = pd.Series(prefix + " " + place)
    rank = names.groupby(names).cumcount().to_numpy() + 1
    suffix = [_ROMAN[r] if r < len(_ROMAN) else f" số {r}" for r in rank]
    return [unicodedata.normalize("NFC", a + b) for a, b in zip(names, suffix, strict=True)]


def decision_refs(
    rng: np.random.Generator, kind: np.ndarray, approved: np.ndarray
) -> list[str | None]:
    number = rng.integers(100, 4000, kind.size)
    return [
        None
        if day < 0
        else f"{no}/{date.fromordinal(day).year}/QĐ-{'TTg' if k == 'KKT' else 'UBND'}"
        for no, day, k in zip(number, np.asarray(approved, dtype=int), kind, strict=True)
    ]
