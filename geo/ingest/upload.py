"""The pure upload pipeline: file in, decoded, mapped, reprojected and checked features out.

``prepare_upload`` reads a file (``geo.ingest.io``), decodes its text
(``geo.ingest.attribute_text``), maps its columns (``geo.ingest.mapping``), settles the CRS
(``.prj``, a user-given CRS, or a ranked guess that must be accepted explicitly), reprojects to
EPSG:4326 (VN-2000 always with the official QĐ 05/2007 transformation of ``geo.crs.vn2000``,
never PROJ's default), checks and repairs geometries (``geo.ingest.validate``) and derives missing
province codes. Nothing is written anywhere: the caller (``api.services.uploads``) previews and
commits the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo.crs.area import ellipsoidal_area_ha
from geo.crs.systems import (
    CRSCandidate,
    describe_crs,
    official_vn2000_crs,
    parse_crs,
    rank_crs_candidates,
)
from geo.errors import CoordinatesCRSMismatchError, CRSUndeterminedError
from geo.ingest.attribute_sample import first_rows
from geo.ingest.attribute_text import decode_attributes
from geo.ingest.diagnose import swap_axes as swap_xy
from geo.ingest.field_checks import field_errors, province_mismatch
from geo.ingest.io import RawLayer, ReadLimits, read_layer
from geo.ingest.mapping import apply_mapping, column_samples, propose_mapping
from geo.ingest.prepared import PreparedUpload, QuarantinedFeature, quarantined_features
from geo.ingest.province_lookup import (
    province_codes_from_geometry,
    province_codes_from_text,
    settle_crossing_codes,
)
from geo.ingest.quarantine import Triage, decide, list_positions, reason_counts, triage_features
from geo.ingest.validate import Issue
from geo.vocabulary import FEATURE_UPLOAD_KINDS

__all__ = [
    "KINDS",
    "PreparedUpload",
    "QuarantinedFeature",
    "check_coordinates",
    "prepare_upload",
    "settle_crs",
]

KINDS = FEATURE_UPLOAD_KINDS
_GUESS_SHOWN = 5
Progress = Callable[[str, float], None]


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
    constants: Mapping[str, str] | None = None,
    code_prefix: str | None = None,
    swap_axes: bool = False,
) -> PreparedUpload:
    """Read, decode, map, reproject and check an uploaded GIS file, feature by feature.

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
        and to derive or check province codes.
    defaults : mapping, optional
        Values for fields the file lacks (e.g. ``source``, ``observed_on``, ``decision_ref``).
    limits : ReadLimits, optional
        File and archive size limits.
    progress : callable, optional
        Called with (stage name, fraction done in [0, 1]).
    constants : mapping, optional
        ``{field: value}`` given to every feature (e.g. ``{"kind": "KCN"}``), over any column.
    code_prefix : str, optional
        For a file without a code column: each code is this prefix and the feature's id.
    swap_axes : bool
        Exchange the two coordinates of every vertex before anything else.

    Returns
    -------
    PreparedUpload
        The good features; ``quarantine`` lists the broken ones (by position and reason);
        ``errors`` lists what forbids a commit of the file as a whole (most features broken,
        swapped axes, missing fields, duplicate codes…).

    Raises
    ------
    GeoError
        ``UploadFileError`` subclasses, ``CRSUndeterminedError``, ``UnknownCRSError``,
        ``CoordinatesCRSMismatchError``, ``EncodingAmbiguousError`` (shapefiles only),
        ``MappingError``.
    """
    report = progress or (lambda _stage, _fraction: None)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    report("read", 0.0)
    raw = read_layer(path, layer=layer, limits=limits)
    report("decode", 0.2)
    text = decode_attributes(raw, encoding=encoding)
    columns = column_samples(text.frame.drop(columns=raw.frame.geometry.name))
    proposal = propose_mapping(list(columns), kind=kind, given=mapping, samples=columns)
    attrs, notes = apply_mapping(text.frame, proposal, constants=constants)
    attrs = _codes_from_ids(attrs, raw, code_prefix, notes)
    report("reproject", 0.4)
    source_crs, candidates, crs_notes = settle_crs(raw, crs, accept_crs_guess, provinces)
    geoms = raw.frame.geometry.set_crs(source_crs, allow_override=True).reset_index(drop=True)
    if swap_axes:
        geoms = swap_xy(geoms)
    report("validate", 0.6)
    triage = triage_features(geoms, source_crs, kind=kind)
    errors = decide(triage, source_crs, kind=kind, is_swapped=swap_axes)
    kept = np.flatnonzero(triage.kept)
    kept_geoms = gpd.GeoSeries(triage.geoms[kept], crs=4326)
    good = gpd.GeoDataFrame(attrs.iloc[kept].reset_index(drop=True), geometry=kept_geoms)
    features, located = _assemble(good, kind, defaults, provinces)
    errors += field_errors(features, kind, kept, columns)
    report("area", 0.8)
    features["area_ha"] = ellipsoidal_area_ha(features.geometry)
    warnings = [*triage.warnings, *_notes(text.warnings, raw.warnings, notes, crs_notes)]
    warnings += _zone_warnings(kind, proposal, constants, features, located, kept, triage)
    quarantine = quarantined_features(
        triage, text.frame.drop(columns=raw.frame.geometry.name), attrs.get("code"), geoms, raw.fids
    )
    if swap_axes:
        warnings.append(
            Issue(
                "axes_swapped", "Longitude and latitude were exchanged in every feature, as asked."
            )
        )
    file_columns, sample_rows = first_rows(text.frame)
    report("done", 1.0)
    staged_originals = triage.originals.copy()
    staged_originals.index = np.searchsorted(kept, triage.originals.index.to_numpy())
    return PreparedUpload(
        kind,
        features,
        describe_crs(source_crs),
        text.encoding,
        raw.layer,
        raw.layers,
        raw.driver,
        dict(proposal),
        triage.repairs,
        staged_originals,
        tuple(warnings),
        tuple(errors),
        float(features["area_ha"].sum()),
        text.samples,
        tuple(candidates),
        quarantine=quarantine,
        diagnosis=_diagnosis(triage),
        positions=kept,
        columns=columns,
        file_columns=file_columns,
        first_rows=sample_rows,
    )


def _diagnosis(triage: Triage) -> dict[str, int]:
    """Features per reason; kept features whose invalid geometry was repaired counted apart."""
    counts = reason_counts(triage.reasons)
    repaired = sum(1 for r in triage.repairs if triage.reasons[r.feature] == "ok")
    return {**counts, "invalid_geometry_repaired": repaired} if repaired else counts


def _codes_from_ids(
    attrs: pd.DataFrame, raw: RawLayer, prefix: str | None, notes: list[str]
) -> pd.DataFrame:
    """Codes made of ``prefix`` and each feature's id, for a file without a code column."""
    if prefix is None or "code" in attrs:
        return attrs
    ids = raw.fids if raw.fids is not None else tuple(range(1, len(attrs) + 1))
    out = attrs.copy()
    out["code"] = [f"{prefix}{i}" for i in ids]
    notes.append(f"No code column: codes were made from the feature ids ({out['code'].iloc[0]} …).")
    return out


def _zone_warnings(
    kind: str,
    proposal: Mapping[str, str],
    constants: Mapping[str, str] | None,
    features: gpd.GeoDataFrame,
    located: pd.Series | None,
    kept: np.ndarray,
    triage: object,
) -> list[Issue]:
    if kind != "zones":
        return []
    warnings = []
    missing = kept[features.geometry.isna().to_numpy()]
    if missing.size:
        warnings.append(
            Issue(
                "geometry_missing",
                f"{missing.size} feature(s) have no geometry "
                f"({list_positions(missing)}); their zones are stored without a "
                "boundary.",
                tuple(int(i) for i in missing),
            )
        )
    declared = "province_code" in proposal or "province_code" in (constants or {})
    if not declared and "province_code" in features:
        warnings.append(
            Issue(
                "province_derived",
                "No province column: each zone's province was "
                "derived from its geometry (the province holding most of it).",
            )
        )
    elif located is not None and "province_code" in features:
        mismatch = province_mismatch(features["province_code"], located, kept)
        if mismatch is not None:
            warnings.append(mismatch)
    return warnings


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
    shown = "\n".join(
        f"  {c.name:<20} score {c.score:.2f}  ({c.reason})" for c in candidates[:_GUESS_SHOWN]
    )
    raise CRSUndeterminedError(
        f"The layer {raw.layer} has no .prj, so its coordinate system is unknown. "
        + (f"Most likely:\n{shown}\n" if shown else "Its coordinates fit no CRS used in Vietnam. ")
        + "Give the CRS (e.g. VN2000-TM3-105.75 or EPSG:4326), or accept the first guess.",
        details={"candidates": [{"crs": c.name, "score": c.score} for c in candidates[:10]]},
    )


def _rank(raw: RawLayer, provinces: gpd.GeoDataFrame | None) -> list[CRSCandidate]:
    if provinces is None:
        return []
    return rank_crs_candidates(raw.frame, provinces=provinces)


def check_coordinates(geoms: gpd.GeoSeries, crs: pyproj.CRS) -> None:
    """Refuse coordinates that cannot be in ``crs`` (metres read as degrees or the reverse)."""
    bounds = geoms.total_bounds
    if np.isnan(bounds).any():
        return
    biggest = float(np.abs(bounds).max())
    if crs.is_geographic and biggest > 180.0:
        raise CoordinatesCRSMismatchError(
            f"The coordinates reach {biggest:,.0f}, which cannot be degrees, but the CRS "
            f"({crs.name}) is geographic. They look like metres: give the projected CRS they are "
            "in (e.g. VN2000-TM3-105.75 or VN2000-UTM48).",
            details={"bounds": bounds.tolist()},
        )
    if crs.is_projected and biggest <= 180.0:
        raise CoordinatesCRSMismatchError(
            f"The coordinates stay within ±{biggest:.1f}, which look like degrees, but the CRS "
            f"({crs.name}) is in metres. Give a geographic CRS instead (EPSG:4326 or VN2000).",
            details={"bounds": bounds.tolist()},
        )


def _assemble(
    good: gpd.GeoDataFrame,
    kind: str,
    defaults: Mapping[str, Any] | None,
    provinces: gpd.GeoDataFrame | None,
) -> tuple[gpd.GeoDataFrame, pd.Series | None]:
    """The features with defaults filled and province codes settled; and where each lies.

    The second value is the province holding most of each geometry (zones with provinces only),
    recorded as ``geom_province_code`` for the permission check.
    """
    frame = good.copy()
    for name, value in (defaults or {}).items():
        if value is None:
            continue
        current = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)
        frame[name] = current.where(current.notna(), value).astype(object)
    located = None
    if kind == "zones" and provinces is not None:
        located = _located(frame, provinces)
        frame["province_code"] = _province_codes(frame, located, provinces)
        frame["geom_province_code"] = located.astype(object)
    return frame, located


def _located(frame: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> pd.Series:
    """The province holding most of each geometry.

    With a declared province column, a representative point decides first and only the
    features whose point lies elsewhere than declared are settled exactly (a crossing zone
    whose point fell on the other side); without one, every feature is settled exactly.
    """
    if "province_code" not in frame:
        return province_codes_from_geometry(frame.geometry, provinces)
    declared = province_codes_from_text(frame["province_code"], provinces)
    located = province_codes_from_geometry(frame.geometry, provinces, settle_crossing=False)
    differ = (located.notna() & (located != declared)).to_numpy()
    if differ.any():
        exact = settle_crossing_codes(frame.geometry[differ], located[differ], provinces)
        located = located.where(~differ, exact.reindex(located.index))
    return located


def _province_codes(
    frame: pd.DataFrame, located: pd.Series, provinces: gpd.GeoDataFrame
) -> pd.Series:
    """The declared province where the text names one, else the one the geometry lies in."""
    if "province_code" not in frame:
        return located.astype(object)
    given = province_codes_from_text(frame["province_code"], provinces)
    return given.where(given.notna(), located).astype(object)
