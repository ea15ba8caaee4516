"""Benchmark of the province reports (issue 6): one province, then all provinces of the
2025-34 version, sequentially and with a process pool.

Uses the configured database (the dev database ``zonemap`` with the scale-1 demo) and assumes
a national analysis run exists (``zonemap analyze``). Each measurement runs the real CLI in a
fresh process, so wall time includes interpreter start-up and imports; peak memory is the
largest resident set of that process or any of its workers (``RUSAGE_CHILDREN``).

Every cell runs ``--repeat`` times (default 3); the median wall time and the largest peak RSS
are reported, as a Markdown table ready for ``bench/RESULTS.md``.

    .venv/bin/python bench/reports.py [--provinces 79 19] [--repeat 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
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
    from api.cli.common import transaction
    from api.services.reports import render_report

    with transaction() as session:
        render_report(session, province, version="2025-34", fmt="pdf")
        started = time.perf_counter()
        render_report(session, province, version="2025-34", fmt="pdf")
        elapsed = time.perf_counter() - started
        session.rollback()
        return elapsed


def repeated(label: str, args: list[str], repeat: int, out: Path) -> tuple[str, float, float]:
    """Median wall seconds and the largest peak RSS (MB) of ``repeat`` runs of the CLI."""
    walls, peaks = [], []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        wall, peak, rc = measure(args)
        if rc:
            raise SystemExit(f"{label}: exit code {rc}")
        walls.append(wall)
        peaks.append(peak)
        print(f"  {label}: {wall:.2f} s, {peak:.0f} MB", file=sys.stderr, flush=True)
    return label, statistics.median(walls), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provinces", nargs="+", default=["79", "19"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/zonemap_bench_reports"))
    opts = parser.parse_args()
    shutil.rmtree(opts.out, ignore_errors=True)
    opts.out.mkdir(parents=True)
    print(f"nproc={os.cpu_count()} load={os.getloadavg()[0]:.1f}", file=sys.stderr)
    rows = []
    for code in opts.provinces:
        pdf = opts.out / f"one_{code}.pdf"
        args = ["report", code, "--format", "pdf", "-o", str(pdf)]
        rows.append(repeated(f"province {code}, CLI (fresh process)", args, opts.repeat, pdf))
        warm = statistics.median(warm_single(code) for _ in range(opts.repeat))
        rows.append((f"province {code}, warm process (render only)", warm, float("nan")))
    for workers in (1, 2):
        target = opts.out / f"all_w{workers}"
        args = ["report", "--all", "--format", "pdf", "-o", str(target), "--workers", str(workers)]
        label = f"all provinces, {'sequential' if workers == 1 else f'{workers} workers'}"
        rows.append(repeated(label, args, opts.repeat, target))
    print(f"load={os.getloadavg()[0]:.1f}", file=sys.stderr)
    print(f"| case | wall (s, median of {opts.repeat}) | peak RSS (MB) |")
    print("|---|---:|---:|")
    for label, wall, peak in rows:
        print(f"| {label} | {wall:.2f} | {'–' if peak != peak else f'{peak:.0f}'} |")


if __name__ == "__main__":
    main()
