"""zonemap spatial core: a pure library of GIS computations (no web framework, no database).

The rooms: ``geo.ingest`` reads uploaded GIS files, ``geo.crs`` knows the coordinate reference
systems (VN-2000 included), ``geo.analysis`` compares footprints and measures density,
``geo.flags`` holds the flag rules and their thresholds, ``geo.synthetic`` makes the demo data.
The names below are the public API; they are imported on first use, so ``import geo`` stays
cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_PUBLIC: dict[str, str] = {
    # reading uploads
    "prepare_upload": "geo.ingest.upload",
    "read_buildings": "geo.ingest.buildings",
    "check_geometries": "geo.ingest.validate",
    # coordinate reference systems
    "STORAGE_SRID": "geo.crs.systems",
    "parse_crs": "geo.crs.systems",
    "to_metric": "geo.crs.systems",
    "vn2000_crs": "geo.crs.vn2000",
    # analysis
    "analyze": "geo.analysis.run",
    "analyze_partition": "geo.analysis.partitions",
    "compare_footprints": "geo.analysis.footprint",
    "province_density": "geo.analysis.density",
    "find_dense_clusters": "geo.analysis.clusters",
    "derive_builtup": "geo.analysis.builtup",
    # flags
    "Thresholds": "geo.flags.thresholds",
    "load_thresholds": "geo.flags.thresholds",
    # synthetic data
    "generate_zones": "geo.synthetic",
    "load_default_provinces": "geo.synthetic",
    # text and errors
    "to_nfc": "geo.text",
    "GeoError": "geo.errors",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    return getattr(import_module(_PUBLIC[name]), name)


def __dir__() -> list[str]:
    return __all__
