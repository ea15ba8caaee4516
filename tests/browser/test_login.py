"""Signing in and out in headless Chromium, against a server that trusts nobody without
credentials (``local_user`` unset): the upload page's fetch posts carry the CSRF token."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from tests.conftest import _free_port

IDLE = "document.documentElement.dataset.zmIdle === 'true'"
PASSWORD = "browser passphrase 1"


@pytest.fixture(scope="module")
def login_server(test_database_url: str, demo_loaded) -> Iterator[tuple[str, str]]:  # noqa: ANN001
    """uvicorn with the production defaults for access control, and an editor of Hà Nội."""
    import uvicorn

    from api.app import create_app
    from api.auth.users import create_user
    from api.db.engine import make_engine, make_session_factory
    from api.settings import Settings

    name = f"browser-{uuid.uuid4().hex[:6]}"
    engine = make_engine(test_database_url)
    with make_session_factory(engine).begin() as session:
        create_user(session, name, role="editor", provinces=("01",), password=PASSWORD)
    engine.dispose()
    settings = Settings(database_url=test_database_url, local_user=None, secret_key="b" * 40)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", name
    server.should_exit = True
    thread.join(timeout=10)


def _zone_zip(folder: Path) -> Path:
    gdf = gpd.GeoDataFrame(
        {
            "MA_KHU": ["LG-0001"],
            "TEN_KHU": ["Khu công nghiệp Đăng Nhập"],
            "LOAI": ["KCN"],
            "DT_HA": [80.0],
        },
        geometry=[box(105.78, 21.02, 105.79, 21.028)],
        crs=4326,
    )
    gdf.to_file(folder / "login_zone.shp", engine="pyogrio", encoding="utf-8")
    archive = folder / "login_zone.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.glob("login_zone.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    return archive


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 - the loopback test server
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_login_upload_preview_with_csrf_then_logout(login_server, watched_page, tmp_path):  # noqa: ANN001
    base, name = login_server
    page = watched_page.page
    page.goto(f"{base}/login?next=/upload&lang=en")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", "wrong password")
    page.click("#zm-login-submit")
    assert "Wrong user name or password" in page.inner_text(".zm-message-error")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("#zm-login-submit")
    page.wait_for_url(f"{base}/upload")
    page.wait_for_function(IDLE)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["zonemap_session"]["httpOnly"] and not cookies["zonemap_csrf"]["httpOnly"]
    me = page.evaluate("fetch('/api/auth/me').then(r => r.json())")
    assert (me["name"], me["via"]) == (name, "session")

    page.set_input_files("input[name=file]", str(_zone_zip(tmp_path)))
    page.select_option("select[name=kind]", "zones")
    page.click("#zm-upload-preview")
    page.wait_for_selector("#zm-upload-result:not([hidden])", timeout=20_000)
    assert page.locator(".leaflet-zm-preview-pane path").count() == 1
    forged = page.evaluate("fetch('/api/uploads/1/rollback', {method: 'POST'}).then(r => r.json())")
    assert forged["code"] == "csrf_failed"  # a post without the token is refused
    page.screenshot(path=str(tmp_path / "upload_logged_in.png"))

    page.goto(f"{base}/login?lang=en")
    assert name in page.inner_text(".zm-login")
    page.click("#zm-logout")
    page.wait_for_selector("#zm-login-form")
    status = page.evaluate("fetch('/api/auth/me').then(r => r.status)")
    assert status == 401
    assert _status(f"{base}/api/auth/me") == 401
    assert not [e for e in watched_page.console_errors if "401" not in e and "403" not in e]
    assert watched_page.foreign_hosts() == set()
