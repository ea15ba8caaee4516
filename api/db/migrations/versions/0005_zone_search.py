"""Diacritic-insensitive zone search: ``zonemap_fold(text)`` and a trigram index on zone names.

``zonemap_fold`` lower-cases and strips Vietnamese diacritics with the ``unaccent`` contrib
extension (its rules map đ/Đ to d), so "Tien Son" finds "Tiên Sơn". It is declared IMMUTABLE
(unaccent itself is only STABLE because its dictionary could change) so it can be indexed; the
Python twin is ``geo.text.fold_diacritics``, used to fold the query.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE OR REPLACE FUNCTION zonemap_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;

CREATE INDEX ix_zones_name_fold ON zones USING gin (zonemap_fold(name) public.gin_trgm_ops);
"""

DOWNGRADE = """
DROP INDEX IF EXISTS ix_zones_name_fold;
DROP FUNCTION IF EXISTS zonemap_fold(text);
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
