"""Every spatial read is answered by an index at national scale.

A database of its own is filled once per session with the 10x national picture (25,000 zones,
their boundaries with history, footprints, 50,000 flags, metrics, clusters; generated in SQL by
bench/sql/scale_rows.sql) and ANALYZEd. Each read of the app then runs for real through its
repository function (OGC items and numberMatched of every collection, the tiles of every layer
at z8/z12/z14, every map layer, /api/zones, search) while its statements are recorded, and
each recorded statement is EXPLAINed with the same parameters, under the planner's normal
settings (sequential scans allowed). A plan that reads a spatial table with a Seq Scan fails.
Tables under 1,000 rows (provinces: 97; analysis_runs) are exempt: there the planner rightly
prefers reading the few pages over the index, whatever the data size.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from tests.conftest import ROOT, scratch_database_url

ZONES_10X = 25_000
SPATIAL_TABLES = frozenset(
    {
        "zones",
        "planning_boundaries",
        "actual_footprints",
        "flags",
        "clusters",
        "zone_metrics",
        "provinces",
    }
)
SMALL_TABLE_ROWS = 1_000
# A 0.3° box (as in the benchmark) and a z12 tile around Hanoi; the generated zones cover it.
BBOX = (105.7, 20.9, 106.0, 21.2)
TILES = ((8, 203, 113), (12, 3252, 1800), (14, 13011, 7203))


@pytest.fixture(scope="session")
def scale_engine(test_database_url: str) -> Iterator[Engine]:
    """A migrated database holding the 10x national picture, ANALYZEd; dropped at the end."""
    from api.db.engine import make_engine
    from api.services.bootstrap import drop_database, prepare_database

    url = scratch_database_url(test_database_url, "_plans")
    prepare_database(url, recreate=True)
    engine = make_engine(url)
    sql = (ROOT / "bench" / "sql" / "scale_rows.sql").read_text(encoding="utf-8")
    with engine.begin() as conn:
        for statement in _statements(sql):
            conn.execute(text(statement), {"zones": ZONES_10X})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    yield engine
    engine.dispose()
    drop_database(url)


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _recorded(engine: Engine, read: Callable[[Session], object]) -> list[tuple[str, object]]:
    """The statements ``read`` runs, with their parameters (caches emptied first)."""
    from api.db.repositories import ogc_features as ogc
    from api.db.repositories import tiles

    ogc.COUNT_CACHE.clear()
    tiles.TILE_CACHE.clear()
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        code = "\n".join(x for x in statement.splitlines() if not x.lstrip().startswith("--"))
        if code.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            read(session)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _seq_scans(engine: Engine, statement: str, parameters: object) -> list[str]:
    """Relations read by a Seq Scan in the plan the planner chooses for ``statement``."""
    with engine.connect() as conn:
        raw = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
        plan = raw if isinstance(raw, list) else json.loads(raw)
        sizes = dict(conn.execute(text("SELECT relname, reltuples FROM pg_class")).all())
    found = []
    for node in _nodes(plan[0]["Plan"]):
        table = node.get("Relation Name")
        is_spatial = table in SPATIAL_TABLES and sizes.get(table, 0) >= SMALL_TABLE_ROWS
        if node["Node Type"] == "Seq Scan" and is_spatial:
            found.append(table)
    return found


def _nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _ogc_read(collection_id: str) -> Callable[[Session], object]:
    def read(session: Session) -> object:
        from api.db.repositories import ogc_features as ogc
        from api.ogc.params import BBoxIn, parse_crs

        coll = ogc.COLLECTIONS[collection_id]
        crs = parse_crs(None)
        # limit=1 makes the page full, so numberMatched is counted too
        query = ogc.ItemsQuery(crs=crs, limit=1, bbox=BBoxIn(*BBOX, crs), filter_key=())
        return ogc.items_page(session, coll, query)

    return read


def _tile_read(layer_id: str) -> Callable[[Session], object]:
    def read(session: Session) -> object:
        from api.db.repositories import tiles

        return [tiles.tile(session, tiles.TILE_LAYERS[layer_id], *t) for t in TILES]

    return read


def _layer_read(name: str, **options: object) -> Callable[[Session], object]:
    def read(session: Session) -> object:
        from api.db.repositories import analysis, layers

        q = layers.LayerQuery(zoom=12, bbox=BBOX, all_versions=bool(options.get("all")))
        run = analysis.latest_run(session, version="2025-34")
        run_id = run["id"] if run else None
        if name == "provinces":
            return layers.provinces(session, "2025-34", q)
        if name in ("zones", "encroachments", "clusters"):
            return getattr(layers, name)(session, q, run_id=run_id)
        return getattr(layers, name)(session, q)

    return read


def _api_zones(session: Session) -> object:
    from api.db.repositories.zones import ZoneFilter, zones_geojson

    return zones_geojson(session, ZoneFilter(bbox=BBOX, limit=100))


def _search(session: Session) -> object:
    from api.db.repositories.layers import search_zones

    return search_zones(session, "khu cong nghiep 1234", limit=10)


def _reads() -> dict[str, Callable[[Session], object]]:
    from api.db.repositories.ogc_collections import COLLECTIONS
    from api.db.repositories.tiles import TILE_LAYERS

    reads = {f"ogc {c}": _ogc_read(c) for c in COLLECTIONS}
    reads |= {f"tiles {t}": _tile_read(t) for t in TILE_LAYERS}
    reads |= {
        f"layer {name}{' all' if all_ else ''}": _layer_read(name, all=all_)
        for name, all_ in (
            ("zones", False),
            ("planning_boundaries", False),
            ("planning_boundaries", True),
            ("footprints", False),
            ("footprints", True),
            ("encroachments", False),
            ("clusters", False),
            ("provinces", False),
        )
    }
    return reads | {"api zones bbox": _api_zones, "search": _search}


READS = _reads()


@pytest.mark.parametrize("name", READS)
def test_spatial_read_at_10x_uses_no_sequential_scan(scale_engine, name):
    statements = _recorded(scale_engine, READS[name])
    assert statements, f"{name} ran no statement"
    for statement, parameters in statements:
        scans = _seq_scans(scale_engine, statement, parameters)
        assert not scans, f"{name}: Seq Scan on {scans} in\n{statement}"


def test_scale_database_holds_the_10x_picture(scale_engine):
    with scale_engine.connect() as conn:
        zones, missing = conn.execute(
            text("SELECT count(*), count(*) FILTER (WHERE current_geom IS NULL) FROM zones")
        ).one()
    assert zones == ZONES_10X and missing == 0
