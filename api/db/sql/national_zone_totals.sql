-- Zone counts and areas per province, kind and status in admin version :version (2025-34: the
-- stored province code; other versions: the province holding the zone's point on surface).
-- Zones outside every province of the version get a NULL province_code.
WITH placed AS (
    SELECT z.kind, z.status, z.planned_area_ha, z.industrial_land_ha, z.leased_land_ha,
           z.wastewater_status, z.is_synthetic, z.attrs,
           CASE WHEN :version = '2025-34' THEN z.province_code ELSE (
               SELECT p.code FROM provinces p
               WHERE p.admin_version = :version
                 AND ST_Intersects(p.geom, ST_PointOnSurface(COALESCE(pb.geom, z.location)))
               ORDER BY p.code LIMIT 1) END AS province_code
    FROM zones z
    LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
)
SELECT province_code, kind, status,
       CAST(count(*) AS integer) AS zones,
       coalesce(sum(planned_area_ha), 0) AS planned_ha,
       coalesce(sum(industrial_land_ha), 0) AS industrial_ha,
       coalesce(sum(leased_land_ha), 0) AS leased_ha,
       CAST(count(*) FILTER (WHERE wastewater_status = 'operating') AS integer)
           AS wastewater_operating,
       CAST(count(wastewater_status) AS integer) AS wastewater_known,
       CAST(count(*) FILTER (WHERE attrs ? 'projects') AS integer) AS projects_known,
       sum(CASE WHEN attrs ->> 'projects' ~ '^[0-9]+$' THEN CAST(attrs ->> 'projects' AS integer)
           END) AS projects,
       CAST(count(*) FILTER (WHERE is_synthetic) AS integer) AS synthetic
FROM placed
GROUP BY province_code, kind, status
ORDER BY province_code, kind, status
