"""Live analysis storage: partition inputs, per-province results, dirty marks, status."""

from __future__ import annotations

import json
import pickle
from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from api.db.repositories.frames import read_frame
from api.db.sql import query

NO_PROVINCE = ""  # the key of the partition of zones near no province


def key(province: str | None) -> str:
    return NO_PROVINCE if province is None else province


def province_of(key_: str) -> str | None:
    return None if key_ == NO_PROVINCE else key_


def read_partition_zones(
    session: Session,
    *,
    version: str,
    province: str | None,
    reach: float,
    margin: float,
    ccn_from: Any,
) -> gpd.GeoDataFrame:
    params = {
        "version": version,
        "province": province,
        "reach": reach,
        "margin": margin,
        "ccn_from": ccn_from,
    }
    return read_frame(session, query("partition_zones"), params)


def read_partition_provinces(
    session: Session, *, version: str, province: str | None, bounds: tuple
) -> gpd.GeoDataFrame:
    box = shapely.box(*bounds).wkt if all(map(_finite, bounds)) else "POLYGON EMPTY"
    params = {"version": version, "province": province, "box": box}
    return read_frame(session, query("partition_provinces"), params)


def province_codes(session: Session, version: str) -> list[str]:
    rows = session.execute(
        text("SELECT code FROM provinces WHERE admin_version = :v ORDER BY code"), {"v": version}
    )
    return [r[0] for r in rows]


def count_zones(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM zones")).scalar_one())


def mark_dirty(session: Session, version: str, provinces: list[str]) -> None:
    """Note that ``provinces`` (keys) need a new analysis; creates their state rows."""
    session.execute(
        text(
            "INSERT INTO analysis_state (admin_version, province_code, dirty_seq) "
            "SELECT :v, p, nextval('analysis_dirty_seq') FROM unnest(CAST(:ps AS text[])) p "
            "ON CONFLICT (admin_version, province_code) DO UPDATE "
            "SET dirty_seq = EXCLUDED.dirty_seq, updated_at = now()"
        ),
        {"v": version, "ps": provinces},
    )


def dirty_provinces_of_upload(
    session: Session, upload_id: int, margin: float, ccn_from: Any
) -> list[tuple]:
    params = {"upload": upload_id, "margin": margin, "ccn_from": ccn_from}
    rows = session.execute(query("analysis_dirty_provinces"), params)
    return [(r.admin_version, r.province_code) for r in rows]


def pending(session: Session, version: str | None = None) -> list[tuple[str, str]]:
    """(version, key) of every partition whose edits the analysis has not caught up with."""
    rows = session.execute(
        text(
            "SELECT admin_version, province_code FROM analysis_state WHERE dirty_seq > done_seq "
            "AND (CAST(:v AS text) IS NULL OR admin_version = :v) ORDER BY 1, 2"
        ),
        {"v": version},
    )
    return [(r[0], r[1]) for r in rows]


def dirty_seq(session: Session, version: str, key_: str) -> tuple[int, int] | None:
    row = session.execute(
        text(
            "SELECT dirty_seq, done_seq FROM analysis_state "
            "WHERE admin_version = :v AND province_code = :p"
        ),
        {"v": version, "p": key_},
    ).first()
    return (int(row[0]), int(row[1])) if row else None


def store_result(
    session: Session,
    *,
    version: str,
    key_: str,
    seq: int,
    fingerprint: str,
    zone_count: int,
    flag_counts: dict[str, int],
    duration_s: float,
    payload: Any,
    run_id: int,
    track: bool = True,
) -> int:
    """Keep one province's result (its rows are in the part run ``run_id``, ``payload`` is
    what the cluster step reads) and, with ``track``, mark its edits up to ``seq`` analysed."""
    result_id = session.execute(
        text(
            "INSERT INTO province_results (admin_version, province_code, inputs_fingerprint, "
            "zone_count, flag_counts, dirty_seq, duration_s, payload, run_id) VALUES (:v, :p, "
            ":f, :n, CAST(:c AS jsonb), :s, :d, :b, :r) RETURNING id"
        ),
        {
            "v": version,
            "p": key_,
            "f": fingerprint,
            "n": zone_count,
            "c": json.dumps(flag_counts),
            "s": seq,
            "d": duration_s,
            "b": pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL),
            "r": run_id,
        },
    ).scalar_one()
    if not track:
        return int(result_id)
    session.execute(
        text(
            "INSERT INTO analysis_state (admin_version, province_code, dirty_seq, done_seq) "
            "VALUES (:v, :p, :s, :s) ON CONFLICT (admin_version, province_code) DO UPDATE "
            "SET done_seq = GREATEST(analysis_state.done_seq, :s), updated_at = now(), "
            "failed_seq = CASE WHEN analysis_state.failed_seq <= :s THEN NULL "
            "ELSE analysis_state.failed_seq END, "
            "error = CASE WHEN analysis_state.failed_seq <= :s THEN NULL "
            "ELSE analysis_state.error END"
        ),
        {"v": version, "p": key_, "s": seq},
    )
    return int(result_id)


def record_failure(session: Session, *, version: str, key_: str, seq: int, error: str) -> None:
    session.execute(
        text(
            "INSERT INTO analysis_state (admin_version, province_code, dirty_seq, failed_seq, "
            "error, failed_at) VALUES (:v, :p, :s, :s, :e, now()) "
            "ON CONFLICT (admin_version, province_code) DO UPDATE SET failed_seq = :s, "
            "error = :e, failed_at = now(), updated_at = now()"
        ),
        {"v": version, "p": key_, "s": seq, "e": error[:4000]},
    )


def latest_parts(session: Session, version: str) -> dict[str, dict[str, Any]]:
    """{key: result_id, run_id, fingerprint, zone_count} of the newest result of each
    partition that has its rows in a part run (older results are re-analysed first)."""
    rows = session.execute(
        text(
            "SELECT DISTINCT ON (province_code) province_code AS key, id AS result_id, run_id, "
            "inputs_fingerprint AS fingerprint, zone_count FROM province_results "
            "WHERE admin_version = :v AND run_id IS NOT NULL ORDER BY province_code, id DESC"
        ),
        {"v": version},
    ).mappings()
    return {r["key"]: dict(r) for r in rows}


def versions_with_results(session: Session) -> list[str]:
    rows = session.execute(text("SELECT DISTINCT admin_version FROM province_results ORDER BY 1"))
    return [r[0] for r in rows]


def legacy_keys(session: Session, version: str) -> list[str]:
    """Partitions whose newest result predates part runs (stored before migration 0014)."""
    rows = session.execute(
        text(
            "SELECT province_code FROM (SELECT DISTINCT ON (province_code) province_code, run_id "
            "FROM province_results WHERE admin_version = :v ORDER BY province_code, id DESC) r "
            "WHERE run_id IS NULL ORDER BY 1"
        ),
        {"v": version},
    )
    return [r[0] for r in rows]


def result_stamps(session: Session, result_ids: list[int]) -> dict[int, str]:
    """{result id: the time it was computed, ISO}: with the id, what tells a result apart from
    one of another database that reused its id."""
    rows = session.execute(
        text("SELECT id, computed_at FROM province_results WHERE id = ANY(:ids)"),
        {"ids": result_ids},
    )
    return {int(r[0]): r[1].isoformat() for r in rows}


def cluster_inputs(session: Session, result_ids: list[int]) -> dict[int, Any]:
    """{result id: its unpickled cluster inputs}, read one row at a time."""
    rows = session.execute(
        text("SELECT id, payload FROM province_results WHERE id = ANY(:ids) ORDER BY id"),
        {"ids": result_ids},
        execution_options={"yield_per": 1},
    )
    # our own pickles, written by store_result from the analysis library's dataclasses
    return {int(r[0]): pickle.loads(r[1]) for r in rows}  # noqa: S301


def flag_counts(session: Session, run_id: int, province: str | None = None) -> dict[str, int]:
    """Flags per severity of a run (through its parts), of one province when given."""
    rows = session.execute(
        text(
            "SELECT severity, count(*) FROM flags WHERE run_id IN "
            "(SELECT part_id FROM run_parts WHERE run_id = :r) "
            "AND (CAST(:p AS text) IS NULL OR province_code = :p) GROUP BY severity"
        ),
        {"r": run_id, "p": province},
    )
    return {r[0]: int(r[1]) for r in rows}


def latest_snapshot(session: Session, version: str) -> dict | None:
    row = (
        session.execute(
            text(
                "SELECT id, partitions, finished_at FROM analysis_runs WHERE admin_version = :v "
                "AND status = 'complete' AND partitions IS NOT NULL ORDER BY id DESC LIMIT 1"
            ),
            {"v": version},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def set_partitions(session: Session, run_id: int, partitions: dict[str, int]) -> None:
    session.execute(
        text("UPDATE analysis_runs SET partitions = CAST(:p AS jsonb) WHERE id = :id"),
        {"p": json.dumps(partitions), "id": run_id},
    )


def status_rows(session: Session, version: str) -> list[dict]:
    rows = session.execute(query("analysis_status"), {"version": version}).mappings()
    return [dict(r) for r in rows]


def run_as_of(session: Session, version: str, moment: str) -> dict | None:
    """The newest complete national run finished at or before ``moment`` (ISO time)."""
    row = (
        session.execute(
            text(
                "SELECT * FROM analysis_runs WHERE admin_version = :v AND status = 'complete' "
                "AND province_code IS NULL AND finished_at <= CAST(:t AS timestamptz) "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"v": version, "t": moment},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def flag_history(session: Session, version: str, key_: str) -> list[dict]:
    """Flag counts per severity of every stored result of one province, oldest first."""
    rows = session.execute(
        text(
            "SELECT computed_at, flag_counts FROM province_results "
            "WHERE admin_version = :v AND province_code = :p ORDER BY id"
        ),
        {"v": version, "p": key_},
    ).mappings()
    return [dict(r) for r in rows]


def _finite(value: float) -> bool:
    return value == value and abs(value) != float("inf")


def lock_combine(session: Session) -> None:
    """Serialise the national combine step (transaction-scoped advisory lock)."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('zonemap-combine'))"))


def partitions_waiting(session: Session, version: str) -> int:
    """How many partitions of ``version`` are dirty and neither done nor failed since."""
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM analysis_state WHERE admin_version = :v "
                "AND dirty_seq > done_seq AND (failed_seq IS NULL OR failed_seq < dirty_seq)"
            ),
            {"v": version},
        ).scalar_one()
    )


def worker_alive(session: Session, *, within_s: float) -> bool:
    """Whether a queue worker sent a heartbeat in the last ``within_s`` seconds."""
    return bool(
        session.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM procrastinate_workers "
                "WHERE last_heartbeat > now() - make_interval(secs => :s))"
            ),
            {"s": within_s},
        ).scalar_one()
    )


def lock_partition(connection: Connection, version: str, key_: str, *, wait: bool) -> bool:
    """Take the session-level lock that lets one job at a time compute a partition (held by
    ``connection`` until :func:`unlock_partitions`, or until its process dies); without
    ``wait`` give up at once (False) when another job holds it."""
    function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
    taken = connection.execute(
        text(f"SELECT {function}(hashtext('zonemap-partition'), hashtext(:v || ':' || :k))"),
        {"v": version, "k": key_},
    ).scalar()
    return wait or bool(taken)


def unlock_partitions(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_unlock_all()"))
