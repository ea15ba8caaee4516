"""`make run` as a new user meets it: db up, demo --if-empty, serve; the map shows flags at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import scratch_database_url

ZONEMAP = Path(sys.executable).with_name("zonemap")
IDLE = "document.documentElement.dataset.zmIdle === 'true'"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_run_steps_arrive_analysed_with_flagged_zones_listed(
    test_database_url, watched_page, tmp_path
):
    from api.services.bootstrap import drop_database

    url = scratch_database_url(test_database_url, "_run")
    env = {**os.environ, "DATABASE_URL": url}
    for step in (["db", "up"], ["demo", "--if-empty", "--scale", "0.05"]):
        done = subprocess.run(
            [str(ZONEMAP), *step], env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert done.returncode == 0, done.stderr
    assert "analysed 35 partitions" in done.stderr
    port = _free_port()
    server = subprocess.Popen(
        [str(ZONEMAP), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/health")
        page = watched_page.page
        page.goto(f"http://127.0.0.1:{port}/?lang=en")
        page.wait_for_function(IDLE, timeout=30_000)
        assert page.locator("#zm-flagged-list button").count() > 0
        assert page.locator(".zm-flagged p.zm-note", has_text="No analysis run yet").count() == 0
        assert page.locator(".zm-freshness[data-state='current']").count() == 1
        page.screenshot(path=str(tmp_path / "make-run.png"))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        drop_database(url)


def _wait_for(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - the local test server
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")
