"""Quarantined upload features, the province where a staged geometry lies, and login throttling.

* ``upload_quarantine``: the features of an upload left out of its commit, with the reason, the
  file's attributes, the geometry as read (WKT in the file's CRS, NaN included) and where it can
  be drawn (EPSG:4326, NULL when nowhere), so they can be downloaded, fixed and uploaded again.
* ``upload_features.geom_province_code``: the province holding most of a staged zone's
  geometry; the permission check counts it next to the declared ``province_code``.
* ``login_throttle``: failed sign-ins per account (``account:<name>``) and per client address
  (``address:<ip>``), shared by every server process: the failure count, when the next attempt
  is allowed, and an account lockout that only an admin lifts.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-04
"""

from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE upload_features ADD COLUMN geom_province_code text;

CREATE TABLE upload_quarantine (
    upload_id bigint NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    ord integer NOT NULL,
    feature_id text,
    code text,
    reason text NOT NULL,
    detail text NOT NULL DEFAULT '',
    message text NOT NULL,
    properties jsonb NOT NULL DEFAULT '{}',
    geom geometry(Geometry, 4326),
    original_wkt text,
    PRIMARY KEY (upload_id, ord)
);

CREATE TABLE login_throttle (
    key text PRIMARY KEY,
    failures integer NOT NULL DEFAULT 0,
    last_failure_at timestamptz,
    blocked_until timestamptz,
    locked_at timestamptz
);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS login_throttle, upload_quarantine;
ALTER TABLE upload_features DROP COLUMN IF EXISTS geom_province_code;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
