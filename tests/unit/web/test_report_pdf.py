"""The Typst print report from a hand-made ProvinceReport (no database): page numbers, table
of contents, embedded fonts, both languages, and data that looks like Typst markup."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import unicodedata

import geopandas as gpd
import pytest
from pypdf import PdfReader
from shapely import box

from web.report.model import ProvinceReport
from web.report.pdf import render_province_pdf
from web.report.text import format_number, source_text, zone_cells

PROVINCE = box(105.6, 20.8, 106.0, 21.2)
# characters that mean something in Typst markup or code; a name must print as written
MARKUP_NAME = "Cụm #số [1] *A* _b_ $x$ @ref <l> \\ `c` = ~ Đồng Hới"


def _flag(code: str, zone: str | None, severity: str) -> dict:
    return {
        "zone_code": zone,
        "code": code,
        "severity": severity,
        "message_vi": f"Cảnh báo {code} của khu {zone}: vượt ngưỡng ≥ 5 ha.",
        "message_en": f"Flag {code} of zone {zone}: over the ≥ 5 ha threshold.",
    }


def _report(n_zones: int, *, name_first: str = "Khu công nghiệp Yên Phong") -> ProvinceReport:
    codes = [f"KCN-01-{i:03d}" for i in range(n_zones)]
    names = [name_first, *(f"Khu công nghiệp Ngọc Hồi {i}" for i in range(1, n_zones))][:n_zones]
    shapes = [
        box(
            105.62 + 0.004 * (i % 80),
            20.82 + 0.004 * (i // 80),
            105.623 + 0.004 * (i % 80),
            20.823 + 0.004 * (i // 80),
        )
        for i in range(n_zones)
    ]
    severities = ["critical" if i % 3 == 0 else None for i in range(n_zones)]
    zones = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": names,
            "worst_severity": severities,
            "encroachment": [None] * n_zones,
        },
        geometry=shapes,
        crs=4326,
    )
    rows = [
        {
            "code": code,
            "name": name,
            "kind": "KCN",
            "status": "operating",
            "established_on": dt.date(2010, 5, 1),
            "planned_ha": 120.5,
            "actual_ha": 98.26,
            "iou": 0.81,
            "encroachment_ha": 0.0,
            "occupancy": 0.532,
            "worst_severity": sev,
            "flags": ["ENCROACHMENT"] if sev else [],
        }
        for code, name, sev in zip(codes, names, severities, strict=True)
    ]
    flagged = [
        {**row, "flag_items": [_flag("ENCROACHMENT", row["code"], "critical")]}
        for row in rows
        if row["worst_severity"]
    ]
    empty = gpd.GeoDataFrame({"zone_code": []}, geometry=[], crs=4326)
    return ProvinceReport(
        province={
            "code": "01",
            "name_vi": "Hà Nội",
            "name_en": "Ha Noi",
            "admin_version": "2025-34",
            "area_km2": 3359.8,
        },
        outline=PROVINCE,
        provinces=gpd.GeoDataFrame(
            {"code": ["01"], "name_vi": ["Hà Nội"], "name_en": ["Ha Noi"]},
            geometry=[PROVINCE],
            crs=4326,
        ),
        zones=zones,
        actual=empty,
        clusters=gpd.GeoDataFrame({"cluster_id": []}, geometry=[], crs=4326),
        rows=rows,
        flagged=flagged,
        province_flags=[_flag("DENSITY", None, "warning")],
        summary=_summary(n_zones, len(flagged)),
        sources=[{"kind": "zones", "label": "synthetic", "zones": n_zones, "date": None}],
        run={"id": 7, "finished_at": dt.datetime(2026, 11, 2, 9, 0), "admin_version": "2025-34"},
        generated_on=dt.date(2026, 11, 24),
        is_synthetic=True,
    )


def _summary(n_zones: int, n_flagged: int) -> dict:
    return {
        "zones": n_zones,
        "by_kind": {"KKT": 0, "KCN": n_zones, "CCN": 0},
        "by_status": {"operating": n_zones} if n_zones else {},
        "planned_ha": 120.5 * n_zones,
        "actual_ha": 98.25 * n_zones,
        "industrial_ha": 80.0 * n_zones,
        "leased_ha": 42.0 * n_zones,
        "occupancy": 0.525 if n_zones else None,
        "density_per_1000km2": n_zones / 3.3598,
        "zone_area_ha_per_1000km2": 120.5 * n_zones / 3.3598,
        "nn_mean_m": 350.0,
        "nn_median_m": 330.0,
        "nn_min_m": 310.0,
        "clark_evans_r": 0.42,
        "clark_evans_p": 0.001,
        "clark_evans_meaning": "clustered",
        "flags_by_severity": {"critical": n_flagged, "warning": 1},
        "national": {
            "zones": 74,
            "zones_per_1000km2": 2.1,
            "zone_area_ha_per_1000km2": 310.0,
            "clark_evans_r": 0.9,
            "provinces": 34,
        },
    }


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [unicodedata.normalize("NFC", page.extract_text() or "") for page in reader.pages]


def _titles(outline: list) -> set[str]:
    """Every bookmark title of a (nested) PDF outline."""
    titles = set()
    for item in outline:
        titles |= _titles(item) if isinstance(item, list) else {item["/Title"].strip()}
    return titles


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_province_pdf(_report(90, name_first=MARKUP_NAME), lang="vi")


def test_pdf_typesets_without_warnings(caplog):
    # Typst warns, and still makes a PDF, when a font is missing or the template misuses a rule
    with caplog.at_level(logging.WARNING, logger="web.report.pdf"):
        render_province_pdf(_report(25), lang="vi")
    assert [r.getMessage() for r in caplog.records] == []


def test_pdf_numbers_every_page_out_of_the_total(long_pdf):
    pages = _pages(long_pdf)
    assert len(pages) >= 4
    for number, text in enumerate(pages, start=1):
        assert f"Trang {number} / {len(pages)}" in text
        assert "Hà Nội (01) · 24/11/2026" in text


def test_pdf_long_report_has_a_table_of_contents_with_page_numbers(long_pdf):
    pages = _pages(long_pdf)
    toc = next(text for text in pages if "Mục lục" in text)
    flagged_page = next(
        i for i, text in enumerate(pages, 1) if "Các khu cần chú ý" in text and text is not toc
    )
    assert re.search(rf"Các khu cần chú ý[ .]*{flagged_page}\b", toc)
    bookmarks = _titles(PdfReader(io.BytesIO(long_pdf)).outline)
    assert {"Danh sách các khu", "Các khu cần chú ý", "Nguồn dữ liệu"} <= bookmarks


def test_pdf_prints_markup_like_names_literally_and_every_zone(long_pdf):
    text = "\n".join(_pages(long_pdf))
    assert "#số [1] *A* _b_ $x$ @ref <l>" in text
    assert all(f"KCN-01-{i:03d}" in text for i in range(90))
    assert "vượt ngưỡng ≥ 5 ha" in text


def test_pdf_embeds_every_font_it_uses(long_pdf):
    reader = PdfReader(io.BytesIO(long_pdf))
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            fonts[font["/BaseFont"]] = descendant["/FontDescriptor"].get_object()
    assert any("NotoSans" in name for name in fonts)
    assert {
        name for name, d in fonts.items() if not ({"/FontFile2", "/FontFile3"} & d.keys())
    } == set()


def test_pdf_in_english_on_request():
    pages = _pages(render_province_pdf(_report(3), lang="en"))
    text = "\n".join(pages)
    assert "Zones needing attention" in text and "Ha Noi" in text
    assert f"Page 1 / {len(pages)}" in pages[0]
    assert "Contents" not in text  # a short report has no table of contents


def test_pdf_without_zones_is_short_and_says_so():
    report = _report(0)
    report = ProvinceReport(**{**report.__dict__, "notices": ("report.notice.no_zones",)})
    pages = _pages(render_province_pdf(report, lang="vi"))
    assert 1 <= len(pages) <= 2
    assert "không có khu kinh tế" in "\n".join(pages)


def test_report_text_formats_cells_per_language():
    row = _report(1).rows[0]
    assert zone_cells(row, "vi")[3:] == [
        "Đang hoạt động",
        "01/05/2010",
        "120,5",
        "98,3",
        "0,81",
        "0,0",
        "53,2 %",
        "Lấn ra ngoài ranh giới được duyệt",
    ]
    assert zone_cells(row, "en")[4:6] == ["2010-05-01", "120.5"]
    assert format_number(float("nan"), 1, "vi") == "–"
    source = {
        "kind": "boundaries",
        "label": "ODV",
        "version": "2025-34",
        "date": dt.date(2025, 7, 1),
    }
    assert source_text(source, "vi") == "Ranh giới hành chính 2025-34: ODV (hiệu lực từ 01/07/2025)"
