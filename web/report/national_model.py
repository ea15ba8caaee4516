"""What the national report holds: the data handed from ``api`` to the renderers.

Areas are hectares, shares 0–1, densities per 1,000 km²; province outlines EPSG:4326.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

from web.report.changes_model import ReportChanges


@dataclass(frozen=True)
class NationalReport:
    """Everything the national report shows.

    ``totals``: ``zones``, ``planned_ha``, ``industrial_ha`` (leasable), ``leased_ha``,
    ``occupancy`` (leased / leasable, None without leasable land), ``flagged_zones``,
    ``flagged_share``, ``provinces``, ``wastewater_operating``. ``by_kind_status``:
    ``{kind: {status: zones}}``. ``flags_by_rule``: one dict per flag code with ``code``,
    ``zones`` and a count per severity. ``provinces``: one row per province of the admin
    version (ranked by flagged share, highest first) with the same keys as ``totals`` plus
    ``code``, ``name_vi``, ``name_en``, ``area_km2``, ``flag_density`` (flagged zones per
    1,000 km²) and counts per kind. ``outlines`` has ``code`` and geometry. ``directive`` holds
    the figures each point of Directive 07/CT-TTg is answered with. ``runs`` are the analysis
    runs read (one per province at most), ``thresholds`` those of the newest one.
    """

    admin_version: str
    totals: dict[str, Any]
    by_kind_status: dict[str, dict[str, int]]
    flags_by_rule: list[dict[str, Any]]
    provinces: list[dict[str, Any]]
    outlines: gpd.GeoDataFrame
    critical_flags: list[dict[str, Any]]
    directive: dict[str, Any]
    runs: list[dict[str, Any]]
    thresholds: dict[str, Any]
    data_date: dt.date | None
    generated_on: dt.date
    is_synthetic: bool
    changes: ReportChanges | None = None
    notices: tuple[str, ...] = field(default_factory=tuple)
