"""User administration: a session epoch per user; previews that expire.

A login session cookie carries the user's epoch when it was issued; disabling a user or giving
them a new password bumps the epoch, so every session issued before stops working at once, even
if the user is enabled again later. Existing cookies carry no epoch and count as epoch 0, the
default, so an upgrade logs nobody out.

An upload previewed and not committed within a day becomes ``expired`` (its staged features
are dropped): a stale preview no longer describes what a commit would do.

Revision ID: 0013
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


STATUSES = "'previewed', 'committed', 'rolled_back', 'failed'"


def upgrade() -> None:
    op.execute("ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0")
    op.execute(
        "ALTER TABLE uploads DROP CONSTRAINT uploads_status_check, ADD CONSTRAINT "
        f"uploads_status_check CHECK (status IN ({STATUSES}, 'expired'))"
    )


def downgrade() -> None:
    op.execute("UPDATE uploads SET status = 'failed' WHERE status = 'expired'")
    op.execute(
        "ALTER TABLE uploads DROP CONSTRAINT uploads_status_check, ADD CONSTRAINT "
        f"uploads_status_check CHECK (status IN ({STATUSES}))"
    )
    op.execute("ALTER TABLE users DROP COLUMN session_epoch")
