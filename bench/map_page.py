"""Benchmark: the national map page in headless Chromium at 1× and 100× the demo data.

For each scale, a scratch database on the private cluster gets the synthetic demo (scale 1 also
gets an analysis run, so zones are coloured by flag); the real app is served by uvicorn on a
free loopback port; Debian's Chromium opens ``/`` with an empty cache and we measure

* time from navigation start to the map being idle: every default layer fetched and drawn
  (``zonemap-app.js`` sets ``<html data-zm-idle="true">`` when no layer request is pending),
* bytes transferred (navigation + every resource, compressed as sent),
* the JS heap used once idle.

Run: ``.venv/bin/python bench/map_page.py [--scales 1 100] [--runs 3] [--reuse]``. Loading
scale 100 (≈ 250,000 zones) takes a few minutes; ``--reuse`` keeps an existing database. The
table replaces the ``## Map page`` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.db.engine import make_engine, make_session_factory  # noqa: E402
from api.services.analysis import run_analysis  # noqa: E402
from api.services.bootstrap import prepare_database, start_private_server  # noqa: E402
from api.services.demo import write_synthetic  # noqa: E402
from api.settings import Settings  # noqa: E402
from geo.synthetic import generate_zones, load_default_provinces  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TODAY = dt.date(2026, 1, 1)


def database_url(scale: float) -> str:
    settings = Settings()
    start_private_server(settings)
    base = settings.resolved_database_url().rsplit("/", 1)[0]
    return f"{base}/zonemap_bench_map_{int(scale)}"


def load(url: str, scale: float, *, analyze: bool) -> int:
    """Fresh database with the demo at ``scale``; returns the zone count."""
    prepare_database(url, recreate=True)
    data = generate_zones(load_default_provinces("2025-34"), scale=scale, seed=7, today=TODAY)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        write_synthetic(session, data)
    if analyze:
        with make_session_factory(engine).begin() as session:
            run_analysis(session, version="2025-34", today=TODAY)
    return zone_count(url)


def zone_count(url: str) -> int:
    try:
        with make_engine(url).connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM zones")).scalar_one())
    except Exception:  # noqa: BLE001 - no database yet
        return 0


def serve(url: str) -> tuple[str, object]:
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(Settings(database_url=url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def measure(browser, base: str) -> dict[str, float]:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    client = context.new_cdp_session(page)
    client.send("Performance.enable")
    page.goto(f"{base}/", wait_until="commit")
    page.wait_for_function("document.documentElement.dataset.zmIdle === 'true'", timeout=120_000)
    idle_ms = page.evaluate("performance.now()")
    transferred = page.evaluate("""() => performance.getEntriesByType('navigation')
        .concat(performance.getEntriesByType('resource'))
        .reduce((sum, e) => sum + (e.transferSize || 0), 0)""")
    metrics = {m["name"]: m["value"] for m in client.send("Performance.getMetrics")["metrics"]}
    requests = page.evaluate("performance.getEntriesByType('resource').length")
    context.close()
    return {
        "idle_s": idle_ms / 1000,
        "bytes": transferred,
        "heap_mb": metrics["JSHeapUsedSize"] / 1024**2,
        "requests": requests,
    }


def bench_scale(browser, scale: float, runs: int, reuse: bool) -> dict:  # noqa: ANN001
    url = database_url(scale)
    zones = zone_count(url) if reuse else 0
    if not zones:
        started = time.perf_counter()
        zones = load(url, scale, analyze=scale <= 10)
        print(f"scale {scale}: loaded {zones} zones in {time.perf_counter() - started:.0f} s")
    base, server = serve(url)
    measure(browser, base)  # warm the server (first query plans, connection pool)
    samples = [measure(browser, base) for _ in range(runs)]
    server.should_exit = True
    result = {
        "scale": scale,
        "zones": zones,
        "runs": runs,
        **{k: statistics.median(s[k] for s in samples) for k in samples[0]},
    }
    print(result)
    return result


def write_results(rows: list[dict]) -> None:
    lines = [
        "## Map page",
        "",
        f"Measured {dt.date.today().isoformat()} on this machine (`nproc` = 2) with "
        "`bench/map_page.py`: headless Debian Chromium (1400×900, empty cache per run) opens "
        "the national map `/` served by one uvicorn worker on loopback from a scratch database "
        "on the private cluster. *Idle* = navigation start → every default layer fetched and "
        "drawn (`data-zm-idle`); bytes = navigation + all resources as transferred; heap = "
        "`JSHeapUsedSize` at idle. Medians of the runs after one warm-up. At 1× zones are "
        "GeoJSON simplified to the zoom (gzip); from 20,000 zones on (100×) zones and footprints "
        "come from vector tiles and the national view shows the zone-density heat map until "
        "the planner zooms in.",
        "",
        "| scale | zones | runs | idle (s) | transferred (MB) | JS heap (MB) | requests | goal |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        goal = "< 2 s, < 3 MB" if r["scale"] <= 1 else "< 3 s (tiles)"
        lines.append(
            f"| {r['scale']:g}× | {r['zones']:,} | {r['runs']} | {r['idle_s']:.2f} | "
            f"{r['bytes'] / 1024**2:.2f} | {r['heap_mb']:.1f} | {r['requests']:.0f} | "
            f"{goal} |"
        )
    section = "\n".join(lines) + "\n"
    text_ = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    start = text_.find("## Map page")
    if start >= 0:
        end = text_.find("\n## ", start + 1)
        text_ = text_[:start] + section + (text_[end + 1 :] if end >= 0 else "")
    else:
        text_ = text_.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text_, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 100])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        rows = [bench_scale(browser, s, args.runs, args.reuse) for s in args.scales]
        browser.close()
    write_results(rows)


if __name__ == "__main__":
    main()
