"""What ``prepare_upload`` returns: the good features, the quarantined ones and the diagnosis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs.systems import CRSCandidate
from geo.ingest.attribute_text import EncodingSample
from geo.ingest.quarantine import Triage, reason_message
from geo.ingest.validate import Issue, Repair

__all__ = ["PreparedUpload", "QuarantinedFeature", "quarantined_features"]


@dataclass(frozen=True)
class QuarantinedFeature:
    """A feature left out of the commit: where it was in the file, why, and what it held.

    ``geometry`` is where it can be drawn for review (EPSG:4326; for swapped axes the swapped
    position), None when it has no usable position; ``original_wkt`` is the geometry as read
    (in the file's CRS), kept so the feature can be fixed and uploaded again.
    """

    index: int
    fid: Any
    code: str | None
    reason: str
    detail: str
    properties: dict[str, Any]
    geometry: shapely.Geometry | None
    original_wkt: str | None

    @property
    def message(self) -> str:
        """The sentence for people, e.g. "feature 12 (code KCN-01) lies at (0, 0) …"."""
        label = f"feature {self.index}"
        if self.code:
            label += f" (code {self.code})"
        text = f"{label} {reason_message(self.reason)}"
        return text + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class PreparedUpload:
    """Everything a preview shows and a commit needs (features in EPSG:4326, areas in ha).

    ``features`` holds only the features that passed every check (default RangeIndex: the
    staging order); ``positions`` gives each one's position in the file. ``quarantine`` lists
    the others with their reasons, ``diagnosis`` counts every reason ("ok" included).
    ``file_columns`` and ``first_rows`` show the file's own attribute table (the mapping step).
    """

    kind: str
    features: gpd.GeoDataFrame
    source_crs: str
    encoding: str
    layer: str
    layers: tuple[str, ...]
    driver: str
    mapping: dict[str, str]
    repairs: tuple[Repair, ...]
    originals: gpd.GeoSeries
    warnings: tuple[Issue, ...]
    errors: tuple[Issue, ...]
    area_ha: float
    encoding_samples: tuple[EncodingSample, ...]
    crs_candidates: tuple[CRSCandidate, ...] = field(default=())
    quarantine: tuple[QuarantinedFeature, ...] = field(default=())
    diagnosis: dict[str, int] = field(default_factory=dict)
    positions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    columns: dict[str, list[str]] = field(default_factory=dict)
    file_columns: tuple[str, ...] = field(default=())
    first_rows: tuple[dict, ...] = field(default=())

    @property
    def feature_count(self) -> int:
        """Number of features that would be written (the quarantined ones excluded)."""
        return len(self.features)

    @property
    def read_count(self) -> int:
        """Number of features read from the file."""
        return len(self.features) + len(self.quarantine)

    @property
    def is_ok(self) -> bool:
        """True when nothing prevents a commit (quarantined features need the user's consent)."""
        return not self.errors


def quarantined_features(
    triage: Triage,
    attrs: pd.DataFrame,
    codes: pd.Series | None,
    raw_geoms: gpd.GeoSeries,
    fids: tuple | None,
) -> tuple[QuarantinedFeature, ...]:
    """The quarantined features of ``triage`` with the file's attributes and geometries."""
    out = []
    for i in np.flatnonzero(~triage.kept):
        row = attrs.iloc[i]
        code = _plain(codes.iloc[i]) if codes is not None else None
        props = {k: _plain(v) for k, v in row.items() if _plain(v) is not None}
        original = raw_geoms.iloc[i]
        wkt = None if original is None or original.is_empty else shapely.to_wkt(original)
        fid = fids[i] if fids is not None and i < len(fids) else None
        out.append(
            QuarantinedFeature(
                int(i),
                _plain(fid),
                code and str(code),
                str(triage.reasons[i]),
                str(triage.details[i]),
                props,
                triage.shown[i],
                wkt,
            )
        )
    return tuple(out)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return str(value)
