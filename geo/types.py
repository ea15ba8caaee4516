"""Frozen dataclasses returned by ``geo`` functions.

Geometry held here is shapely, EPSG:4326 (lon/lat). Areas are hectares, distances metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from shapely.geometry.base import BaseGeometry

from geo.vocabulary import ZONE_KINDS, Severity

__all__ = ["ZONE_FIELDS", "ZONE_KINDS", "Flag", "Severity"]

# The zone attributes of the shared data contract (what an analysis reads and fingerprints).
ZONE_FIELDS = (
    "code",
    "kind",
    "name",
    "province_code",
    "status",
    "established_on",
    "expanded_on",
    "decision_ref",
    "planned_area_ha",
    "industrial_land_ha",
    "leased_land_ha",
    "is_mountainous",
    "is_craft_village",
    "is_synthetic",
)


@dataclass(frozen=True)
class Flag:
    """One rule that a zone (or a province when ``zone_code`` is None) breaks.

    ``value`` is the measured number and ``threshold`` the limit it crossed, both in ``unit``
    (``ha``, ``m``, ``fraction`` for 0–1 ratios, ``year`` for decimal years). The two messages
    are one sentence each, Vietnamese (NFC, with diacritics) and English, quoting the number.
    ``details`` is JSON-safe (no NaN, dates as ISO strings).
    """

    code: str
    severity: Severity
    zone_code: str | None
    province_code: str | None
    value: float
    threshold: float
    unit: str
    message_vi: str
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Cluster:
    """A density-based cluster of zones whose footprints lie within a distance of each other.

    ``members`` are zone codes in sorted order, ``total_area_ha`` the sum of their footprint
    areas on the WGS84 ellipsoid, ``mean_occupancy`` the plain mean of the members' occupancy
    (leased / industrial land; None when no member has it), ``hull`` the convex hull of the
    members' footprints in EPSG:4326.
    """

    cluster_id: int
    province_code: str | None
    members: tuple[str, ...]
    total_area_ha: float
    mean_occupancy: float | None
    hull: BaseGeometry


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one analysis run computes, sorted by zone / province code.

    ``metrics`` is the footprint comparison (one row per zone), ``provinces`` the density
    statistics per province of ``admin_version``, ``fingerprint`` the sha256 of the input data.
    """

    metrics: pd.DataFrame
    provinces: pd.DataFrame
    clusters: list[Cluster]
    flags: list[Flag]
    fingerprint: str
    admin_version: str


@dataclass(frozen=True)
class ClarkEvans:
    """Clark–Evans nearest-neighbour ratio of ``n`` points in a study area.

    ``mean_nn_m`` is the observed mean nearest-neighbour distance and ``expected_nn_m`` its
    expectation under complete spatial randomness (metres). ``r``, ``z`` and ``p`` (two-sided)
    are None, with ``reason`` saying why, when the ratio is undefined.
    """

    n: int
    mean_nn_m: float | None
    expected_nn_m: float | None
    r: float | None
    z: float | None
    p: float | None
    reason: str | None
