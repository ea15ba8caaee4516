"""The national report and the editable (DOCX, XLSX) reports against the real PostGIS: each
file is opened with python-docx, openpyxl or pdftoppm and read back, and its figures are
compared with the API's."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import docx
import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.errors import InvalidParameterError
from api.services.analysis import run_analysis
from api.services.report_formats import render_national, render_province_editable
from api.settings import Settings
from tests.conftest import DEMO_TODAY, issue_token, rolled_back_session, use_test_transaction
from web.i18n.flags import FLAG_CODES

VERSION = "2025-34"
ZONEMAP = Path(sys.executable).with_name("zonemap")
AGENCY = "CỤC KIỂM THỬ ZONEMAP"
SIGNER = "Nguyễn Văn Thử"
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
RAW_FLAG_CODE = re.compile(r"\b(" + "|".join(FLAG_CODES) + r")\b")

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def national(engine, demo_loaded, test_database_url):  # noqa: ANN001, ANN201
    """One analysis run and every rendering, in one transaction rolled back before the tests;
    the API's own figures are read through the app on the same transaction."""
    settings = Settings(
        database_url=test_database_url, report_agency=AGENCY, report_signer_name=SIGNER
    )
    with rolled_back_session(engine) as session:
        run_analysis(session, version=VERSION, today=DEMO_TODAY)
        render = {
            fmt: render_national(session, settings, version=VERSION, fmt=fmt, today=DEMO_TODAY)
            for fmt in ("pdf", "docx", "xlsx", "html")
        }
        province = session.execute(
            text("SELECT province_code FROM zones GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
        editable = {
            fmt: render_province_editable(session, settings, province, version=VERSION, fmt=fmt)
            for fmt in ("docx", "xlsx")
        }
        app = create_app(settings)
        use_test_transaction(app, session)
        token = issue_token(session, "national-report-test")
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
            api = {
                "zones": client.get("/api/zones", params={"limit": 1}).json()["numberMatched"],
                "flags": client.get("/api/flags").json()["flags"],
                "provinces": {
                    f["properties"]["code"]
                    for f in client.get("/api/provinces", params={"simplified": True}).json()[
                        "features"
                    ]
                },
                "province_zones": client.get(
                    "/api/zones", params={"province": province, "limit": 1}
                ).json()["numberMatched"],
            }
            route = client.get("/api/reports/national.xlsx", params={"lang": "en"})
    # Rolled back before the tests run: an open transaction holding the run's rows would make
    # every later test that runs an analysis wait for it.
    yield {"render": render, "editable": editable, "api": api, "province": province, "route": route}


def _docx_text(data: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return document, "\n".join(parts)


def _table_with_header(document, header: str):  # noqa: ANN001, ANN202
    return next(t for t in document.tables if t.rows[0].cells[1].text == header)


def _sheet_with_header(book, header: str):  # noqa: ANN001, ANN202
    return next(s for s in book.worksheets if s.max_row > 1 and s["B1"].value == header)


def _number(text_value: str) -> float:
    return float(text_value.replace(".", "").replace(",", ".").replace("%", "").strip() or 0)


def test_national_docx_has_decree30_frame_headings_and_nfc_vietnamese(national):
    document, body = _docx_text(national["render"]["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for expected in (
        "Tóm tắt",
        "Kết luận",
        "Kiến nghị",
        "1. Số liệu tổng hợp toàn quốc",
        "2.1. Chất lượng quy hoạch",
        "3. Mật độ khu bị cảnh báo theo tỉnh",
        "4. Các tỉnh, thành phố xếp theo tỷ lệ khu bị cảnh báo",
        "5. Các cảnh báo nghiêm trọng",
    ):
        assert expected in headings
    frame = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Kính gửi: Thủ tướng Chính phủ.",
        "Nơi nhận:",
        AGENCY,
        SIGNER,
    )
    facts = ("Số liệu đến ngày", "Ngưỡng cảnh báo", "Dữ liệu minh họa tổng hợp")
    for expected in (*frame, *facts):
        assert expected in body
    assert unicodedata.is_normalized("NFC", body) and VIETNAMESE.search(body)
    assert RAW_FLAG_CODE.findall(body) == []
    assert len(document.inline_shapes) == 1  # the national map


def test_national_docx_province_table_matches_the_api(national):
    document, _ = _docx_text(national["render"]["docx"])
    table = _table_with_header(document, "Mã")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    body, total = rows[:-1], rows[-1]
    assert {r[1] for r in body} == national["api"]["provinces"]
    assert len(body) == len(national["api"]["provinces"])
    assert _number(total[3]) == national["api"]["zones"]
    flagged = {f["zone_code"] for f in national["api"]["flags"] if f["zone_code"]}
    assert _number(total[10]) == len(flagged)


def test_national_xlsx_one_sheet_per_table_with_numbers_and_frozen_headers(national):
    book = openpyxl.load_workbook(io.BytesIO(national["render"]["xlsx"]))
    sheet = _sheet_with_header(book, "Mã")
    header = [c.value for c in sheet[1]]
    assert any("(ha)" in h for h in header) and any("(%)" in h for h in header)
    assert sheet.freeze_panes == "A2"
    provinces = national["api"]["provinces"]
    rows = list(sheet.iter_rows(min_row=2, max_row=len(provinces) + 2, values_only=True))
    body, total = rows[:-1], rows[-1]
    assert {r[1] for r in body} == provinces
    assert all(isinstance(r[3], int) and isinstance(r[4], int | float) for r in body)
    assert total[3] == national["api"]["zones"] == sum(r[3] for r in body)
    flagged = {f["zone_code"] for f in national["api"]["flags"] if f["zone_code"]}
    assert total[10] == len(flagged)
    shares = [r[11] for r in body if r[11] is not None]
    assert shares == sorted(shares, reverse=True)  # ranked by the share of flagged zones
    assert {"Nguồn", "Thông tin"} <= set(book.sheetnames)
    texts = [
        c
        for s in book.worksheets
        for row in s.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]
    assert all(unicodedata.is_normalized("NFC", c) for c in texts)
    assert not any(RAW_FLAG_CODE.search(c) for c in texts)


def test_national_route_serves_the_english_xlsx(national):
    response = national["route"]
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert _sheet_with_header(book, "Code")["C1"].value == "Province"


def test_national_pdf_first_page_is_drawn_and_names_data_and_thresholds(national, tmp_path):
    from PIL import Image
    from pypdf import PdfReader

    pdf = tmp_path / "national.pdf"
    pdf.write_bytes(national["render"]["pdf"])
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    histogram = image.histogram()
    assert sum(histogram[:235]) / sum(histogram) > 0.03
    reader = PdfReader(io.BytesIO(national["render"]["pdf"]))
    first = unicodedata.normalize("NFC", reader.pages[0].extract_text())
    for expected in (
        "Số liệu đến ngày",
        "Phiên bản địa giới hành chính",
        "Ngưỡng cảnh báo",
        "Dữ liệu minh họa tổng hợp",
    ):
        assert expected in first


def test_national_html_has_the_same_ranking_and_no_external_url(national):
    html = national["render"]["html"].decode("utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", html)
    book = openpyxl.load_workbook(io.BytesIO(national["render"]["xlsx"]))
    sheet = _sheet_with_header(book, "Mã")
    names = [r[2] for r in sheet.iter_rows(min_row=2, max_row=6, values_only=True)]
    positions = [html.index(f"<td>{name}</td>") for name in names]
    assert positions == sorted(positions)


def test_province_docx_and_xlsx_list_every_zone_with_rule_names(national):
    document, body = _docx_text(national["editable"]["docx"])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body and AGENCY in body
    assert RAW_FLAG_CODE.findall(body) == []
    assert unicodedata.is_normalized("NFC", body)
    assert len(document.inline_shapes) == 1  # the province map
    book = openpyxl.load_workbook(io.BytesIO(national["editable"]["xlsx"]))
    sheet = next(s for s in book.worksheets if s["A1"].value == "Mã khu")
    zones = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] is not None]
    assert len(zones) == national["api"]["province_zones"]
    assert sheet.freeze_panes == "A2"


def _count_records(session) -> int:  # noqa: ANN001
    return session.execute(text("SELECT count(*) FROM report_records")).scalar_one()


def test_since_before_any_data_raises_and_records_nothing(db_session, demo_loaded):
    before = _count_records(db_session)
    with pytest.raises(InvalidParameterError, match="before any data"):
        render_national(
            db_session, Settings(), version=VERSION, fmt="xlsx", since=dt.date(1900, 1, 1)
        )
    assert _count_records(db_session) == before


def test_cli_since_before_any_data_exits_non_zero(test_database_url, demo_loaded, tmp_path):
    target = tmp_path / "national.xlsx"
    result = subprocess.run(
        [
            str(ZONEMAP),
            "report",
            "--national",
            "--format",
            "xlsx",
            "--since",
            "1900-01-01",
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": test_database_url},
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "before any data" in result.stderr
    assert not target.exists()


def test_route_bad_since_and_bad_format_are_422_naming_them(client, demo_loaded):
    response = client.get("/api/reports/national.xlsx", params={"since": "yesterday"})
    assert response.status_code == 422 and "YYYY-MM-DD" in response.text
    response = client.get("/api/reports/national.txt")
    assert response.status_code == 422 and "docx" in response.text
    response = client.get("/api/provinces/01/report.pdfx")
    assert response.status_code == 422


def test_since_after_the_last_change_says_no_changes(db_session, demo_loaded):
    run_analysis(db_session, version=VERSION, today=DEMO_TODAY)
    last = db_session.execute(text("SELECT CAST(now() AS date)")).scalar_one()
    data = render_national(db_session, Settings(), version=VERSION, fmt="docx", since=last)
    _, body = _docx_text(data)
    assert f"Không có thay đổi nào kể từ ngày {last:%d/%m/%Y}." in body


def test_changes_show_a_reapproved_boundary_and_a_removed_zone(db_session, demo_loaded):
    run_analysis(db_session, version=VERSION, today=DEMO_TODAY)
    zone = db_session.execute(
        text(
            "SELECT z.id, z.code FROM zones z JOIN current_planning_boundaries pb "
            "ON pb.zone_id = z.id ORDER BY z.code LIMIT 1"
        )
    ).one()
    today = db_session.execute(text("SELECT CAST(now() AS date)")).scalar_one()
    db_session.execute(
        text("""
        WITH closed AS (
            UPDATE planning_boundaries SET valid_to = :today
            WHERE zone_id = :zone AND valid_to IS NULL RETURNING *)
        INSERT INTO planning_boundaries (zone_id, version, decision_ref, approved_on,
                                         valid_from, geom)
        SELECT zone_id, version + 1, '99/QĐ-TEST', :today, :today,
               ST_Multi(ST_Buffer(geom::geography, 100)::geometry) FROM closed
        """),
        {"zone": zone.id, "today": today},
    )
    db_session.execute(
        text(
            "INSERT INTO report_records (area, admin_version, format, lang, generated_at, "
            "zone_codes) VALUES ('national', :v, 'pdf', 'vi', now() - interval '3 days', "
            "ARRAY['ZZ-GONE'])"
        ),
        {"v": VERSION},
    )
    data = render_national(db_session, Settings(), version=VERSION, fmt="xlsx", lang="en")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = next(s for s in book.worksheets if s.title.startswith("Planning boundaries"))
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == zone.code]
    assert len(rows) == 1 and rows[0][5] == "99/QĐ-TEST"
    assert rows[0][9] > 0 and rows[0][10] == pytest.approx(0, abs=0.01)  # grew, lost nothing
    about = "\n".join(str(c) for r in book["About"].iter_rows(values_only=True) for c in r)
    assert "Data as of" in about
    html = render_national(db_session, Settings(), version=VERSION, fmt="html", lang="en")
    assert b"Zones no longer in the register: ZZ-GONE." in html
    assert b"Compared with the previous report of the same area" in html


def test_pages_offer_the_report_downloads_and_they_are_served(client, db_session, demo_loaded):
    run_analysis(db_session, version=VERSION, today=DEMO_TODAY)
    home = client.get("/", params={"lang": "en"}).text
    links = re.findall(r'href="(/api/reports/national\.(\w+)\?lang=en)"', home)
    assert [fmt for _, fmt in links] == ["pdf", "docx", "xlsx", "html"]
    province = client.get("/provinces/01").text
    editable = re.findall(r'href="(/api/provinces/01/report\.(docx|xlsx)\?lang=vi)"', province)
    assert [fmt for _, fmt in editable] == ["docx", "xlsx"]
    response = client.get(editable[0][0])
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert docx.Document(io.BytesIO(response.content)).paragraphs


def test_zone_page_shows_each_boundary_version_with_ha_added_and_built_share(
    client, db_session, demo_loaded
):
    zone = db_session.execute(
        text(
            "SELECT z.code, prev.area_ha AS before, pb.area_ha AS after, "
            "ST_Area(ST_Difference(pb.geom, prev.geom)::geography) / 10000 AS added "
            "FROM zones z JOIN planning_boundaries pb ON pb.zone_id = z.id "
            "JOIN planning_boundaries prev ON prev.zone_id = z.id "
            "AND prev.version = pb.version - 1 ORDER BY z.code LIMIT 1"
        )
    ).one()
    detail = client.get(f"/api/zones/{zone.code}").json()
    newer = next(b for b in detail["boundaries"] if b["added_ha"] is not None)
    assert newer["added_ha"] == pytest.approx(zone.added, abs=0.01)
    oldest = detail["boundaries"][-1]
    assert oldest["added_ha"] is None and oldest["removed_ha"] is None
    assert all(0 <= (f["built_share"] or 0) <= 1.0001 for f in detail["footprints"])
    page = client.get(f"/zones/{zone.code}").text
    assert "Tăng (ha)" in page and "Tỷ lệ đã xây dựng (%)" in page
    assert f"+{newer['added_ha']:.1f}".replace(".", ",") in page


def test_province_html_names_changes_and_its_route_records_the_report(
    client, db_session, demo_loaded
):
    run_analysis(db_session, version=VERSION, today=DEMO_TODAY)
    before = _count_records(db_session)
    yesterday = db_session.execute(text("SELECT CAST(now() AS date) - 1")).scalar_one()
    html = client.get("/api/provinces/01/report.html", params={"since": str(yesterday)}).text
    assert f"Thay đổi kể từ ngày {yesterday:%d/%m/%Y}" in html
    assert "Khu mới nhập vào cơ sở dữ liệu" in html  # the demo was entered today
    assert _count_records(db_session) == before + 1
    response = client.get("/api/provinces/01/report.pdf", params={"since": "1900-01-01"})
    assert response.status_code == 422 and "before any data" in response.text
    assert _count_records(db_session) == before + 1
