"""The typed values of OGC API - Features requests: supported CRSs, a bbox in one of them, a
time interval. Parsed from query parameters by ``api.ogc.params``; read by the queries of
``api.db.repositories.ogc_features`` (which never import the HTTP parameter code)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from geo.crs.vn2000 import vn2000_crs

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@dataclass(frozen=True)
class SupportedCrs:
    """An output/bbox CRS. ``proj`` carries our explicit VN-2000 → WGS 84 transformation
    (geo.crs.vn2000, coordinate-frame convention) so PostGIS never picks its own."""

    uri: str
    srid: int | None = None
    proj: str | None = None
    is_lat_first: bool = False
    decimals: int = 7

    @property
    def is_storage(self) -> bool:
        return self.srid is None and self.proj is None


@cache
def supported_crs() -> dict[str, SupportedCrs]:
    utm = {code: vn2000_crs(zone=zone).to_proj4() for code, zone in ((3405, "48"), (3406, "49"))}
    entries = [
        SupportedCrs(CRS84),
        SupportedCrs(f"{EPSG}4326", is_lat_first=True),
        SupportedCrs(f"{EPSG}3857", srid=3857, decimals=2),
        SupportedCrs(f"{EPSG}4756", proj=vn2000_crs().to_proj4(), is_lat_first=True),
        SupportedCrs(f"{EPSG}3405", proj=utm[3405], decimals=3),
        SupportedCrs(f"{EPSG}3406", proj=utm[3406], decimals=3),
    ]
    return {c.uri: c for c in entries}


@dataclass(frozen=True)
class BBoxIn:
    """A bbox as four numbers in ``crs``, already put in x/y (east, north) order."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float
    crs: SupportedCrs


@dataclass(frozen=True)
class Interval:
    """A closed interval of instants; ``None`` is an open end (``..``)."""

    start: dt.date | dt.datetime | None
    end: dt.date | dt.datetime | None
