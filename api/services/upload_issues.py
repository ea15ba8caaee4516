"""The problems of a refused upload as the upload page shows them: each with its stable code,
the rows of the file (1-based), the zone codes of those rows, the field concerned, and the
offending features themselves (EPSG:4326 GeoJSON) so the page can draw them.

A feature that lies outside Vietnam has no province to derive, so it would also be reported
as missing its province: that is one problem (the CRS), reported once as ``outside_vietnam``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Final

import geopandas as gpd
import shapely

MAX_ROWS: Final = 50
MAX_DRAWN: Final = 20
_FIELD = re.compile(r"have no (\w+)")


def issue_details(
    errors: Sequence[Any], warnings: Sequence[Any], features: gpd.GeoDataFrame
) -> list[dict[str, Any]]:
    """One document per error (``code``, ``message``, ``rows``, ``zone_codes``, ``field``,
    ``features``), outside-Vietnam features reported once with what to do."""
    outside = next((set(w.features) for w in warnings if w.code == "outside_vietnam"), set())
    details: list[dict[str, Any]] = []
    for issue in errors:
        field = _field(issue)
        code = issue.code
        if code == "missing_value" and field == "province_code" and outside >= set(issue.features):
            code = "outside_vietnam"
        details.append(_detail(code, issue.message, tuple(issue.features), field, features))
    return details


def _field(issue: Any) -> str | None:
    found = _FIELD.search(issue.message) if issue.code == "missing_value" else None
    if found:
        return found.group(1)
    found = re.search(r"required field '(\w+)'", issue.message)
    return found.group(1) if found else None


def _detail(code: str, message: str, positions: tuple[int, ...], field: str | None,
            features: gpd.GeoDataFrame) -> dict[str, Any]:  # fmt: skip
    shown = [p for p in positions if 0 <= p < len(features)][:MAX_ROWS]
    codes = features.get("code")
    zone_codes = [
        str(codes.iloc[p]) for p in shown if codes is not None and _present(codes.iloc[p])
    ]
    return {
        "code": code, "message": message, "field": field, "rows": [p + 1 for p in shown],
        "zone_codes": zone_codes, "features": _drawn(features, shown[:MAX_DRAWN]),
    }  # fmt: skip


def _drawn(features: gpd.GeoDataFrame, positions: list[int]) -> dict[str, Any]:
    items = []
    for p in positions:
        geom = features.geometry.iloc[p]
        if geom is None or geom.is_empty or not shapely.is_valid_input(geom):
            continue
        code = features["code"].iloc[p] if "code" in features else None
        items.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(geom)),
                      "properties": {"row": p + 1, "code": code if _present(code) else None,
                                     "problem": True}})  # fmt: skip
    return {"type": "FeatureCollection", "features": items}


def _present(value: Any) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and value != value)
        and bool(str(value).strip())
    )


def warning_details(warnings: Sequence[Any], features: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """The warnings of a preview like `issue_details` (rows, zone codes), without geometries."""
    out = []
    for issue in warnings:
        detail = _detail(issue.code, issue.message, tuple(issue.features), None, features)
        detail.pop("features")
        out.append(detail)
    return out
