"""Random population of the synthetic generator: kinds, provinces, dates, statuses and sizes.

Internal to :mod:`geo.synthetic`. No geometry here: each row is a zone to place, with a target
area in hectares and dates as proleptic ordinals (-1 for none).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.synthetic.provinces import (
    BORDER_KKT,
    COASTAL_KKT,
    CRAFT_VILLAGE_HEARTLAND,
    MOUNTAIN,
    WEIGHT,
    Provinces,
)
from geo.synthetic.scenarios import SCENARIOS

_BASE_TOTAL, _BASE_KKT, _BASE_KCN = 2500, 44, 430
_D2009, _D2017 = date(2009, 8, 20).toordinal(), date(2017, 7, 15).toordinal()
_FREEZE = (date(2012, 3, 2).toordinal(), date(2013, 12, 31).toordinal())


def draw_population(
    rng: np.random.Generator, prov: Provinces, scale: float, today: date, factor: float
) -> pd.DataFrame:
    """Kinds, provinces, dates, statuses and target areas of the random zones (no geometry)."""
    kind, kkt_type, pcode = _kinds_and_provinces(rng, prov.codes, scale)
    n = kind.size
    end = min(date(2025, 12, 31), today - timedelta(days=30)).toordinal()
    est = _established(rng, kind, kkt_type, end)
    is_ccn = kind == "CCN"
    unplanned = is_ccn & (rng.random(n) < 0.005)
    mountainous = np.isin(pcode, list(MOUNTAIN))
    craft_p = np.where(np.isin(pcode, list(CRAFT_VILLAGE_HEARTLAND)), 0.05, 0.01)
    craft = is_ccn & ~unplanned & (rng.random(n) < craft_p)
    age = (today.toordinal() - est) / 365.25
    status = np.where(unplanned, "operating", _status(rng, age))
    occupancy = np.where(unplanned, np.nan, _occupancy(rng, status, age))
    occupancy = np.where(is_ccn & (pcode == "14"), np.minimum(occupancy, 0.4), occupancy)
    expanded = _later_date(
        rng,
        est,
        end,
        np.isin(status, ["operating", "under_construction"])
        & (age > 5)
        & ~unplanned
        & (rng.random(n) < 0.08),
        3.0,
    )
    adjusted = _later_date(rng, est, end, (expanded < 0) & ~unplanned & (rng.random(n) < 0.06), 1.0)
    pop = pd.DataFrame(
        {
            "code": None,
            "kind": kind,
            "kkt_type": kkt_type,
            "province_code": pcode,
            "area_ha": _areas(rng, kind, est, mountainous | craft) * factor,
            "status": status,
            "established": np.where(unplanned, -1, est),
            "expanded": expanded,
            "adjusted": adjusted,
            "occupancy": occupancy,
            "unplanned": unplanned,
            "is_mountainous": mountainous,
            "is_craft_village": craft,
            "industrial_share": np.where(
                kind == "KKT", rng.uniform(0.15, 0.35, n), rng.uniform(0.6, 0.75, n)
            ),
        }
    )
    return pop.iloc[np.argsort(-pop["area_ha"].to_numpy(), kind="stable")].reset_index(drop=True)


def _kinds_and_provinces(rng: np.random.Generator, codes: np.ndarray, scale: float):
    total = max(1, round(_BASE_TOTAL * scale))
    planted = pd.Series([s[0][:3] for s in SCENARIOS]).value_counts()
    n_kkt = round(_BASE_KKT * scale)
    n_kcn = max(0, round(_BASE_KCN * scale) - int(planted.get("KCN", 0)))
    n_ccn = max(1, total - n_kkt - round(_BASE_KCN * scale) - int(planted.get("CCN", 0)))
    n_coastal = round(n_kkt * 18 / 44)
    weight = np.array([WEIGHT.get(c, 1.0) for c in codes], dtype=float)
    parts = [
        _choose(rng, codes, COASTAL_KKT, n_coastal),
        _choose(rng, codes, BORDER_KKT, n_kkt - n_coastal),
        rng.choice(codes, size=n_kcn, p=weight / weight.sum()),
        rng.choice(codes, size=n_ccn, p=weight**0.7 / (weight**0.7).sum()),
    ]
    sizes = [n_coastal, n_kkt - n_coastal, n_kcn, n_ccn]
    kind = np.repeat(["KKT", "KKT", "KCN", "CCN"], sizes)
    kkt_type = np.repeat(["coastal", "border", "", ""], sizes)
    return kind, kkt_type, np.concatenate(parts).astype(object)


def _choose(
    rng: np.random.Generator, codes: np.ndarray, weights: Mapping[str, float], n: int
) -> np.ndarray:
    present = [c for c in codes if c in weights] or list(codes)
    w = np.array([weights.get(c, 1.0) for c in present])
    return rng.choice(np.array(present, dtype=object), size=n, p=w / w.sum())


def _established(
    rng: np.random.Generator, kind: np.ndarray, kkt_type: np.ndarray, end: int
) -> np.ndarray:
    """Establishment dates (ordinals): parks from 1995, CCNs mostly after 2003."""
    n = kind.size
    lo = np.select(
        [kkt_type == "coastal", kkt_type == "border", kind == "KCN"],
        _dates(date(2003, 1, 1), date(1996, 1, 1), date(1995, 1, 1)),
        _dates(date(2003, 1, 1))[0],
    )
    hi = np.select(
        [kkt_type == "coastal", kkt_type == "border"],
        _dates(date(2015, 12, 31), date(2012, 12, 31)),
        _dates(date.fromordinal(end))[0],
    )
    lo = np.array([d.toordinal() for d in lo])
    hi = np.array([d.toordinal() for d in hi])
    est = (lo + rng.beta(1.3, 1.0, n) * (hi - lo)).astype(int)
    # Directive 07 froze new CCNs: move most of those drawn inside the freeze after it.
    frozen = (kind == "CCN") & (est >= _FREEZE[0]) & (est <= _FREEZE[1]) & (rng.random(n) < 0.85)
    return np.where(frozen, np.minimum(est + 700, end), est)


def _later_date(
    rng: np.random.Generator, est: np.ndarray, end: int, mask: np.ndarray, min_years: float
) -> np.ndarray:
    """A date between ``est + min_years`` and ``end`` where ``mask``, else -1."""
    lo = est + int(min_years * 365)
    ok = mask & (lo < end)
    return np.where(ok, (lo + rng.random(est.size) * (end - lo)).astype(int), -1)


def _areas(
    rng: np.random.Generator, kind: np.ndarray, est: np.ndarray, small_ok: np.ndarray
) -> np.ndarray:
    """Target areas (ha) by kind; CCNs of the 2009 regime stay <= 50 ha except ~4 %."""
    n = kind.size
    area = np.select(
        [kind == "KKT", kind == "KCN"],
        [_lognormal(rng, 8000, 0.7, 2000, 40000, n), _lognormal(rng, 220, 0.75, 55, 990, n)],
        np.where(
            small_ok, _lognormal(rng, 18, 0.6, 5.5, 74, n), _lognormal(rng, 35, 0.45, 10.5, 74, n)
        ),
    )
    regime_2009 = (kind == "CCN") & (est >= _D2009) & (est < _D2017)
    over = rng.random(n) < 0.04
    area = np.where(regime_2009 & ~over & (area > 49.5), rng.uniform(20, 49.5, n), area)
    return np.where(regime_2009 & over, rng.uniform(51, 74, n), area)


def _lognormal(
    rng: np.random.Generator, median: float, sigma: float, lo: float, hi: float, n: int
) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(median), sigma, n), lo, hi)


def _status(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    u, v = rng.random(age.size), rng.random(age.size)
    p_operating = np.clip((age - 1.5) / 5, 0, 0.9)
    young = np.where(v < 0.5, "planned", "under_construction")
    old = np.select(
        [v < 0.45, v < 0.75, v < 0.9], ["under_construction", "planned", "suspended"], "cancelled"
    )
    return np.where(u < p_operating, "operating", np.where(age < 4, young, old)).astype(object)


def _occupancy(rng: np.random.Generator, status: np.ndarray, age: np.ndarray) -> np.ndarray:
    n = status.size
    mean = np.clip(0.35 + 0.04 * age, 0.35, 0.9)
    operating = rng.beta(mean * 3, (1 - mean) * 3)
    building = rng.beta(1.2, 5, n) * np.clip(age / 5, 0.2, 1)
    return np.select(
        [status == "operating", status == "under_construction", status == "suspended"],
        [operating, building, rng.beta(1, 4, n)],
        0.0,
    )


def _dates(*days: date) -> np.ndarray:
    """Dates as an object array (``np.select`` takes arrays, not lists of dates)."""
    return np.array(days, dtype=object)
