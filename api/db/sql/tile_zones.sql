-- Mapbox vector tile of zones (current planning boundary), with the worst flag severity of the
-- latest complete analysis run. The envelope filters zones.current_geom (GiST; for a zone with a
-- boundary it is that boundary, a polygon; zones known only by their point are left out). Per-row
-- lookups by primary key (subqueries) keep the cost proportional to the tile, not the table. :tolerance_deg simplifies per zoom (half a tile-grid cell)
-- before the projection, so fewer vertices are transformed.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS env,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 0.02), 4326) AS env_4326
),
latest_run AS (
    SELECT id FROM analysis_runs WHERE status = 'complete'
    ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1
),
features AS (
    SELECT z.code, z.kind, z.name, z.status, z.province_code,
           (SELECT pb.area_ha FROM current_planning_boundaries pb WHERE pb.zone_id = z.id)
               AS area_ha,
           (SELECT f.severity FROM flags f
            JOIN run_parts rp ON rp.part_id = f.run_id JOIN latest_run r ON r.id = rp.run_id
            WHERE f.zone_code = z.code
            ORDER BY CASE f.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END DESC
            LIMIT 1) AS worst_flag,
           ST_AsMVTGeom(ST_Transform(ST_Simplify(z.current_geom, :tolerance_deg, true), 3857),
                        b.env, 4096, 64, true) AS geom
    FROM zones z
    CROSS JOIN bounds b
    WHERE z.current_geom && b.env_4326 AND ST_Dimension(z.current_geom) = 2
)
SELECT ST_AsMVT(features.*, 'zones', 4096, 'geom') FROM features WHERE geom IS NOT NULL
