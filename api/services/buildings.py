"""Building layers: streamed import into an observation, and derived built-up footprints.

``stage_buildings`` is the preview half of an upload of kind ``buildings``: the layer is read
in chunks (``geo.ingest.buildings``) and COPYed in binary into the observation's own partition,
so memory stays bounded whatever the layer's size. The observation stays 'previewed' (no reader
sees it) until ``api.services.uploads.commit`` commits it; a rollback drops it with its
derived footprints. ``derive_footprints`` computes each zone's built-up footprint
(``geo.analysis.builtup``) and stores it as an actual footprint with
``source = 'derived:buildings:<observation id>'``, beside the per-zone statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy.orm import Session

from api.db.repositories import buildings as repo
from api.db.repositories import uploads as uploads_repo
from api.errors import NotFoundError, UploadRejectedError

Progress = Callable[..., None]  # (stage, fraction, *, processed=None, total=None)
DERIVED_PREFIX = "derived:buildings:"


class BuildingOptionsError(UploadRejectedError):
    """A building upload lacks its observation date (or gives an unusable one)."""

    code = "observation_missing"


def stage_buildings(
    session: Session,
    path: Path,
    options: Any,
    *,
    max_bytes: int,
    filename: str,
    progress: Progress | None = None,
) -> tuple[int, dict]:
    """Stream a building layer into a new 'previewed' observation; return (upload id, summary).

    ``options`` is an ``api.services.uploads.UploadOptions``: ``defaults['observed_on']`` is
    required, ``defaults['source']`` defaults to the file name.
    """
    from api.services.uploads import load_provinces, sha256_of
    from geo.ingest.buildings import read_buildings
    from geo.ingest.io import ReadLimits

    report = progress or (lambda _s, _f, **_counts: None)
    source, observed_on = _observation(options, filename)
    report("read", 0.0)
    with read_buildings(
        path,
        crs=options.crs,
        layer=options.layer,
        accept_crs_guess=options.accept_crs_guess,
        provinces=load_provinces(session),
        limits=ReadLimits(max_file_bytes=max_bytes),
    ) as layer:
        upload_id = uploads_repo.create_upload(
            session,
            kind="buildings",
            filename=filename,
            sha256=sha256_of(path),
            size_bytes=path.stat().st_size,
            uploaded_by=options.uploaded_by,
            source_crs=layer.source_crs,
            encoding=None,
            counts={},
            warnings=list(layer.notes),
            errors=[],
            area_ha=None,
            options={
                "layer": layer.source.label,
                "source": source,
                "observed_on": observed_on.isoformat(),
            },
        )
        observation_id = repo.create_observation(
            session, source=source, observed_on=observed_on, upload_id=upload_id
        )
        with repo.building_writer(session, observation_id) as writer:
            for chunk in layer.chunks:
                writer.write(chunk.geoms)
                uploads_repo.stage_quarantine(session, upload_id, chunk.quarantine)
                report(
                    "buildings",
                    min(layer.tally.read / layer.feature_count, 1.0) * 0.9,
                    processed=layer.tally.read,
                    total=layer.feature_count,
                )
        layer.tally.refuse_if_mostly_broken()
        tally = layer.tally
    repo.set_observation_totals(
        session, observation_id, building_count=tally.kept, floor_area_ha=tally.area_ha
    )
    uploads_repo.mark(
        session,
        upload_id,
        counts={
            "features": tally.read,
            "repaired": tally.repaired,
            "buildings": tally.kept,
            "quarantined": tally.quarantined,
        },
        stage="previewed",
    )
    summary = _summary(layer, tally, upload_id, observation_id, source, observed_on)
    summary.update(_quarantine_summary(session, upload_id, tally))
    report("buildings", 1.0, processed=tally.read, total=tally.read)
    return upload_id, summary


def _quarantine_summary(session: Session, upload_id: int, tally: Any) -> dict:
    """The quarantine part of the preview, as the other kinds give it (counts per reason, the
    first quarantined features, and those with a position to draw)."""
    from api.services.upload_documents import PREVIEW_FEATURES, QUARANTINE_LISTED

    if not tally.quarantined:
        return {"quarantined": 0, "diagnosis": tally.diagnosis, "quarantine": []}
    features = uploads_repo.quarantine_features(session, upload_id, limit=QUARANTINE_LISTED)
    listed = [
        {
            "index": f["properties"]["_index"],
            "feature_id": None,
            "code": None,
            "reason": f["properties"]["_reason"],
            "detail": f["properties"]["_detail"],
            "message": f["properties"]["_message"],
        }
        for f in features
    ]
    drawn = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {
                "index": f["properties"]["_index"],
                "code": None,
                "reason": f["properties"]["_reason"],
                "message": f["properties"]["_message"],
            },
        }
        for f in features[:PREVIEW_FEATURES]
        if f["geometry"]
    ]
    return {
        "quarantined": tally.quarantined,
        "diagnosis": tally.diagnosis,
        "quarantine": listed,
        "quarantine_preview": {"type": "FeatureCollection", "features": drawn},
    }


def _observation(options: Any, filename: str) -> tuple[str, dt.date]:
    defaults = dict(options.defaults or {})
    observed = defaults.get("observed_on")
    if isinstance(observed, str):
        try:
            observed = dt.date.fromisoformat(observed)
        except ValueError:
            observed = None
    if not isinstance(observed, dt.date):
        raise BuildingOptionsError(
            "A building layer is one observation: give the date it shows with --observed-on "
            "YYYY-MM-DD (on the upload page: 'observed on')."
        )
    source = str(defaults.get("source") or "").strip() or Path(filename).stem
    return source, observed


def _summary(
    layer: Any, tally: Any, upload_id: int, observation_id: int, source: str, observed_on: dt.date
) -> dict:
    warnings = list(layer.notes)
    if tally.repaired:
        warnings.append(f"{tally.repaired} invalid polygon(s) were repaired (make_valid).")
    return {
        "upload_id": upload_id,
        "kind": "buildings",
        "observation_id": observation_id,
        "source": source,
        "observed_on": observed_on.isoformat(),
        "features": tally.read,
        "buildings": tally.kept,
        "repaired": tally.repaired,
        "crs": layer.source_crs,
        "encoding": None,
        "area_ha": round(tally.area_ha, 4),
        "layer": layer.source.label,
        "warnings": warnings,
        "errors": [],
    }


def preview_counts(session: Session, upload_id: int) -> dict[str, int]:
    """What committing the building upload would do: buildings added, zones affected."""
    from geo.flags.thresholds import load_thresholds

    observation = repo.observation_of_upload(session, upload_id)
    if observation is None:
        raise NotFoundError(f"Upload {upload_id} has no building observation.")
    search_m = load_thresholds().builtup.search_m
    zones = repo.zones_near(session, observation["id"], distance_m=search_m)
    return {
        "features": int(observation["building_count"]),
        "inserted": int(observation["building_count"]),
        "updated": 0,
        "unchanged": 0,
        "zones_affected": zones,
    }


def apply_upload(session: Session, upload_id: int) -> dict[str, int]:
    """Commit the upload's observation (journalled); the caller holds the commit lock.

    The same file with the same source and date already committed changes nothing (the
    staged copy is discarded and its buildings count as unchanged): re-importing is idempotent.
    """
    observation = repo.observation_of_upload(session, upload_id)
    if observation is None:
        raise NotFoundError(f"Upload {upload_id} has no building observation.")
    n = int(observation["building_count"])
    quarantined = int(uploads_repo.get_upload(session, upload_id)["counts"].get("quarantined", 0))
    same = repo.same_committed_observation(session, upload_id)
    if same is not None:
        repo.discard_observation(session, observation["id"])
        return {
            "features": n,
            "inserted": 0,
            "updated": 0,
            "unchanged": n,
            "zones_affected": 0,
            "quarantined": quarantined,
            "observation_id": same,
        }
    counts = preview_counts(session, upload_id)
    repo.commit_observation(session, upload_id, observation["id"])
    return {**counts, "quarantined": quarantined, "observation_id": observation["id"]}


def derive_footprints(
    session: Session, observation_id: int, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Derive and store every zone's built-up footprint from a committed observation.

    A second derivation of the same observation replaces the first; a new observation gives
    new footprints beside the older ones (growth over time).
    """
    from geo.analysis.builtup import derive_builtup
    from geo.flags.thresholds import load_thresholds

    report = progress or (lambda _s, _f: None)
    observation = repo.get_observation(session, observation_id)
    if observation is None or observation["status"] != "committed":
        state = "does not exist" if observation is None else "is not committed yet"
        raise NotFoundError(
            f"Building observation {observation_id} {state}. Use the observation_id printed by "
            "`zonemap import FILE --kind buildings --observed-on YYYY-MM-DD --json`, or import "
            "a building layer first."
        )
    limits = load_thresholds().builtup
    report("load", 0.0)
    zone_rows = repo.current_boundaries(session)
    zones = gpd.GeoDataFrame(
        {"zone_id": [z for z, _ in zone_rows]},
        geometry=shapely.from_wkb([w for _, w in zone_rows]),
        crs=4326,
    )
    near, total = repo.buildings_near_zones(session, observation_id, distance_m=limits.search_m)
    geoms = shapely.from_wkb(near)
    del near
    report("derive", 0.3)
    result = derive_builtup(
        zones, geoms, search_m=limits.search_m, closing_m=limits.closing_m, total_buildings=total
    )
    del geoms
    report("store", 0.9)
    repo.clear_derivation(session, observation_id)
    fp = result.footprints
    geoms = fp.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    hexes = _multipolygon_hex(geoms[present])
    ids = repo.insert_derived_footprints(
        session,
        observation_id,
        source=f"{DERIVED_PREFIX}{observation_id}",
        observed_on=observation["observed_on"],
        rows=zip(
            fp["zone_id"].to_numpy()[present].tolist(),
            hexes.tolist(),
            fp["builtup_ha"].to_numpy()[present].tolist(),
            strict=True,
        ),
    )
    stats = result.stats.astype(object).where(result.stats.notna(), None).to_dict("records")
    for row in stats:
        row["footprint_id"] = ids.get(int(row["zone_id"]))
    repo.insert_zone_stats(session, observation_id, stats)
    repo.set_derivation_totals(
        session, observation_id, near_zone_count=result.near_count, far_count=result.far_count
    )
    report("store", 1.0)
    return {
        "observation_id": observation_id,
        "zones": len(stats),
        "footprints": len(ids),
        "buildings": total,
        "near_zones": result.near_count,
        "far": result.far_count,
        "buildings_in_zones": int(result.stats["building_count"].sum()),
        "buildings_outside": int(result.stats["outside_count"].sum()),
    }


def _multipolygon_hex(geoms: Any) -> Any:
    """Hex EWKB (SRID 4326) of each polygonal geometry as a MultiPolygon."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    multi = shapely.multipolygons(parts, indices=index)
    return shapely.to_wkb(shapely.set_srid(multi, 4326), hex=True, include_srid=True)
