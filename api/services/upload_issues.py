"""The problems of a refused upload as the upload page shows them: each with its stable code,
the rows of the file (1-based), the zone codes of those rows, the field concerned, and the
offending features themselves (EPSG:4326 GeoJSON) so the page can draw them. Issues give
file positions: a feature is found among the kept features or the quarantined ones.

A feature that lies outside Vietnam has no province to derive, so it would also be reported
as missing its province: that is one problem (the CRS), reported once as ``outside_vietnam``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

import geopandas as gpd
import shapely

MAX_ROWS: Final = 50
MAX_DRAWN: Final = 20
_FIELD = re.compile(r"have no (\w+)")


def issue_details(prepared: Any) -> list[dict[str, Any]]:
    """One document per error of ``prepared`` (``code``, ``message``, ``rows``, ``zone_codes``,
    ``field``, ``features``), outside-Vietnam features reported once with what to do."""
    rows = _FileRows(prepared)
    outside = {p for w in prepared.warnings if w.code == "outside_vietnam" for p in w.features} | {
        q.index for q in prepared.quarantine if q.reason == "outside_vietnam"
    }
    details: list[dict[str, Any]] = []
    for issue in prepared.errors:
        field = _field(issue)
        code = issue.code
        if code == "missing_value" and field == "province_code" and outside >= set(issue.features):
            code = "outside_vietnam"
        details.append(_detail(code, issue.message, tuple(issue.features), field, rows))
    return details


def warning_details(prepared: Any) -> list[dict[str, Any]]:
    """The warnings of a preview like `issue_details` (rows, zone codes), without geometries."""
    rows = _FileRows(prepared)
    out = []
    for issue in prepared.warnings:
        detail = _detail(issue.code, issue.message, tuple(issue.features), None, rows)
        detail.pop("features")
        out.append(detail)
    return out


class _FileRows:
    """Zone code and drawable geometry of a feature by its position in the file: the kept
    features (``prepared.features`` at ``prepared.positions``) and the quarantined ones."""

    def __init__(self, prepared: Any) -> None:
        features: gpd.GeoDataFrame = prepared.features
        codes = features.get("code")
        positions = prepared.positions
        if len(positions) != len(features):  # prepared without quarantine: staging order
            positions = range(len(features))
        staged_codes = codes.to_numpy(dtype=object) if codes is not None else [None] * len(features)
        pairs = zip(staged_codes, features.geometry.to_numpy(), strict=True)
        self._rows: dict[int, tuple[Any, Any]] = dict(zip(map(int, positions), pairs, strict=True))
        for q in prepared.quarantine:
            self._rows[q.index] = (q.code, q.geometry)

    def __contains__(self, position: int) -> bool:
        return position in self._rows

    def code(self, position: int) -> str | None:
        code = self._rows[position][0]
        return str(code) if _present(code) else None

    def geometry(self, position: int) -> Any:
        return self._rows[position][1]


def _field(issue: Any) -> str | None:
    found = _FIELD.search(issue.message) if issue.code == "missing_value" else None
    if found:
        return found.group(1)
    found = re.search(r"required field '(\w+)'", issue.message)
    return found.group(1) if found else None


def _detail(
    code: str, message: str, positions: tuple[int, ...], field: str | None, rows: _FileRows
) -> dict[str, Any]:
    shown = [p for p in positions if p in rows][:MAX_ROWS]
    zone_codes = [c for c in (rows.code(p) for p in shown) if c is not None]
    return {
        "code": code,
        "message": message,
        "field": field,
        "rows": [p + 1 for p in shown],
        "zone_codes": zone_codes,
        "features": _drawn(rows, shown[:MAX_DRAWN]),
    }


def _drawn(rows: _FileRows, positions: list[int]) -> dict[str, Any]:
    items = []
    for p in positions:
        geom = rows.geometry(p)
        if geom is None or geom.is_empty or not shapely.is_valid_input(geom):
            continue
        items.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(geom)),
                "properties": {"row": p + 1, "code": rows.code(p), "problem": True},
            }
        )
    return {"type": "FeatureCollection", "features": items}


def _present(value: Any) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and value != value)
        and bool(str(value).strip())
    )
