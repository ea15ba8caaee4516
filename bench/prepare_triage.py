"""Benchmark: the pure upload pipeline (``prepare_upload``) with the per-feature triage.

Times ``geo.ingest.upload.prepare_upload`` in-process (no database) on the 100k-polygon shapefile
of ``bench/import_vs_ogr2ogr.py`` (generated and cached under bench/out/). Run it once with this
checkout and once with another on ``PYTHONPATH`` to compare two versions of the pipeline:

    .venv/bin/python bench/prepare_triage.py [--size 100000] [--runs 3]
    PYTHONPATH=/path/to/other/checkout .venv/bin/python bench/prepare_triage.py

Prints the median and each run's wall time, and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.append(str(HERE))  # for bench.import_vs_ogr2ogr; PYTHONPATH decides geo's version
    import geo
    from bench.import_vs_ogr2ogr import generate
    from geo.ingest.upload import prepare_upload
    from tests.upload_builders import provinces_2025

    path = generate(args.size)
    provinces = provinces_2025()
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        prepared = prepare_upload(path, kind="zones", provinces=provinces)
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"geo from {Path(geo.__file__).parents[1]}: {prepared.feature_count} features, "
        f"median {statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}), "
        f"peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
