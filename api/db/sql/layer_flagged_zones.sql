-- Zones with at least one flag in analysis run :run, for the map's side panel: filters
-- (province, kind, flag code, severity) are optional; :sort is one of severity, name, province,
-- area, flags (checked by the caller). The total before LIMIT/OFFSET comes with every row;
-- with :with_geometry each zone's current boundary (else its point) comes as GeoJSON.
WITH flagged AS (
    SELECT f.zone_code,
           array_agg(DISTINCT f.code ORDER BY f.code) AS flag_codes,
           max(CASE f.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END)
               AS severity_rank
    FROM flags f
    WHERE f.run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run) AND f.zone_code IS NOT NULL
    GROUP BY f.zone_code
    HAVING (CAST(:flag AS text) IS NULL OR bool_or(f.code = :flag))
       AND (CAST(:severity AS text) IS NULL OR bool_or(f.severity = :severity))
)
SELECT z.code, z.name, z.kind, z.province_code, p.name_vi AS province_name,
       z.planned_area_ha, fl.flag_codes AS flags,
       CASE fl.severity_rank WHEN 3 THEN 'critical' WHEN 2 THEN 'warning' ELSE 'info' END
           AS worst,
       ST_X(ST_PointOnSurface(z.current_geom)) AS lon,
       ST_Y(ST_PointOnSurface(z.current_geom)) AS lat,
       CASE WHEN :with_geometry THEN ST_AsGeoJSON(z.current_geom, 6) END
           AS geometry,
       count(*) OVER () AS total
FROM flagged fl
JOIN zones z ON z.code = fl.zone_code
LEFT JOIN provinces p ON p.admin_version = '2025-34' AND p.code = z.province_code
WHERE (CAST(:province AS text) IS NULL OR z.province_code = :province)
  AND (CAST(:kind AS text) IS NULL OR z.kind = :kind)
ORDER BY
    CASE WHEN :sort = 'severity' THEN fl.severity_rank END DESC,
    CASE WHEN :sort = 'flags' THEN cardinality(fl.flag_codes) END DESC,
    CASE WHEN :sort = 'area' THEN z.planned_area_ha END DESC NULLS LAST,
    CASE WHEN :sort = 'province' THEN z.province_code END,
    CASE WHEN :sort = 'name' THEN z.name END,
    fl.severity_rank DESC, z.code
LIMIT :limit OFFSET :offset
