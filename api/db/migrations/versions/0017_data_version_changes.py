"""The data version without a lock writers wait on.

The data version keys the read caches (``api/db/repositories/read_cache.py``). It is
``zonemap_data_version.version`` plus the number of rows of ``zonemap_data_changes``:
  * the statement trigger on every versioned table inserts one row per writing transaction
    (keyed on the transaction id, so a transaction's later statements change nothing); rows of
    different transactions never conflict, so writers do not wait on one another;
  * a writer folds the rows of transactions already committed into the counter
    (``DELETE`` them and add their number to ``version``) when it can take the counter row
    without waiting (``SKIP LOCKED``), so the table stays small. The fold keeps the sum, and
    its rows and the counter change in one commit, so every snapshot sees the same sum before
    and after it.
A snapshot sees the sum grow by one for each committed writing transaction it sees; snapshots
see committed transactions in the order they committed, so two snapshots with the same sum see
the same writes. Only read-committed transactions fold: under repeatable read the row lock could
fail with a serialisation error after another writer's fold.

Revision ID: 0017
Revises: 0011
Create Date: 2026-12-04
"""

from alembic import op

revision = "0017"
down_revision = "0011"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE zonemap_data_changes (txid xid8 PRIMARY KEY);
GRANT SELECT, INSERT, UPDATE, DELETE ON zonemap_data_changes TO zonemap_writer;

CREATE OR REPLACE FUNCTION zonemap_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    INSERT INTO zonemap_data_changes (txid) VALUES (pg_current_xact_id())
        ON CONFLICT (txid) DO NOTHING;
    IF NOT FOUND OR current_setting('transaction_isolation') <> 'read committed' THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM zonemap_data_version FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        WITH gone AS (
            DELETE FROM zonemap_data_changes WHERE txid <> pg_current_xact_id() RETURNING 1
        )
        SELECT count(*) INTO folded FROM gone;
        IF folded > 0 THEN
            UPDATE zonemap_data_version SET version = version + folded;
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""

DOWNGRADE = """
CREATE OR REPLACE FUNCTION zonemap_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE zonemap_data_version SET version = version + 1;
    RETURN NULL;
END $$;
UPDATE zonemap_data_version SET version = version + (SELECT count(*) FROM zonemap_data_changes);
DROP TABLE zonemap_data_changes;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
