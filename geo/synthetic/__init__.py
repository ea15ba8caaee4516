"""Deterministic synthetic national zone data for the demo, tests and benchmarks."""

from geo.synthetic.generator import (
    SyntheticData,
    describe,
    generate_zones,
    load_default_provinces,
)

__all__ = ["SyntheticData", "describe", "generate_zones", "load_default_provinces"]
