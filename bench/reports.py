"""Benchmark of the province reports (issue 6): one province, then all provinces of the
2025-34 version, sequentially and with a process pool.

Uses the configured database (the dev database ``zonemap`` with the scale-1 demo) and assumes
a national analysis run exists (``zonemap analyze``). Each measurement runs the real CLI in a
fresh process, so wall time includes interpreter start-up and imports; peak memory is the
largest resident set of that process or any of its workers (``RUSAGE_CHILDREN``).

    .venv/bin/python bench/reports.py [--province 79] [--out /tmp/zonemap_bench_reports]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ZONEMAP = Path(sys.executable).with_name("zonemap")


# a fresh wrapper per measurement, so the peak RSS is that command's own
_WRAPPER = (
    "import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
    "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
    "file=sys.stderr); sys.exit(rc)"
)


def measure(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB of the command (or its largest worker), exit code."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(ZONEMAP), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode:
        print(done.stderr[-2000:], file=sys.stderr)
    peak_kb = int(done.stderr.rsplit("PEAK", 1)[-1].split()[0]) if "PEAK" in done.stderr else 0
    return wall, peak_kb / 1024.0, done.returncode


def warm_single(province: str) -> float:
    """Seconds for one PDF in a warm process (imports done, the second render timed)."""
    from api.cli.common import session_scope
    from api.services.reports import render_report

    with session_scope() as session:
        render_report(session, province, version="2025-34", fmt="pdf")
        started = time.perf_counter()
        render_report(session, province, version="2025-34", fmt="pdf")
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="79")
    parser.add_argument("--out", type=Path, default=Path("/tmp/zonemap_bench_reports"))
    opts = parser.parse_args()
    shutil.rmtree(opts.out, ignore_errors=True)
    opts.out.mkdir(parents=True)
    print(f"nproc={os.cpu_count()} load={os.getloadavg()[0]:.1f}")
    wall, peak, rc = measure(
        ["report", opts.province, "--format", "pdf", "-o", str(opts.out / "one.pdf")]
    )
    print(f"one province {opts.province} (CLI, cold): {wall:.2f} s, {peak:.0f} MB, rc={rc}")
    print(f"one province {opts.province} (warm process): {warm_single(opts.province):.2f} s")
    for workers in (1, 2):
        target = opts.out / f"all_w{workers}"
        wall, peak, rc = measure(
            ["report", "--all", "--format", "pdf", "-o", str(target), "--workers", str(workers)]
        )
        count = len(list(target.glob("*.pdf")))
        print(
            f"all provinces, workers={workers}: {wall:.1f} s, {peak:.0f} MB, {count} PDFs, rc={rc}"
        )


if __name__ == "__main__":
    main()
