"""Map the columns of an uploaded attribute table to zonemap's fields.

A mapping is ``{field: column}``. ``propose_mapping`` suggests one from the usual Vietnamese
column names (TEN_KCN, MA, DIEN_TICH, DT_HA, TINH, …), compared without diacritics, case or
separators, so "Tên khu công nghiệp" matches like "TEN_KHU_CONG_NGHIEP". User-given entries
(``--map code=MA_KCN``) override the proposal. ``apply_mapping`` builds the typed target columns.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import GeoError
from geo.text import fold_diacritics
from geo.vocabulary import ZONE_FILE_FIELDS

__all__ = [
    "FIELDS_BY_KIND",
    "REQUIRED_BY_KIND",
    "MappingError",
    "apply_mapping",
    "column_samples",
    "describe_columns",
    "fold_column_name",
    "parse_mapping_args",
    "propose_mapping",
]

FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    "zones": ZONE_FILE_FIELDS,
    "planned": ("code", "decision_ref", "approved_on"),
    "actual": ("code", "source", "observed_on"),
}
#: Fields that must be present after mapping (province_code is derived from geometry).
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    "zones": ("code", "name", "kind"),
    "planned": ("code",),
    "actual": ("code", "source", "observed_on"),
}
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("ma", "ma_kcn", "ma_ccn", "ma_kkt", "ma_khu", "makhu", "zone_code", "id_khu"),
    "name": (
        "ten",
        "ten_kcn",
        "ten_ccn",
        "ten_kkt",
        "ten_khu",
        "name_vi",
        "tenkhu",
        "ten_khu_cong_nghiep",
        "ten_cum_cong_nghiep",
        "ten_khu_kinh_te",
    ),
    "kind": ("loai", "loai_khu", "loai_hinh", "phan_loai"),
    "province_code": (
        "ma_tinh",
        "matinh",
        "tinh",
        "province",
        "province_code_2025",
        "tinh_tp",
        "ten_tinh",
    ),
    "status": ("trang_thai", "tinh_trang", "trangthai"),
    "established_on": ("ngay_tl", "ngay_thanh_lap", "nam_tl", "nam_thanh_lap", "ngaytl"),
    "expanded_on": ("ngay_mr", "ngay_mo_rong"),
    "decision_ref": ("so_qd", "quyet_dinh", "qd", "so_quyet_dinh", "qd_thanh_lap"),
    "approved_on": ("ngay_qd", "ngay_pd", "ngay_phe_duyet", "ngay_duyet"),
    "planned_area_ha": (
        "dien_tich",
        "dt_ha",
        "dt",
        "dientich",
        "dt_qh",
        "dien_tich_ha",
        "dt_quy_hoach",
    ),
    "industrial_land_ha": ("dt_cn", "dt_dat_cn", "dt_dat_cong_nghiep"),
    "leased_land_ha": ("dt_da_thue", "dt_thue", "dt_cho_thue"),
    "investor": ("chu_dau_tu", "cdt", "nha_dau_tu"),
    "workers": ("lao_dong", "so_lao_dong", "so_ld"),
    "source": ("nguon", "nguon_du_lieu"),
    "observed_on": ("ngay_ks", "ngay_do", "ngay_cap_nhat", "ngay_chup", "ngay_khao_sat"),
}
_DATE_FIELDS = ("established_on", "expanded_on", "approved_on", "observed_on")
_FLOAT_FIELDS = ("planned_area_ha", "industrial_land_ha", "leased_land_ha")
_BOOL_FIELDS = ("is_mountainous", "is_craft_village")
_STATUS = {
    "planned": ("planned", "chua thanh lap", "quy hoach", "du kien", "chua dau tu"),
    "under_construction": (
        "under_construction",
        "chua hoat dong",
        "dang xay dung",
        "dang trien khai",
        "dang dau tu",
        "xay dung",
    ),
    "operating": ("operating", "dang hoat dong", "hoat dong", "da hoat dong"),
    "suspended": ("suspended", "tam dung", "tam ngung", "dung hoat dong"),
    "cancelled": ("cancelled", "huy", "da huy", "loai khoi quy hoach", "bai bo"),
}
_ENTRY_SPLIT_RE = re.compile(r"[,\s]+(?=[A-Za-z_]+\s*=)|,\s*$")
_STATUS_LOOKUP = {alias: status for status, aliases in _STATUS.items() for alias in aliases}
_KIND_PREFIXES = (
    ("khu kinh te", "KKT"),
    ("kkt", "KKT"),
    ("cum cong nghiep", "CCN"),
    ("ccn", "CCN"),
    ("khu cong nghiep", "KCN"),
    ("kcn", "KCN"),
)


class MappingError(GeoError):
    """A ``--map`` entry names an unknown field or a column the file does not have."""

    code = "invalid_mapping"


def fold_column_name(name: str) -> str:
    """Fold a column name for matching: no diacritics, lower case, ``_`` as the only separator.

    Examples
    --------
    >>> fold_column_name("Tên khu công nghiệp")
    'ten_khu_cong_nghiep'
    """
    return re.sub(r"[^a-z0-9]+", "_", fold_diacritics(str(name))).strip("_")


def parse_mapping_args(args: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Parse ``["code=MA_KCN", "name=Tên khu công nghiệp "]`` into a mapping.

    Several entries may share one argument, separated by commas or spaces before the next
    ``FIELD=``; a column name may hold spaces, diacritics and trailing spaces (it is matched
    after NFC normalisation and trimming).

    Examples
    --------
    >>> parse_mapping_args(["code=MA, name=Tên khu công nghiệp", "kind=Loại"])
    {'code': 'MA', 'name': 'Tên khu công nghiệp', 'kind': 'Loại'}
    """
    mapping: dict[str, str] = {}
    for arg in args:
        for item in _ENTRY_SPLIT_RE.split(arg.strip()):
            if not item.strip():
                continue
            target, sep, column = item.partition("=")
            if not sep or not target.strip() or not column.strip():
                raise MappingError(
                    f"Cannot read the mapping {item!r}: write FIELD=COLUMN, e.g. code=MA_KCN."
                )
            mapping[target.strip()] = column
    return mapping


def normalise_column_name(name: str) -> str:
    """NFC and trimmed: how a given column name is compared with the file's columns."""
    return unicodedata.normalize("NFC", str(name)).strip()


def column_samples(frame: pd.DataFrame, *, per_column: int = 2) -> dict[str, list[str]]:
    """Up to ``per_column`` distinct non-empty values of each column, as text."""
    out: dict[str, list[str]] = {}
    for column in frame.columns:
        if column == getattr(frame, "_geometry_column_name", None):
            continue
        values: list[str] = []
        for value in frame[column].to_numpy(object):
            if _present(value) and str(value) not in values:
                values.append(str(value)[:60])
                if len(values) == per_column:
                    break
        out[str(column)] = values
    return out


def describe_columns(samples: Mapping[str, list[str]]) -> str:
    """One line per column with its sample values, for mapping messages.

    Examples
    --------
    >>> print(describe_columns({"MA": ["A1", "A2"], "Tên ": []}))
    the file's columns are:
      'MA' (e.g. 'A1', 'A2')
      'Tên ' (empty)
    """
    lines = ["the file's columns are:"]
    for column, values in samples.items():
        shown = ", ".join(repr(v) for v in values)
        lines.append(f"  {column!r} " + (f"(e.g. {shown})" if values else "(empty)"))
    return "\n".join(lines)


def propose_mapping(
    columns: list[str],
    *,
    kind: str,
    given: Mapping[str, str] | None = None,
    samples: Mapping[str, list[str]] | None = None,
) -> dict[str, str]:
    """Propose ``{field: column}`` for an upload of ``kind`` ("zones", "planned", "actual").

    Columns already named like the target field map themselves; otherwise the Vietnamese
    synonyms are tried in order. ``given`` entries win; they name columns as the file does, or
    the same after NFC normalisation and trimming. ``samples`` (``column_samples``) makes the
    error messages list the file's columns with sample values.

    Raises
    ------
    MappingError
        When ``given`` names an unknown field or a missing column.

    Examples
    --------
    >>> propose_mapping(["MA_KCN", "TEN_KCN", "DT_HA"], kind="zones")
    {'code': 'MA_KCN', 'name': 'TEN_KCN', 'planned_area_ha': 'DT_HA'}
    """
    fields = FIELDS_BY_KIND[kind]
    given = _resolve_given(given or {}, columns, fields, samples)
    folded = {fold_column_name(c): c for c in reversed(columns)}
    used = set(given.values())
    proposal: dict[str, str] = {}
    for target in fields:
        if target in given:
            proposal[target] = given[target]
            continue
        for candidate in (target, *_SYNONYMS.get(target, ())):
            column = folded.get(candidate)
            if column is not None and column not in used:
                proposal[target] = column
                used.add(column)
                break
    return proposal


def _resolve_given(
    given: Mapping[str, str],
    columns: list[str],
    fields: tuple[str, ...],
    samples: Mapping[str, list[str]] | None,
) -> dict[str, str]:
    by_name = {normalise_column_name(c): c for c in reversed(columns)}
    resolved: dict[str, str] = {}
    for target, column in given.items():
        if target not in fields:
            raise MappingError(
                f"Unknown field {target!r} in the mapping; fields for this kind: "
                f"{', '.join(fields)}.",
                details={"fields": list(fields)},
            )
        found = column if column in columns else by_name.get(normalise_column_name(column))
        if found is None:
            listing = describe_columns(samples or {c: [] for c in columns})
            raise MappingError(
                f"{target}={column}: the file has no column {column!r}; {listing}",
                details={"columns": dict(samples or {c: [] for c in columns})},
            )
        resolved[target] = found
    return resolved


def apply_mapping(
    frame: pd.DataFrame, mapping: Mapping[str, str], *, constants: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Build the target columns (typed) from ``frame`` with ``mapping``; return them and notes.

    Dates accept ISO, d/m/yyyy and bare years; areas accept a decimal comma; statuses accept
    the usual Vietnamese wording ("Đang hoạt động" → operating); ``kind`` accepts KKT/KCN/CCN or
    a name prefix. Values that cannot be read become missing and are reported in the notes.
    ``constants`` (``{field: value}``) give one value to every feature and win over a column.

    Raises
    ------
    MappingError
        When a constant names an unknown field or cannot be read as its field.
    """
    out = pd.DataFrame(index=frame.index)
    notes: list[str] = []
    for target, column in mapping.items():
        if constants and target in constants:
            continue
        values, bad = _convert(target, frame[column])
        out[target] = values
        if bad:
            notes.append(f"{bad} value(s) of {column} could not be read as {target}; left empty.")
    for target, value in (constants or {}).items():
        out[target] = _constant(target, value, frame.index)
    if "kind" not in out and "name" in out:
        out["kind"] = _map_unique(out["name"], kind_from_name)[0]
    return out, notes


def _constant(target: str, value: str, index: pd.Index) -> pd.Series:
    known = {f for fields in FIELDS_BY_KIND.values() for f in fields}
    if target not in known:
        raise MappingError(
            f"Unknown field {target!r} for a constant value; fields: {', '.join(sorted(known))}."
        )
    converted = _CONVERTERS.get(target, _to_text)(value)
    if converted is None:
        raise MappingError(f"The value {value!r} cannot be read as {target}.")
    return pd.Series([converted] * len(index), index=index, dtype=object)


def _convert(target: str, column: pd.Series) -> tuple[pd.Series, int]:
    return _map_unique(column, _CONVERTERS.get(target, _to_text))


def _to_status(value: object) -> str | None:
    return _STATUS_LOOKUP.get(fold_diacritics(str(value)).strip()) if _present(value) else None


def _to_kind(value: object) -> str | None:
    return kind_from_name(str(value)) if _present(value) else None


def _to_workers(value: object) -> int | None:
    number = _to_float(value)
    return None if number is None else int(number)


def _map_unique(column: pd.Series, convert: Callable[[Any], object]) -> tuple[pd.Series, int]:
    """Apply ``convert`` once per distinct value (columns repeat values a lot); count failures.

    Returns the converted column (object dtype, missing as None) and how many present values
    could not be converted.
    """
    codes, uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
    results = [convert(v) for v in uniques]
    results = [None if r is None or _is_scalar_na(r) else r for r in results]
    failed = np.array(
        [r is None and _present(v) for r, v in zip(results, uniques, strict=True)], dtype=bool
    )
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = results
    table[-1] = None  # code -1: a missing value
    values = pd.Series(table[codes], index=column.index, dtype=object)
    return values, int(counts[failed].sum()) if len(uniques) else 0


def _is_scalar_na(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def kind_from_name(text: str | None) -> str | None:
    """KKT/KCN/CCN from a kind value or from the start of a zone name, else None.

    Examples
    --------
    >>> kind_from_name("Cụm công nghiệp Long Phước"), kind_from_name("kcn")
    ('CCN', 'KCN')
    """
    if not text:
        return None
    folded = fold_diacritics(text).strip()
    for prefix, kind in _KIND_PREFIXES:
        if folded == prefix or folded.startswith(prefix + " "):
            return kind
    return None


def _present(value: object) -> bool:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    return not (isinstance(value, str) and not value.strip()) and value is not pd.NaT


def _to_text(value: object) -> str | None:
    if not _present(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _to_float(value: object) -> float | None:
    if not _present(value):
        return None
    if isinstance(value, int | float | np.number):
        return float(value)
    text = re.sub(r"(?i)\s*ha$", "", str(value).strip()).replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):  # 39.020,5: dots group thousands
        text = text.replace(".", "")
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _to_bool(value: object) -> bool | None:
    if not _present(value):
        return None
    folded = fold_diacritics(str(value)).strip()
    if folded in ("1", "true", "t", "yes", "y", "co", "x", "1.0"):
        return True
    if folded in ("0", "false", "f", "no", "n", "khong", "0.0"):
        return False
    return None


def _to_date(value: object) -> dt.date | None:
    if not _present(value):
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(\.0)?", text):
        return dt.date(int(float(text)), 1, 1)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    return None


_CONVERTERS: dict[str, Callable[[object], object]] = {
    **dict.fromkeys(_DATE_FIELDS, _to_date),
    **dict.fromkeys(_FLOAT_FIELDS, _to_float),
    **dict.fromkeys(_BOOL_FIELDS, _to_bool),
    "status": _to_status,
    "kind": _to_kind,
    "workers": _to_workers,
}
