"""Checks of the mapped attribute values of an upload: required fields, codes, kinds, lengths,
and the declared province against the province where the geometry lies."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.ingest.mapping import REQUIRED_BY_KIND, describe_columns
from geo.ingest.quarantine import list_positions
from geo.ingest.validate import Issue, check_duplicate_codes
from geo.types import ZONE_KINDS

__all__ = ["MAX_TEXT_CHARS", "field_errors", "province_mismatch"]

#: Longest accepted text per field (characters); longer values are refused, not cut.
MAX_TEXT_CHARS = {"name": 300, "code": 64, "decision_ref": 200, "investor": 500, "source": 200}


def field_errors(
    features: gpd.GeoDataFrame, kind: str, positions: np.ndarray, columns: Mapping[str, list[str]]
) -> list[Issue]:
    """Problems of the mapped values that forbid a commit (positions are file positions)."""
    errors: list[Issue] = []
    for name in REQUIRED_BY_KIND[kind] + (("province_code",) if kind == "zones" else ()):
        if name not in features:
            errors.append(
                Issue(
                    "missing_field",
                    f"No column gives the required field {name!r}. "
                    f"Choose the column that holds it; {describe_columns(columns)}",
                )
            )
            continue
        if name == "code":
            continue
        empty = positions[features[name].isna().to_numpy()]
        if empty.size:
            errors.append(
                Issue(
                    "missing_value",
                    f"{empty.size} feature(s) have no {name} (features {list_positions(empty)}).",
                    tuple(int(i) for i in empty),
                )
            )
    if "code" in features:
        errors += [_positioned(e, positions) for e in check_duplicate_codes(features["code"])]
    if kind == "zones" and "kind" in features:
        bad = features["kind"].notna() & ~features["kind"].isin(ZONE_KINDS)
        if bad.any():
            errors.append(
                Issue(
                    "invalid_kind",
                    f"{int(bad.sum())} feature(s) have a kind other than KKT, KCN or CCN.",
                )
            )
    return errors + _too_long(features, positions)


def _positioned(issue: Issue, positions: np.ndarray) -> Issue:
    return Issue(issue.code, issue.message, tuple(int(positions[i]) for i in issue.features))


def _too_long(features: pd.DataFrame, positions: np.ndarray) -> list[Issue]:
    errors = []
    for name, limit in MAX_TEXT_CHARS.items():
        if name not in features:
            continue
        lengths = features[name].map(lambda v: len(v) if isinstance(v, str) else 0).to_numpy()
        where = positions[lengths > limit]
        if where.size:
            errors.append(
                Issue(
                    "value_too_long",
                    f"{where.size} feature(s) have a {name} longer than {limit} "
                    f"characters (the longest has {int(lengths.max()):,}; features "
                    f"{list_positions(where)}). Shorten them: nothing is cut silently.",
                    tuple(int(i) for i in where),
                )
            )
    return errors


def province_mismatch(
    declared: pd.Series, located: pd.Series, positions: np.ndarray
) -> Issue | None:
    """A warning naming the features whose declared province is not where their geometry lies.

    ``located`` is the province holding most of each geometry (None without geometry).
    """
    both = declared.notna() & located.notna()
    differ = both & (declared.astype(object) != located.astype(object))
    if not differ.any():
        return None
    where = positions[differ.to_numpy()]
    pairs = sorted({f"{d}→{g}" for d, g in zip(declared[differ], located[differ], strict=True)})
    return Issue(
        "province_mismatch",
        f"{where.size} feature(s) declare a province other than the one "
        f"holding most of their geometry (declared→located: {', '.join(pairs[:10])}; features "
        f"{list_positions(where)}). The province of the geometry counts for permissions; "
        "correct the province column or the geometry.",
        tuple(int(i) for i in where),
    )
