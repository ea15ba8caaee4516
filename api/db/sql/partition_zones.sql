-- The zones one partition needs: those that may belong to :province (a province of :version,
-- or NULL for the zones near no province), every zone whose planning boundary lies in the
-- halo window around them, and the other zones of the same stored provinces (peers of the
-- Decree 32 rule). A superset: geo.analysis.partitions decides the core exactly.
WITH p AS MATERIALIZED (
    -- the outline grown by :reach, so that one prepared intersects test finds the zones near it
    SELECT ST_Buffer(geom, :reach) AS near FROM provinces
    WHERE admin_version = :version AND code = :province
), candidates AS (
    SELECT z.id, z.province_code, pb.geom
    FROM zones z
    JOIN current_planning_boundaries pb ON pb.zone_id = z.id, p
    WHERE CAST(:province AS text) IS NOT NULL
      AND pb.geom && p.near AND ST_Intersects(pb.geom, p.near)
    UNION ALL
    -- near no province: no boundary, or a representative point inside no outline (the
    -- outlines are the outer loop, so each is prepared once and the points come by index)
    SELECT z.id, z.province_code, pb.geom
    FROM zones z
    LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
    WHERE CAST(:province AS text) IS NULL
      AND (pb.geom IS NULL OR pb.id NOT IN (
          SELECT inside.id FROM provinces q
          JOIN planning_boundaries inside
            ON ST_PointOnSurface(inside.geom) && q.geom
           AND ST_Intersects(q.geom, ST_PointOnSurface(inside.geom))
          WHERE q.admin_version = :version AND inside.valid_to IS NULL))
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
