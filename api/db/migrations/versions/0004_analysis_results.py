"""Analysis results: per-zone metrics, per-province statistics and density clusters of a run.

A run is written in one transaction and readers only see runs whose status is 'complete',
so an interrupted run is never visible.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE zone_metrics (
    run_id bigint NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    zone_code text NOT NULL,
    kind text NOT NULL,
    province_code text,
    status text NOT NULL,
    planned_ha double precision,
    actual_ha double precision,
    intersection_ha double precision,
    iou double precision CHECK (iou IS NULL OR iou BETWEEN 0 AND 1),
    encroachment_ha double precision,
    encroachment_share double precision,
    unbuilt_ha double precision,
    unbuilt_share double precision,
    hausdorff_m double precision,
    centroid_shift_m double precision,
    worst_severity text CHECK (worst_severity IN ('info', 'warning', 'critical')),
    encroachment_geom geometry(MultiPolygon, 4326),
    PRIMARY KEY (run_id, zone_code)
);
CREATE INDEX ix_zone_metrics_encroachment_geom ON zone_metrics USING gist (encroachment_geom);

CREATE TABLE province_stats (
    run_id bigint NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    province_code text NOT NULL,
    stats jsonb NOT NULL,
    PRIMARY KEY (run_id, province_code)
);

CREATE TABLE clusters (
    run_id bigint NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    cluster_id integer NOT NULL,
    province_code text,
    members text[] NOT NULL,
    total_area_ha double precision NOT NULL,
    mean_occupancy double precision,
    hull geometry(Geometry, 4326) NOT NULL,
    PRIMARY KEY (run_id, cluster_id)
);
CREATE INDEX ix_clusters_hull ON clusters USING gist (hull);

CREATE INDEX ix_analysis_runs_latest ON analysis_runs (admin_version, status, id DESC);
CREATE INDEX ix_flags_code ON flags (run_id, code, severity);
"""

DOWNGRADE = """
DROP INDEX IF EXISTS ix_flags_code;
DROP INDEX IF EXISTS ix_analysis_runs_latest;
DROP TABLE IF EXISTS clusters, province_stats, zone_metrics;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
