"""Upload pipeline: staged features of a previewed upload, the change journal that makes a
commit reversible, and progress columns on uploads.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-24
"""

from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE uploads
    ADD COLUMN stage text,
    ADD COLUMN progress double precision NOT NULL DEFAULT 0
        CHECK (progress >= 0 AND progress <= 1),
    ADD COLUMN area_ha double precision,
    ADD COLUMN options jsonb NOT NULL DEFAULT '{}';

-- The features of a previewed upload, decoded, mapped, reprojected and repaired, waiting for
-- a commit. original_geom keeps the geometry as read when a repair changed it.
CREATE TABLE upload_features (
    upload_id bigint NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    ord integer NOT NULL,
    code text NOT NULL,
    kind text,
    name text,
    province_code text,
    status text,
    established_on date,
    expanded_on date,
    decision_ref text,
    approved_on date,
    planned_area_ha double precision,
    industrial_land_ha double precision,
    leased_land_ha double precision,
    is_mountainous boolean,
    is_craft_village boolean,
    investor text,
    workers integer,
    source text,
    observed_on date,
    geom geometry(MultiPolygon, 4326),
    location geometry(Point, 4326),
    original_geom geometry(Geometry, 4326),
    area_ha double precision,
    PRIMARY KEY (upload_id, ord)
);
CREATE INDEX ix_upload_features_code ON upload_features (upload_id, code);

-- What each commit did, row by row, with the previous values: a rollback replays it backwards.
CREATE TABLE upload_changes (
    id bigserial PRIMARY KEY,
    upload_id bigint NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    table_name text NOT NULL
        CHECK (table_name IN ('zones', 'planning_boundaries', 'actual_footprints')),
    row_id bigint NOT NULL,
    zone_id bigint NOT NULL,
    action text NOT NULL CHECK (action IN ('insert', 'update', 'close')),
    previous jsonb,
    previous_geom geometry(Geometry, 4326)
);
CREATE INDEX ix_upload_changes_upload ON upload_changes (upload_id);
CREATE INDEX ix_upload_changes_zone ON upload_changes (zone_id);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS upload_changes, upload_features;
ALTER TABLE uploads DROP COLUMN IF EXISTS stage, DROP COLUMN IF EXISTS progress,
    DROP COLUMN IF EXISTS area_ha, DROP COLUMN IF EXISTS options;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
