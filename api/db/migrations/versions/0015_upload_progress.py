"""Progress of long uploads, readable while the upload's own transaction is still open.

An upload (preview or commit) runs in one transaction, so the rows it writes are invisible to
other sessions until it ends. Its progress is written instead, through a short autocommit
connection, into ``upload_progress`` under a random token the upload page chose; the page
polls it. The table is UNLOGGED: progress is worth nothing after a crash. Rows older than a
day are removed by the writer.

Revision ID: 0015
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE UNLOGGED TABLE upload_progress ("
        " token text PRIMARY KEY CHECK (token ~ '^[A-Za-z0-9-]{16,64}$'),"
        " stage text NOT NULL,"
        " fraction real NOT NULL CHECK (fraction BETWEEN 0 AND 1),"
        " processed bigint, total bigint,"
        " updated_at timestamptz NOT NULL DEFAULT now())"
    )


def downgrade() -> None:
    op.execute("DROP TABLE upload_progress")
