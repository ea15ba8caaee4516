"""The tables of a report document as a spreadsheet: one sheet per table, numbers as numbers
(units in the headers, shares as percentages), frozen header rows, and a sheet for the
document's metadata and sources."""

from __future__ import annotations

import io
import re
from functools import partial

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from web.i18n import translate
from web.report_document import ReportDocument, Table

NUMBER_FORMATS = {"int": "#,##0", "ha": "#,##0.0", "num": "#,##0.00", "share": "0.0%",
                  "date": "yyyy-mm-dd"}  # fmt: skip
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_INVALID = re.compile(r"[\[\]:*?/\\]")


def render_xlsx(doc: ReportDocument) -> bytes:
    """The document's tables as XLSX bytes; the first sheet says what the file is."""
    book = Workbook()
    about = book.active
    _about(about, doc)
    used = {about.title}
    for table in doc.tables():
        _sheet(book.create_sheet(_sheet_name(table.sheet, used)), table)
    _sources(book.create_sheet(_sheet_name(translate("doc.sheet_sources", doc.lang), used)), doc)
    out = io.BytesIO()
    book.properties.title = doc.title
    book.save(out)
    return out.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    base = _INVALID.sub(" ", name)[:28].strip() or "Sheet"
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base} {number}", number + 1
    used.add(candidate)
    return candidate


def _about(sheet, doc: ReportDocument) -> None:  # noqa: ANN001
    t = partial(translate, lang=doc.lang)
    sheet.title = t("doc.sheet_about")[:31]
    sheet.append([doc.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([doc.subtitle])
    for label, value in doc.meta:
        sheet.append([label, value])
    for _kind, text in doc.notices:
        sheet.append([text])
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 90


def _sheet(sheet, table: Table) -> None:  # noqa: ANN001
    sheet.append([c.label for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        sheet.append(list(row))
    if table.total is not None:
        sheet.append(list(table.total))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 14 if column.is_numeric else 28
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    if table.template:
        sheet.cell(row=sheet.max_row + 2, column=1, value=table.template)


def _sources(sheet, doc: ReportDocument) -> None:  # noqa: ANN001
    sheet.append([translate("doc.sources", doc.lang)])
    sheet["A1"].font = Font(bold=True, color="FFFFFF")
    sheet["A1"].fill = HEADER_FILL
    for source in doc.sources:
        sheet.append([source])
    for label, value in doc.meta:
        sheet.append([f"{label}: {value}"])
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 120
