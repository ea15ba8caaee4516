"""Commit order: a commit sequence number on every committed upload, and the dependencies
between uploads that a rollback must respect.

``uploads.commit_seq`` is drawn from ``upload_commit_seq`` under the commit lock, in the
commit's own transaction, so its order is the order in which commits became visible (the
upload id is only the order of previews). ``upload_dependencies (upload_id,
earlier_upload_id)`` says that ``upload_id``, when it committed, changed a row that the
committed ``earlier_upload_id`` had changed, or something of a zone it had inserted; a
rollback of ``earlier_upload_id`` is refused while such a later upload stays committed.
``ix_upload_changes_row`` lets a commit find the earlier changes of its rows by index probes
whatever the journal's statistics say.

Back-fill of an existing database (users upgrade, they do not start over):

1. Every upload that was ever committed (status committed or rolled_back, or a commit time)
   gets a number in the order of its commit time, ties and missing times broken by id.
2. Among the uploads that journalled changes, the numbers they hold are then handed out again
   in the order of their first journal row: journal ids are drawn under the commit lock, so
   they are the exact commit order even where a commit time (the start of a transaction that
   then waited for the lock) is not.
3. The dependencies are computed from the whole journal in that order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WRITER = "zonemap_writer"

SCHEMA = f"""
CREATE SEQUENCE upload_commit_seq AS bigint;
ALTER TABLE uploads ADD COLUMN commit_seq bigint UNIQUE;
ALTER SEQUENCE upload_commit_seq OWNED BY uploads.commit_seq;

CREATE TABLE upload_dependencies (
    upload_id bigint NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    earlier_upload_id bigint NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    PRIMARY KEY (upload_id, earlier_upload_id),
    CHECK (upload_id <> earlier_upload_id)
);
CREATE INDEX ix_upload_dependencies_earlier ON upload_dependencies (earlier_upload_id);
CREATE INDEX ix_upload_changes_row ON upload_changes (table_name, row_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON upload_dependencies TO {WRITER};
GRANT USAGE, SELECT, UPDATE ON SEQUENCE upload_commit_seq TO {WRITER};
"""

BACKFILL_ORDER = """
WITH by_time AS (
    SELECT id, row_number() OVER (ORDER BY committed_at NULLS FIRST, id) AS seq
    FROM uploads
    WHERE status IN ('committed', 'rolled_back') OR committed_at IS NOT NULL
)
UPDATE uploads u SET commit_seq = b.seq FROM by_time b WHERE b.id = u.id;

WITH journalled AS (
    SELECT c.upload_id, min(c.id) AS first_change FROM upload_changes c
    JOIN uploads u ON u.id = c.upload_id AND u.commit_seq IS NOT NULL
    GROUP BY c.upload_id
), slots AS (
    SELECT u.commit_seq, row_number() OVER (ORDER BY u.commit_seq) AS k
    FROM uploads u JOIN journalled j ON j.upload_id = u.id
), by_journal AS (
    SELECT upload_id, row_number() OVER (ORDER BY first_change) AS k FROM journalled
)
UPDATE uploads u SET commit_seq = -s.commit_seq
FROM by_journal j JOIN slots s ON s.k = j.k WHERE u.id = j.upload_id;
UPDATE uploads SET commit_seq = -commit_seq WHERE commit_seq < 0;

SELECT setval('upload_commit_seq', COALESCE((SELECT max(commit_seq) FROM uploads), 0) + 1, false);
ALTER TABLE uploads ADD CONSTRAINT ck_uploads_committed_in_order
    CHECK (status <> 'committed' OR commit_seq IS NOT NULL);
"""

BACKFILL_DEPENDENCIES = """
INSERT INTO upload_dependencies (upload_id, earlier_upload_id)
SELECT later_id, earlier_id FROM (
    SELECT later.upload_id AS later_id, earlier.upload_id AS earlier_id
    FROM upload_changes later JOIN upload_changes earlier
        ON earlier.table_name = later.table_name AND earlier.row_id = later.row_id
    UNION
    SELECT later.upload_id, earlier.upload_id
    FROM upload_changes later JOIN upload_changes earlier
        ON earlier.table_name = 'zones' AND earlier.action = 'insert'
        AND earlier.row_id = later.zone_id
    WHERE later.table_name <> 'zones'
) pairs
JOIN uploads lu ON lu.id = pairs.later_id
JOIN uploads eu ON eu.id = pairs.earlier_id AND eu.status = 'committed'
WHERE eu.commit_seq < lu.commit_seq;
ANALYZE upload_changes;
"""

DOWNGRADE = """
DROP TABLE IF EXISTS upload_dependencies;
DROP INDEX IF EXISTS ix_upload_changes_row;
ALTER TABLE uploads DROP CONSTRAINT IF EXISTS ck_uploads_committed_in_order;
ALTER TABLE uploads DROP COLUMN IF EXISTS commit_seq;
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(BACKFILL_ORDER)
    op.execute(BACKFILL_DEPENDENCIES)


def downgrade() -> None:
    op.execute(DOWNGRADE)
