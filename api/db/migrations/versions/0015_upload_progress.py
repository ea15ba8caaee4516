"""Progress of long uploads; zones written once by an upload of new zones with boundaries.

Progress: an upload (preview or commit) runs in one transaction, so the rows
it writes are invisible to other sessions until it ends. Its progress is written instead,
through a short autocommit connection, into ``upload_progress`` under a random token the
upload page chose; the page polls it. The table is UNLOGGED: progress is worth nothing after
a crash. Rows older than a day are removed by the writer.

``zones.current_geom`` (migration 0008) is kept by triggers: a zone's BEFORE INSERT trigger
looked up its current boundary, and every statement inserting boundaries then rewrote each of
their zones' rows (all eight zone indexes, trigram GIN included) with the boundary's polygon.
An upload of 100,000 new zones thus wrote every zone row twice (4.3 of its 6.6 s of boundary
insert). Now an INSERT that gives ``current_geom`` (the upload gives the polygon it is about to
insert as the zone's first boundary) keeps it, and the boundaries' trigger updates only the
zones whose ``current_geom`` differs from what it must be, so a wrong value is still corrected.

Revision ID: 0015
Revises: 0017
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0017"
branch_labels = None
depends_on = None


ZONE_TRIGGER = """
CREATE OR REPLACE FUNCTION zonemap_zone_current_geom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.current_geom IS NOT NULL THEN
        RETURN NEW;  -- given by the writer; the boundaries' trigger corrects it if it differs
    END IF;
    NEW.current_geom := COALESCE(
        (SELECT pb.geom FROM planning_boundaries pb
         WHERE pb.zone_id = NEW.id AND pb.valid_to IS NULL),
        NEW.location);
    RETURN NEW;
END $$;
"""

BOUNDARY_TRIGGER = """
CREATE OR REPLACE FUNCTION zonemap_boundaries_current_geom() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE zones z SET current_geom = COALESCE(pb.geom, z.location)
        FROM (SELECT DISTINCT zone_id FROM new_rows) c
        LEFT JOIN planning_boundaries pb ON pb.zone_id = c.zone_id AND pb.valid_to IS NULL
        WHERE z.id = c.zone_id
          AND z.current_geom IS DISTINCT FROM COALESCE(pb.geom, z.location);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE zones z SET current_geom = COALESCE(pb.geom, z.location)
        FROM (SELECT DISTINCT zone_id FROM old_rows) c
        LEFT JOIN planning_boundaries pb ON pb.zone_id = c.zone_id AND pb.valid_to IS NULL
        WHERE z.id = c.zone_id
          AND z.current_geom IS DISTINCT FROM COALESCE(pb.geom, z.location);
    END IF;
    RETURN NULL;
END $$;
"""

OLD_TRIGGERS = """
CREATE OR REPLACE FUNCTION zonemap_zone_current_geom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.current_geom := COALESCE(
        (SELECT pb.geom FROM planning_boundaries pb
         WHERE pb.zone_id = NEW.id AND pb.valid_to IS NULL),
        NEW.location);
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION zonemap_boundaries_current_geom() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE zones z SET current_geom = COALESCE(pb.geom, z.location)
        FROM (SELECT DISTINCT zone_id FROM new_rows) c
        LEFT JOIN planning_boundaries pb ON pb.zone_id = c.zone_id AND pb.valid_to IS NULL
        WHERE z.id = c.zone_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE zones z SET current_geom = COALESCE(pb.geom, z.location)
        FROM (SELECT DISTINCT zone_id FROM old_rows) c
        LEFT JOIN planning_boundaries pb ON pb.zone_id = c.zone_id AND pb.valid_to IS NULL
        WHERE z.id = c.zone_id;
    END IF;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.execute(ZONE_TRIGGER)
    op.execute(BOUNDARY_TRIGGER)
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
    op.execute(OLD_TRIGGERS)
