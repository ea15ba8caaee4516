"""GeoDataFrames read from PostGIS: the one place that sets their CRS."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from sqlalchemy.orm import Session


def read_frame(session: Session, sql: Any, params: dict) -> gpd.GeoDataFrame:
    """Rows of ``sql`` with a ``geometry`` column in EPSG:4326, on the session's connection."""
    # geopandas 1.x already parses the WKB column in one vectorised shapely.from_wkb call
    frame = gpd.read_postgis(sql, session.connection(), geom_col="geometry", params=params)
    if frame.crs is None:
        frame = frame.set_crs(4326)
    return frame
