"""Flag thresholds: typed, validated, loaded from ``geo/flags/thresholds.yaml`` plus overrides.

The shipped YAML documents every key (units in the names, shares as 0–1 fractions). A user
file or mapping may override any subset; unknown keys, missing keys in a full mapping, and
negative, out-of-range or wrongly typed values raise :class:`geo.errors.ThresholdsError`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, get_type_hints

import yaml

from geo.errors import ThresholdsError

_FRACTION_WORDS = frozenset({"share", "iou", "occupancy"})


@dataclass(frozen=True)
class FootprintMismatch:
    """FOOTPRINT_MISMATCH: IoU and encroachment limits."""

    iou_min: float
    encroachment_share_max: float
    encroachment_ha_max: float
    critical_iou_below: float


@dataclass(frozen=True)
class Encroachment:
    """ENCROACHMENT: tolerance and severity limits, in ha and shares of the planned area."""

    min_ha: float
    warning_ha: float
    warning_share: float
    critical_ha: float
    critical_share: float


@dataclass(frozen=True)
class SlowDeployment:
    """SLOW_DEPLOYMENT: age in years and built share of the planned area."""

    min_age_years: float
    min_built_share: float
    critical_built_share: float


@dataclass(frozen=True)
class LowOccupancy:
    """LOW_OCCUPANCY: years operating and occupancy limits."""

    min_operating_years: float
    min_occupancy: float
    critical_occupancy: float


@dataclass(frozen=True)
class DenseCluster:
    """DENSE_CLUSTER: cluster distance (m), size and mean occupancy limits."""

    distance_m: float
    min_zones: int
    max_mean_occupancy: float
    critical_mean_occupancy: float


@dataclass(frozen=True)
class CcnSize:
    """CCN_SIZE_RULE: legal size band of industrial clusters (ha) and the 2009 regime."""

    min_ha: float
    min_ha_mountain_or_craft: float
    max_ha: float
    regime_2009_max_ha: float
    regime_2009_from: dt.date
    regime_2009_until: dt.date


@dataclass(frozen=True)
class CcnDecree32:
    """CCN_NEW_OR_EXPANSION_RULE: Decree 32/2024/NĐ-CP conditions."""

    effective_from: dt.date
    new_min_mean_occupancy: float
    new_max_unleased_ha: float
    expansion_min_occupancy: float
    expansion_max_total_ha: float


@dataclass(frozen=True)
class Moratorium:
    """MORATORIUM: the Directive 07/CT-TTg freeze window [start, end)."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class OutsidePlanning:
    """OUTSIDE_PLANNING: overlap (ha) below which a footprint is outside."""

    inside_tolerance_ha: float


@dataclass(frozen=True)
class Overlap:
    """OVERLAP: overlap limits (ha, share of the smaller zone)."""

    min_ha: float
    critical_ha: float
    critical_share: float
    ignore_inside_kkt: bool


@dataclass(frozen=True)
class CrossProvince:
    """CROSS_PROVINCE: share and area outside the main province."""

    max_outside_share: float
    min_outside_ha: float
    critical_outside_share: float


@dataclass(frozen=True)
class BuiltUp:
    """Built-up footprints derived from buildings: search and closing distances (m)."""

    search_m: float
    closing_m: float


@dataclass(frozen=True)
class Thresholds:
    """Every flag threshold, one frozen section per flag (see ``geo/flags/thresholds.yaml``)."""

    footprint_mismatch: FootprintMismatch
    encroachment: Encroachment
    slow_deployment: SlowDeployment
    low_occupancy: LowOccupancy
    dense_cluster: DenseCluster
    ccn_size: CcnSize
    ccn_decree_32: CcnDecree32
    moratorium: Moratorium
    outside_planning: OutsidePlanning
    overlap: Overlap
    cross_province: CrossProvince
    builtup: BuiltUp

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """JSON-safe nested dict (dates as ISO strings), e.g. to store with an analysis run."""
        return {
            section.name: {
                key: value.isoformat() if isinstance(value, dt.date) else value
                for key, value in dataclasses.asdict(getattr(self, section.name)).items()
            }
            for section in fields(self)
        }


# each field of Thresholds is one section, typed by its section class
_SECTIONS: dict[str, type] = dict(get_type_hints(Thresholds))
_ORDERED_PAIRS = (  # (section, lower key, upper key): lower must be below upper
    ("ccn_size", "min_ha", "max_ha"),
    ("ccn_size", "regime_2009_from", "regime_2009_until"),
    ("moratorium", "start", "end"),
)


def load_thresholds(
    path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> Thresholds:
    """Load the shipped defaults, then apply an override file, then an override mapping.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file setting any subset of the keys of ``geo/flags/thresholds.yaml``.
    overrides : Mapping, optional
        Nested (``{"overlap": {"min_ha": 2}}``) or dotted (``{"overlap.min_ha": 2}``) keys.

    Returns
    -------
    Thresholds

    Raises
    ------
    ThresholdsError
        Unreadable file, unknown key, or a value of the wrong type, negative or out of range.

    Examples
    --------
    >>> load_thresholds(overrides={"footprint_mismatch.iou_min": 0.7}).footprint_mismatch.iou_min
    0.7
    """
    result = _defaults()
    if path is not None:
        result = thresholds_from_mapping(_read_yaml(Path(path)), base=result, source=str(path))
    if overrides:
        result = thresholds_from_mapping(overrides, base=result, source="overrides")
    return result


def thresholds_from_mapping(
    data: Mapping[str, Any], *, base: Thresholds | None = None, source: str = "thresholds"
) -> Thresholds:
    """Build thresholds from a mapping: complete when ``base`` is None, else overlaid on it."""
    if not isinstance(data, Mapping):
        raise ThresholdsError(
            f"{source}: expected a mapping of sections (e.g. 'overlap: {{min_ha: 1}}'), "
            f"got {type(data).__name__}; write the file as YAML sections.",
            details={"source": source},
        )
    nested = _nest(data, source)
    sections = {}
    for name, cls in _SECTIONS.items():
        current = dataclasses.asdict(getattr(base, name)) if base is not None else {}
        current.update(_check_section(name, cls, nested.pop(name, {}), source))
        missing = [f.name for f in fields(cls) if f.name not in current]
        if missing:
            raise _error(source, f"{name}.{missing[0]}", "is missing", fix=_ADD_MISSING)
        sections[name] = cls(**current)
    if nested:
        key = sorted(nested)[0]
        raise _error(source, key, f"is not a known section; use one of {', '.join(_SECTIONS)}")
    _check_order(sections, source)
    return Thresholds(**sections)


@lru_cache(maxsize=1)
def _defaults() -> Thresholds:
    text = resources.files("geo.flags").joinpath("thresholds.yaml").read_text(encoding="utf-8")
    return thresholds_from_mapping(yaml.safe_load(text), source="geo/flags/thresholds.yaml")


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThresholdsError(
            f"Cannot read the thresholds file {path}: {exc.strerror}; check the path.",
            details={"source": str(path)},
        ) from exc
    except yaml.YAMLError as exc:
        raise ThresholdsError(
            f"The thresholds file {path} is not valid YAML ({exc}); fix its syntax.",
            details={"source": str(path)},
        ) from exc
    return {} if data is None else data


def _nest(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in data.items():
        section, dot, rest = str(key).partition(".")
        if dot:
            nested.setdefault(section, {})[rest] = value
        elif isinstance(value, Mapping):
            nested.setdefault(section, {}).update(value)
        else:
            raise _error(source, section, "must be a section of keys, not a single value")
    return nested


def _check_section(name: str, cls: type, values: Mapping[str, Any], source: str) -> dict:
    known = {f.name: f.type for f in fields(cls)}
    checked = {}
    for key, value in values.items():
        if key not in known:
            raise _error(
                source, f"{name}.{key}", f"is not a known key; use one of {', '.join(known)}"
            )
        checked[key] = _check_value(f"{name}.{key}", known[key], value, source)
    return checked


def _check_value(key: str, type_name: Any, value: Any, source: str) -> Any:
    kind = str(type_name).removeprefix("dt.")
    if kind == "bool":
        if not isinstance(value, bool):
            raise _error(source, key, f"must be true or false, got {value!r}")
        return value
    if kind == "date":
        return _check_date(key, value, source)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _error(source, key, f"must be a number, got {value!r}")
    if value < 0:
        raise _error(source, key, f"must not be negative, got {value!r}")
    if _FRACTION_WORDS.intersection(key.rpartition(".")[2].split("_")) and value > 1:
        raise _error(source, key, f"is a fraction between 0 and 1 (0.3 = 30 %), got {value!r}")
    if kind == "int":
        if value != int(value) or value < 1:
            raise _error(source, key, f"must be a whole number of at least 1, got {value!r}")
        return int(value)
    return float(value)


def _check_date(key: str, value: Any, source: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _error(source, key, f"must be a date written YYYY-MM-DD, got {value!r}") from None


def _check_order(sections: dict[str, Any], source: str) -> None:
    for section, low, high in _ORDERED_PAIRS:
        low_value = getattr(sections[section], low)
        high_value = getattr(sections[section], high)
        if not low_value < high_value:
            raise _error(source, f"{section}.{high}", f"must be later or larger than {low}")


_FIX_OR_REMOVE = (
    "Fix or remove it (removed keys fall back to the defaults in geo/flags/thresholds.yaml)."
)
_ADD_MISSING = "Add it: a complete thresholds file needs every key of geo/flags/thresholds.yaml."


def _error(source: str, key: str, problem: str, *, fix: str = _FIX_OR_REMOVE) -> ThresholdsError:
    return ThresholdsError(
        f"{source}: threshold '{key}' {problem}. {fix}", details={"source": source, "key": key}
    )
