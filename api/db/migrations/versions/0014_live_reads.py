"""Live reads: a national run made of the newest run of each province, without copying them.

A province job stores its own run (status ``part``: metrics and flags of that province alone,
never read on its own) and the national combine stores the dense clusters as one more part.
``run_parts`` lists the runs whose rows make up a run: every run is made of itself, and a
national snapshot also of the newest part of every province and of the clusters. Readers
select rows with ``run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run)``, so a
snapshot costs a few rows whatever the number of zones (a trigger adds each run's own row).
``province_results.run_id`` is the part run holding that province result's rows. The results
stored before this revision hold their rows only in the national run they were combined into:
every partition is marked dirty, so the next worker re-analyses them in the new form (until
then readers keep reading that national run).

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-04
"""

from alembic import op

revision = "0014"
down_revision = "0015"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE analysis_runs DROP CONSTRAINT IF EXISTS analysis_runs_status_check;
ALTER TABLE analysis_runs ADD CONSTRAINT analysis_runs_status_check
    CHECK (status IN ('running', 'complete', 'failed', 'part'));

CREATE TABLE run_parts (
    run_id bigint NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    part_id bigint NOT NULL REFERENCES analysis_runs (id) ON DELETE CASCADE,
    PRIMARY KEY (run_id, part_id)
);
CREATE INDEX ix_run_parts_part ON run_parts (part_id);
INSERT INTO run_parts (run_id, part_id) SELECT id, id FROM analysis_runs;
CREATE FUNCTION zonemap_run_is_its_own_part() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO run_parts (run_id, part_id) VALUES (NEW.id, NEW.id);
    RETURN NEW;
END $$;
CREATE TRIGGER run_is_its_own_part AFTER INSERT ON analysis_runs
    FOR EACH ROW EXECUTE FUNCTION zonemap_run_is_its_own_part();

ALTER TABLE province_results
    ADD COLUMN run_id bigint REFERENCES analysis_runs (id) ON DELETE SET NULL;
UPDATE analysis_state SET dirty_seq = nextval('analysis_dirty_seq'), updated_at = now();
"""

DOWNGRADE = """
ALTER TABLE province_results DROP COLUMN IF EXISTS run_id;
DROP TRIGGER IF EXISTS run_is_its_own_part ON analysis_runs;
DROP FUNCTION IF EXISTS zonemap_run_is_its_own_part();
DROP TABLE IF EXISTS run_parts;
DELETE FROM analysis_runs WHERE status = 'part';
ALTER TABLE analysis_runs DROP CONSTRAINT IF EXISTS analysis_runs_status_check;
ALTER TABLE analysis_runs ADD CONSTRAINT analysis_runs_status_check
    CHECK (status IN ('running', 'complete', 'failed'));
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
