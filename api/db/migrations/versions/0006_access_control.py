"""Access control: users, API tokens (hashed), the audit log, and row-level security on the
tables an upload writes.

Enforcement where the data is written: ``zones``, ``planning_boundaries`` and
``actual_footprints`` get row-level security. The policies apply to the role
``zonemap_writer`` (NOLOGIN), which the HTTP write path assumes with ``SET LOCAL ROLE`` inside
its transaction, together with the transaction-local settings ``zonemap.user_role`` and
``zonemap.user_provinces``. Under that role a row can be inserted, updated or deleted only when
``zonemap_may_write(province_code)`` holds: an admin writes anywhere, an editor only in the
listed provinces, anyone else nowhere (so a forgotten setting denies, never allows). The owner
and superusers (the CLI, the demo loader) are not subject to RLS, as PostgreSQL intends; reads
stay open to every role (a SELECT policy ``USING (true)``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WRITER = "zonemap_writer"

TABLES = """
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    role text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    provinces text[] NOT NULL DEFAULT '{}'
        CHECK (array_to_string(provinces, ',') ~ '^([0-9]{2}(,[0-9]{2})*)?$'),
    password_hash text,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'editor' OR cardinality(provinces) > 0)
);

CREATE TABLE api_tokens (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz
);
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);
CREATE INDEX ix_api_tokens_prefix ON api_tokens (prefix);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    actor text NOT NULL,
    action text NOT NULL,
    target text,
    client_ip text,
    details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ix_audit_log_at ON audit_log (at DESC);
CREATE INDEX ix_audit_log_user ON audit_log (user_id, at DESC);
"""

# CREATE ROLE is cluster-wide: the role may already exist (another database of the cluster).
ROLE = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITER}') THEN
        CREATE ROLE {WRITER} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another database of the cluster created it at the same moment
END $$;
DO $$ BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT {WRITER} TO %I', current_user);
    END IF;
END $$;
GRANT USAGE ON SCHEMA public TO {WRITER};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {WRITER};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {WRITER};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {WRITER};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {WRITER};
"""

MAY_WRITE = """
CREATE OR REPLACE FUNCTION zonemap_may_write(province text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE current_setting('zonemap.user_role', true)
        WHEN 'admin' THEN true
        WHEN 'editor' THEN province = ANY (string_to_array(
            NULLIF(current_setting('zonemap.user_provinces', true), ''), ','))
        ELSE false
    END IS TRUE
$$;

CREATE OR REPLACE FUNCTION zonemap_may_write_zone(zone bigint) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT zonemap_may_write((SELECT z.province_code FROM zones z WHERE z.id = zone))
$$;
"""


def _policies(table: str, check: str) -> str:
    return f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY {table}_read ON {table} FOR SELECT USING (true);
CREATE POLICY {table}_insert ON {table} FOR INSERT TO {WRITER} WITH CHECK ({check});
CREATE POLICY {table}_update ON {table} FOR UPDATE TO {WRITER}
    USING ({check}) WITH CHECK ({check});
CREATE POLICY {table}_delete ON {table} FOR DELETE TO {WRITER} USING ({check});
"""


RLS = (
    _policies("zones", "zonemap_may_write(province_code)")
    + _policies("planning_boundaries", "zonemap_may_write_zone(zone_id)")
    + _policies("actual_footprints", "zonemap_may_write_zone(zone_id)")
)


def _drop_policies(table: str) -> str:
    drops = "".join(
        f"DROP POLICY IF EXISTS {table}_{p} ON {table};\n"
        for p in ("read", "insert", "update", "delete")
    )
    return drops + f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;\n"


DOWNGRADE = (
    "".join(_drop_policies(t) for t in ("zones", "planning_boundaries", "actual_footprints"))
    + f"""
DROP FUNCTION IF EXISTS zonemap_may_write_zone(bigint);
DROP FUNCTION IF EXISTS zonemap_may_write(text);
DROP TABLE IF EXISTS audit_log, api_tokens, users;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {WRITER};
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {WRITER};
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {WRITER};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {WRITER};
REVOKE USAGE ON SCHEMA public FROM {WRITER};
"""
)


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(ROLE)
    op.execute(MAY_WRITE)
    op.execute(RLS)


def downgrade() -> None:
    # The role itself is left in place: it is cluster-wide and other databases may use it.
    op.execute(DOWNGRADE)
