"""The pure upload pipeline: file in, decoded, mapped, reprojected and checked features out.

``prepare_upload`` reads a file (``geo.ingest.io``), decodes its text
(``geo.ingest.attribute_text``), maps its columns (``geo.ingest.mapping``), settles the CRS
(``.prj``, a user-given CRS, or a ranked guess that must be accepted explicitly), reprojects to
EPSG:4326 (VN-2000 always with the official QĐ 05/2007 transformation of ``geo.ingest.vn2000``,
never PROJ's default), checks and repairs geometries (``geo.ingest.validate``) and derives missing
province codes. Nothing is written anywhere: the caller (``api.services.uploads``) previews and
commits the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo.errors import CoordinatesCRSMismatchError, CRSUndeterminedError
from geo.ingest.attribute_text import EncodingSample, decode_attributes
from geo.ingest.crs import (
    CRSCandidate,
    describe_crs,
    official_vn2000_crs,
    parse_crs,
    rank_crs_candidates,
)
from geo.ingest.io import RawLayer, ReadLimits, read_layer
from geo.ingest.mapping import REQUIRED_BY_KIND, apply_mapping, propose_mapping
from geo.ingest.province_lookup import province_codes_from_geometry, province_codes_from_text
from geo.ingest.validate import (
    Issue,
    Repair,
    areas_ha,
    check_duplicate_codes,
    check_geometries,
    reproject,
)
from geo.types import ZONE_KINDS

__all__ = ["KINDS", "PreparedUpload", "check_coordinates", "prepare_upload", "settle_crs"]

KINDS = ("zones", "planned", "actual")
_GUESS_SHOWN = 5
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class PreparedUpload:
    """Everything a preview shows and a commit needs (features in EPSG:4326, areas in ha)."""

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

    @property
    def feature_count(self) -> int:
        """Number of features read."""
        return len(self.features)

    @property
    def is_ok(self) -> bool:
        """True when nothing prevents a commit."""
        return not self.errors


def prepare_upload(
    path: str | Path,
    *,
    kind: str,
    crs: str | None = None,
    encoding: str | None = None,
    mapping: Mapping[str, str] | None = None,
    layer: str | None = None,
    accept_crs_guess: bool = False,
    provinces: gpd.GeoDataFrame | None = None,
    defaults: Mapping[str, Any] | None = None,
    limits: ReadLimits | None = None,
    progress: Progress | None = None,
) -> PreparedUpload:
    """Read, decode, map, reproject and check an uploaded GIS file.

    Parameters
    ----------
    path : str or Path
        Zipped shapefile(s), GeoPackage, GeoJSON or KML/KMZ.
    kind : str
        "zones", "planned" (planning boundaries) or "actual" (footprints).
    crs : str, optional
        Overrides the file's CRS ("EPSG:9210", "VN2000-TM3-105.75", WKT, PROJ…).
    encoding : str, optional
        Overrides text-encoding detection (utf-8, cp1258, tcvn3, vni, cp1252).
    mapping : mapping, optional
        ``{field: column}`` entries that override the proposed mapping.
    layer : str, optional
        The layer to read when the file holds several.
    accept_crs_guess : bool
        Use the best-ranked CRS when the file has none (otherwise refuse with the ranking).
    provinces : GeoDataFrame, optional
        Current province boundaries (EPSG:4326, ``code``, ``name_vi``) used to rank CRS guesses
        and to derive or read province codes.
    defaults : mapping, optional
        Values for fields the file lacks (e.g. ``source``, ``observed_on``, ``decision_ref``).
    limits : ReadLimits, optional
        File and archive size limits.
    progress : callable, optional
        Called with (stage name, fraction done in [0, 1]).

    Returns
    -------
    PreparedUpload
        ``errors`` lists the problems that forbid a commit (wrong geometry type, missing
        fields, duplicate codes…); file, CRS and encoding problems raise instead.

    Raises
    ------
    GeoError
        ``UploadFileError`` subclasses, ``CRSUndeterminedError``, ``UnknownCRSError``,
        ``CoordinatesCRSMismatchError``, ``EncodingAmbiguousError``, ``MappingError``.
    """
    report = progress or (lambda _stage, _fraction: None)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    report("read", 0.0)
    raw = read_layer(path, layer=layer, limits=limits)
    report("decode", 0.2)
    text = decode_attributes(raw, encoding=encoding)
    proposal = propose_mapping(_attribute_columns(raw), kind=kind, given=mapping)
    attrs, notes = apply_mapping(text.frame, proposal)
    report("reproject", 0.4)
    source_crs, candidates, crs_notes = settle_crs(raw, crs, accept_crs_guess, provinces)
    geoms = _to_storage(raw, source_crs)
    report("validate", 0.6)
    checked = check_geometries(gpd.GeoDataFrame(geometry=geoms.reset_index(drop=True)), kind=kind)
    features = _assemble(attrs.reset_index(drop=True), checked.features, kind, defaults, provinces)
    errors = [*checked.errors, *_field_errors(features, kind)]
    report("area", 0.8)
    features["area_ha"] = areas_ha(features.geometry)
    warnings = [*checked.warnings, *_notes(text.warnings, raw.warnings, notes, crs_notes)]
    if kind == "zones" and "province_code" not in proposal and "province_code" in features:
        warnings.append(
            Issue(
                "province_derived",
                "No province column: each zone's province was "
                "derived from its geometry (the province holding most of it).",
            )
        )
    _check_all_outside(checked.warnings, len(features), source_crs)
    report("done", 1.0)
    return PreparedUpload(
        kind, features, describe_crs(source_crs), text.encoding, raw.layer, raw.layers,
        raw.driver, dict(proposal), checked.repairs, checked.originals, tuple(warnings),
        tuple(errors), float(features["area_ha"].sum()), text.samples, tuple(candidates),
    )  # fmt: skip


def _attribute_columns(raw: RawLayer) -> list[str]:
    return [str(c) for c in raw.frame.columns if c != raw.frame.geometry.name]


def _notes(*groups: tuple[str, ...] | list[str]) -> list[Issue]:
    return [Issue("note", message) for group in groups for message in group]


def settle_crs(
    raw: RawLayer, given: str | None, accept_guess: bool, provinces: gpd.GeoDataFrame | None
) -> tuple[pyproj.CRS, list[CRSCandidate], list[str]]:
    """The layer's CRS: the one given, else its own, else the best guess when accepted.

    Without either, ``CRSUndeterminedError`` lists the ranked guesses (from ``raw.frame``).
    """
    if given:
        return official_vn2000_crs(parse_crs(given)), [], []
    if raw.crs is not None:
        return official_vn2000_crs(pyproj.CRS.from_user_input(raw.crs)), [], []
    candidates = _rank(raw, provinces)
    if accept_guess and candidates and candidates[0].score > 0:
        best = candidates[0]
        note = f"No .prj: the best guess {best.name} was used as accepted ({best.reason})."
        return best.crs, candidates, [note]
    shown = "\n".join(f"  {c.name:<20} score {c.score:.2f}  ({c.reason})"
                      for c in candidates[:_GUESS_SHOWN])  # fmt: skip
    raise CRSUndeterminedError(
        f"The layer {raw.layer} has no .prj, so its coordinate system is unknown. "
        + (f"Most likely:\n{shown}\n" if shown else "Its coordinates fit no CRS used in Vietnam. ")
        + "Pass --crs (e.g. --crs VN2000-TM3-105.75 or --crs EPSG:4326), or --accept-crs-guess "
        "to use the first one.",
        details={"candidates": [{"crs": c.name, "score": c.score} for c in candidates[:10]]},
    )


def _rank(raw: RawLayer, provinces: gpd.GeoDataFrame | None) -> list[CRSCandidate]:
    if provinces is None:
        return []
    return rank_crs_candidates(raw.frame, provinces=provinces)


def _to_storage(raw: RawLayer, source_crs: pyproj.CRS) -> gpd.GeoSeries:
    geoms = raw.frame.geometry.set_crs(source_crs, allow_override=True)
    check_coordinates(geoms, source_crs)
    return reproject(geoms, 4326)


def check_coordinates(geoms: gpd.GeoSeries, crs: pyproj.CRS) -> None:
    """Refuse coordinates that cannot be in ``crs`` (metres read as degrees or the reverse)."""
    bounds = geoms.total_bounds
    if np.isnan(bounds).any():
        return
    biggest = float(np.abs(bounds).max())
    if crs.is_geographic and biggest > 180.0:
        raise CoordinatesCRSMismatchError(
            f"The coordinates reach {biggest:,.0f}, which cannot be degrees, but the CRS "
            f"({crs.name}) is geographic. They look like metres: pass the projected CRS with "
            "--crs (e.g. --crs VN2000-TM3-105.75 or VN2000-UTM48).",
            details={"bounds": bounds.tolist()},
        )
    if crs.is_projected and biggest <= 180.0:
        raise CoordinatesCRSMismatchError(
            f"The coordinates stay within ±{biggest:.1f}, which look like degrees, but the CRS "
            f"({crs.name}) is in metres. Pass --crs EPSG:4326 (or VN2000) instead.",
            details={"bounds": bounds.tolist()},
        )


def _check_all_outside(warnings: tuple[Issue, ...], count: int, crs: pyproj.CRS) -> None:
    outside = next((w for w in warnings if w.code == "outside_vietnam"), None)
    if outside is not None and len(outside.features) == count:
        raise CoordinatesCRSMismatchError(
            f"None of the {count} features falls inside Vietnam when read in {describe_crs(crs)}: "
            "the CRS is probably wrong. Check the .prj, or pass the right one with --crs.",
        )


def _assemble(
    attrs: pd.DataFrame,
    checked: gpd.GeoDataFrame,
    kind: str,
    defaults: Mapping[str, Any] | None,
    provinces: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    frame = attrs.copy()
    for name, value in (defaults or {}).items():
        if value is None:
            continue
        current = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)
        frame[name] = current.where(current.notna(), value).astype(object)
    if kind == "zones" and provinces is not None:
        frame["province_code"] = _province_codes(frame, checked.geometry, provinces)
    return gpd.GeoDataFrame(frame, geometry=checked.geometry, crs=4326)


def _province_codes(
    frame: pd.DataFrame, geoms: gpd.GeoSeries, provinces: gpd.GeoDataFrame
) -> pd.Series:
    if "province_code" not in frame:
        return province_codes_from_geometry(geoms, provinces)
    given = province_codes_from_text(frame["province_code"], provinces)
    missing = given.isna().to_numpy()
    if not missing.any():  # geometry is only consulted where the text gives no province
        return given.astype(object)
    derived = province_codes_from_geometry(geoms[missing], provinces)
    return given.where(~missing, derived.reindex(given.index)).astype(object)


def _field_errors(features: gpd.GeoDataFrame, kind: str) -> list[Issue]:
    errors: list[Issue] = []
    for name in REQUIRED_BY_KIND[kind] + (("province_code",) if kind == "zones" else ()):
        if name not in features:
            errors.append(Issue("missing_field", f"No column gives the required field {name!r}. "
                                f"Map one with --map {name}=COLUMN."))  # fmt: skip
            continue
        if name == "code":
            continue
        empty = np.flatnonzero(features[name].isna().to_numpy())
        if empty.size:
            where = ", ".join(str(i) for i in empty[:10])
            errors.append(Issue("missing_value", f"{empty.size} feature(s) have no {name} "
                                f"(features {where}).", tuple(int(i) for i in empty)))  # fmt: skip
    if "code" in features:
        errors += check_duplicate_codes(features["code"])
    if kind == "zones" and "kind" in features:
        bad = features["kind"].notna() & ~features["kind"].isin(ZONE_KINDS)
        if bad.any():
            errors.append(Issue("invalid_kind", f"{int(bad.sum())} feature(s) have a kind other "
                                "than KKT, KCN or CCN."))  # fmt: skip
    return errors
