"""Benchmark: zonemap's /ogc items and /tiles vs tipg on the same PostGIS, same data, one run.

Prepares a scratch database ``zonemap_bench_ogc`` on the private cluster with the synthetic demo
at scale 10 (reused when already loaded), exposes the same zones rows to tipg through the view
``tipg_bench.zones`` (current planning boundary, or the zone's point), starts both servers on
loopback (one uvicorn worker each, both with uvloop and httptools) and loads them with ``wrk``
at 1, 8 and 32 connections, 10 s per cell. Each cell starts once PostgreSQL has no active query
left on the database (tipg's slow cells keep it busy after ``wrk`` stops). tipg lives in its own
venv ``bench/.venv-tipg`` (created when missing; it is not a project dependency). Run:
``.venv/bin/python bench/ogc_vs_tipg.py [--seconds 10]``; the table goes to bench/RESULTS.md
(section "OGC API Features and tiles: zonemap vs tipg").
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.db.engine import make_engine, make_session_factory  # noqa: E402
from api.services.bootstrap import prepare_database, start_private_cluster  # noqa: E402
from api.services.demo import load_demo  # noqa: E402
from api.settings import Settings  # noqa: E402

TIPG_VENV = ROOT / "bench" / ".venv-tipg"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## OGC API Features and tiles: zonemap vs tipg"
SCALE = 10
CONNECTIONS = (1, 8, 32)
BBOX = "105.0,20.5,106.5,21.5"
VIEW_SQL = """
CREATE SCHEMA IF NOT EXISTS tipg_bench;
CREATE OR REPLACE VIEW tipg_bench.zones AS
SELECT z.code AS id,
       CAST(COALESCE(pb.geom, z.location) AS geometry(Geometry, 4326)) AS geom,
       z.code, z.kind, z.name, z.province_code, z.status, z.established_on, z.expanded_on,
       z.decision_ref, z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha,
       CAST(round(CAST(pb.area_ha AS numeric), 2) AS double precision) AS boundary_area_ha,
       z.is_mountainous, z.is_craft_village, z.is_synthetic
FROM zones z LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each cell")
    parser.add_argument("--seed", type=int, default=11, help="seed of the synthetic demo")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install it with `apt-get install -y wrk` and run again")
    ensure_tipg_venv()
    url = prepare_bench_database(args.seed)
    feature_id = one_zone_code(url)
    load_before = os.getloadavg()[0]
    with serve_zonemap(url) as zonemap, serve_tipg(url) as tipg:
        rows = [
            run_line(label, zonemap + a, tipg + b, args.seconds, url)
            for label, a, b in endpoints(feature_id)
        ]
    table = render(rows, args.seconds, (load_before, os.getloadavg()[0]))
    print(table)
    write_section(table)


def endpoints(feature_id: str) -> list[tuple[str, str, str]]:
    z8, z12 = tile_xy(105.85, 21.0, 8), tile_xy(105.85, 21.0, 12)
    t = "/collections/tipg_bench.zones"
    return [
        ("items?limit=100", "/ogc/collections/zones/items?limit=100", f"{t}/items?limit=100"),
        (
            f"items?limit=1000&bbox={BBOX}",
            f"/ogc/collections/zones/items?limit=1000&bbox={BBOX}",
            f"{t}/items?limit=1000&bbox={BBOX}",
        ),
        ("one feature", f"/ogc/collections/zones/items/{feature_id}", f"{t}/items/{feature_id}"),
        (
            "tile z8",
            f"/tiles/zones/8/{z8[0]}/{z8[1]}.mvt",
            f"{t}/tiles/WebMercatorQuad/8/{z8[0]}/{z8[1]}",
        ),
        (
            "tile z12",
            f"/tiles/zones/12/{z12[0]}/{z12[1]}.mvt",
            f"{t}/tiles/WebMercatorQuad/12/{z12[0]}/{z12[1]}",
        ),
    ]


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    import math

    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def ensure_tipg_venv() -> None:
    if list(TIPG_VENV.glob("lib/python*/site-packages/uvloop")):
        return
    print(f"creating {TIPG_VENV} with tipg and uvicorn[standard] (PyPI)")
    subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
    pip = str(TIPG_VENV / "bin" / "pip")
    subprocess.run([pip, "install", "-q", "tipg", "uvicorn[standard]"], check=True)


def prepare_bench_database(seed: int) -> str:
    settings = Settings()
    start_private_cluster(settings)
    base = make_url(settings.resolved_database_url())
    url = base.set(database="zonemap_bench_ogc").render_as_string(hide_password=False)
    prepare_database(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            if session.execute(text("SELECT count(*) FROM zones")).scalar_one() < 2_000 * SCALE:
                print(f"loading the synthetic demo at scale {SCALE} (a few minutes)")
                load_demo(session, scale=SCALE, seed=seed)
            session.execute(text(VIEW_SQL))
            session.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return url


def one_zone_code(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT z.code FROM zones z JOIN current_planning_boundaries pb "
                    "ON pb.zone_id = z.id WHERE z.kind = 'KCN' ORDER BY z.code LIMIT 1"
                )
            ).scalar_one()
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _server(cmd: list[str], env: dict[str, str], probe: str, port: int) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        cmd, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + probe, timeout=30).read()
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _uvicorn(venv: Path, *app: str, port: int) -> list[str]:
    """One uvicorn worker on loopback, quiet: the same command line for both servers."""
    return [str(venv / "bin" / "uvicorn"), *app, "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning", "--no-access-log"]  # fmt: skip


def serve_zonemap(url: str) -> contextlib.AbstractContextManager[str]:
    port = _free_port()
    cmd = _uvicorn(ROOT / ".venv", "--factory", "api.app:create_app", port=port)
    return _server(cmd, {"DATABASE_URL": url}, "/ogc/collections/zones/items?limit=1", port)


def serve_tipg(url: str) -> contextlib.AbstractContextManager[str]:
    port = _free_port()
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    env = {
        "DATABASE_URL": dsn,
        "TIPG_DB_SCHEMAS": '["tipg_bench"]',
        "TIPG_DB_MAX_CONN_SIZE": "32",
        "TIPG_MAX_FEATURES_PER_QUERY": "10000",
    }
    cmd = _uvicorn(TIPG_VENV, "tipg.main:app", port=port)
    return _server(cmd, env, "/collections/tipg_bench.zones/items?limit=1", port)


def run_line(label: str, zonemap_url: str, tipg_url: str, seconds: int, db_url: str) -> list:
    cells = []
    for conns in CONNECTIONS:
        wait_until_idle(db_url)
        z = wrk(zonemap_url, conns, seconds)
        wait_until_idle(db_url)
        t = wrk(tipg_url, conns, seconds)
        cells.append((label, conns, z, t))
    return cells


def wait_until_idle(db_url: str, timeout: float = 60.0) -> None:
    """Wait until no query runs on the bench database, then one more second."""
    engine = make_engine(db_url)
    busy = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'active' AND pid <> pg_backend_pid()"
    )
    try:
        deadline = time.monotonic() + timeout
        with engine.connect() as conn:
            while conn.execute(busy).scalar_one() and time.monotonic() < deadline:
                conn.rollback()
                time.sleep(0.2)
    finally:
        engine.dispose()
    time.sleep(1.0)


def wrk(url: str, conns: int, seconds: int) -> dict[str, float]:
    urllib.request.urlopen(url, timeout=60).read()  # warm caches and fail early on errors
    cmd = [
        "wrk",
        f"-t{min(conns, 2)}",
        f"-c{conns}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        url,
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": _latency(out, "50%"),
        "p99": _latency(out, "99%"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def _latency(out: str, pct: str) -> float:
    value, unit = re.search(rf"{pct}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def render(rows: list, seconds: int, load: tuple[float, float]) -> str:
    lines = [
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on this machine (`nproc` = {os.cpu_count()}), "
        f"one run, same PostGIS (private cluster, database `zonemap_bench_ogc`, synthetic demo "
        f"at scale {SCALE}), both servers one uvicorn worker with uvloop and httptools on "
        f"loopback, `wrk` {seconds} s per cell, each cell started once PostgreSQL is idle. "
        "tipg serves the view `tipg_bench.zones` (same rows and columns as our `zones` "
        "collection). Latencies in ms; ratio = zonemap req/s ÷ tipg req/s. "
        f"1-minute load average {load[0]:.1f} before and {load[1]:.1f} after the run.",
        "",
        "Caching: both servers get the same requests from `wrk` (each URL repeated). zonemap "
        "keeps, in process, built tiles (`TILE_CACHE`) and `numberMatched` counts "
        "(`COUNT_CACHE`) keyed on the PostgreSQL snapshot (`api/db/repositories/read_cache.py`),"
        " so repeated tile requests after the first are memory hits and the 25k-row count runs "
        "once per data version; features themselves are always read from PostGIS. tipg has no "
        "such cache (each tile is built per request).",
        "",
        "| request | conns | zonemap req/s | tipg req/s | ratio | zonemap p50 / p99 | "
        "tipg p50 / p99 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for line in rows:
        for label, conns, z, t in line:
            errors = " (errors!)" if z["errors"] or t["errors"] else ""
            lines.append(
                f"| {label}{errors} | {conns} | {z['rps']:.0f} | {t['rps']:.0f} | "
                f"{z['rps'] / t['rps']:.2f}× | {z['p50']:.1f} / {z['p99']:.1f} | "
                f"{t['p50']:.1f} / {t['p99']:.1f} |"
            )
    return "\n".join(lines) + "\n"


def write_section(table: str) -> None:
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    start = current.find(SECTION)
    if start >= 0:
        end = current.find("\n## ", start + len(SECTION))
        current = current[:start] + current[end + 1 :] if end >= 0 else current[:start]
    RESULTS.write_text(current.rstrip("\n") + "\n\n" + table, encoding="utf-8")


if __name__ == "__main__":
    main()
