-- Zones with their current planning boundary (NULL when none), the input of an analysis run.
-- :province limits to one province of :version (stored code for 2025-34, by geometry otherwise).
SELECT z.code, z.kind, z.name, z.province_code, z.status, z.established_on, z.expanded_on,
       z.decision_ref, z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha,
       z.is_mountainous, z.is_craft_village, z.is_synthetic, pb.approved_on,
       pb.geom AS geometry
FROM zones z
LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
WHERE CAST(:province AS text) IS NULL
   OR (:version = '2025-34' AND z.province_code = :province)
   OR (:version <> '2025-34' AND EXISTS (
        SELECT 1 FROM provinces p
        WHERE p.admin_version = :version AND p.code = :province
          AND ST_Intersects(p.geom, ST_PointOnSurface(COALESCE(pb.geom, z.location)))))
ORDER BY z.code
