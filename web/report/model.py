"""What a province report holds: the data handed from ``api`` to the report renderer.

Geometry is EPSG:4326 (lon/lat); areas are hectares, distances metres, shares 0–1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from geo.vocabulary import SEVERITIES, SEVERITY_RANK
from web.report.changes_model import ReportChanges

__all__ = ["SEVERITIES", "SEVERITY_RANK", "ProvinceReport"]


@dataclass(frozen=True)
class ProvinceReport:
    """Everything one province report shows.

    ``province`` has ``code``, ``name_vi``, ``name_en``, ``admin_version``, ``area_km2``.
    ``zones`` holds the planning boundaries (geometry, may be None) with ``code``, ``name``,
    ``worst_severity`` and ``encroachment`` (shapely geometry or None); ``actual`` the actual
    footprints (``zone_code``, geometry); ``clusters`` the density-cluster hulls. ``rows`` are
    the zone table rows (critical first), ``flagged`` one entry per flagged zone with its
    ``flags`` (dicts with ``code``, ``severity``, ``value``, ``threshold``, ``unit``,
    ``message_vi``, ``message_en``). ``notices`` are i18n keys of messages shown at the top
    (e.g. no analysis run).
    """

    province: dict[str, Any]
    outline: BaseGeometry | None
    provinces: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    actual: gpd.GeoDataFrame
    clusters: gpd.GeoDataFrame
    rows: list[dict[str, Any]]
    flagged: list[dict[str, Any]]
    province_flags: list[dict[str, Any]]
    summary: dict[str, Any]
    sources: list[dict[str, Any]]
    run: dict[str, Any] | None
    generated_on: dt.date
    is_synthetic: bool
    notices: tuple[str, ...] = field(default_factory=tuple)
    data_date: dt.date | None = None  # the last day the register changed
    changes: ReportChanges | None = None  # since an earlier date (None: nothing to compare)
