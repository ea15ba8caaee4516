"""Building layers and the built-up footprints derived from them; areas filled by the writers.

* ``building_observations``: one per building layer (source + date), created by an upload of
  kind ``buildings``; ``status`` is 'previewed' until the upload is committed (readers use only
  committed ones). The derivation's totals (buildings near a zone, buildings far from every
  zone) are kept on it.
* ``buildings``: the polygons, partitioned by observation. An import COPYs into a fresh table,
  builds its GiST index in one pass (much faster than growing an index row by row) and attaches
  it as the observation's partition; a rollback drops that partition. No foreign key (a
  partition is dropped with its observation by the repository) and no server-side validity
  check: the import repairs every polygon before writing (``geo.ingest.buildings``).
* ``actual_footprints.building_observation_id``: set on the footprints derived from an
  observation (``source = 'derived:buildings:<id>'``); they go when the observation goes.
* ``zone_building_stats``: per zone and observation, the building count, floor area, built
  share of the planned area and the buildings outside the boundary.
* ``area_ha`` of planning boundaries and actual footprints becomes a plain column: a writer
  that already knows the ellipsoidal area (the upload pipeline computes it on the WGS 84
  ellipsoid) passes it, and a trigger computes ``ST_Area(geom::geography)`` only when none was
  given (or when the geometry changes without a new area), so the area is computed once.

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-04
"""

from alembic import op

revision = "0011"
down_revision = "0013"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE uploads DROP CONSTRAINT uploads_kind_check;
ALTER TABLE uploads ADD CONSTRAINT uploads_kind_check
    CHECK (kind IN ('zones', 'planned', 'actual', 'buildings'));

CREATE TABLE building_observations (
    id bigserial PRIMARY KEY,
    source text NOT NULL CHECK (btrim(source) <> ''),
    observed_on date NOT NULL,
    status text NOT NULL DEFAULT 'previewed' CHECK (status IN ('previewed', 'committed')),
    upload_id bigint REFERENCES uploads (id) ON DELETE CASCADE,
    building_count integer NOT NULL DEFAULT 0 CHECK (building_count >= 0),
    floor_area_ha double precision,
    near_zone_count integer,
    far_count integer,
    derived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_building_observations_upload ON building_observations (upload_id);

CREATE TABLE buildings (
    observation_id bigint NOT NULL,
    geom geometry(Geometry, 4326) NOT NULL
) PARTITION BY LIST (observation_id);
CREATE INDEX ix_buildings_geom ON buildings USING gist (geom);

-- The partition's DDL runs as the schema owner (SECURITY DEFINER), so the HTTP write role
-- (zonemap_writer, no CREATE on the schema) can import too; names are built from the id only.
CREATE FUNCTION zonemap_building_partition_create(obs bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM building_observations WHERE id = obs AND status = 'previewed')
    THEN RAISE EXCEPTION 'building observation % is not being imported', obs;
    END IF;
    EXECUTE format('CREATE TABLE buildings_obs_%s (observation_id bigint NOT NULL '
                   'CHECK (observation_id = %s), geom geometry(Geometry, 4326) NOT NULL)',
                   obs, obs);
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'zonemap_writer') THEN
        EXECUTE format('GRANT SELECT, INSERT ON buildings_obs_%s TO zonemap_writer', obs);
    END IF;
END $$;

CREATE FUNCTION zonemap_building_partition_attach(obs bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM building_observations WHERE id = obs AND status = 'previewed')
    THEN RAISE EXCEPTION 'building observation % is not being imported', obs;
    END IF;
    EXECUTE format('CREATE INDEX buildings_obs_%s_geom ON buildings_obs_%s USING gist (geom)',
                   obs, obs);
    EXECUTE format('ALTER TABLE buildings ATTACH PARTITION buildings_obs_%s FOR VALUES IN (%s)',
                   obs, obs);
    EXECUTE format('ANALYZE buildings_obs_%s', obs);
END $$;

CREATE FUNCTION zonemap_building_partition_drop(obs bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS buildings_obs_%s', obs);
END $$;

ALTER TABLE actual_footprints ADD COLUMN building_observation_id bigint
    REFERENCES building_observations (id) ON DELETE CASCADE;
CREATE INDEX ix_actual_footprints_building_observation
    ON actual_footprints (building_observation_id) WHERE building_observation_id IS NOT NULL;

CREATE TABLE zone_building_stats (
    observation_id bigint NOT NULL REFERENCES building_observations (id) ON DELETE CASCADE,
    zone_id bigint NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    footprint_id bigint REFERENCES actual_footprints (id) ON DELETE SET NULL,
    building_count integer NOT NULL CHECK (building_count >= 0),
    floor_area_ha double precision NOT NULL CHECK (floor_area_ha >= 0),
    builtup_ha double precision NOT NULL CHECK (builtup_ha >= 0),
    built_share double precision CHECK (built_share >= 0),
    outside_count integer NOT NULL CHECK (outside_count >= 0),
    outside_floor_area_ha double precision NOT NULL CHECK (outside_floor_area_ha >= 0),
    PRIMARY KEY (observation_id, zone_id)
);
CREATE INDEX ix_zone_building_stats_zone ON zone_building_stats (zone_id);

ALTER TABLE upload_changes ALTER COLUMN zone_id DROP NOT NULL;
ALTER TABLE upload_changes DROP CONSTRAINT upload_changes_table_name_check;
ALTER TABLE upload_changes ADD CONSTRAINT upload_changes_table_name_check CHECK (table_name IN
    ('zones', 'planning_boundaries', 'actual_footprints', 'building_observations'));

ALTER TABLE planning_boundaries ALTER COLUMN area_ha DROP EXPRESSION;
ALTER TABLE actual_footprints ALTER COLUMN area_ha DROP EXPRESSION;

CREATE FUNCTION zonemap_fill_area_ha() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.area_ha := ST_Area(NEW.geom::geography) / 10000.0;
    RETURN NEW;
END $$;
CREATE TRIGGER tg_planning_boundaries_area BEFORE INSERT ON planning_boundaries
    FOR EACH ROW WHEN (NEW.area_ha IS NULL) EXECUTE FUNCTION zonemap_fill_area_ha();
CREATE TRIGGER tg_planning_boundaries_area_update BEFORE UPDATE OF geom ON planning_boundaries
    FOR EACH ROW WHEN (NEW.area_ha IS NOT DISTINCT FROM OLD.area_ha
                       AND NOT ST_OrderingEquals(NEW.geom, OLD.geom))
    EXECUTE FUNCTION zonemap_fill_area_ha();
CREATE TRIGGER tg_actual_footprints_area BEFORE INSERT ON actual_footprints
    FOR EACH ROW WHEN (NEW.area_ha IS NULL) EXECUTE FUNCTION zonemap_fill_area_ha();
CREATE TRIGGER tg_actual_footprints_area_update BEFORE UPDATE OF geom ON actual_footprints
    FOR EACH ROW WHEN (NEW.area_ha IS NOT DISTINCT FROM OLD.area_ha
                       AND NOT ST_OrderingEquals(NEW.geom, OLD.geom))
    EXECUTE FUNCTION zonemap_fill_area_ha();
"""

DOWNGRADE = """
DROP TRIGGER IF EXISTS tg_planning_boundaries_area ON planning_boundaries;
DROP TRIGGER IF EXISTS tg_planning_boundaries_area_update ON planning_boundaries;
DROP TRIGGER IF EXISTS tg_actual_footprints_area ON actual_footprints;
DROP TRIGGER IF EXISTS tg_actual_footprints_area_update ON actual_footprints;
DROP FUNCTION IF EXISTS zonemap_fill_area_ha();
DELETE FROM actual_footprints WHERE building_observation_id IS NOT NULL;
DROP VIEW current_planning_boundaries;
ALTER TABLE planning_boundaries DROP COLUMN area_ha;
ALTER TABLE planning_boundaries ADD COLUMN area_ha double precision
    GENERATED ALWAYS AS (ST_Area(geom::geography) / 10000.0) STORED;
CREATE VIEW current_planning_boundaries AS
    SELECT pb.* FROM planning_boundaries pb WHERE pb.valid_to IS NULL;
ALTER TABLE actual_footprints DROP COLUMN area_ha;
ALTER TABLE actual_footprints ADD COLUMN area_ha double precision
    GENERATED ALWAYS AS (ST_Area(geom::geography) / 10000.0) STORED;
DELETE FROM upload_changes WHERE table_name = 'building_observations';
ALTER TABLE upload_changes DROP CONSTRAINT upload_changes_table_name_check;
ALTER TABLE upload_changes ADD CONSTRAINT upload_changes_table_name_check
    CHECK (table_name IN ('zones', 'planning_boundaries', 'actual_footprints'));
ALTER TABLE upload_changes ALTER COLUMN zone_id SET NOT NULL;
DROP TABLE IF EXISTS zone_building_stats;
ALTER TABLE actual_footprints DROP COLUMN building_observation_id;
DROP FUNCTION IF EXISTS zonemap_building_partition_create(bigint),
    zonemap_building_partition_attach(bigint), zonemap_building_partition_drop(bigint);
DROP TABLE IF EXISTS buildings, building_observations CASCADE;
DELETE FROM uploads WHERE kind = 'buildings';
ALTER TABLE uploads DROP CONSTRAINT uploads_kind_check;
ALTER TABLE uploads ADD CONSTRAINT uploads_kind_check
    CHECK (kind IN ('zones', 'planned', 'actual'));
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
