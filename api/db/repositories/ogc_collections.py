"""The allowlist of layers served as OGC API - Features collections.

Every source's ``geom`` is an indexed column (a zone's is ``zones.current_geom``, kept by
triggers), never an expression: a bbox filter on ``geom`` is answered by a GiST index
(tests/integration/test_index_plans.py checks each plan on a national-scale table).

Each collection is one entry: a fixed SQL source (written here, never built from input) whose
columns are ``fid`` (the feature id), ``geom`` (EPSG:4326) and the listed properties. Filters
may only name these properties, so user input never becomes an identifier.
A new collection (e.g. density clusters once their table exists) is one more entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Boolean, Date, Double, Integer, Subquery, Text, column, text
from sqlalchemy.types import NullType, TypeEngine

from geo.vocabulary import ADMIN_VERSIONS

TYPES: dict[str, type[TypeEngine]] = {
    "string": Text,
    "number": Double,
    "integer": Integer,
    "boolean": Boolean,
    "date": Date,
}


@dataclass(frozen=True)
class Property:
    name: str
    type: str  # JSON-schema-like: string | number | integer | boolean | date
    title: str = ""


@dataclass(frozen=True)
class Temporal:
    """The date columns ``datetime`` filters on: one instant column, or a validity interval."""

    start: str
    end: str | None = None


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    source_sql: str
    properties: tuple[Property, ...]
    fid_type: str = "string"
    temporal: Temporal | None = None
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def property_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties)

    def property(self, name: str) -> Property | None:
        name = self.aliases.get(name, name)
        return next((p for p in self.properties if p.name == name), None)


def source(collection: Collection, name: str = "src") -> Subquery:
    """The collection's rows as a subquery named ``name`` (cached per collection and name)."""
    return _source(collection.id, name)


@cache
def _source(collection_id: str, name: str) -> Subquery:
    coll = COLLECTIONS[collection_id]
    cols = [column("fid", TYPES[coll.fid_type]), column("geom", NullType)]
    cols += [column(p.name, TYPES[p.type]) for p in coll.properties]
    return text(coll.source_sql).columns(*cols).subquery(name)


def _p(spec: str) -> tuple[Property, ...]:
    return tuple(Property(*item.split(":")) for item in spec.split())


ZONE_PROPERTIES = _p(
    "code:string kind:string name:string province_code:string status:string "
    "established_on:date expanded_on:date decision_ref:string planned_area_ha:number "
    "industrial_land_ha:number leased_land_ha:number boundary_area_ha:number "
    "is_mountainous:boolean is_craft_village:boolean is_synthetic:boolean"
)
_ZONES_SQL = """
SELECT z.code AS fid, z.current_geom AS geom, z.code, z.kind, z.name,
       z.province_code, z.status, z.established_on, z.expanded_on, z.decision_ref,
       z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha,
       CAST(round(CAST(pb.area_ha AS numeric), 2) AS double precision) AS boundary_area_ha,
       z.is_mountainous, z.is_craft_village, z.is_synthetic
FROM zones z LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
"""
BOUNDARY_PROPERTIES = _p(
    "zone_code:string kind:string name:string province_code:string version:integer "
    "decision_ref:string approved_on:date valid_from:date valid_to:date area_ha:number"
)
_BOUNDARIES_SQL = """
SELECT pb.id AS fid, pb.geom, z.code AS zone_code, z.kind, z.name, z.province_code, pb.version,
       pb.decision_ref, pb.approved_on, pb.valid_from, pb.valid_to, pb.area_ha
FROM {table} pb JOIN zones z ON z.id = pb.zone_id
"""
_FOOTPRINTS_SQL = """
SELECT af.id AS fid, af.geom, z.code AS zone_code, z.kind, z.province_code, af.source,
       af.observed_on, af.area_ha
FROM actual_footprints af JOIN zones z ON z.id = af.zone_id
"""
PROVINCE_PROPERTIES = _p(
    "code:string name_vi:string name_en:string unit_type:string admin_version:string "
    "area_km2:number"
)
_PROVINCES_SQL = """
SELECT p.code AS fid, p.geom, p.code, p.name_vi, p.name_en, p.unit_type, p.admin_version,
       p.area_km2
FROM provinces p WHERE p.admin_version = '{version}'
"""
_FLAGS_SQL = """
SELECT f.id AS fid, z.current_geom AS geom, f.zone_code, f.province_code,
       f.code, f.severity, f.value, f.threshold, f.unit, f.message_vi, f.message_en,
       r.id AS run_id, to_char(part.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
           AS as_of,
       CASE WHEN s.failed_seq >= s.dirty_seq AND s.done_seq < s.dirty_seq THEN 'failed'
            WHEN s.done_seq < s.dirty_seq THEN 'pending' ELSE 'current' END AS analysis_state
FROM flags f
JOIN run_parts rp ON rp.part_id = f.run_id
JOIN (SELECT id FROM analysis_runs WHERE status = 'complete' AND province_code IS NULL
      ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1) r ON r.id = rp.run_id
JOIN analysis_runs part ON part.id = f.run_id
LEFT JOIN province_results pr ON pr.run_id = f.run_id
LEFT JOIN analysis_state s
    ON s.admin_version = pr.admin_version AND s.province_code = pr.province_code
LEFT JOIN zones z ON z.code = f.zone_code
"""
_KIND_TITLES = {"KKT": "economic zones", "KCN": "industrial parks", "CCN": "industrial clusters"}


def _zones(kind: str | None) -> Collection:
    where = f" WHERE z.kind = '{kind}'" if kind else ""
    return Collection(
        id=f"zones-{kind.lower()}" if kind else "zones",
        title=f"Zones: {_KIND_TITLES[kind]} ({kind})" if kind else "Zones (KKT, KCN, CCN)",
        description="Each zone with its current planning boundary (its point when it has none).",
        source_sql=_ZONES_SQL + where,
        properties=ZONE_PROPERTIES,
        temporal=Temporal("established_on"),
        aliases={"province": "province_code"},
    )


def _provinces(version: str) -> Collection:
    return Collection(
        id=f"provinces-{version}",
        title=f"Provinces ({version} administrative units)",
        description=f"Province boundaries of the {version} admin version.",
        source_sql=_PROVINCES_SQL.format(version=version),
        properties=PROVINCE_PROPERTIES,
    )


_ALL: tuple[Collection, ...] = (
    _zones(None),
    _zones("KKT"),
    _zones("KCN"),
    _zones("CCN"),
    Collection(
        id="planning-boundaries",
        title="Planning boundaries (current)",
        description="The current approved planning boundary of each zone.",
        source_sql=_BOUNDARIES_SQL.format(table="current_planning_boundaries"),
        properties=BOUNDARY_PROPERTIES,
        fid_type="integer",
        temporal=Temporal("valid_from", "valid_to"),
        aliases={"province": "province_code"},
    ),
    Collection(
        id="planning-boundaries-history",
        title="Planning boundaries (all versions)",
        description="Every approved version of every planning boundary, with its validity.",
        source_sql=_BOUNDARIES_SQL.format(table="planning_boundaries"),
        properties=BOUNDARY_PROPERTIES,
        fid_type="integer",
        temporal=Temporal("valid_from", "valid_to"),
        aliases={"province": "province_code"},
    ),
    Collection(
        id="actual-footprints",
        title="Actual footprints",
        description="Observed built-up footprints of the zones, one feature per observation.",
        source_sql=_FOOTPRINTS_SQL,
        fid_type="integer",
        temporal=Temporal("observed_on"),
        properties=_p(
            "zone_code:string kind:string province_code:string source:string "
            "observed_on:date area_ha:number"
        ),
        aliases={"province": "province_code"},
    ),
    *(_provinces(version) for version in ADMIN_VERSIONS),
    Collection(
        id="flags",
        title="Flags (latest analysis of each province)",
        description=(
            "Flags of the latest analysis of each province, on the zone's geometry; as_of says "
            "when that province's flags were computed and analysis_state whether they are "
            "current, pending (a re-analysis is queued) or failed (the last one failed)."
        ),
        source_sql=_FLAGS_SQL,
        fid_type="integer",
        properties=_p(
            "zone_code:string province_code:string code:string severity:string value:number "
            "threshold:number unit:string message_vi:string message_en:string run_id:integer "
            "as_of:string analysis_state:string"
        ),
        aliases={"province": "province_code"},
    ),
)
COLLECTIONS: dict[str, Collection] = {c.id: c for c in _ALL}
