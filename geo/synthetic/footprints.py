"""Actual footprints and superseded planning boundaries of the synthetic random zones.

Internal to :mod:`geo.synthetic`. Footprints are shrunk copies of the planned shapes (so they
lie inside them), a few with a lobe reaching outside (encroachment); earlier planning versions
are smaller copies. Geometry is in the equal-area CRS (metres), dates are ordinals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo.synthetic.attributes import decision_refs
from geo.synthetic.shapes import add_lobes, build_polygons, holed_footprint_scales, shell_points

SOURCES = ("Sentinel-2 digitising (synthetic)", "field survey (synthetic)")


def random_footprints(
    rng: np.random.Generator, pop, rings, centres, planned, today: int
) -> pd.DataFrame:
    """Latest (and for some zones an earlier) actual footprint of the random zones."""
    n = len(pop)
    status, kind = pop["status"].to_numpy(), pop["kind"].to_numpy()
    est = pop["established"].to_numpy()
    age = np.where(est >= 0, (today - est) / 365.25, 10.0)
    built = np.isin(status, ["operating", "under_construction", "suspended"])
    share = np.select(
        [
            pop["unplanned"].to_numpy(),
            (status == "operating") & (kind == "KKT"),
            status == "operating",
            status == "under_construction",
        ],
        [
            np.full(n, 0.95),
            rng.uniform(0.2, 0.6, n),
            rng.uniform(0.88, 0.97, n),
            np.clip(0.03 + rng.beta(2, 5, n) * np.clip(age / 6, 0.1, 1), 0.03, 0.85),
        ],
        rng.uniform(0.05, 0.5, n),
    )
    encroach = (status == "operating") & (kind != "KKT") & (rng.random(n) < 0.05)
    rows = np.flatnonzero(built)
    observed = np.maximum(today - rng.integers(20, 400, n), est + 30)
    latest = _footprints(rng, pop, rings, centres, planned, rows, share[rows])
    enc = rows[encroach[rows]]
    anchors = shell_points(rings, centres[enc], pop["rid"].to_numpy()[enc], rng.random(enc.size))
    outside = pop["area_ha"].to_numpy()[enc] * 1e4 * rng.uniform(0.01, 0.12, enc.size)
    latest[encroach[rows]] = add_lobes(latest[encroach[rows]], planned[enc], anchors, outside)
    earlier_obs = observed - rng.integers(700, 1800, n)
    again = rows[(earlier_obs[rows] > est[rows] + 180) & (rng.random(rows.size) < 0.15)]
    earlier = _footprints(
        rng, pop, rings, centres, planned, again, share[again] * rng.uniform(0.4, 0.8, again.size)
    )
    source = np.array(SOURCES, dtype=object)[(rng.random(n) < 0.25).astype(int)]
    return pd.DataFrame(
        {
            "zone": np.r_[rows, again],
            "source": np.r_[source[rows], source[again]],
            "observed": np.r_[observed[rows], earlier_obs[again]],
            "geometry": np.r_[latest, earlier],
        }
    )


def _footprints(
    rng: np.random.Generator, pop, rings, centres, planned, rows: np.ndarray, share: np.ndarray
):
    """Copies of the planned shapes of ``rows`` shrunk to ``share`` of their area (inside).

    Holed zones are shrunk without their hole and then clipped to the boundary; their scale
    keeps the shrunk shell around the hole (see ``holed_footprint_scales``), so the footprint
    is never empty.
    """
    rid = pop["rid"].to_numpy()[rows]
    jitter = 1 - rng.uniform(0, 0.02, rows.size)
    scale = np.sqrt(share) * jitter
    holed = pop["has_hole"].to_numpy()[rows]
    scale[holed] = holed_footprint_scales(rings, rid[holed], share[holed] * jitter[holed] ** 2)
    geoms = build_polygons(rings, centres[rows], rid, vertex_scale=scale, with_holes=False)
    geoms[holed] = shapely.intersection(geoms[holed], planned[rows[holed]])
    return geoms


def random_history(rng: np.random.Generator, pop, rings, centres, today: int) -> pd.DataFrame:
    """The superseded planning boundary of expanded (smaller) and adjusted zones."""
    expanded, adjusted = pop["expanded"].to_numpy(), pop["adjusted"].to_numpy()
    rows = np.flatnonzero((expanded >= 0) | (adjusted >= 0))
    share = np.where(
        expanded[rows] >= 0, rng.uniform(0.6, 0.85, rows.size), rng.uniform(0.85, 0.97, rows.size)
    )
    rid = pop["rid"].to_numpy()[rows]
    geoms = build_polygons(rings, centres[rows], rid, vertex_scale=np.sqrt(share))
    est = pop["established"].to_numpy()[rows]
    return pd.DataFrame(
        {
            "zone": rows,
            "decision_ref": decision_refs(rng, pop["kind"].to_numpy()[rows], est),
            "approved": est,
            "valid_to": np.maximum(expanded[rows], adjusted[rows]),
            "geometry": geoms,
        }
    )
