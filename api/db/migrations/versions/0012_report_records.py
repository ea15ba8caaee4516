"""A record of every report written (scope, admin version, format, time, the analysis runs it
read and the zone codes it covered), so a later report can say what changed since the previous
one: zones removed since then are the recorded codes that are no longer in the register.

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-04
"""

from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE report_records (
            id bigserial PRIMARY KEY,
            scope text NOT NULL CHECK (scope = 'national' OR scope ~ '^[0-9]{2}$'),
            admin_version text NOT NULL,
            format text NOT NULL CHECK (format IN ('pdf', 'html', 'docx', 'xlsx')),
            lang text NOT NULL,
            generated_at timestamptz NOT NULL DEFAULT now(),
            since date,
            run_ids bigint[] NOT NULL DEFAULT '{}',
            zone_codes text[] NOT NULL DEFAULT '{}'
        );
        CREATE INDEX ix_report_records_scope ON report_records (scope, admin_version, generated_at);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE report_records")
