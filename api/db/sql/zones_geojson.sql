-- Zones as GeoJSON features: the current planning boundary, or the zone's point when it has none
-- (zones.current_geom, GiST-indexed: the bbox filter uses the index).
-- Filters are optional (NULL = no filter); :version picks the admin version used for :province.
WITH candidates AS (
    SELECT z.*, z.current_geom AS shape, pb.area_ha AS boundary_area_ha
    FROM zones z
    LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
    WHERE (CAST(:xmin AS double precision) IS NULL
           OR z.current_geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326))
      AND (CAST(:kind AS text) IS NULL OR z.kind = :kind)
      AND (CAST(:status AS text) IS NULL OR z.status = :status)
      AND (CAST(:province AS text) IS NULL OR :version <> '2025-34' OR z.province_code = :province)
),
filtered AS (
    SELECT c.* FROM candidates c
    WHERE (CAST(:province AS text) IS NULL OR :version = '2025-34' OR EXISTS (
            SELECT 1 FROM provinces p
            WHERE p.admin_version = :version AND p.code = :province
              AND ST_Intersects(p.geom, ST_PointOnSurface(c.shape))))
)
SELECT
    f.code, f.kind, f.name, f.province_code, f.status, f.established_on, f.decision_ref,
    f.planned_area_ha, f.industrial_land_ha, f.leased_land_ha, f.is_synthetic,
    CAST(round(CAST(f.boundary_area_ha AS numeric), 2) AS double precision) AS boundary_area_ha,
    CASE WHEN f.shape IS NULL THEN NULL
         WHEN CAST(:simplify_deg AS double precision) > 0
              THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(f.shape, :simplify_deg), 6)
         ELSE ST_AsGeoJSON(f.shape, 6) END AS geometry,
    count(*) OVER () AS total
FROM filtered f
ORDER BY f.code
LIMIT :limit OFFSET :offset
