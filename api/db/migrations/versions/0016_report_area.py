"""report_records.scope becomes report_records.area: the province code (or 'national') a report
covers. "Scope" is kept for the provinces an editor may write.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-04
"""

from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE report_records RENAME COLUMN scope TO area;
        ALTER TABLE report_records RENAME CONSTRAINT report_records_scope_check
            TO report_records_area_check;
        ALTER INDEX ix_report_records_scope RENAME TO ix_report_records_area;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        ALTER INDEX ix_report_records_area RENAME TO ix_report_records_scope;
        ALTER TABLE report_records RENAME CONSTRAINT report_records_area_check
            TO report_records_scope_check;
        ALTER TABLE report_records RENAME COLUMN area TO scope;
        """
    )
