"""A report document as an editable Word file laid out as a Vietnamese administrative
document (Decree 30/2020/NĐ-CP): agency and number on the left, the national motto (Quốc
hiệu) and the motto (Tiêu ngữ) on the right, place and date, the kind and summary of the
document, "Kính gửi", the body with real Word headings, tables and images, then the
recipients ("Nơi nhận") and the signature block. Times New Roman, A4, margins 20/20/30/15 mm.
"""

from __future__ import annotations

import io
from functools import partial

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from web.i18n import translate
from web.report.document import (
    Heading,
    Image,
    Letterhead,
    Paragraph,
    ReportDocument,
    Table,
    hidden_rows,
    table_cells,
)

FONT = "Times New Roman"


def render_docx(doc: ReportDocument, letterhead: Letterhead) -> bytes:
    """The document as DOCX bytes."""
    word = Document()
    _page_and_fonts(word)
    _header(word, doc, letterhead)
    _summary(word, doc)
    for block in doc.blocks:
        _block(word, block, doc.lang)
    _sources(word, doc)
    _closing(word, doc, letterhead)
    out = io.BytesIO()
    word.core_properties.title = doc.title
    word.core_properties.author = letterhead.agency or "zonemap"
    word.save(out)
    return out.getvalue()


def _page_and_fonts(word: Document) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title", "Caption"):
        style = word.styles[name]
        style.font.name = FONT
        style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
        style.font.color.rgb = RGBColor(0, 0, 0)
    word.styles["Normal"].font.size = Pt(13)
    word.styles["Heading 1"].font.size = Pt(13)
    word.styles["Heading 2"].font.size = Pt(13)
    word.styles["Heading 2"].font.italic = True


def _line(
    cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 13,
    underline: bool = False,
    upper: bool = False,
) -> None:  # noqa: ANN001
    par = (
        cell.add_paragraph()
        if cell.paragraphs[0].text or len(cell.paragraphs) > 1
        else cell.paragraphs[0]
    )
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.paragraph_format.space_after = Pt(0)
    run = par.add_run(text.upper() if upper else text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)


def _header(word: Document, doc: ReportDocument, head: Letterhead) -> None:
    t = partial(translate, lang=doc.lang)
    table = word.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    if head.parent_agency:
        _line(left, head.parent_agency, size=12, upper=True)
    _line(left, head.agency, bold=True, size=12, upper=True, underline=True)
    _line(left, t("doc.number").format(number=head.number), size=13)
    _line(right, t("doc.national_motto"), bold=True, size=12)
    _line(right, t("doc.motto"), bold=True, size=13, underline=True)
    day = doc.generated_on
    date = t("doc.date").format(place=head.place, day=day.day, month=day.month, year=day.year)
    _line(right, date, italic=True, size=13)
    _centered(word, t("doc.kind"), bold=True, size=14, before=12)
    _centered(word, doc.subtitle, bold=True, size=14)
    if head.addressee:
        _centered(word, t("doc.addressee").format(addressee=head.addressee), size=14, before=6)
    for label, value in doc.meta:
        par = word.add_paragraph()
        par.add_run(f"{label}: ").italic = True
        par.add_run(value)
        par.paragraph_format.space_after = Pt(0)
    for _kind, text in doc.notices:
        par = word.add_paragraph()
        run = par.add_run(text)
        run.bold = True
    note = word.add_paragraph()
    note.add_run(t("doc.draft_note")).italic = True


def _centered(
    word: Document, text: str, *, bold: bool = False, size: float = 13, before: float = 0
) -> None:
    par = word.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.paragraph_format.space_before = Pt(before)
    run = par.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _summary(word: Document, doc: ReportDocument) -> None:
    t = partial(translate, lang=doc.lang)
    word.add_heading(t("doc.summary"), level=1)
    for key, label in (
        ("findings", "doc.findings"),
        ("conclusions", "doc.conclusions"),
        ("recommendations", "doc.recommendations"),
    ):
        word.add_heading(t(label), level=2)
        for text in doc.summary.get(key, []):
            par = word.add_paragraph(text, style="List Bullet" if key != "findings" else None)
            par.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _block(word: Document, block: object, lang: str) -> None:
    if isinstance(block, Heading):
        word.add_heading(block.text, level=min(block.level, 3))
    elif isinstance(block, Paragraph):
        par = word.add_paragraph(block.text)
        par.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if block.style == "note":
            for run in par.runs:
                run.italic = True
    elif isinstance(block, Image):
        word.add_picture(io.BytesIO(block.png), width=Mm(min(block.width_mm, 160)))
        word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        word.add_paragraph(block.caption, style="Caption")
    elif isinstance(block, Table):
        _table(word, block, lang)


def _table(word: Document, table: Table, lang: str) -> None:
    t = partial(translate, lang=lang)
    word.add_paragraph().add_run(table.title).bold = True
    if not table.rows:
        word.add_paragraph(t("ch.empty"))
        return
    size = Pt(8 if len(table.columns) > 8 else 10)
    cells = table_cells(table, lang)
    grid = word.add_table(rows=1 + len(cells), cols=len(table.columns))
    grid.style = "Table Grid"
    for index, column in enumerate(table.columns):
        _cell(grid.rows[0].cells[index], column.label, size, bold=True, right=False)
    for r, row in enumerate(cells, start=1):
        is_total = table.total is not None and r == len(cells)
        for c, text in enumerate(row):
            _cell(
                grid.rows[r].cells[c], text, size, bold=is_total, right=table.columns[c].is_numeric
            )
    hidden = hidden_rows(table)
    if hidden:
        word.add_paragraph(table.more_text.format(n=hidden)).runs[0].italic = True
    if table.template:
        par = word.add_paragraph()
        par.add_run(f"{t('doc.template')}: ").italic = True
        par.add_run(table.template).italic = True
        for run in par.runs:
            run.font.size = Pt(10)


def _cell(cell, text: str, size: Pt, *, bold: bool, right: bool) -> None:  # noqa: ANN001
    par = cell.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    run = par.add_run(text)
    run.bold = bold
    run.font.size = size


def _sources(word: Document, doc: ReportDocument) -> None:
    word.add_heading(translate("doc.sources", doc.lang), level=1)
    for source in doc.sources:
        word.add_paragraph(source, style="List Bullet")


def _closing(word: Document, doc: ReportDocument, head: Letterhead) -> None:
    t = partial(translate, lang=doc.lang)
    table = word.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    par = left.paragraphs[0]
    run = par.add_run(t("doc.recipients"))
    run.bold, run.italic = True, True
    run.font.size = Pt(12)
    for recipient in head.recipients:
        line = left.add_paragraph()
        line.paragraph_format.space_after = Pt(0)
        line.add_run(f"- {recipient};").font.size = Pt(11)
    _line(right, head.signer_title, bold=True, size=13, upper=True)
    for _ in range(4):
        _line(right, "", size=13)
    _line(right, head.signer_name, bold=True, size=13)
