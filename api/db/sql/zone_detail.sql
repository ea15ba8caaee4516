-- One zone's facts with its province name, current planning boundary area, extent and a point
-- inside it (EPSG:4326 degrees).
SELECT z.id, z.code, z.kind, z.name, z.province_code, p.name_vi AS province_name_vi,
       p.name_en AS province_name_en, z.status, z.established_on, z.expanded_on,
       z.decision_ref, z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha,
       z.is_mountainous, z.is_craft_village, z.is_synthetic, z.investor, z.workers,
       z.wastewater_status, z.wastewater_capacity_m3_day, z.has_worker_housing,
       CAST(round(CAST(pb.area_ha AS numeric), 2) AS double precision) AS boundary_area_ha,
       ST_XMin(e.extent) AS xmin, ST_YMin(e.extent) AS ymin,
       ST_XMax(e.extent) AS xmax, ST_YMax(e.extent) AS ymax,
       ST_X(ST_PointOnSurface(z.current_geom)) AS lon,
       ST_Y(ST_PointOnSurface(z.current_geom)) AS lat
FROM zones z
LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
LEFT JOIN provinces p ON p.admin_version = '2025-34' AND p.code = z.province_code
LEFT JOIN LATERAL (
    SELECT ST_Extent(g) AS extent FROM (
        SELECT pb.geom AS g
        UNION ALL SELECT z.location
        UNION ALL SELECT af.geom FROM actual_footprints af WHERE af.zone_id = z.id
    ) shapes
) e ON true
WHERE z.code = :code
