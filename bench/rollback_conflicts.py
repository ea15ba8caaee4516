"""Benchmark: rollback conflict checks and rollbacks after uploads of 50,000 features (issue 11).

In a scratch database on the private cluster (``zonemap_bench_commit_order``), with the
journal's statistics deliberately stale (the tables are analysed while empty and autovacuum is
off for them, the state "right after a big commit" in which the old conflict query once hung):

* A: 50,000 new zones with polygons (50,000 zones + 50,000 boundary versions journalled);
* B: the same 50,000 zones renamed with new polygons (50,000 updates, closes and inserts);
* C: 10 of those zones renamed again.

Then, each timed on the service call a request makes (``services.uploads.rollback`` in its own
transaction, lock included): the refused rollbacks of A (blocked by C and B) and of B (blocked
by C), rolled back afterwards so they repeat; the same checks' SQL run directly (the floor);
the previous implementation's conflict query (id order, per zone; the peer this replaces);
and the real rollbacks C, B, A, newest first. Staging goes straight to ``upload_features``
(reading files is import's benchmark). Run: ``.venv/bin/python bench/rollback_conflicts.py
[--features 50000] [--repeats 5]``; it prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.db.engine import make_engine  # noqa: E402
from api.db.repositories import commit_order as order  # noqa: E402
from api.db.repositories import uploads as repo  # noqa: E402
from api.services import uploads as svc  # noqa: E402
from api.services.bootstrap import prepare_database, start_private_server  # noqa: E402
from api.settings import Settings  # noqa: E402

DATABASE = "zonemap_bench_commit_order"
JOURNAL_TABLES = ("uploads", "upload_changes", "upload_dependencies")
OLD_QUERY = (  # the conflict check this issue replaced (upload ids, per zone)
    "SELECT DISTINCT c2.upload_id FROM upload_changes c1 JOIN upload_changes c2 "
    "ON c2.zone_id = c1.zone_id AND c2.upload_id > c1.upload_id JOIN uploads u "
    "ON u.id = c2.upload_id AND u.status = 'committed' WHERE c1.upload_id = :u ORDER BY 1"
)


def zones_frame(n: int, *, label: str, shift_deg: float = 0.0) -> gpd.GeoDataFrame:
    """``n`` small square zones on a grid around Hà Nội (EPSG:4326)."""
    i = np.arange(n)
    west = 105.3 + (i % 250) * 0.004 + shift_deg
    south = 20.4 + (i // 250) * 0.004
    return gpd.GeoDataFrame(
        {
            "code": [f"B{k:06d}" for k in i],
            "kind": "KCN",
            "province_code": "01",
            "name": [f"Khu công nghiệp {label} {k}" for k in i],
            "status": "operating",
            "area_ha": 9.0,
        },
        geometry=shapely.box(west, south, west + 0.003, south + 0.003),
        crs=4326,
    )


def stage(engine: Engine, frame: gpd.GeoDataFrame, label: str) -> int:
    with Session(engine) as session, session.begin():
        upload_id = repo.create_upload(
            session,
            kind="zones",
            filename=f"{label}.gpkg",
            sha256="0" * 64,
            size_bytes=0,
            uploaded_by="bench",
            source_crs="EPSG:4326",
            encoding="utf-8",
            counts={"features": len(frame), "repaired": 0},
            warnings=[],
            errors=[],
            area_ha=9.0 * len(frame),
            options={"fields": ["kind", "name", "province_code", "status"]},
        )
        repo.stage_features(session, upload_id, frame, gpd.GeoSeries([], crs=4326))
    return upload_id


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def commit(engine: Engine, upload_id: int) -> tuple[float, float]:
    """Commit; return (whole commit, dependency recording) in seconds."""
    spent: list[float] = []
    record = order.record_dependencies

    def recording(session: Session, uid: int) -> list[int]:
        start = time.perf_counter()
        try:
            return record(session, uid)
        finally:
            spent.append(time.perf_counter() - start)

    order.record_dependencies = recording  # type: ignore[assignment]
    try:
        with Session(engine) as session, session.begin():
            total = timed(lambda: svc.commit(session, upload_id))
    finally:
        order.record_dependencies = record  # type: ignore[assignment]
    return total, spent[0]


def refused_rollback(engine: Engine, upload_id: int) -> tuple[float, list[int]]:
    with Session(engine) as session, session.begin():
        start = time.perf_counter()
        try:
            svc.rollback(session, upload_id)
        except svc.RollbackBlockedError as exc:
            elapsed = time.perf_counter() - start
            session.rollback()
            return elapsed, [d["upload_id"] for d in exc.details]
    raise AssertionError(f"rollback of {upload_id} was not refused")


def sql_time(engine: Engine, sql: str, upload_id: int, *, timeout_s: int = 120) -> float | None:
    """Server execution time (EXPLAIN ANALYZE) in seconds, None when past ``timeout_s``."""
    with engine.connect() as conn:
        conn.execute(text(f"SET statement_timeout = '{timeout_s}s'"))
        try:
            plan = conn.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"), {"u": upload_id})
        except Exception:  # noqa: BLE001 - a cancelled statement is the measurement
            return None
        return plan.scalar_one()[0]["Execution Time"] / 1000


def rollback(engine: Engine, upload_id: int) -> tuple[float, str]:
    """Roll back for real; return the time and the three slowest statements (ms)."""
    spent: list[tuple[float, str]] = []

    def before(conn, cursor, statement, params, context, many):  # noqa: ANN001, PLR0913
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, params, context, many):  # noqa: ANN001, PLR0913
        spent.append((time.perf_counter() - conn.info["started"], " ".join(statement.split()[:3])))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        with Session(engine) as session, session.begin():
            elapsed = timed(lambda: svc.rollback(session, upload_id))
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    top = sorted(spent, reverse=True)[:3]
    return elapsed, "; ".join(f"{what} {s * 1000:,.0f}" for s, what in top)


def median(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.2f} ms"


def setup(features: int) -> Engine:
    settings = Settings()
    start_private_server(settings)
    url = make_url(settings.resolved_database_url()).set(database=DATABASE)
    prepare_database(url.render_as_string(hide_password=False), recreate=True, load_admin=False)
    engine = make_engine(url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        for table in JOURNAL_TABLES:
            conn.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = off)"))
            conn.execute(text(f"ANALYZE {table}"))
    print(f"# {features:,} features, load average {os.getloadavg()}", flush=True)
    return engine


def run(features: int, repeats: int) -> list[tuple[str, str]]:
    engine = setup(features)
    rows: list[tuple[str, str]] = []
    ids = {}
    for label, frame in (
        ("A", zones_frame(features, label="A")),
        ("B", zones_frame(features, label="B", shift_deg=0.0005)),
        ("C", zones_frame(10, label="C")),
    ):
        ids[label] = stage(engine, frame, label)
        total, deps = commit(engine, ids[label])
        rows.append(
            (
                f"commit {label} ({len(frame):,} features), whole / recording dependencies",
                f"{total:,.2f} s / {deps * 1000:,.0f} ms",
            )
        )
    for label, expected in (("A", ["C", "B"]), ("B", ["C"])):
        times, named = [], []
        for _ in range(repeats):
            elapsed, named = refused_rollback(engine, ids[label])
            times.append(elapsed)
        assert named == [ids[e] for e in expected], named
        rows.append(
            (
                f"refused rollback of {label} (409 naming {', '.join(expected)}), stale statistics",
                median(times),
            )
        )
        floor = [sql_time(engine, order._DEPENDENTS, ids[label]) or 0.0 for _ in range(repeats)]
        rows.append((f"floor: the dependents query for {label} run directly", median(floor)))
    old = sql_time(engine, OLD_QUERY, ids["A"])
    rows.append(
        (
            "peer: the replaced conflict query for A, stale statistics",
            "> 120 s (cancelled)" if old is None else f"{old:,.2f} s",
        )
    )
    with engine.begin() as conn:
        for table in JOURNAL_TABLES:
            conn.execute(text(f"ANALYZE {table}"))
    refreshed = [refused_rollback(engine, ids["A"])[0] for _ in range(repeats)]
    rows.append(("refused rollback of A after ANALYZE", median(refreshed)))
    old = sql_time(engine, OLD_QUERY, ids["A"])
    rows.append(
        (
            "peer: the replaced conflict query for A after ANALYZE",
            "> 120 s (cancelled)" if old is None else f"{old:,.2f} s",
        )
    )
    for label in ("C", "B", "A"):
        n = 10 if label == "C" else features
        elapsed, slowest = rollback(engine, ids[label])
        rows.append(
            (
                f"rollback of {label} ({n:,} features), committed (slowest statements, ms: "
                f"{slowest})",
                f"{elapsed * 1000:,.0f} ms",
            )
        )
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = run(args.features, args.repeats)
    print(f"load average after: {os.getloadavg()}\n")
    print("| step | time |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
