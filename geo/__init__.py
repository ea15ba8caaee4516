"""zonemap spatial core: a pure library of GIS computations (no web framework, no database)."""
