"""Benchmark: the map panel's flagged-zone pages and exports, against the floor.

Over a database holding the demo and an analysis run (``zonemap demo && zonemap analyze``), the
app (``create_app``, in-process client, no network) answers a panel page and each export of
every flagged zone; the floor is the same SQL run directly through the repository (no HTTP, no
serialisation). Each line: one warm-up, then the median of ``--runs`` requests.

Run: ``DATABASE_URL=... .venv/bin/python bench/flagged_export.py [--runs 7]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = (
    ("panel page 1 (100 rows)", "/api/layers/flagged-zones?limit=100"),
    ("panel page 5 (100 rows)", "/api/layers/flagged-zones?limit=100&offset=400"),
    ("export CSV (all)", "/api/layers/flagged-zones?format=csv"),
    ("export XLSX (all)", "/api/layers/flagged-zones?format=xlsx"),
    ("export GeoJSON (all)", "/api/layers/flagged-zones?format=geojson"),
)


def _median_ms(call, runs: int) -> float:  # noqa: ANN001
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.db.engine import make_engine, make_session_factory
    from api.db.repositories import analysis as analysis_repo
    from api.db.repositories import layers as repo
    from api.settings import Settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    url = os.environ["DATABASE_URL"]
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        run_id = analysis_repo.latest_run(session, version="2025-34")["id"]

        def floor(limit: int, offset: int = 0, geometry: bool = False) -> None:
            repo.flagged_zones(
                session,
                run_id=run_id,
                province=None,
                kind=None,
                flag=None,
                severity=None,
                sort="severity",
                limit=limit,
                offset=offset,
                with_geometry=geometry,
            )

        floors = {
            "panel page 1 (100 rows)": lambda: floor(100),
            "panel page 5 (100 rows)": lambda: floor(100, 400),
            "export CSV (all)": lambda: floor(1_000_000),
            "export GeoJSON (all)": lambda: floor(1_000_000, geometry=True),
        }
        floors["export XLSX (all)"] = floors["export CSV (all)"]
        with TestClient(create_app(Settings(database_url=url))) as client:
            total = client.get(CASES[0][1]).json()["total"]
            print(f"{total} flagged zones, load average {os.getloadavg()[0]:.2f}")
            print(
                "| case | app (ms) | floor: the SQL alone (ms) | size (KiB) |\n|---|---:|---:|---:|"
            )
            for name, path in CASES:
                size = len(client.get(path).content) / 1024
                app_ms = _median_ms(lambda p=path: client.get(p), runs)
                floor_ms = _median_ms(floors[name], runs)
                print(f"| {name} | {app_ms:.1f} | {floor_ms:.1f} | {size:.1f} |")
            print(f"load average after: {os.getloadavg()[0]:.2f}")
    engine.dispose()


if __name__ == "__main__":
    main()
