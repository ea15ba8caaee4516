"""What GDAL leaves out of text formats: NUL characters in GeoJSON, KML ``ExtendedData``.

* GDAL cuts a GeoJSON string at an escaped NUL (``"Khu\\u0000 công nghiệp"`` is read as
  ``"Khu"``). ``restore_nul_values`` reads the properties again with Python's JSON parser when
  the file holds such an escape, so nothing is lost silently (the control characters are then
  removed with a warning by ``geo.ingest.attribute_text``).
* GDAL's LIBKML driver exposes ``SchemaData`` fields only when their ``Schema`` is declared, and
  never plain ``Data`` elements. ``add_extended_data`` adds both as ordinary columns.

The KML is parsed only after GDAL has read it, and a document type declaration (the carrier of
entity expansion and external entities) is refused before any parsing.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import CorruptFileError

__all__ = ["add_extended_data", "restore_nul_values"]

_NUL_ESCAPES = (b"\\u0000", b"\\U0000")
_KML_NS = "{http://www.opengis.net/kml/2.2}"


def restore_nul_values(path: Path, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Text properties of a GeoJSON file exactly as written when a NUL escape cut GDAL's copy."""
    data = path.read_bytes()
    if not any(escape in data for escape in _NUL_ESCAPES):
        return frame
    try:
        features = json.loads(data).get("features") or []
    except (ValueError, AttributeError):
        return frame
    if len(features) != len(frame):
        return frame
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        values = [(f.get("properties") or {}).get(column) for f in features]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            out[column] = pd.Series(values, index=out.index, dtype=object)
    return out


def add_extended_data(path: Path, frame: gpd.GeoDataFrame, *, layers: int) -> gpd.GeoDataFrame:
    """Add the ``ExtendedData`` fields GDAL did not expose as columns (single-layer KML only)."""
    data = path.read_bytes()
    if b"ExtendedData" not in data or layers != 1:
        return frame
    rows = _placemark_data(data, path.name)
    if len(rows) != len(frame):
        return frame
    out = frame.copy()
    names = list(dict.fromkeys(name for row in rows for name in row))
    for name in names:
        if name not in out.columns:
            out.insert(len(out.columns) - 1, name, [row.get(name) for row in rows])
    return out


def _placemark_data(data: bytes, name: str) -> list[dict[str, str | None]]:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise CorruptFileError(
            f"{name} declares a document type or entities, which a KML file never needs "
            "(and which can hide an attack). Export the KML again without them.",
        )
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DOCTYPE, so no entity expansion
    except ET.ParseError as exc:
        raise CorruptFileError(f"{name} is not well-formed XML ({exc}).") from exc
    rows = []
    for placemark in root.iter(f"{_KML_NS}Placemark"):
        row: dict[str, str | None] = {}
        for element in placemark.iter():
            tag = element.tag.removeprefix(_KML_NS)
            if tag == "Data" and element.get("name"):
                value = element.find(f"{_KML_NS}value")
                row[element.get("name", "")] = value.text if value is not None else None
            elif tag == "SimpleData" and element.get("name"):
                row[element.get("name", "")] = element.text
        rows.append(row)
    return rows
