"""Which province a zone belongs to: from its geometry, or from a code or name in its attributes.

Provinces are a GeoDataFrame in EPSG:4326 with ``code`` and ``name_vi`` (``data/boundaries``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.text import fold_diacritics

__all__ = ["province_codes_from_geometry", "province_codes_from_text", "settle_crossing_codes"]

_PREFIXES = ("thanh pho ", "tinh ", "tp. ", "tp ")


def province_codes_from_geometry(
    geoseries: gpd.GeoSeries, provinces: gpd.GeoDataFrame, *, settle_crossing: bool = True
) -> pd.Series:
    """Code of the province holding most of each geometry (EPSG:4326), None when none does.

    A representative point decides for most features; features whose geometry crosses a
    province boundary are settled by the largest intersection area (in degrees², enough to
    compare parts of one feature), unless ``settle_crossing`` is False (points only: faster,
    for a first pass).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> provs = gpd.GeoDataFrame({"code": ["01", "02"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    >>> zones = gpd.GeoSeries([box(0.2, 0.2, 0.4, 0.4), box(0.9, 0, 1.5, 1)], crs=4326)
    >>> province_codes_from_geometry(zones, provs).tolist()
    ['01', '02']
    """
    geoms = geoseries.to_numpy()
    codes = np.full(geoms.size, None, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return pd.Series(codes, index=geoseries.index)
    points = shapely.point_on_surface(geoms[present])
    prov_geoms = provinces.geometry.to_numpy()
    prov_codes = provinces["code"].astype(str).to_numpy()
    where_present = np.flatnonzero(present)
    # One bulk query: (province, point) pairs; a point shared by two provinces (rare, on a
    # border) goes to the later one.
    prov_idx, point_idx = shapely.STRtree(points).query(prov_geoms, predicate="contains")
    order = np.argsort(prov_idx, kind="stable")
    codes[where_present[point_idx[order]]] = prov_codes[prov_idx[order]]
    if settle_crossing:
        _settle_crossing(geoms, present, codes, prov_geoms, prov_codes)
    return pd.Series(codes, index=geoseries.index)


def settle_crossing_codes(
    geoseries: gpd.GeoSeries, codes: pd.Series, provinces: gpd.GeoDataFrame
) -> pd.Series:
    """``codes`` (found by representative point) with the features that cross a province
    boundary settled by the largest intersection, as `province_codes_from_geometry` does.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> provs = gpd.GeoDataFrame({"code": ["01", "02"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    >>> zones = gpd.GeoSeries([box(0.2, 0.2, 0.4, 0.4), box(0.9, 0, 1.5, 1)], crs=4326)
    >>> settle_crossing_codes(zones, pd.Series(["01", "01"]), provs).tolist()
    ['01', '02']
    """
    geoms = geoseries.to_numpy()
    out = codes.to_numpy(dtype=object).copy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    prov_codes = provinces["code"].astype(str).to_numpy()
    _settle_crossing(geoms, present, out, provinces.geometry.to_numpy(), prov_codes)
    return pd.Series(out, index=geoseries.index)


def _settle_crossing(
    geoms: np.ndarray,
    present: np.ndarray,
    codes: np.ndarray,
    prov_geoms: np.ndarray,
    prov_codes: np.ndarray,
) -> None:
    areal = present & np.isin(shapely.get_type_id(geoms), (3, 6))
    candidates = np.flatnonzero(areal)
    if candidates.size == 0:
        return
    tree = shapely.STRtree(geoms[candidates])
    _, hit = tree.query(shapely.boundary(prov_geoms), predicate="intersects")
    crossing = np.unique(candidates[hit])
    if crossing.size == 0:
        return
    feature_idx, prov_idx = shapely.STRtree(prov_geoms).query(
        geoms[crossing], predicate="intersects"
    )
    shares = shapely.area(shapely.intersection(prov_geoms[prov_idx], geoms[crossing][feature_idx]))
    # Per feature, the province with the largest share (the first one on ties, as argmax).
    order = np.lexsort((prov_idx, -shares, feature_idx))
    first = order[np.r_[True, feature_idx[order][1:] != feature_idx[order][:-1]]]
    codes[crossing[feature_idx[first]]] = prov_codes[prov_idx[first]]


def province_codes_from_text(values: pd.Series, provinces: gpd.GeoDataFrame) -> pd.Series:
    """Read province codes given as 2-digit codes or as names ("Vĩnh Long", "Tỉnh Bắc Ninh").

    Unknown values give None.

    Examples
    --------
    >>> provs = gpd.GeoDataFrame({"code": ["86"], "name_vi": ["Vĩnh Long"]}, geometry=[None])
    >>> province_codes_from_text(pd.Series(["86", "tinh vinh long", "7", "X"]), provs).tolist()
    ['86', '86', None, None]
    """
    known = set(provinces["code"].astype(str))
    names = {
        _fold_name(n): str(c) for c, n in zip(provinces["code"], provinces["name_vi"], strict=True)
    }

    def lookup(value: object) -> str | None:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        text = str(value).strip()
        if text.isdigit():
            return text.zfill(2) if text.zfill(2) in known and len(text) == 2 else None
        return names.get(_fold_name(text))

    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    table = np.array([*(lookup(v) for v in uniques), None], dtype=object)  # -1: missing
    return pd.Series(table[codes], index=values.index, dtype=object)


def _fold_name(name: str) -> str:
    folded = fold_diacritics(str(name)).strip()
    for prefix in _PREFIXES:
        folded = folded.removeprefix(prefix)
    return " ".join(folded.replace("-", " ").split())
