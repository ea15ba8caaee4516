"""The one bbox parser of the HTTP query parameters (`/api` and `/ogc` both read bboxes with it).

A bbox is four comma-separated finite numbers, lower-left corner first. In degrees it must lie
within [-180, 180] x [-90, 90]. Every problem raises ``BBoxError`` naming the parameter, with
what to send instead.
"""

from __future__ import annotations

import math

from geo.errors import GeoError

BBox = tuple[float, float, float, float]


class BBoxError(GeoError):
    """A bbox that is not four finite numbers in order (and, in degrees, in range)."""

    code = "invalid_bbox"
    parameter = "bbox"


def read_bbox(
    raw: str,
    *,
    parameter: str = "bbox",
    lat_first: bool = False,
    in_degrees: bool = True,
) -> BBox:
    """``raw`` as (xmin, ymin, xmax, ymax); ``lat_first`` swaps each corner's axes first.

    Raises ``BBoxError`` naming ``parameter``: not four finite numbers
    (NaN and infinities included), a minimum above its maximum, or, ``in_degrees``, outside
    [-180, 180] x [-90, 90].
    """
    try:
        values = [float(p) for p in raw.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise BBoxError(
            f"{parameter} must be four numbers 'minlon,minlat,maxlon,maxlat' (lower-left then "
            f"upper-right corner, finite: no NaN or infinity), got '{raw}'",
            parameter=parameter,
        )
    if lat_first:
        values = [values[1], values[0], values[3], values[2]]
    xmin, ymin, xmax, ymax = values
    if in_degrees and not (
        -180 <= xmin <= 180 and -180 <= xmax <= 180 and -90 <= ymin <= 90 and -90 <= ymax <= 90
    ):
        raise BBoxError(
            f"{parameter} is out of range: longitudes must lie in [-180, 180] and latitudes in "
            f"[-90, 90] degrees, got '{raw}'",
            parameter=parameter,
        )
    if xmin > xmax or ymin > ymax:
        raise BBoxError(
            f"{parameter} has its minimum above its maximum: give the lower-left corner first "
            f"('minlon,minlat,maxlon,maxlat'), got '{raw}'",
            parameter=parameter,
        )
    return xmin, ymin, xmax, ymax
