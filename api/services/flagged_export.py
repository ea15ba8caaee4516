"""The flagged zones of the map's side panel as a file: CSV, XLSX or GeoJSON.

The rows are the panel's (same filters, same order), every page at once. Columns carry their
unit (``planned_area_ha``); flags are listed by code (stable, for machines) and by name in the
chosen language (for people). CSV is UTF-8 with a byte-order mark so that spreadsheet programs
read the Vietnamese names correctly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, Final

from web.i18n import translate
from web.i18n.flags import flag_title

EXPORT_FORMATS: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
COLUMNS: Final = (
    "code",
    "name",
    "kind",
    "province_code",
    "province_name",
    "planned_area_ha",
    "worst_severity",
    "flag_codes",
    "flags",
    "lon",
    "lat",
)


def export_rows(rows: Sequence[dict[str, Any]], *, lang: str) -> list[dict[str, Any]]:
    """One flat record per zone, in `COLUMNS` order."""
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "kind": r["kind"],
            "province_code": r["province_code"],
            "province_name": r.get("province_name"),
            "planned_area_ha": r.get("planned_area_ha"),
            "worst_severity": translate(f"severity.{r['worst']}", lang),
            "flag_codes": ";".join(r["flags"] or []),
            "flags": "; ".join(flag_title(c, lang) for c in r["flags"] or []),
            "lon": r.get("lon"),
            "lat": r.get("lat"),
        }
        for r in rows
    ]


def export_flagged(rows: Sequence[dict[str, Any]], *, fmt: str, lang: str) -> bytes:
    """``rows`` (with ``geometry`` for GeoJSON) as the bytes of a ``fmt`` file."""
    records = export_rows(rows, lang=lang)
    if fmt == "csv":
        return _csv(records)
    if fmt == "xlsx":
        return _xlsx(records)
    if fmt == "geojson":
        return _geojson(records, [r.get("geometry") for r in rows])
    raise ValueError(f"unknown export format {fmt!r}; use one of {sorted(EXPORT_FORMATS)}")


def _csv(records: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(records: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook  # loaded only when a spreadsheet is asked for

    book = Workbook(write_only=True)
    sheet = book.create_sheet("flagged_zones")
    sheet.append(list(COLUMNS))
    for record in records:
        sheet.append([record[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _geojson(records: list[dict[str, Any]], geometries: list[str | None]) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": record,
            "geometry": json.loads(geometry) if geometry else None,
        }
        for record, geometry in zip(records, geometries, strict=True)
    ]
    document = {"type": "FeatureCollection", "features": features}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
