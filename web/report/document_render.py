"""A report document (``web.report.document``) as HTML or as an A4 PDF typeset by Typst;
both read the same prepared blocks, as the DOCX and XLSX renderers do."""

from __future__ import annotations

import json
import tempfile
from functools import cache, partial
from pathlib import Path
from typing import Any, Final

from web.env import TEMPLATES_DIR, make_env
from web.i18n import LABELS, translate
from web.report.document import (
    Block,
    Heading,
    Image,
    Paragraph,
    ReportDocument,
    Table,
    hidden_rows,
    table_cells,
)
from web.report.html import PNG, data_uri
from web.report.pdf import _typeset

TEMPLATE: Final = TEMPLATES_DIR / "report" / "document.typ"


def render_document_html(doc: ReportDocument) -> str:
    """One self-contained HTML page (images as data URIs, no external URL)."""
    blocks = prepared_blocks(doc.blocks, doc.lang, images={})
    return (
        make_env()
        .get_template("report/document.html")
        .render(doc=doc, blocks=blocks, lang=doc.lang, t=partial(translate, lang=doc.lang))
    )


def render_document_pdf(doc: ReportDocument) -> bytes:
    """The document as PDF bytes (A4, Noto Sans, page numbers, bookmarks)."""
    with tempfile.TemporaryDirectory(prefix="zonemap-report-") as folder:
        root = Path(folder)
        files: dict[int, str] = {}
        for number, block in enumerate(doc.blocks):
            if isinstance(block, Image):
                files[number] = f"image-{number}.png"
                (root / files[number]).write_bytes(block.png)
        data = {
            "lang": doc.lang,
            "title": doc.title,
            "subtitle": doc.subtitle,
            "meta": doc.meta,
            "notices": doc.notices,
            "summary": doc.summary,
            "sources": doc.sources,
            "footer": doc.footer,
            "labels": dict(LABELS[doc.lang]),
            "blocks": prepared_blocks(doc.blocks, doc.lang, images=files),
        }
        (root / "data.json").write_text(json.dumps(data, ensure_ascii=False, default=str), "utf-8")
        (root / "main.typ").write_text(_template(), "utf-8")
        return _typeset(root / "main.typ", root)


def prepared_blocks(
    blocks: list[Block], lang: str, *, images: dict[int, str]
) -> list[dict[str, Any]]:
    """Blocks as plain dicts; an image is a file name from ``images`` (PDF) or a data URI."""
    out: list[dict[str, Any]] = []
    for number, block in enumerate(blocks):
        if isinstance(block, Heading):
            out.append({"type": "heading", "text": block.text, "level": block.level})
        elif isinstance(block, Paragraph):
            out.append({"type": "paragraph", "text": block.text, "style": block.style})
        elif isinstance(block, Image):
            out.append(
                {
                    "type": "image",
                    "caption": block.caption,
                    "width_mm": block.width_mm,
                    "file": images.get(number),
                    "uri": None if number in images else data_uri(block.png, PNG),
                }
            )
        elif isinstance(block, Table):
            hidden = hidden_rows(block)
            out.append(
                {
                    "type": "table",
                    "title": block.title,
                    "template": block.template,
                    "columns": [(c.label, c.is_numeric) for c in block.columns],
                    "cells": table_cells(block, lang) if block.rows else [],
                    "more": block.more_text.format(n=hidden) if hidden else None,
                }
            )
    return out


@cache
def _template() -> str:
    return TEMPLATE.read_text("utf-8")
