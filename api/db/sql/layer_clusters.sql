-- Density clusters (convex hulls of their member zones) of analysis run :run.
SELECT c.cluster_id, c.province_code, cardinality(c.members) AS zone_count,
       c.total_area_ha, c.mean_occupancy,
       ST_AsGeoJSON(CASE WHEN :tolerance_deg > 0
                         THEN ST_SimplifyPreserveTopology(c.hull, :tolerance_deg)
                         ELSE c.hull END, :digits) AS geometry
FROM clusters c
WHERE c.run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run)
  AND (CAST(:province AS text) IS NULL OR c.province_code = :province)
  AND (CAST(:xmin AS double precision) IS NULL
       OR c.hull && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326))
ORDER BY c.cluster_id
LIMIT :limit
