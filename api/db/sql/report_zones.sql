-- The zones of one province (same selection as analysis_zones.sql) with the metrics of run :run
-- (NULL when the run has none); the encroachment comes as WKB next to the planning boundary.
SELECT z.code, z.name, z.kind, z.status, z.established_on, z.decision_ref,
       z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha, z.is_synthetic,
       z.wastewater_status, z.attrs ->> 'projects' AS projects,
       m.planned_ha, m.actual_ha, m.iou, m.encroachment_ha, m.encroachment_share,
       m.worst_severity, ST_AsBinary(m.encroachment_geom) AS encroachment_wkb,
       pb.geom AS geometry
FROM zones z
LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
LEFT JOIN zone_metrics m ON m.run_id IN (SELECT part_id FROM run_parts WHERE run_id = CAST(:run AS bigint)) AND m.zone_code = z.code
WHERE (:version = '2025-34' AND z.province_code = :province)
   OR (:version <> '2025-34' AND EXISTS (
        SELECT 1 FROM provinces p
        WHERE p.admin_version = :version AND p.code = :province
          AND ST_Intersects(p.geom, ST_PointOnSurface(COALESCE(pb.geom, z.location)))))
ORDER BY z.code
