-- The zones one partition needs: those that may belong to :province (a province of :version,
-- or NULL for the zones near no province), every zone whose planning boundary lies within the
-- halo :margin of one of them, and, without geometry (peer_only), the other clusters (CCN) of
-- the stored provinces of the new clusters among them (established from :ccn_from: the peers
-- the Decree 32 rule compares them with). A superset: geo.analysis.partitions decides the core
-- exactly, among the rows marked ``candidate`` (the others are halo or peers; their actual
-- footprints are not needed). The halo is the outline grown by :reach + :margin, which holds
-- every zone near a candidate lying inside the outline, plus a :margin box around each
-- candidate reaching out of it (all candidates of the NULL partition).
WITH p AS MATERIALIZED (
    SELECT ST_Buffer(geom, :reach) AS near, ST_Buffer(geom, :reach + :margin) AS wide
    FROM provinces
    WHERE admin_version = :version AND code = :province
), candidates AS MATERIALIZED (
    SELECT z.id, z.province_code, z.kind, z.status, z.established_on, pb.geom,
           ST_Covers(p.near, pb.geom) AS inside  -- the outline first: PostGIS prepares it once
    FROM zones z
    JOIN current_planning_boundaries pb ON pb.zone_id = z.id, p
    WHERE CAST(:province AS text) IS NOT NULL
      AND pb.geom && p.near AND ST_Intersects(pb.geom, p.near)
    UNION ALL
    -- near no province: no boundary, or a representative point inside no outline (the
    -- outlines are the outer loop, so each is prepared once and the points come by index)
    SELECT z.id, z.province_code, z.kind, z.status, z.established_on, pb.geom, false AS inside
    FROM zones z
    LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
    WHERE CAST(:province AS text) IS NULL
      AND (pb.geom IS NULL OR pb.id NOT IN (
          SELECT inside.id FROM provinces q
          JOIN planning_boundaries inside
            ON ST_PointOnSurface(inside.geom) && q.geom
           AND ST_Intersects(q.geom, ST_PointOnSurface(inside.geom))
          WHERE q.admin_version = :version AND inside.valid_to IS NULL))
), halo AS MATERIALIZED (
    SELECT pb.zone_id AS id
    FROM current_planning_boundaries pb, p
    WHERE pb.geom && p.wide
      AND pb.zone_id NOT IN (SELECT id FROM candidates)  -- in already: no need to test them
      AND ST_Intersects(pb.geom, p.wide)
    UNION
    SELECT pb.zone_id
    FROM candidates c
    JOIN current_planning_boundaries pb ON pb.geom && ST_Expand(c.geom, :margin)
    WHERE c.geom IS NOT NULL AND NOT c.inside
), picked AS (
    SELECT id FROM candidates UNION SELECT id FROM halo
)
SELECT z.code, z.kind, z.name, z.province_code, z.status, z.established_on, z.expanded_on,
       z.decision_ref, z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha,
       z.is_mountainous, z.is_craft_village, z.is_synthetic, pb.approved_on,
       pb.geom AS geometry, false AS peer_only,
       z.id IN (SELECT id FROM candidates) AS candidate
FROM zones z
LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
WHERE z.id IN (SELECT id FROM picked)
UNION ALL
SELECT z.code, z.kind, z.name, z.province_code, z.status, z.established_on, z.expanded_on,
       z.decision_ref, z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha,
       z.is_mountainous, z.is_craft_village, z.is_synthetic, pb.approved_on,
       NULL AS geometry, true AS peer_only, false AS candidate
FROM zones z
LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
WHERE z.kind = 'CCN'
  AND z.province_code IN (
      SELECT DISTINCT province_code FROM candidates
      WHERE kind = 'CCN' AND status <> 'cancelled' AND established_on >= CAST(:ccn_from AS date))
  AND z.id NOT IN (SELECT id FROM picked)
ORDER BY code
