"""The analysis: footprint comparison, density and density-based clusters of zones (DBSCAN).

The flag rules and their thresholds are in ``geo.flags``; in ``geo`` a "cluster" is a density
cluster of zones, an industrial cluster is a CCN.

``geo.analysis.run.analyze`` runs them together on EPSG:4326 frames of the shared data contract.
"""
