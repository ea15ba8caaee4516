"""Building observations, their partition of ``buildings`` (binary COPY), and derivations.

Each observation's buildings live in their own partition ``buildings_obs_<id>``: the import
COPYs into a fresh table, builds its GiST index in one pass and attaches it; a rollback drops
it. Partition names are built from integer ids only.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)


def partition_name(observation_id: int) -> str:
    return f"buildings_obs_{int(observation_id)}"


def create_observation(
    session: Session, *, source: str, observed_on: dt.date, upload_id: int
) -> int:
    """A 'previewed' observation of ``upload_id``; return its id."""
    row = session.execute(
        text(
            "INSERT INTO building_observations (source, observed_on, upload_id) "
            "VALUES (:s, :d, :u) RETURNING id"
        ),
        {"s": source, "d": observed_on, "u": upload_id},
    )
    return int(row.scalar_one())


class BuildingWriter:
    """Binary COPY of EPSG:4326 polygons into an observation's (not yet attached) table.

    One COPY per ``write`` (a chunk), so that other statements of the transaction (the
    chunk's quarantined features) can run between chunks.
    """

    def __init__(self, raw: object, observation_id: int) -> None:
        self._raw = raw
        self._prefix = struct.pack(">hiq", 2, 8, int(observation_id))
        self._sql = (
            f"COPY {partition_name(observation_id)} (observation_id, geom) "
            "FROM STDIN (FORMAT BINARY)"
        )
        self.written = 0

    def write(self, geoms: np.ndarray) -> None:
        """Append polygons (EWKB with SRID 4326, as PostGIS's binary input reads it)."""
        if len(geoms) == 0:
            return
        wkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), include_srid=True)
        prefix, pack = self._prefix, struct.Struct(">i").pack
        body = b"".join(prefix + pack(len(w)) + w for w in wkb)
        with self._raw.cursor() as cur, cur.copy(self._sql) as copy:  # type: ignore[attr-defined]
            copy.write(_COPY_HEADER + body + _COPY_TRAILER)
        self.written += len(wkb)


@contextmanager
def building_writer(session: Session, observation_id: int) -> Iterator[BuildingWriter]:
    """Create the observation's table and stream rows into it with binary COPY.

    The table has a CHECK on its observation (so attaching needs no scan); on leaving, it gets
    its GiST index built in one pass, fresh statistics, and becomes the observation's partition
    of ``buildings``. The DDL runs in SECURITY DEFINER functions of migration 0011.
    """
    session.execute(text("SELECT zonemap_building_partition_create(:o)"), {"o": observation_id})
    raw = session.connection().connection.driver_connection
    yield BuildingWriter(raw, observation_id)
    session.execute(text("SELECT zonemap_building_partition_attach(:o)"), {"o": observation_id})


def set_observation_totals(
    session: Session, observation_id: int, *, building_count: int, floor_area_ha: float
) -> None:
    session.execute(
        text(
            "UPDATE building_observations SET building_count = :n, floor_area_ha = :a WHERE id = :o"
        ),
        {"n": building_count, "a": floor_area_ha, "o": observation_id},
    )


def observation_of_upload(session: Session, upload_id: int) -> dict | None:
    row = (
        session.execute(
            text(
                "SELECT id, source, observed_on, status, building_count, floor_area_ha "
                "FROM building_observations WHERE upload_id = :u"
            ),
            {"u": upload_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def get_observation(session: Session, observation_id: int) -> dict | None:
    row = (
        session.execute(
            text(
                "SELECT id, source, observed_on, status, upload_id, building_count, floor_area_ha, "
                "near_zone_count, far_count, derived_at FROM building_observations WHERE id = :o"
            ),
            {"o": observation_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def zones_near(session: Session, observation_id: int, *, distance_m: float) -> int:
    """Zones whose current planning boundary has a building within ``distance_m``."""
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM current_planning_boundaries pb WHERE EXISTS (SELECT 1 "
                "FROM buildings b WHERE b.observation_id = :o AND b.geom && "
                "ST_Expand(pb.geom, :deg) AND ST_DWithin(b.geom::geography, pb.geom::geography, "
                ":m))"
            ),
            {"o": observation_id, "m": distance_m, "deg": degrees_for(distance_m)},
        ).scalar_one()
    )


def degrees_for(distance_m: float) -> float:
    """A margin in degrees that covers ``distance_m`` anywhere in Vietnam (lat ≤ 24°)."""
    return distance_m / 100_000.0 + 1e-6


def commit_observation(session: Session, upload_id: int, observation_id: int) -> None:
    """Make the observation visible and journal it (a rollback deletes it)."""
    session.execute(
        text("UPDATE building_observations SET status = 'committed' WHERE id = :o"),
        {"o": observation_id},
    )
    session.execute(
        text(
            "INSERT INTO upload_changes (upload_id, table_name, row_id, zone_id, action) "
            "VALUES (:u, 'building_observations', :o, NULL, 'insert')"
        ),
        {"u": upload_id, "o": observation_id},
    )


def same_committed_observation(session: Session, upload_id: int) -> int | None:
    """A committed observation with the same source, date and file (sha256) as ``upload_id``'s."""
    return session.execute(
        text(
            "SELECT o2.id FROM building_observations o JOIN uploads u ON u.id = o.upload_id "
            "JOIN building_observations o2 ON o2.source = o.source "
            "AND o2.observed_on = o.observed_on AND o2.status = 'committed' "
            "JOIN uploads u2 ON u2.id = o2.upload_id AND u2.sha256 = u.sha256 "
            "WHERE o.upload_id = :u ORDER BY o2.id LIMIT 1"
        ),
        {"u": upload_id},
    ).scalar_one_or_none()


def discard_observation(session: Session, observation_id: int) -> None:
    """Drop a staged (never committed) observation and its partition."""
    session.execute(text("SELECT zonemap_building_partition_drop(:o)"), {"o": observation_id})
    session.execute(text("DELETE FROM building_observations WHERE id = :o"), {"o": observation_id})


def delete_observations(session: Session, upload_id: int) -> int:
    """Delete the journalled observations of ``upload_id``, their partitions and derivations."""
    ids = [
        r[0]
        for r in session.execute(
            text(
                "SELECT row_id FROM upload_changes WHERE upload_id = :u "
                "AND table_name = 'building_observations' AND action = 'insert'"
            ),
            {"u": upload_id},
        )
    ]
    for observation_id in ids:
        session.execute(text("SELECT zonemap_building_partition_drop(:o)"), {"o": observation_id})
        session.execute(
            text("DELETE FROM building_observations WHERE id = :o"), {"o": observation_id}
        )
    return len(ids)


def current_boundaries(session: Session) -> list[tuple[int, bytes]]:
    """(zone id, WKB) of every current planning boundary the session may write footprints of.

    Under the HTTP write role that is the zones of the editor's provinces (row-level security
    of migration 0006); the CLI and admins get every zone.
    """
    rows = session.execute(
        text(
            "SELECT pb.zone_id, ST_AsBinary(pb.geom) FROM current_planning_boundaries pb "
            "JOIN zones z ON z.id = pb.zone_id WHERE current_user <> 'zonemap_writer' "
            "OR zonemap_may_write(z.province_code) ORDER BY pb.zone_id"
        )
    )
    return [(int(z), bytes(w)) for z, w in rows]


def buildings_near_zones(
    session: Session, observation_id: int, *, distance_m: float
) -> tuple[list[bytes], int]:
    """WKB of the observation's buildings whose box comes within ``distance_m`` of a zone's
    box (a superset of the buildings near a zone; the exact test is geo's), and the total.

    Driven from the zones: one probe of the buildings' GiST index per zone, each building once
    (``ctid`` is unique within the observation's single partition).
    """
    rows = session.execute(
        text(
            "SELECT ST_AsBinary(q.geom) FROM (SELECT DISTINCT ON (b.ctid) b.geom "
            "FROM current_planning_boundaries pb JOIN buildings b ON b.observation_id = :o "
            "AND b.geom && ST_Expand(pb.geom, :deg) ORDER BY b.ctid) q"
        ),
        {"o": observation_id, "deg": degrees_for(distance_m)},
    )
    near = [bytes(r[0]) for r in rows]
    total = int(
        session.execute(
            text("SELECT building_count FROM building_observations WHERE id = :o"),
            {"o": observation_id},
        ).scalar_one()
    )
    return near, total


def clear_derivation(session: Session, observation_id: int) -> None:
    """Remove a previous derivation of the observation (footprints and statistics)."""
    session.execute(
        text("DELETE FROM zone_building_stats WHERE observation_id = :o"), {"o": observation_id}
    )
    session.execute(
        text("DELETE FROM actual_footprints WHERE building_observation_id = :o"),
        {"o": observation_id},
    )


def insert_derived_footprints(
    session: Session,
    observation_id: int,
    *,
    source: str,
    observed_on: dt.date,
    rows: Iterable[tuple[int, str, float]],
) -> dict[int, int]:
    """Insert (zone id, hex EWKB, area ha) footprints; return {zone id: footprint id}."""
    rows = list(rows)
    if not rows:
        return {}
    result = session.execute(
        text(
            "INSERT INTO actual_footprints (zone_id, source, observed_on, geom, area_ha, "
            "building_observation_id) SELECT z, :s, :d, ST_GeomFromEWKB(decode(g, 'hex')), a, :o "
            "FROM unnest(CAST(:z AS bigint[]), CAST(:g AS text[]), CAST(:a AS float8[])) "
            "AS t(z, g, a) RETURNING zone_id, id"
        ),
        {
            "s": source,
            "d": observed_on,
            "o": observation_id,
            "z": [r[0] for r in rows],
            "g": [r[1] for r in rows],
            "a": [r[2] for r in rows],
        },
    )
    return {int(z): int(i) for z, i in result}


def insert_zone_stats(session: Session, observation_id: int, rows: list[dict]) -> None:
    """Per-zone statistics of a derivation (keys as the ``zone_building_stats`` columns)."""
    if not rows:
        return
    columns = (
        "zone_id",
        "footprint_id",
        "building_count",
        "floor_area_ha",
        "builtup_ha",
        "built_share",
        "outside_count",
        "outside_floor_area_ha",
    )
    types = ("bigint", "bigint", "int", "float8", "float8", "float8", "int", "float8")
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(columns, types, strict=True))
    session.execute(
        text(
            f"INSERT INTO zone_building_stats (observation_id, {', '.join(columns)}) "
            f"SELECT :o, * FROM unnest({arrays})"
        ),
        {"o": observation_id, **{c: [r.get(c) for r in rows] for c in columns}},
    )


def set_derivation_totals(
    session: Session, observation_id: int, *, near_zone_count: int, far_count: int
) -> None:
    session.execute(
        text(
            "UPDATE building_observations SET near_zone_count = :n, far_count = :f, "
            "derived_at = now() WHERE id = :o"
        ),
        {"n": near_zone_count, "f": far_count, "o": observation_id},
    )


def zone_stats(session: Session, zone_id: int) -> list[dict]:
    """Building statistics of a zone, one row per committed observation, newest first."""
    rows = session.execute(
        text(
            "SELECT o.id AS observation_id, o.source, o.observed_on, s.building_count, "
            "s.floor_area_ha, s.builtup_ha, s.built_share, s.outside_count, "
            "s.outside_floor_area_ha FROM zone_building_stats s JOIN building_observations o "
            "ON o.id = s.observation_id WHERE s.zone_id = :z AND o.status = 'committed' "
            "ORDER BY o.observed_on DESC, o.id DESC"
        ),
        {"z": zone_id},
    )
    return [dict(r) for r in rows.mappings()]
