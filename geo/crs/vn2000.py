"""VN-2000, Vietnam's national datum, with the official transformation to WGS 84.

VN-2000 uses the WGS 84 ellipsoid with an origin shifted ~225 m from WGS 84. Decision
05/2007/QĐ-BTNMT (27 Feb 2007) publishes seven parameters "between WGS-84 and VN-2000":
ΔX −191.90441429 m, ΔY −39.30318279 m, ΔZ −111.45032835 m, rotations ω₀ −0.00928836″,
ψ₀ +0.01975479″, ε₀ −0.00427372″, k = 1.000000252906278 (scale +0.252906278 ppm). The Decision
does not say which rotation convention the signs follow, and public code disagrees.

**Our reading: the coordinate-frame convention, VN-2000 → WGS 84** (``ROTATION_CONVENTION``).

* EPSG records exactly these numbers as "VN-2000 to WGS 84 (2)" (EPSG:6960), method
  "Coordinate Frame rotation (geog2D domain)" (EPSG:9607), VN-2000 → WGS 84.
* The ω/ψ/ε notation comes from the Soviet geodetic tradition that Vietnamese surveying
  followed (as in GOST 51794), whose Bursa–Wolf matrix [[1, ε, −ψ], [−ε, 1, ω], [ψ, −ω, 1]] is
  the coordinate-frame one.
* The independently derived older set (EPSG:5194, Total E&P, Mekong delta) has translations with
  the same signs and sizes in the same direction, which confirms the direction.

PROJ's ``+towgs84`` (and WKT1 ``TOWGS84``) uses the position-vector convention. So the numbers
must go in with the three rotation signs flipped (``VN2000_PROJ_TOWGS84``). Pasting them in
unchanged, as many QGIS snippets do, puts data 0.5–0.75 m away. Ignoring the datum shift moves
data 220–230 m. Published coordinate pairs (Vietnam Maritime pilot boarding points near Đà Nẵng
and Quảng Nam, given to 0.1″ in both VN-2000 and WGS 84) agree with our transformation within
their ~3 m rounding. They confirm the direction and size of the shift but are too coarse to
settle the convention. The tests pin our CRSs to EPSG:6960 at millimetre level.

Our CRSs are ``BoundCRS`` objects carrying this transformation explicitly. A plain WKT1 ``.prj``
named VN-2000 is recognised by PROJ as EPSG:4756 and its ``TOWGS84`` is silently dropped, so
``recognise_vn2000`` + ``official_vn2000_crs`` replace such CRSs with ours.

Central meridians of the TM-3 zones (k₀ 0.9999, false easting 500 km):
``PROVINCE_CENTRAL_MERIDIANS_2008`` follows the table of Thông tư 973/2001/TT-TCĐC (as
republished for the 63 provinces). Entries 01–33 and 35, 49–83, 86, 87 (the codes not in
``UNVERIFIED_MERIDIAN_CODES_2008``) were checked against a published copy of the table. The
others come from the same table as remembered and were not seen in a source during this work.
``PROVINCE_CENTRAL_MERIDIANS_2025`` (34 provinces) is **derived**, not taken from Thông tư
24/2025/TT-BNNMT, whose list we could not obtain: each new province takes the meridian of the
2008 province that holds its administrative centre (the one whose code it kept). Data made before
the reform keep their original meridian, so ``legal_meridians`` returns both.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyproj
from pyproj.crs import BoundCRS, GeographicCRS, ProjectedCRS
from pyproj.crs.coordinate_operation import ToWGS84Transformation, TransverseMercatorConversion
from pyproj.crs.datum import CustomDatum

__all__ = [
    "LEGAL_TM3_MERIDIANS",
    "PROVINCE_CENTRAL_MERIDIANS_2008",
    "PROVINCE_CENTRAL_MERIDIANS_2025",
    "ROTATION_CONVENTION",
    "UNVERIFIED_MERIDIAN_CODES_2008",
    "VN2000_PROJ_TOWGS84",
    "VN2000_TOWGS84",
    "legal_meridians",
    "official_vn2000_crs",
    "parse_vn2000_name",
    "recognise_vn2000",
    "vn2000_crs",
]

#: Decision 05/2007/QĐ-BTNMT as published: ΔX, ΔY, ΔZ (m), ω, ψ, ε (arc-seconds), scale (ppm).
VN2000_TOWGS84: tuple[float, ...] = (
    -191.90441429,
    -39.30318279,
    -111.45032835,
    -0.00928836,
    0.01975479,
    -0.00427372,
    0.252906278,
)
#: How we read the published rotation signs (see the module docstring).
ROTATION_CONVENTION = "coordinate_frame"
#: The same transformation as PROJ's position-vector ``+towgs84`` wants it (rotations negated).
VN2000_PROJ_TOWGS84: tuple[float, ...] = (
    *VN2000_TOWGS84[:3],
    *(-r for r in VN2000_TOWGS84[3:6]),
    VN2000_TOWGS84[6],
)

PROVINCE_CENTRAL_MERIDIANS_2008: dict[str, float] = {
    "01": 105.0,
    "02": 105.5,
    "04": 105.75,
    "06": 106.5,
    "08": 106.0,
    "10": 104.75,
    "11": 103.0,
    "12": 103.0,
    "14": 104.0,
    "15": 104.75,
    "17": 106.0,
    "19": 106.5,
    "20": 107.25,
    "22": 107.75,
    "24": 107.0,
    "25": 104.75,
    "26": 105.0,
    "27": 105.5,
    "30": 105.5,
    "31": 105.75,
    "33": 105.5,
    "34": 105.5,
    "35": 105.0,
    "36": 105.5,
    "37": 105.0,
    "38": 105.0,
    "40": 104.75,
    "42": 105.5,
    "44": 106.0,
    "45": 106.25,
    "46": 107.0,
    "48": 107.75,
    "49": 107.75,
    "51": 108.0,
    "52": 108.25,
    "54": 108.5,
    "56": 108.25,
    "58": 108.25,
    "60": 108.5,
    "62": 107.5,
    "64": 108.5,
    "66": 108.5,
    "67": 108.5,
    "68": 107.75,
    "70": 106.25,
    "72": 105.5,
    "74": 105.75,
    "75": 107.75,
    "77": 107.75,
    "79": 105.75,
    "80": 105.75,
    "82": 105.75,
    "83": 105.75,
    "84": 105.5,
    "86": 105.5,
    "87": 105.0,
    "89": 104.75,
    "91": 104.5,
    "92": 105.0,
    "93": 105.0,
    "94": 105.5,
    "95": 105.0,
    "96": 104.5,
}
#: 2008 codes whose meridian was not seen in a source during this work (see module docstring).
UNVERIFIED_MERIDIAN_CODES_2008 = frozenset(
    "34 36 37 38 40 42 44 45 46 48 84 89 91 92 93 94 95 96".split()  # noqa: SIM905
)
_CODES_2025 = (  # noqa: SIM905
    "01 04 08 11 12 14 15 19 20 22 24 25 31 33 37 38 40 42 44 46 48 51 52 56 66 68 75 79 80 "
    "82 86 91 92 96"
).split()
PROVINCE_CENTRAL_MERIDIANS_2025: dict[str, float] = {
    code: PROVINCE_CENTRAL_MERIDIANS_2008[code] for code in _CODES_2025
}
#: Every central meridian a province has used for VN-2000 TM-3, ascending.
LEGAL_TM3_MERIDIANS: tuple[float, ...] = tuple(
    sorted(set(PROVINCE_CENTRAL_MERIDIANS_2008.values()))
)

_VN2000_EPSG_NAMES = {4756: "VN2000", 3405: "VN2000-UTM48", 3406: "VN2000-UTM49"}
_VN2000_TM3_EPSG = frozenset([*range(5896, 5900), *range(9205, 9219)])
_UTM_ZONES = {"48": 105.0, "49": 111.0}
_NAME_RE = re.compile(
    r"^VN-?2000(?:[-_ ](?P<kind>UTM|TM-?3|TM-?6)(?P<sep>[-_: ]?)(?P<arg>[\w.\-]+))?$", re.I
)
_VN2000_WORDS = ("vn2000", "vietnam2000")


def legal_meridians(code: str, *, merged_from: str | None = None) -> frozenset[float]:
    """TM-3 central meridians legally used in a province (2008 or 2025 code).

    ``merged_from`` is the ``;``-separated list of 2008 codes a 2025 province was made of (the
    ``merged_from`` column of ``data/boundaries``); their meridians are included because data
    made before 2025 keep them.

    Examples
    --------
    >>> sorted(legal_meridians("24", merged_from="24;27"))
    [105.5, 107.0]
    """
    codes = [code, *(merged_from.split(";") if merged_from else [])]
    return frozenset(
        PROVINCE_CENTRAL_MERIDIANS_2008[c.strip()]
        for c in codes
        if c.strip() in PROVINCE_CENTRAL_MERIDIANS_2008
    )


def vn2000_crs(
    *, zone: str | None = None, central_meridian: float | None = None, zone_width: int = 3
) -> pyproj.CRS:
    """Build a VN-2000 CRS that carries the official QĐ 05/2007 transformation to WGS 84.

    Parameters
    ----------
    zone : str, optional
        "48" or "49" (an "N" suffix is allowed): VN-2000 / UTM zone 48N or 49N (k₀ 0.9996).
    central_meridian : float, optional
        Central meridian in degrees east: VN-2000 / TM-3 (k₀ 0.9999), or TM-6 (k₀ 0.9996) with
        ``zone_width=6``. False easting 500 km.
    zone_width : int
        3 or 6, only used with ``central_meridian``.

    Returns
    -------
    pyproj.CRS
        A bound CRS; with neither ``zone`` nor ``central_meridian`` the geographic VN-2000
        (lon/lat degrees).

    Examples
    --------
    >>> vn2000_crs(central_meridian=105.75).name
    'VN-2000 / TM-3 105-45'
    """
    if zone is not None and central_meridian is not None:
        raise ValueError("Give either zone or central_meridian, not both.")
    if zone is not None:
        key = zone.upper().removeprefix("UTM").removesuffix("N").strip()
        if key not in _UTM_ZONES:
            raise ValueError(f"VN-2000 UTM zone must be 48 or 49, got {zone!r}.")
        return _build_crs(_UTM_ZONES[key], 0.9996, f"VN-2000 / UTM zone {key}N")
    if central_meridian is None:
        return _build_crs(None, 0.0, "VN-2000")
    if zone_width not in (3, 6):
        raise ValueError(f"zone_width must be 3 or 6, got {zone_width}.")
    degrees, minutes = int(central_meridian), round((central_meridian % 1) * 60)
    name = f"VN-2000 / TM-{zone_width} {degrees}-{minutes:02d}"
    return _build_crs(float(central_meridian), 0.9999 if zone_width == 3 else 0.9996, name)


@lru_cache(maxsize=1)
def _vn2000_geographic() -> GeographicCRS:
    # Building the custom datum costs ~0.2 s (a database look-up), so do it once.
    return GeographicCRS(name="VN-2000", datum=CustomDatum(name="Vietnam 2000", ellipsoid="WGS 84"))


@lru_cache(maxsize=64)
def _build_crs(lon_0: float | None, k_0: float, name: str) -> pyproj.CRS:
    geographic = _vn2000_geographic()
    source: pyproj.CRS = geographic
    if lon_0 is not None:
        conversion = TransverseMercatorConversion(
            latitude_natural_origin=0.0,
            longitude_natural_origin=lon_0,
            false_easting=500_000.0,
            false_northing=0.0,
            scale_factor_natural_origin=k_0,
        )
        source = ProjectedCRS(name=name, geodetic_crs=geographic, conversion=conversion)
    towgs84 = ToWGS84Transformation(geographic, *VN2000_PROJ_TOWGS84)
    return BoundCRS(source_crs=source, target_crs="EPSG:4326", transformation=towgs84)


def parse_vn2000_name(text: str) -> pyproj.CRS | None:
    """Build the CRS for a friendly VN-2000 name, or None when ``text`` is not one.

    Accepted: "VN2000", "VN2000-UTM48", "VN2000-UTM49", "VN2000-TM3-105.75",
    "VN2000-TM3-105-45" (degrees-minutes), "VN2000-TM3:<2-digit province code>",
    "VN2000-TM6-105".

    Raises
    ------
    ValueError
        For a VN-2000 name with an impossible zone, meridian or unknown province code.
    """
    match = _NAME_RE.match(text.strip())
    if match is None:
        return None
    kind, arg = (match["kind"] or "").upper().replace("-", ""), match["arg"]
    if not kind:
        return vn2000_crs()
    if kind == "UTM":
        return vn2000_crs(zone=arg)
    width = 3 if kind == "TM3" else 6
    if match["sep"] == ":":
        if arg not in PROVINCE_CENTRAL_MERIDIANS_2008:
            raise ValueError(f"Unknown province code {arg!r} for VN-2000 TM-3.")
        return vn2000_crs(central_meridian=PROVINCE_CENTRAL_MERIDIANS_2008[arg], zone_width=width)
    return vn2000_crs(central_meridian=_parse_meridian(arg), zone_width=width)


def _parse_meridian(arg: str) -> float:
    dm = re.fullmatch(r"(\d{3})[-_](\d{2})", arg)
    value = int(dm[1]) + int(dm[2]) / 60 if dm else float(arg)
    if not 100.0 <= value <= 120.0:
        raise ValueError(f"Central meridian {arg!r} is outside Vietnam (100–120° E).")
    return value


def recognise_vn2000(crs: pyproj.CRS) -> str | None:
    """Return the friendly name of a CRS that describes VN-2000, else None.

    Recognises EPSG 4756, 3405, 3406, 5896–5899 and 9205–9218, and any CRS whose name or datum
    says VN-2000 / VN_2000 / Vietnam_2000 (typical ``.prj`` files), reading the projection's
    central meridian and scale factor.

    Examples
    --------
    >>> recognise_vn2000(pyproj.CRS.from_epsg(9210))
    'VN2000-TM3-105.75'
    """
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    epsg = base.to_epsg(min_confidence=100)
    if epsg in _VN2000_EPSG_NAMES:
        return _VN2000_EPSG_NAMES[epsg]
    if epsg not in _VN2000_TM3_EPSG and not _names_vn2000(base):
        return None
    if base.is_geographic:
        return "VN2000"
    return _projected_name(base)


def _names_vn2000(crs: pyproj.CRS) -> bool:
    datum = crs.datum.name if crs.datum is not None else ""
    words = re.sub(r"[\s_\-]", "", f"{crs.name} {datum}".lower())
    return any(w in words for w in _VN2000_WORDS)


def _projected_name(crs: pyproj.CRS) -> str | None:
    operation = crs.coordinate_operation
    if operation is None:
        return None
    params = {p.name.lower(): float(p.value) for p in operation.params if _is_number(p.value)}
    lon_0 = params.get("longitude of natural origin")
    k_0 = params.get("scale factor at natural origin")
    if lon_0 is None or k_0 is None or params.get("false easting") != 500_000:
        return None
    if abs(k_0 - 0.9996) < 1e-9 and lon_0 in (105.0, 111.0):
        return "VN2000-UTM48" if lon_0 == 105.0 else "VN2000-UTM49"
    width = "3" if abs(k_0 - 0.9999) < 1e-9 else "6" if abs(k_0 - 0.9996) < 1e-9 else None
    return f"VN2000-TM{width}-{lon_0:g}" if width else None


def official_vn2000_crs(crs: pyproj.CRS) -> pyproj.CRS:
    """Replace a VN-2000 CRS (from EPSG or a ``.prj``) by ours with the official transformation.

    Other CRSs are returned unchanged.

    Examples
    --------
    >>> official_vn2000_crs(pyproj.CRS.from_epsg(3405)).name
    'VN-2000 / UTM zone 48N'
    """
    name = recognise_vn2000(crs)
    if name is None:
        return crs
    built = parse_vn2000_name(name)
    return built if built is not None else crs


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
