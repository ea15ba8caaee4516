"""Triage of an upload's features: keep the good ones, quarantine the broken ones with a reason.

``triage_features`` combines the position diagnosis (``geo.ingest.diagnose``) with the geometry
checks (``geo.ingest.validate``: type for the kind, repair of invalid polygons) into one reason per
feature. ``decide`` then says whether the file as a whole can go on with its good features (the
broken ones quarantined once the user accepts) or must be refused, and why:

* most features have swapped axes → refuse and say so (swap the axes and read again);
* most features fit another CRS than the file's → ``CoordinatesCRSMismatchError``;
* half or more of the features are broken → refuse, listing the reasons with counts;
* otherwise → go on: nothing to quarantine, or the broken minority quarantined.

Messages say what to change in the data or the choices; the CLI and the upload page add how to
do it there (an option, a button).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geo.crs.systems import describe_crs
from geo.errors import CoordinatesCRSMismatchError
from geo.ingest.diagnose import POSITION_MESSAGES, PositionDiagnosis, diagnose_positions
from geo.ingest.validate import ALLOWED_TYPES, Issue, Repair, check_geometries

__all__ = ["GEOMETRY_MESSAGES", "Triage", "decide", "reason_counts", "triage_features"]

GEOMETRY_MESSAGES = {
    "wrong_geometry_type": "has a geometry type this kind of upload does not take",
    "invalid_geometry": "has an invalid geometry that could not be repaired",
}
_LISTED = 10


@dataclass(frozen=True)
class Triage:
    """Per-feature outcome of the checks (arrays by position in the file).

    ``reasons`` is "ok" or the reason a feature is quarantined; ``details`` adds specifics (the
    GEOS reason of an invalid geometry, the geometry type); ``geoms`` holds the checked
    EPSG:4326 geometry of every kept feature (None for quarantined ones); ``shown`` where a
    quarantined feature can be drawn for review (None when nowhere). ``repairs`` and
    ``originals`` use file positions.
    """

    reasons: np.ndarray
    details: np.ndarray
    geoms: np.ndarray
    shown: np.ndarray
    repairs: tuple[Repair, ...]
    originals: gpd.GeoSeries
    warnings: tuple[Issue, ...]

    @property
    def kept(self) -> np.ndarray:
        """Mask of the features that pass every check."""
        return self.reasons == "ok"


def triage_features(geoms: gpd.GeoSeries, crs: pyproj.CRS, *, kind: str) -> Triage:
    """Check every feature of an upload of ``kind`` whose coordinates are in ``crs``.

    Zones may have no geometry (their attributes are still updated): a missing geometry is a
    quarantine reason only for planning boundaries and footprints.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> s = gpd.GeoSeries([box(105.8, 21.0, 105.81, 21.01), Point(0, 0), Point(10.1, 105.9)])
    >>> triage_features(s, pyproj.CRS(4326), kind="zones").reasons.tolist()
    ['ok', 'null_island', 'swapped_axes']
    """
    positions = diagnose_positions(geoms.reset_index(drop=True), crs)
    reasons = positions.reasons.copy()
    if kind == "zones":
        reasons[reasons == "geometry_missing"] = "ok"
    details = np.full(reasons.size, "", dtype=object)
    placed = np.flatnonzero(positions.reasons == "ok")
    checked = check_geometries(
        gpd.GeoDataFrame(geometry=gpd.GeoSeries(positions.geoms[placed], crs=4326)), kind=kind
    )
    out = np.full(reasons.size, None, dtype=object)
    out[placed] = checked.features.geometry.to_numpy()
    _mark_geometry_problems(checked, placed, reasons, details)
    repairs = tuple(
        Repair(int(placed[r.feature]), r.reason, r.area_before_ha, r.area_after_ha)
        for r in checked.repairs
    )
    originals = gpd.GeoSeries(
        checked.originals.to_numpy(), index=placed[checked.originals.index.to_numpy()], crs=4326
    )
    out[reasons != "ok"] = None
    warnings = tuple(
        _positioned(w, placed) for w in checked.warnings if w.code != "outside_vietnam"
    )
    shown = _shown(positions, reasons)
    return Triage(reasons, details, out, shown, repairs, originals, warnings)


def _mark_geometry_problems(
    checked: object, placed: np.ndarray, reasons: np.ndarray, details: np.ndarray
) -> None:
    geoms = checked.features.geometry.to_numpy()  # type: ignore[attr-defined]
    for error in checked.errors:  # type: ignore[attr-defined]
        if error.code == "wrong_geometry_type":
            where = placed[list(error.features)]
            reasons[where] = "wrong_geometry_type"
            details[where] = [g.geom_type for g in geoms[list(error.features)]]
    for repair in checked.repairs:  # type: ignore[attr-defined]
        fixed = geoms[repair.feature]
        if fixed is None or fixed.is_empty or not fixed.is_valid:
            reasons[placed[repair.feature]] = "invalid_geometry"
        details[placed[repair.feature]] = repair.reason


def _positioned(issue: Issue, placed: np.ndarray) -> Issue:
    return Issue(issue.code, issue.message, tuple(int(placed[i]) for i in issue.features))


def _shown(positions: PositionDiagnosis, reasons: np.ndarray) -> np.ndarray:
    shown = positions.shown.copy()
    shown[reasons == "ok"] = None
    for i in np.flatnonzero(shown != None):  # noqa: E711 - elementwise on an object array
        x_min, y_min, x_max, y_max = shapely.bounds(shown[i])
        if not (-180 <= x_min <= x_max <= 180 and -90 <= y_min <= y_max <= 90):
            shown[i] = None  # no position on Earth (NaN, or a scale error): nothing to draw
    return shown


def reason_counts(reasons: np.ndarray) -> dict[str, int]:
    """How many features have each reason, "ok" first then by count."""
    values, counts = np.unique(reasons.astype(str), return_counts=True)
    pairs = sorted(zip(values, counts, strict=True), key=lambda p: (p[0] != "ok", -p[1], p[0]))
    return {str(v): int(c) for v, c in pairs}


def reason_message(reason: str) -> str:
    """The sentence for people that follows "feature N …" for ``reason``."""
    return POSITION_MESSAGES.get(reason) or GEOMETRY_MESSAGES.get(reason, reason)


def decide(triage: Triage, crs: pyproj.CRS, *, kind: str, is_swapped: bool = False) -> list[Issue]:
    """Whole-file errors from the triage (empty when the good features may go on).

    Raises
    ------
    CoordinatesCRSMismatchError
        When most features' coordinates fit another kind of CRS than ``crs``.
    """
    n = triage.reasons.size
    counts = reason_counts(triage.reasons)
    bad = n - counts.get("ok", 0)
    if bad == 0:
        return []
    swapped = counts.get("swapped_axes", 0)
    if swapped * 2 > n and not is_swapped:
        where = tuple(int(i) for i in np.flatnonzero(triage.reasons == "swapped_axes"))
        return [
            Issue(
                "swapped_axes",
                f"{swapped} of {n} features have longitude and latitude "
                "swapped: they lie in Vietnam only once the two are exchanged. Swap the "
                "axes of the whole file and read it again.",
                where,
            )
        ]
    if counts.get("crs_mismatch", 0) * 2 > n:
        _refuse_crs(triage, crs)
    if bad * 2 >= n:
        dominant = next(reason for reason in counts if reason != "ok")
        where = tuple(int(i) for i in np.flatnonzero(~triage.kept))
        lines = [_reason_line(triage, reason, kind) for reason in counts if reason != "ok"]
        return [
            Issue(
                dominant,
                f"Only {n - bad} of {n} features can be used, so the file is "
                f"refused rather than quarantined: {'; '.join(lines)}.",
                where,
            )
        ]
    return []


def _reason_line(triage: Triage, reason: str, kind: str) -> str:
    where = np.flatnonzero(triage.reasons == reason)
    if reason == "wrong_geometry_type":
        found = ", ".join(sorted(set(triage.details[where].astype(str))))
        wanted = " or ".join(ALLOWED_TYPES[kind])
        text = f"{where.size} feature(s) are {found} but {kind} uploads need {wanted} geometries"
    else:
        text = f"{where.size} feature(s) {reason_message(reason)}"
    return f"{text} (features {list_positions(where)})"


def _refuse_crs(triage: Triage, crs: pyproj.CRS) -> None:
    name = describe_crs(crs)
    if crs.is_geographic:
        raise CoordinatesCRSMismatchError(
            f"Most coordinates are far beyond ±180, which cannot be degrees, but the CRS "
            f"({name}) is geographic. They look like metres: give the projected CRS (e.g. "
            "VN2000-TM3-105.75 or VN2000-UTM48).",
            details={"counts": reason_counts(triage.reasons), "fix": "set_crs"},
        )
    raise CoordinatesCRSMismatchError(
        f"Most coordinates stay within ±180, which look like degrees, but the CRS ({name}) is "
        "in metres. Give EPSG:4326 (or VN2000) as the CRS instead.",
        details={"counts": reason_counts(triage.reasons), "fix": "set_crs"},
    )


def list_positions(positions: object) -> str:
    """``0, 3, 7 … (+12 more)`` for a sequence of positions."""
    values = [str(v) for v in positions]  # type: ignore[attr-defined]
    shown = ", ".join(values[:_LISTED])
    return shown + (f" … (+{len(values) - _LISTED} more)" if len(values) > _LISTED else "")
