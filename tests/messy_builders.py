"""Builders of messy files as provincial WebGIS portals publish them (issue 14): GeoJSON with
Vietnamese property names, swapped axes, null-island and scale-error points, NaN coordinates,
double-encoded text, road codes and decision numbers; KML with ExtendedData."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Points inside Vĩnh Long (2025 code 86), lon/lat.
VINHLONG = [(105.91 + 0.01 * (i % 7), 10.10 + 0.01 * (i // 7)) for i in range(60)]
GOOD_NAMES = ("Khu công nghiệp Hòa Phú", "Cầu Mỹ Thuận", "Nhịp giản đơn", "Đường tỉnh")


def double_encoded(text: str) -> str:
    """``text`` as a converter that read UTF-8 bytes as CP1252 leaves it ("Nhá»‹p")."""
    from geo.ingest.encoding import decode_bytes

    return decode_bytes(text.encode("utf-8"), "cp1252")


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def square(lon: float, lat: float, size: float = 0.005) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def bowtie(lon: float, lat: float, size: float = 0.005) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat + size], [lon + size, lat], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def write_geojson(path: Path, features: list[dict[str, Any]], **extra: Any) -> Path:
    """Write a FeatureCollection as a portal does: UTF-8, no ``crs`` member, NaN allowed."""
    doc = {"type": "FeatureCollection", **extra, "features": features}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def feature(geometry: dict[str, Any] | None, fid: int | None = None, **props: Any) -> dict:
    out: dict[str, Any] = {"type": "Feature", "properties": props, "geometry": geometry}
    if fid is not None:
        out["id"] = fid
    return out


def portal_points(
    n: int = 40,
    *,
    swapped: int = 0,
    null_island: int = 0,
    scale_errors: int = 0,
    garbled_every: int = 4,
) -> list[dict[str, Any]]:
    """``n`` point features in Vĩnh Long; the first ``swapped`` have lat/lon swapped, then
    ``null_island`` at (0, 0), then ``scale_errors`` with a lost decimal point; one value in
    ``garbled_every`` of "Loại cầu" is double-encoded UTF-8; "Mã đường" holds road codes."""
    features = []
    for i in range(n):
        lon, lat = VINHLONG[i % len(VINHLONG)]
        coords: list[float] = [lon, lat]
        if i < swapped:
            coords = [lat, lon]
        elif i < swapped + null_island:
            coords = [0.0, 0.0]
        elif i < swapped + null_island + scale_errors:
            coords = [lon * 1_000_000, lat]
        kind_text = GOOD_NAMES[i % len(GOOD_NAMES)]
        if garbled_every and i % garbled_every == 0:
            kind_text = double_encoded(kind_text)
        features.append(
            feature(
                {"type": "Point", "coordinates": coords},
                fid=1000 + i,
                **{
                    "Tên khu công nghiệp ": f"Khu công nghiệp Số {i}",
                    "Loại cầu": kind_text,
                    "Mã đường": f"ĐH{60 + i % 9}",
                    "Số quyết định": f"{1200 + i}/QĐ-TTg",
                    "Mã": f"VL-{i:03d}",
                    "Loại": "KCN",
                },
            )
        )
    return features


def kml_with_extended_data(path: Path, rows: list[tuple[str, str, float, float]]) -> Path:
    """A KML whose attributes live in ExtendedData (Data and SchemaData without a Schema)."""
    marks = "".join(
        f"<Placemark><name>{name}</name><ExtendedData>"
        f'<SchemaData schemaUrl="#tinh"><SimpleData name="ten_tinh">{province}</SimpleData>'
        f'<SimpleData name="ma_kcn">K{i}</SimpleData></SchemaData>'
        f'<Data name="loai"><value>KCN</value></Data></ExtendedData>'
        f"<Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>"
        for i, (name, province, lon, lat) in enumerate(rows)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net'
        f'/kml/2.2"><Document>{marks}</Document></kml>',
        encoding="utf-8",
    )
    return path


BILLION_LAUGHS_KML = """<?xml version="1.0"?>
<!DOCTYPE kml [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&g;</name>
<ExtendedData><Data name="ma"><value>&g;</value></Data></ExtendedData>
<Point><coordinates>105.9,10.2</coordinates></Point></Placemark></Document></kml>
"""

EXTERNAL_ENTITY_KML = """<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&x;</name>
<Point><coordinates>105.9,10.2</coordinates></Point></Placemark></Document></kml>
"""
