-- Density clusters of run :run with at least one member among the given zones.
SELECT cluster_id, members, total_area_ha, mean_occupancy, hull AS geometry
FROM clusters
WHERE run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run) AND members && CAST(:codes AS text[])
ORDER BY cluster_id
