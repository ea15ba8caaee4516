"""Benchmark: the province-by-province analysis (process pool, Dask) and commit-to-current latency.

For each scale (1× = 2,500 zones) the synthetic demo (seed 7) is loaded into a scratch database
``zonemap_bench_live_<scale>`` on the private cluster (reused when it holds the zones), then:

* **single process**: ``run_whole``, the whole country analysed at once and stored as one run,
  in a fresh child process (the reference the partitioned run is compared with);
* **process pool**: ``zonemap analyze --workers N`` (read every partition from PostGIS in a
  worker, store each province's part run as it arrives, find the clusters from the partitions'
  cluster graphs, store the national snapshot as a list of parts);
* **Dask**: the same on a ``distributed.LocalCluster`` of 2 worker processes (started before
  the clock; its workers' peak RSS is asked from them);
* **latency**: with ``zonemap worker`` running, uploads of 4 zones are committed one after the
  other: twice inside the province with the most zones, the median one and the one with the
  fewest (one province re-analysed each), then 3 times on the border of provinces 01 and 24
  (two re-analysed); the time from each commit's return to every touched province being
  current (its job done and the national snapshot holding it) is measured. The first commit
  of a place is *cold* (the first job of those provinces since the worker started), the later
  ones *warm*. Each is split by the worker's log into analysis + store and the national
  snapshot, and set beside its *floor*: the partition's own SQL (zones and actual footprints,
  the queries every analysis process runs) timed directly, rows fetched but not parsed. The
  peak RSS of the worker and of its analysis processes is read from /proc after the last one.

Wall times are measured around the work; peak RSS is the largest ``ru_maxrss`` of the measured
process and every process it waited for (``RUSAGE_CHILDREN`` of a fresh measuring child), so it
is the peak of *any one* process. Run: ``.venv/bin/python bench/live_analysis.py [--scales 1 10]
[--workers 2]``; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ZONEMAP = Path(sys.executable).with_name("zonemap")
VERSION = "2025-34"


def database_url(scale: float) -> str:
    from api.services.bootstrap import start_private_server
    from api.settings import Settings

    settings = Settings()
    start_private_server(settings)
    base = settings.resolved_database_url().rsplit("/", 1)[0]
    return f"{base}/zonemap_bench_live_{str(scale).replace('.', '_')}"


def prepare(url: str, scale: float) -> int:
    from sqlalchemy import text

    from api.db.engine import make_engine, make_session_factory
    from api.services.bootstrap import prepare_database
    from api.services.demo import write_synthetic
    from geo.synthetic import generate_zones, load_default_provinces

    prepare_database(url)  # migrations (idempotent)
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM zones")).scalar_one()
    if not count:
        data = generate_zones(load_default_provinces(VERSION), scale=scale, seed=7)
        with make_session_factory(engine).begin() as session:
            write_synthetic(session, data)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            count = conn.execute(text("SELECT count(*) FROM zones")).scalar_one()
    engine.dispose()
    return int(count)


MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"wall_s": wall, "peak_mb": peak, "rc": done.returncode,
                  "err": done.stderr[-2000:]}))
"""

SINGLE = """
import datetime as dt, json, resource, sys, time
from api.db.engine import make_engine, make_session_factory
from api.services.analysis import run_whole
engine = make_engine(sys.argv[1])
start = time.perf_counter()
with make_session_factory(engine).begin() as session:
    outcome = run_whole(session, version="2025-34")
wall = time.perf_counter() - start
print(json.dumps({"wall_s": wall, "flags": len(outcome.result.flags),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

DASK = """
import json, resource, sys, time
from distributed import Client, LocalCluster
from api.db.engine import make_engine, make_session_factory
from api.services import live_analysis as live
url = sys.argv[1]
with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    factory = make_session_factory(make_engine(url))
    start = time.perf_counter()
    outcome = live.analyze_all(factory, database_url=url, version="2025-34",
                               thresholds=live.default_thresholds(),
                               executor=live.DaskCluster(client))
    wall = time.perf_counter() - start
    def peak():
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = client.run(peak)
print(json.dumps({"wall_s": wall, "flags": outcome.snapshot.flags,
                  "peak_mb": max([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                  *workers.values()])}))
"""


def child(code: str, *args: str, env: dict | None = None) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_pool(url: str, workers: int) -> dict:
    result = child(
        MEASURE, str(ZONEMAP), "analyze", "--workers", str(workers), env={"DATABASE_URL": url}
    )
    if result["rc"] != 0:
        raise SystemExit(result["err"])
    return result


@dataclass(frozen=True)
class Case:
    """One measured commit: its place, the provinces it re-analyses and its 4 zones."""

    label: str
    provinces: tuple[str, ...]
    zones: object  # a GeoDataFrame in EPSG:4326


@dataclass
class Latency:
    """What one commit took: to current, the worker's split of its job, cold or warm."""

    case: Case
    seconds: float
    cold: bool
    analysis_s: float | None = None
    snapshot_s: float | None = None


def latency_cases(url: str) -> list[Case]:
    """The uploads whose commit → current time is measured, each of 4 small zones: twice inside
    one province (its halo reaches no neighbour, so only it is re-analysed) for the province with
    the most zones, the median one and the one with the fewest, then 3 times on the border of
    Hà Nội (01) and Bắc Ninh (24), which re-analyses both. A repeat lies 0.01° north of the
    commit before it."""
    import geopandas as gpd
    from shapely.geometry import box
    from sqlalchemy import text

    from api.db.engine import make_engine, make_session_factory
    from api.db.repositories import analysis as analysis_repo
    from tests.upload_builders import wgs84_zones

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        counts = session.execute(
            text("SELECT province_code, count(*) FROM zones GROUP BY 1 ORDER BY 2 DESC, 1")
        ).all()
        outlines = analysis_repo.read_provinces(session, VERSION).set_index("code")
    engine.dispose()
    ranked = [(str(code), int(n)) for code, n in counts if str(code) in outlines.index]
    cases = []
    for code, n in (ranked[0], ranked[len(ranked) // 2], ranked[-1]):
        inner = outlines.geometry[code].buffer(-0.08)  # ≥ 8 km inside: the 5 km halo stays in
        lon, lat = inner.representative_point().coords[0]
        for repeat in range(2):
            north = lat + 0.01 * repeat
            zones = gpd.GeoDataFrame(
                {
                    "TEN_KCN": [f"KCN thử nghiệm {k}" for k in range(4)],
                    "DT_HA": [100.0] * 4,
                    "TRANG_THAI": ["Đang hoạt động"] * 4,
                },
                geometry=[
                    box(lon + k * 0.012, north, lon + k * 0.012 + 0.01, north + 0.008)
                    for k in range(4)
                ],
                crs=4326,
            )
            cases.append(Case(f"inside {code} ({n:,} zones)", (code,), zones))
    for _ in range(3):
        cases.append(Case("border 01/24", ("01", "24"), wgs84_zones(4).drop(columns="MA_KCN")))
    return cases


def measure_latency(url: str) -> tuple[list[Latency], tuple[float, float]]:
    """Each case's commit → current (a worker running) with the worker's split of its job,
    and the peak RSS in MB of the worker and of the largest of its analysis processes."""
    from api.db.engine import make_engine, make_session_factory
    from api.services import analysis_jobs as jobs
    from api.services import uploads as svc
    from api.services.analysis_status import analysis_status
    from tests.upload_builders import to_tm3, zipped_shapefile

    cases = latency_cases(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    log = Path(tempfile.gettempdir()) / "zonemap-bench-worker.log"
    print(f"worker log: {log}", file=sys.stderr)
    worker = subprocess.Popen(
        [str(ZONEMAP), "worker"],
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    measured, seen = [], set()
    try:
        with factory() as session:
            while not jobs.worker_alive(session, within_s=10):
                time.sleep(0.2)
        for i, case in enumerate(cases):
            src = case.zones.assign(MA_KCN=[f"BL{i}{k:03d}{int(time.time())}" for k in range(4)])
            logged = log.stat().st_size
            with tempfile.TemporaryDirectory() as tmp:
                path = zipped_shapefile(Path(tmp) / "b.zip", to_tm3(src), encoding="tcvn3")
                with factory() as session, session.begin():
                    opts = svc.UploadOptions(kind="zones")
                    prepared = svc.prepare(session, path, opts, max_bytes=50 * 1024**2)
                    upload = svc.stage(session, path, prepared, opts, filename="b.zip")
                    svc.commit(session, upload)
            committed = time.perf_counter()
            while True:
                with factory() as session:
                    status = analysis_status(session, VERSION)
                if status["pending"] == 0 and status["failed"] == 0:
                    break
                time.sleep(0.05)
            took = Latency(case, time.perf_counter() - committed, cold=case.label not in seen)
            took.analysis_s, took.snapshot_s = _job_split(log, logged)
            measured.append(took)
            seen.add(case.label)
        peak = (
            _peak_rss_mb(worker.pid),
            max((_peak_rss_mb(pid) for pid in _children(worker.pid)), default=0.0),
        )
    finally:
        worker.terminate()
        worker.wait()
        engine.dispose()
    return measured, peak


SPLIT = re.compile(
    r"analysed and stored (?!nothing).* in ([0-9.]+) s, national snapshot in ([0-9.]+) s"
)


def _job_split(log: Path, offset: int) -> tuple[float | None, float | None]:
    """(analysis + store, national snapshot) in seconds of the job the worker logged after
    ``offset`` bytes of its log (None when it logged none)."""
    with log.open(encoding="utf-8") as handle:
        handle.seek(offset)
        found = SPLIT.findall(handle.read())
    if not found:
        return None, None
    return float(found[-1][0]), float(found[-1][1])


def sql_floor(url: str, province: str) -> float:
    """Seconds of the partition's own SQL run directly, warm (the better of 2 runs): its zones
    and their actual footprints, rows fetched but not parsed into geometries."""
    from api.db.engine import make_engine
    from api.db.sql import query
    from api.services.live_analysis import default_thresholds
    from geo.analysis.partitions import ORPHAN_REACH_DEG, halo_margin_deg

    thresholds = default_thresholds()
    params = {
        "version": VERSION,
        "province": province,
        "reach": 2 * ORPHAN_REACH_DEG,
        "margin": halo_margin_deg(thresholds),
        "ccn_from": thresholds.ccn_decree_32.effective_from,
    }
    engine = make_engine(url)
    best = float("inf")
    try:
        for _ in range(2):
            with engine.connect() as conn:
                start = time.perf_counter()
                rows = conn.execute(query("partition_zones"), params).all()
                codes = [r.code for r in rows if r.candidate]
                conn.execute(query("analysis_actual"), {"codes": codes}).all()
                best = min(best, time.perf_counter() - start)
    finally:
        engine.dispose()
    return best


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _peak_rss_mb(pid: int) -> float:
    """VmHWM of a running process (its peak resident set so far), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip", nargs="*", default=[], help="single, pool, dask, latency")
    args = parser.parse_args()
    rows, details = [], []
    for scale in args.scales:
        url = database_url(scale)
        zones = prepare(url, scale)
        single = child(SINGLE, url) if "single" not in args.skip else None
        pool = measure_pool(url, args.workers) if "pool" not in args.skip else None
        dask = child(DASK, url) if "dask" not in args.skip else None
        latency, worker_mb = measure_latency(url) if "latency" not in args.skip else ([], (0, 0))
        load = os.getloadavg()[0]

        def cell(r: dict | None) -> str:
            return f"{r['wall_s']:.1f} s, {r['peak_mb']:.0f} MB" if r else "–"

        lat = "; ".join(f"{t.case.label}: {t.seconds:.2f}" for t in latency) or "–"
        if latency:
            lat += (
                f" (worker {worker_mb[0]:.0f} MB, its analysis processes ≤ {worker_mb[1]:.0f} MB)"
            )
        rows.append(
            f"| {scale:g}× | {zones:,} | {cell(single)} | {cell(pool)} | {cell(dask)} | "
            f"{lat} | {load:.1f} |"
        )
        details += latency_rows(scale, url, latency)
    print(
        "| scale | zones | single process (s, MB) | process pool (s, MB) | Dask 2 workers "
        "(s, MB) | commit → current (s) | load (1 min) |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if details:
        print()
        print(
            "| scale | commit | cold → current (s) | warm → current (s) | worker: analysis + "
            "store / national snapshot, warm (s) | floor: the partition's SQL (s) |"
        )
        print("|---|---|---|---|---|---|")
        print("\n".join(details))


def latency_rows(scale: float, url: str, latency: list[Latency]) -> list[str]:
    """One Markdown row per place: its cold and warm figures and its SQL floor."""
    rows = []
    for label in dict.fromkeys(t.case.label for t in latency):
        runs = [t for t in latency if t.case.label == label]
        cold = ", ".join(f"{t.seconds:.2f}" for t in runs if t.cold)
        warm = [t for t in runs if not t.cold]
        split = ", ".join(
            f"{t.analysis_s:.2f} / {t.snapshot_s:.2f}" for t in warm if t.analysis_s is not None
        )
        floors = " + ".join(f"{p}: {sql_floor(url, p):.2f}" for p in runs[0].case.provinces)
        rows.append(
            f"| {scale:g}× | {label} | {cold} | {', '.join(f'{t.seconds:.2f}' for t in warm)} | "
            f"{split or '–'} | {floors} |"
        )
    return rows


if __name__ == "__main__":
    main()
