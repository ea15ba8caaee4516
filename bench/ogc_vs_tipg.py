"""Benchmark: zonemap's /ogc items and /tiles vs tipg, on distinct requests, at 10x and 100x.

Built so that it cannot flatter us:
* Data: ``zonemap_bench_10x`` (25,000 zones) and ``zonemap_bench_100x`` (250,000 zones) on the
  private cluster, filled by ``bench/sql/scale_rows.sql`` (boundaries with history,
  footprints, flags) and ANALYZEd. tipg serves the table ``tipg_bench.zones`` holding the same
  rows and columns as our ``zones`` collection, with a primary key and a GiST index (tipg's
  intended set-up), not a view.
* Cold lines: each cell cycles through its own list of distinct requests (a ``wrk`` Lua script;
  a thread stops when its share runs out), none repeated within the cell nor shared with
  another cell, so no cache answers: items with 0.3° bboxes around random zones, tiles at z8
  (every tile over Vietnam: the cell ends when they run out), z12 and z14 around random zones.
* Warm line: a hot set of 50 z12 tiles repeated (the tile cache's real benefit).
* Floor line: zonemap's own items SQL (bbox, limit 100) run by ``pgbench`` on one connection,
  random 0.3° bboxes, no HTTP and no Python.
* Optional lines: zonemap with ``--workers 2``, and zonemap reading from a streaming replica.
Both servers: uvicorn with uvloop and httptools on loopback, one worker unless stated.
Run: ``.venv/bin/python bench/ogc_vs_tipg.py --scale 10 --scale 100 [--seconds 8]``; the
table goes to bench/RESULTS.md ("OGC API Features and tiles: zonemap vs tipg").
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.db.engine import make_engine  # noqa: E402
from api.services.bootstrap import prepare_database, start_private_server  # noqa: E402
from api.settings import Settings  # noqa: E402
from bench.bench_servers import (  # noqa: E402
    ensure_tipg_venv,
    serve_tipg,
    serve_zonemap,
    wait_until_idle,
)

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## OGC API Features and tiles: zonemap vs tipg"
CONNECTIONS = (1, 8, 32)
PER_CELL = 20_000  # distinct requests prepared per cell; a cell that runs out is marked
BOX_DEG = 0.3
TIPG_TABLE_SQL = """
CREATE SCHEMA IF NOT EXISTS tipg_bench;
DROP TABLE IF EXISTS tipg_bench.zones;
CREATE TABLE tipg_bench.zones AS
SELECT z.code AS id, CAST(z.current_geom AS geometry(Geometry, 4326)) AS geom,
       z.code, z.kind, z.name, z.province_code, z.status, z.established_on, z.expanded_on,
       z.decision_ref, z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha,
       CAST(round(CAST(pb.area_ha AS numeric), 2) AS double precision) AS boundary_area_ha,
       z.is_mountainous, z.is_craft_village, z.is_synthetic
FROM zones z LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id;
ALTER TABLE tipg_bench.zones ADD PRIMARY KEY (id);
CREATE INDEX ix_tipg_zones_geom ON tipg_bench.zones USING gist (geom);
ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append", help="10 and/or 100")
    parser.add_argument("--seconds", type=int, default=8, help="duration of each cell")
    parser.add_argument("--workers", action="store_true", help="add zonemap --workers 2 lines")
    parser.add_argument("--replica", action="store_true", help="add a read-replica line")
    args = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("pgbench") is None:
        sys.exit("wrk and pgbench are needed: apt-get install -y wrk postgresql-client")
    ensure_tipg_venv()
    for scale in args.scale or [10]:
        write_section(scale, run_scale(scale, args))


def run_scale(scale: int, args: argparse.Namespace) -> str:
    url = prepare_bench_database(scale)
    rng = random.Random(scale)
    centres = zone_centres(url, rng)
    load_before = os.getloadavg()
    rows: list[tuple] = [("SQL floor: items bbox, 1 conn", 1, floor(url, args.seconds), None)]
    with serve_zonemap(url) as zonemap, serve_tipg(url) as tipg:
        for label, make in request_lines(centres, rng):
            for conns in CONNECTIONS:
                zpaths, tpaths = make()
                z = wrk(zonemap, zpaths, conns, args.seconds, url)
                t = wrk(tipg, tpaths, conns, args.seconds, url)
                rows.append((label, conns, z, t))
        hot = [tile_path(*tile_xy(lon, lat, 12)) for lon, lat in centres[:50]]
        for conns in (1, 8, 32):
            z = wrk(zonemap, hot * 1000, conns, args.seconds, url, prime=hot)
            t = wrk(tipg, [tipg_tile(p) for p in hot] * 1000, conns, args.seconds, url)
            rows.append(("warm: 50 hot z12 tiles repeated", conns, z, t))
    rows += extra_lines(url, centres, rng, args)
    load_after = os.getloadavg()
    return render(scale, rows, args.seconds, load_before, load_after)


def extra_lines(url: str, centres: list, rng: random.Random, args: argparse.Namespace) -> list:
    rows = []
    if args.workers:
        with serve_zonemap(url, workers=2) as two:
            for conns in (8, 32):
                paths = [items_path(c) for c in boxes(centres, rng)]
                rows.append(
                    (
                        "items bbox, zonemap --workers 2",
                        conns,
                        wrk(two, paths, conns, args.seconds, url),
                        None,
                    )
                )
    if args.replica:
        from bench.bench_servers import replica_of

        with replica_of(url) as replica_url, serve_zonemap(url, replicas=replica_url) as rz:
            for conns in (8, 32):
                paths = [items_path(c) for c in boxes(centres, rng)]
                rows.append(
                    (
                        "items bbox, reads on a replica",
                        conns,
                        wrk(rz, paths, conns, args.seconds, url),
                        None,
                    )
                )
    return rows


def prepare_bench_database(scale: int) -> str:
    settings = Settings()
    start_private_server(settings)
    base = make_url(settings.resolved_database_url())
    url = base.set(database=f"zonemap_bench_{scale}x").render_as_string(hide_password=False)
    prepare_database(url)
    zones = 2_500 * scale
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            present = conn.execute(text("SELECT count(*) FROM zones")).scalar_one()
            if present != zones:
                print(f"generating {zones} zones ({url.rsplit('/', 1)[-1]})", flush=True)
                conn.execute(text("TRUNCATE zones, analysis_runs CASCADE"))
                sql = (ROOT / "bench" / "sql" / "scale_rows.sql").read_text(encoding="utf-8")
                for statement in _statements(sql):
                    conn.execute(text(statement), {"zones": zones})
            conn.execute(text(TIPG_TABLE_SQL))
    finally:
        engine.dispose()
    return url


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def zone_centres(url: str, rng: random.Random) -> list[tuple[float, float]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT ST_X(location), ST_Y(location) FROM zones")).all()
    finally:
        engine.dispose()
    centres = [(float(x), float(y)) for x, y in rows]
    rng.shuffle(centres)
    return centres


def boxes(centres: list, rng: random.Random) -> list[tuple[float, float, float, float]]:
    """PER_CELL distinct 0.3° boxes, each around a random zone, randomly offset."""
    out = []
    for lon, lat in rng.choices(centres, k=PER_CELL):
        x0 = round(lon - rng.uniform(0, BOX_DEG), 4)
        y0 = round(lat - rng.uniform(0, BOX_DEG), 4)
        out.append((x0, y0, round(x0 + BOX_DEG, 4), round(y0 + BOX_DEG, 4)))
    return out


def items_path(b: tuple) -> str:
    return "/ogc/collections/zones/items?limit=100&bbox=" + ",".join(map(str, b))


def tipg_items(b: tuple) -> str:
    return "/collections/tipg_bench.zones/items?limit=100&bbox=" + ",".join(map(str, b))


def tile_path(z: int, x: int, y: int) -> str:
    return f"/tiles/zones/{z}/{x}/{y}.mvt"


def tipg_tile(path: str) -> str:
    z, x, y = re.findall(r"\d+", path)[-3:]
    return f"/collections/tipg_bench.zones/tiles/WebMercatorQuad/{z}/{x}/{y}"


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return z, int((lon + 180) / 360 * n), int(y)


def request_lines(centres: list, rng: random.Random) -> list:
    """(label, make) per cold line; ``make()`` returns fresh (zonemap, tipg) path lists."""
    used: set[tuple[int, int, int]] = set()
    pools: dict[int, list[tuple[int, int, int]]] = {}

    def pool(z: int) -> list[tuple[int, int, int]]:
        if z not in pools:
            near = {
                tile_xy(lon + rng.uniform(-0.1, 0.1), lat + rng.uniform(-0.1, 0.1), z)
                for lon, lat in rng.choices(centres, k=PER_CELL * 4)
            }
            pools[z] = sorted(near)
            rng.shuffle(pools[z])
        return pools[z]

    def items() -> tuple[list[str], list[str]]:
        cell = boxes(centres, rng)
        return [items_path(b) for b in cell], [tipg_items(b) for b in cell]

    def tiles(z: int) -> tuple[list[str], list[str]]:
        # tiles under or near random zones (within 0.1°), each used in one cell only; at z12
        # there are only ~15,000 such tiles, so each of the three cells gets a third
        wanted = min(PER_CELL, len(pool(z)) // len(CONNECTIONS))
        cell = [t for t in pool(z) if t not in used][:wanted]
        used.update(cell)
        paths = [tile_path(*t) for t in cell]
        return paths, [tipg_tile(p) for p in paths]

    def z8() -> tuple[list[str], list[str]]:  # every z8 tile with zones, new order each cell
        cell = sorted({tile_xy(lon, lat, 8) for lon, lat in centres})
        rng.shuffle(cell)
        paths = [tile_path(*t) for t in cell]
        return paths, [tipg_tile(p) for p in paths]

    return [
        ("cold: items limit=100, distinct 0.3° bbox", items),
        ("cold: tile z8, distinct (all tiles over VN)", z8),
        ("cold: tile z12, distinct", lambda: tiles(12)),
        ("cold: tile z14, distinct", lambda: tiles(14)),
    ]


WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local threads, counter = {}, 1
function setup(thread)
  thread:set("id", counter); counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  n = tonumber(os.getenv("WRK_THREADS")); i = id; last = #paths
end
function request()
  if i > last then
    wrk.thread:stop()
    return wrk.format("GET", paths[last])
  end
  local path = paths[i]
  i = i + n
  return wrk.format("GET", path)
end
function response(status, headers, body)
  if i > last then wrk.thread:stop() end
end
"""


def wrk(
    base: str,
    paths: list[str],
    conns: int,
    seconds: int,
    db_url: str,
    prime: list[str] | None = None,
) -> dict:
    """Run ``wrk`` cycling once through ``paths`` (each thread its share, in order)."""
    import urllib.request

    for path in prime or []:  # warm lines: build the hot set before measuring
        urllib.request.urlopen(base + path, timeout=60).read()
    wait_until_idle(db_url)
    threads = min(conns, 2)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "paths.txt").write_text("\n".join(paths) + "\n")
        Path(tmp, "cycle.lua").write_text(WRK_SCRIPT)
        env = {**os.environ, "WRK_PATHS": f"{tmp}/paths.txt", "WRK_THREADS": str(threads)}
        cmd = [
            "wrk",
            f"-t{threads}",
            f"-c{conns}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            f"{tmp}/cycle.lua",
            base,
        ]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    done = int(re.search(r"(\d+) requests in", out).group(1))
    exhausted = done >= len(paths) - conns
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _latency(out, "50%"),
        "p99": _latency(out, "99%"),
        "errors": int(errors.group(1)) if errors else 0,
        "requests": done,
        "exhausted": exhausted,
    }


def _latency(out: str, pct: str) -> float:
    value, unit = re.search(rf"{pct}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def floor(url: str, seconds: int) -> dict:
    """zonemap's items statement (zones collection, bbox, limit 100) run by pgbench."""
    from sqlalchemy.dialects import postgresql

    from api.db.repositories import ogc_features as ogc
    from api.ogc.params import BBoxIn, parse_crs

    crs = parse_crs(None)
    q = ogc.ItemsQuery(crs=crs, limit=100, bbox=BBoxIn(1.0, 2.0, 3.0, 4.0, crs))
    coll = ogc.COLLECTIONS["zones"]
    statement = ogc._page_statement(coll, crs, tuple(ogc._conditions(coll, q)), skips=False)
    compiled = statement.compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"render_postcompile": True}
    )
    corners = {f"ST_MakeEnvelope_{i}": v for i, v in enumerate([":x0", ":y0", ":x1", ":y1"], 1)}
    values = {k: _literal(v) for k, v in compiled.params.items()} | corners
    values |= {"page_limit": "100", "page_offset": "0"}
    sql = re.sub(r"%\((\w+)\)s", lambda m: values[m.group(1)], str(compiled))
    script = (
        "\\set xi random(1022000, 1094000)\n\\set yi random(86000, 229000)\n"
        "\\set x0 :xi / 10000.0\n\\set y0 :yi / 10000.0\n"
        f"\\set x1 :x0 + {BOX_DEG}\n\\set y1 :y0 + {BOX_DEG}\n" + " ".join(sql.split()) + ";\n"
    )
    u = make_url(url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
    wait_until_idle(url)
    out = subprocess.run(
        [
            "pgbench",
            "-n",
            "-c1",
            "-T",
            str(seconds),
            "-h",
            u.host,
            "-p",
            str(u.port),
            "-U",
            u.username,
            "-f",
            handle.name,
            "-r",
            u.database,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    os.unlink(handle.name)
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    done = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))
    return {"rps": tps, "p50": latency, "p99": float("nan"), "errors": 0, "requests": done}


def _literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def render(scale: int, rows: list, seconds: int, before: tuple, after: tuple) -> str:
    lines = [
        f"### {scale}x: {2_500 * scale:,} zones",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, `wrk` {seconds} s "
        f"per cell (or until the cell's distinct requests run out). Load average (1/5/15 min) "
        f"{before[0]:.1f}/{before[1]:.1f}/{before[2]:.1f} before, "
        f"{after[0]:.1f}/{after[1]:.1f}/{after[2]:.1f} after.",
        "",
        "| line | conns | zonemap req/s | tipg req/s | ratio | zonemap ms/req p50 / p99 | "
        "tipg p50 / p99 | requests (z / t) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, conns, z, t in rows:
        bad = " (errors!)" if z["errors"] or (t and t["errors"]) else ""
        if z.get("exhausted") or (t and t.get("exhausted")):
            bad += " (list ran out: req/s understated)"
        if t is None:
            lines.append(
                f"| {label}{bad} | {conns} | {z['rps']:.0f} | – | – | "
                f"{z['p50']:.1f} / {z['p99']:.1f} | – | {z['requests']} |"
            )
            continue
        lines.append(
            f"| {label}{bad} | {conns} | {z['rps']:.0f} | {t['rps']:.0f} | "
            f"{z['rps'] / t['rps']:.2f}× | {z['p50']:.1f} / {z['p99']:.1f} | "
            f"{t['p50']:.1f} / {t['p99']:.1f} | {z['requests']} / {t['requests']} |"
        )
    text_ = "\n".join(lines) + "\n"
    print(text_, flush=True)
    Path(ROOT / "bench" / f".last_{scale}x.json").write_text(json.dumps(rows, default=str))
    return text_


def write_section(scale: int, body: str) -> None:
    """Put ``body`` in RESULTS.md as this scale's table, keeping the other scales' tables."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    end_all = "<!-- /ogc_vs_tipg tables -->"
    if end_all not in current:
        current = (
            current.rstrip("\n") + f"\n\n{SECTION}\n\n<!-- ogc_vs_tipg tables -->\n{end_all}\n"
        )
    begin, end = f"<!-- {scale}x -->", f"<!-- /{scale}x -->"
    block = f"{begin}\n{body}{end}\n"
    if begin in current:
        head, rest = current.split(begin, 1)
        current = head + block + rest.split(end, 1)[1].lstrip("\n")
    else:
        current = current.replace(end_all, block + "\n" + end_all)
    RESULTS.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
