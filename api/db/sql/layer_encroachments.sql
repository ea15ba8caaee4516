-- Encroachments (actual footprint outside the approved boundary) of analysis run :run.
SELECT m.zone_code AS code, z.name, m.kind, m.province_code,
       m.encroachment_ha, m.encroachment_share, m.worst_severity AS worst,
       ST_AsGeoJSON(CASE WHEN :tolerance_deg > 0
                         THEN ST_SimplifyPreserveTopology(m.encroachment_geom, :tolerance_deg)
                         ELSE m.encroachment_geom END, :digits) AS geometry
FROM zone_metrics m
LEFT JOIN zones z ON z.code = m.zone_code
WHERE m.run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run) AND m.encroachment_geom IS NOT NULL
  AND NOT ST_IsEmpty(m.encroachment_geom)
  AND (CAST(:province AS text) IS NULL OR m.province_code = :province)
  AND (CAST(:zone AS text) IS NULL OR m.zone_code = :zone)
  AND (CAST(:xmin AS double precision) IS NULL
       OR m.encroachment_geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326))
ORDER BY m.zone_code
LIMIT :limit
