"""A report as a sequence of blocks (headings, paragraphs, tables, images), written once by
the text layer and laid out by every renderer: HTML, PDF (Typst), DOCX and XLSX. A table keeps
its raw values (the spreadsheet writes numbers as numbers) and formats its cells for the other
formats with ``cell_text``, so the formats cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from geo.formatting import format_date, format_number, format_share

# column kinds: how a raw value is written and how the spreadsheet formats it
KINDS: Final = ("text", "int", "ha", "num", "share", "date")
DIGITS: Final = {"int": 0, "ha": 1, "num": 2}


@dataclass(frozen=True)
class Column:
    """A table column: ``label`` (with its unit, e.g. ``Leased land (ha)``) and its ``kind``."""

    label: str
    kind: str = "text"

    @property
    def is_numeric(self) -> bool:
        return self.kind not in ("text", "date")


@dataclass(frozen=True)
class Table:
    """A table: ``sheet`` names its spreadsheet tab (≤ 31 characters), ``template`` says which
    official form its columns follow (and how closely), ``total`` is an optional last row."""

    sheet: str
    title: str
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    template: str | None = None
    total: list[Any] | None = None
    limit: int | None = None  # rows shown in print formats; the spreadsheet has all of them
    more_text: str = ""


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body, note, bullet


@dataclass(frozen=True)
class Image:
    png: bytes
    caption: str
    width_mm: float = 160.0


Block = Heading | Paragraph | Table | Image


@dataclass(frozen=True)
class Letterhead:
    """The administrative frame of a document (Decree 30/2020/NĐ-CP): agency, number, place
    and date, addressee, recipients and signer. Empty strings leave a line to fill in."""

    agency: str
    parent_agency: str = ""
    number: str = ""
    place: str = ""
    signer_title: str = ""
    signer_name: str = ""
    addressee: str = ""
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportDocument:
    """One report: ``title`` and ``subtitle`` (the trích yếu), ``meta`` (label, value) pairs
    (data date, admin version, analysis, thresholds…), ``notices`` (kind, text), the written
    ``summary`` (findings, conclusions, recommendations as paragraphs), the ``blocks`` and the
    ``sources``."""

    lang: str
    title: str
    subtitle: str
    meta: list[tuple[str, str]]
    notices: list[tuple[str, str]]
    summary: dict[str, list[str]]
    blocks: list[Block]
    sources: list[str]
    generated_on: dt.date
    footer: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def cell_text(value: Any, kind: str, lang: str) -> str:
    """A raw table value as the print formats write it (``–`` when missing).

    Examples
    --------
    >>> cell_text(1234.56, "ha", "vi"), cell_text(0.5, "share", "en"), cell_text(3, "int", "en")
    ('1.234,6', '50.0 %', '3')
    """
    if value is None:
        return "–"
    if kind == "share":
        return format_share(value, lang)
    if kind == "date":
        return format_date(value, lang)
    if kind in DIGITS:
        return format_number(value, lang, digits=DIGITS[kind], trim=False)
    return str(value)


def table_cells(table: Table, lang: str, *, limit: bool = True) -> list[list[str]]:
    """The rows of ``table`` as text (up to ``table.limit`` rows when ``limit``), total last."""
    rows = table.rows[: table.limit] if limit and table.limit else table.rows
    out = [
        [cell_text(v, c.kind, lang) for v, c in zip(row, table.columns, strict=True)]
        for row in rows
    ]
    if table.total is not None:
        out.append(
            [
                cell_text(v, c.kind, lang) if v is not None else ""
                for v, c in zip(table.total, table.columns, strict=True)
            ]
        )
    return out


def hidden_rows(table: Table) -> int:
    """How many rows the print formats leave out (they are all in the spreadsheet)."""
    return max(0, len(table.rows) - table.limit) if table.limit else 0
