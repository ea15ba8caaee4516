"""Read path at national scale: every zone's current geometry in an indexed column, a data
version that changes with every write to the mapped tables, and shared rate-limit buckets.

``zones.current_geom`` is the zone's current planning boundary, or its point when it has none
(what maps, tiles and OGC collections draw). It has its own GiST index, so a bbox filter on the
zones never scans the table. Triggers keep it right in the same transaction as every write,
whatever the write path (an upload commit or rollback, the demo loader, the CLI, plain SQL):
  * a BEFORE trigger on ``zones`` sets it when a zone is inserted or its ``location`` changes;
  * statement-level AFTER triggers on ``planning_boundaries`` (with transition tables, so a bulk
    COPY costs one UPDATE, not one per row) recompute it for the zones whose boundaries changed.

``zonemap_data_version`` holds one counter, bumped by a statement trigger on every table a
cached read depends on: the in-process tile, count and extent caches key their entries on it,
so they stay right with several workers and across machines (a replica replays the counter).
The counter row serialises writing transactions of those tables, which upload commits already
are (``lock_commits``).

``rate_limit_buckets`` (UNLOGGED: losing it in a crash only refills the buckets) holds the API
rate limiter's token buckets, shared by every worker and app server.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-04
"""

from alembic import op

revision = "0008"
down_revision = "0010"
branch_labels = None
depends_on = None

VERSIONED_TABLES = (
    "zones",
    "planning_boundaries",
    "actual_footprints",
    "provinces",
    "analysis_runs",
    "flags",
    "zone_metrics",
    "clusters",
)

CURRENT_GEOM = """
ALTER TABLE zones ADD COLUMN current_geom geometry(Geometry, 4326);

UPDATE zones z SET current_geom = COALESCE(
    (SELECT pb.geom FROM planning_boundaries pb WHERE pb.zone_id = z.id AND pb.valid_to IS NULL),
    z.location);

CREATE INDEX ix_zones_current_geom ON zones USING gist (current_geom);
CREATE INDEX ix_planning_boundaries_current_geom ON planning_boundaries USING gist (geom)
    WHERE valid_to IS NULL;
-- Search matches a code prefix next to the folded name (trigram index of 0005).
CREATE INDEX ix_zones_code_lower ON zones (lower(code) text_pattern_ops);

CREATE FUNCTION zonemap_zone_current_geom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.current_geom := COALESCE(
        (SELECT pb.geom FROM planning_boundaries pb
         WHERE pb.zone_id = NEW.id AND pb.valid_to IS NULL),
        NEW.location);
    RETURN NEW;
END $$;

CREATE TRIGGER zones_current_geom BEFORE INSERT OR UPDATE OF location ON zones
    FOR EACH ROW EXECUTE FUNCTION zonemap_zone_current_geom();

-- Recompute current_geom of the zones named in the transition table(s) of this statement.
CREATE FUNCTION zonemap_boundaries_current_geom() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER planning_boundaries_current_geom_ins AFTER INSERT ON planning_boundaries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION zonemap_boundaries_current_geom();
CREATE TRIGGER planning_boundaries_current_geom_upd AFTER UPDATE ON planning_boundaries
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION zonemap_boundaries_current_geom();
CREATE TRIGGER planning_boundaries_current_geom_del AFTER DELETE ON planning_boundaries
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION zonemap_boundaries_current_geom();
"""

DATA_VERSION = """
CREATE TABLE zonemap_data_version (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL
);
INSERT INTO zonemap_data_version (version) VALUES (1);

CREATE FUNCTION zonemap_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE zonemap_data_version SET version = version + 1;
    RETURN NULL;
END $$;
"""

RATE_LIMIT = """
CREATE UNLOGGED TABLE rate_limit_buckets (
    key text PRIMARY KEY,
    tokens double precision NOT NULL,
    updated_at timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON zonemap_data_version, rate_limit_buckets
    TO zonemap_writer;

-- Spend one request from ``bucket``'s token bucket at time ``at``: it holds up to
-- ``per_minute`` tokens and refills at ``per_minute / 60`` a second. Returns 0 when allowed,
-- else the seconds until one token is back (nothing is spent then). The row lock makes
-- concurrent requests of one key take their turn, in any worker on any app server.
CREATE FUNCTION zonemap_take_token(bucket text, per_minute double precision, at timestamptz)
    RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    rate_per_s double precision := per_minute / 60.0;
    level double precision;
BEGIN
    INSERT INTO rate_limit_buckets (key, tokens, updated_at) VALUES (bucket, per_minute, at)
        ON CONFLICT (key) DO NOTHING;
    SELECT least(per_minute, b.tokens
                 + greatest(0, extract(epoch FROM at - b.updated_at)) * rate_per_s)
        INTO level FROM rate_limit_buckets b WHERE b.key = bucket FOR UPDATE;
    IF level < 1 THEN
        UPDATE rate_limit_buckets SET tokens = level, updated_at = greatest(updated_at, at)
            WHERE key = bucket;
        RETURN (1 - level) / rate_per_s;
    END IF;
    UPDATE rate_limit_buckets SET tokens = level - 1, updated_at = greatest(updated_at, at)
        WHERE key = bucket;
    RETURN 0;
END $$;

-- Buckets untouched for a minute are full again: forgetting them changes nothing.
CREATE FUNCTION zonemap_forget_full_buckets() RETURNS bigint LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM rate_limit_buckets
                  WHERE updated_at < clock_timestamp() - interval '1 minute' RETURNING 1)
    SELECT count(*) FROM gone
$$;
"""


def _bump_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION zonemap_bump_data_version();\n"
    )


DOWNGRADE = (
    "".join(f"DROP TRIGGER IF EXISTS {t}_data_version ON {t};\n" for t in VERSIONED_TABLES)
    + """
DROP FUNCTION IF EXISTS zonemap_forget_full_buckets();
DROP FUNCTION IF EXISTS zonemap_take_token(text, double precision, timestamptz);
DROP TABLE IF EXISTS rate_limit_buckets, zonemap_data_version;
DROP FUNCTION IF EXISTS zonemap_bump_data_version();
DROP TRIGGER IF EXISTS planning_boundaries_current_geom_ins ON planning_boundaries;
DROP TRIGGER IF EXISTS planning_boundaries_current_geom_upd ON planning_boundaries;
DROP TRIGGER IF EXISTS planning_boundaries_current_geom_del ON planning_boundaries;
DROP TRIGGER IF EXISTS zones_current_geom ON zones;
DROP FUNCTION IF EXISTS zonemap_boundaries_current_geom();
DROP FUNCTION IF EXISTS zonemap_zone_current_geom();
DROP INDEX IF EXISTS ix_planning_boundaries_current_geom;
DROP INDEX IF EXISTS ix_zones_code_lower;
ALTER TABLE zones DROP COLUMN IF EXISTS current_geom;
"""
)


def upgrade() -> None:
    op.execute(CURRENT_GEOM)
    op.execute(DATA_VERSION)
    op.execute("".join(_bump_trigger(t) for t in VERSIONED_TABLES))
    op.execute(RATE_LIMIT)


def downgrade() -> None:
    op.execute(DOWNGRADE)
