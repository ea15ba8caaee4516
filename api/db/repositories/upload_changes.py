"""Set-based commit and rollback of a staged upload, journalled in ``upload_changes``.

Every statement works on the whole staged upload at once (no per-row round trips). Each row
a commit inserts, updates or closes is journalled with its previous values, so
``rollback_changes`` restores exactly the previous state.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from geo.vocabulary import ZONE_FILE_FIELDS

#: Zone columns an upload may set (an allowlist: these names are pasted into SQL); the code
#: identifies the zone and approved_on dates its planning boundary, so neither is updated here.
ZONE_FIELDS = (*(f for f in ZONE_FILE_FIELDS if f not in ("code", "approved_on")), "location")
_NOT_NULL = ("kind", "name", "province_code", "status", "is_mountainous", "is_craft_village")
_INSERT_DEFAULTS = {"status": "'planned'", "is_mountainous": "false", "is_craft_village": "false"}
_WORK_MEM = "64MB"
_COMMIT_LOCK_KEY = 7_340_033  # one advisory lock serialises upload commits and rollbacks
_RESTORED = ", ".join(f"{c} = r.{c}" for c in ZONE_FIELDS if c != "location")


class CommitLockTimeoutError(RuntimeError):
    """Another upload held the commit lock for longer than the timeout."""


def lock_commits(session: Session, *, timeout_s: float) -> None:
    """Wait (at most ``timeout_s``) for the transaction-scoped lock serialising commits."""
    session.execute(text(f"SET LOCAL lock_timeout = '{int(timeout_s * 1000)}ms'"))
    try:
        with session.begin_nested():
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _COMMIT_LOCK_KEY})
    except OperationalError as exc:
        raise CommitLockTimeoutError(str(exc.orig)) from exc
    session.execute(text("SET LOCAL lock_timeout = 0"))


def tune_transaction(session: Session) -> None:
    """Give this transaction's hashes and sorts room (a staged upload can be 100k polygons).

    ``SET LOCAL`` ends with the transaction (or the savepoint of a preview).
    """
    session.execute(text(f"SET LOCAL work_mem = '{_WORK_MEM}'"))


def match_zones(session: Session, upload_id: int, *, assign_new_ids: bool) -> None:
    """Match the staged features to zones by code, once, into the temp table ``_upload_match``.

    ``_upload_match (ord, zone_id, is_new)``: ``zone_id`` is the existing zone's id or, when
    ``assign_new_ids``, a fresh id from the zones sequence (in file order) for a code not yet
    stored; otherwise NULL. Every later statement joins on these integer keys, so no statement
    both grows ``zones`` and searches it (an anti-join on a table that fills up while it is
    scanned is quadratic), and no ``RETURNING`` has to be joined back to the staged rows.
    """
    new_id = "nextval(pg_get_serial_sequence('zones', 'id'))" if assign_new_ids else "NULL"
    session.execute(text("DROP TABLE IF EXISTS _upload_match"))
    session.execute(
        text(
            "CREATE TEMP TABLE _upload_match ON COMMIT DROP AS "
            f"SELECT ord, old_id IS NULL AS is_new, COALESCE(old_id, {new_id}) AS zone_id "
            "FROM (SELECT s.ord, z.id AS old_id FROM upload_features s LEFT JOIN zones z "
            "ON z.code = s.code WHERE s.upload_id = :u ORDER BY s.ord) q"
        ),
        {"u": upload_id},
    )
    session.execute(text("ANALYZE _upload_match"))


def apply_zones(session: Session, upload_id: int, fields: tuple[str, ...]) -> tuple[set, set]:
    """Upsert zones by code; return (ords inserted, ords updated). Unchanged rows are skipped.

    Needs ``match_zones(..., assign_new_ids=True)`` first.
    """
    fields = tuple(f for f in ZONE_FIELDS if f in fields)
    updated = _update_zones(session, upload_id, fields) if fields else set()
    columns = [c for c in ZONE_FIELDS if c in fields or c in _INSERT_DEFAULTS]
    values = [
        f"COALESCE(s.{c}, {_INSERT_DEFAULTS[c]})" if c in _INSERT_DEFAULTS else f"s.{c}"
        for c in columns
    ]
    # current_geom: the polygon apply_boundaries inserts as the zone's first boundary, so that
    # the boundaries' trigger (migration 0015) finds it right and does not rewrite the zone row.
    session.execute(
        text(
            f"INSERT INTO zones (id, code, {', '.join(columns)}, current_geom) "
            f"SELECT m.zone_id, s.code, {', '.join(values)}, s.geom FROM _upload_match m "
            "JOIN upload_features s ON s.upload_id = :u AND s.ord = m.ord WHERE m.is_new "
            "ORDER BY m.ord"
        ),
        {"u": upload_id},
    )
    session.execute(
        text(
            "INSERT INTO upload_changes (upload_id, table_name, row_id, zone_id, action) "
            "SELECT :u, 'zones', zone_id, zone_id, 'insert' FROM _upload_match WHERE is_new "
            "ORDER BY ord"
        ),
        {"u": upload_id},
    )
    rows = session.execute(text("SELECT ord FROM _upload_match WHERE is_new"))
    return {r[0] for r in rows}, updated


def _update_zones(session: Session, upload_id: int, fields: tuple[str, ...]) -> set[int]:
    staged = [
        f"COALESCE(s.{c}, z.{c})" if c in _NOT_NULL or c == "location" else f"s.{c}" for c in fields
    ]
    old = [f"z.{c}" for c in fields]
    sets = ", ".join(f"{c} = c.v_{c}" for c in fields)
    rows = session.execute(
        text(
            f"WITH changed AS (SELECT z.id, s.ord, "
            f"{', '.join(f'{v} AS v_{c}' for v, c in zip(staged, fields, strict=True))} "
            "FROM _upload_match m JOIN zones z ON z.id = m.zone_id "
            "JOIN upload_features s ON s.upload_id = :u AND s.ord = m.ord WHERE NOT m.is_new "
            f"AND ({', '.join(old)}, true) IS DISTINCT FROM ({', '.join(staged)}, true) "
            "FOR UPDATE OF z), "
            "journal AS (INSERT INTO upload_changes (upload_id, table_name, row_id, zone_id, "
            "action, previous, previous_geom) SELECT :u, 'zones', z.id, z.id, 'update', "
            "to_jsonb(z) - 'location' - 'current_geom', z.location "
            "FROM zones z JOIN changed c ON c.id = z.id) "
            f"UPDATE zones z SET {sets}, updated_at = now() FROM changed c WHERE z.id = c.id "
            "RETURNING c.ord"
        ),
        {"u": upload_id},
    )
    return {r[0] for r in rows}


def apply_boundaries(
    session: Session, upload_id: int, *, compare_decision: bool
) -> tuple[set, set]:
    """New planning-boundary versions where the polygon (or decision) changed.

    A new version is valid from the file's decision date (``approved_on``), else from today;
    the previous current version is closed on that day (never before it began), history kept.
    Returns (ords of zones that had no boundary, ords whose boundary was replaced). Needs
    ``match_zones`` first. The next version number comes from one grouped join (not a per-row
    subquery).
    The area computed by the upload pipeline is stored (the trigger of migration 0011 computes it
    only when absent). A boundary of a zone this upload inserts is not journalled: the rollback
    deletes the zone, and its boundaries with it (ON DELETE CASCADE).
    """
    decision = "OR pb.decision_ref IS DISTINCT FROM s.decision_ref" if compare_decision else ""
    session.execute(text("DROP TABLE IF EXISTS _upload_pb"))
    session.execute(
        text(
            "CREATE TEMP TABLE _upload_pb ON COMMIT DROP AS SELECT m.ord, m.zone_id, "
            "m.is_new AS new_zone, pb.id AS prev_id, COALESCE(v.version, 0) + 1 AS version "
            "FROM _upload_match m "
            "JOIN upload_features s ON s.upload_id = :u AND s.ord = m.ord "
            "LEFT JOIN planning_boundaries pb ON pb.zone_id = m.zone_id AND pb.valid_to IS NULL "
            "LEFT JOIN (SELECT x.zone_id, max(x.version) AS version FROM planning_boundaries x "
            "WHERE x.zone_id IN (SELECT zone_id FROM _upload_match WHERE NOT is_new) "
            "GROUP BY x.zone_id) v ON v.zone_id = m.zone_id "
            "WHERE m.zone_id IS NOT NULL AND s.geom IS NOT NULL "
            f"AND (pb.id IS NULL OR NOT ST_OrderingEquals(pb.geom, s.geom) {decision})"
        ),
        {"u": upload_id},
    )
    session.execute(text("ANALYZE _upload_pb"))
    session.execute(
        text(
            "WITH closed AS (UPDATE planning_boundaries pb SET valid_to = "
            "GREATEST(COALESCE(s.approved_on, current_date), pb.valid_from) FROM _upload_pb n "
            "JOIN upload_features s ON s.upload_id = :u AND s.ord = n.ord WHERE pb.id = n.prev_id "
            "RETURNING pb.id, pb.zone_id) INSERT INTO upload_changes (upload_id, table_name, "
            "row_id, zone_id, action, previous) SELECT :u, 'planning_boundaries', id, zone_id, "
            "'close', jsonb_build_object('valid_to', NULL) FROM closed"
        ),
        {"u": upload_id},
    )
    session.execute(
        text(
            "WITH ins AS (INSERT INTO planning_boundaries (zone_id, version, decision_ref, "
            "approved_on, valid_from, geom, area_ha, upload_id) SELECT n.zone_id, n.version, "
            "s.decision_ref, s.approved_on, COALESCE(s.approved_on, current_date), s.geom, "
            "s.area_ha, :u FROM _upload_pb n "
            "JOIN upload_features s ON s.upload_id = :u AND s.ord = n.ord ORDER BY n.ord "
            "RETURNING id, zone_id) INSERT INTO upload_changes (upload_id, table_name, row_id, "
            "zone_id, action) SELECT :u, 'planning_boundaries', ins.id, ins.zone_id, 'insert' "
            "FROM ins JOIN _upload_pb n ON n.zone_id = ins.zone_id WHERE NOT n.new_zone"
        ),
        {"u": upload_id},
    )
    rows = session.execute(text("SELECT ord, prev_id IS NOT NULL FROM _upload_pb")).all()
    return {o for o, replaced in rows if not replaced}, {o for o, replaced in rows if replaced}


def apply_footprints(session: Session, upload_id: int) -> set[int]:
    """Append actual-footprint observations not already stored; return their ords."""
    rows = session.execute(
        text(
            "WITH new AS (SELECT s.ord, z.id AS zone_id, s.source, s.observed_on, s.geom, "
            "s.area_ha "
            "FROM upload_features s JOIN zones z ON z.code = s.code WHERE s.upload_id = :u "
            "AND s.geom IS NOT NULL AND NOT EXISTS (SELECT 1 FROM actual_footprints f "
            "WHERE f.zone_id = z.id AND f.source = s.source AND f.observed_on = s.observed_on "
            "AND ST_OrderingEquals(f.geom, s.geom))), "
            "ins AS (INSERT INTO actual_footprints (zone_id, source, observed_on, geom, "
            "area_ha, upload_id) SELECT zone_id, source, observed_on, geom, area_ha, :u FROM new "
            "ORDER BY ord "
            "RETURNING id, zone_id), "
            "journal AS (INSERT INTO upload_changes (upload_id, table_name, row_id, zone_id, "
            "action) SELECT :u, 'actual_footprints', id, zone_id, 'insert' FROM ins) "
            "SELECT ord FROM new"
        ),
        {"u": upload_id},
    )
    return {r[0] for r in rows}


def rollback_changes(session: Session, upload_id: int) -> dict[str, int]:
    """Undo every journalled change of ``upload_id`` (newest effects first)."""
    where = "c.upload_id = :u AND c.table_name = '{0}' AND c.action = '{1}' AND t.id = c.row_id"
    statements = {
        "footprints_deleted": "DELETE FROM actual_footprints t USING upload_changes c WHERE "
        + where.format("actual_footprints", "insert"),
        "boundaries_deleted": "DELETE FROM planning_boundaries t USING upload_changes c WHERE "
        + where.format("planning_boundaries", "insert"),
        "boundaries_reopened": "UPDATE planning_boundaries t SET valid_to = "
        "(c.previous->>'valid_to')::date FROM upload_changes c WHERE "
        + where.format("planning_boundaries", "close"),
        "zones_restored": f"UPDATE zones t SET {_RESTORED}, location = c.previous_geom, "
        "attrs = r.attrs, updated_at = r.updated_at FROM upload_changes c, "
        "jsonb_populate_record(NULL::zones, c.previous) r WHERE " + where.format("zones", "update"),
        "zones_deleted": "DELETE FROM zones t USING upload_changes c WHERE "
        + where.format("zones", "insert"),
    }
    return {
        name: session.execute(text(sql), {"u": upload_id}).rowcount
        for name, sql in statements.items()
    }
