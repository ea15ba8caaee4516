"""Run every benchmark of ``bench/`` in turn, each in its own process with its default sizes.

``make bench`` runs this. Each benchmark prints its own table (see ``bench/RESULTS.md`` for what
it measures and the figures of earlier runs); the load average is printed before each one,
because other work on the machine moves the figures. ``--only NAME ...`` runs a subset,
``--list`` names them; a failing benchmark stops the run with its exit status.

The full set takes a long time (the 100x scales build national-scale databases); pass a
benchmark's own options by running it directly, e.g. ``.venv/bin/python -m
bench.import_vs_ogr2ogr --sizes 1000``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

BENCHMARKS = (
    "import_vs_ogr2ogr",
    "prepare_triage",
    "analysis_vs_sql",
    "live_analysis",
    "rollback_conflicts",
    "ogc_vs_tipg",
    "map_page",
    "reports",
    "national_report",
    "flagged_export",
    "ellipsoidal_area",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="Run only these.")
    parser.add_argument("--list", action="store_true", help="Name the benchmarks and stop.")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(BENCHMARKS))
        return 0
    for name in args.only or BENCHMARKS:
        print(f"== bench.{name} (load average {os.getloadavg()})", flush=True)
        status = subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode
        if status != 0:
            print(f"bench.{name} failed with exit status {status}", file=sys.stderr)
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
