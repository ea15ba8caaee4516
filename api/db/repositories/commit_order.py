"""Commit order of uploads and the dependencies a rollback must respect (migration 0007).

Commit order, not upload id, is the order of history: an upload id is drawn when a file is
previewed, and two editors commit their previews in any order. ``assign_commit_seq`` draws
``uploads.commit_seq`` from ``upload_commit_seq`` while the commit lock is held, in the commit's
own transaction, so the numbers follow the order in which commits became visible.

Granularity of a conflict: **rows, plus the rows of a zone an upload inserted**. A committed
upload V *depends on* an earlier committed upload U (a row of ``upload_dependencies``) when V's
journal has

* a change of a row U changed: the same zone row (attributes), the same planning-boundary
  version (U inserted it and V closed it), the same footprint; or
* any change of a zone U inserted (V updated its attributes, added or closed one of its
  boundary versions, added a footprint to it), since undoing U deletes that zone and with it
  everything V wrote there.

Rows U did not journal do not tie V to U: V changing the attributes of a zone whose boundary U
replaced does not block U's rollback (U's rollback touches only the boundary versions), and an
upload that merely re-states a value already stored changes nothing, journals nothing and so
holds back no rollback. The dependencies are computed once, when V commits (U's journal is fixed
by then), with index probes on ``ix_upload_changes_row``: the rollback check then reads a few
rows of ``upload_dependencies`` whatever the size of the journal or the state of its statistics.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# Only rows an earlier upload can have journalled are probed: the rows this upload updated or
# closed (a row it inserted is new), and the zones its boundary and footprint rows belong to
# (did an earlier upload insert that zone?), except zones it inserted itself or whose zone row
# it changed (that row's own probe finds the insert). Each probe is a LATERAL subquery behind
# OFFSET 0, which the planner cannot flatten into a join: it stays one lookup on
# ix_upload_changes_row per probed row, so the plan does not depend on the journal's
# statistics. (With statistics taken while the journal was small, a flattened join probed
# every earlier zone insert against a bitmap of this upload's 150,000 journal rows: minutes,
# right after a 50,000-feature commit.)
_DEPENDENCIES = """
WITH mine AS MATERIALIZED (
    SELECT table_name, row_id, zone_id, action FROM upload_changes WHERE upload_id = :u
), probes AS MATERIALIZED (
    SELECT table_name, row_id, min(kind) = 1 AS zone_insert FROM (
        SELECT table_name, row_id, 0 AS kind FROM mine WHERE action <> 'insert'
        UNION ALL
        SELECT 'zones', zone_id, 1 FROM mine WHERE table_name <> 'zones'
        UNION ALL
        SELECT 'zones', row_id, 2 FROM mine WHERE table_name = 'zones' AND action = 'insert'
    ) q GROUP BY table_name, row_id HAVING max(kind) < 2
)
SELECT DISTINCT e.upload_id FROM probes p CROSS JOIN LATERAL (
    SELECT earlier.upload_id FROM upload_changes earlier
    WHERE earlier.table_name = p.table_name AND earlier.row_id = p.row_id
    AND earlier.upload_id <> :u AND (NOT p.zone_insert OR earlier.action = 'insert')
    OFFSET 0
) e
"""
_RECORD = """
INSERT INTO upload_dependencies (upload_id, earlier_upload_id)
SELECT :u, u.id FROM uploads u WHERE u.id = ANY(:earlier) AND u.status = 'committed'
RETURNING earlier_upload_id
"""

# Every committed upload that depends on :u, directly or through other committed uploads,
# newest commit first: rolled back in that order, each one's own check passes.
_DEPENDENTS = """
WITH RECURSIVE later (id) AS (
    SELECT d.upload_id FROM upload_dependencies d JOIN uploads u ON u.id = d.upload_id
    WHERE d.earlier_upload_id = :u AND u.status = 'committed'
    UNION
    SELECT d.upload_id FROM later l JOIN upload_dependencies d ON d.earlier_upload_id = l.id
    JOIN uploads u ON u.id = d.upload_id WHERE u.status = 'committed'
)
SELECT u.id, u.commit_seq, u.filename, u.uploaded_by, u.committed_at
FROM later l JOIN uploads u ON u.id = l.id ORDER BY u.commit_seq DESC
"""


def assign_commit_seq(session: Session, upload_id: int) -> int:
    """Number the commit of ``upload_id`` (hold the commit lock) and stamp its commit time."""
    return int(session.execute(
        text("UPDATE uploads SET commit_seq = nextval('upload_commit_seq'), "
             "committed_at = clock_timestamp() WHERE id = :u RETURNING commit_seq"),
        {"u": upload_id},
    ).scalar_one())  # fmt: skip


def record_dependencies(session: Session, upload_id: int) -> list[int]:
    """Record which committed uploads ``upload_id``'s journalled changes build on; return them.

    Run in the commit, after the changes are journalled: every other committed upload is
    earlier in commit order (the commit lock is held).
    """
    earlier = session.execute(text(_DEPENDENCIES), {"u": upload_id}).scalars().all()
    rows = session.execute(text(_RECORD), {"u": upload_id, "earlier": list(earlier)})
    return sorted(r[0] for r in rows)


def committed_dependents(session: Session, upload_id: int) -> list[dict]:
    """Committed uploads that must be rolled back before ``upload_id``, newest commit first."""
    rows = session.execute(text(_DEPENDENTS), {"u": upload_id}).mappings()
    return [dict(r) for r in rows]
