"""Benchmark: zonemap's analysis run vs one hand-written PostGIS query ("the database does it all").

Loads the synthetic national demo (seed 7) at 1×, 10× and 100× (2,500 → 250,000 zones) into
scratch databases ``zonemap_bench_analysis_<scale>`` on the private cluster (reused when the
zone count already matches), then, in the same run and against the same database, times

* **zonemap**: ``api.services.analysis.run_analysis`` for the whole country (2025-34), i.e. read
  the inputs, ``geo.analysis.analyze`` (footprint metrics, density, clusters, every flag) and
  store metrics, flags, clusters and province statistics with COPY in one transaction, committed;
  the compute-only part (``analyze``) is reported separately;
* **PostGIS**: ``bench/sql/analysis_baseline.sql`` — the per-zone metrics (planned, actual,
  intersection, encroachment and unbuilt ha, IoU, Hausdorff m), the overlapping pairs and the
  5 km neighbour pairs in one query over GiST-indexed tables, streamed to the client with
  ``COPY (…) TO STDOUT``.

Each measurement runs in a fresh child process; wall time is measured in the child around the
work (no interpreter start-up), peak RSS is the child's ``ru_maxrss`` (the database server's
memory is not included for either side). Run: ``.venv/bin/python bench/analysis_vs_sql.py
[--scales 1 10 100] [--runs 1]``; the table goes to the ``## Analysis`` section of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# --code-root runs the measured code from another checkout (e.g. the previous commit's tree)
CODE_ROOT = Path(os.environ.get("ZONEMAP_BENCH_CODE_ROOT", ROOT))
sys.path.insert(0, str(CODE_ROOT))

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Analysis"
BASELINE_SQL = ROOT / "bench" / "sql" / "analysis_baseline.sql"
TODAY = dt.date(2026, 1, 1)
DISTANCE_M = 5000.0
CHILD_ENV = dict(os.environ)


def database_url(scale: float) -> str:
    from api.services.bootstrap import start_private_server
    from api.settings import Settings

    settings = Settings()
    start_private_server(settings)
    base = settings.resolved_database_url().rsplit("/", 1)[0]
    return f"{base}/zonemap_bench_analysis_{int(scale)}"


def prepare(url: str, scale: float) -> int:
    """Database with the demo at ``scale`` and the geography GiST index; returns the zone count."""
    from sqlalchemy import text

    from api.db.engine import make_engine, make_session_factory
    from api.services.bootstrap import prepare_database
    from api.services.demo import write_synthetic
    from geo.synthetic import generate_zones, load_default_provinces

    expected = (
        len(
            generate_zones(
                load_default_provinces("2025-34"), scale=scale, seed=7, today=TODAY
            ).zones
        )
        if scale <= 1
        else None
    )
    count = zone_count(url)
    if count and (expected is None or count == expected):
        engine = make_engine(url)
        add_baseline_index(engine)
        engine.dispose()
        return count
    prepare_database(url, recreate=True)
    data = generate_zones(load_default_provinces("2025-34"), scale=scale, seed=7, today=TODAY)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        write_synthetic(session, data)
    add_baseline_index(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return zone_count(url)


def add_baseline_index(engine) -> None:  # noqa: ANN001
    """The baseline's stored UTM 48N copy of the boundaries and its GiST index (idempotent)."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(
            text(
                "ALTER TABLE planning_boundaries ADD COLUMN IF NOT EXISTS geom_m "
                "geometry(MultiPolygon, 32648) GENERATED ALWAYS AS (ST_Transform(geom, 32648)) "
                "STORED"
            )
        )
        conn.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_planning_boundaries_geom_m "
                "ON planning_boundaries USING gist (geom_m)"
            )
        )
        conn.execute(text("ANALYZE planning_boundaries"))


def zone_count(url: str) -> int:
    from sqlalchemy import text

    from api.db.engine import make_engine

    try:
        with make_engine(url).connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM zones")).scalar_one())
    except Exception:  # noqa: BLE001 - no database yet
        return 0


def child_zonemap(url: str) -> dict:
    """One committed national run; returns wall, compute-only and flag counts."""
    from sqlalchemy import text

    import api.services.analysis as service
    from api.db.engine import make_engine, make_session_factory

    engine = make_engine(url)
    with engine.begin() as conn:  # keep the database steady between runs (not timed)
        conn.execute(text("DELETE FROM analysis_runs"))
    timed: dict[str, float] = {}
    analyze = service.analyze

    def timed_analyze(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        start = time.perf_counter()
        result = analyze(*args, **kwargs)
        timed["compute_s"] = time.perf_counter() - start
        return result

    service.analyze = timed_analyze
    start = time.perf_counter()
    with make_session_factory(engine).begin() as session:
        outcome = service.run_analysis(session, version="2025-34", today=TODAY)
    wall = time.perf_counter() - start
    return {"wall_s": wall, **timed, "flags": len(outcome.result.flags)}


def child_postgis(url: str) -> dict:
    """Stream the baseline query's rows to the client with COPY."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    sql = BASELINE_SQL.read_text(encoding="utf-8").replace(":distance_m", str(DISTANCE_M))
    sql = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    start = time.perf_counter()
    counts = {"zone": 0, "overlap": 0, "near": 0}
    with (
        psycopg.connect(dsn) as conn,
        conn.cursor() as cur,
        cur.copy(f"COPY ({sql}) TO STDOUT") as copy,
    ):
        for row in copy.rows():
            counts[row[0]] += 1
    wall = time.perf_counter() - start
    return {"wall_s": wall, **counts}


def run_child(kind: str, url: str) -> dict:
    """Run one measurement in a child process; adds its peak RSS in MB."""
    cmd = [sys.executable, __file__, "--child", kind, "--url", url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=CHILD_ENV)  # noqa: S603
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"{kind} child failed ({status}): {out}")
    return {**json.loads(out.strip().splitlines()[-1]), "peak_mb": usage.ru_maxrss / 1024}


def measure(scale: float, runs: int) -> dict:
    url = database_url(scale)
    zones = prepare(url, scale)
    ours, sql = [], []
    for _ in range(runs):  # alternate, so a load spike hits both sides alike
        ours.append(run_child("zonemap", url))
        sql.append(run_child("postgis", url))
        print(f"scale {scale:g}: zonemap {ours[-1]}, postgis {sql[-1]}", flush=True)
    return {
        "scale": scale,
        "zones": zones,
        "runs": runs,
        "wall_s": statistics.median(r["wall_s"] for r in ours),
        "compute_s": statistics.median(r["compute_s"] for r in ours),
        "peak_mb": max(r["peak_mb"] for r in ours),
        "flags": ours[-1]["flags"],
        "sql_s": statistics.median(r["wall_s"] for r in sql),
        "sql_peak_mb": max(r["peak_mb"] for r in sql),
        "overlaps": sql[-1]["overlap"],
        "near_pairs": sql[-1]["near"],
    }


def write_results(rows: list[dict], *, notes: str = "", load: str | None = None) -> None:
    if load is None:
        load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    runs = max(r["runs"] for r in rows)
    lines = [
        SECTION,
        "",
        f"Measured {dt.date.today().isoformat()} on this machine (`nproc` = {os.cpu_count()}, "
        f"{platform.processor() or platform.machine()}; load at the end: `{load.strip()}`) "
        "with "
        "`bench/analysis_vs_sql.py`, same run, same scratch database per scale "
        "(synthetic national demo, seed 7, 2025-34 provinces). *zonemap* = `run_analysis` "
        "for the whole country: read inputs + compute (footprint metrics, density, clusters, "
        "every flag) + store with COPY in one committed transaction; *compute* = "
        "`geo.analysis.analyze` alone. *PostGIS* = `bench/sql/analysis_baseline.sql`, one "
        "query (per-zone planned/actual/intersection/encroachment/unbuilt ha, IoU, Hausdorff "
        "m; overlapping pairs; 5 km neighbour pairs with `ST_DWithin` on a stored UTM 48N copy "
        "of the boundaries with its own GiST index) streamed with `COPY … TO STDOUT`; it "
        "computes a subset of our work (no density statistics, clusters, flags or storage). "
        f"Wall times in seconds measured inside a fresh child process (median of {runs} "
        f"run{'s' if runs > 1 else ''} per cell, zonemap and PostGIS alternating); peak RSS of "
        "that child (the server's memory is not counted for either side).",
        "",
        "| scale | zones | flags | zonemap (s) | compute (s) | PostGIS (s) | ratio | "
        "zonemap µs/zone | PostGIS µs/zone | zonemap peak RSS (MB) | PostGIS client RSS (MB) "
        "| overlap pairs | 5 km pairs |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scale']:g}× | {r['zones']:,} | {r['flags']:,} | {r['wall_s']:.2f} | "
            f"{r['compute_s']:.2f} | {r['sql_s']:.2f} | {r['wall_s'] / r['sql_s']:.2f}× | "
            f"{1e6 * r['wall_s'] / r['zones']:.0f} | {1e6 * r['sql_s'] / r['zones']:.0f} | "
            f"{r['peak_mb']:.0f} | {r['sql_peak_mb']:.0f} | {r['overlaps']:,} | "
            f"{r['near_pairs']:,} |"
        )
    section = "\n".join(lines) + "\n" + (f"\n{notes.strip()}\n" if notes else "")
    _replace_section(section)


def _replace_section(section: str) -> None:
    text_ = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    start = text_.find(f"\n{SECTION}\n")
    if start < 0:
        text_ = text_.rstrip("\n") + "\n\n" + section
    else:
        end = text_.find("\n## ", start + 1)
        tail = text_[end:] if end >= 0 else "\n"
        text_ = text_[: start + 1] + section + tail
    RESULTS.write_text(text_, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--notes", type=Path, help="markdown appended below the table")
    parser.add_argument("--code-root", type=Path, help="measure zonemap code from this tree")
    parser.add_argument("--json-out", type=Path, help="also write the measurements here")
    parser.add_argument("--child", choices=["zonemap", "postgis"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work = child_zonemap if args.child == "zonemap" else child_postgis
        print(json.dumps(work(args.url)))
        return
    if args.prepare_only:
        for scale in args.scales:
            print(f"scale {scale:g}: {prepare(database_url(scale), scale)} zones", flush=True)
        return
    if args.code_root:
        CHILD_ENV["ZONEMAP_BENCH_CODE_ROOT"] = str(args.code_root.resolve())
    rows = [measure(scale, args.runs) for scale in args.scales]
    print(json.dumps(rows, indent=1))
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if not args.no_write:
        notes = args.notes.read_text(encoding="utf-8") if args.notes else ""
        write_results(rows, notes=notes)


if __name__ == "__main__":
    main()
