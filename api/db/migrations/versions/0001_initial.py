"""Initial schema: provinces (two admin versions), zones, versioned planning boundaries,
actual footprints, uploads, analysis runs and flags.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

VALID_POLYGON = "ST_IsValid({col}) AND NOT ST_IsEmpty({col})"

UPGRADE = f"""
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE provinces (
    id serial PRIMARY KEY,
    admin_version text NOT NULL CHECK (admin_version IN ('2008-63', '2025-34')),
    code text NOT NULL CHECK (code ~ '^[0-9]{{2}}$'),
    name_vi text NOT NULL,
    name_vi_full text,
    name_en text NOT NULL,
    unit_type text,
    valid_from date,
    valid_to date,
    area_km2 double precision,
    parent_code_2025 text,
    merged_from text[],
    geom geometry(MultiPolygon, 4326) NOT NULL CHECK ({VALID_POLYGON.format(col="geom")}),
    geom_simplified geometry(MultiPolygon, 4326),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (admin_version, code)
);
CREATE INDEX ix_provinces_geom ON provinces USING gist (geom);

CREATE TABLE uploads (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('zones', 'planned', 'actual')),
    filename text NOT NULL,
    sha256 text NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    status text NOT NULL DEFAULT 'previewed'
        CHECK (status IN ('previewed', 'committed', 'rolled_back', 'failed')),
    uploaded_by text,
    source_crs text,
    encoding text,
    counts jsonb NOT NULL DEFAULT '{{}}',
    warnings jsonb NOT NULL DEFAULT '[]',
    errors jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    committed_at timestamptz,
    rolled_back_at timestamptz
);

CREATE TABLE zones (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (btrim(code) <> ''),
    kind text NOT NULL CHECK (kind IN ('KKT', 'KCN', 'CCN')),
    name text NOT NULL CHECK (btrim(name) <> '' AND name IS NFC NORMALIZED),
    province_code text NOT NULL CHECK (province_code ~ '^[0-9]{{2}}$'),
    status text NOT NULL DEFAULT 'planned' CHECK (status IN
        ('planned', 'under_construction', 'operating', 'suspended', 'cancelled')),
    established_on date,
    expanded_on date,
    decision_ref text,
    planned_area_ha double precision CHECK (planned_area_ha >= 0),
    industrial_land_ha double precision CHECK (industrial_land_ha >= 0),
    leased_land_ha double precision CHECK (leased_land_ha >= 0),
    is_mountainous boolean NOT NULL DEFAULT false,
    is_craft_village boolean NOT NULL DEFAULT false,
    is_synthetic boolean NOT NULL DEFAULT false,
    investor text,
    workers integer CHECK (workers >= 0),
    wastewater_status text,
    wastewater_capacity_m3_day double precision CHECK (wastewater_capacity_m3_day >= 0),
    has_worker_housing boolean,
    location geometry(Point, 4326) CHECK (location IS NULL OR NOT ST_IsEmpty(location)),
    attrs jsonb NOT NULL DEFAULT '{{}}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_zones_province_code ON zones (province_code);
CREATE INDEX ix_zones_kind ON zones (kind);
CREATE INDEX ix_zones_location ON zones USING gist (location);

CREATE TABLE planning_boundaries (
    id bigserial PRIMARY KEY,
    zone_id bigint NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    version integer NOT NULL CHECK (version >= 1),
    decision_ref text,
    approved_on date,
    valid_from date NOT NULL DEFAULT current_date,
    valid_to date CHECK (valid_to IS NULL OR valid_to >= valid_from),
    geom geometry(MultiPolygon, 4326) NOT NULL CHECK ({VALID_POLYGON.format(col="geom")}),
    area_ha double precision GENERATED ALWAYS AS (ST_Area(geom::geography) / 10000.0) STORED,
    upload_id bigint REFERENCES uploads (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (zone_id, version)
);
CREATE UNIQUE INDEX ux_planning_boundaries_current
    ON planning_boundaries (zone_id) WHERE valid_to IS NULL;
CREATE INDEX ix_planning_boundaries_geom ON planning_boundaries USING gist (geom);

CREATE TABLE actual_footprints (
    id bigserial PRIMARY KEY,
    zone_id bigint NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    source text NOT NULL CHECK (btrim(source) <> ''),
    observed_on date NOT NULL,
    geom geometry(MultiPolygon, 4326) NOT NULL CHECK ({VALID_POLYGON.format(col="geom")}),
    area_ha double precision GENERATED ALWAYS AS (ST_Area(geom::geography) / 10000.0) STORED,
    upload_id bigint REFERENCES uploads (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_actual_footprints_zone ON actual_footprints (zone_id, observed_on DESC, id DESC);
CREATE INDEX ix_actual_footprints_geom ON actual_footprints USING gist (geom);

CREATE TABLE analysis_runs (
    id bigserial PRIMARY KEY,
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', 'failed')),
    admin_version text NOT NULL CHECK (admin_version IN ('2008-63', '2025-34')),
    province_code text,
    thresholds jsonb NOT NULL DEFAULT '{{}}',
    inputs_fingerprint text,
    zone_count integer,
    duration_s double precision,
    error text,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

CREATE TABLE flags (
    id bigserial PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    zone_code text,
    province_code text,
    code text NOT NULL,
    severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    value double precision,
    threshold double precision,
    unit text,
    message_vi text NOT NULL,
    message_en text NOT NULL,
    details jsonb NOT NULL DEFAULT '{{}}'
);
CREATE INDEX ix_flags_run ON flags (run_id, zone_code);

-- A zone's current planning boundary, joined for maps, tiles and queries.
CREATE VIEW current_planning_boundaries AS
    SELECT pb.* FROM planning_boundaries pb WHERE pb.valid_to IS NULL;
"""

DOWNGRADE = """
DROP VIEW IF EXISTS current_planning_boundaries;
DROP TABLE IF EXISTS flags, analysis_runs, actual_footprints, planning_boundaries, zones,
    uploads, provinces CASCADE;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
