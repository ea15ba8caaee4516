"""Province reports against the real PostGIS: content of the PDF, HTML without external URLs,
the HTTP routes, the CLI and every bad input of issue 6."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from functools import partial
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.engine import make_url

from api.services import reports as reports_service
from api.services.analysis import run_analysis
from api.services.bootstrap import drop_database, prepare_database
from api.services.reports import (
    ReportWriteError,
    build_province_report,
    render_report,
    write_atomic,
)
from geo.errors import AdminVersionError, UnknownProvinceError
from tests.conftest import DEMO_TODAY, rolled_back_session
from web.i18n.flags import FLAG_CODES, flag_title

VERSION = "2025-34"
ZONEMAP = Path(sys.executable).with_name("zonemap")
EXTERNAL_URL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*https?://|@import\s+url\(\s*["']?https?:""", re.IGNORECASE
)


# a hang (a lock wait, a stuck subprocess) fails the test instead of the whole run
pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def case(engine, demo_loaded):  # noqa: ANN001, ANN201
    """The demo province (demo zones only) with the most distinct flag codes: its zones, flags,
    report, PDF and English HTML, each rendered once; the analysis run is rolled back before any
    test runs."""
    with rolled_back_session(engine) as session:
        outcome = run_analysis(session, version=VERSION, today=DEMO_TODAY)
        codes_by_province: dict[str, set[str]] = {}
        for flag in outcome.result.flags:
            if flag.province_code:
                codes_by_province.setdefault(flag.province_code, set()).add(flag.code)
        # Browser and upload tests commit zones of their own: take a province of demo zones only.
        mixed = set(
            session.execute(
                text("SELECT DISTINCT province_code FROM zones WHERE NOT is_synthetic")
            ).scalars()
        )
        demo_only = sorted(set(codes_by_province) - mixed)
        province = max(demo_only, key=lambda p: len(codes_by_province[p]))
        zones = set(
            session.execute(
                text("SELECT code FROM zones WHERE province_code = :p"), {"p": province}
            ).scalars()
        )
        name = session.execute(
            text("SELECT name_vi FROM provinces WHERE admin_version = :v AND code = :p"),
            {"v": VERSION, "p": province},
        ).scalar_one()
        report = build_province_report(session, province, version=VERSION, today=DEMO_TODAY)
        render = partial(render_report, session, province, version=VERSION, today=DEMO_TODAY)
        return {
            "province": province,
            "name": name,
            "zones": zones,
            "flags": {f.code for f in outcome.result.flags if f.zone_code in zones},
            "report": report,
            "pdf": render(fmt="pdf"),
            "html_en": render(fmt="html", lang="en").decode("utf-8"),
        }


@pytest.fixture(scope="module")
def empty_database_url(test_database_url):  # noqa: ANN001, ANN201
    """A scratch database of its own (schema and boundaries, no zones, no run): emptying the
    shared test database would wait on, and block, every other connection."""
    url = make_url(test_database_url)
    empty = url.set(database=f"{url.database}_empty").render_as_string(hide_password=False)
    prepare_database(empty, recreate=True)
    try:
        yield empty
    finally:
        drop_database(empty)


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() or "" for p in reader.pages))


def _non_white_share(pdf: Path, tmp_path: Path) -> float:
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    histogram = image.histogram()
    return sum(histogram[:235]) / sum(histogram)


def test_render_report_pdf_names_province_with_diacritics(case):
    assert unicodedata.is_normalized("NFC", case["name"])
    assert case["name"] in _pdf_text(case["pdf"])


def test_render_report_pdf_and_html_name_data_date_and_thresholds(case):
    found = _pdf_text(case["pdf"])
    assert "Số liệu đến ngày" in found and "Ngưỡng cảnh báo" in found
    assert "footprint_mismatch.iou_min" in found.replace("\n", "")
    assert "Data as of" in case["html_en"] and "Flag thresholds" in case["html_en"]


def test_render_report_pdf_lists_every_zone_and_names_every_rule(case):
    found = " ".join(_pdf_text(case["pdf"]).split())
    assert case["zones"] and case["flags"]
    assert {z for z in case["zones"] if z not in found} == set()
    titles = {flag_title(f, "vi") for f in case["flags"]}
    assert {t for t in titles if t not in found} == set()


def test_render_report_pdf_in_vietnamese_prints_no_rule_code(case):
    found = _pdf_text(case["pdf"])
    assert [code for code in FLAG_CODES if code in found] == []


def test_render_report_pdf_has_several_pages_and_a_drawn_first_page(case, tmp_path):
    assert len(PdfReader(io.BytesIO(case["pdf"])).pages) >= 2
    path = tmp_path / "report.pdf"
    path.write_bytes(case["pdf"])
    assert _non_white_share(path, tmp_path) > 0.05


def test_render_report_html_has_no_external_url(case):
    html = case["html_en"]
    assert EXTERNAL_URL.search(html) is None
    assert "url(http" not in html.replace(" ", "")
    assert 'lang="en"' in html and "Zones needing attention" in html
    assert html.count("data:image/") >= 2


def test_build_report_counts_match_the_run(case):
    report = case["report"]
    assert {r["code"] for r in report.rows} == case["zones"]
    ranks = [
        {"critical": 0, "warning": 1, "info": 2}.get(r["worst_severity"], 3) for r in report.rows
    ]
    assert ranks == sorted(ranks)
    assert sum(report.summary["flags_by_severity"].values()) >= len(case["flags"])
    assert report.summary["national"]["zones_per_1000km2"] is not None
    assert report.run is not None and report.is_synthetic


def test_report_routes_serve_pdf_and_html(client, case):
    pdf = client.get(f"/api/provinces/{case['province']}/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and case["name"] in _pdf_text(pdf.content)
    html = client.get(f"/api/provinces/{case['province']}/report.html", params={"lang": "en"})
    assert html.status_code == 200 and EXTERNAL_URL.search(html.text) is None
    back = f'href="/provinces/{case["province"]}?version={VERSION}&amp;lang=en"'
    assert back in html.text
    assert 'href="/provinces/' not in case["html_en"]  # a saved report has no dead link


def test_report_html_in_vietnamese_names_rules_not_codes(client, case):
    html = client.get(f"/api/provinces/{case['province']}/report.html").text
    body = html.split("<body>", 1)[1]
    assert [code for code in FLAG_CODES if code in body] == []
    assert flag_title(sorted(case["flags"])[0], "vi") in html


def test_report_route_unknown_province_404_names_it(client, demo_loaded):
    response = client.get("/api/provinces/XX9/report.html")
    assert response.status_code == 404 and "XX9" in response.json()["detail"]


def test_report_route_unknown_version_422_names_it(client, demo_loaded):
    response = client.get("/api/provinces/01/report.pdf", params={"version": "1999-99"})
    assert response.status_code == 422 and "1999-99" in response.json()["detail"]


def test_build_report_unknown_province_or_version_raises(db_session, demo_loaded):
    with pytest.raises(UnknownProvinceError, match="XX9"):
        build_province_report(db_session, "XX9", version=VERSION)
    with pytest.raises(AdminVersionError, match="1999-99"):
        build_province_report(db_session, "01", version="1999-99")


def test_render_report_province_without_zones_is_short_and_valid(db_session, demo_loaded):
    code, other = db_session.execute(
        text("SELECT min(code), max(code) FROM provinces WHERE admin_version = :v"), {"v": VERSION}
    ).one()
    db_session.execute(
        text("UPDATE zones SET province_code = :o WHERE province_code = :c"),
        {"o": other, "c": code},
    )
    report = build_province_report(db_session, code, version=VERSION, today=DEMO_TODAY)
    assert report.rows == [] and "report.notice.no_zones" in report.notices
    pdf = render_report(db_session, code, version=VERSION, fmt="pdf", today=DEMO_TODAY)
    assert 1 <= len(PdfReader(io.BytesIO(pdf)).pages) <= 3
    assert "Tỉnh này không có khu kinh tế" in _pdf_text(pdf).replace("\n", " ")


def test_render_report_empty_database_without_run_says_so(empty_database_url):
    from api.db.engine import make_engine

    engine = make_engine(empty_database_url)
    try:
        with rolled_back_session(engine) as session:
            report = build_province_report(session, "01", version=VERSION, today=DEMO_TODAY)
            html = render_report(session, "01", version=VERSION, fmt="html").decode("utf-8")
            pdf = render_report(session, "01", version=VERSION, fmt="pdf")
    finally:
        engine.dispose()
    assert report.run is None and report.rows == []
    assert "report.notice.no_run" in report.notices
    assert "Chưa có lượt phân tích nào" in html
    assert "Chưa có lượt phân tích nào" in _pdf_text(pdf).replace("\n", " ")


def test_write_atomic_unwritable_path_raises_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ReportWriteError, match="cannot write the report"):
        write_atomic(blocker / "report.pdf", b"%PDF-1.7")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_write_atomic_failure_mid_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def broken_replace(_src, _dst):  # noqa: ANN001, ANN202
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reports_service.os, "replace", broken_replace)
    with pytest.raises(ReportWriteError, match="No space left"):
        write_atomic(tmp_path / "report.pdf", b"%PDF-1.7")
    assert list(tmp_path.iterdir()) == []


def _cli(args: list[str], url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ZONEMAP), "report", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        timeout=90,
        check=False,
    )


def test_cli_report_unknown_province_exits_non_zero_naming_it(
    test_database_url, demo_loaded, tmp_path
):
    result = _cli(["XX9", "--format", "html", "-o", str(tmp_path / "r.html")], test_database_url)
    assert result.returncode != 0 and "XX9" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_report_unwritable_output_exits_with_clear_message(
    test_database_url, demo_loaded, tmp_path
):
    target = tmp_path / "no-such-folder" / "r.html"
    result = _cli(["01", "--format", "html", "-o", str(target)], test_database_url)
    assert result.returncode != 0 and "cannot write the report" in result.stderr
    assert not target.parent.exists()


def test_report_batch_failure_of_one_province_does_not_stop_others(
    test_database_url, demo_loaded, tmp_path
):
    from api.services.report_batch import write_reports

    calls = Counter()
    outcome = write_reports(
        test_database_url,
        ["01", "XX9"],
        tmp_path,
        version=VERSION,
        fmt="html",
        lang="vi",
        progress=lambda c, _e: calls.update([c]),
    )
    assert set(outcome.failed) == {"XX9"} and "XX9" in outcome.failed["XX9"]
    assert [p.name for p in outcome.written] == ["province_01.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["province_01.html"]
    assert calls == Counter({"01": 1, "XX9": 1})
