"""GeoDataFrames read from PostGIS: the one place that sets their CRS."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy.orm import Session


def read_frame(session: Session, sql: Any, params: dict) -> gpd.GeoDataFrame:
    """Rows of ``sql`` with a ``geometry`` column (EWKB, EPSG:4326 unless its SRID says
    otherwise), on the session's connection.

    The column is parsed in one vectorised ``shapely.from_wkb`` call (geopandas' reader parses
    row by row).
    """
    frame = pd.read_sql(sql, session.connection(), params=params)
    raw = frame["geometry"].to_numpy(dtype=object)
    geoms = shapely.from_wkb(np.where(pd.isna(raw), None, raw))
    srids = shapely.get_srid(geoms[~shapely.is_missing(geoms)])
    srid = int(srids[0]) if len(srids) and srids[0] else 4326
    return gpd.GeoDataFrame(frame.assign(geometry=np.asarray(geoms)), geometry="geometry", crs=srid)
