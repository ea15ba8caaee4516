"""What every flag rule shares: the zone table, the Flag builder and number formatting.

The zone table joins the zone attributes with the footprint metrics, sorted by code. Rules test
conditions on its columns (vectorised masks) and read the few values a flagged row's message
needs from plain Python lists, so that no per-row dict or Series is built for the whole table.
Numbers are formatted the English way (``1,234.5``) or the Vietnamese way (``1.234,5``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.analysis.clusters import zone_occupancy
from geo.formatting import format_number, format_share
from geo.types import Flag

DAYS_PER_YEAR = 365.2425
DATE_COLUMNS = ("established_on", "expanded_on")
_TEXT = ("kind", "province_code", "status")
_AREAS = ("planned_area_ha", "industrial_land_ha", "leased_land_ha")
_BOOLS = ("is_mountainous", "is_craft_village")


@dataclass(frozen=True)
class ZoneTable:
    """Zone attributes joined with footprint metrics, sorted by code.

    ``frame`` is for vectorised conditions (dates also as ``<name>_ts`` datetime64 columns),
    ``values`` holds each column as a Python list for element access, ``pos`` each code's row.
    """

    frame: pd.DataFrame
    values: dict[str, list[Any]]
    pos: dict[str, int]

    def value(self, name: str, i: int) -> Any:
        """The value of column ``name`` in row ``i`` (Python scalars; NaN for missing floats)."""
        return self.values[name][i]

    def pick(self, i: int, *names: str) -> dict[str, Any]:
        """``{name: value}`` of row ``i`` for the given columns."""
        return {name: self.values[name][i] for name in names}


def zone_table(zones: pd.DataFrame, metrics: pd.DataFrame, today: dt.date) -> ZoneTable:
    """Build the :class:`ZoneTable` of ``zones`` and their ``metrics`` (ages at ``today``)."""
    attrs = pd.DataFrame({"code": zones["code"].astype(str).to_numpy()})
    for name in _TEXT:
        attrs[name] = zones[name].to_numpy(dtype=object) if name in zones else None
    for name in _AREAS:
        values = zones[name] if name in zones else pd.Series(np.nan, index=zones.index)
        attrs[name] = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    for name in _BOOLS:
        attrs[name] = zones[name].fillna(False).astype(bool).to_numpy() if name in zones else False
    stamps = {name: _timestamps(zones, name) for name in DATE_COLUMNS}
    for name, stamp in stamps.items():
        attrs[name] = _dates(stamp)
    days = (pd.Timestamp(today) - stamps["established_on"]).dt.days.to_numpy(dtype=float)
    attrs["age_years"] = days / DAYS_PER_YEAR
    attrs["occupancy"] = zone_occupancy(zones)
    measured = pd.DataFrame(metrics).rename(columns={"status": "footprint_status"})
    extra = [c for c in measured.columns if c in attrs.columns and c != "code"]
    measured = measured.drop(columns=["encroachment_geom", *extra], errors="ignore")
    table = attrs.merge(measured, on="code").sort_values("code", kind="stable")
    table = table.reset_index(drop=True)
    values = {name: table[name].to_numpy(dtype=object).tolist() for name in table.columns}
    for name in DATE_COLUMNS:  # datetime64 copies for vectorised comparisons
        table[f"{name}_ts"] = pd.to_datetime(table[name], errors="coerce")
    return ZoneTable(table, values, {code: i for i, code in enumerate(values["code"])})


def _timestamps(zones: pd.DataFrame, name: str) -> pd.Series:
    if name not in zones:
        return pd.Series(pd.NaT, index=range(len(zones)), dtype="datetime64[ns]")
    raw = pd.Series(zones[name].to_numpy(dtype=object))
    text = raw.map(lambda v: v if isinstance(v, dt.date) else str(v)[:10], na_action="ignore")
    return pd.to_datetime(text, errors="raise", format="mixed").dt.normalize()


def _dates(stamps: pd.Series) -> np.ndarray:
    out = np.full(len(stamps), None, dtype=object)
    known = stamps.notna().to_numpy()
    out[known] = stamps[known].dt.date.to_numpy(dtype=object)
    return out


def make_flag(
    code: str,
    severity: str,
    tab: ZoneTable,
    i: int,
    measured: tuple[float, float, str],
    messages: tuple[str, str],
    details: dict[str, Any],
) -> Flag:
    """A :class:`Flag` for row ``i``: ``measured`` = (value, threshold, unit), messages (vi, en)."""
    value, threshold, unit = measured
    province = tab.values["province_code"][i]
    return Flag(
        code=code,
        severity=severity,  # type: ignore[arg-type]
        zone_code=tab.values["code"][i],
        province_code=None if is_missing(province) else str(province),
        value=float(value),
        threshold=float(threshold),
        unit=unit,
        message_vi=messages[0],
        message_en=messages[1],
        details=json_safe(details),
    )


def json_safe(value: Any) -> Any:
    """Recursively replace NaN/inf by None, numpy scalars by Python ones, dates by ISO text."""
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if value is None or kind in (str, int, bool):
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def hits(mask: pd.Series | np.ndarray) -> list[int]:
    """Row positions where ``mask`` is true."""
    return np.flatnonzero(np.asarray(mask, dtype=bool)).tolist()


def is_missing(value: Any) -> bool:
    """True for None, NaN and NaT."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def decimal_year(day: dt.date) -> float:
    """``day`` as a decimal year (2024-07-02 → 2024.5)."""
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def num(value: float, digits: int, *, vi: bool = False) -> str:
    """``value`` with exactly ``digits`` decimals and thousands separators (``geo.formatting``)."""
    return format_number(value, "vi" if vi else "en", digits=digits, trim=False)


def pct(value: float, *, vi: bool = False) -> str:
    """A 0–1 fraction as a percentage with one decimal."""
    return format_share(value, "vi" if vi else "en", digits=1, trim=False)


def ha(value: float, digits: int = 1, *, vi: bool = False) -> str:
    """Hectares with ``digits`` decimals."""
    return format_number(value, "vi" if vi else "en", digits=digits, unit="ha", trim=False)


def ts(day: dt.date) -> pd.Timestamp:
    """A date as a pandas Timestamp (for comparisons with ``*_ts`` columns)."""
    return pd.Timestamp(day)


def vi_date(day: dt.date) -> str:
    """``dd/mm/yyyy``."""
    return day.strftime("%d/%m/%Y")
