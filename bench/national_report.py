"""Benchmark of the national report (issue 16): every format (pdf, docx, xlsx, html) from a
fresh ``zonemap`` CLI process, at several demo scales, with the peak RSS of that process.

Each scale gets its own scratch database ``zonemap_bench_reports_<scale>`` on the private
cluster (synthetic demo, seed 7, reused when it already holds the demo) with one national
analysis run made before any measurement, so the figures time the report, not the analysis.
The goal is < 10 s per format at 1× and < 60 s at 100×.

The floor is the same reads done directly: the SQL the report runs (zone totals per province
and kind, the latest run's flags, the province outlines) timed in psql-like fashion inside one
connection, so the table shows how much of the wall time is the database and how much is
drawing and writing the document.

    .venv/bin/python bench/national_report.py [--scales 1 10 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ZONEMAP = Path(sys.executable).with_name("zonemap")
FORMATS = ("pdf", "docx", "xlsx", "html")
TODAY = dt.date(2026, 1, 1)
_WRAPPER = (
    "import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
    "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
    "file=sys.stderr); sys.exit(rc)"
)


def database_url(scale: float) -> str:
    from api.services.bootstrap import start_private_server
    from api.settings import Settings

    settings = Settings()
    start_private_server(settings)
    base = settings.resolved_database_url().rsplit("/", 1)[0]
    return f"{base}/zonemap_bench_reports_{int(scale)}"  # whole scales: 1, 10, 100


def prepare(url: str, scale: float) -> int:
    """The demo at ``scale`` and one national analysis run; returns the zone count."""
    from sqlalchemy import text

    from api.db.engine import make_engine, make_session_factory
    from api.services.bootstrap import prepare_database
    from api.services.demo import write_synthetic
    from geo.synthetic import generate_zones, load_default_provinces

    engine = make_engine(url) if _exists(url) else None
    if engine is not None:
        with engine.connect() as conn:
            zones = conn.execute(text("SELECT count(*) FROM zones")).scalar_one()
            runs = conn.execute(text("SELECT count(*) FROM analysis_runs")).scalar_one()
        engine.dispose()
        if zones and runs:
            return zones
    prepare_database(url, recreate=True)
    data = generate_zones(load_default_provinces("2025-34"), scale=scale, seed=7, today=TODAY)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        write_synthetic(session, data)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    subprocess.run(
        [str(ZONEMAP), "analyze"],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    return len(data.zones)


def _exists(url: str) -> bool:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"))
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": parsed.database}
            ).first()
    finally:
        admin.dispose()
    return found is not None


def measure(url: str, fmt: str, out: Path, since: str | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh CLI process writing the report."""
    target = out / f"national.{fmt}"
    target.unlink(missing_ok=True)
    args = [str(ZONEMAP), "report", "--national", "--format", fmt, "-o", str(target)]
    args += ["--since", since] if since else []
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode or not target.exists():
        raise SystemExit(f"{fmt}: exit code {done.returncode}\n{done.stderr[-2000:]}")
    peak_kb = int(done.stderr.rsplit("PEAK", 1)[-1].split()[0])
    return wall, peak_kb / 1024.0


def floor_seconds(url: str) -> float:
    """The report's reads alone, in one warm connection: the database's share of the time."""
    from api.db.engine import make_engine, make_session_factory
    from api.db.repositories import analysis as analysis_repo
    from api.db.repositories import report_records, reports, zones

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        started = time.perf_counter()
        outlines = reports.province_outlines(session, version="2025-34")
        runs = {
            code: analysis_repo.latest_run(session, version="2025-34", province=code)["id"]
            for code in outlines["code"]
        }
        report_records.zone_totals(session, version="2025-34")
        report_records.flag_counts(session, runs)
        report_records.critical_flags(session, runs)
        report_records.data_dates(session)
        zones.all_codes(session)
        elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/zonemap_bench_national"))
    opts = parser.parse_args()
    shutil.rmtree(opts.out, ignore_errors=True)
    opts.out.mkdir(parents=True)
    rows = []
    for scale in opts.scales:
        url = database_url(scale)
        zones = prepare(url, scale)
        repeat = opts.repeat if scale <= 10 else 1
        floor = floor_seconds(url)
        for fmt in FORMATS:
            walls, peaks = [], []
            for _ in range(repeat):
                wall, peak = measure(url, fmt, opts.out)
                walls.append(wall)
                peaks.append(peak)
                load = os.getloadavg()[0]
                print(
                    f"scale {scale:g} {fmt}: {wall:.2f} s, {peak:.0f} MB, load {load:.1f}",
                    file=sys.stderr,
                    flush=True,
                )
            size_kb = (opts.out / f"national.{fmt}").stat().st_size / 1024
            rows.append(
                (
                    scale,
                    zones,
                    fmt,
                    statistics.median(walls),
                    max(peaks),
                    size_kb,
                    floor,
                    repeat,
                    os.getloadavg()[0],
                )
            )
        # the heaviest "changes" section: since yesterday every zone of the demo (entered
        # today) is listed as added, 250,000 rows at 100x in the spreadsheet
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        for fmt in ("xlsx", "pdf"):
            wall, peak = measure(url, fmt, opts.out, since=yesterday)
            size_kb = (opts.out / f"national.{fmt}").stat().st_size / 1024
            print(f"scale {scale:g} {fmt} --since: {wall:.2f} s, {peak:.0f} MB", file=sys.stderr)
            rows.append(
                (
                    scale,
                    zones,
                    f"{fmt} --since yesterday",
                    wall,
                    peak,
                    size_kb,
                    floor,
                    1,
                    os.getloadavg()[0],
                )
            )
    print(
        "| scale | zones | format | wall (s, median) | runs | peak RSS (MB) | file (kB) | "
        "reads alone (s) | 1-min load after |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for scale, zones, fmt, wall, peak, size, floor, repeat, load in rows:
        print(
            f"| {scale:g}× | {zones:,} | {fmt} | {wall:.2f} | {repeat} | {peak:.0f} | "
            f"{size:,.0f} | {floor:.2f} | {load:.1f} |"
        )


if __name__ == "__main__":
    main()
