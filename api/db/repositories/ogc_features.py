"""OGC API - Features reads: the GeoJSON of each feature is built in PostGIS and joined into
one text value, so a page reaches the client without a Python object per feature.

Statements are SQLAlchemy Core over the allowlisted collection sources; values are bind
parameters and identifiers come only from ``ogc_collections``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from api.db.repositories.ogc_collections import COLLECTIONS, Collection, source
from api.db.repositories.read_cache import VERSION_SQL, LruCache, data_version, usable_version
from api.ogc.values import BBoxIn, Interval, SupportedCrs

COUNT_CACHE = LruCache(max_entries=1024)
# numberMatched is counted exactly up to this many features; above it the count would cost
# more than the page itself, so it is omitted (OGC API - Features Part 1, 7.15.8: the
# property is optional) and the client follows the ``next`` links.
MATCHED_COUNT_LIMIT = 10_000
EXTENT_CACHE = LruCache(max_entries=256)


@dataclass(frozen=True)
class ItemsQuery:
    """What to select: every condition is optional; ``where`` holds property/CQL2 filters."""

    crs: SupportedCrs
    limit: int = 100
    offset: int = 0
    bbox: BBoxIn | None = None
    interval: Interval | None = None
    where: tuple[ColumnElement[bool], ...] = field(default_factory=tuple)
    # What ``where`` was built from (hashable), so numberMatched can be cached; None = never.
    filter_key: Hashable | None = None


@dataclass(frozen=True)
class ItemsPage:
    features_json: str  # comma-separated GeoJSON Feature objects, without brackets
    number_returned: int
    number_matched: int | None  # None: more than MATCHED_COUNT_LIMIT, not counted


def items_page(session: Session | Connection, collection: Collection, q: ItemsQuery) -> ItemsPage:
    """One page of features (ordered by feature id) and the number matching in total.

    The total is counted only when the page does not tell it, at most up to
    ``MATCHED_COUNT_LIMIT`` (None above it), and cached per (collection, filter, data
    version) in ``COUNT_CACHE`` (see ``read_cache``).
    """
    conditions = _conditions(collection, q)
    skips = q.offset > 0
    if conditions:
        statement = _page_statement(collection, q.crs, tuple(conditions), skips=skips)
    else:  # the plain listing, most of the traffic: built and cache-keyed once
        statement = _plain_page_statement(collection.id, q.crs, skips=skips)
    bounds = {"page_limit": q.limit, "page_offset": q.offset}
    features_json, returned, raw_version = session.execute(statement, bounds).one()
    if returned < q.limit and (returned or not q.offset):
        return ItemsPage(features_json, returned, q.offset + returned)
    matched = _matched(session, collection, q, conditions, usable_version(raw_version))
    return ItemsPage(features_json, returned, matched)


@cache
def _plain_page_statement(collection_id: str, crs: SupportedCrs, *, skips: bool) -> Select[Any]:
    return _page_statement(COLLECTIONS[collection_id], crs, (), skips=skips)


def _page_statement(
    collection: Collection,
    crs: SupportedCrs,
    conditions: tuple[ColumnElement[bool], ...],
    *,
    skips: bool,
) -> Select[Any]:
    """The page's features joined into one text, their count and the data version; the limit
    and offset are the bind parameters ``page_limit`` and ``page_offset``.

    PostgreSQL computes the select list of every row it skips with OFFSET, so when the page
    ``skips`` rows its feature ids are picked first and only those rows become GeoJSON
    (``offset=20000`` went from 4-5 to 27-57 pages a second). The first page builds its
    features in one pass: the second join would cost it ~20 %.
    """
    src = source(collection)
    if skips:
        ids = _page_rows(select(src.c.fid), src, conditions).subquery("page_ids")
        hit = source(collection, "hit")
        page = (
            select(_feature_of(hit.c, collection, crs).label("f"), hit.c.fid.label("ord"))
            .join_from(hit, ids, hit.c.fid == ids.c.fid)
            .subquery("page")
        )
    else:
        features = select(_feature(collection, crs).label("f"), src.c.fid.label("ord"))
        page = _page_rows(features, src, conditions).subquery("page")
    return select(
        func.coalesce(literal_column("string_agg(page.f, ',' ORDER BY page.ord)"), ""),
        func.count(),
        literal_column(VERSION_SQL),
    ).select_from(page)


def _page_rows(
    statement: Select[Any], src: Any, conditions: tuple[ColumnElement[bool], ...]
) -> Select[Any]:
    return (
        statement.where(*conditions)
        .order_by(src.c.fid)
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
    )


def _matched(
    session: Session | Connection,
    collection: Collection,
    q: ItemsQuery,
    conditions: list[ColumnElement[bool]],
    version: str | None,
) -> int | None:
    """numberMatched from ``COUNT_CACHE`` under the page's data version, else counted (up to
    ``MATCHED_COUNT_LIMIT`` + 1 rows: None when there are more) and stored under the count
    statement's own data version."""
    key = None
    if q.filter_key is not None:
        key = (collection.id, q.bbox, q.interval, q.filter_key)
    if key is not None and version is not None:
        cached = COUNT_CACHE.get((*key, version))
        if cached is not None:
            return cached[0]
    src = source(collection)
    capped = select(src.c.fid).where(*conditions).limit(MATCHED_COUNT_LIMIT + 1).subquery("m")
    count = select(func.count(), literal_column(VERSION_SQL)).select_from(capped)
    counted, raw_version = session.execute(count).one()
    matched = counted if counted <= MATCHED_COUNT_LIMIT else None
    count_version = usable_version(raw_version)
    if key is not None and count_version is not None:
        COUNT_CACHE.put((*key, count_version), (matched,))
    return matched


def one_item(
    session: Session | Connection, collection: Collection, fid: Any, crs: SupportedCrs
) -> str | None:
    """The GeoJSON Feature with id ``fid``, or None."""
    return session.scalar(_one_item_statement(collection.id, crs), {"fid": fid})


@cache
def _one_item_statement(collection_id: str, crs: SupportedCrs) -> Select[Any]:
    collection = COLLECTIONS[collection_id]
    src = source(collection)
    return select(_feature(collection, crs)).where(src.c.fid == bindparam("fid")).limit(1)


def extent(session: Session | Connection, collection: Collection) -> dict[str, Any]:
    """Spatial extent (CRS84 degrees) and, for dated collections, the temporal interval.

    A scan of the whole collection, asked for by every client that connects (the collections
    list holds ten of them): cached per data version in ``EXTENT_CACHE`` (see ``read_cache``).
    Treat the returned dict as read-only.
    """
    version = data_version(session)
    if version is not None:
        cached = EXTENT_CACHE.get((collection.id, version))
        if cached is not None:
            return cached
    src = source(collection)
    box = func.ST_Extent(src.c.geom)
    cols = [func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box)]
    if collection.temporal:
        end = collection.temporal.end or collection.temporal.start
        cols += [func.min(src.c[collection.temporal.start]), func.max(src.c[end])]
    *row, raw_version = session.execute(select(*cols, literal_column(VERSION_SQL))).one()
    result: dict[str, Any] = {}
    if row[0] is not None:
        result["spatial"] = {
            "bbox": [[round(v, 6) for v in row[:4]]],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        }
    if collection.temporal:
        ends = [v.isoformat() + "T00:00:00Z" if v else None for v in row[4:6]]
        result["temporal"] = {
            "interval": [ends],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    version = usable_version(raw_version)
    if version is not None:
        EXTENT_CACHE.put((collection.id, version), result)
    return result


def _feature(collection: Collection, crs: SupportedCrs) -> ColumnElement[Any]:
    return _feature_expression(collection.id, crs)


@cache
def _feature_expression(collection_id: str, crs: SupportedCrs) -> ColumnElement[Any]:
    collection = COLLECTIONS[collection_id]
    return _feature_of(source(collection).c, collection, crs)


def _feature_of(cols: Any, collection: Collection, crs: SupportedCrs) -> ColumnElement[Any]:
    """One GeoJSON Feature as text, from ``cols``: the columns of the collection's source
    under any of its names (``src``, or ``hit`` for the rows of a page picked by id)."""
    props: list[Any] = []
    for name in collection.property_names:
        props += [literal_column(f"'{name}'"), cols[name]]
    geometry = func.ST_AsGeoJSON(_output_geom(cols.geom, crs), crs.decimals)
    # Concatenated as text: casting the geometry's GeoJSON to json would parse it again.
    return func.concat(
        literal_column("""'{"type":"Feature","id":'"""),
        func.to_json(cols.fid),
        literal_column("""',"geometry":'"""),
        func.coalesce(geometry, literal_column("'null'")),
        literal_column("""',"properties":'"""),
        func.json_build_object(*props),
        literal_column("'}'"),
    )


def _output_geom(geom: Any, crs: SupportedCrs) -> Any:
    if crs.proj:
        geom = func.ST_Transform(geom, cast(crs.proj, Text))
    elif crs.srid:
        geom = func.ST_Transform(geom, crs.srid)
    return func.ST_FlipCoordinates(geom) if crs.is_lat_first else geom


def _conditions(collection: Collection, q: ItemsQuery) -> list[ColumnElement[bool]]:
    src = source(collection)
    conditions = list(q.where)
    if q.bbox is not None:
        conditions.append(src.c.geom.op("&&")(_bbox_4326(q.bbox)))
    if q.interval is not None and collection.temporal is not None:
        conditions.append(_temporal(collection, q.interval))
    return conditions


def _bbox_4326(b: BBoxIn) -> Any:
    if b.crs.proj:
        env = func.ST_MakeEnvelope(b.xmin, b.ymin, b.xmax, b.ymax)
        return func.ST_Transform(
            func.ST_Segmentize(env, (b.xmax - b.xmin) / 16 or 1), cast(b.crs.proj, Text), 4326
        )
    if b.crs.srid:
        return func.ST_Transform(
            func.ST_MakeEnvelope(b.xmin, b.ymin, b.xmax, b.ymax, b.crs.srid), 4326
        )
    return func.ST_MakeEnvelope(b.xmin, b.ymin, b.xmax, b.ymax, 4326)


def _temporal(collection: Collection, interval: Interval) -> ColumnElement[bool]:
    src = source(collection)
    temporal = collection.temporal
    assert temporal is not None
    start_col = src.c[temporal.start]
    end_col = src.c[temporal.end] if temporal.end else start_col
    parts = []
    if interval.end is not None:
        parts.append(start_col <= interval.end)
    if interval.start is not None:
        parts.append(
            or_(end_col >= interval.start, end_col.is_(None))
            if temporal.end
            else end_col >= interval.start
        )
    if not temporal.end:
        parts.append(start_col.is_not(None))
    return and_(*parts)
