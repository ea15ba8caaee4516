"""Live analysis: per-province results with history, dirty provinces, the job queue.

``province_results`` keeps every result of one province (partition) with its time, inputs
fingerprint and flag counts; ``payload`` is the pickled partition result the national combine
reads back. ``analysis_state`` counts, per province, how often it was marked dirty and how far
the analysis has caught up; a failed attempt keeps its error. The procrastinate job queue's
own schema (tables, functions, triggers of the pinned version) is created here too, so every
database made by ``zonemap db up`` has it.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-04
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE province_results (
    id bigserial PRIMARY KEY,
    admin_version text NOT NULL,
    province_code text NOT NULL,  -- '' holds the zones located in no province
    computed_at timestamptz NOT NULL DEFAULT now(),
    inputs_fingerprint text NOT NULL,
    zone_count integer NOT NULL,
    flag_counts jsonb NOT NULL,
    dirty_seq bigint NOT NULL,
    duration_s double precision,
    payload bytea NOT NULL
);
CREATE INDEX ix_province_results_latest
    ON province_results (admin_version, province_code, id DESC);

CREATE SEQUENCE analysis_dirty_seq;
CREATE TABLE analysis_state (
    admin_version text NOT NULL,
    province_code text NOT NULL,
    dirty_seq bigint NOT NULL DEFAULT 0,
    done_seq bigint NOT NULL DEFAULT 0,
    failed_seq bigint,
    error text,
    failed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (admin_version, province_code)
);

ALTER TABLE analysis_runs ADD COLUMN partitions jsonb;

-- the representative points of current boundaries, to find the zones inside no province
CREATE INDEX ix_planning_boundaries_point ON planning_boundaries
    USING gist (ST_PointOnSurface(geom)) WHERE valid_to IS NULL;
"""

DOWNGRADE = """
DROP INDEX IF EXISTS ix_planning_boundaries_point;
ALTER TABLE analysis_runs DROP COLUMN IF EXISTS partitions;
DROP TABLE IF EXISTS analysis_state, province_results;
DROP SEQUENCE IF EXISTS analysis_dirty_seq;
DROP TABLE IF EXISTS procrastinate_periodic_defers, procrastinate_events, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT oid::regprocedure AS sig FROM pg_proc WHERE proname LIKE 'procrastinate%' LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || f.sig || ' CASCADE';
    END LOOP;
END $$;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
    procrastinate_job_status CASCADE;
"""


def upgrade() -> None:
    from procrastinate.schema import SchemaManager

    op.execute(UPGRADE)
    # the SQL of the installed (pinned) procrastinate, sent as is: without parameters, the
    # driver leaves its '%' alone
    with op.get_bind().connection.dbapi_connection.cursor() as cursor:
        cursor.execute(SchemaManager.get_schema())


def downgrade() -> None:
    op.execute(DOWNGRADE)
