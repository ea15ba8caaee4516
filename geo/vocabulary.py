"""The shared words of zonemap: kinds, statuses, flag codes, severities, admin versions.

Each is defined here once; ``api`` validates requests against them and ``web`` labels them
(``web.i18n``), so a new value is added in one place.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final, Literal

ZONE_KINDS: Final = ("KKT", "KCN", "CCN")
"""Economic zones, industrial parks, industrial clusters (in this order wherever listed)."""

ZONE_STATUSES: Final = ("planned", "under_construction", "operating", "suspended", "cancelled")

UPLOAD_KINDS: Final = ("zones", "planned", "actual", "buildings")
"""What an uploaded file holds: zones (with their boundaries), planning boundaries, actual
footprints, or a building layer."""

FEATURE_UPLOAD_KINDS: Final = UPLOAD_KINDS[:3]
"""The kinds read whole by ``geo.ingest.upload`` (a building layer is streamed in chunks by
``geo.ingest.buildings``)."""

FLAG_CODES: Final = (
    "FOOTPRINT_MISMATCH",
    "ENCROACHMENT",
    "UNBUILT",
    "SLOW_DEPLOYMENT",
    "LOW_OCCUPANCY",
    "DENSE_CLUSTER",
    "CCN_SIZE_RULE",
    "CCN_NEW_OR_EXPANSION_RULE",
    "MORATORIUM",
    "OUTSIDE_PLANNING",
    "OVERLAP",
    "CROSS_PROVINCE",
)

Severity = Literal["info", "warning", "critical"]
SEVERITIES: Final = ("critical", "warning", "info")
"""Flag severities, most severe first."""

SEVERITY_RANK: Final = {s: len(SEVERITIES) - i for i, s in enumerate(SEVERITIES)}
"""A severity's rank: the most severe is the highest (critical 3, warning 2, info 1)."""

ZONE_FILE_FIELDS: Final = (
    "code",
    "kind",
    "name",
    "province_code",
    "status",
    "established_on",
    "expanded_on",
    "decision_ref",
    "approved_on",
    "planned_area_ha",
    "industrial_land_ha",
    "leased_land_ha",
    "is_mountainous",
    "is_craft_village",
    "investor",
    "workers",
)
"""The zone attributes a zones file can set (``approved_on`` dates the planning boundary the
file's geometry becomes; the rest are columns of the zone)."""

ADMIN_VERSIONS: Final = ("2008-63", "2025-34")
"""The admin-boundary versions: the 63 provinces of 2008 – mid 2025 and the 34 since 2025."""

CURRENT_ADMIN_VERSION: Final = "2025-34"
"""The admin version in force: the default of every province-level query and report (the
``default_admin_version`` setting starts from it)."""

ZONE_PROVINCE_VERSION: Final = "2025-34"
"""The admin version of every zone's ``province_code`` (and of editors' province scopes)."""


def check_admin_version(version: str, *, parameter: str = "admin_version") -> str:
    """``version`` when it is a known admin version; otherwise ``AdminVersionError`` saying
    which versions exist.

    Examples
    --------
    >>> check_admin_version("2008-63")
    '2008-63'
    """
    if version not in ADMIN_VERSIONS:
        from geo.errors import AdminVersionError

        raise AdminVersionError(
            f"unknown admin version '{version}': use one of {', '.join(ADMIN_VERSIONS)}",
            parameter=parameter,
        )
    return version


def check_province(code: str, known: Collection[str], version: str) -> str:
    """``code`` when it is one of the ``known`` province codes of admin ``version``; otherwise
    ``UnknownProvinceError`` saying which codes exist.

    Examples
    --------
    >>> check_province("01", {"01", "79"}, "2025-34")
    '01'
    """
    if code not in known:
        from geo.errors import UnknownProvinceError

        sample = ", ".join(sorted(known)[:5])
        raise UnknownProvinceError(
            f"unknown province '{code}' in admin version {version}: use one of its "
            f"{len(known)} province codes (e.g. {sample})",
            details={"admin_version": version},
        )
    return code
