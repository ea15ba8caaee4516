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

from api.db.sql import query


def assign_commit_seq(session: Session, upload_id: int) -> int:
    """Number the commit of ``upload_id`` (hold the commit lock) and stamp its commit time."""
    return int(
        session.execute(
            text(
                "UPDATE uploads SET commit_seq = nextval('upload_commit_seq'), "
                "committed_at = clock_timestamp() WHERE id = :u RETURNING commit_seq"
            ),
            {"u": upload_id},
        ).scalar_one()
    )


def record_dependencies(session: Session, upload_id: int) -> list[int]:
    """Record which committed uploads ``upload_id``'s journalled changes build on; return them.

    Run in the commit, after the changes are journalled: every other committed upload is
    earlier in commit order (the commit lock is held).
    """
    earlier = session.execute(query("upload_dependencies_of"), {"u": upload_id}).scalars().all()
    params = {"u": upload_id, "earlier": list(earlier)}
    rows = session.execute(query("upload_dependencies_record"), params)
    return sorted(r[0] for r in rows)


def committed_dependents(session: Session, upload_id: int) -> list[dict]:
    """Committed uploads that must be rolled back before ``upload_id``, newest commit first."""
    rows = session.execute(query("upload_dependents"), {"u": upload_id}).mappings()
    return [dict(r) for r in rows]
