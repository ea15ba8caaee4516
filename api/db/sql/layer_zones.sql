-- Zones for the web map: the current planning boundary (or the zone's point when it has none:
-- zones.current_geom, GiST-indexed),
-- simplified by :tolerance_deg and written with :digits decimals, with the worst flag severity
-- (from its flags: the national DENSE_CLUSTER ones are in another part of the run than its
-- metrics) and the flag codes of analysis run :run (NULL before the first run). Filters are
-- optional.
-- The most severe come last so that the map draws them on top.
WITH picked AS (
    SELECT z.code, z.name, z.kind, z.status, z.province_code, z.planned_area_ha,
           z.current_geom AS shape
    FROM zones z
    WHERE z.current_geom IS NOT NULL
      AND (CAST(:kind AS text) IS NULL OR z.kind = :kind)
      AND (CAST(:province AS text) IS NULL OR z.province_code = :province)
      AND (CAST(:zone AS text) IS NULL OR z.code = :zone)
      AND (CAST(:xmin AS double precision) IS NULL
           OR z.current_geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326))
)
SELECT p.code, p.name, p.kind, p.status, p.province_code, p.planned_area_ha,
       CASE fl.rank WHEN 3 THEN 'critical' WHEN 2 THEN 'warning' WHEN 1 THEN 'info' END AS worst,
       fl.codes AS flags,
       ST_AsGeoJSON(CASE WHEN :tolerance_deg > 0
                         THEN ST_SimplifyPreserveTopology(p.shape, :tolerance_deg)
                         ELSE p.shape END, :digits) AS geometry
FROM picked p
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT f.code ORDER BY f.code) AS codes,
           max(CASE f.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END) AS rank
    FROM flags f
    WHERE f.run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run) AND f.zone_code = p.code
) fl ON true
ORDER BY COALESCE(fl.rank, 0), p.code
LIMIT :limit
