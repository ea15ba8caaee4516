-- The zones one partition needs: those that may belong to :province (a province of :version,
-- or NULL for the zones near no province), every zone whose planning boundary lies in the
-- halo window around them, and the other zones of the same stored provinces (peers of the
-- Decree 32 rule). A superset: geo.analysis.partitions decides the core exactly.
WITH p AS (
    SELECT geom FROM provinces WHERE admin_version = :version AND code = :province
), candidates AS (
    SELECT z.id, z.province_code, pb.geom
    FROM zones z
    JOIN current_planning_boundaries pb ON pb.zone_id = z.id, p
    WHERE CAST(:province AS text) IS NOT NULL
      AND pb.geom && ST_Expand(p.geom, :reach) AND ST_DWithin(pb.geom, p.geom, :reach)
    UNION ALL
    SELECT z.id, z.province_code, pb.geom
    FROM zones z
    LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
    WHERE CAST(:province AS text) IS NULL
      AND (pb.geom IS NULL OR NOT EXISTS (
          SELECT 1 FROM provinces q
          WHERE q.admin_version = :version
            AND q.geom && ST_Expand(pb.geom, :reach / 2)
            AND ST_DWithin(pb.geom, q.geom, :reach / 2)))
), window_box AS (
    SELECT ST_Expand(ST_SetSRID(ST_Extent(geom)::geometry, 4326), :margin) AS box FROM candidates
)
SELECT z.code, z.kind, z.name, z.province_code, z.status, z.established_on, z.expanded_on,
       z.decision_ref, z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha,
       z.is_mountainous, z.is_craft_village, z.is_synthetic, pb.approved_on,
       pb.geom AS geometry
FROM zones z
LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
WHERE z.id IN (SELECT id FROM candidates)
   OR pb.geom && (SELECT box FROM window_box)
   OR z.province_code IN (SELECT DISTINCT province_code FROM candidates)
ORDER BY z.code
