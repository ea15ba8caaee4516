"""The analysis: footprint comparison, density, clusters, flag rules and their thresholds.

``geo.analysis.run.analyze`` runs them together on EPSG:4326 frames of the shared data contract.
"""
