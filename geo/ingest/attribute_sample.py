"""The first rows of an uploaded file's attribute table, as text, for the mapping step."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

MAX_CELL_CHARS = 60


def first_rows(frame: pd.DataFrame, *, n: int = 5) -> tuple[tuple[str, ...], tuple[dict, ...]]:
    """The file's attribute columns (geometry left out) and its first ``n`` rows as text.

    Empty values are ``""``; long texts are cut to ``MAX_CELL_CHARS`` characters.

    Examples
    --------
    >>> columns, rows = first_rows(pd.DataFrame({"MA": ["A1", "A2"], "DT": [12.5, None]}), n=1)
    >>> columns, rows
    (('MA', 'DT'), ({'MA': 'A1', 'DT': '12.5'},))
    """
    geometry = getattr(frame, "_geometry_column_name", None)
    columns = tuple(str(c) for c in frame.columns if c != geometry)
    rows = tuple(
        {column: _text(value) for column, value in zip(columns, values, strict=True)}
        for values in frame.loc[:, [c for c in frame.columns if c != geometry]]
        .head(n)
        .itertuples(index=False, name=None)
    )
    return columns, rows


def _text(value: Any) -> str:
    if value is None or isinstance(value, float) and math.isnan(value) or value is pd.NaT:
        return ""
    text = str(value)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"
